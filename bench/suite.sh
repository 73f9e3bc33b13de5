#!/bin/sh
# bench/suite.sh [BUILD] — the throughput matrix of `make bench`: every
# operator alone and all nine together, on R-MAT edge lists of growing
# scale and on every file of ../shared/datasets, beside the peers, in the
# same run:
#   edgestream  edgestream run --ops JOB --quiet --format tsv --threads T FILE
#               (T = 1 and 2: the speed-up from 1 to 2 threads)
#   parse       bench/parse_floor.c: edgestream's reader and parser alone
#   igraph      load + the same job: bench/igraph_job.c (cc; degree:
#               simplify + maxdegree; bipartite: is_bipartite; tri:
#               simplify + adjacent_triangles)
#   GraphBLAS   bench/tri_graphblas.c (tri: masked L.L', 2 threads)
# Every program reads the same plain text file (the SNAP files decompressed,
# their '#' comments and any third column removed: igraph's reader wants
# pairs of bare integers).
# Runs alternate (every program once, then again, BENCH_REPS times), so
# the drift of a shared machine hits all alike; each cell is a median of
# /usr/bin/time's wall, CPU (user + system) and peak RSS.  Answers are
# checked against the peers (components, max degree, bipartiteness,
# triangles) and any disagreement stops the benchmark.
# Derived: edges/s = edge lines / wall; bytes of state per edge = (peak RSS
# - the parse floor's peak RSS) / edge lines (what the run holds beyond
# reading and parsing).
# Output: bench/RESULTS.md between the suite-bench markers, the raw runs in
# bench/results/suite.tsv, and bench/plots/throughput.svg (edge lines per
# second against the R-MAT scale, edgestream's jobs and the peers; gnuplot).
# Environment: BENCH_APPEND=1 (add this run's runs to those of the last
# one, bench/results/suite.tsv: another scale, more inputs), BENCH_REPS (default 3), BENCH_SCALES (default "16 18 20";
# add 22 on a machine with the time: about 4x scale 20), BENCH_THREADS
# (default "1 2"), BENCH_DATASETS (default ../shared/datasets; "" for none),
# BENCH_JOBS (default: the nine operators and "all").
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
reps=${BENCH_REPS:-3}
scales=${BENCH_SCALES-16 18 20}
threads=${BENCH_THREADS:-1 2}
datasets=${BENCH_DATASETS-../shared/datasets}
jobs=${BENCH_JOBS:-cc degree bipartite tri tri-est cm topk hll spanner all}
all_ops=cc,degree,tri,tri-est,bipartite,cm,topk,hll,spanner
data=$build/bench-data
mkdir -p "$data" bench/results bench/plots
need_time
for b in "$es" "$build/bench/parse_floor" "$build/bench/igraph_job" \
         "$build/bench/tri_graphblas"; do
    [ -x "$b" ] || { echo "bench: $b missing (make bench builds it)"; exit 69; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- inputs -----------------------------------------------------------------
inputs=
for s in $scales; do
    f=$(rmat_input "$s")
    inputs="$inputs rmat$s:$f"
done
if [ -n "$datasets" ] && [ -d "$datasets" ]; then
    for src in "$datasets"/*.txt "$datasets"/*.txt.gz; do
        [ -f "$src" ] || continue
        name=$(basename "$src" .gz); name=${name%.txt}
        f=$data/$name.txt
        # (the first two columns: CollegeMsg has a third, a time stamp)
        [ -s "$f" ] || { gzip -cdf "$src" | awk '!/^#/ { print $1 "\t" $2 }' > "$f.tmp" && mv "$f.tmp" "$f"; }
        inputs="$inputs $name:$f"
    done
fi

ops_of() { [ "$1" = all ] && echo "$all_ops" || echo "$1"; }

# run INPUT PROGRAM THREADS CMD...: one timed run, a line of $tmp/runs.tsv:
# input program threads wall cpu rss_kib; its stdout in $tmp/last.out.
run() {
    input=$1 prog=$2 th=$3; shift 3
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$@" > "$tmp/last.out" 2> "$tmp/last.err" || {
        echo "bench: $prog on $input failed:"; cat "$tmp/last.err"; exit 1; }
    awk -v i="$input" -v p="$prog" -v t="$th" '{ printf "%s\t%s\t%s\t%s\t%.2f\t%s\n", i, p, t, $1, $2 + $3, $4 }' \
        "$tmp/t" >> "$tmp/runs.tsv"
}
# agree INPUT WHAT A B: the answers of edgestream and a peer must be equal.
agree() {
    [ "$3" = "$4" ] || { echo "bench: $2 on $1: edgestream says $3, the peer $4"; exit 1; }
}
field() { awk -F'\t' -v o="$1" -v m="$2" '$1 == o && $2 == m { print $3 }' "$3"; }

: > "$tmp/runs.tsv"
: > "$tmp/lines.tsv"
if [ "${BENCH_APPEND:-0}" = 1 ] && [ -s bench/results/suite.tsv ]; then
    tail -n +2 bench/results/suite.tsv > "$tmp/runs.tsv"
    cp bench/results/suite-lines.tsv "$tmp/lines.tsv"
fi
for spec in $inputs; do
    input=${spec%%:*} f=${spec#*:}
    lines=$("$build/bench/parse_floor" "$f" | awk '{ print $2 }')
    echo "$input	$lines" >> "$tmp/lines.tsv"
    r=0
    while [ $r -lt "$reps" ]; do
        r=$((r + 1))
        echo "bench: $input round $r/$reps"
        for job in $jobs; do
            for t in $threads; do
                run "$input" "edgestream $job" "$t" "$es" run --ops "$(ops_of "$job")" --quiet --format tsv \
                    --threads "$t" "$f"
                cp "$tmp/last.out" "$tmp/es-$job.out"
            done
        done
        run "$input" parse 1 "$build/bench/parse_floor" "$f"
        case " $jobs " in *" cc "*)
            run "$input" "igraph cc" 1 "$build/bench/igraph_job" cc "$f"
            agree "$input" components "$(field cc components "$tmp/es-cc.out")" \
                "$(awk -F'\t' '$1 == "components" { print $2 }' "$tmp/last.out")" ;; esac
        case " $jobs " in *" degree "*)
            run "$input" "igraph degree" 1 "$build/bench/igraph_job" degree "$f"
            agree "$input" "max degree" "$(field degree max "$tmp/es-degree.out")" \
                "$(awk -F'\t' '$1 == "max" { print $2 }' "$tmp/last.out")" ;; esac
        case " $jobs " in *" bipartite "*)
            run "$input" "igraph bipartite" 1 "$build/bench/igraph_job" bipartite "$f"
            b=$(field bipartite bipartite "$tmp/es-bipartite.out")
            agree "$input" bipartite "$([ "$b" = true ] && echo 1 || echo 0)" \
                "$(awk -F'\t' '$1 == "bipartite" { print $2 }' "$tmp/last.out")" ;; esac
        case " $jobs " in *" tri "*)
            want=$(field tri triangles "$tmp/es-tri.out")
            run "$input" "igraph tri" 1 "$build/bench/igraph_job" tri "$f"
            agree "$input" triangles "$want" "$(awk -F'\t' '$1 == "triangles" { print $2 }' "$tmp/last.out")"
            run "$input" "GraphBLAS tri" 2 "$build/bench/tri_graphblas" --threads 2 "$f"
            agree "$input" triangles "$want" "$(awk -F'\t' '$1 == "triangles" { print $2 }' "$tmp/last.out")" ;; esac
    done
done
{
    printf 'input\tprogram\tthreads\twall_s\tcpu_s\tpeak_rss_kib\n'
    cat "$tmp/runs.tsv"
} > bench/results/suite.tsv
cp "$tmp/lines.tsv" bench/results/suite-lines.tsv

# ---- medians, the table, the plot -----------------------------------------
# One line per input, program and thread count: medians of wall, CPU, RSS.
awk -F'\t' '
    { k = $1 "\t" $2 "\t" $3; n[k]++; w[k, n[k]] = $4; c[k, n[k]] = $5; m[k, n[k]] = $6
      if (!(k in seen)) { seen[k] = 1; order[++K] = k } }
    function med(a, k, cnt,   i, j, x, v) {
        for (i = 1; i <= cnt; i++) v[i] = a[k, i]
        for (i = 2; i <= cnt; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
        return v[int((cnt + 1) / 2)]
    }
    END { for (i = 1; i <= K; i++) { k = order[i]; print k "\t" med(w, k, n[k]) "\t" med(c, k, n[k]) "\t" med(m, k, n[k]) } }
' "$tmp/runs.tsv" > "$tmp/med.tsv"

table=$(awk -F'\t' -v lf="$tmp/lines.tsv" '
    BEGIN { while ((getline l < lf) > 0) { split(l, a, "\t"); lines[a[1]] = a[2] } }
    { key = $1 "\t" $2 "\t" $3; W[key] = $4; C[key] = $5; R[key] = $6
      if (!($1 in si)) { si[$1] = 1; ins[++NI] = $1 }
      if ($2 ~ /^edgestream / && !(($1, $2) in sj)) { sj[$1, $2] = 1; jobs[$1, ++NJ[$1]] = $2 } }
    function peerc(i, p) { return (i "\t" p "\t1") in C ? C[i "\t" p "\t1"] : ((i "\t" p "\t2") in C ? C[i "\t" p "\t2"] : "") }
    function peer(i, p) { return (i "\t" p "\t1") in W ? W[i "\t" p "\t1"] : ((i "\t" p "\t2") in W ? W[i "\t" p "\t2"] : "") }
    END {
        print "| input | job | edge lines | 2 threads: wall s | CPU s | M edges/s (wall) | M edges/CPU s | peak RSS MiB | state B/edge | 1 thread: wall s | speed-up 1→2 | igraph wall s (÷ edgestream) | GraphBLAS wall s (÷) | ÷ parse floor |"
        print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        for (i = 1; i <= NI; i++) {
            in_ = ins[i]; L = lines[in_]; pf = peer(in_, "parse"); prss = R[in_ "\tparse\t1"]
            for (j = 1; j <= NJ[in_]; j++) {
                p = jobs[in_, j]; job = substr(p, 12); k2 = in_ "\t" p "\t2"; k1 = in_ "\t" p "\t1"
                w2 = (k2 in W) ? W[k2] : ""; w1 = (k1 in W) ? W[k1] : ""
                w = w2 != "" ? w2 : w1; k = w2 != "" ? k2 : k1
                ig = (job == "cc" || job == "degree" || job == "bipartite" || job == "tri") ? peer(in_, "igraph " job) : ""
                gb = job == "tri" ? peer(in_, "GraphBLAS tri") : ""
                c2 = (w2 == "") ? "-" : w2; cc2 = (w2 == "") ? "-" : C[k2]
                rate = (w > 0) ? L / w / 1e6 : 0
                crate = (C[k] > 0) ? sprintf("%.2f", L / C[k] / 1e6) : "-"
                st = (R[k] - prss) * 1024 / ((L > 0) ? L : 1)
                c1 = (w1 == "") ? "-" : w1
                su = (w1 != "" && w2 > 0) ? sprintf("%.2f", w1 / w2) : "-"
                igc = (ig == "") ? 0 : peerc(in_, "igraph " job); gbc = (gb == "") ? 0 : peerc(in_, "GraphBLAS tri")
                igs = (ig == "") ? "-" : sprintf("%s (%.2f; CPU %.2f)", ig, ig / w, (C[k] > 0) ? igc / C[k] : 0)
                gbs = (gb == "") ? "-" : sprintf("%s (%.2f; CPU %.2f)", gb, gb / w, (C[k] > 0) ? gbc / C[k] : 0)
                pfs = (pf > 0) ? sprintf("%.2f", w / pf) : "-"
                printf "| %s | %s | %d | %s | %s | %.2f | %s | %.0f | %.1f | %s | %s | %s | %s | %s |\n", in_, job, L, c2, cc2, rate, crate, R[k] / 1024, st, c1, su, igs, gbs, pfs
            }
        }
    }' "$tmp/med.tsv")

# The plot: edge lines per second against the R-MAT scale.
plot=bench/plots/throughput.svg
all_scales=$(awk -F'\t' '$1 ~ /^rmat[0-9]+$/ { print substr($1, 5) }' "$tmp/lines.tsv" | sort -n | uniq)
if command -v gnuplot >/dev/null && [ -n "$all_scales" ]; then
    : > "$tmp/plot.dat"
    for p in "edgestream cc" "edgestream degree" "edgestream tri" "edgestream tri-est" "edgestream spanner" \
             "edgestream all" parse "igraph cc" "igraph tri" "GraphBLAS tri"; do
        for s in $all_scales; do
            awk -F'\t' -v i="rmat$s" -v p="$p" -v s="$s" -v lf="$tmp/lines.tsv" '
                BEGIN { while ((getline l < lf) > 0) { split(l, a, "\t"); lines[a[1]] = a[2] } }
                $1 == i && $2 == p && (w == "" || $3 == 2) { w = $5 }
                END { if (w > 0) printf "%s %.4f\n", s, lines[i] / w / 1e6 }' "$tmp/med.tsv"
        done > "$tmp/series.dat"
        [ -s "$tmp/series.dat" ] && { cat "$tmp/series.dat"; printf '\n\n'; } >> "$tmp/plot.dat" &&
            echo "$p" >> "$tmp/names"
    done
    {
        echo "set terminal svg size 800,500 dynamic noenhanced; set output '$plot'"
        echo "set title 'R-MAT edge lists (edge factor 10): edge lines per CPU second (user + system), medians'"
        echo "set xlabel 'R-MAT scale (2^scale vertices)'; set ylabel 'M edge lines / CPU s'"
        echo "set logscale y; set key outside right; set grid"
        printf "plot "
        n=0
        while read -r name; do
            [ $n -gt 0 ] && printf ", "
            printf "'%s' index %d with linespoints title '%s'" "$tmp/plot.dat" $n "$name"
            n=$((n + 1))
        done < "$tmp/names"
        echo
    } > "$tmp/plot.gp"
    gnuplot "$tmp/plot.gp" && echo "bench: wrote $plot"
fi

section=$(cat <<EOT
<!-- suite-bench:begin -->
## Every operator, alone and together, against the peers (\`make bench\`)

Command: \`make bench\` (bench/suite.sh; BENCH_REPS=$reps, BENCH_THREADS="$threads"; R-MAT scales $(echo $all_scales)), $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Each cell is the median of $reps alternating runs under \`/usr/bin/time -f "%e %U %S %M"\`: \`edgestream run --ops JOB --quiet --format tsv --threads T FILE\` (job "all": \`--ops $all_ops\`), and the peers on the same file: \`build/bench/igraph_job cc|degree|bipartite|tri FILE\`, \`build/bench/tri_graphblas --threads 2 FILE\`, \`build/bench/parse_floor FILE\`.  Inputs: \`edgestream gen rmat --scale S --edge-factor 10 --seed 1\`, and the SNAP files of ../shared/datasets without their comment lines.  Every answer the peers also give (components, largest degree, bipartiteness, triangles) agreed.
"M edges/s (wall)" = edge lines / wall at 2 threads, "M edges/CPU s" = edge lines / CPU seconds (user + system, the steadier figure on a shared machine); "state B/edge" = (peak RSS − the parse floor's) / edge lines; "igraph" and "GraphBLAS" = their wall seconds and, in brackets, that over edgestream's and their CPU seconds over edgestream's (above 1: edgestream is faster); "÷ parse floor" = edgestream's wall over the reader's and parser's alone.  Raw runs: bench/results/suite.tsv (edge lines per input: suite-lines.tsv).  Plot: [throughput against scale](plots/throughput.svg).

$table
<!-- suite-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section suite-bench
