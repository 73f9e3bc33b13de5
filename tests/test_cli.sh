#!/bin/sh
# test_cli.sh EDGESTREAM — integration tests of the edgestream binary: real
# answers on hand-counted and well-known graphs, every accepted input form,
# every malformed input with its message and exit status, usage errors.
# Prints "N passed, N failed" and exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"


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
badcase junk        '1 2 3 4\n'                     '1: expected a sign (+ or -) or end of line (more columns? name them: --columns u,v,w,t), got "4"'
badcase badtime     '1 2 x\n'                       '1: expected a timestamp, a sign (+ or -) or end of line, got "x"'
badcase weight      '1 2 0.5\n'                     '1: expected an integer timestamp, not a weight (name the columns: --columns u,v,w or u,v,w,t), got "0.5"'
badcase aftersign   '1 2 - 3\n'                     '1: expected end of line, got "3"'
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

# ---- input layouts: MatrixMarket, KONECT (--columns), CSV (--delimiter) ----
# MatrixMarket is recognised by its banner; the size line is never an edge
# (were "3 3 4" read as one, vertex 4 would appear).  Hand counts below.
printf '%%%%MatrixMarket matrix coordinate pattern general\n%% a comment\n3 3 4\n1 2\n2 1\n2 3\n3 3\n' > "$tmp/pat.mtx"
expect "mm pattern general" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet "$tmp/pat.mtx"
answer mm-pat stream edges 4
answer mm-pat cc vertices 3
answer mm-pat degree edges 2
answer mm-pat degree duplicates 1
answer mm-pat degree self_loops 1
# real symmetric, values (weights) and a negative one; CRLF and a case-insensitive banner
printf '%%%%MatrixMarket MATRIX Coordinate Real Symmetric\r\n4 4 3\r\n1 2 0.5\r\n3 2 1.5e0\r\n4 1 -2\r\n' > "$tmp/real.mtx"
expect "mm real symmetric" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet "$tmp/real.mtx"
answer mm-real cc vertices 4
answer mm-real cc components 1
answer mm-real degree edges 3
# integer general rectangular: rows 1..2, columns 1..3 become vertices 3..5
printf '%%%%MatrixMarket matrix coordinate integer general\n2 3 2\n1 1 5\n2 3 -7\n' > "$tmp/rect.mtx"
expect "mm integer rectangular" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet "$tmp/rect.mtx"
answer mm-rect cc vertices 4
answer mm-rect cc components 2
mmbad() { # NAME CONTENT MESSAGE
    printf "$2" > "$tmp/$1.mtx"
    expect "mm bad $1" 65 "$tmp/$1.mtx:$3" -- "$es" run --quiet --skip-bad=5 "$tmp/$1.mtx"
}
mmbad array    '%%%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n' '1: expected a MatrixMarket banner'
mmbad complex  '%%%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n'   '1: expected a MatrixMarket banner'
mmbad fewer    '%%%%MatrixMarket matrix coordinate pattern general\n3 3 3\n1 2\n2 3\n' '4: expected 3 entries, as the size line (line 2) says, got 2 before the end of the file'
mmbad more     '%%%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 2\n2 3\n' '4: expected end of file (the size line'"'"'s count of entries is reached), got "2 3"'
mmbad nosize   '%%%%MatrixMarket matrix coordinate pattern general\n%% only a comment\n' '2: expected a size line: rows columns entries (three integers), got end of file'
mmbad badsize  '%%%%MatrixMarket matrix coordinate pattern general\n3 3\n1 2\n' '2: expected a size line: rows columns entries (three integers), got end of line'
mmbad nonsq    '%%%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 2 1\n' '2: expected a square size line'
# entry faults are ordinary bad lines: without --skip-bad they stop the run
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 2\n0 1 1.0\n1 2\n' > "$tmp/ent.mtx"
expect "mm index 0" 65 "ent.mtx:3: expected a row index from 1 to the size line's rows, got \"0\"" -- "$es" run --quiet "$tmp/ent.mtx"
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2\n' > "$tmp/noval.mtx"
expect "mm no value" 65 "noval.mtx:3: expected a real value, got end of line" -- "$es" run --quiet "$tmp/noval.mtx"
printf '%%%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 4\n' > "$tmp/col.mtx"
expect "mm column beyond" 65 "col.mtx:3: expected a column index from 1 to the size line's columns, got \"4\"" -- "$es" run --quiet "$tmp/col.mtx"
# A resume inside a MatrixMarket file continues its count of entries:
# snapshots every 1000 entries, the newest (final) one removed, resumed.  The
# matrix is rectangular, so an entry read as a plain line would name another vertex.
awk 'BEGIN { print "%%MatrixMarket matrix coordinate pattern general"; print "3000 2000 5000";
             for (i = 0; i < 5000; i++) print (i * 7) % 3000 + 1, (i * 13 + 5) % 2000 + 1 }' > "$tmp/big.mtx"
