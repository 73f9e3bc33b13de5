#!/bin/sh
# test_cli.sh EDGESTREAM — integration tests of the edgestream binary: real
# answers on hand-counted and well-known graphs, every accepted input form,
# every malformed input with its message and exit status, usage errors.
# Prints "N passed, N failed" and exits non-zero on any failure.
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib.sh"


# value OP METRIC: from the tsv in $tmp/out
value() { awk -F'\t' -v o="$1" -v m="$2" '$1==o && $2==m {print $3}' "$tmp/out" | tail -n 1; }

# answer NAME OP METRIC WANT: check a tsv value of the last run.
answer() {
    got=$(value "$2" "$3")
    if [ "$got" = "$4" ]; then ok; else bad "$1: $2 $3 = '$got', wanted '$4'"; fi
}

# ---- answers on known graphs -------------------------------------------
# Zachary's karate club (Zachary 1977): 34 vertices, 78 edges, one component, max degree 17.
"$es" gen famous Zachary > "$tmp/zachary.txt"
expect "zachary run" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet "$tmp/zachary.txt"
answer zachary stream edges 78
answer zachary cc vertices 34
answer zachary cc components 1
answer zachary cc largest 34
answer zachary degree edges 78
answer zachary degree max 17
answer zachary degree self_loops 0
answer zachary degree duplicates 0

# Every accepted form at once: comments (# and %), blank lines, tabs, leading
# and trailing blanks, CRLF, timestamps, duplicates in both directions,
# self-loops, a vertex seen only in a self-loop, the largest id, and a last
# line without a newline.  Hand count: vertices {1,2,3,10,11,12,42,
# 18446744073709551615} = 8; edges 1-2 2-3 1-3 10-11 11-12 10-12 = 6
# triangles' edges + 12-18446744073709551615 = 7 distinct; duplicates: "2 1",
# "1 2 5" = 2; self-loops: "42 42", "3 3" = 2; components {1,2,3}
# {10,11,12,max} {42} = 3, largest 4; max degree 3 (vertex 12).
printf '# header comment\n%% percent comment\n\n1 2\n2\t3\r\n  1 3  \n2 1\n1 2 5\n42 42\n3 3 -7\n10 11 100\n11\t12\t101\r\n\t10 12\n12 18446744073709551615' > "$tmp/forms.txt"
expect "accepted forms" 0 "" -- "$es" run --format tsv --quiet "$tmp/forms.txt"
answer forms stream edges 11
answer forms cc vertices 8
answer forms cc components 3
answer forms cc largest 4
answer forms degree edges 7
answer forms degree duplicates 2
answer forms degree self_loops 2
answer forms degree max 3
answer forms cc size_histogram "1:1,3:1,4:1"

# The same stream from stdin and gzip gives the same answers.
cp "$tmp/out" "$tmp/forms.tsv"
expect "stdin" 0 "" -- sh -c "'$es' run --format tsv --quiet - < '$tmp/forms.txt'"
if cmp -s "$tmp/out" "$tmp/forms.tsv"; then ok; else bad "stdin answers differ"; fi
gzip -c "$tmp/forms.txt" > "$tmp/forms.txt.gz"
expect "gzip file" 0 "" -- "$es" run --format tsv --quiet "$tmp/forms.txt.gz"
if cmp -s "$tmp/out" "$tmp/forms.tsv"; then ok; else bad "gzip answers differ"; fi
expect "gzip on stdin" 0 "" -- sh -c "'$es' run --format tsv --quiet - < '$tmp/forms.txt.gz'"
if cmp -s "$tmp/out" "$tmp/forms.tsv"; then ok; else bad "gzip stdin answers differ"; fi
# Batch size must not change any answer.
for b in 1 2 3 1000; do
    expect "batch $b" 0 "" -- "$es" run --format tsv --quiet --batch $b "$tmp/forms.txt"
    if cmp -s "$tmp/out" "$tmp/forms.tsv"; then ok; else bad "batch $b answers differ"; fi
done
# Several files are one stream.
head -n 8 "$tmp/forms.txt" > "$tmp/part1.txt"
tail -n +9 "$tmp/forms.txt" > "$tmp/part2.txt"
expect "two files" 0 "" -- "$es" run --format tsv --quiet "$tmp/part1.txt" "$tmp/part2.txt"
if cmp -s "$tmp/out" "$tmp/forms.tsv"; then ok; else bad "two-file answers differ"; fi

# Interim reports land on exact edge counts.
expect "report-every" 0 "" -- "$es" run --ops cc --format tsv --quiet --report-every 5 "$tmp/forms.txt"
got=$(awk -F'\t' '$1=="stream" && $2=="edges" {printf "%s ", $3}' "$tmp/out")
if [ "$got" = "5 10 11 " ]; then ok; else bad "report-every: edges at reports '$got', wanted '5 10 11 '"; fi

