#!/bin/sh
# test_output.sh EDGESTREAM — what scripts rely on: json with numbers as
# numbers and lists as arrays, tsv with its header and report rows, no
# report printed twice, doubles that read back exactly, compare's json, the
# metric names of README.md; and a CLI that helps: did-you-mean, help,
# usage lines, exit statuses in every help, counts (10k, 1M, 1e6), usage
# errors, resume under another path, clear messages for a non-snapshot and
# for corrupt gzip, progress lines for a log.
# Prints "N passed, N failed" and exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"
py=/usr/bin/python3
cd "$tmp" || exit 1

# has FILE STRING: the file holds the fixed string.
has() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi; }

"$es" gen famous Zachary > z.txt
allops="cc,degree,bipartite,tri,tri-est:m=40,cm,topk,hll,spanner"

# ---- json -----------------------------------------------------------------
expect "json" 0 "" -- "$es" run --ops "$allops" --format json --quiet --report-every 39 z.txt
cp out z.json
# Hand-checked on Zachary: vertex 0 is in 18 triangles, 33 in 15; degree 17
# of vertex 33 and 16 of vertex 0 lead Space-Saving's list; one component of 34.
$py - z.json <<'PY' && ok || bad "json shape"
import json, sys
reports = [json.loads(l) for l in open(sys.argv[1])]
assert [r["edges"] for r in reports] == [39, 78], [r["edges"] for r in reports]
assert [r["final"] for r in reports] == [False, True]
ops = reports[-1]["operators"]
assert ops["tri"]["top"][:2] == [[0, 18], [33, 15]], ops["tri"]["top"]
assert ops["topk"]["top"][:2] == [[33, 17, 0], [0, 16, 0]], ops["topk"]["top"]
assert ops["cc"]["size_histogram"] == [[34, 1]]
assert ops["degree"]["distribution"][0] == [1, 1] and sum(c for _, c in ops["degree"]["distribution"]) == 34
assert isinstance(ops["degree"]["mean"], float) and ops["degree"]["mean"] == 156 / 34
assert ops["bipartite"]["bipartite"] is False and isinstance(ops["cc"]["components"], int)
assert all(isinstance(x, list) and all(isinstance(v, (int, float)) for v in x) for x in ops["tri-est"]["top"])
PY

# ---- no report printed twice: 78 edges, a report every 39 ----------------
for fmt in tsv json text; do
    expect "report-every 39 $fmt" 0 "" -- "$es" run --ops cc --format $fmt --quiet --report-every 39 z.txt
    case $fmt in
    tsv)  got=$(awk -F'\t' '$1=="report" {printf "%s:%s ", $2, $3}' out) ;;
    json) got=$($py -c 'import json,sys; print(" ".join("%s:%d" % ("final" if r["final"] else "interim", r["edges"]) for r in map(json.loads, open("out"))) + " ")') ;;
    text) got=$(sed -n 's/^== \([a-z]*\) report after \([0-9]*\) edges ==$/\1:\2/p' out | tr '\n' ' ') ;;
    esac
    [ "$got" = "interim:39 final:78 " ] && ok || bad "report-every 39 $fmt: reports '$got'"
done
expect "report-every 39 stdin" 0 "" -- sh -c "cat z.txt | '$es' run --ops cc --format tsv --quiet --report-every 39 -"
[ "$(grep -c '^report' out)" = 2 ] && ok || bad "report-every 39 from a pipe: $(grep '^report' out | tr '\n' ' ')"
expect "report-every 10" 0 "" -- "$es" run --ops cc --format tsv --quiet --report-every 10 z.txt
[ "$(awk -F'\t' '$1=="report" {printf "%s ", $3}' out)" = "10 20 30 40 50 60 70 78 " ] && ok || bad "report-every 10: $(grep '^report' out | tr '\n' ' ')"

# ---- tsv ------------------------------------------------------------------
expect "tsv header" 0 "" -- "$es" run --ops cc --format tsv --header --quiet z.txt
[ "$(head -n 2 out | tr '\t\n' '|;')" = "operator|metric|value;report|final|78;" ] && ok || bad "tsv header: $(head -n 2 out)"
[ "$(awk -F'\t' 'NF != 3' out | wc -l)" = 0 ] && ok || bad "tsv rows of 3 cells"
expect "header needs tsv" 64 "--header goes with --format tsv" -- "$es" run --header z.txt

# ---- doubles: the shortest form that reads back exactly, in every format -
for fmt in tsv text; do
    "$es" run --ops degree,tri --format $fmt --quiet z.txt > d.$fmt
done
$py - <<'PY' && ok || bad "doubles: not the shortest exact form"
import json
want = {"mean": repr(156 / 34), "transitivity": repr(3 * 45 / 528)}
tsv = {l.split("\t")[1]: l.split("\t")[2].strip() for l in open("d.tsv") if "\t" in l}
text = {l.split()[0]: l.split()[1] for l in open("d.text") if l.startswith("  ")}
js = json.loads(open("z.json").readlines()[-1])["operators"]
for name, w in want.items():
    assert tsv[name] == w, (name, tsv[name], w)
    assert text[name] == w, (name, text[name], w)
