#!/bin/sh
# bench/spanner.sh BUILD — the spanner's two methods side by side: size and
# CPU time of `spanner:k=2` (Baswana's clustering, the default, with the
# default n = 2^20 and with n = the graph's vertex count) and
# `spanner:k=2,method=greedy`, on every file of ../shared/datasets (or
# $ES_SHARED_DATASETS) and on R-MAT scale 20 (BENCH_RMAT_FILE, default
# BUILD/bench-data/rmat-s20-ef10-seed1.txt, made with `edgestream gen rmat`
# when missing).  Each run is the whole command `edgestream run --ops SPEC
# --quiet --format tsv FILE` under /usr/bin/time (user + system seconds);
# the stretch is checked with `edgestream compare --ops SPEC FILE` (every
# input edge within 3 hops; a sample of them above 1 M edges).
# Writes the section between the spanner-bench markers of bench/RESULTS.md.
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
shared=${ES_SHARED_DATASETS:-../shared/datasets}
data=$build/bench-data
mkdir -p "$data"
rfile=$(rmat_input 20 "${BENCH_RMAT_FILE:-}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one SPEC FILE [CHECK]: prints "kept seen cpu_seconds verdict" (verdict
# "-" unless CHECK: the greedy method is checked by the tests, and running
# it twice on R-MAT costs minutes)
one() {
    /usr/bin/time -f '%U %S' -o "$tmp/time" "$es" run --ops "$1" --quiet --format tsv "$2" > "$tmp/out"
    kept=$(awk -F'\t' '$1 == "spanner" && $2 == "edges" {print $3}' "$tmp/out")
    seen=$(awk -F'\t' '$1 == "spanner" && ($2 == "edges_seen" || $2 == "input_edges") {print $3}' "$tmp/out")
    cpu=$(awk '{printf "%.2f", $1 + $2}' "$tmp/time")
    verdict=-
    if [ -n "${3:-}" ]; then
        "$es" compare --ops "$1" "$2" > "$tmp/cmp" 2>&1 && verdict=ok || verdict=FAILED
    fi
    echo "$kept $seen $cpu $verdict"
}

rows=""
for f in "$shared"/*.txt "$shared"/*.txt.gz "$rfile"; do
    [ -f "$f" ] || continue
    name=$(basename "$f"); name=${name%.gz}; name=${name%.txt}
    echo "bench: spanner on $name" >&2
    "$es" run --ops degree --quiet --format tsv "$f" > "$tmp/deg"
    nv=$(awk -F'\t' '$1 == "stream" && $2 == "vertices" {print $3}' "$tmp/deg")
    distinct=$(awk -F'\t' '$1 == "degree" && $2 == "edges" {print $3}' "$tmp/deg")
    set -- $(one "spanner:k=2" "$f" check); b1=$1 lines=$2 c1=$3 v1=$4
    set -- $(one "spanner:k=2,n=$nv" "$f" check); b2=$1 c2=$3 v2=$4
    set -- $(one "spanner:k=2,method=greedy" "$f"); g=$1 c3=$3 v3=$4
    bound=$(awk -v n="$nv" 'BEGIN{printf "%.0f", n * (1 + 1 + n / sqrt(n))}')
    rows="$rows| $name | $nv | $lines | $distinct | $b1 | $c1 | $v1 | $b2 ($bound) | $c2 | $v2 | $g | $c3 | $v3 |
"
done

section=$(cat <<EOT
<!-- spanner-bench:begin -->
## spanner: Baswana's clustering against the greedy spanner (k = 2, stretch 3)

Command: \`sh bench/spanner.sh $build\`, $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: CPU seconds are steadier than wall time).
Each cell: \`$es run --ops SPEC --quiet --format tsv FILE\` under \`/usr/bin/time\` (user + system seconds of the whole command: read, parse, id map, operator, and the distinct-edge stage for the greedy method); "stretch" = \`$es compare --ops SPEC FILE\` (every input edge within 3 hops in the kept graph, a sample above 1 M edges; "-": not run here, the greedy method is checked by the tests).
Baswana: default \`n\` (2^20, sampling probability 2^-10) and \`n\` = the graph's vertices (probability n^-1/2; the expected-size bound n((k-1)(1/p+1) + n p^(k-1)) = n(2 + 2 sqrt(n)) in brackets).

| input | vertices | lines (non-loop) | distinct edges | baswana kept | CPU s | stretch | baswana n=vertices kept (bound) | CPU s | stretch | greedy kept | CPU s | stretch |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
$rows<!-- spanner-bench:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section spanner-bench
