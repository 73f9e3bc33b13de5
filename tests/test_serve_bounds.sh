#!/bin/sh
# test_serve_bounds.sh EDGESTREAM — what bounds `edgestream serve`'s disk
# and memory, and the COMPONENT query (docs/serve.md):
#   - WAL retention: with small segments and --keep 2, the segments wholly
#     before the oldest kept snapshot's position are deleted, the one
#     holding it is kept, and a resume over what is left gives the answers
#     of a run over the input;
#   - COMPONENT while ingesting names a vertex of v's component in the WAL
#     prefix the answer reflects (null for an unseen vertex); at the end the
#     answers over every vertex split them as a file run's cc does;
#   - --max-lag: 4 producers sending as fast as they can never put the WAL
#     more than --max-lag (plus one read per client) ahead of the operators;
#   - --max-client-buffer: a client that sends an endless group, or queries
#     without reading the replies, is closed, and the server's peak RSS
#     (VmHWM) grows by a few buffers, not by what was sent;
#   - an idle server takes no timed snapshot of 0 edges; TOPK answers the
#     topk operator's metrics; a trickle over a socket reaches the reports
#     within about the linger (bench/live_lag.py --serve);
#   - 1000 connections opened at once are all served (edges acknowledged).
# Free ports only (port 0, read back from stderr); scratch in mktemp -d.
# Prints "N passed, N failed"; exits non-zero on any failure.
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
tmp=$(mktemp -d)
py=/usr/bin/python3
client="$py $(dirname "$0")/serve_client.py"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

# A sanitizer build holds freed memory in quarantine (256 MiB by default):
# keep it small, or the peak RSS below measures ASan, not the server.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

"$es" gen rmat --scale 14 --edge-factor 10 --seed 3 > "$tmp/e.txt"
total=$(wc -l < "$tmp/e.txt")
"$es" run --ops cc,degree --format json "$tmp/e.txt" > "$tmp/e.file"

# ---- WAL retention ------------------------------------------------------------------------
# 2.6 MB of WAL in 64 KiB segments; snapshots every 20 000 edges, 2 kept.
opts="--wal $tmp/r.wal --wal-segment 65536 --snapshot-dir $tmp/r.snap --snapshot-every 20000 --keep 2 --ops cc,degree --format json"
if start retain $opts; then
    $client send "$port" "$tmp/e.txt" "$tmp/r.log" --group 2000 || bad "retention: not every group was acknowledged"
    stop
    # The resumed server trims at its first barrier, knowing every kept snapshot.
    if start retain2 $opts --resume; then
        $client query "$port" STATS > /dev/null
        low=
        for f in "$tmp"/r.snap/snap-*.h5; do
            off=$("$es" inspect --format tsv "$f" | awk -F'\t' '$2 == "source_offset" { print $3 }')
            [ -z "$low" ] || [ "$off" -lt "$low" ] && low=$off
        done
        segs=$(ls "$tmp/r.wal" | sed -n 's/^seg-0*\([0-9][0-9]*\)\.wal$/\1/p' | sort -n)
        first=$(echo "$segs" | head -n 1)
        second=$(echo "$segs" | sed -n 2p)
        # Kept: the segment holding the oldest snapshot's position; gone: every one before it.
        if [ -n "$low" ] && [ "${first:-0}" -le "$low" ] && { [ -z "$second" ] || [ "$second" -gt "$low" ]; } &&
           [ "${first:-0}" -gt 0 ]; then ok
        else bad "retention: oldest kept snapshot at $low, segments start at $(echo $segs | cut -d' ' -f1-3)..."; fi
        stop
        [ "$(sections stream cc degree < "$tmp/retain2.out")" = "$(sections stream cc degree < "$tmp/e.file")" ] && ok ||
            bad "retention: the resumed answers differ from a run over the input"
    fi
fi

