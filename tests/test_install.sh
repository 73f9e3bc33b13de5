#!/bin/sh
# test_install.sh BUILD — the library as its users meet it: `make install`
# into a temporary prefix (and into a DESTDIR), then, from there alone,
# the examples compiled with `pkg-config --cflags --libs edgestream` (and
# statically, libedgestream.a in place of -ledgestream) and run on datasets with known answers
# (datasets/ANSWERS.md), the README's C and Python examples, the Python
# module's pytest suite against NetworkX (tests/test_python.py), and
# `make uninstall` leaving no file behind.  Only edgestream.h may be
# installed as a header, and the shared library must export nothing but
# its calls.
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$here/$build ;; esac
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tests/lib.sh"
MAKE=${MAKE:-make}
prefix=$tmp/prefix

$MAKE -s --no-print-directory -C "$here" BUILD="$build" PREFIX="$prefix" install > "$tmp/install.log" 2>&1 ||
    { echo "FAIL: make install: $(tail -n 5 "$tmp/install.log")"; exit 1; }
pydir=$(dirname "$(find "$prefix/lib" -name 'edgestream*.so' -path '*dist-packages*')")

# What is installed, and nothing of the internals.
for f in bin/edgestream lib/libedgestream.a lib/libedgestream.so.0 lib/libedgestream.so include/edgestream.h \
         lib/pkgconfig/edgestream.pc; do
    [ -e "$prefix/$f" ] && ok || bad "install: no $f"
done
[ "$(find "$prefix/include" -type f | wc -l)" = 1 ] && ok || bad "install: headers beside edgestream.h: $(find "$prefix/include" -type f)"
[ -n "$pydir" ] && ok || bad "install: no Python module"
readelf -d "$prefix/lib/libedgestream.so" | grep -q 'SONAME.*\[libedgestream.so.0\]' && ok || bad "soname is not libedgestream.so.0"
# Every exported function is edgestream_*.
others=$(nm -D --defined-only "$prefix/lib/libedgestream.so" | awk '$2 == "T" && $3 !~ /^edgestream_/ { print $3 }' | head -n 5)
[ -z "$others" ] && ok || bad "the shared library exports internals: $others"
# The server's libraries stay with the tool: not in the library nor its pkg-config file.
tooldeps=$(readelf -d "$prefix/lib/libedgestream.so" | grep -E 'NEEDED.*(soup|hiredis)')
[ -z "$tooldeps" ] && ok || bad "the library needs the server's libraries: $tooldeps"
grep -qE 'soup|hiredis' "$prefix/lib/pkgconfig/edgestream.pc" && bad "edgestream.pc requires the server's libraries" || ok

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs edgestream) && ok || bad "pkg-config --cflags --libs edgestream failed"
case " $flags " in *" -fopenmp "*) ok ;; *) bad "pkg-config gives no -fopenmp: $flags" ;; esac
cd "$tmp" || exit 1
for ex in components triangles; do
    # shellcheck disable=SC2086
    cc -std=c11 -Wall -Wextra -Werror -o "$ex" "$here/examples/$ex.c" $flags 2> "$ex.err" && ok ||
        bad "examples/$ex.c does not compile against the installed library: $(head -c 400 "$ex.err")"
done
readelf -d components 2>/dev/null | grep -q 'NEEDED.*libedgestream.so.0' && ok || bad "components is not linked to libedgestream.so.0"
export LD_LIBRARY_PATH="$prefix/lib"
check() {   # check NAME WANT CMD...: stdout of CMD is WANT
    name=$1 want=$2; shift 2
    got=$("$@" 2>&1)
    [ "$got" = "$want" ] && ok || bad "$name: got '$got', wanted '$want'"
}
check "components zachary" "vertices 34 edges 78 components 1 largest 34" ./components "$here/datasets/zachary.txt"
check "components two triangles" "vertices 7 edges 13 components 3 largest 3" \
    ./components "$here/datasets/two-triangles-and-isolated.txt"