expect "mm uninterrupted" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet "$tmp/big.mtx"
cp "$tmp/out" "$tmp/mm.want"
expect "mm snapshots" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet --batch 500 --snapshot-every 1000 --keep 10 --snapshot-dir "$tmp/mmsnap" "$tmp/big.mtx"
rm -f "$(ls "$tmp"/mmsnap/snap-*.h5 | tail -n 1)"
expect "mm resumed" 0 "" -- "$es" run --ops cc,degree --format tsv --quiet --batch 500 --snapshot-every 1000 --keep 10 --snapshot-dir "$tmp/mmsnap" --resume "$tmp/big.mtx"
if cmp -s "$tmp/out" "$tmp/mm.want"; then ok; else bad "mm resumed: answers differ from the uninterrupted run"; fi

# KONECT: `% ...` header lines, then u v weight timestamp.
printf '%% sym positive\n%% 3 3 3\n1 2 1 100\n2 3 0.5 200\n1 3 2 300\n' > "$tmp/konect.txt"
expect "konect" 0 "" -- "$es" run --ops tri,degree --columns u,v,w,t --format tsv --quiet "$tmp/konect.txt"
answer konect tri triangles 1
answer konect degree edges 3
printf '1 2 0.5 100\n' > "$tmp/konect2.txt"
expect "konect without --columns" 65 "konect2.txt:1: expected an integer timestamp, not a weight (name the columns: --columns u,v,w or u,v,w,t), got \"0.5\"" -- "$es" run --quiet "$tmp/konect2.txt"
expect "konect, 4th column" 65 "konect.txt:3: expected a sign (+ or -) or end of line (more columns? name them: --columns u,v,w,t), got \"100\"" -- "$es" run --quiet --skip-bad=0 "$tmp/konect.txt"
# CSV with a header line, blanks around fields, an ignored column
printf 'source,target,label\n1, 2,a\n2 ,3,b\n3,1,c\n' > "$tmp/g.csv"
expect "csv" 0 "" -- "$es" run --ops tri --columns u,v,- --delimiter , --format tsv --quiet "$tmp/g.csv"
answer csv tri triangles 1
answer csv stream bad_lines 0
expect "csv empty field" 65 "g2.csv:1: expected a second vertex id, got an empty field" -- sh -c "printf '1,,2\n' > '$tmp/g2.csv'; '$es' run --quiet --delimiter , '$tmp/g2.csv'"
expect "bad --columns" 64 "--columns u,x: each column must be u, v, t, w or - (ignored)" -- "$es" run --columns u,x "$tmp/g.csv"
expect "bad --delimiter" 64 "--delimiter must be one character" -- "$es" run --delimiter ab "$tmp/g.csv"

