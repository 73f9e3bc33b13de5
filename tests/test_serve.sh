#!/bin/sh
# test_serve.sh EDGESTREAM [KILLS] — `edgestream serve` end to end (docs/serve.md):
#   - 16 producers x 100 000 edges at once: the final answers equal those of
#     `run` over `wal-dump` (the WAL's order) and, for the order-free
#     operators, over the input file; the edge count is what was sent;
#   - KILLS (default 20) SIGKILLs at random moments while 8 idempotent
#     producers stream, half with --fsync always, half with batch: the
#     producers reconnect and resend unacknowledged groups; at the end every
#     edge is counted exactly once (the answers equal a run over the input,
#     each acknowledged group is in the producers' logs once) and a run over
#     the WAL gives the server's answers;
#   - queries while ingesting: DEGREE and SAME against the WAL's prefix the
#     answer names; SNAPSHOT names a file that exists;
#   - limits and bad input: binary garbage, a 10 MB line, a malformed line
#     (ERR with its line number, the connection kept), --max-bad-per-client,
#     a client that disconnects mid-line, a deletion line (refused: it would
#     stop the stream), --max-clients with 200 connections
#     at once, a slowloris client beside a fast one, AUTH with a wrong and a
#     right token, a non-loopback address without --token (refused) and with
#     --insecure, IPv6, a second server on the same WAL (refused: lock), a
#     torn WAL tail (cut and reported), a WAL of another run without
#     --resume (refused), SIGTERM (final snapshot, exit 0).
# Free ports only (port 0, read back from stderr); scratch in mktemp -d.
# Prints "N passed, N failed"; exits non-zero on any failure.
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
kills=${2:-20}
tmp=$(mktemp -d)
py=/usr/bin/python3
client="$py $(dirname "$0")/serve_client.py"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

# ---- 16 producers x 100 000 edges ---------------------------------------------------------
"$es" gen rmat --scale 16 --edge-factor 25 --seed 7 -o "$tmp/big.gen"
head -n 1600000 "$tmp/big.gen" > "$tmp/big.txt"
rm -f "$tmp/big.gen"
if start big --wal "$tmp/big.wal" --ops cc,degree,tri --format json; then
    $client send "$port" "$tmp/big.txt" "$tmp/big.log" --clients 16 --group 10000 --retry-until 120 ||
        bad "16 producers: not every group was acknowledged"
    stop
    [ "$status" = 0 ] || bad "16 producers: serve exited $status on SIGTERM"
    edges=$(sections stream < "$tmp/big.out" | sed 's/.*"edges": \([0-9]*\).*/\1/')
    [ "$edges" = 1600000 ] && ok || bad "16 producers: $edges edges counted, 1600000 sent"
    "$es" wal-dump "$tmp/big.wal" | "$es" run --ops cc,degree,tri --format json - > "$tmp/big.run"
    if [ "$(sections stream cc degree tri < "$tmp/big.out")" = "$(sections stream cc degree tri < "$tmp/big.run")" ]; then ok
    else bad "16 producers: the server's answers differ from a run over the WAL"; fi
    "$es" run --ops cc,degree --format json "$tmp/big.txt" > "$tmp/big.file"
    if [ "$(sections stream cc degree < "$tmp/big.out")" = "$(sections stream cc degree < "$tmp/big.file")" ]; then ok
    else bad "16 producers: cc and degree differ from a run over the input file"; fi
    [ "$(awk '{n += $3} END {print n}' "$tmp/big.log")" = 1600000 ] && ok || bad "16 producers: acknowledged edges"
fi
rm -f "$tmp/big.txt" "$tmp/big.run" "$tmp/big.file"

