#!/bin/sh
# bench/tri.sh [BUILD] — exact triangle counting end to end on R-MAT edge
# lists (scales 18 and 20, edge factor 10, seed 1), timed in the same run
# for the programs below, which all read the text file and print the count:
#   edgestream  edgestream run --ops tri --quiet --format tsv FILE (when the
#               CLI knows "tri"; otherwise bench/tri_stream.c, the same
#               driver and operator without the registry)
#   igraph      bench/igraph_job.c tri: read_graph_edgelist + simplify +
#               adjacent_triangles
#   GraphBLAS   bench/tri_graphblas.c: parse + GrB_Matrix_build + masked
#               L.L' (SuiteSparse:GraphBLAS, 2 threads); and the same with
#               LAGraph's presort (vertices by decreasing degree), which
#               helps L.L' much on skewed graphs
# Runs are interleaved (A B C D, A B C D, ...) so drift of this shared
# machine hits all alike; medians and ratios of medians are reported, all
# counts must agree, and the results are written to bench/RESULTS.md
# between the tri-bench markers.
# Environment: BENCH_REPS (default 3), BENCH_SCALES (default "18 20"),
# BENCH_THREADS (default 2: edgestream's and GraphBLAS's threads).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
reps=${BENCH_REPS:-3}
scales=${BENCH_SCALES:-18 20}
threads=${BENCH_THREADS:-2}
mkdir -p "$build/bench"
need_time

# The programs: through make when it can build them (the tree may be
# mid-edit: then binaries already in BUILD are used); GraphBLAS's peer needs
# -lgraphblas, so it is compiled here when make has no rule for it.
for b in "$es" "$build/bench/tri_stream" "$build/bench/igraph_job"; do
    make --no-print-directory -s BUILD="$build" "$b" || [ -x "$b" ] || [ "$b" = "$es" ] ||
        { echo "bench: cannot build $b"; exit 1; }
done
if [ ! -x "$build/bench/tri_graphblas" ] || [ bench/tri_graphblas.c -nt "$build/bench/tri_graphblas" ]; then
    make --no-print-directory -s BUILD="$build" "$build/bench/tri_graphblas" 2>/dev/null ||
        ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$build/bench/tri_graphblas" bench/tri_graphblas.c -lgraphblas
fi

# edgestream itself when "tri" is registered, the stand-in otherwise.
if [ -x "$es" ] && "$es" run --ops tri --quiet --format tsv /dev/null >/dev/null 2>&1; then
    es_cmd="$es run --ops tri --threads $threads --quiet --format tsv"
    es_name="\`edgestream run --ops tri\`"
else
    es_cmd="$build/bench/tri_stream --threads $threads"
    es_name="bench/tri_stream (edgestream's driver + tri, as \`edgestream run --ops tri\` runs them; tri not registered in the CLI yet)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of column c of NAME's times
med() { median "$tmp/$1.times" "$2"; }

rows=""
notes=""
verdict=""
for scale in $scales; do
    file=$(rmat_input "$scale")
    rm -f "$tmp"/*.times
    i=0
    while [ "$i" -lt "$reps" ]; do
        i=$((i + 1))
        echo "bench: scale $scale, round $i/$reps"
        # shellcheck disable=SC2086
        timed es $es_cmd "$file"
        timed ig "$build/bench/igraph_job" tri "$file"
        timed gb "$build/bench/tri_graphblas" --threads "$threads" "$file"
        timed gs "$build/bench/tri_graphblas" --threads "$threads" --presort "$file"
    done
    es_c=$(awk -F'\t' '$1=="tri" && $2=="triangles" {print $3}' "$tmp/es.out")
    ig_c=$(awk -F'\t' '$1=="triangles" {print $2}' "$tmp/ig.out")
    gb_c=$(awk -F'\t' '$1=="triangles" {print $2}' "$tmp/gb.out")
    gs_c=$(awk -F'\t' '$1=="triangles" {print $2}' "$tmp/gs.out")
    edges=$(awk -F'\t' '$1=="stream" && $2=="edges" {print $3}' "$tmp/es.out")
    agree=yes
    [ "$es_c" = "$ig_c" ] && [ "$es_c" = "$gb_c" ] && [ "$es_c" = "$gs_c" ] ||
        agree="NO (edgestream $es_c, igraph $ig_c, GraphBLAS $gb_c, presorted $gs_c)"
    es_t=$(med es 1); ig_t=$(med ig 1); gb_t=$(med gb 1); gs_t=$(med gs 1)
    for p in es ig gb gs; do
        eval "${p}_m=\$((\$(med $p 2) / 1024))"
        eval "${p}_cpu=\$(med $p 3)"
    done
    mb=$(du -m "$file" | cut -f1)
    rows="$rows
| $scale | $edges lines, $mb MB | edgestream | $es_t | $es_cpu | $es_m | $es_c |
| | | igraph | $ig_t | $ig_cpu | $ig_m | $ig_c |
| | | GraphBLAS | $gb_t | $gb_cpu | $gb_m | $gb_c |
| | | GraphBLAS, degree presort | $gs_t | $gs_cpu | $gs_m | $gs_c |"
    r=$(ratio "$gb_t" "$es_t")
    notes="$notes
- scale $scale: GraphBLAS / edgestream **${r}x** (with presort **$(ratio "$gs_t" "$es_t")x**), igraph / edgestream **$(ratio "$ig_t" "$es_t")x**; all counts agree: $agree"
    if [ "$scale" = 20 ]; then
        if awk -v a="$es_t" -v b="$gb_t" 'BEGIN { exit !(a <= b) }'; then
            verdict="met: at scale 20 edgestream takes $es_t s end to end, GraphBLAS $gb_t s including its load"
        else
            verdict="NOT met: at scale 20 edgestream takes $es_t s end to end, GraphBLAS $gb_t s including its load"
        fi
        verdict="$verdict ($gs_t s with the degree presort)"
    fi
done

section=$(cat <<EOT
<!-- tri-bench:begin -->
## Exact triangle count end to end (R-MAT)

Command: \`sh bench/tri.sh $build\` (BENCH_REPS=$reps, BENCH_THREADS=$threads), $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m).
Inputs: \`edgestream gen rmat --scale S --edge-factor 10 --seed 1\`.  Every program
reads the text file and prints the exact number of triangles of the simple
graph (duplicates and self-loops dropped):

- edgestream: $es_name, $threads threads: the streaming count (each triangle counted when its last edge arrives), local counts, wedges, clustering, top vertices.
- igraph 0.10: \`igraph_read_graph_edgelist\` + \`igraph_simplify\` + \`igraph_adjacent_triangles\` (bench/igraph_job.c tri).
- GraphBLAS: SuiteSparse:GraphBLAS 7.4, $threads threads: hand-written parser, \`GrB_Matrix_build\` (GrB_MAX dedup, no diagonal), L = tril(A,-1), C<L> = L*L' with \`GrB_PLUS_TIMES_SEMIRING_UINT32\` and a structural mask, sum (bench/tri_graphblas.c); "degree presort" first relabels the vertices by decreasing degree (A(P,P), LAGraph's presort for skewed graphs; \`--presort\`).

Median of $reps interleaved runs: wall seconds, CPU seconds (user + sys), peak RSS:

| scale | input | program | seconds | CPU s | peak RSS MiB | triangles |
|---|---|---|---|---|---|---|$rows
$notes
- target (edgestream end to end no slower than GraphBLAS including its load): $verdict
<!-- tri-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section tri-bench
