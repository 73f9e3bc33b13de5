#!/bin/sh
# test_faults.sh EDGESTREAM — faults that must not cost the answer:
#   - disk full: snapshots into a 4 MiB tmpfs fail, the run goes on, prints
#     the same final report as a run without snapshots and exits 74; no
#     temporary, empty or unlisted file is left, and a resume from the last
#     good snapshot gives the same answers (skipped, with a message, where
#     mounting is not allowed: not root, or no tmpfs).
# Prints "N passed, N failed"; exits non-zero on any failure.
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
tmp=$(mktemp -d)
mounted=
cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# ---- disk full ------------------------------------------------------------------
# Every operator the writer thread serves, and spanner's forked writers.
"$es" gen rmat --scale 14 --seed 1 -o "$tmp/r14.txt"
full_case() { # full_case NAME OPS
    name=$1 fops=$2
    d=$tmp/full-$name
    mkdir -p "$d"
    if ! mount -t tmpfs -o size=4m tmpfs "$d" 2>/dev/null; then
        echo "skipped: disk full ($name): cannot mount a tmpfs here (needs root)"
        return
    fi
    mounted=$d
    "$es" run --ops "$fops" --format tsv --quiet "$tmp/r14.txt" > "$tmp/want" || bad "full $name: plain run failed"
    "$es" run --ops "$fops" --format tsv --quiet --snapshot-dir "$d" --snapshot-every 20000 "$tmp/r14.txt" \
        > "$tmp/got" 2> "$tmp/err"
    st=$?
    [ $st = 74 ] && ok || bad "full $name: exit $st, wanted 74: $(head -c 400 "$tmp/err")"
    grep -q "snapshots* could not be written (the report is complete)" "$tmp/err" && ok ||
        bad "full $name: no summary of the failed snapshots: $(head -c 400 "$tmp/err")"
    grep -q "No space left on device\|disk full\|cannot write" "$tmp/err" && ok ||
        bad "full $name: no message on why: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/want" "$tmp/got" && ok || bad "full $name: the report differs from a run without snapshots"
    ls "$d"/*.tmp > /dev/null 2>&1 && bad "full $name: a temporary file is left: $(ls "$d")" || ok
    empty=$(find "$d" -type f -empty ! -name .lock)
    [ -z "$empty" ] && ok || bad "full $name: empty files left: $empty"
    # Every log file is listed by a kept snapshot, and every snapshot verifies.
    listed=$(for s in "$d"/snap-*.h5; do head -c 4096 "$s" | tr -d '\0' | awk '$1 == "log" { print $3 }'; done | sort -u)
    present=$(cd "$d" && ls log-* 2>/dev/null | sort)
    [ "$listed" = "$present" ] && ok || bad "full $name: log files $present, listed $listed"
    n=0
    for s in "$d"/snap-*.h5; do
        [ -e "$s" ] || continue
        n=$((n + 1))
        "$es" inspect "$s" > /dev/null 2>&1 && ok || bad "full $name: $s does not verify"
    done
    [ $n -ge 1 ] && ok || bad "full $name: no snapshot at all was written"
    # Resume from the last good snapshot: the same answers (its own snapshots fail too).
    "$es" run --ops "$fops" --format tsv --quiet --snapshot-dir "$d" --snapshot-every 20000 --resume "$tmp/r14.txt" \
        > "$tmp/got" 2> "$tmp/err"
    st=$?
    [ $st = 74 ] || [ $st = 0 ] && ok || bad "full $name: resume exited $st: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/want" "$tmp/got" && ok || bad "full $name: resumed answers differ"
    umount "$d" && mounted=
}
full_case thread cc,degree,tri,tri-est:m=50000,seed=5,bipartite,cm,topk,hll
full_case fork cc,degree,tri,spanner,bipartite,cm

echo "fault tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
