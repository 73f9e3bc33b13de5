#!/bin/sh
# test_readers.sh EDGESTREAM — snapshots as outside tools see them, and
# `edgestream export`:
#   - export: OUT.h5 verifies, holds every dataset itself (no log files:
#     inspect, h5dump and h5py read it with the run's directory gone), and
#     inspect prints the same answers as for the source snapshot; an
#     existing OUT.h5 is replaced; refused: missing arguments, one too many,
#     OUT.h5 being SNAP.h5 (64), a missing source (66), a corrupt source or
#     a missing or corrupt log it refers to (65), an OUT.h5 that cannot be
#     written (74); no OUT.h5 nor leftover appears on any failure.
# Prints "test_readers: N passed, N failed"; exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"
py=
for p in ${PYTHON:-python3} /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import h5py, numpy' 2>/dev/null; then py=$p; break; fi
done

# no_leftover NAME DIR: nothing but the expected files appeared in DIR.
no_leftover() {
    if ls -A "$2" | grep -q 'edgestream-export\|\.tmp$'; then bad "$1: leftover in $2: $(ls -A "$2")"; else ok; fi
}
# flip FILE OFFSET: change one byte.
flip() {
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

ops=cc,degree,tri,tri-est:m=40,spanner,cm,topk,hll
g=$here/datasets/zachary.txt
run_snaps() { "$es" run --ops "$ops" --quiet --batch 10 --snapshot-dir "$1" --snapshot-every 30 "$g" > /dev/null; }
run_snaps "$tmp/run" || bad "the run that makes the snapshots failed"
snap=$(ls "$tmp/run"/snap-*.h5 | tail -n 1)
ls "$tmp/run" | grep -q '^log-' && ok || bad "the run wrote no log files: the test would prove nothing"

# ---- export --------------------------------------------------------------
mkdir "$tmp/share"
expect "export" 0 "" -- "$es" export "$snap" "$tmp/share/one.h5"
"$es" inspect --format tsv "$snap" > "$tmp/want.tsv" || bad "inspect of the source failed"
rm -rf "$tmp/run.moved" && mv "$tmp/run" "$tmp/run.moved"   # the logs are gone from where they were
expect "inspect export" 0 "" -- "$es" inspect --format tsv "$tmp/share/one.h5"
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "inspect of the export differs from the source: $(diff "$tmp/want.tsv" "$tmp/out" | head -5)"
[ "$(ls -A "$tmp/share")" = one.h5 ] && ok || bad "export left more than OUT.h5: $(ls -A "$tmp/share")"
if command -v h5dump >/dev/null; then
    h5dump -p -H "$tmp/share/one.h5" > "$tmp/h5" 2>&1 || bad "h5dump -H of the export failed"
    grep -q 'EXTERNAL\|VIRTUAL' "$tmp/h5" && bad "the export still refers to other files" || ok
    (cd / && h5dump -d /idmap/external_ids "$tmp/share/one.h5") > "$tmp/h5" 2>&1 || bad "h5dump -d of the export failed"
    grep -qF "SIMPLE { ( 34 ) / ( 34 ) }" "$tmp/h5" && ok || bad "h5dump: the export's id map is not 34 ids: $(head -c 300 "$tmp/h5")"
else
    echo "test_readers: h5dump checks skipped: h5dump not installed"
fi
if [ -n "$py" ]; then
    (cd / && "$py" -c 'import sys, h5py
f = h5py.File(sys.argv[1], "r")
k = f["/edges/keys"][:]
print(f.attrs["operators"], len(k), int(f["/operators/tri"].attrs["triangles"]))' "$tmp/share/one.h5") > "$tmp/py" 2>&1
    want_ops=$(awk -F'\t' '$1 == "snapshot" && $2 == "operators" { print $3 }' "$tmp/want.tsv")
    [ -n "$want_ops" ] && [ "$(cat "$tmp/py")" = "$want_ops 78 45" ] && ok || bad "h5py on the export: $(head -c 300 "$tmp/py")"
else
    echo "test_readers: h5py checks skipped: no python3 with h5py and numpy"
fi
mv "$tmp/run.moved" "$tmp/run"
# An existing OUT.h5 is replaced (whole).
echo "not a snapshot" > "$tmp/share/two.h5"
expect "export over a file" 0 "" -- "$es" export "$snap" "$tmp/share/two.h5"
expect "inspect export over a file" 0 "" -- "$es" inspect --format tsv "$tmp/share/two.h5"
cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "export over an existing file: other answers"

# ---- export refusals ---------------------------------------------------------
expect "export, no arguments" 64 "expected a snapshot file and an output file" -- "$es" export
expect "export, one argument" 64 "expected a snapshot file and an output file" -- "$es" export "$snap"
expect "export, three arguments" 64 "expected a snapshot file and an output file" -- "$es" export "$snap" "$tmp/a.h5" "$tmp/b.h5"
expect "export, unknown option" 64 "Unknown option" -- "$es" export --nope "$snap" "$tmp/a.h5"
expect "export onto itself" 64 "the output is the snapshot itself" -- "$es" export "$snap" "$snap"
"$es" inspect "$snap" > /dev/null 2>&1 && ok || bad "export onto itself damaged the snapshot"
expect "export, missing source" 66 "cannot open snapshot" -- "$es" export "$tmp/none.h5" "$tmp/a.h5"
[ -e "$tmp/a.h5" ] && bad "a failed export left $tmp/a.h5" || ok
expect "export to a missing directory" 74 "cannot write $tmp/no/such/dir/a.h5" -- "$es" export "$snap" "$tmp/no/such/dir/a.h5"
expect "export under a file" 74 "cannot write" -- "$es" export "$snap" "$snap/a.h5"
expect "export onto a directory" 74 "cannot write" -- "$es" export "$snap" "$tmp/share"
[ -d "$tmp/share" ] && [ -f "$tmp/share/one.h5" ] && ok || bad "export onto a directory changed it"
no_leftover "export onto a directory" "$tmp/share"
no_leftover "export onto a directory" "$tmp"

cp -r "$tmp/run" "$tmp/bad1"
victim=$(ls "$tmp/bad1"/snap-*.h5 | tail -n 1)
flip "$victim" 5000
expect "export, corrupt source" 65 "checksum mismatch" -- "$es" export "$victim" "$tmp/share/bad.h5"
[ -e "$tmp/share/bad.h5" ] && bad "export of a corrupt snapshot wrote OUT.h5" || ok
cp -r "$tmp/run" "$tmp/bad2"
victim=$(ls "$tmp/bad2"/snap-*.h5 | tail -n 1)
# (a log the snapshot lists: the previous generation's files may be there too)
log=$tmp/bad2/$(head -c 4096 "$victim" | tr -d '\000' | awk '$1 == "log" { print $3; exit }')
flip "$log" 0
expect "export, corrupt log" 65 "fails its checksum" -- "$es" export "$victim" "$tmp/share/bad.h5"
rm "$log"
expect "export, missing log" 65 "cannot be read" -- "$es" export "$victim" "$tmp/share/bad.h5"
[ -e "$tmp/share/bad.h5" ] && bad "export with a bad log wrote OUT.h5" || ok
no_leftover "failed exports" "$tmp/share"

echo "test_readers: $pass passed, $fail failed"
[ "$fail" = 0 ]