assert repr(js["degree"]["mean"]) == want["mean"]
raw = open("z.json").read()
assert '"mean":' + want["mean"] in raw
PY

# ---- compare --format json --------------------------------------------------
expect "compare json" 0 "" -- "$es" compare --quiet --format json --ops "$allops" z.txt
$py - <<'PY' && ok || bad "compare json: $(head -c 400 out)"
import json
rows = [json.loads(l) for l in open("out")]
summary = rows.pop()
assert summary["final"] is True and summary["summary"]["checks"] == len(rows) and summary["summary"]["differ"] == 0
assert summary["summary"]["edges"] == 78
tri = [r for r in rows if r["operator"] == "tri" and r["metric"] == "triangles"][0]
assert tri["streamed"] == 45 and tri["exact"] == 45 and tri["error"] == 0 and tri["bound"] == 0 and tri["ok"] is True
est = [r for r in rows if r["operator"] == "tri-est"][0]
assert isinstance(est["streamed"], float) and est["exact"] == 45 and est["error"] <= est["bound"]
hist = [r for r in rows if r["metric"] == "size_histogram"][0]
assert hist["streamed"] == [[34, 1]] and hist["error"] is None
assert all(set(r) == {"operator", "metric", "streamed", "exact", "error", "bound", "ok", "note"} for r in rows)
PY
expect "compare tsv header" 0 "" -- "$es" compare --quiet --format tsv --header --ops cc z.txt
[ "$(head -n 1 out)" = "$(printf 'operator\tmetric\tstreamed\texact\terror\tbound\tverdict\tnote')" ] && ok || bad "compare header: $(head -n 1 out)"
has out "$(printf 'summary\tdiffer\t0')"
# compare takes run's stream options, with the same answers
printf '1 2\n2 3\nbad line\n3 1\n' > bad.txt
expect "compare --skip-bad" 0 "" -- "$es" compare --quiet --skip-bad 1 --batch 1 --threads 1 --ops cc,tri --format tsv bad.txt
has out "$(printf 'tri\ttriangles\t1\t1\t0\t0\tok')"
expect "compare without --skip-bad" 65 "bad.txt:3" -- "$es" compare --quiet --ops cc bad.txt
expect "compare --help lists operators" 0 "" -- "$es" compare --help
has out "tri-est"
has out "--skip-bad"

# ---- metric names: README's table is their one home ------------------------
"$es" run --ops "$allops" --format json --quiet z.txt > names.json
# (and the metrics of the other spanner method)
"$es" run --ops spanner:method=greedy --format json --quiet z.txt > names-greedy.json
# (a window over time adds its bounds and late edges to the stream section,
# --deletions its deletion counts, and tri-est's fully dynamic methods graph_edges)
printf '1 2 5\n2 3 7\n' > timed.txt
"$es" run --ops cc,tri-est:m=10 --window tumbling:10s --deletions --format json --quiet timed.txt > names-window.json
$py - "$here/README.md" <<'PY' && ok || bad "metric names of run and README differ"
import json, re, sys
doc, op = set(), None
section = open(sys.argv[1]).read().split("## Operators and their answers")[1].split("\nOptions:")[0]
for line in section.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 3 or not cells[1].strip("*`"):
        continue
    if cells[0]:
        op = cells[0].strip("`")
    for m in re.findall(r"`([a-z_]+)`", cells[1]):
        doc.add((op, m))
run = {(o, m) for f in ("names.json", "names-greedy.json", "names-window.json")
       for o, ms in json.loads(open(f).read())["operators"].items() for m in ms}
if run != doc:
    print("only in run:", sorted(run - doc), "only in README:", sorted(doc - run))
    sys.exit(1)
PY

# ---- did you mean, help, usage lines, exit statuses -------------------------
expect "did you mean degree" 64 'did you mean "degree"' -- "$es" run --ops cc,degre z.txt
expect "did you mean --format" 64 "did you mean --format?" -- "$es" run --fromat json z.txt
expect "did you mean --format=" 64 "did you mean --format?" -- "$es" compare --fromat=json z.txt
expect "did you mean run" 64 'did you mean "run"' -- "$es" rnu z.txt
expect "did you mean top=" 64 'tri: unknown option "topp"; did you mean "top"? (known: top)' -- "$es" run --ops tri:topp=5 z.txt
expect "cm's options" 64 'cm: unknown option "zzzzzz" (known: eps, delta, seed)' -- "$es" run --ops cm:zzzzzz=1 z.txt
expect "cc takes no option" 64 'cc: unknown option "x" (it takes none)' -- "$es" run --ops cc:x=1 z.txt
expect "no wild guess" 64 "" -- "$es" xyzzy
if grep -q "did you mean" err; then bad "a suggestion for xyzzy"; else ok; fi
expect "help run" 0 "" -- "$es" help run
has out "edgestream run [OPTION"
for cmd in run gen inspect compare export plot; do
    expect "$cmd --help" 0 "" -- "$es" $cmd --help
    has out "Usage:"
    has out "edgestream $cmd "
    has out "Exit status: 0"