# ---- deletions (--deletions) ---------------------------------------------
# 1-2-3-4 with triangle 4-5-6; 2-3 deleted splits {1,2} off; 9 8 and 1 3 were never there.
printf '1 2\n2 3\n3 4\n4 5\n5 6\n6 4\n2 3 -\n9 8 -\n1 3 -\n1 2 +\n' > "$tmp/del.txt"
expect "deletions" 0 "" -- "$es" run --deletions --ops cc,degree,tri,bipartite,cm --format tsv --quiet "$tmp/del.txt"
answer del stream deletions 3
answer del stream deletions_ignored 2
answer del stream vertices 6
answer del cc components 2
answer del tri triangles 1
answer del degree edges 5
answer del degree duplicates 1
answer del bipartite bipartite false
expect "deletion without --deletions" 65 "edge 6 of the stream is a deletion (a line ending in -): run with --deletions" -- "$es" run --quiet "$tmp/del.txt"
expect "spanner refuses deletions" 64 "spanner handles insertions only: it cannot run on a stream with deletions" -- "$es" run --deletions --ops cc,spanner --quiet "$tmp/del.txt"
expect "hll refuses deletions" 64 "hll handles insertions only" -- "$es" run --deletions --ops hll --quiet "$tmp/del.txt"
# tri-est folds deletions with ThinkD by default (exact while the sample holds every edge)
expect "tri-est under deletions" 0 "" -- "$es" run --deletions --ops tri-est:m=100 --format tsv --quiet "$tmp/del.txt"
answer del tri-est triangles 1.0
answer del tri-est graph_edges 5
expect "tri-est triest-fd under deletions" 0 "" -- "$es" run --deletions --ops tri-est:m=100,method=triest-fd --format tsv --quiet "$tmp/del.txt"
answer del tri-est triangles 1.0
# A deletion naming vertices never seen (9, 7) deletes nothing: tri's top
# list names the triangle's own vertices, not the deletion's ids.
printf '1 2\n2 3\n3 1\n9 7 -\n' > "$tmp/delunknown.txt"
expect "tri top after a deletion of unknown ids" 0 "" -- "$es" run --deletions --ops tri:top=3 --format tsv --quiet "$tmp/delunknown.txt"
answer delunknown tri top "1:1,2:1,3:1"
# tri-est counts it as no self-loop line, and names the triangle's vertices.
expect "tri-est after a deletion of unknown ids" 0 "" -- "$es" run --deletions --ops tri-est:top=3 --format tsv --quiet "$tmp/delunknown.txt"
answer delunknown tri-est self_loops 0
answer delunknown tri-est top "1:1.0,2:1.0,3:1.0"
# Deletions before any vertex is known add none (they made 5 vertices, 3
# components); nor does a window's first line when it is a deletion of a
# pair of the window before (4 vertices, 2 components in the second window).
printf '9 7 -\n1 2\n2 3\n3 1\n1 8 -\n' > "$tmp/delfirst.txt"
expect "deletions before any vertex" 0 "" -- "$es" run --deletions --ops cc,degree,tri,bipartite,cm --format tsv --quiet "$tmp/delfirst.txt"
answer delfirst stream vertices 3
answer delfirst stream deletions_ignored 2
answer delfirst cc components 1
answer delfirst degree vertices 3
answer delfirst tri triangles 1
printf '1 2\n2 3\n3 1\n1 2 -\n4 5\n5 6\n' > "$tmp/delwin.txt"
expect "a window opening with a deletion" 0 "" -- "$es" run --deletions --window tumbling:3 --ops cc,degree --format tsv --quiet "$tmp/delwin.txt"
answer delwin stream vertices 3
answer delwin stream deletions_ignored 1
answer delwin cc components 1
answer delwin degree vertices 3
expect "tri-est impr refuses deletions" 64 "method=impr handles insertions only" -- "$es" run --deletions --ops tri-est:method=impr --quiet "$tmp/del.txt"
# tri snapshots a stream with deletions: the resume (nothing left to read)
# restores its counts from the table's present pairs: the triangle 4-5-6
expect "tri with deletions and snapshots" 0 "" -- "$es" run --deletions --ops cc,tri --snapshot-dir "$tmp/delsnap" --quiet "$tmp/del.txt"
expect "tri with deletions, resumed" 0 "" -- "$es" run --deletions --ops cc,tri --snapshot-dir "$tmp/delsnap" --resume --format tsv --quiet "$tmp/del.txt"
answer del-resumed tri triangles 1
answer del-resumed cc components 2
# compare checks every operator against igraph on the graph of what remains:
# 4000 random lines over 60 vertices, a third of them deletions.
awk 'BEGIN { srand(3); for (i = 0; i < 4000; i++) { u = int(rand() * 60); v = int(rand() * 60);
             print u, v, (i > 0 && rand() < 0.33) ? "-" : "" } }' > "$tmp/rnd-del.txt"
expect "compare with deletions" 0 "" -- "$es" compare --deletions --ops cc,degree,tri,bipartite,cm --quiet "$tmp/rnd-del.txt"
# Under deletions and windows tri-est (ThinkD holding every edge: exact)
# counts tri's triangles, and degree's self-loop and repeated lines, in
# every window (a tumbling window's second one refused before: its
# operators were rebuilt as method=impr; a sliding window's expiries
# counted as more self-loops and repeats).
for w in tumbling:1000 sliding:1000,250; do
    expect "tri-est in every $w window" 0 "" -- "$es" run --deletions --window "$w" --report-every 500 \
        --ops tri,degree,tri-est:m=100000 --format tsv --quiet "$tmp/rnd-del.txt"
    awk -F'\t' '$1 == "tri" && $2 == "triangles" { t = $3 } $1 == "degree" && $2 == "self_loops" { l = $3 }
                $1 == "degree" && $2 == "duplicates" { d = $3 }
                $1 == "tri-est" && $2 == "triangles" { n++; if ($3 + 0 != t + 0) bad++ }
                $1 == "tri-est" && $2 == "self_loops" && $3 != l { bad++ }
                $1 == "tri-est" && $2 == "duplicates_dropped" && $3 != d { bad++ }
                END { exit !(n >= 6 && bad == 0) }' "$tmp/out" && ok || bad "tri-est in every $w window: differs from tri or degree"
