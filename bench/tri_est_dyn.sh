#!/bin/sh
# bench/tri_est_dyn.sh [BUILD] — tri-est's accuracy under deletions:
# ThinkD-ACC (method=thinkd, the default with --deletions) against
# TRIEST-FD (method=triest-fd) at the same m, over seeds 1..S (BENCH_SEEDS,
# default 10), on CollegeMsg and two SNAP graphs of ../shared/datasets
# (BENCH_DYN_INPUTS, default "CollegeMsg email-Enron soc-Slashdot0902").
# Each input becomes a fully dynamic stream with
#   bench/gen_deletions.py FRAC 1 (FRAC: BENCH_DYN_DEL, default 0.2)
# — after each edge line, with probability FRAC, the deletion of the edge
# of a uniformly chosen earlier line (present, one copy of several, or gone
# already); the exact count of the remaining graph is `edgestream run
# --deletions --ops tri`'s; m = BENCH_DYN_FRAC (default 0.02) of the
# insertion lines.  Each estimate: `edgestream run --deletions -q --format
# tsv --ops tri-est:m=M,method=X,seed=S,local=0,top=0 FILE`.
# Output: bench/RESULTS.md between the tri-est-dyn markers (median and
# largest |relative error|, runs within 2 stddev) and
# bench/results/tri_est_dyn.tsv (every run).
set -eu
. "$(dirname "$0")/lib.sh"
build=${1:-build}
es=$build/edgestream
seeds=${BENCH_SEEDS:-10}
del=${BENCH_DYN_DEL:-0.2}
frac=${BENCH_DYN_FRAC:-0.02}
inputs=${BENCH_DYN_INPUTS:-CollegeMsg email-Enron soc-Slashdot0902}
datasets=${BENCH_DATASETS:-../shared/datasets}
[ -x "$es" ] || { echo "bench: $es missing"; exit 69; }
mkdir -p bench/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
: > "$tmp/runs.tsv"
for name in $inputs; do
    f=$datasets/$name.txt.gz; [ -f "$f" ] || f=$datasets/$name.txt
    [ -f "$f" ] || { echo "bench: no $name in $datasets"; exit 66; }
    case $f in *.gz) zcat "$f" ;; *) cat "$f" ;; esac | $py bench/gen_deletions.py "$del" 1 > "$tmp/s.txt"
    lines=$(grep -vc -- ' -$' "$tmp/s.txt")
    dels=$(grep -c -- ' -$' "$tmp/s.txt")
    exact=$("$es" run --deletions -q --format tsv --ops tri "$tmp/s.txt" | awk -F'\t' '$1 == "tri" && $2 == "triangles" { print $3 }')
    m=$(awk -v l="$lines" -v f="$frac" 'BEGIN { m = int(l * f + 0.5); print (m < 2 ? 2 : m) }')
    for meth in thinkd triest-fd; do
        s=1
        while [ $s -le "$seeds" ]; do
            "$es" run --deletions -q --format tsv --ops "tri-est:m=$m,method=$meth,seed=$s,local=0,top=0" "$tmp/s.txt" |
                awk -F'\t' -v n="$name" -v l="$lines" -v d="$dels" -v x="$exact" -v m="$m" -v me="$meth" -v s="$s" '
                    $1 == "tri-est" && $2 == "triangles" { t = $3 } $1 == "tri-est" && $2 == "stddev" { sd = $3 }
                    END { printf "%s\t%d\t%d\t%d\t%d\t%s\t%d\t%.6g\t%.6g\t%.6f\n", n, l, d, x, m, me, s, t, sd, (t - x) / x }' \
                >> "$tmp/runs.tsv"
            s=$((s + 1))
        done
    done
    echo "bench: $name done (exact $exact, m $m)"
done
{
    printf 'input\tinsertions\tdeletions\texact\tm\tmethod\tseed\testimate\tstddev\trel_error\n'
    cat "$tmp/runs.tsv"
} > bench/results/tri_est_dyn.tsv
table=$(awk -F'\t' '
    { k = $1 "\t" $6; n[k]++; e = $10 < 0 ? -$10 : $10; a[k, n[k]] = 100 * e; cov[k] += (e * $4 <= 2 * $9)
      info[$1] = $2 "\t" $3 "\t" $4 "\t" $5; if (!(k in seen)) { seen[k] = 1; order[++K] = k } }
    END {
        print "| input | insertions | deletions | triangles left | m | method | median abs. error % | max abs. error % | ÷ thinkd (median) | within 2 stddev |"
        print "|---|---|---|---|---|---|---|---|---|---|"
        for (i = 1; i <= K; i++) {
            k = order[i]; c = n[k]
            for (x = 1; x <= c; x++) v[x] = a[k, x]
            for (x = 2; x <= c; x++) { t = v[x]; for (y = x - 1; y >= 1 && v[y] > t; y--) v[y + 1] = v[y]; v[y + 1] = t }
            med[k] = (v[int((c + 1) / 2)] + v[int(c / 2) + 1]) / 2; mx[k] = v[c]
        }
        for (i = 1; i <= K; i++) {
            k = order[i]; split(k, p, "\t"); split(info[p[1]], q, "\t"); base = med[p[1] "\tthinkd"]
            printf "| %s | %d | %d | %d | %d | %s | %.2f | %.2f | %s | %d/%d |\n", p[1], q[1], q[2], q[3], q[4], p[2],
                med[k], mx[k], (base > 0 ? sprintf("%.2f", med[k] / base) : "-"), cov[k], n[k]
        }
    }' "$tmp/runs.tsv")
section=$(cat <<EOT
<!-- tri-est-dyn:begin -->
## tri-est under deletions: ThinkD against TRIEST-FD at the same memory

Command: \`sh bench/tri_est_dyn.sh\` (BENCH_SEEDS=$seeds, BENCH_DYN_DEL=$del, BENCH_DYN_FRAC=$frac), $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Each input: \`bench/gen_deletions.py $del 1 < FILE\` (after each edge line, with probability $del, the deletion of the edge of a uniformly chosen earlier line); exact: \`edgestream run --deletions --ops tri\`; each row: \`edgestream run --deletions -q --format tsv --ops tri-est:m=M,method=X,seed=S,local=0,top=0\`, seeds 1..$seeds, m = $frac × the insertion lines.  "÷ thinkd" = the median error over ThinkD's.  Every run: bench/results/tri_est_dyn.tsv.

$table
<!-- tri-est-dyn:end -->
EOT
)
echo "$section"
printf '%s\n' "$section" | results_section tri-est-dyn