# json: one object per report, parseable.
expect "json" 0 "" -- "$es" run --format json --quiet "$tmp/forms.txt"
if grep -q '^{"edges":11,"final":true,"operators":{"stream":{"edges":11,' "$tmp/out" && grep -q '"cc":{"vertices":8,"components":3' "$tmp/out"; then ok; else bad "json shape: $(cat "$tmp/out")"; fi
if command -v python3 >/dev/null; then
    if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out"; then ok; else bad "json does not parse"; fi
fi
# text: the default, human-readable.
expect "text" 0 "" -- "$es" run --quiet "$tmp/forms.txt"
if grep -q "components" "$tmp/out" && grep -q "final report after 11 edges" "$tmp/out"; then ok; else bad "text report: $(cat "$tmp/out")"; fi

# ---- malformed input: FILE:LINE: expected ..., exit 65 -------------------
badcase() { # NAME CONTENT MESSAGE
    printf "$2" > "$tmp/$1.txt"
    expect "bad $1" 65 "$tmp/$1.txt:$3" -- "$es" run --quiet "$tmp/$1.txt"
    if [ -s "$tmp/out" ]; then bad "bad $1: printed a report"; else ok; fi
}
badcase nonnumeric  '1 2\n1 x1\n'                   '2: expected a second vertex id, got "x1"'
badcase nonnumeric2 '1 2\n12a 3\n'                  '2: expected a vertex id, got "12a"'
badcase negative    '# c\n1 2\n-3 4\n'              '3: expected a vertex id, got "-3"'
badcase overflow    '18446744073709551616 1\n'      '1: expected a vertex id below 2^64, got "18446744073709551616"'
badcase huge        '1 99999999999999999999999\n'   '1: expected a vertex id below 2^64'
badcase missing     '1 2\n3\n'                      '2: expected a second vertex id, got end of line'
badcase junk        '1 2 3 4\n'                     '1: expected end of line, got "4"'
badcase badtime     '1 2 x\n'                       '1: expected a timestamp or end of line, got "x"'
head -c 5000 /dev/zero | tr '\0' '7' > "$tmp/long.txt"
printf '1 2\n' | cat - "$tmp/long.txt" > "$tmp/toolong.txt"; printf '\n3 4\n' >> "$tmp/toolong.txt"
expect "bad toolong" 65 "toolong.txt:2: expected a line of at most 4096 bytes" -- "$es" run --quiet "$tmp/toolong.txt"
# gzip: the line number is that of the decompressed text.
printf '1 2\n2 3\nfoo bar\n' | gzip -c > "$tmp/bad.txt.gz"
expect "bad in gzip" 65 "bad.txt.gz:3: expected a vertex id, got \"foo\"" -- "$es" run --quiet "$tmp/bad.txt.gz"
# a truncated gzip file is bad data, not a silent short stream
seq 1 200000 | awk '{print $1, $1+1}' | gzip -c | head -c 20000 > "$tmp/trunc.gz"
expect "truncated gzip" 65 "corrupt gzip data" -- "$es" run --quiet "$tmp/trunc.gz"

# --skip-bad=N tolerates N bad lines and says how many it skipped.
printf '1 2\nx y\n2 3\n-1 4\n3 4\n' > "$tmp/twobad.txt"
expect "skip-bad 2" 0 "skipped 2 bad lines" -- "$es" run --format tsv --skip-bad=2 "$tmp/twobad.txt"
answer skip stream edges 3
answer skip stream bad_lines 2
answer skip cc components 1
expect "skip-bad 1" 65 "twobad.txt:4: expected a vertex id, got \"-1\" (more than 1 bad lines)" -- "$es" run --skip-bad=1 "$tmp/twobad.txt"
expect "skip-bad overlong" 0 "skipped 1 bad line" -- "$es" run --format tsv --skip-bad=1 "$tmp/toolong.txt"
answer skip-long stream edges 2

# ---- inputs that cannot be opened: exit 66 with the OS error -------------
expect "missing file" 66 "cannot open $tmp/nope.txt: No such file or directory" -- "$es" run "$tmp/nope.txt"
expect "directory" 66 "Is a directory" -- "$es" run "$tmp"
if [ "$(id -u)" != 0 ]; then
    printf '1 2\n' > "$tmp/noperm.txt"; chmod 000 "$tmp/noperm.txt"
    expect "unreadable" 66 "Permission denied" -- "$es" run "$tmp/noperm.txt"
fi