done
# interim reports under deletions do not depend on --batch (deletions_ignored
# counted up to each report's line, not to its batch's end)
"$es" run --deletions --report-every 50 --ops cc,degree,cm --format tsv --quiet "$tmp/rnd-del.txt" > "$tmp/rd1.tsv"
"$es" run --deletions --report-every 50 --ops cc,degree,cm --format tsv --quiet --batch 7 "$tmp/rnd-del.txt" > "$tmp/rd2.tsv"
if [ -s "$tmp/rd1.tsv" ] && cmp -s "$tmp/rd1.tsv" "$tmp/rd2.tsv"; then ok; else bad "deletions: interim reports depend on --batch"; fi

# ---- windows ---------------------------------------------------------------
# Zachary in tumbling windows of 30 edge lines: 3 reports (30, 30, 18 lines),
# each for its own graph, with its bounds.
expect "windows" 0 "" -- "$es" run --window tumbling:30 --ops cc,degree,spanner,hll --format tsv --quiet "$tmp/zachary.txt"
if [ "$(grep -c '^stream	window_start' "$tmp/out")" = 3 ]; then ok; else bad "windows: not 3 window reports"; fi
if [ "$(awk -F'\t' '$2=="window_start" {printf "%s,", $3}' "$tmp/out")" = "0,30,60," ]; then ok; else bad "windows: window_start"; fi
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "30,30,18," ]; then ok; else bad "windows: degree edges per window"; fi
# each window equals a plain run over its own lines
head -n 30 "$tmp/zachary.txt" | tail -n +1 > "$tmp/w1.txt"; sed -n 31,60p "$tmp/zachary.txt" > "$tmp/w2.txt"
for w in 1 2; do
    "$es" run --ops cc,degree,spanner,hll --format tsv --quiet "$tmp/w$w.txt" | grep -v -e '^stream' -e '^report' > "$tmp/w$w.want"
