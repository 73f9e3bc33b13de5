#!/bin/sh
# bench/run.sh BUILD — `make bench`: end-to-end connected components on an
# R-MAT edge list (scale 20, edge factor 10, seed 1: 2^20 vertices, ~10.5 M
# edge lines, ~140 MB), timed in the same run for:
#   edgestream   edgestream run --ops cc --quiet --format tsv FILE
#   igraph       bench/igraph_job.c cc: igraph_read_graph_edgelist + igraph_connected_components
#   parse        bench/parse_floor.c: edgestream's reader and parser alone
#   cat          cat FILE > /dev/null (the I/O floor)
# Runs are interleaved (A B C D, A B C D, ...) so drift of this shared
# machine hits all alike; medians and ratios of medians are reported and
# written to bench/RESULTS.md between the cc-bench markers.
# Environment: BENCH_REPS (default 3), BENCH_SCALE (default 20).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
reps=${BENCH_REPS:-3}
scale=${BENCH_SCALE:-20}
file=$(rmat_input "$scale")
need_time
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=0
while [ $i -lt "$reps" ]; do
    i=$((i + 1))
    echo "bench: round $i/$reps"
    timed edgestream "$es" run --ops cc --quiet --format tsv "$file"
    timed igraph "$build/bench/igraph_job" cc "$file"
    timed parse "$build/bench/parse_floor" "$file"
    timed cat sh -c "cat '$file' > /dev/null"
done

# median of column 1 (seconds) and of column 2 (KiB)
med() { median "$tmp/$1.times" "$2"; }
es_t=$(med edgestream 1); ig_t=$(med igraph 1); pa_t=$(med parse 1); ca_t=$(med cat 1)
es_m=$(med edgestream 2); ig_m=$(med igraph 2)
es_c=$(awk -F'\t' '$1=="cc" && $2=="components" {print $3}' "$tmp/edgestream.out")
ig_c=$(awk -F'\t' '$1=="components" {print $2}' "$tmp/igraph.out")
edges=$(awk -F'\t' '$1=="stream" && $2=="edges" {print $3}' "$tmp/edgestream.out")
agree=yes; [ "$es_c" = "$ig_c" ] || agree="NO ($es_c vs $ig_c)"

section=$(cat <<EOT
<!-- cc-bench:begin -->
## Connected components end to end (R-MAT scale $scale)

Command: \`make bench\` (bench/run.sh; BENCH_REPS=$reps), $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m).
Input: \`edgestream gen rmat --scale $scale --edge-factor 10 --seed 1\`: $edges edge lines, $(du -m "$file" | cut -f1) MB.
Median of $reps interleaved runs, wall seconds (peak RSS):

| program | seconds | peak RSS MiB |
|---|---|---|
| edgestream run --ops cc | $es_t | $((es_m / 1024)) |
| igraph read_graph_edgelist + connected_components | $ig_t | $((ig_m / 1024)) |
| edgestream reader + parser only (parse floor) | $pa_t | |
| cat FILE > /dev/null (I/O floor) | $ca_t | |

- igraph / edgestream: **$(ratio "$ig_t" "$es_t")x** (target >= 10x)
- edgestream / parse floor: **$(ratio "$es_t" "$pa_t")x** (target <= 2x)
- components agree with igraph: $agree ($es_c)
<!-- cc-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section cc-bench
