#!/bin/sh
# test_redis.sh — a Redis stream as a source (README "Redis Streams as a
# source"), against a real redis-server started on a free loopback port in
# a scratch directory (skipped, saying so, when redis-server or redis-cli
# is not installed): the answers over a stream's entries equal those of a
# file run over the same edge lines (entries of one and of several fields,
# comments); a run killed (SIGKILL) mid-stream and resumed from its
# snapshots ends with those answers too, and a resume after the stream was
# trimmed past the snapshot's entry is refused (78); --follow reads entries
# added while it runs and stops on SIGTERM with the final report (143);
# a bad value names the entry (65); an unreachable server is 66; a bad URL
# is 64.  `serve --source` follows a stream while entries are added,
# answers queries, refuses edge lines over TCP, is killed (SIGKILL) and
# resumed, and ends on SIGTERM (0) with the file run's answers.
# Usage: tests/test_redis.sh path/to/edgestream
es=${1:-build/edgestream}
if ! command -v redis-server > /dev/null || ! command -v redis-cli > /dev/null; then
    echo "test_redis: skipped: redis-server or redis-cli is not installed (make deps installs them)"
    exit 0
fi
tmp=$(mktemp -d)
. "$(dirname "$0")/lib.sh"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --save '' --appendonly no --daemonize no \
    > "$tmp/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2> /dev/null; wait $rpid 2> /dev/null; rm -rf "$tmp"' EXIT