done
awk -F'\t' '$1=="stream" && $2=="edges" {k++} $1!="stream" && $1!="report" && k==1' "$tmp/out" > "$tmp/w1.got"
awk -F'\t' '$1=="stream" && $2=="edges" {k++} $1!="stream" && $1!="report" && k==2' "$tmp/out" > "$tmp/w2.got"
if cmp -s "$tmp/w1.got" "$tmp/w1.want" && cmp -s "$tmp/w2.got" "$tmp/w2.want"; then ok; else bad "windows: a window differs from a run over its lines"; fi
# Windows over the timestamp column (milliseconds): the triangle 1-2-3 straddles
# the boundary at 400 and is in neither window; 7-8 at -10 is late (dropped,
# counted); [800, 1200) is empty (skipped); [-400, 0) holds one edge.
printf -- '5 6 -1\n1 2 390\n2 3 399\n7 8 -10\n3 1 400\n4 5 1300\n' > "$tmp/tw.txt"
expect "time windows" 0 "" -- "$es" run --window tumbling:400ms --time-unit ms --ops tri,degree --format tsv --quiet "$tmp/tw.txt"
if [ "$(awk -F'\t' '$2=="window_start" {printf "%s,", $3}' "$tmp/out")" = "-400,0,400,1200," ]; then ok; else bad "time windows: starts $(awk -F'\t' '$2=="window_start" {printf "%s,", $3}' "$tmp/out")"; fi
if [ "$(awk -F'\t' '$1=="tri" && $2=="triangles" {printf "%s,", $3}' "$tmp/out")" = "0,0,0,0," ]; then ok; else bad "time windows: a straddling triangle was counted"; fi
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "1,2,1,1," ]; then ok; else bad "time windows: edges per window"; fi
answer time-windows stream late_edges 1
expect "no window, one triangle" 0 "" -- "$es" run --ops tri --format tsv --quiet "$tmp/tw.txt"
answer no-window tri triangles 1
# the same spans in seconds: 400ms is not a whole number of seconds
expect "span below the unit" 64 "must be a whole number of units of the timestamp column" -- "$es" run --window tumbling:400ms "$tmp/tw.txt"
expect "bad time unit" 64 "--time-unit must be s, ms or us" -- "$es" run --window tumbling:1h --time-unit ns "$tmp/tw.txt"
printf '1 2\n2 3\n' > "$tmp/twn.txt"
expect "time window without timestamps" 65 "has no timestamp, and a window over time" -- "$es" run --window tumbling:1h --quiet "$tmp/twn.txt"
# Sliding windows of 30 lines sliding by 10: a report per slide (8), each the
# window's own graph, as a plain run over its lines says.
expect "sliding windows" 0 "" -- "$es" run --window sliding:30,10 --ops cc,degree,tri,cm,hll,topk --format tsv --quiet "$tmp/zachary.txt"
if [ "$(awk -F'\t' '$2=="window_start" {printf "%s,", $3}' "$tmp/out")" = "0,0,0,10,20,30,40,50," ]; then ok; else bad "sliding windows: window_start"; fi
if [ "$(awk -F'\t' '$2=="window_end" {printf "%s,", $3}' "$tmp/out")" = "10,20,30,40,50,60,70,80," ]; then ok; else bad "sliding windows: window_end"; fi
grep -v -e '^#' -e '^%' -e '^$' "$tmp/zachary.txt" > "$tmp/zl.txt"
for w in 4:11:40 8:51:78; do
    k=${w%%:*}; r=${w#*:}
    sed -n "${r%:*},${r#*:}p" "$tmp/zl.txt" > "$tmp/sw.txt"
    "$es" run --ops cc,degree,tri,cm,hll,topk --format tsv --quiet "$tmp/sw.txt" | grep -v -e '^stream' -e '^report' -e avg_clustering > "$tmp/sw.want"
    awk -F'\t' -v k="$k" '$1=="stream" && $2=="edges" {n++} $1!="stream" && $1!="report" && $2!="avg_clustering" && n==k' "$tmp/out" > "$tmp/sw.got"
    if cmp -s "$tmp/sw.got" "$tmp/sw.want"; then ok; else bad "sliding windows: window $k differs from a run over its lines"; fi
done
# Over time (ms), 800 sliding by 400: the triangle 1-2-3 lies in [0, 800) only;
# 7-8 at -10 is late (older than the newest pane); [800, 1600) holds one edge.
expect "sliding time windows" 0 "" -- "$es" run --window sliding:800ms,400ms --time-unit ms --ops tri,degree --format tsv --quiet "$tmp/tw.txt"
if [ "$(awk -F'\t' '$2=="window_start" {printf "%s,", $3}' "$tmp/out")" = "-800,-400,0,400,800," ]; then ok; else bad "sliding time windows: starts"; fi
if [ "$(awk -F'\t' '$1=="tri" && $2=="triangles" {printf "%s,", $3}' "$tmp/out")" = "0,0,1,0,0," ]; then ok; else bad "sliding time windows: triangles"; fi
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "1,3,3,1,1," ]; then ok; else bad "sliding time windows: edges"; fi
answer sliding-time-windows stream late_edges 1
expect "sliding windows in json" 0 '' -- "$es" run --window sliding:800ms,400ms --time-unit ms --ops degree --format json --quiet "$tmp/tw.txt"
if [ "$(grep -c '"window_start": *-\{0,1\}[0-9]*, *"window_end"' "$tmp/out")" = 5 ]; then ok; else bad "sliding windows in json: bounds"; fi
expect "sliding windows in text" 0 '' -- "$es" run --window sliding:30,10 --ops degree --quiet "$tmp/zachary.txt"
if [ "$(grep -c 'window_start' "$tmp/out")" = 8 ] && [ "$(grep -c 'window_end' "$tmp/out")" = 8 ]; then ok; else bad "sliding windows in text: bounds"; fi
# --lateness: with 500ms, 7-8 at -10 is no longer late and joins [-400, 0);
# with 0ms an edge older than the newest timestamp is late.
expect "lateness" 0 "" -- "$es" run --window tumbling:400ms --time-unit ms --lateness 500ms --ops degree --format tsv --quiet "$tmp/tw.txt"
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "2,2,1,1," ]; then ok; else bad "lateness: edges per window"; fi
answer lateness stream late_edges 0
printf -- '1 2 10\n2 3 12\n3 4 11\n4 5 30\n5 6 25\n6 7 5\n' > "$tmp/ooo.txt"
expect "lateness 0" 0 "" -- "$es" run --window sliding:20s,10s --lateness 0s --ops degree --format tsv --quiet "$tmp/ooo.txt"
answer lateness-0 stream late_edges 3
# 6s: 5-6 at 25 waits for [10, 30) (the watermark is 24), 6-7 at 5 is late:
# windows [0, 20) 3 edges, [10, 30) 4, [20, 40) 2.
expect "lateness 6s" 0 "" -- "$es" run --window sliding:20s,10s --lateness 6s --ops degree --format tsv --quiet "$tmp/ooo.txt"
answer lateness-6s stream late_edges 1
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "3,4,2," ]; then ok; else bad "lateness 6s: edges per window"; fi
expect "lateness without a time window" 64 "--lateness goes with a window over time" -- "$es" run --window tumbling:10 --lateness 1s "$tmp/zachary.txt"
expect "lateness without a unit" 64 "--lateness must be a span with its unit" -- "$es" run --window tumbling:1h --lateness 5 "$tmp/tw.txt"
expect "lateness below the unit" 64 "--lateness must be a whole number of units" -- "$es" run --window tumbling:1h --lateness 5ms "$tmp/tw.txt"
expect "slide not dividing" 64 "SLIDE must divide SIZE" -- "$es" run --window sliding:10,3 "$tmp/zachary.txt"
expect "slide of another kind" 64 "both must be counts of edges, or both spans" -- "$es" run --window sliding:10s,5 "$tmp/tw.txt"
expect "bad sliding spec" 64 "--window must be tumbling:SIZE or sliding:SIZE,SLIDE" -- "$es" run --window sliding:10 "$tmp/zachary.txt"
# hll and topk: one sketch per pane, merged; the pane [400, 800) holding 3-1
# leaves before [800, 1600) is reported (a gap of one pane)
expect "sliding sketches" 0 "" -- "$es" run --window sliding:800ms,400ms --time-unit ms --ops hll,topk --format tsv --quiet "$tmp/tw.txt"
if [ "$(awk -F'\t' '$2=="distinct" {printf "%s,", $3}' "$tmp/out")" = "2,5,3,2,2," ]; then ok; else bad "sliding sketches: hll distinct"; fi
answer sliding-sketches topk top "4:1:0,5:1:0"
for op in spanner; do
    expect "$op in a sliding window" 64 "$op cannot forget edges: it cannot run in a sliding window" -- "$es" run --window sliding:10,5 --ops cc,$op --quiet "$tmp/zachary.txt"