done
expect "top help" 0 "" -- "$es" --help
has out "Exit status: 0"

# ---- counts, spaces and usage errors --------------------------------------
expect "ops with a space" 0 "" -- "$es" run --ops 'cc, degree' --format tsv --quiet z.txt
has out "$(printf 'degree\tmax\t17')"
expect "counts" 0 "" -- "$es" run --ops cc --batch 10k --report-every 2e1 --skip-bad 1M --format tsv --quiet z.txt
[ "$(awk -F'\t' '$1=="report" {printf "%s ", $3}' out)" = "20 40 60 78 " ] && ok || bad "counts: $(grep '^report' out | tr '\n' ' ')"
expect "threads 0" 64 "--threads must be between 1 and 1024" -- "$es" run --threads 0 z.txt
expect "report-every 0" 64 "--report-every must be between 1" -- "$es" run --report-every 0 z.txt
expect "batch 1.5" 64 "is not a count" -- "$es" run --batch 1.5 z.txt
expect "batch 2x" 64 "is not a count" -- "$es" run --batch 2x z.txt
expect "compare threads 0" 64 "--threads must be between 1" -- "$es" compare --threads 0 z.txt
expect "gen counts" 0 "" -- "$es" gen er --n 1k --m 2.5k --seed 3
[ "$(wc -l < out)" = 2500 ] && ok || bad "gen er --m 2.5k: $(wc -l < out) lines"
expect "gen bad count" 64 "--n: \"1x\" is not a count" -- "$es" gen er --n 1x --m 5
expect "snapshot-every 1e1" 0 "" -- "$es" run --quiet --ops cc --snapshot-dir se --snapshot-every 1e1 --keep 100 --snapshot-wait z.txt
[ "$(ls se/snap-*.h5 | wc -l)" = 8 ] && ok || bad "snapshot-every 1e1: $(ls se | tr '\n' ' ')"
expect "snapshot-every 5m is a time" 0 "" -- "$es" run --quiet --ops cc --snapshot-dir sm --snapshot-every 5m z.txt
expect "snapshot-every 0" 64 "--snapshot-every must be" -- "$es" run --snapshot-dir s0 --snapshot-every 0 z.txt

# ---- inspect a non-snapshot; gzip errors name the file ----------------------
expect "inspect an edge list" 65 "z.txt: not an edgestream snapshot" -- "$es" inspect z.txt
printf 'garbage\n' | gzip | head -c 15 > cut.gz
expect "corrupt gzip" 65 "cut.gz: corrupt gzip data" -- "$es" run cut.gz
if grep -q "<fd:" err; then bad "gzip error names <fd:N>: $(cat err)"; else ok; fi

# ---- resume: the same input under another path, and a real mismatch --------
"$es" gen er --n 300 --m 2000 --seed 4 > g.txt
"$es" run --ops cc,degree --format tsv --quiet g.txt > want.tsv
"$es" run --ops cc,degree --quiet --batch 500 --snapshot-dir s --snapshot-every 1000 g.txt > /dev/null
for spelling in ./g.txt "$tmp/g.txt" "$tmp/./s/../g.txt"; do
    expect "resume as $spelling" 0 "resuming from" -- "$es" run --ops cc,degree --format tsv --snapshot-dir s --resume "$spelling"
    cmp -s out want.tsv && ok || bad "resume as $spelling: answers differ"
done
ln g.txt linked.txt
expect "resume from a hard link" 0 "resuming from" -- "$es" run --ops cc,degree --format tsv --snapshot-dir s --resume linked.txt
cmp -s out want.tsv && ok || bad "resume from a hard link: answers differ"
cp g.txt copy.txt
expect "resume from a copy" 78 "another file" -- "$es" run --ops cc,degree --snapshot-dir s --resume copy.txt
"$es" gen er --n 300 --m 2000 --seed 5 > other.txt
expect "resume, another input" 78 "run afresh in another --snapshot-dir" -- "$es" run --ops cc,degree --snapshot-dir s --resume other.txt

# ---- progress for a log: lines even when stderr is not a terminal ----------
expect "progress lines" 0 "" -- sh -c "(head -n 20 z.txt; sleep 6; tail -n +21 z.txt) | '$es' run --progress --batch 10 --ops cc -"
has err "edges/s  elapsed 0:0"
if grep -q "$(printf '\r')" err; then bad "progress lines hold a carriage return"; else ok; fi
expect "no progress to a file by default" 0 "" -- "$es" run --ops cc z.txt
[ ! -s err ] && ok || bad "progress on a non-terminal without --progress: $(cat err)"

echo "output tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