# ---- COMPONENT against the WAL's prefix and a file run ----------------------------------------
if start comp --wal "$tmp/c.wal" --ops cc --batch 500; then
    $client send "$port" "$tmp/e.txt" "$tmp/c.log" --clients 2 --group 300 > /dev/null 2>&1 &
    cpid=$!
    sleep 0.3
    $client query "$port" "COMPONENT 1" "COMPONENT 2" "COMPONENT 77" "COMPONENT 4000" "COMPONENT 99999999" > "$tmp/c.live"
    wait "$cpid"
    cut -d' ' -f1,2 "$tmp/e.txt" | tr ' ' '\n' | sort -un | sed 's/^/COMPONENT /' > "$tmp/c.all"
    $py - "$port" "$tmp/c.all" > "$tmp/c.end" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
qs = open(sys.argv[2]).read().splitlines()
s.sendall(("\n".join(qs) + "\n").encode())
f = s.makefile("rb")
for _ in qs:
    sys.stdout.write(f.readline().decode())
EOF
    stop
    "$es" wal-dump "$tmp/c.wal" > "$tmp/c.dump"
    comps=$(sections cc < "$tmp/e.file" | sed 's/.*"components": \([0-9]*\).*/\1/')
    if $py - "$tmp/c.live" "$tmp/c.end" "$tmp/c.dump" "$comps" <<'EOF'
import json, sys
dump = [tuple(map(int, l.split()[:2])) for l in open(sys.argv[3])]
def partition(prefix):
    parent = {}
    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x
    for u, v in prefix:
        parent.setdefault(u, u); parent.setdefault(v, v)
        parent[find(u)] = find(v)
    return parent, find
def check(a, parent, find):
    v, c = a["vertex"], a["component"]
    if v not in parent:
        if c is not None:
            sys.exit("COMPONENT %d: %s, but the prefix of %d edges has no such vertex" % (v, c, a["edges"]))
    elif c is None or c not in parent or find(c) != find(v):
        sys.exit("COMPONENT %d: %s is not in its component at %d edges" % (v, c, a["edges"]))
live = [json.loads(l) for l in open(sys.argv[1])]
for a in live:
    check(a, *partition(dump[:a["edges"]]))
end = [json.loads(l) for l in open(sys.argv[2])]
parent, find = partition(dump)
if any(a["edges"] != len(dump) for a in end):
    sys.exit("COMPONENT after the stream: not every answer covers the %d edges" % len(dump))
for a in end:
    check(a, parent, find)
reps = {}
for a in end:   # one representative per component, as many components as the file run's cc
    reps.setdefault(find(a["vertex"]), set()).add(a["component"])
if any(len(r) != 1 for r in reps.values()) or len(reps) != int(sys.argv[4]):
    sys.exit("COMPONENT: %d components, the file run says %s" % (len(reps), sys.argv[4]))
EOF
    then ok; else bad "COMPONENT: $(head -3 "$tmp/c.live")"; fi
fi

# ---- --max-lag: the WAL's lead over the operators ------------------------------------------
"$es" gen rmat --scale 16 --edge-factor 16 --seed 5 > "$tmp/lag.txt"
if start lag --wal "$tmp/lag.wal" --ops cc,degree,tri --max-lag 65536 --http 127.0.0.1:0 --format json; then
    $client lag "$port" "$hport" "$tmp/lag.txt" 4 > "$tmp/lag.res"
    stop
    worst=$(sed -n 's/^max_lag //p' "$tmp/lag.res")
    # A client's read (64 KiB of short lines) is one record of up to 256 KiB past the check.
    [ -n "$worst" ] && [ "$worst" -le $((65536 + 4 * 300000)) ] && ok ||
        bad "--max-lag 65536: the WAL led the operators by '$worst' bytes"
    edges=$(sections stream < "$tmp/lag.out" | sed 's/.*"edges": \([0-9]*\).*/\1/')
    [ "$edges" = "$(wc -l < "$tmp/lag.txt")" ] && ok || bad "--max-lag: $edges edges counted of $(wc -l < "$tmp/lag.txt")"
fi
rm -f "$tmp/lag.txt"