done
# tri-est forgets expiring edges with ThinkD (exact while m holds every edge of the window)
expect "tri-est in a sliding window" 0 "" -- "$es" run --window sliding:30,10 --ops tri,tri-est:m=1000 --format tsv --quiet "$tmp/zachary.txt"
if [ "$(awk -F'\t' '$1=="tri" && $2=="triangles" {printf "%s.0,", $3}' "$tmp/out")" = "$(awk -F'\t' '$1=="tri-est" && $2=="triangles" {printf "%s,", $3}' "$tmp/out")" ]; then ok; else bad "tri-est in a sliding window: triangles differ from tri's"; fi
# bipartite in a sliding window of 3 lines sliding by 1 (BIC with parity): the
# triangle of lines 0-2 makes [0, 3) odd; once line 0 expires the window is
# bipartite again; the self-loop (line 5) is an odd cycle until it expires.
printf '1 2\n2 3\n3 1\n4 5\n5 6\n9 9\n6 7\n7 8\n8 4\n' > "$tmp/bw.txt"
expect "bipartite in a sliding window" 0 "" -- "$es" run --window sliding:3,1 --ops bipartite --format tsv --quiet "$tmp/bw.txt"
if [ "$(awk -F'\t' '$2=="bipartite" {printf "%s,", $3}' "$tmp/out")" = "true,true,false,true,true,false,false,false,true," ]; then ok; else bad "bipartite in a sliding window: $(awk -F'\t' '$2=="bipartite" {printf "%s,", $3}' "$tmp/out")"; fi
if [ "$(awk -F'\t' '$2=="odd_cycle_index" {printf "%s,", $3}' "$tmp/out")" = "2,5,5,5," ]; then ok; else bad "bipartite in a sliding window: odd_cycle_index $(awk -F'\t' '$2=="odd_cycle_index" {printf "%s,", $3}' "$tmp/out")"; fi
# Deletions in a sliding window of 4 lines sliding by 2: a deletion line
# takes one copy of its pair away, the oldest kept in the window, whose
# expiry is then a no-op.  [0,2): 1-2, 3-4; [0,4): 1-2 twice less one,
# 3-4; [2,6): line 0 was the copy taken, so 1-2 stays (line 2's copy), 3-4
# left, 5-6, 5-7; [4,8): line 2 leaves and 1-2 with it; 5-6, 5-7, 8-9
# (line 7 deletes 3-4, gone with line 1: ignored); [6,10): 8-9, 8-10.
printf '1 2\n3 4\n1 2\n1 2 -\n5 6\n5 7\n8 9\n3 4 -\n8 10\n' > "$tmp/dw.txt"
expect "deletions in a sliding window" 0 "" -- "$es" run --window sliding:4,2 --deletions --ops cc,degree,bipartite --format tsv --quiet "$tmp/dw.txt"
if [ "$(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")" = "2,2,3,3,2," ]; then ok; else bad "deletions in a sliding window: edges $(awk -F'\t' '$1=="degree" && $2=="edges" {printf "%s,", $3}' "$tmp/out")"; fi
if [ "$(awk -F'\t' '$1=="stream" && $2=="vertices" {printf "%s,", $3}' "$tmp/out")" = "4,4,5,5,3," ]; then ok; else bad "deletions in a sliding window: vertices $(awk -F'\t' '$1=="stream" && $2=="vertices" {printf "%s,", $3}' "$tmp/out")"; fi
if [ "$(awk -F'\t' '$1=="cc" && $2=="components" {printf "%s,", $3}' "$tmp/out")" = "2,2,2,2,1," ]; then ok; else bad "deletions in a sliding window: components $(awk -F'\t' '$1=="cc" && $2=="components" {printf "%s,", $3}' "$tmp/out")"; fi
answer deletions-in-a-sliding-window stream deletions_ignored 1
# The same checked against plain runs: a random stream with deletions (of
# recent pairs, of absent ones, self-loops), each window's report against a
# run with --deletions over the window's insertion lines followed by one
# deletion line per copy taken away (recounted by awk from the rule above:
# a deletion acts on the window of its pane, the older panes gone),
# and a window longer than the stream against a plain run over all of it.
awk 'BEGIN { srand(12); for (i = 0; i < 600; i++) { if (i > 5 && rand() < 0.3) { j = int(rand() * 12);
     print (j < n ? u[n - 1 - j] " " v[n - 1 - j] : int(rand() * 14) " " int(rand() * 14)), "-" }
     else { u[n] = int(rand() * 14); v[n] = int(rand() * 14); print u[n], v[n]; n++ } } }' > "$tmp/dr.txt"
