#!/bin/sh
# bench/snapshot.sh BUILD — what snapshots cost, on the R-MAT edge list of
# bench/run.sh (scale 20, edge factor 10, seed 1):
#   - overhead: `run` with --snapshot-every 1000000 against the same run
#     without snapshots, run in pairs, for
#     --ops cc,degree,tri-est:m=100000 and for --ops tri (large state), and
#     for --ops spanner on R-MAT scale 16 with a snapshot every 50000
#     edges (spanner runs at about 0.2 M edges/s on scale 20: the smaller
#     graph gives a run of a few seconds with as many snapshots); the
#     overhead is the median over the pairs of each pair's ratio, so a
#     machine whose speed drifts between pairs still compares like with
#     like; wall time and CPU time (user + sys, the writers included).
#     The pairs alternate their order (plain first, then snapshots first):
#     on these VMs a run's speed depends on what ran just before it (how
#     much of the memory it gets was recently used), and a fixed order
#     showed as much as 10 points of bias; nothing else runs between them;
#   - time to resume: `run --resume` from the snapshot at the end of the
#     stream (verify, restore, final report), 3 runs after the pairs;
#   - size: the final snapshot's own file, the log files it refers to
#     (snapshot/logs.h), their sum per million edges, and what one snapshot
#     writes on average (its own file plus its share of the logs).
# Writes bench/RESULTS.md between the snapshot-bench markers.
# Environment: BENCH_REPS (default 15), BENCH_SCALE (default 20),
# BENCH_SPANNER_SCALE (default 16).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
reps=${BENCH_REPS:-15}
scale=${BENCH_SCALE:-20}
sscale=${BENCH_SPANNER_SCALE:-16}
need_time
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rows=""
for job in "cc,degree,tri-est:m=100000 $scale 1000000" "tri $scale 1000000" "spanner $sscale 50000"; do
    set -- $job
    ops=$1 sc=$2 every=$3
    file=$(rmat_input "$sc")
    edges=$(wc -l < "$file")
    key=$(echo "$ops" | tr -c 'a-z0-9\n' '_')
    i=0
    while [ $i -lt "$reps" ]; do
        i=$((i + 1))
        echo "bench: $ops round $i/$reps"
        for which in $(if [ $((i % 2)) = 1 ]; then echo plain snap; else echo snap plain; fi); do
            if [ "$which" = plain ]; then
                timed "plain_$key" "$es" run --ops "$ops" --quiet --format tsv "$file"
            else
                rm -rf "$tmp/snap"
                timed "snap_$key" "$es" run --ops "$ops" --quiet --format tsv --snapshot-dir "$tmp/snap" \
                    --snapshot-every "$every" "$file"
            fi
        done
        cmp -s "$tmp/plain_$key.out" "$tmp/snap_$key.out" || { echo "bench: answers differ with snapshots"; exit 1; }
    done
    for i in 1 2 3; do
        timed "resume_$key" "$es" run --ops "$ops" --quiet --format tsv --snapshot-dir "$tmp/snap" --resume "$file"
        cmp -s "$tmp/plain_$key.out" "$tmp/resume_$key.out" || { echo "bench: answers differ after resume"; exit 1; }
    done
    # pair ratios, wall and CPU (columns 1 and 3 of the times)
    paste "$tmp/snap_$key.times" "$tmp/plain_$key.times" |
        awk '{printf "%.4f %.4f\n", $1 / $4, $3 / $6}' > "$tmp/ratio_$key"
    final=$(ls "$tmp/snap"/snap-*.h5 | sort | tail -n 1)
    taken=$(basename "$final" .h5 | sed 's/snap-0*//')
    own=$(wc -c < "$final")
    # the log files the final snapshot lists (each once)
    logs=$(head -c 4096 "$final" | tr -d '\000' | awk '$1 == "log" {print $3, $4}' | sort -u |
           awk '{s += $2} END {print s + 0}')
    p=$(median "$tmp/plain_$key.times"); s=$(median "$tmp/snap_$key.times"); r=$(median "$tmp/resume_$key.times")
    ow=$(median "$tmp/ratio_$key" 1); oc=$(median "$tmp/ratio_$key" 2)
    lo=$(sort -n "$tmp/ratio_$key" | head -n 1 | cut -d' ' -f1); hi=$(sort -n "$tmp/ratio_$key" | tail -n 1 | cut -d' ' -f1)
    rows="$rows
| \`$ops\` | $sc | $every | $p | $s | **$(awk -v x="$ow" 'BEGIN { printf "%+.1f%%", 100 * (x - 1) }')** ($(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%+.0f%% .. %+.0f%%", 100 * (a - 1), 100 * (b - 1) }')) | $(awk -v x="$oc" 'BEGIN { printf "%+.1f%%", 100 * (x - 1) }') | $taken | $r | $(awk -v b="$own" 'BEGIN{printf "%.1f", b/1048576}') | $(awk -v b="$logs" 'BEGIN{printf "%.1f", b/1048576}') | $(awk -v b="$own" -v l="$logs" -v e="$edges" 'BEGIN { printf "%.1f", (b + l) / 1048576 / (e / 1e6) }') | $(awk -v b="$own" -v l="$logs" -v n="$taken" 'BEGIN { printf "%.1f", (b + l / n) / 1048576 }') |"
done

section=$(cat <<EOT
<!-- snapshot-bench:begin -->
## Snapshots: overhead, resume time, size (R-MAT)

Command: \`make bench\` (bench/snapshot.sh; BENCH_REPS=$reps), $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Input: R-MAT edge lists, edge factor 10, seed 1 (scale 20: 10 M edge lines; scale 16: 655 k).  $reps pairs of runs (without and with snapshots, in alternating order); times are medians,
"overhead" the median of the pairs' wall-time ratios (range in brackets), "CPU" the same for
user + sys time (snapshot writers included).  "snapshots" is the id of the last one: the
periodic ones actually written (a barrier that comes while the previous write is running is
deferred) plus the final one.  "resume" (median of 3, after the pairs) restores from the final snapshot (verify, restore,
report).  Sizes: the final snapshot's own file, the log files it refers to, their sum per
million edges (the whole state), and what one snapshot writes on average.

| --ops | R-MAT scale | --snapshot-every | no snapshots (s) | with snapshots (s) | overhead, wall | overhead, CPU | snapshots | resume (s) | snapshot file (MiB) | log files (MiB) | MiB per million edges | MiB written per snapshot |
|---|---|---|---|---|---|---|---|---|---|---|---|---|$rows
<!-- snapshot-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section snapshot-bench
