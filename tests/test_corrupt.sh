#!/bin/sh
# test_corrupt.sh EDGESTREAM [N] — one damaged file never costs the answer.
#
# A run of cc,degree,tri,tri-est over an R-MAT graph (scale 12, 40960 edge
# lines) takes a snapshot every 1500 edges (--snapshot-wait, --keep 3), its
# final snapshot is dropped (so that a resume streams the rest), and then,
# N times (default 24) on a fresh copy of that directory, one random byte of
# one random file (a snapshot or a log file; within the bytes some kept
# snapshot relies on: a snapshot file whole, a log file up to the longest
# prefix a kept snapshot lists, not its unwritten room) is changed to
# another value, and the run resumed.  Each outcome is one of
#   resumed    the damage was detected (`inspect` refuses, exit 65, every
#              snapshot that relies on the byte) and the resumed run's
#              final answers are those of an uninterrupted run;
#   refused    detected, but no snapshot verified (exit 65);
#   unnoticed  a snapshot that relies on the byte verifies;
#   wrong      exit 0 with other answers, or another exit status.
# Passes when every damage is detected (no unnoticed, no wrong) and at
# least 95% resumed.  Prints the counts.  `make test-corrupt N=200`.
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
n=${2:-24}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ops=cc,degree,tri,tri-est:m=2000,seed=5
"$es" gen rmat --scale 12 --seed 7 -o "$tmp/g.txt" || { echo "FAIL: gen"; exit 1; }
"$es" run --ops "$ops" --format tsv --quiet "$tmp/g.txt" > "$tmp/want.tsv" || { echo "FAIL: uninterrupted run"; exit 1; }
"$es" run --ops "$ops" --format tsv --quiet --batch 500 --snapshot-dir "$tmp/base" --snapshot-every 1500 \
    --snapshot-wait "$tmp/g.txt" > /dev/null || { echo "FAIL: the snapshot run failed"; exit 1; }
rm "$(ls "$tmp"/base/snap-*.h5 | sort | tail -n 1)"
(cd "$tmp/base" && ls) > "$tmp/files"
# The bytes of each file that a kept snapshot relies on.
for f in $(cat "$tmp/files"); do
    case $f in
    snap-*) echo "$f $(wc -c < "$tmp/base/$f")" ;;
    log-*) for s in "$tmp"/base/snap-*.h5; do head -c 4096 "$s" | tr -d '\000' | grep "^log " ; done |
           awk -v f="$f" '$3 == f && $4 > max { max = $4 } END { print f, max + 0 }' ;;
    esac
done > "$tmp/regions"
resumed=0 refused=0 unnoticed=0 wrong=0
i=0
while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    set -- $(awk -v seed="$i" 'BEGIN { srand(seed) } { f[NR] = $1; len[NR] = $2 }
        END { k = int(rand() * NR) + 1; print f[k], int(rand() * len[k]), int(rand() * 255) + 1 }' "$tmp/regions")
    file=$1 at=$2 x=$3
    rm -rf "$tmp/d" && cp -r "$tmp/base" "$tmp/d"
    b=$(od -An -tu1 -j "$at" -N1 "$tmp/d/$file" | tr -d ' ')
    printf "$(printf '\\%03o' $(((b ^ x) & 255)))" | dd of="$tmp/d/$file" bs=1 seek="$at" conv=notrunc 2>/dev/null
    # Detected: every snapshot that relies on the byte is refused by inspect.
    detected=1
    for snap in "$tmp"/d/snap-*.h5; do
        relies=0
        if [ "$(basename "$snap")" = "$file" ]; then relies=1
        elif head -c 4096 "$snap" | tr -d '\000' | awk -v f="$file" -v at="$at" '$1 == "log" && $3 == f && $4 > at { found = 1 } END { exit !found }'; then
            relies=1
        fi
        if [ "$relies" = 1 ]; then
            "$es" inspect "$snap" > /dev/null 2>&1
            [ $? = 65 ] || detected=0
        fi
    done
    "$es" run --ops "$ops" --format tsv --batch 500 --snapshot-dir "$tmp/d" --resume "$tmp/g.txt" > "$tmp/out" 2> "$tmp/err"
    status=$?
    if [ "$detected" = 0 ]; then
        unnoticed=$((unnoticed + 1)); echo "UNNOTICED: byte $at of $file: a snapshot relying on it verifies"
    elif [ "$status" = 0 ] && cmp -s "$tmp/out" "$tmp/want.tsv"; then
        resumed=$((resumed + 1))
    elif [ "$status" = 65 ] && grep -q "no valid snapshot" "$tmp/err"; then
        refused=$((refused + 1)); echo "refused: byte $at of $file"
    else
        wrong=$((wrong + 1)); echo "WRONG: byte $at of $file: exit $status: $(head -c 300 "$tmp/err")"
    fi
done
echo "corruption test: $n damaged files, $((n - unnoticed)) detected: $resumed resumed with identical answers," \
     "$refused refused (no valid snapshot), $unnoticed unnoticed, $wrong wrong"
[ "$wrong" = 0 ] && [ "$unnoticed" = 0 ] && [ $((resumed * 100)) -ge $((n * 95)) ]