awk -v W=60 -v S=20 -v dir="$tmp" '
    function key(a, b) { return a < b ? a " " b : b " " a }
    function expire(upto,   k) { for (; e < upto; e++) if (!del[e] && U[e] != V[e]) { k = key(U[e], V[e]); if (pend[k] > 0) pend[k]--; else cnt[k]-- } }
    function emit(b,   a, f, i, k, j) { a = b > W ? b - W : 0; expire(a); f = dir "/dref." (b / S);
        for (i = a; i < b; i++) if (!del[i]) print U[i], V[i] > f
        for (k in pend) for (j = 0; j < pend[k]; j++) print k, "-" > f
        close(f) }
    { if (NR > 1 && (NR - 1) % S == 0) { emit(NR - 1); expire(NR - 1 + S - W) }   # (the window of its pane)
      i = NR - 1; U[i] = $1; V[i] = $2; del[i] = ($3 == "-")
      if (U[i] != V[i]) { k = key($1, $2); if (!del[i]) cnt[k]++; else if (cnt[k] > 0) { cnt[k]--; pend[k]++ } } }
    END { emit(NR) }' "$tmp/dr.txt"
expect "deletions in a sliding window, recounted" 0 "" -- "$es" run --window sliding:60,20 --deletions --ops cc,degree,tri,bipartite --format tsv --quiet "$tmp/dr.txt"
same=0
for k in $(seq 1 30); do
    "$es" run --deletions --ops cc,degree,tri,bipartite --format tsv --quiet "$tmp/dref.$k" | awk -F'\t' '$1!="stream" && $1!="report" && $2!="avg_clustering" && $2 !~ /^odd_cycle/' > "$tmp/dr.want"
    awk -F'\t' -v k="$k" '$1=="stream" && $2=="edges" {n++} $1!="stream" && $1!="report" && $2!="avg_clustering" && $2 !~ /^odd_cycle/ && n==k' "$tmp/out" > "$tmp/dr.got"
    if cmp -s "$tmp/dr.got" "$tmp/dr.want"; then same=$((same + 1)); else bad "deletions in a sliding window: window $k differs from its recount"; break; fi
