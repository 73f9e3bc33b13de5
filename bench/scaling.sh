#!/bin/sh
# bench/scaling.sh [MPI_EDGESTREAM] [PLAIN_EDGESTREAM] — the figures of
# bench/SCALING.md: for each operator and rank count (1, 2, 4; beyond the
# cores, oversubscribed), the wall time, the bytes the ranks sent per edge
# and the peak memory of rank 0 and of the others, as the run prints them
# on stderr; strong scaling on R-MAT scale 20 (cc, degree) and 18 (tri,
# tri-est), weak scaling with R-MAT scale 18, 19, 20 on 1, 2, 4 ranks, and
# a reduced run (cc,bipartite,cm,hll) against the same operators with the
# edges gathered at rank 0 (--report-every past the end forces that) on
# R-MAT 20, degree partitioned by pair owner against degree gathered,
# topk merged from per-rank summaries against topk gathered, and tri
# partitioned by colour triples against tri gathered (R-MAT 18).
# Each line is the median of RUNS runs (default 3).
mes=${1:-build-mpi/edgestream}
es=${2:-build/edgestream}
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_mpi_yield_when_idle=1
for s in 18 19 20; do "$mes" gen rmat --scale $s --edge-factor 10 --seed 1 -o "$tmp/r$s.txt"; done

# one OPS NP FILE [OPTION]: "wall cpu0 cpu_all bytes/edge rss0 rss_other",
# the run of median wall time among $runs
one() {
    for i in $(seq "$runs"); do
        mpirun --oversubscribe $root -q -np "$2" "$mes" run --ops "$1" $4 "$3" 2>&1 > /dev/null |
            sed -n 's/.*(\([0-9.]*\) per edge), \([0-9.]*\) s, CPU \([0-9.]*\) s at rank 0 and \([0-9.]*\) s in all, peak memory \([0-9]*\) MiB at rank 0, \([0-9]*\) MiB.*/\2 \3 \4 \1 \5 \6/p'
    done | sort -n | awk -v r="$runs" 'NR == int((r + 1) / 2)'
}
echo "strong scaling: ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for ops in cc degree; do
    for np in 1 2 4; do echo "$ops $np $(one "$ops" $np "$tmp/r20.txt")"; done
done
for ops in tri tri-est:m=100000; do
    for np in 1 2 4; do echo "$ops(r18) $np $(one "$ops" $np "$tmp/r18.txt")"; done
done
echo "weak scaling (R-MAT 18, 19, 20 on 1, 2, 4 ranks): ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for ops in cc degree; do
    echo "$ops 1 $(one $ops 1 "$tmp/r18.txt")"
    echo "$ops 2 $(one $ops 2 "$tmp/r19.txt")"
    echo "$ops 4 $(one $ops 4 "$tmp/r20.txt")"
done
echo "reduced against gathered (r20): ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for np in 1 2 4; do
    echo "reduced $np $(one cc,bipartite,cm,hll $np "$tmp/r20.txt")"
    echo "gathered $np $(one cc,bipartite,cm,hll $np "$tmp/r20.txt" "--report-every 1000000000000")"
done
echo "degree partitioned against gathered (r20): ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for np in 2 4; do
    echo "partitioned $np $(one degree $np "$tmp/r20.txt")"
    echo "gathered $np $(one degree $np "$tmp/r20.txt" "--report-every 1000000000000")"
done
echo "topk merged against gathered (r20): ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for np in 2 4; do
    echo "merged $np $(one topk $np "$tmp/r20.txt")"
    echo "gathered $np $(one topk $np "$tmp/r20.txt" "--report-every 1000000000000")"
done
echo "tri partitioned against gathered (r18): ops np wall_s cpu0_s cpu_all_s bytes_per_edge rss0_MiB rss_other_MiB"
for np in 2 4; do
    echo "partitioned $np $(one tri $np "$tmp/r18.txt")"
    echo "gathered $np $(one tri $np "$tmp/r18.txt" "--report-every 1000000000000")"
done
echo "without MPI (r20): $(/usr/bin/time -f '%e s %M KiB' "$es" run --ops cc -q "$tmp/r20.txt" 2>&1 > /dev/null)"
echo "without MPI, tri (r18): $(/usr/bin/time -f "%e s %U+%S s CPU %M KiB" "$es" run --ops tri -q "$tmp/r18.txt" 2>&1 > /dev/null)"
echo "without MPI, degree (r20): $(/usr/bin/time -f "%e s %U+%S s CPU %M KiB" "$es" run --ops degree -q "$tmp/r20.txt" 2>&1 > /dev/null)"
