#!/bin/sh
# test_snapshot.sh EDGESTREAM [KILLS] — snapshots, resume and their bad cases:
#   - crash test: run with frequent snapshots, SIGKILL it at KILLS random
#     moments (default 20; some land during a snapshot write), resume each
#     time (alternating --threads 1 and 2), and compare the final tsv with
#     an uninterrupted run's, byte for byte;
#   - corruption: truncated, bit-flipped, leftover temporary, deleted newest,
#     no valid snapshot; mismatches: other input, other operators, other
#     format; the documented HDF5 layout (h5dump -H); inspect.
# Prints "N passed, N failed"; exits non-zero on any failure.
es=${1:-build/edgestream}
kills=${2:-20}
case $es in /*) ;; *) es=$PWD/$es ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The operators under test: every one that can snapshot.
ops=${ES_SNAPSHOT_OPS:-cc,degree,bipartite,tri,tri-est:m=3000,spanner:k=2,cm,topk:k=5,hll}
"$es" gen rmat --scale 15 --edge-factor 8 --seed 3 -o "$tmp/g.txt"
"$es" run --ops "$ops" --format tsv --quiet "$tmp/g.txt" > "$tmp/want.tsv" || bad "uninterrupted run failed"

# ---- crash test -------------------------------------------------------------
# Rounds: each starts afresh, kills the run at random moments and resumes it
# until one run completes, then compares; rounds go on until KILLS kills.
seed=${ES_CRASH_SEED:-7}
killed=0
round=0
while [ $killed -lt "$kills" ]; do
    round=$((round + 1))
    dir=$tmp/snaps-$round
    i=0
    finished=no
    while [ $finished = no ]; do
        i=$((i + 1))
        threads=$((i % 2 + 1))
        "$es" run --ops "$ops" --format tsv --quiet --batch 2000 --threads $threads \
            --snapshot-dir "$dir" --snapshot-every 4000 --resume "$tmp/g.txt" > "$tmp/got.tsv" 2> "$tmp/err" &
        pid=$!
        delay=$(awk -v s="$seed" -v r="$round" -v i="$i" 'BEGIN { srand(s * 100000 + r * 1000 + i); printf "%.3f", 0.05 + rand() * 0.5 }')
        [ $killed -ge "$kills" ] && delay=600   # enough kills: let it finish
        sleep "$delay" &
        sleeper=$!
        # Whichever ends first: the run, or the sleep (then kill the run).
        while kill -0 $pid 2>/dev/null && kill -0 $sleeper 2>/dev/null; do sleep 0.02; done
        if kill -9 $pid 2>/dev/null; then
            wait $pid 2>/dev/null
            killed=$((killed + 1))
        else
            wait $pid
            st=$?
            finished=yes
            [ $st = 0 ] || { bad "round $round: resumed run exited $st: $(cat "$tmp/err")"; break; }
        fi
        kill $sleeper 2>/dev/null
        wait $sleeper 2>/dev/null
    done
    if cmp -s "$tmp/want.tsv" "$tmp/got.tsv"; then ok; else bad "crash round $round: final answers differ"; diff "$tmp/want.tsv" "$tmp/got.tsv" | head -5; fi
    n=$(ls "$dir"/snap-*.h5 2>/dev/null | wc -l)
    [ "$n" -ge 1 ] && [ "$n" -le 3 ] && ok || bad "round $round: $n snapshots left (--keep 3)"
    ls "$dir"/*.tmp >/dev/null 2>&1 && bad "round $round: a temporary file was left behind" || ok
done
echo "crash test: $killed kills in $round round(s)"

# ---- a clean run with snapshots, then the bad cases -------------------------
fresh() { # fresh DIR: a run that leaves snapshots at 8000, 16000, ... and the end
    rm -rf "$1"
    "$es" run --ops "$ops" --format tsv --quiet --batch 2000 --snapshot-dir "$1" --snapshot-every 8000 \
        --snapshot-wait --keep 100 "$tmp/g.txt" > "$tmp/out" 2>&1 || bad "snapshot run failed: $(cat "$tmp/out")"
    [ "$(ls "$1"/snap-*.h5 | wc -l)" -ge 30 ] && ok || bad "--snapshot-wait: a snapshot at every barrier expected"
}
expect() { # NAME STATUS STDERR_SUBSTRING -- CMD...
    name=$1 want=$2 msg=$3; shift 4
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then bad "$name: exit $got, wanted $want: $(head -c 400 "$tmp/err")"
    elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then bad "$name: stderr lacks '$msg': $(head -c 400 "$tmp/err")"
    else ok; fi
}
resume() { "$es" run --ops "$ops" --format tsv --batch 2000 --snapshot-dir "$1" --resume "$tmp/g.txt"; }
newest() { ls "$1"/snap-*.h5 | sort | tail -n 1; }
# Take the newest snapshot (the end of the stream) away, so resuming has work to do.
drop_final() { rm -f "$(newest "$1")"; }

d=$tmp/d1; fresh "$d"; drop_final "$d"
victim=$(newest "$d")
size=$(wc -c < "$victim")
head -c $((size / 2)) "$victim" > "$victim.cut" && mv "$victim.cut" "$victim"
expect "truncated newest" 0 "truncated" -- resume "$d"
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "after a truncated snapshot: answers differ"

d=$tmp/d2; fresh "$d"; drop_final "$d"
victim=$(newest "$d")
printf '\377\377\377\377' | dd of="$victim" bs=1 seek=4000 conv=notrunc 2>/dev/null
expect "flipped bytes" 0 "checksum mismatch" -- resume "$d"
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "after a corrupt snapshot: answers differ"

d=$tmp/d3; fresh "$d"; drop_final "$d"
echo "partial" > "$d/snap-000099.h5.tmp"
expect "leftover temporary" 0 "removed $d/snap-000099.h5.tmp" -- resume "$d"
[ -e "$d/snap-000099.h5.tmp" ] && bad "leftover temporary not removed" || ok
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "after a leftover temporary: answers differ"

d=$tmp/d4; fresh "$d"; drop_final "$d"; drop_final "$d"
expect "deleted newest" 0 "resuming from" -- resume "$d"
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "after deleting the newest: answers differ"

d=$tmp/d5; fresh "$d"
for f in "$d"/snap-*.h5; do printf 'garbage' | dd of="$f" bs=1 seek=2000 conv=notrunc 2>/dev/null; done
expect "no valid snapshot" 65 "no valid snapshot in $d" -- resume "$d"

d=$tmp/d6; fresh "$d"
before=$(ls "$d" | wc -l)
"$es" gen rmat --scale 15 --edge-factor 8 --seed 4 -o "$tmp/other.txt"
cp "$tmp/other.txt" "$tmp/g2.txt"
expect "other input" 78 "this run reads" -- "$es" run --ops "$ops" --snapshot-dir "$d" --resume "$tmp/other.txt"
cp "$tmp/g.txt" "$tmp/g.bak"; cp "$tmp/other.txt" "$tmp/g.txt"
expect "changed input" 78 "has changed" -- resume "$d"
cp "$tmp/g.bak" "$tmp/g.txt"
expect "other operators" 78 "holds operators" -- "$es" run --ops cc --snapshot-dir "$d" --resume "$tmp/g.txt"
[ "$(ls "$d" | wc -l)" = "$before" ] && ok || bad "a refused resume changed the snapshot directory"
victim=$(newest "$d")
printf 'edgestream snapshot\nformat 9\n' | dd of="$victim" bs=1 conv=notrunc 2>/dev/null
expect "other format" 78 "format 9" -- resume "$d"

expect "stdin cannot be resumed" 64 "standard input" -- sh -c "'$es' run --snapshot-dir '$tmp/d7' - < '$tmp/g.txt'"
expect "resume needs a dir" 64 "--snapshot-dir" -- "$es" run --resume "$tmp/g.txt"
expect "bad every" 64 "--snapshot-every" -- "$es" run --snapshot-dir "$tmp/d8" --snapshot-every 5x "$tmp/g.txt"

# A run that stops on bad data leaves only complete snapshots.
{ cat "$tmp/g.txt"; echo "1 x"; } > "$tmp/bad.txt"
expect "bad data with snapshots" 65 "expected a second vertex id" -- \
    "$es" run --ops "$ops" --quiet --batch 2000 --snapshot-dir "$tmp/d9" --snapshot-every 8000 "$tmp/bad.txt"
ls "$tmp/d9"/*.tmp >/dev/null 2>&1 && bad "bad data left a partial snapshot" || ok
for f in "$tmp/d9"/snap-*.h5; do
    [ -e "$f" ] || continue
    "$es" inspect "$f" > /dev/null 2>&1 && ok || bad "bad data left an invalid snapshot $f"
done

# ---- layout and inspect -----------------------------------------------------
d=$tmp/d10; fresh "$d"
final=$(newest "$d")
if command -v h5dump >/dev/null; then
    h5dump -H "$final" > "$tmp/h5" 2>&1
    for name in 'GROUP "/"' 'GROUP "idmap"' 'DATASET "external_ids"' 'GROUP "operators"' \
                'ATTRIBUTE "format_version"' 'ATTRIBUTE "edgestream_version"' 'ATTRIBUTE "snapshot_id"' \
                'ATTRIBUTE "parent_id"' 'ATTRIBUTE "created_unix_ns"' 'ATTRIBUTE "edges_consumed"' \
                'ATTRIBUTE "source_kind"' 'ATTRIBUTE "source_offset"' 'ATTRIBUTE "source_identity"' \
                'ATTRIBUTE "config"' 'GROUP "cc"' 'GROUP "degree"'; do
        grep -qF "$name" "$tmp/h5" && ok || bad "h5dump -H lacks $name"
    done
else
    echo "skipped: h5dump not installed"
fi
"$es" inspect --format tsv "$final" > "$tmp/inspect.tsv" && ok || bad "inspect failed"
grep -v '^snapshot	' "$tmp/inspect.tsv" > "$tmp/inspect-ops.tsv"
cmp -s "$tmp/inspect-ops.tsv" "$tmp/want.tsv" && ok || bad "inspect's answers differ from the run's"
grep -q "^snapshot	edges_consumed	$(awk -F'\t' '$2=="edges"{print $3; exit}' "$tmp/want.tsv")$" "$tmp/inspect.tsv" && ok || bad "inspect: edges_consumed"
"$es" inspect "$final" > /dev/null && ok || bad "inspect text failed"
cp "$final" "$tmp/corrupt.h5"; printf 'xx' | dd of="$tmp/corrupt.h5" bs=1 seek=3000 conv=notrunc 2>/dev/null
expect "inspect corrupt" 65 "checksum mismatch" -- "$es" inspect "$tmp/corrupt.h5"
expect "inspect missing" 66 "cannot open" -- "$es" inspect "$tmp/nope.h5"

echo "snapshot tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