# ---- --max-client-buffer: a client that sends without reading ------------------------------
if start hog --wal "$tmp/h.wal" --ops cc,degree --max-client-buffer 1048576; then
    $client query "$port" '1 2\n2 3\nSYNC' STATS > /dev/null   # the pipeline's buffers touched
    sleep 0.5
    before=$(hwm "$pid")
    $client hog "$port" group 4000000 > "$tmp/hog.group"
    $client hog "$port" queries 2000000 > "$tmp/hog.queries"
    after=$(hwm "$pid")
    $client query "$port" STATS > "$tmp/hog.stats"
    stop
    grep -q "first 'ERR .*a group of more than 1048576 bytes: closing'" "$tmp/hog.group" && ok ||
        bad "endless group: $(cat "$tmp/hog.group")"
    # Closed while it was still sending: its sends failed before the 2 000 000th query.
    sent=$(sed -n 's/^sent \([0-9]*\),.*/\1/p' "$tmp/hog.queries")
    [ -n "$sent" ] && [ "$sent" -lt 2000000 ] && ok || bad "queries not read: $(cat "$tmp/hog.queries")"
    # 64 MB of group and 50 MB of replies were offered; a few 1 MiB buffers may be held
    # (twice as much under ASan: its redzones, and its allocator's own chunks, were seen to
    # reach 18 MiB under load).
    limit=16384
    case $(ldd "$es" 2>/dev/null) in *libasan*) limit=32768 ;; esac
    [ -n "$before" ] && [ $((after - before)) -lt "$limit" ] && ok ||
        bad "--max-client-buffer 1 MiB: peak RSS grew from $before to $after KiB"
    grep -q '"edges":2,' "$tmp/hog.stats" && ok || bad "after the hogs: $(cat "$tmp/hog.stats")"
fi

# ---- an idle server, TOPK, a trickle --------------------------------------------------------
# No timed snapshot of nothing while idle; TOPK answers the topk operator's
# own metrics beside the position; a trickle over a socket reaches the
# reports within about the linger (100 ms), not when a batch fills.
if start idle --wal "$tmp/i.wal" --snapshot-dir "$tmp/i.snap" --snapshot-every 1s --ops cc,topk; then
    sleep 1.6
    [ -z "$(ls "$tmp/i.snap" 2>/dev/null | grep snap-)" ] && ok || bad "idle: snapshots of 0 edges: $(ls "$tmp/i.snap")"
    $client query "$port" '1 2\n1 3\n4 1\nSYNC' TOPK > "$tmp/i.out"
    stop
    tail -n 1 "$tmp/i.out" | $py -c 'import json,sys
a=json.loads(sys.stdin.read())
assert a["edges"] == 3 and a["top"][0] == [1, 3, 0] and "guaranteed" in a and "operators" not in a, a' && ok ||
        bad "TOPK: $(cat "$tmp/i.out")"
fi
$py "$(dirname "$0")/../bench/live_lag.py" "$es" 100 2 5 --serve > "$tmp/trickle.out"
worst=$(sed -n 's/.*max \([0-9]*\)\..*/\1/p' "$tmp/trickle.out")
[ -n "$worst" ] && [ "$worst" -lt 700 ] && ok || bad "trickle over a socket: $(cat "$tmp/trickle.out")"

# ---- 1000 connections at once ----------------------------------------------------------------
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1100 ]; then
    : > "$tmp/many.err"
    (ulimit -n 1100 2>/dev/null; exec "$es" serve --listen 127.0.0.1:0 --wal "$tmp/m.wal" --ops cc --format json \
        > "$tmp/many.out" 2> "$tmp/many.err") &
    pid=$!
    pids="$pids $pid"
    for _ in $(seq 600); do
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/many.err")
        [ -n "$port" ] && break
        sleep 0.05
    done
    start=$(date +%s)
    timeout 60 $client many "$port" 1000 > "$tmp/many.res"
    took=$(( $(date +%s) - start ))
    stop
    grep -q '^acknowledged 1000 ' "$tmp/many.res" && [ "$took" -lt 60 ] && ok ||
        bad "1000 connections at once: $(cat "$tmp/many.res") ($took s)"
    [ "$(sections stream < "$tmp/many.out")" = 'stream {"bad_lines": 0, "edges": 1000, "vertices": 2000}' ] && ok ||
        bad "1000 connections: $(sections stream < "$tmp/many.out")"
else
    echo "test_serve_bounds: ulimit -n cannot reach 1100 here: 1000 connections not tested"
fi

echo "test_serve_bounds: $pass passed, $fail failed"
[ "$fail" = 0 ]