done
if [ "$same" = 30 ] && [ "$(grep -c '^degree	edges' "$tmp/out")" = 30 ]; then ok; else bad "deletions in a sliding window: $same of 30 windows recounted"; fi
"$es" run --deletions --ops cc,degree,tri,bipartite --format tsv --quiet "$tmp/dr.txt" | grep -v -e '^stream' -e '^report' > "$tmp/dr.want"
expect "deletions in a window longer than the stream" 0 "" -- "$es" run --window sliding:1200,600 --deletions --ops cc,degree,tri,bipartite --format tsv --quiet "$tmp/dr.txt"
awk -F'\t' '$1=="stream" && $2=="edges" {n++} $1!="stream" && $1!="report" && n==1' "$tmp/out" > "$tmp/dr.got"
if cmp -s "$tmp/dr.got" "$tmp/dr.want"; then ok; else bad "deletions in a window longer than the stream differ from a plain run"; fi
# (snapshots of a sliding window with deletions: killed and resumed in
# test_dynamic_snapshot.sh; here, resumed without --deletions)
expect "sliding window, deletions and snapshots" 0 "" -- "$es" run --window sliding:10,5 --deletions --snapshot-dir "$tmp/dwsnap" --snapshot-every 20 --keep 100 --quiet "$tmp/zachary.txt"
rm "$tmp/dwsnap/snap-000004.h5"
expect "sliding window with deletions, resumed without" 78 "was taken with deletions=1, this run has deletions=0" -- "$es" run --window sliding:10,5 --snapshot-dir "$tmp/dwsnap" --resume --quiet "$tmp/zachary.txt"
# (snapshots with --lateness: killed and resumed in test_dynamic_snapshot.sh)
"$es" run --window tumbling:1h --lateness 1m --format tsv --quiet "$tmp/tw.txt" > "$tmp/lw.want"
expect "lateness and snapshots" 0 "" -- "$es" run --window tumbling:1h --lateness 1m --snapshot-dir "$tmp/wsnap" --format tsv --quiet "$tmp/tw.txt"
if cmp -s "$tmp/out" "$tmp/lw.want"; then ok; else bad "lateness and snapshots: the reports differ from a run without"; fi

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
# ---- operators side by side: the same answers for any thread count ------
# With more than one thread the operators fold each batch of 16 Ki edges
# or more at once, one task each (dataflow/fanout.h); every interim report
# of all nine, over 14 batches (some cut by reports below 16 Ki), must
# equal a one-thread run's byte for byte: an operator that wrote to the
# batch or to another's state would show here (and under make test-asan).
"$es" gen rmat --scale 15 --edge-factor 8 --seed 9 > "$tmp/side.txt"
allops=cc,degree,tri,tri-est:m=3000,bipartite,cm,topk,hll,spanner
for t in 1 2 4; do
    expect "side by side, $t threads" 0 "" -- "$es" run --ops "$allops" --format tsv --quiet --batch 20000 \
        --report-every 50000 --threads $t "$tmp/side.txt"
    mv "$tmp/out" "$tmp/side-$t.tsv"
done
if [ "$(grep -c '^report' "$tmp/side-1.tsv")" = 6 ] && cmp -s "$tmp/side-1.tsv" "$tmp/side-2.tsv" &&
   cmp -s "$tmp/side-1.tsv" "$tmp/side-4.tsv"; then ok
else bad "side by side: answers differ between 1, 2 and 4 threads: $(diff "$tmp/side-1.tsv" "$tmp/side-4.tsv" | head -5)"; fi

# A reader that stops early (`| head`) ends gen quietly with 0; a full disk is exit 74.
# (SIGPIPE is ignored here as edgestream itself ignores it, so the write sees EPIPE.)
gen_rc=$(sh -c "trap '' PIPE; '$es' gen rmat --scale 16 --seed 1 2>'$tmp/gen-err'; echo \$? >'$tmp/gen-rc'" | head -n 2 >/dev/null; cat "$tmp/gen-rc")
if [ "$gen_rc" = 0 ] && [ ! -s "$tmp/gen-err" ]; then ok; else bad "gen | head: exit $gen_rc, stderr: $(cat "$tmp/gen-err")"; fi
if [ -w /dev/full ]; then
    expect "gen to a full disk" 74 "cannot write" -- sh -c "'$es' gen rmat --scale 10 --seed 1 > /dev/full"
fi

# ---- compare: every operator against igraph -------------------------------
allops=cc,degree,tri,tri-est:m=3000,bipartite,cm,topk,hll,spanner
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

# Writing to a full disk is an I/O error, not silence.
if [ -w /dev/full ]; then
    expect "stdout full" 74 "cannot write" -- sh -c "'$es' run --quiet '$tmp/forms.txt' > /dev/full"
fi

echo "cli tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