cli() { redis-cli -p "$port" "$@"; }
i=0
while [ "$(cli ping 2> /dev/null)" != PONG ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "test_redis: redis-server did not start: $(cat "$tmp/redis.log")"; exit 1; fi
    sleep 0.05
done
url=redis://127.0.0.1:$port

# The edges: R-MAT scale 14, as XADD commands in Redis's protocol (for
# --pipe): mostly one field an entry, every 7th entry two fields, a comment
# field now and then.
"$es" gen rmat --scale 14 --seed 5 > "$tmp/edges.txt"
awk 'function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
     { lines[NR] = $0 }
     END {
       for (i = 1; i <= NR; ) {
         if (i % 7 == 0 && i < NR) { printf "*7\r\n%s%s%s%s%s%s%s", bulk("XADD"), bulk("edges"), bulk("*"), bulk("a"), bulk(lines[i]), bulk("b"), bulk(lines[i+1]); i += 2 }
         else if (i % 1000 == 0) { printf "*7\r\n%s%s%s%s%s%s%s", bulk("XADD"), bulk("edges"), bulk("*"), bulk("c"), bulk("# a comment"), bulk("e"), bulk(lines[i]); i++ }
         else { printf "*5\r\n%s%s%s%s%s", bulk("XADD"), bulk("edges"), bulk("*"), bulk("e"), bulk(lines[i]); i++ }
       }
     }' "$tmp/edges.txt" > "$tmp/xadd.resp"
cli --pipe < "$tmp/xadd.resp" > /dev/null
ops=cc,degree,tri,tri-est:m=2000,hll
"$es" run --ops $ops --format tsv --quiet "$tmp/edges.txt" > "$tmp/file.tsv"

# 1. The whole stream, as the file.
expect "redis run" 0 "" -- "$es" run --ops $ops --format tsv --quiet --source "$url/edges"
if cmp -s "$tmp/out" "$tmp/file.tsv"; then ok; else bad "redis run: answers differ from the file's"; fi
# and batches of 1 edge (entries of two fields split between batches)
expect "redis run, batch 1" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet --batch 1 --source "$url/edges"
"$es" run --ops cc,degree --format tsv --quiet "$tmp/edges.txt" > "$tmp/file2.tsv"
if cmp -s "$tmp/out" "$tmp/file2.tsv"; then ok; else bad "redis run --batch 1: answers differ from the file's"; fi

# 2. Killed mid-stream (SIGKILL), resumed, killed again, resumed: the
# answers of the file run.  Small batches and snapshots keep the run slow
# enough to be killed while it reads.
snaps="$tmp/snaps"
run_snap() { "$es" run --ops $ops --format tsv --quiet --batch 500 --snapshot-dir "$snaps" --snapshot-every 2000 --snapshot-wait "$@" --source "$url/edges"; }
kills=0
for round in 1 2; do
    if [ $round = 1 ]; then run_snap > /dev/null 2>&1 & else run_snap --resume > /dev/null 2>&1 & fi
    pid=$!
    sleep 0.7
    if kill -9 $pid 2> /dev/null; then kills=$((kills + 1)); fi
    wait $pid 2> /dev/null
done
run_snap --resume > "$tmp/resumed.tsv" 2> "$tmp/resumed.err"
st=$?
if [ $st = 0 ] && cmp -s "$tmp/resumed.tsv" "$tmp/file.tsv"; then ok
else bad "redis: killed $kills times and resumed: status $st, answers differ ($(head -c 300 "$tmp/resumed.err"))"; fi
[ $kills -gt 0 ] || echo "test_redis: note: the run ended before it could be killed; the resume was from its final snapshot"
# The position is the entry id.
newest=$(ls "$snaps"/snap-*.h5 | tail -1)
if h5dump -a /source_kind "$newest" 2> /dev/null | grep -q '"redis"'; then ok; else bad "redis: source_kind is not \"redis\""; fi

# 3. A trimmed stream cannot be resumed exactly once: refused.
rm -rf "$snaps"
"$es" run --ops cc --quiet --batch 1000 --snapshot-dir "$snaps" --snapshot-every 1000 --source "$url/edges" > /dev/null
cli XADD edges '*' e "1 2" > /dev/null
cli XTRIM edges MAXLEN 1 > /dev/null
expect "redis trimmed" 78 "no longer in the stream" -- "$es" run --ops cc --quiet --snapshot-dir "$snaps" --resume --source "$url/edges"

# 4. --follow: entries added while it runs are read; SIGTERM ends it with
# the final report of what was read, status 143.
cli DEL live > /dev/null
env --default-signal=INT "$es" run --ops cc --format tsv --follow --source "$url/live" > "$tmp/follow.out" 2> "$tmp/follow.err" &
pid=$!
wait_handler $pid 15
sleep 0.3
cli XADD live '*' e "1 2" > /dev/null
cli XADD live '*' e "2 3" f "9 10" > /dev/null
sleep 0.5
kill -TERM $pid
wait $pid
st=$?
if [ $st = 143 ] && grep -q "^stream	edges	3$" "$tmp/follow.out" && grep -q "^cc	components	2$" "$tmp/follow.out"; then ok
else bad "redis --follow: status $st, stdout '$(cat "$tmp/follow.out")', stderr '$(cat "$tmp/follow.err")'"; fi

# 5. serve --source: the stream "edges2" gets its entries in 8 parts while
# a server follows it; the server is killed once and resumed from its
# snapshots; once a query says every edge is folded, SIGTERM (0): the final
# answers are the file run's.
srv_start() {   # NAME ARGS: sets $spid, $sport
    sname=$1; shift
    : > "$tmp/$sname.err"
    "$es" serve --listen 127.0.0.1:0 --source "$url/edges2" --ops cc,degree --format json --batch 500 \
        --snapshot-dir "$tmp/ssnaps" --snapshot-every 2000 "$@" > "$tmp/$sname.out" 2> "$tmp/$sname.err" &
    spid=$!
    sport=
    for _ in $(seq 600); do
        sport=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/$sname.err")
        [ -n "$sport" ] && break
        kill -0 $spid 2> /dev/null || break
        sleep 0.05
    done
}
sq() { /usr/bin/python3 "$(dirname "$0")/serve_client.py" query "$sport" "$@"; }
total=$(wc -l < "$tmp/edges.txt")
split -n l/8 "$tmp/edges.txt" "$tmp/part."
srv_start serve1
( for f in "$tmp"/part.*; do
      awk 'function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
           { printf "*5\r\n%s%s%s%s%s", bulk("XADD"), bulk("edges2"), bulk("*"), bulk("e"), bulk($0) }' "$f" |
          cli --pipe > /dev/null
      sleep 0.2
  done ) &
apid=$!
sleep 0.6
sq "1 2" STATS > "$tmp/serve.q" 2>&1
kill -9 $spid 2> /dev/null
wait $spid 2> /dev/null
srv_start serve2 --resume
wait $apid
edges=0
for _ in $(seq 300); do   # until a query answers at the stream's end (60 s at most)
    edges=$(sq STATS | sed -n 's/^{"position":[0-9]*,"edges":\([0-9]*\),.*/\1/p')
    [ "$edges" = "$total" ] && break
    sleep 0.2
done
kill -TERM $spid
wait $spid
st=$?
grep -q '^ERR 1: expected a query' "$tmp/serve.q" && grep -q '"stats":' "$tmp/serve.q" && ok ||
    bad "serve --source: an edge line and a query: $(cat "$tmp/serve.q")"
grep -q 'resuming from' "$tmp/serve2.err" && ok || bad "serve --source: no resume: $(cat "$tmp/serve2.err")"
"$es" run --ops cc,degree --format json --quiet "$tmp/edges.txt" > "$tmp/file.json"
sect() { /usr/bin/python3 -c 'import json,sys
r=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(json.dumps(r["operators"], sort_keys=True), r["edges"])'; }
if [ $st = 0 ] && [ "$edges" = "$total" ] && [ "$(sect < "$tmp/serve2.out")" = "$(sect < "$tmp/file.json")" ]; then ok
else bad "serve --source, killed and resumed: status $st, $edges of $total edges, answers $(sect < "$tmp/serve2.out" | head -c 200)"; fi
expect "serve --source and --wal" 64 "give no --wal" -- "$es" serve --source "$url/edges2" --wal "$tmp/w"

# 6. Faults.
cli XADD badstream 1-1 e "1 2" > /dev/null
cli XADD badstream 1-2 e "3 x" > /dev/null
expect "redis bad value" 65 "$url/badstream entry 1-2: expected" -- "$es" run --quiet --source "$url/badstream"
expect "redis skip bad" 0 "skipped 1 bad line" -- "$es" run --skip-bad=1 --source "$url/badstream"
expect "redis down" 66 "cannot connect" -- "$es" run --quiet --source "redis://127.0.0.1:1/edges"
expect "redis bad url" 64 "redis://HOST[:PORT]/STREAM" -- "$es" run --quiet --source "redis://127.0.0.1:99999/x"
expect "redis and files" 64 "" -- "$es" run --quiet --source "$url/edges" "$tmp/edges.txt"

echo "test_redis: $pass passed, $fail failed"
[ $fail = 0 ]
