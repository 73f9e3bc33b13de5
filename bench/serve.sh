#!/bin/sh
# serve.sh BUILD [EDGES] — `edgestream serve` measured (bench/RESULTS.md):
# ingest rate over loopback with 1 and 16 producers per --fsync policy,
# from the first byte sent until a STATS query (answered once every logged
# edge is folded: read-your-writes) returns, against `run` on the same file;
# the server's peak RSS; SYNC latency alone and beside 8 producers; query
# latency while 16 producers send as fast as they can.
build=${1:-build}
n=${2:-2000000}
es=$build/edgestream
load="/usr/bin/python3 $(dirname "$0")/serve_load.py"
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
src=/tmp/rmat20.txt
[ -f "$src" ] || "$es" gen rmat --scale 20 --seed 1 -o "$src"
head -n "$n" "$src" > "$tmp/edges.txt"
ops=cc,degree

start() {
    rm -rf "$tmp/wal"
    "$es" serve --listen 127.0.0.1:0 --wal "$tmp/wal" --ops $ops "$@" > /dev/null 2> "$tmp/err" &
    pid=$!
    port=
    while [ -z "$port" ]; do sleep 0.05; port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/err"); done
}
stop() { kill -TERM $pid; wait $pid; }

t=$( { /usr/bin/time -f "%e %M" "$es" run --quiet --ops $ops "$tmp/edges.txt" > /dev/null; } 2>&1 | tail -1)
echo "run (file): $n edges: $t (seconds, peak KiB)"
for policy in always batch never; do
    for k in 1 16; do
        start --fsync $policy
        t0=$(date +%s.%N)
        $load blast "$port" "$tmp/edges.txt" "$k" > /dev/null
        /usr/bin/python3 "$(dirname "$0")/../tests/serve_client.py" query "$port" STATS > /dev/null
        t1=$(date +%s.%N)
        rss=$(sed -n 's/VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$pid/status)
        stop
        echo "serve --fsync $policy, $k producer(s): $(echo "$t0 $t1 $n" | awk '{printf "%.2f s, %.2f M edges/s", $2 - $1, $3 / ($2 - $1) / 1e6}'), peak RSS $rss KiB"
    done
    start --fsync $policy
    echo "SYNC latency, --fsync $policy, 100 edges a SYNC, alone: $($load synclat "$port" 300 100)"
    head -n 400000 "$tmp/edges.txt" > "$tmp/some.txt"
    $load blast "$port" "$tmp/some.txt" 8 > /dev/null &
    bp=$!
    echo "SYNC latency, --fsync $policy, beside 8 producers: $($load synclat "$port" 100 100)"
    wait $bp
    stop
done
start --fsync batch
$load blast "$port" "$tmp/edges.txt" 16 > /dev/null &
bp=$!
sleep 0.3
echo "query latency (DEGREE 1) while 16 producers send: $($load querylat "$port" 1.5)"
wait $bp
stop