check "components grid" "vertices 100 edges 180 components 1 largest 100" ./components "$here/datasets/grid-10x10.txt"
gzip -c "$here/datasets/petersen.txt" > petersen.txt.gz
check "components gzip" "vertices 10 edges 15 components 1 largest 10" ./components petersen.txt.gz
./components "$here/datasets/bad/non-numeric-id.txt" > /dev/null 2> err; st=$?
[ "$st" = 65 ] && grep -q "non-numeric-id.txt:" err && ok || bad "components on a bad file: exit $st, $(cat err)"
./components /nonexistent.txt 2> /dev/null; st=$?
[ "$st" = 66 ] && ok || bad "components on a missing file: exit $st"
./triangles 20 < "$here/datasets/zachary.txt" > tri.out
[ "$(sed -n 1p tri.out)" = "edges 20 triangles $(head -n 20 "$here/datasets/zachary.txt" | "$prefix/bin/edgestream" run --ops tri --format tsv --quiet - | awk '$2 == "triangles" { print $3 }')" ] &&
    ok || bad "triangles: first report $(sed -n 1p tri.out)"
[ "$(tail -n 2 tri.out | tr '\n' ' ')" = "edges 78 triangles 45 vertex 0 is in 18 triangles " ] && ok ||
    bad "triangles: ended with $(tail -n 2 tri.out | tr '\n' ' ')"

# Statically: libedgestream.a in place of -ledgestream, the rest as given.
# shellcheck disable=SC2086
cc -std=c11 -o components-static "$here/examples/components.c" "$prefix/lib/libedgestream.a" \
    $(echo "$flags" | sed 's/-ledgestream//') 2> static.err && ok ||
    bad "components does not link statically: $(head -c 400 static.err)"
readelf -d components-static | grep -q libedgestream && bad "components-static needs the shared library" || ok
check "components static" "vertices 34 edges 78 components 1 largest 34" ./components-static "$here/datasets/zachary.txt"

# The README's examples, as written there.
awk '/^## The C library/ { sec = 1 } sec && /^```c$/ { on = 1; next } on && /^```$/ { exit } on' "$here/README.md" > readme.c
# shellcheck disable=SC2086
if [ -s readme.c ] && cc -std=c11 -Wall -Wextra -Werror -o readme readme.c $flags 2> readme.err; then
    check "README's C example" "$(cat "$here/tests/readme-c.out")" ./readme "$here/datasets/zachary.txt"
else
    bad "README's C example does not compile: $(head -c 400 readme.err)"
fi
awk '/^## The Python module/ { sec = 1 } sec && /^```python$/ { on = 1; next } on && /^```$/ { exit } on' "$here/README.md" > readme.py
cp "$here/datasets/zachary.txt" .
if [ -s readme.py ] && PYTHONPATH="$pydir" "$PY" readme.py > readme-py.out 2> readme-py.err; then
    cmp -s readme-py.out "$here/tests/readme-py.out" && ok || bad "README's Python example printed: $(cat readme-py.out)"
else
    bad "README's Python example failed: $(tail -n 5 readme-py.err)"
fi

# The Python module, installed, against NetworkX.
if PYTHONPATH="$pydir" ES_BIN="$prefix/bin/edgestream" ES_DATASETS="$here/datasets" \
    "$PY" -m pytest -q -p no:cacheprovider "$here/tests/test_python.py" > pytest.out 2>&1; then
    ok
    tail -n 1 pytest.out
else
    bad "pytest tests/test_python.py: $(tail -n 30 pytest.out)"
fi

# uninstall removes every file install wrote; DESTDIR stages under it.
$MAKE -s --no-print-directory -C "$here" BUILD="$build" PREFIX="$prefix" uninstall > /dev/null 2>&1
left=$(find "$prefix" -type f -o -type l | head -n 5)
[ -z "$left" ] && ok || bad "make uninstall left $left"
$MAKE -s --no-print-directory -C "$here" BUILD="$build" PREFIX=/opt/es DESTDIR="$tmp/stage" install > /dev/null 2>&1
[ -e "$tmp/stage/opt/es/lib/libedgestream.so.0" ] && grep -q '^prefix=/opt/es$' "$tmp/stage/opt/es/lib/pkgconfig/edgestream.pc" &&
    ok || bad "make install DESTDIR=... PREFIX=/opt/es did not stage under DESTDIR"
$MAKE -s --no-print-directory -C "$here" BUILD="$build" PREFIX=/opt/es DESTDIR="$tmp/stage" uninstall > /dev/null 2>&1
[ -z "$(find "$tmp/stage" -type f -o -type l)" ] && ok || bad "make uninstall DESTDIR=... left files"

echo "test_install: $pass passed, $fail failed"
[ "$fail" = 0 ]