# ---- SIGKILL at random moments --------------------------------------------------------------
"$es" gen rmat --scale 14 --edge-factor 10 --seed 3 > "$tmp/kill.txt"
total=$(wc -l < "$tmp/kill.txt")
"$es" run --ops cc,degree --format json "$tmp/kill.txt" > "$tmp/kill.file"
for policy in always batch; do
    d=$tmp/kill-$policy
    mkdir -p "$d"
    opts="--wal $d/wal --snapshot-dir $d/snap --snapshot-every 3000 --batch 1000 --ops cc,degree,tri --format json --fsync $policy"
    start "kill-$policy" $opts || continue
    echo "$port" > "$d/port"
    $client send "$port" "$tmp/kill.txt" "$d/acked" --clients 8 --group 500 --retry-until 120 --port-file "$d/port" \
        > "$d/client.out" 2>&1 &
    cpid=$!
    n=$((kills / 2))
    i=0
    while [ $i -lt $n ]; do
        sleep "$(awk -v s="$i$policy" 'BEGIN { srand(length(s) * 7919 + s); printf "%.2f", 0.15 + rand() * 0.5 }')"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        start "kill-$policy" $opts --resume || break
        echo "$port" > "$d/port"
        i=$((i + 1))
    done
    wait "$cpid" || bad "kill $policy: producers not all acknowledged: $(tail -3 "$d/client.out")"
    stop
    [ "$status" = 0 ] || bad "kill $policy: serve exited $status: $(tail -3 "$tmp/kill-$policy.err")"
    if [ "$(sections stream cc degree < "$tmp/kill-$policy.out")" = "$(sections stream cc degree < "$tmp/kill.file")" ]; then ok
    else bad "kill $policy: after $i kills the answers differ from a run over the input (lost or doubled edges)"; fi
    dups=$(awk '{print $1, $2}' "$d/acked" | sort | uniq -d | wc -l)
    sum=$(awk '{n += $3} END {print n}' "$d/acked")
    [ "$dups" = 0 ] && [ "$sum" = "$total" ] && ok || bad "kill $policy: acknowledged $sum of $total edges, $dups twice"
    "$es" wal-dump "$d/wal" | "$es" run --ops cc,degree,tri --format json - > "$d/run"
    if [ "$(sections stream cc degree tri < "$tmp/kill-$policy.out")" = "$(sections stream cc degree tri < "$d/run")" ]; then ok
    else bad "kill $policy: the answers differ from a run over the WAL"; fi
done

# ---- queries while ingesting ----------------------------------------------------------------
if start query --wal "$tmp/q.wal" --snapshot-dir "$tmp/q.snap" --ops cc,degree --batch 500; then
    $client send "$port" "$tmp/kill.txt" "$tmp/q.log" --clients 2 --group 200 > /dev/null 2>&1 &
    cpid=$!
    sleep 0.3
    $client query "$port" "DEGREE 1" "SAME 1 2" "DEGREE 7" "SAME 3 4000" > "$tmp/q.answers"
    wait "$cpid"
    $client query "$port" SNAPSHOT > "$tmp/q.snapshot"
    stop
    "$es" wal-dump "$tmp/q.wal" > "$tmp/q.dump"
    if $py - "$tmp/q.answers" "$tmp/q.dump" <<'EOF'
import json, sys
dump = [tuple(map(int, l.split()[:2])) for l in open(sys.argv[2])]
for line in open(sys.argv[1]):
    a = json.loads(line)
    prefix = dump[:a["edges"]]
    parent = {}
    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x
    nbrs = {}
    for u, v in prefix:
        parent[find(u)] = find(v)
        if u != v:
            nbrs.setdefault(u, set()).add(v); nbrs.setdefault(v, set()).add(u)
    if "degree" in a and a["degree"] != len(nbrs.get(a["vertex"], ())):
        sys.exit("DEGREE %d: %d, the prefix of %d edges says %d" % (a["vertex"], a["degree"], a["edges"], len(nbrs.get(a["vertex"], ()))))
    if "same" in a:
        seen = lambda x: any(x in e for e in prefix)
        want = a["u"] == a["v"] or (seen(a["u"]) and seen(a["v"]) and find(a["u"]) == find(a["v"]))
        if a["same"] != want:
            sys.exit("SAME %d %d: %s at %d edges" % (a["u"], a["v"], a["same"], a["edges"]))
