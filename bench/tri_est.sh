#!/bin/sh
# bench/tri_est.sh BUILD — the tri-est benchmark: speed and accuracy of
# TRIÈST-IMPR with m = 1% of the distinct edges, on the SNAP edge lists of
# ../shared/datasets (or $ES_SHARED_DATASETS) and on R-MAT scale 18 and 20
# (edge factor 10, seed 1: the stream of `edgestream gen rmat`).
#
# Operator rate: bench/tri_est_bench.c parses and maps each input first and
# times es_operator_process alone on batches of 2^20 edges (parsing is
# excluded), for three runs per seed:
#   clean       the de-duplicated stream (first occurrences, no self-loops), dedup=0
#   raw         every line, the operator's defaults (dedup=auto)
#   raw-dedup0  every line, dedup=0 (repeats whose copy left the sample
#               count again: shown to document the bias)
# Exact counts come from igraph (adjacent_triangles on the simplified
# graph, summed / 3), cached in BUILD/bench-data/tri-exact.tsv.
#
# End to end: when BUILD/edgestream knows tri-est, `edgestream run --ops
# tri-est:m=M --quiet --format tsv FILE` on the R-MAT scale-20 file and on
# email-Enron (parse, id map and operator; wall time of the whole command).
#
# Writes the section between the tri-est-bench markers of bench/RESULTS.md.
# Environment: BENCH_SEEDS (default 5), BENCH_RMAT_SCALES (default "18 20"),
# BENCH_NOTE (a line of text to print under the command, e.g. how BUILD was made).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
bin=$build/bench/tri_est_bench
es=$build/edgestream
seeds=${BENCH_SEEDS:-5}
scales=${BENCH_RMAT_SCALES:-18 20}
shared=${ES_SHARED_DATASETS:-../shared/datasets}
[ -x "$bin" ] || { echo "bench: $bin is missing (make $bin)"; exit 69; }
data=$build/bench-data
mkdir -p "$data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv
: > "$rows"

# bench_one NAME LABEL INPUT [ARGS...]: runs on one input (exact count cached
# under NAME), rows appended to $rows under LABEL.
bench_one() {
    name=$1 label=$2 input=$3
    shift 3
    exact=$(exact_triangles "$name" "$input")
    echo "bench: tri-est on $label" >&2
    "$bin" --seeds "$seeds" --label "$label" --exact "$exact" "$@" "$input" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; exit 1; }
    sed 1d "$tmp/out" >> "$rows"
}

