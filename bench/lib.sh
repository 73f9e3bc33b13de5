# bench/lib.sh — what the bench scripts share; sourced: . "$(dirname "$0")/lib.sh"
#
# results_section NAME   standard input (a section that opens with
#                        <!-- NAME:begin --> and closes with <!-- NAME:end -->)
#                        replaces that section of bench/RESULTS.md, or is
#                        appended when the file has none.
# exact_triangles NAME INPUT
#                        the exact triangle count of INPUT (a file, or an
#                        rmat:SCALE:EF:SEED stream), from the cache
#                        BUILD/bench-data/tri-exact.tsv keyed by NAME and the
#                        file's size; computed by igraph through
#                        $build/bench/tri_est_bench when missing.  Needs $build.
# AWK_MEDIAN             an awk function med(s): the median of the numbers of
#                        the space-separated string s.
# need_time              exits 69 with a message when /usr/bin/time is missing.
# rmat_input SCALE [FILE] prints FILE (default BUILD/bench-data/rmat-sSCALE-
#                        ef10-seed1.txt), made first with `edgestream gen rmat
#                        --scale SCALE --edge-factor 10 --seed 1` when missing
#                        or empty.
#                        Needs $build and $es.
# timed NAME CMD...      one timed run of CMD (stdout to $tmp/NAME.out,
#                        stderr to $tmp/NAME.err; a failure prints it and
#                        exits); appends "wall_seconds maxrss_kib
#                        cpu_seconds" (user + sys) to $tmp/NAME.times.
#                        Needs $tmp.
# median FILE [COLUMN]   the median of a column of FILE (default 1; of an
#                        even count, the lower middle value).
# ratio A B              A / B with 2 decimals ("inf" when B is 0).

results_section() {
    _res=${BENCH_RESULTS:-bench/RESULTS.md}
    _new=$(mktemp)
    cat > "$_new"
    [ -f "$_res" ] || printf '# edgestream benchmark results\n\nFigures from this machine; the machine is shared, so compare ratios measured in the same run.\n' > "$_res"
    if grep -qF "<!-- $1:begin -->" "$_res"; then
        awk -v new="$_new" -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" '
            index($0, b) { while ((getline l < new) > 0) print l; skip = 1; next }
            index($0, e) { skip = 0; next }
            !skip' "$_res" > "$_new.res" && cat "$_new.res" > "$_res"
    else
        { printf '\n'; cat "$_new"; } >> "$_res"
    fi
    rm -f "$_new" "$_new.res"
    echo "bench: results written to $_res" >&2
}

exact_triangles() {
    _cache=$build/bench-data/tri-exact.tsv
    mkdir -p "$build/bench-data"
    touch "$_cache"
    if [ -f "$2" ]; then _key="$1 $(wc -c < "$2")"; else _key="$1 generated"; fi
    _x=$(awk -F'\t' -v k="$_key" '$1 == k {print $2}' "$_cache")
    if [ -z "$_x" ]; then
        _x=$("$build/bench/tri_est_bench" --seeds 1 --modes clean --m 1000 "$2" 2>/dev/null | sed -n 2p | cut -f4)
        [ -n "$_x" ] || { echo "bench: no exact triangle count for $2" >&2; return 1; }
        printf '%s\t%s\n' "$_key" "$_x" >> "$_cache"
    fi
    echo "$_x"
}

AWK_MEDIAN='
function med(s,   n, a, i, j, x) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

need_time() {
    command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 69; }
}

rmat_input() {
    _f=${2:-$build/bench-data/rmat-s$1-ef10-seed1.txt}
    if [ ! -s "$_f" ]; then
        mkdir -p "$(dirname "$_f")"
        echo "bench: generating $_f" >&2
        "$es" gen rmat --scale "$1" --edge-factor 10 --seed 1 -o "$_f.tmp" && mv "$_f.tmp" "$_f" || exit 1
    fi
    echo "$_f"
}

timed() {
    _name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$tmp/t" "$@" > "$tmp/$_name.out" 2> "$tmp/$_name.err" || {
        echo "bench: $_name failed:"; cat "$tmp/$_name.err"; exit 1; }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$tmp/t" >> "$tmp/$_name.times"
}

median() { sort -n -k"${2:-1}" "$1" | awk -v c="${2:-1}" '{a[NR]=$c} END {print a[int((NR+1)/2)]}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