EOF
    then ok; else bad "queries while ingesting: $(cat "$tmp/q.answers")"; fi
    path=$(sed -n 's/.*"snapshot":"\([^"]*\)".*/\1/p' "$tmp/q.snapshot")
    [ -n "$path" ] && [ -f "$path" ] && ok || bad "SNAPSHOT: $(cat "$tmp/q.snapshot")"
fi

# ---- limits and bad input ---------------------------------------------------------------------
if start limits --wal "$tmp/l.wal" --ops cc,degree --max-bad-per-client 3 --max-clients 50; then
    # Random bytes after one that is neither a digit, a sign, blank nor a
    # comment mark, so the line is always malformed.
    { printf '\377'; head -c 100000 /dev/urandom | tr -d '\n' | head -c 2999; } > "$tmp/garbage"
    printf '\n1 2\n' >> "$tmp/garbage"
    $client raw "$port" "$tmp/garbage" > "$tmp/garbage.out"
    grep -q '^ERR 1: expected' "$tmp/garbage.out" && ok || bad "binary garbage: $(head -c 300 "$tmp/garbage.out")"
    $py -c 'import sys; sys.stdout.write("5 6\n" + "7" * 10000000 + "\n8 9\n")' > "$tmp/long"
    $client raw "$port" "$tmp/long" > "$tmp/long.out"
    grep -q '^ERR 2: expected a line of at most 4096 bytes' "$tmp/long.out" && [ "$(wc -l < "$tmp/long.out")" = 1 ] && ok ||
        bad "10 MB line: $(head -c 300 "$tmp/long.out")"
    printf '10 11\nx y\n12 13\n14 15 -\n' > "$tmp/one-bad"
    $client raw "$port" "$tmp/one-bad" > "$tmp/one-bad.out"
    grep -q '^ERR 2: expected a vertex id, got "x"' "$tmp/one-bad.out" && ok || bad "bad line: $(cat "$tmp/one-bad.out")"
    # A deletion, which serve refuses: logged, it would stop the stream at every resume.
    grep -q '^ERR 4: expected an insertion (serve takes no deletions yet)' "$tmp/one-bad.out" && ok ||
        bad "deletion refused: $(cat "$tmp/one-bad.out")"
    printf 'a\nb\nc\n20 21\n' > "$tmp/three-bad"
    $client raw "$port" "$tmp/three-bad" > "$tmp/three-bad.out"
    grep -q 'ERR 3 bad lines: closing' "$tmp/three-bad.out" && ok || bad "--max-bad-per-client: $(cat "$tmp/three-bad.out")"
    printf '30 31\n32 3' > "$tmp/partial"
    $client raw "$port" "$tmp/partial" > /dev/null
    # 1000 connections at once against --max-clients 50, and a slowloris beside a fast client.
    $py - "$port" > "$tmp/many.out" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(200):
    socks.append(socket.create_connection(("127.0.0.1", port)))
refused = 0
time.sleep(1)   # the server accepts them all meanwhile
for s in socks:
    s.settimeout(0.05)
    try:
        if s.recv(100).startswith(b"ERR too many clients"):
            refused += 1
    except OSError:
        pass
for s in socks:
    s.close()
print("refused", refused)
time.sleep(1)   # the server sees the 50 closes
slow = socket.create_connection(("127.0.0.1", port))
t0 = time.time()
for b in b"40 4":
    slow.send(bytes([b]))
    time.sleep(0.2)
fast = socket.create_connection(("127.0.0.1", port))
t1 = time.time()
fast.sendall(b"41 42\nSTATS\n")
fast.settimeout(5)
reply = fast.makefile("rb").readline()
print("fast answered in %.2f s while the slow client held a line open" % (time.time() - t1), b"stats" in reply)
slow.close()
EOF
    grep -q '^refused 150$' "$tmp/many.out" && ok || bad "--max-clients 50: $(cat "$tmp/many.out")"
    grep -q 'True$' "$tmp/many.out" && ok || bad "slowloris: $(cat "$tmp/many.out")"
    expect "second server on the same WAL" 78 "in use by another server" -- "$es" serve --listen 127.0.0.1:0 --wal "$tmp/l.wal"
    stop
    [ "$status" = 0 ] && ok || bad "SIGTERM: exit $status"
    # What was logged: 1 2 | 5 6, 8 9 | 10 11, 12 13 | 30 31 | 41 42 (40 4 was cut off mid-line; 20 21 after the close).
    "$es" wal-dump "$tmp/l.wal" > "$tmp/l.dump"
    [ "$(tr '\n' ',' < "$tmp/l.dump")" = "1 2,5 6,8 9,10 11,12 13,30 31,41 42," ] && ok ||
        bad "edges logged from bad clients: $(tr '\n' ',' < "$tmp/l.dump")"
