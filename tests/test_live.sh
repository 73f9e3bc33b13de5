#!/bin/sh
# test_live.sh — live streams through `edgestream run` (README "Live
# input, signals and exit statuses"): reports on a slow pipe arrive while
# it trickles, not at its end; reports sliced from large batches equal
# those of one-edge batches; `| head -3` ends the run at once, quietly,
# status 0; SIGINT and SIGTERM print the final report of what was read,
# take the final snapshot and exit 130 and 143, and the snapshot resumes
# to an uninterrupted run's answers, also when the run still waits for
# its FIFO's first writer; --linger's bad values are refused.
# Usage: tests/test_live.sh path/to/edgestream
es=${1:-build/edgestream}
tmp=$(mktemp -d)
# Background runs are killed however the script ends (a run blocked on a
# FIFO would otherwise outlive a failed test).
pids=
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
now_ms() { date +%s%3N; }

# 1. A trickle: 20 edges, 0.1 s apart.  The producer notes when it wrote
# edges 5, 10 and 15; each report (one json line) is stamped as it
# arrives.  It must come within 0.6 s (linger 0.1 s, and a shared machine),
# where buffering to the end would hold the first one back 1.5 s.
(
    for i in $(seq 20); do
        echo "$i $((i + 1))"
        case $i in 5|10|15) echo "$i $(now_ms)" >> "$tmp/wrote" ;; esac
        sleep 0.1
    done
) | "$es" run --ops cc --format json --report-every 5 --quiet - |
    while IFS= read -r line; do echo "$(now_ms) $line"; done > "$tmp/reports"
n=$(wc -l < "$tmp/reports")
# (no interim report at 20: the stream ends there, and the final report is that one)
if [ "$n" = 4 ]; then ok; else bad "trickle: $n reports, wanted 4 (at 5, 10, 15, and the final one at 20)"; fi
for k in 5 10 15; do
    wrote=$(awk -v k=$k '$1 == k { print $2 }' "$tmp/wrote")
    got=$(grep "\"edges\":$k," "$tmp/reports" | awk '{ print $1 }')
    if [ -n "$got" ] && [ $((got - wrote)) -lt 600 ]; then ok
    else bad "trickle: the report at $k edges came $((got - wrote)) ms after its edge (wanted < 600)"; fi
done

# 2. Reports sliced out of large batches are those of one-edge batches,
# for every operator.
ops=cc,degree,bipartite,tri,tri-est:m=30,hll,cm,topk,spanner
"$es" gen famous Zachary > "$tmp/z.txt"
"$es" run --ops $ops --format tsv --quiet --report-every 7 --batch 1 "$tmp/z.txt" > "$tmp/b1"
"$es" run --ops $ops --format tsv --quiet --report-every 7 "$tmp/z.txt" > "$tmp/bbig"
"$es" run --ops $ops --format tsv --quiet --report-every 7 - < "$tmp/z.txt" > "$tmp/bstdin"
if [ "$(grep -c '^stream	edges' "$tmp/b1")" = 12 ] && cmp -s "$tmp/b1" "$tmp/bbig" && cmp -s "$tmp/b1" "$tmp/bstdin"; then ok
else bad "reports at --batch 1 and in sliced batches differ"; fi

# 3. | head -3: a closed stdout ends the run at once, quietly, status 0
# (an endless generator would otherwise run 2^20 edges of reports).
"$es" gen rmat --scale 18 --seed 3 > "$tmp/big.txt"
start=$(now_ms)
{ "$es" run --ops cc,degree --format json --report-every 10 "$tmp/big.txt" 2> "$tmp/head.err"; echo $? > "$tmp/head.st"; } | head -3 > "$tmp/head.out"
took=$(( $(now_ms) - start ))
if [ "$(cat "$tmp/head.st")" = 0 ] && [ ! -s "$tmp/head.err" ] && [ "$(wc -l < "$tmp/head.out")" = 3 ]; then ok
else bad "| head -3: status $(cat "$tmp/head.st"), stderr '$(head -c 300 "$tmp/head.err")'"; fi
if [ $took -lt 60000 ]; then ok; else bad "| head -3 took $took ms"; fi
{ "$es" gen rmat --scale 18 --seed 3 | "$es" run --format tsv --report-every 1 - 2> "$tmp/head.err"; echo $? > "$tmp/head.st"; } | head -3 > /dev/null
if [ "$(cat "$tmp/head.st")" = 0 ] && [ ! -s "$tmp/head.err" ]; then ok
else bad "pipe | head -3: status $(cat "$tmp/head.st"), stderr '$(head -c 300 "$tmp/head.err")'"; fi

