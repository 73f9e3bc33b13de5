#!/bin/sh
# test_tools.sh EDGESTREAM — what comes with the binary: `edgestream plot`
# (SVG and PNG files produced and well-formed, from json reports and from
# a snapshot; its refusals), the man page (renders without warnings, names
# every subcommand and every option the binary's help lists) and the bash
# completion (subcommands, options, operator names).
# Prints "N passed, N failed" and exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"
py=/usr/bin/python3
cd "$tmp" || exit 1

"$es" gen famous Zachary > z.txt

# ---- plot ------------------------------------------------------------------
# well_formed DIR EXT NAMES...: each file exists and parses (SVG as XML with
# an <svg> root, PNG by its signature and IHDR chunk of a non-empty image).
well_formed() {
    dir=$1 ext=$2; shift 2
    for n in "$@"; do
        if $py - "$dir/$n.$ext" <<'PY'; then ok; else bad "plot: $dir/$n.$ext missing or malformed"; fi
import struct, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
if path.endswith(".svg"):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), root.tag
    assert len(list(root.iter())) > 20        # axes, points, labels
else:
    b = open(path, "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR"
    w, h = struct.unpack(">II", b[16:24])
    assert w > 100 and h > 100 and b"IEND" in b[-12:]
PY
    done
}
if command -v gnuplot > /dev/null; then
    "$es" run --quiet --ops cc,degree,tri,tri-est:m=30,hll --format json --report-every 10 z.txt > r.json
    expect "plot svg" 0 "" -- "$es" plot --out svg r.json
    well_formed svg svg degree components estimate
    [ "$(wc -l < out)" = 3 ] && ok || bad "plot names its 3 files: $(cat out)"
    # the estimate plot has a point per report: 8 reports, tri-est and tri
    grep -c "<path" svg/estimate.svg > /dev/null && ok || bad "plot: estimate.svg draws nothing"
    expect "plot png" 0 "" -- "$es" plot --png --out png r.json
    well_formed png png degree components estimate
    expect "plot from stdin" 0 "" -- sh -c "'$es' run --quiet --ops degree --format json z.txt | '$es' plot --out in -"
    well_formed in svg degree
    [ ! -e in/components.svg ] && ok || bad "plot drew components without cc"
    "$es" run --quiet --ops cc,degree --snapshot-dir snaps z.txt > /dev/null
    expect "plot a snapshot" 0 "" -- "$es" plot --out snap snaps/snap-000001.h5
    well_formed snap svg degree components
    expect "plot script" 0 "" -- "$(dirname "$es")/edgestream-plot" --out script r.json
    well_formed script svg degree
    expect "plot an edge list" 65 "expected a json report" -- "$es" plot z.txt
    "$es" run --quiet --ops bipartite --format json z.txt > b.json
    expect "plot nothing to draw" 65 "nothing to draw" -- "$es" plot b.json
    expect "plot missing input" 66 "cannot open" -- "$es" plot nosuch.json
    expect "plot no input" 64 "expected one input" -- "$es" plot
    expect "plot bad option" 64 "unknown option --pgn" -- "$es" plot --pgn r.json
    expect "plot without gnuplot" 69 "gnuplot-nox" -- env PATH=/nonexistent /usr/bin/python3 "$(dirname "$es")/edgestream-plot" r.json
else
    echo "test_tools: plot checks skipped: no gnuplot (apt-get install gnuplot-nox)"
fi
expect "plot --help" 0 "" -- "$es" plot --help
grep -q "Exit status: 0" out && grep -q "edgestream plot" out && ok || bad "plot --help: $(head -n 3 out)"

# ---- the man page --------------------------------------------------------------
man1=$here/docs/edgestream.1
groff -man -Tutf8 -ww -z "$man1" 2> warn.txt
[ ! -s warn.txt ] && ok || bad "man page warnings: $(head -n 3 warn.txt)"
MANWIDTH=100 man -l "$man1" > man.txt 2> /dev/null
for cmd in run gen inspect compare export plot help; do
    grep -q "^ *$cmd\$\|edgestream $cmd" man.txt && ok || bad "man page lacks the command $cmd"
done
for cmd in run gen inspect compare export; do
    for opt in $("$es" $cmd --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' | grep -v -- '--help'); do
        grep -q -- "$opt" man.txt && ok || bad "man page lacks $cmd's option $opt"
    done
done
for s in 0 1 64 65 66 69 70 71 74 78; do
    grep -qE "^ +$s( |\$)" man.txt && ok || bad "man page lacks exit status $s"
done

# ---- bash completion -----------------------------------------------------------
# complete WORDS...: what the completion offers for the last word.
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _edgestream; echo "${COMPREPLY[*]}"' \
        sh "$here/tools/edgestream.bash-completion" "$@"
}
check_completion() {
    want=$1; shift
    got=$(complete_words "$@")
    [ "$got" = "$want" ] && ok || bad "completion of '$*': '$got', wanted '$want'"
}
check_completion "run" "$es" ru
check_completion "compare" "$es" comp
check_completion "--format" "$es" run --form
check_completion "--skip-bad" "$es" compare --sk
check_completion "cc,degree" "$es" run --ops cc,deg
check_completion "tri tri-est topk" "$es" run --ops t
check_completion "json" "$es" run --format j
check_completion "inspect" "$es" help ins
check_completion "rmat" "$es" gen rm

echo "tools tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