fi

# HTTP: the same answers as JSON, and /metrics in the Prometheus text format.
if start http --wal "$tmp/h.wal" --ops cc,degree --http 127.0.0.1:0; then
    hport=$(sed -n 's/.*HTTP on port \([0-9]*\).*/\1/p' "$tmp/http.err")
    $client query "$port" '1 2\n2 3\nx\nSYNC' > "$tmp/h.sync"
    $client http-check "$hport" > "$tmp/h.out" 2>&1
    grep -q '^http ok$' "$tmp/h.out" && ok || bad "HTTP: $(tail -5 "$tmp/h.out") (sync: $(cat "$tmp/h.sync"))"
    stop
fi

echo "s3cret" > "$tmp/token"
if start auth --wal "$tmp/a.wal" --token "$tmp/token"; then
    $client query "$port" "AUTH wrong" > "$tmp/auth.out" 2>&1
    grep -q '^ERR authentication required' "$tmp/auth.out" && ok || bad "wrong token: $(cat "$tmp/auth.out")"
    $client query "$port" "AUTH s3cret" '1 2\nSYNC' > "$tmp/auth.out" 2>&1
    [ "$(tr '\n' ' ' < "$tmp/auth.out")" = "OK OK 40 " ] && ok || bad "right token: $(cat "$tmp/auth.out")"
    stop
fi
expect "non-loopback without --token" 64 "is not a loopback address" -- "$es" serve --listen 0.0.0.0:0 --wal "$tmp/x.wal"
if start insecure --wal "$tmp/i.wal" --listen 0.0.0.0:0 --insecure; then stop; [ "$status" = 0 ] && ok || bad "--insecure: $status"; fi
if $py -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
    if start ipv6 --wal "$tmp/6.wal" --listen '[::1]:0'; then
        $py -c 'import socket,sys; s=socket.create_connection(("::1", int(sys.argv[1]))); s.sendall(b"1 2\nSYNC\n"); print(s.makefile().readline().strip())' "$port" > "$tmp/6.out"
        grep -q '^OK ' "$tmp/6.out" && ok || bad "IPv6: $(cat "$tmp/6.out")"
        stop
    fi
else
    echo "test_serve: no IPv6 loopback here: IPv6 not tested"
fi

# A torn tail: half a record at the end of the WAL is cut and reported; what came before stays.
if start torn --wal "$tmp/t.wal" --ops cc,degree --format json; then
    printf '1 2\n2 3\n' > "$tmp/t.edges"
    $client send "$port" "$tmp/t.edges" "$tmp/t.log" --group 10 > /dev/null
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    expect "another run's WAL without --resume" 78 "holds the edges of another run" -- "$es" serve --listen 127.0.0.1:0 --wal "$tmp/t.wal"
    seg=$(ls "$tmp"/t.wal/seg-*.wal)
    printf '\100\0\0\0\1\2\3\4partial' >> "$seg"   # a header promising 64 bytes, and 7
    if start torn2 --wal "$tmp/t.wal" --ops cc,degree --format json --resume; then
        grep -q 'cut a torn record (15 bytes)' "$tmp/torn2.err" && ok || bad "torn tail: $(cat "$tmp/torn2.err")"
        stop
        [ "$(sections stream < "$tmp/torn2.out")" = 'stream {"bad_lines": 0, "edges": 2, "vertices": 3}' ] && ok ||
            bad "torn tail: $(cat "$tmp/torn2.out")"
    fi
fi

echo "test_serve: $pass passed, $fail failed"
[ "$fail" = 0 ]
