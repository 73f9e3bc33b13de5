#!/bin/sh
# bench/snapshot.sh BUILD — what snapshots cost, on the R-MAT edge list of
# bench/run.sh (scale 20, edge factor 10, seed 1):
#   - overhead: `run` with --snapshot-every 1000000 against the same run
#     without snapshots (interleaved, medians), for --ops
#     cc,degree,tri-est:m=100000 and for --ops tri (large state);
#   - time to resume: `run --resume` from the snapshot at the end of the
#     stream (verify + restore + final report);
#   - snapshot size per million edges (the final snapshot).
# Writes bench/RESULTS.md between the snapshot-bench markers.
# Environment: BENCH_REPS (default 3), BENCH_SCALE (default 20).
set -eu
build=${1:-build}
es=$build/edgestream
reps=${BENCH_REPS:-3}
scale=${BENCH_SCALE:-20}
file=$build/bench-data/rmat-s$scale-ef10-seed1.txt
mkdir -p "$build/bench-data"
[ -s "$file" ] || "$es" gen rmat --scale "$scale" --edge-factor 10 --seed 1 -o "$file"
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 69; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# t NAME CMD...: one timed run, seconds appended to $tmp/NAME
t() {
    name=$1; shift
    /usr/bin/time -f "%e" -o "$tmp/t" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || {
        echo "bench: $name failed:"; cat "$tmp/$name.err"; exit 1; }
    cat "$tmp/t" >> "$tmp/$name.times"
}
med() { sort -n "$tmp/$1.times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b > 0 ? a / b : 0 }'; }
edges=$(wc -l < "$file")

rows=""
for ops in "cc,degree,tri-est:m=100000" "tri"; do
    key=$(echo "$ops" | tr -c 'a-z0-9\n' '_')
    i=0
    while [ $i -lt "$reps" ]; do
        i=$((i + 1))
        echo "bench: $ops round $i/$reps"
        t "plain_$key" "$es" run --ops "$ops" --quiet --format tsv "$file"
        rm -rf "$tmp/snap"
        t "snap_$key" "$es" run --ops "$ops" --quiet --format tsv --snapshot-dir "$tmp/snap" --snapshot-every 1000000 "$file"
        cmp -s "$tmp/plain_$key.out" "$tmp/snap_$key.out" || { echo "bench: answers differ with snapshots"; exit 1; }
        t "resume_$key" "$es" run --ops "$ops" --quiet --format tsv --snapshot-dir "$tmp/snap" --resume "$file"
        cmp -s "$tmp/plain_$key.out" "$tmp/resume_$key.out" || { echo "bench: answers differ after resume"; exit 1; }
    done
    final=$(ls "$tmp/snap"/snap-*.h5 | sort | tail -n 1)
    taken=$(basename "$final" .h5 | sed 's/snap-0*//')
    size=$(wc -c < "$final")
    p=$(med "plain_$key"); s=$(med "snap_$key"); r=$(med "resume_$key")
    over=$(awk -v a="$s" -v b="$p" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }')
    mb=$(awk -v b="$size" -v e="$edges" 'BEGIN { printf "%.1f", b / 1048576 / (e / 1e6) }')
    rows="$rows
| \`$ops\` | $p | $s | **$over** | $taken | $r | $(awk -v b="$size" 'BEGIN{printf "%.0f", b/1048576}') | $mb |"
done

section=$(cat <<EOT
<!-- snapshot-bench:begin -->
## Snapshots: overhead, resume time, size (R-MAT scale $scale)

Command: \`make bench\` (bench/snapshot.sh; BENCH_REPS=$reps), $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Input: $edges edge lines.  Median wall seconds of $reps interleaved runs.  "snapshots taken" counts
the periodic ones actually written (a barrier that comes while the previous write is running is
deferred) plus the final one; "resume" restores from the final snapshot (verify, restore, report).

| --ops | no snapshots (s) | --snapshot-every 1000000 (s) | overhead | snapshots taken | resume (s) | final snapshot (MiB) | MiB per million edges |
|---|---|---|---|---|---|---|---|$rows
<!-- snapshot-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" > "$tmp/section"
res=bench/RESULTS.md
[ -f "$res" ] || printf '# edgestream benchmark results\n' > "$res"
if grep -q '<!-- snapshot-bench:begin -->' "$res"; then
    awk -v new="$tmp/section" 'BEGIN{skip=0}
        /<!-- snapshot-bench:begin -->/ {while ((getline l < new) > 0) print l; skip=1; next}
        /<!-- snapshot-bench:end -->/ {skip=0; next}
        !skip {print}' "$res" > "$tmp/res"
    cp "$tmp/res" "$res"
else
    printf '\n%s\n' "$section" >> "$res"
fi