if [ -d "$shared" ]; then
    for f in "$shared"/*.txt "$shared"/*.txt.gz; do
        [ -f "$f" ] || continue
        name=$(basename "$f"); name=${name%.gz}; name=${name%.txt}
        bench_one "$name" "$name" "$f"
    done
    # the same graphs with a sample of 10% of the edges: how the error shrinks
    for f in "$shared"/*.txt "$shared"/*.txt.gz; do
        [ -f "$f" ] || continue
        name=$(basename "$f"); name=${name%.gz}; name=${name%.txt}
        bench_one "$name" "$name (m=10%)" "$f" --frac 0.1 --modes clean
    done
else
    echo "bench: no $shared, SNAP graphs skipped" >&2
fi
for s in $scales; do
    bench_one "rmat-s$s" "rmat-s$s" "rmat:$s:10:1"
done

# End to end through the CLI, when tri-est is registered.
e2e=$tmp/e2e.tsv
: > "$e2e"
if [ -x "$es" ] && "$es" run --ops tri-est:m=10 --quiet --format tsv datasets/zachary.txt > /dev/null 2>&1; then
    rfile=$(rmat_input 20)
    for pair in "rmat-s20 $rfile" "email-Enron $shared/email-Enron.txt.gz"; do
        set -- $pair
        [ -f "$2" ] || continue
        m=$(awk -F'\t' -v l="$1" '$1 == l {print $5; exit}' "$rows")
        [ -n "$m" ] || continue
        for r in 1 2 3; do
            t0=$(date +%s.%N)
            "$es" run --ops "tri-est:m=$m" --quiet --format tsv "$2" > "$tmp/cli.out"
            t1=$(date +%s.%N)
            lines=$(awk -F'\t' '$1 == "stream" && $2 == "edges" {print $3}' "$tmp/cli.out")
            est=$(awk -F'\t' '$1 == "tri-est" && $2 == "triangles" {print $3}' "$tmp/cli.out")
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$m" "$lines" "$t0" "$t1" "$est" >> "$e2e"
        done
    done
    e2e_note="\`$es run --ops tri-est:m=M --quiet --format tsv FILE\` (defaults otherwise: dedup=auto, all cores), best of 3 runs (wall time of the whole command: read, parse, id map, operator)."
else
    e2e_note="not measured: \`$es\` does not list tri-est (not registered yet, or not built)."
fi

# Summary per input and run kind.
summary=$(awk -F'\t' "$AWK_MEDIAN"'
function abs(x) { return x < 0 ? -x : x }
{
    k = $1 "\t" $6
    if (!(k in seen)) { seen[k] = 1; order[++nk] = k; lines[k] = $2; dist[k] = $3; ex[k] = $4; m[k] = $5 }
    runs[k]++
    if ($10 + 0 > best[k] + 0) best[k] = $10
    cpu[k] = cpu[k] " " ($2 / $9)
    err = abs($13); sumerr[k] += err; if (err > maxerr[k]) maxerr[k] = err
    sdrel[k] += ($4 > 0 ? $12 / $4 : 0)
    cov[k] += (abs($11 - $4) <= 2 * $12)
}
END {
    for (i = 1; i <= nk; i++) {
        k = order[i]
        printf "%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%d/%d\n", k, lines[k], dist[k], ex[k], m[k],
            best[k] / 1e6, med(cpu[k]) / 1e6, 100 * sumerr[k] / runs[k], 100 * maxerr[k], 100 * sdrel[k] / runs[k], cov[k], runs[k]
    }
}' "$rows")

table=$(printf '%s\n' "$summary" | awk -F'\t' '{
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }')

e2e_table=$(awk -F'\t' '
{ k = $1; if (!(k in m)) { order[++n] = k; best[k] = -1 } m[k] = $2; lines[k] = $3; est[k] = $6
  s = $5 - $4; if (best[k] < 0 || s < best[k]) best[k] = s }
END { for (i = 1; i <= n; i++) { k = order[i];
      printf "| %s | %s | %s | %.2f | %.1f | %s |\n", k, m[k], lines[k], best[k], lines[k] / best[k] / 1e6, est[k] } }' "$e2e")

# Targets: >= 10 M edges/s on R-MAT scale 20 (best wall run, as the other
# benchmarks take the best of their runs); < 5% error where exact > 100000.
verdict=$(printf '%s\n' "$summary" | awk -F'\t' '
$1 == "rmat-s20" && $2 == "clean" { clean = $7 }
$1 == "rmat-s20" && $2 == "raw"   { raw = $7 }
$5 > 100000 && ($2 == "clean" || $2 == "raw") && $1 !~ /m=10%/ { n++; if ($10 + 0 < 5) ok++; else bad = bad ", " $1 " " $2 " (max " $10 "%)" }
$5 > 100000 && $1 ~ /m=10%/ { n10++; if ($10 + 0 < 5) ok10++; else bad10 = bad10 ", " $1 " (max " $10 "%)" }
END {
    cv = (clean + 0 >= 10) ? "met" : "NOT met"; rv = (raw + 0 >= 10) ? "met" : "not met"
    if (clean != "") printf("- speed, R-MAT scale 20, m = 1%%: %s M edges/s on the de-duplicated stream, %s M edges/s on the raw stream with the default dedup=auto (target >= 10 M edges/s): %s on the de-duplicated stream, %s on the raw one\n", clean, raw, cv, rv)
    printf("- accuracy, graphs with more than 100 000 triangles, m = 1%%: every run under 5%% relative error in %d of %d (input, run) groups%s\n", ok, n, bad == "" ? "" : "; not in" substr(bad, 2))
    if (n10) printf("- accuracy with m = 10%% (de-duplicated stream): every run under 5%% in %d of %d inputs with more than 100 000 triangles%s\n", ok10, n10, bad10 == "" ? "" : "; not in" substr(bad10, 2))
}')

section=$(cat <<EOT
<!-- tri-est-bench:begin -->
## tri-est: TRIÈST-IMPR with m = 1% of the distinct edges

Command: \`sh bench/tri_est.sh $build\` (BENCH_SEEDS=$seeds), $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; the machine is shared, so wall-time rates move with its load (the CPU-time rate is steadier).
${BENCH_NOTE:+$BENCH_NOTE
}
Operator rate: \`$bin\` with the input parsed and mapped beforehand; time spent in \`es_operator_process\` on batches of 2^20 edges, so parsing is excluded.
Runs: *clean* = de-duplicated stream (first occurrences, no self-loops), dedup=0; *raw* = every line, default options (dedup=auto);
*raw-dedup0* = every line, dedup=0 (biased high on inputs with repeats, shown on purpose). Seeds 1..$seeds.
Exact counts: igraph \`adjacent_triangles\` on the simplified graph. Error: (estimate - exact) / exact.
Rates: wall time of the best seed (the machine's other work only ever slows a run down), and the median CPU-time rate.
"covered" = runs with |estimate - exact| <= 2 stddev.

| input | run | lines | distinct edges | triangles | m | M edges/s (wall, best run) | M edges/s (CPU, median) | mean abs. error % | max abs. error % | mean stddev / exact % | covered |
|---|---|---|---|---|---|---|---|---|---|---|---|
$table

End to end: $e2e_note

| input | m | lines | seconds | M lines/s | estimate |
|---|---|---|---|---|---|
$e2e_table

Targets:
$verdict
<!-- tri-est-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section tri-est-bench
