#!/bin/sh
# bench/tri_est_methods.sh BUILD — the tri-est estimators side by side:
# TRIÈST-IMPR (method=impr), waiting-room sampling (method=wrs) and graph
# priority sampling with in-stream estimation (method=gps), each with
# m = 1% of the distinct edges, seeds 1..10, on every graph of
# ../shared/datasets (or $ES_SHARED_DATASETS) with more than 100 000
# triangles and on R-MAT scale 20 (edge factor 10, seed 1: the stream of
# `edgestream gen rmat --scale 20`).
#
# Each run is bench/tri_est_bench.c in its "raw" mode: every line of the
# input as read (repeats, both directions, self-loops), the operator's
# defaults otherwise (dedup=auto), parsing excluded from the timing.
# Exact counts: igraph, cached in BUILD/bench-data/tri-exact.tsv (shared
# with bench/tri_est.sh).
#
# "The same memory": impr, wrs and gps run at the same m (edge slots);
# gps holds 24 bytes more per slot (weight, priority, heap positions), so
# it runs once more as "gps-bytes" with m scaled to impr's measured sample
# bytes (tri_est_bench's sample_bytes column).
# Per input and method: median and largest |relative error|, the median
# relative to TRIÈST-IMPR's, how many runs the reported bound covers
# (|estimate - exact| <= 2 stddev), the median stddev / exact, and the
# median operator rate (lines per CPU second).  Writes the section between
# the tri-est-methods markers of bench/RESULTS.md.
# Environment: BENCH_SEEDS (default 10), BENCH_MIN_TRIANGLES (100000),
# BENCH_RMAT (default "rmat:20:10:1"; empty: none), BENCH_ROWS (a file of
# earlier rows, "method<TAB>tri_est_bench's line": render it, run nothing).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
bin=$build/bench/tri_est_bench
seeds=${BENCH_SEEDS:-10}
min_tri=${BENCH_MIN_TRIANGLES:-100000}
rmat=${BENCH_RMAT-rmat:20:10:1}
shared=${ES_SHARED_DATASETS:-../shared/datasets}
methods="impr wrs gps"
[ -x "$bin" ] || { echo "bench: $bin is missing (make $bin)"; exit 69; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv
: > "$rows"

inputs=""
if [ -n "${BENCH_ROWS:-}" ]; then
    cp "$BENCH_ROWS" "$rows"
    shared=/nonexistent rmat=""
fi
if [ -d "$shared" ]; then
    for f in "$shared"/*.txt "$shared"/*.txt.gz; do
        [ -f "$f" ] || continue
        name=$(basename "$f"); name=${name%.gz}; name=${name%.txt}
        x=$(exact_triangles "$name" "$f")
        awk -v x="$x" -v t="$min_tri" 'BEGIN{exit !(x > t)}' && inputs="$inputs $name=$f"
    done
fi
[ -n "$rmat" ] && inputs="$inputs rmat-s20=$rmat"

for pair in $inputs; do
    name=${pair%%=*} input=${pair#*=}
    x=$(exact_triangles "$name" "$input")
    for meth in $methods; do
        echo "bench: $name method=$meth" >&2
        "$bin" --seeds "$seeds" --modes raw --exact "$x" --label "$name" --opts "method=$meth" "$input" \
            2> "$tmp/err" | sed 1d | sed "s/^/$meth	/" >> "$rows" || { cat "$tmp/err"; exit 1; }
    done
    # gps again at impr's bytes: fewer slots, since each holds a weight, a
    # priority and heap positions besides the edge
    m2=$(awk -F'\t' -v n="$name" '$2 == n && $1 == "impr" { bi += $15; k++ } $2 == n && $1 == "gps" { bg += $15; m = $6 }
        END { if (k && bg) printf "%d", m * bi / bg }' "$rows")
    if [ -n "$m2" ] && [ "$m2" -gt 2 ]; then
        echo "bench: $name method=gps m=$m2 (impr's bytes)" >&2
        "$bin" --seeds "$seeds" --modes raw --m "$m2" --exact "$x" --label "$name" --opts "method=gps" "$input" \
            2> "$tmp/err" | sed 1d | sed "s/^/gps-bytes	/" >> "$rows" || { cat "$tmp/err"; exit 1; }
    fi
done

# rows: method input lines distinct exact m mode seed seconds cpu edges/s estimate stddev rel_error sample_bytes
table=$(awk -F'\t' "$AWK_MEDIAN"'
function abs(x) { return x < 0 ? -x : x }
{
    k = $2 "\t" $1
    if (!(k in runs)) { order[++nk] = k; ex[k] = $5; m[k] = $6; inp[k] = $2; meth[k] = $1 }
    runs[k]++
    e = abs($14); errs[k] = errs[k] " " e; if (e > mx[k]) mx[k] = e
    cov[k] += (abs($12 - $5) <= 2 * $13)
    sd[k] = sd[k] " " ($13 / $5)
    rate[k] = rate[k] " " ($3 / $10)
    kib[k] = kib[k] " " ($15 / 1024)
}
END {
    for (i = 1; i <= nk; i++) { k = order[i]; me[k] = med(errs[k]) }
    for (i = 1; i <= nk; i++) {
        k = order[i]; base = me[inp[k] "\timpr"]
        printf "| %s | %s | %s | %s | %.0f | %.2f | %.2f | %.2f | %d/%d | %.2f | %.2f |\n", inp[k], ex[k], m[k], meth[k],
            med(kib[k]), 100 * me[k], 100 * mx[k], (base > 0 ? me[k] / base : 0), cov[k], runs[k], 100 * med(sd[k]),
            med(rate[k]) / 1e6
    }
}' "$rows")

section=$(cat <<EOT
<!-- tri-est-methods:begin -->
## tri-est: TRIÈST-IMPR, WRS and GPS at the same memory

Command: \`sh bench/tri_est_methods.sh $build\` (BENCH_SEEDS=$seeds), $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Each run: \`$bin --seeds $seeds --modes raw --opts method=M FILE\`: every line as read, dedup=auto, m = 1% of the distinct edges, seeds 1..$seeds; inputs: the graphs of ../shared/datasets with more than $min_tri triangles, and R-MAT scale 20 (\`$rmat\`).
"median err / impr" = the method's median |relative error| over TRIÈST-IMPR's on the same input (target for the default: <= 0.5); "covered" = runs with |estimate - exact| <= 2 stddev (target: >= 90%).
Rate: input lines per CPU second inside \`es_operator_process\`, median (parsing excluded).
Memory: "sample KiB" is what the sample holds at the end of the stream (\`es_tri_est_sample_memory\`: the sample graph with its per-vertex heads, the slot weights, and gps's weights, priorities and heap), median over the seeds.  impr, wrs and gps are compared at the same number of edge slots m; \`gps-bytes\` is gps again with m scaled down to impr's bytes (\`--m M2\`, M2 = m × impr's bytes / gps's bytes), its "median err / impr" taken against impr at m.

| input | triangles | m | method | sample KiB | median abs. error % | max abs. error % | median err / impr | covered | median stddev / exact % | M lines/s (CPU) |
|---|---|---|---|---|---|---|---|---|---|---|
$table
<!-- tri-est-methods:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section tri-est-methods