# ---- usage errors: exit 64 ------------------------------------------------
expect "no command"      64 "usage: edgestream" -- "$es"
expect "unknown command" 64 "unknown command" -- "$es" frobnicate
expect "unknown op"      64 'unknown operator "nope"' -- "$es" run --ops nope "$tmp/forms.txt"
expect "op twice"        64 'given twice' -- "$es" run --ops cc,cc "$tmp/forms.txt"
expect "op option"       64 'cc: unknown option "k"' -- "$es" run --ops cc:k=1 "$tmp/forms.txt"
expect "bad format"      64 "--format must be" -- "$es" run --format xml "$tmp/forms.txt"
expect "bad batch"       64 "--batch must be" -- "$es" run --batch 0 "$tmp/forms.txt"
expect "bad number"      64 "" -- "$es" run --batch abc "$tmp/forms.txt"
expect "unknown flag"    64 "Unknown option" -- "$es" run --frob "$tmp/forms.txt"
expect "no input"        64 "no input file" -- "$es" run
expect "gen no model"    64 "" -- "$es" gen
expect "gen bad model"   64 "" -- "$es" gen nosuch
expect "gen bad famous"  64 "" -- "$es" gen famous NoSuchGraph
expect "gen rmat no scale" 64 "" -- "$es" gen rmat

# --help on every subcommand
for c in run gen; do
    expect "$c --help" 0 "" -- "$es" $c --help
    if grep -q "Usage" "$tmp/out"; then ok; else bad "$c --help prints no usage"; fi
done
expect "--help" 0 "" -- "$es" --help

# ---- gen: generators give the graphs they promise -------------------------
expect "gen er" 0 "" -- sh -c "'$es' gen er --n 1000 --m 5000 --seed 3 | '$es' run --format tsv --quiet -"
answer gen-er degree edges 5000
expect "gen ba" 0 "" -- sh -c "'$es' gen ba --n 1000 --m 3 --seed 3 | '$es' run --format tsv --quiet -"
answer gen-ba cc components 1
answer gen-ba cc vertices 1000
expect "gen rmat" 0 "" -- sh -c "'$es' gen rmat --scale 10 --edge-factor 8 --seed 5 | '$es' run --format tsv --quiet -"
answer gen-rmat stream edges 8192
"$es" gen rmat --scale 10 --edge-factor 8 --seed 5 > "$tmp/r1"; "$es" gen rmat --scale 10 --edge-factor 8 --seed 5 > "$tmp/r2"
if cmp -s "$tmp/r1" "$tmp/r2"; then ok; else bad "gen rmat is not deterministic"; fi

# ---- compare: every operator against igraph -------------------------------
allops="cc,degree,tri,bipartite,tri-est:m=50,hll,cm,topk,spanner:k=2"
expect "compare zachary" 0 "" -- "$es" compare --quiet --format tsv --ops "$allops" "$tmp/zachary.txt"
if [ "$(awk -F'\t' '$1!="summary" && $7!="ok"' "$tmp/out" | wc -l)" = 0 ] && [ "$(wc -l < "$tmp/out")" -ge 20 ]; then ok; else bad "compare zachary: $(cat "$tmp/out")"; fi
grep -q "^tri	triangles	45	45	0	0	ok" "$tmp/out" && ok || bad "compare: Zachary has 45 triangles"
expect "compare messy" 0 "" -- "$es" compare --quiet --ops "$allops" "$tmp/forms.txt"
"$es" gen ba --n 3000 --m 4 --seed 9 > "$tmp/ba.txt"
expect "compare ba" 0 "" -- "$es" compare --quiet --ops "$allops" "$tmp/ba.txt"
expect "compare grid" 0 "" -- "$es" compare --quiet --ops bipartite,tri "$here/datasets/grid-10x10.txt"
grep -q "bipartite  *bipartite  *true  *true" "$tmp/out" && ok || bad "compare: the grid is bipartite"
# compare a snapshot: it rebuilds the stream prefix
"$es" run --quiet --ops cc,degree,hll --batch 1000 --snapshot-dir "$tmp/cs" --snapshot-every 4000 --keep 10 "$tmp/ba.txt" > /dev/null
first=$(ls "$tmp/cs"/snap-*.h5 | sort | head -n 1)
expect "compare snapshot" 0 "" -- "$es" compare --quiet --snapshot "$first" "$tmp/ba.txt"
grep -q "degree  *edges  *4000 " "$tmp/out" && ok || bad "compare snapshot: not at 4000 edges: $(cat "$tmp/out")"
expect "compare snapshot, other input" 78 "not the snapshot's input" -- "$es" compare --quiet --snapshot "$first" "$tmp/zachary.txt"
expect "compare --ops with --snapshot" 64 "do not give both" -- "$es" compare --ops cc --snapshot "$first" "$tmp/ba.txt"
expect "compare --help" 0 "" -- "$es" compare --help
expect "inspect --help" 0 "" -- "$es" inspect --help

# Writing to a closed pipe or a full disk is an I/O error, not silence.
if [ -w /dev/full ]; then
    expect "stdout full" 74 "cannot write" -- sh -c "'$es' run --quiet '$tmp/forms.txt' > /dev/full"
fi

echo "cli tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