# 4. SIGINT on a pipe (a FIFO) that has sent 3 edges and then waits: the final
# report of those 3, status 130, at once.  (A background job of a script
# starts with SIGINT ignored; env --default-signal gives it back.)
mkfifo "$tmp/fifo"
sigrun() {  # SIG EXPECTED_STATUS SIGNUM
    env --default-signal=INT "$es" run --ops cc --format tsv "$tmp/fifo" > "$tmp/sig.out" 2> "$tmp/sig.err" &
    pid=$!
    pids="$pids $pid"
    exec 3> "$tmp/fifo"
    printf '1 2\n2 3\n7 8\n' >&3
    wait_handler $pid $3
    sleep 0.5
    start=$(now_ms)
    kill -$1 $pid
    wait $pid
    st=$?
    took=$(( $(now_ms) - start ))
    exec 3>&-
    if [ $st = $2 ] && grep -q "^stream	edges	3$" "$tmp/sig.out" && grep -q "^cc	components	2$" "$tmp/sig.out" &&
       grep -q "stopped by SIG$1 after 3 edges" "$tmp/sig.err" && [ $took -lt 10000 ]; then ok
    else bad "SIG$1 on a pipe: status $st, $took ms, stdout '$(cat "$tmp/sig.out")', stderr '$(cat "$tmp/sig.err")'"; fi
}
sigrun INT 130 2
sigrun TERM 143 15

# A FIFO no writer has opened yet: the run waits for one, and SIGTERM still
# ends it at once (the final report of 0 edges, 143).
"$es" run --ops cc --format tsv "$tmp/fifo" > "$tmp/nowriter.out" 2> "$tmp/nowriter.err" &
pid=$!
pids="$pids $pid"
wait_handler $pid 15
sleep 0.5
start=$(now_ms)
kill -TERM $pid
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -0 $pid 2>/dev/null && kill -9 $pid
wait $pid
st=$?
took=$(( $(now_ms) - start ))
if [ $st = 143 ] && grep -q "^stream	edges	0$" "$tmp/nowriter.out" && [ $took -lt 5000 ]; then ok
else bad "SIGTERM before the FIFO's first writer: status $st after $took ms, stdout '$(cat "$tmp/nowriter.out")', stderr '$(cat "$tmp/nowriter.err")'"; fi

# 5. SIGTERM during a run with snapshots: exit 143, the final snapshot
# holds the edges of the final report, and --resume ends with the answers
# of an uninterrupted run.
# The signal comes at half the time an uninterrupted run takes on the
# machine at hand; a run that ends before it starts again, signalled at
# half that delay, so the case is checked on any machine.
start=$(now_ms)
"$es" run --ops cc,degree,tri --format tsv --quiet "$tmp/big.txt" > "$tmp/full"
delay=$(( ($(now_ms) - start) / 2 ))
st=0
for attempt in 1 2 3 4 5 6; do
    rm -rf "$tmp/snaps"
    "$es" run --ops cc,degree,tri --format tsv --quiet --batch 20000 --snapshot-dir "$tmp/snaps" "$tmp/big.txt" > "$tmp/part" 2> "$tmp/part.err" &
    pid=$!
    pids="$pids $pid"
    wait_handler $pid 15
    sleep "$(awk -v ms=$delay 'BEGIN { print ms / 1000 }')"
    kill -TERM $pid 2>/dev/null
    wait $pid
    st=$?
    [ $st = 0 ] || break
    delay=$(( delay / 2 ))
done
if [ $st = 0 ]; then
    bad "SIGTERM with snapshots: six runs ended before the signal, the last signalled after $((delay * 2)) ms"
elif [ $st = 143 ]; then
    edges=$(awk -F'\t' '$1 == "stream" && $2 == "edges" { print $3 }' "$tmp/part")
    newest=$(ls "$tmp/snaps"/snap-*.h5 | tail -1)
    consumed=$("$es" inspect --format tsv "$newest" | awk -F'\t' '$1 == "edges_consumed" || $2 == "edges_consumed" { print $NF }' | head -1)
    if [ -n "$edges" ] && [ "$edges" = "$consumed" ]; then ok
    else bad "SIGTERM with snapshots: final report at '$edges' edges, newest snapshot at '$consumed'"; fi
    "$es" run --ops cc,degree,tri --format tsv --quiet --batch 20000 --snapshot-dir "$tmp/snaps" --resume "$tmp/big.txt" > "$tmp/resumed"
    if cmp -s "$tmp/full" "$tmp/resumed"; then ok; else bad "SIGTERM then --resume: answers differ from an uninterrupted run"; fi
else
    bad "SIGTERM with snapshots: status $st, stderr '$(head -c 300 "$tmp/part.err")'"
fi

# 6. --linger's values.
expect "linger ok" 0 "" -- "$es" run --quiet --linger 0.5s "$tmp/z.txt"
expect "linger ms" 0 "" -- "$es" run --quiet --linger 20ms "$tmp/z.txt"
expect "linger bad" 64 "--linger must be a duration" -- "$es" run --quiet --linger soon "$tmp/z.txt"
expect "linger negative" 64 "--linger must be a duration" -- "$es" run --quiet --linger -5 "$tmp/z.txt"

echo "test_live: $pass passed, $fail failed"
[ $fail = 0 ]
