#!/bin/sh
# test_dynamic_snapshot.sh EDGESTREAM — snapshots of streams with deletions:
#   - a hand-counted stream: a square, a chord that makes it non-bipartite,
#     snapshots between the deletions that take the chord away (bipartite
#     again) and split the square in two; resumed from each snapshot, the
#     answers are the hand counts;
#   - an R-MAT stream with 30% deletions (absent edges, repeats, self-loops):
#     every snapshot of a run (one every 6000 lines) taken as the kill point
#     (newer ones removed), the resumed run's full tsv equals an
#     uninterrupted run's, byte for byte; then SIGKILL at random moments,
#     resumed until a run completes, the same;
#   - a damaged newest snapshot: resume falls back to the one before, same
#     answers (tri among the operators: its counts are checked on restore
#     against the present pairs folded in again);
#   - windows (tumbling over time, sliding over counts and over time, with
#     late lines, and with --lateness: lines held until the watermark passes
#     them): every snapshot of a run taken as the kill point, the resumed
#     run's reports are the uninterrupted run's from there on, and --batch
#     changes no report; every snapshot of a sliding window inspects as the
#     run's report at its edge (export and compare of a count window's too);
#   - sliding windows with --deletions (over counts and over time, and with
#     --lateness): deletions of lines in the window, of expired and absent
#     pairs, and re-insertions; snapshots inside panes; every snapshot as
#     the kill point, then SIGKILL at random moments, the same reports.
# Prints "N passed, N failed"; exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"

ops=cc,degree,bipartite,cm,tri-est:m=2000,tri
# tsv_get FILE OP METRIC: the value of a final answer.
tsv_get() { awk -F '\t' -v o="$2" -v m="$3" '$1 == o && $2 == m { v = $3 } END { print v }' "$1"; }
# keep_upto SRC DST K: snapshot directory SRC as a run killed after its
# snapshot K left it (a copy without the newer ones).
keep_upto() {
    rm -rf "$2"
    cp -r "$1" "$2"
    for f in "$2"/snap-*.h5; do
        id=$(basename "$f" .h5 | sed 's/^snap-0*//')
        [ "$id" -gt "$3" ] && rm "$f"
    done
}

# ---- hand-counted --------------------------------------------------------------
printf '1 2\n2 3\n3 4\n4 1\n1 3\n1 3 -\n2 3 -\n9 9 -\n4 1 -\n' > "$tmp/h.txt"
"$es" run --deletions --ops cc,degree,bipartite --quiet --batch 1 --snapshot-dir "$tmp/hs" --snapshot-every 1 \
    --snapshot-wait --keep 100 "$tmp/h.txt" > /dev/null 2> "$tmp/err" || bad "hand: run with snapshots: $(cat "$tmp/err")"
for k in 5 6 7 8; do   # after the chord, and between the deletions
    keep_upto "$tmp/hs" "$tmp/hk" "$k"
    "$es" run --deletions --ops cc,degree,bipartite --format tsv --quiet --batch 1 --snapshot-dir "$tmp/hk" \
        --snapshot-every 1 --resume "$tmp/h.txt" > "$tmp/h.tsv" 2> "$tmp/err" || bad "hand: resume at $k: $(cat "$tmp/err")"
    got="$(tsv_get "$tmp/h.tsv" cc components) $(tsv_get "$tmp/h.tsv" cc largest) $(tsv_get "$tmp/h.tsv" degree edges)"
    got="$got $(tsv_get "$tmp/h.tsv" bipartite bipartite) $(tsv_get "$tmp/h.tsv" stream deletions)"
    got="$got $(tsv_get "$tmp/h.tsv" stream deletions_ignored)"
    # {1,2} and {3,4}; edges 1-2, 3-4; bipartite again; 4 deletion lines, 9 9 - ignored
    [ "$got" = "2 2 2 true 4 1" ] && ok || bad "hand: resumed after snapshot $k: '$got', wanted '2 2 2 true 4 1'"
done

# ---- R-MAT with deletions ------------------------------------------------------
"$es" gen rmat --scale 12 --edge-factor 8 --seed 3 -o "$tmp/g.txt"
awk 'BEGIN { srand(11) } { print $1, $2; n++; u[n] = $1; v[n] = $2
     if (rand() < 0.3) { i = int(rand() * n) + 1; print u[i], v[i], "-" } }' "$tmp/g.txt" > "$tmp/d.txt"
"$es" run --deletions --ops "$ops" --format tsv --quiet "$tmp/d.txt" > "$tmp/want.tsv" || bad "uninterrupted run failed"
[ "$(tsv_get "$tmp/want.tsv" stream deletions_ignored)" -gt 0 ] && ok || bad "the stream deletes no absent edge"
"$es" run --deletions --ops "$ops" --format tsv --quiet --batch 1000 --snapshot-dir "$tmp/s" --snapshot-every 6000 \
    --snapshot-wait --keep 100 "$tmp/d.txt" > "$tmp/a.tsv" 2> "$tmp/err" || bad "run with snapshots: $(cat "$tmp/err")"
cmp -s "$tmp/want.tsv" "$tmp/a.tsv" && ok || bad "snapshots change the answers"
nsnap=$(ls "$tmp"/s/snap-*.h5 | wc -l)
[ "$nsnap" -ge 6 ] && ok || bad "$nsnap snapshots, 6 or more expected"
for k in $(seq 1 "$nsnap"); do   # (the last: after the final line)
    keep_upto "$tmp/s" "$tmp/k" "$k"
    "$es" run --deletions --ops "$ops" --format tsv --batch 1000 --threads $((k % 2 + 1)) --snapshot-dir "$tmp/k" \
        --snapshot-every 6000 --resume "$tmp/d.txt" > "$tmp/got.tsv" 2> "$tmp/err" || bad "resume after $k: $(cat "$tmp/err")"
    grep -q "resuming from .*snap-$(printf %06d "$k").h5" "$tmp/err" && ok || bad "not resumed from snapshot $k: $(cat "$tmp/err")"
    if cmp -s "$tmp/want.tsv" "$tmp/got.tsv"; then ok; else
        bad "resumed after snapshot $k: answers differ"; diff "$tmp/want.tsv" "$tmp/got.tsv" | head -6; fi
done

# inspect reads a snapshot of a stream that deletes (its operators restored
# as that stream fed them): the final one's answers are the run's; compare
# finds a snapshot's answers those of igraph on what remains of its prefix.
"$es" inspect --format tsv "$tmp/s/snap-$(printf %06d "$nsnap").h5" > "$tmp/ins.tsv" 2> "$tmp/err" ||
    bad "inspect of a snapshot with deletions: $(cat "$tmp/err")"
grep -v -e '^report' "$tmp/want.tsv" > "$tmp/ins.want"
grep -v -e '^snapshot' -e '^report' "$tmp/ins.tsv" | cmp -s - "$tmp/ins.want" && ok ||
    bad "inspect of the final snapshot with deletions: answers differ from the run's"
expect "compare a snapshot with deletions" 0 "" -- "$es" compare --quiet --snapshot "$tmp/s/snap-000003.h5" "$tmp/d.txt"
grep -q "checks, 0 differ" "$tmp/out" && ok || bad "compare a snapshot with deletions: $(tail -3 "$tmp/out")"

# A damaged newest snapshot: the one before it is used, with the same answers.
keep_upto "$tmp/s" "$tmp/k" 3
printf 'X' | dd of="$tmp/k/snap-000003.h5" bs=1 seek=5000 conv=notrunc 2> /dev/null
"$es" run --deletions --ops "$ops" --format tsv --batch 1000 --snapshot-dir "$tmp/k" --snapshot-every 6000 \
    --resume "$tmp/d.txt" > "$tmp/got.tsv" 2> "$tmp/err" || bad "resume past a damaged snapshot: $(cat "$tmp/err")"
grep -q "resuming from .*snap-000002.h5" "$tmp/err" && ok || bad "damaged snapshot 3: not resumed from 2: $(cat "$tmp/err")"
cmp -s "$tmp/want.tsv" "$tmp/got.tsv" && ok || bad "resumed past a damaged snapshot: answers differ"

# crash_case NAME WANT FILE OPTIONS...: SIGKILL `run OPTIONS FILE` at random
# moments (within the time a whole run takes here, so that a fast machine is
# killed mid-stream too), resumed until a run completes; its reports must be
# the last ones of WANT (an uninterrupted run's), the final one included.
crash_case() {
    cname=$1 cwant=$2 cfile=$3
    shift 3
    rm -rf "$tmp/c0" "$tmp/c"
    t0=$(date +%s%N)
    "$es" run "$@" --quiet --snapshot-dir "$tmp/c0" "$cfile" > /dev/null 2>&1
    ms=$((($(date +%s%N) - t0) / 1000000))
    kills=0 i=0 finished=no
    while [ $finished = no ] && [ $i -lt 40 ]; do
        i=$((i + 1))
        delay=$(awk -v i="$i" -v ms="$ms" 'BEGIN { srand(7 * 1000 + i); printf "%.3f", (0.05 + rand() * 0.9) * ms / 1000 }')
        [ $kills -ge 4 ] && delay=600
        run_or_kill "$delay" "$tmp/got.tsv" "$es" run "$@" --quiet --threads $((i % 2 + 1)) --snapshot-dir "$tmp/c" \
            --resume "$cfile"
        if [ $killed = 1 ]; then
            kills=$((kills + 1))
        else
            st=$run_status
            finished=yes
            [ $st = 0 ] || bad "$cname: killed run: resume exited $st: $(cat "$tmp/err")"
            # (finished before its first kill, faster than the measured run on
            # a loaded machine: from the start again, killed sooner)
            if [ $st = 0 ] && [ $kills = 0 ] && [ $i -lt 40 ]; then
                finished=no
                rm -rf "$tmp/c"
                ms=$((ms / 2 + 1))
            fi
        fi
    done
    n=$(wc -l < "$tmp/got.tsv")
    [ "$n" -gt 0 ] && tail -n "$n" "$cwant" | cmp -s - "$tmp/got.tsv" && ok ||
        bad "$cname: after $kills kills the answers differ"
    [ $kills -ge 1 ] && ok || bad "$cname: the run was never killed mid-stream (a whole run takes $ms ms)"
    echo "$cname crash test: $kills kills (a whole run: $ms ms)"
}
crash_case deletions "$tmp/want.tsv" "$tmp/d.txt" --deletions --ops "$ops" --format tsv --batch 500 --snapshot-every 3000

# ---- windows ---------------------------------------------------------------------
# The R-MAT lines with timestamps 1 to 3 apart, every 97th 4000 behind (late
# for most windows over time).  For each kind of window, every snapshot of
# a run (one every 2500 lines) taken as the kill point: the resumed run's
# reports (tsv, interim every 3000 lines and one per window) are the
# uninterrupted run's from there on, byte for byte, and none is missing.
awk '{ t += 1 + (NR % 3); print $1, $2, (NR % 97 == 0 ? t - 4000 : t) }' "$tmp/g.txt" > "$tmp/t.txt"
wops=cc,degree,bipartite,tri,cm,tri-est:m=2000,hll,topk:k=5
wevery=4000   # (lines between snapshots)
# window_case NAME WINDOW [OPTIONS [FILE]]
window_case() {
    name=$1 win=$2 more=${3:-} wf=${4:-$tmp/t.txt}
    "$es" run --window "$win" $more --ops "$wops" --format tsv --quiet --report-every 3000 "$wf" > "$tmp/w.tsv" ||
        bad "$name: uninterrupted run failed"
    rm -rf "$tmp/ws"
    "$es" run --window "$win" $more --ops "$wops" --format tsv --quiet --report-every 3000 --batch 700 --snapshot-dir "$tmp/ws" \
        --snapshot-every $wevery --keep 100 "$wf" > "$tmp/w2.tsv" 2> "$tmp/err" ||
        bad "$name: run with snapshots: $(cat "$tmp/err")"
    cmp -s "$tmp/w.tsv" "$tmp/w2.tsv" && ok || bad "$name: snapshots (or --batch) change the reports"
    nsnap=$(ls "$tmp"/ws/snap-*.h5 | wc -l)
    [ "$nsnap" -ge 7 ] && ok || bad "$name: $nsnap snapshots, 7 or more expected"
    for k in $(seq 1 "$nsnap"); do
        keep_upto "$tmp/ws" "$tmp/wk" "$k"
        "$es" run --window "$win" $more --ops "$wops" --format tsv --report-every 3000 --batch 900 --threads $((k % 2 + 1)) \
            --snapshot-dir "$tmp/wk" --snapshot-every $wevery --resume "$wf" > "$tmp/wgot.tsv" 2> "$tmp/err" ||
            bad "$name: resume after $k: $(cat "$tmp/err")"
        at=$(sed -n "s/.*resuming from .*snap-$(printf %06d "$k").h5 at edge \([0-9]*\).*/\1/p" "$tmp/err")
        [ -n "$at" ] || { bad "$name: not resumed from snapshot $k: $(cat "$tmp/err")"; continue; }
        n=$(wc -l < "$tmp/wgot.tsv")
        if tail -n "$n" "$tmp/w.tsv" | cmp -s - "$tmp/wgot.tsv"; then ok; else
            bad "$name: resumed after snapshot $k (edge $at): the reports differ from the uninterrupted run's"
            tail -n "$n" "$tmp/w.tsv" | diff - "$tmp/wgot.tsv" | head -c 600; fi
        # every report the uninterrupted run made past the snapshot is there
        later=$(awk -F '\t' -v k="$at" '$1 == "report" && $3 > k' "$tmp/w.tsv" | wc -l)
        got=$(grep -c '^report' "$tmp/wgot.tsv")
        [ "$got" -ge "$later" ] && ok || bad "$name: resumed after snapshot $k: $got reports, $later past edge $at"
    done
    echo "$name: $nsnap kill points"
}
window_case "tumbling over time" tumbling:5000s
window_case "sliding count" sliding:4000,1000
# inspect_case NAME WINDOW [OPTIONS [FILE]]: a sliding window's operators
# answer from the window's lines, which inspect folds again as a resumed
# run does: every snapshot (one every 2000 lines, batches and reports every
# 500, so one falls on each snapshot) inspects as the run's report at its
# edge (each, where a window's report and the interim one both fall there).
inspect_case() {
    name=$1 win=$2 more=${3:-} wf=${4:-$tmp/t.txt}
    rm -rf "$tmp/is"
    "$es" run --window "$win" $more --ops "$wops" --format tsv --quiet --report-every 500 --batch 500 \
        --snapshot-dir "$tmp/is" --snapshot-every 2000 --keep 100 "$wf" > "$tmp/i.tsv" 2> "$tmp/err" ||
        bad "$name: inspect run: $(cat "$tmp/err")"
    nsnap=$(ls "$tmp"/is/snap-*.h5 | wc -l) matched=0
    [ "$nsnap" -ge 15 ] && ok || bad "$name: $nsnap snapshots, 15 or more expected"
    for f in "$tmp"/is/snap-*.h5; do
        "$es" inspect --format tsv "$f" > "$tmp/ins.tsv" 2> "$tmp/err" || { bad "$name: inspect $f: $(cat "$tmp/err")"; continue; }
        at=$(tsv_get "$tmp/ins.tsv" snapshot edges_consumed)
        awk -F '\t' -v e="$at" '$1 == "report" { n++; on = $3 == e } on { print n "\t" $0 }' "$tmp/i.tsv" > "$tmp/blocks"
        grep -v -e '^snapshot' -e '^report' "$tmp/ins.tsv" > "$tmp/ins.got"
        blocks=$(cut -f 1 "$tmp/blocks" | sort -u)
        [ -n "$blocks" ] || bad "$name: no report at edge $at"
        for b in $blocks; do
            awk -F '\t' -v b="$b" '$1 == b' "$tmp/blocks" | cut -f 2- |
                grep -v -e '^report' > "$tmp/ins.want"
            if cmp -s "$tmp/ins.got" "$tmp/ins.want"; then matched=$((matched + 1)); ok; else
                bad "$name: inspect $(basename "$f") (edge $at): answers differ from the run's report"
                diff "$tmp/ins.want" "$tmp/ins.got" | head -c 600; fi
        done
    done
    echo "$name: $nsnap snapshots inspected, $matched reports matched"
}
inspect_case "inspect, sliding count" sliding:4000,1000
# export keeps the window's lines: the exported file inspects the same;
# compare checks each snapshot's answers against igraph's on its window's lines
f=$tmp/is/snap-000005.h5
"$es" export "$f" "$tmp/ex.h5" 2> "$tmp/err" || bad "inspect, sliding count: export: $(cat "$tmp/err")"
"$es" inspect --format tsv "$tmp/ex.h5" | grep -v '^snapshot' > "$tmp/ex.tsv"
"$es" inspect --format tsv "$f" | grep -v '^snapshot' | cmp -s - "$tmp/ex.tsv" && ok ||
    bad "inspect, sliding count: the exported snapshot inspects otherwise"
for k in 2 7 "$nsnap"; do
    expect "sliding count: compare snapshot $k" 0 "" -- "$es" compare --quiet --snapshot \
        "$tmp/is/snap-$(printf %06d "$k").h5" "$tmp/t.txt"
    grep -q "checks, 0 differ" "$tmp/out" && ok || bad "sliding count: compare snapshot $k: $(tail -3 "$tmp/out")"
done
inspect_case "inspect, sliding over time" sliding:12000s,3000s
window_case "sliding over time" sliding:12000s,3000s
[ "$(awk -F '\t' '$1 == "stream" && $2 == "late_edges" && $3 > 0' "$tmp/w.tsv" | wc -l)" -gt 0 ] && ok ||
    bad "no window over time saw a late line"
# --lateness: the same lines with every 5th also 700 s behind, held until
# the watermark passes its pane; the snapshot holds those lines and the
# watermark, so a run killed while they wait resumes with the same reports.
awk '{ t += 1 + (NR % 3); print $1, $2, (NR % 97 == 0 ? t - 4000 : NR % 5 == 0 ? t - 700 : t) }' "$tmp/g.txt" > "$tmp/tl.txt"
window_case "sliding over time, lateness" sliding:12000s,3000s "--lateness 1000s" "$tmp/tl.txt"
inspect_case "inspect, sliding over time, lateness" sliding:12000s,3000s "--lateness 1000s" "$tmp/tl.txt"
[ "$(awk -F '\t' '$1 == "stream" && $2 == "late_edges" && $3 > 0' "$tmp/w.tsv" | wc -l)" -gt 0 ] && ok ||
    bad "lateness: no late line"
window_case "tumbling over time, lateness" tumbling:5000s "--lateness 1000s" "$tmp/tl.txt"

# ---- sliding windows with deletions ------------------------------------------------
# The timestamped lines, 30% of them followed by a deletion of one of the
# last 5000 lines (in the window, or expired: then ignored; a pair deleted
# twice, or deleted and inserted again), 3% by a deletion of a pair never
# inserted, and every 50th by a deleted self-loop.  A snapshot holds which
# copies of the window's lines deletions took back; without them a resumed
# run expires those copies again (answers differ).  Snapshots every 2300
# lines fall inside panes.
awk 'BEGIN { srand(5) } { print; n++; l[n] = $1 " " $2; r = rand()
     if (r < 0.3) print l[n - int(rand() * (n < 5000 ? n : 5000))], $3, "-"
     else if (r < 0.33) print $1 + 100000, $2, $3, "-"
     if (NR % 50 == 0) print $1, $1, $3, "-" }' "$tmp/t.txt" > "$tmp/td.txt"
wops=cc,degree,bipartite,tri,cm,tri-est:m=2000 wevery=2300
window_case "sliding count, deletions" sliding:4000,1000 --deletions "$tmp/td.txt"
[ "$(tsv_get "$tmp/w.tsv" stream deletions_ignored)" -gt 1000 ] && ok || bad "sliding, deletions: few deletions ignored"
# inspect: the final snapshot's answers are the run's final report's (the
# vertices no line of the window names left out); compare: each snapshot's
# answers are igraph's on its window's lines less the copies taken back.
"$es" inspect --format tsv "$(ls "$tmp"/ws/snap-*.h5 | tail -1)" > "$tmp/ins.tsv" 2> "$tmp/err" ||
    bad "sliding, deletions: inspect: $(cat "$tmp/err")"
awk -F '\t' '$1 == "report" { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$tmp/w.tsv" |
    grep -v -e '^report' > "$tmp/ins.want"
grep -v -e '^snapshot' -e '^report' "$tmp/ins.tsv" | cmp -s - "$tmp/ins.want" && ok ||
    bad "sliding, deletions: inspect of the final snapshot: answers differ from the run's final report"
[ "$(tsv_get "$tmp/ins.tsv" stream vertices)" = "$(tsv_get "$tmp/w.tsv" stream vertices)" ] && ok ||
    bad "sliding, deletions: inspect: stream vertices $(tsv_get "$tmp/ins.tsv" stream vertices)"
# export keeps the window: the exported file inspects the same
"$es" export "$(ls "$tmp"/ws/snap-*.h5 | tail -1)" "$tmp/ex.h5" 2> "$tmp/err" || bad "sliding, deletions: export: $(cat "$tmp/err")"
"$es" inspect --format tsv "$tmp/ex.h5" | grep -v '^snapshot' > "$tmp/ex.tsv"
grep -v '^snapshot' "$tmp/ins.tsv" | cmp -s - "$tmp/ex.tsv" && ok || bad "sliding, deletions: the exported snapshot inspects otherwise"
for k in 2 7 "$nsnap"; do
    expect "sliding, deletions: compare snapshot $k" 0 "" -- "$es" compare --quiet --snapshot \
        "$tmp/ws/snap-$(printf %06d "$k").h5" "$tmp/td.txt"
    grep -q "checks, 0 differ" "$tmp/out" && ok || bad "sliding, deletions: compare snapshot $k: $(tail -3 "$tmp/out")"
done
window_case "sliding over time, deletions" sliding:12000s,3000s --deletions "$tmp/td.txt"
awk '{ print $1, $2, (NR % 5 == 0 ? $3 - 700 : $3), $4 }' "$tmp/td.txt" > "$tmp/tdl.txt"
window_case "sliding over time, deletions, lateness" sliding:12000s,3000s "--deletions --lateness 1000s" "$tmp/tdl.txt"
# Killed inside windows: the resumed run's reports are the uninterrupted
# run's (sliding and tumbling, count and time windows, one every 1000 lines).
for win in sliding:4000,1000 sliding:12000s,3000s tumbling:4000 tumbling:9000s; do
    "$es" run --window "$win" --deletions --ops "$wops" --format tsv --quiet --report-every 1000 "$tmp/td.txt" \
        > "$tmp/wd.tsv" || bad "$win, deletions: uninterrupted run failed"
    crash_case "$win, deletions" "$tmp/wd.tsv" "$tmp/td.txt" --window "$win" --deletions --ops "$wops" --format tsv \
        --report-every 1000 --batch 300 --snapshot-every 1700
done

# ---- the stream's settings ---------------------------------------------------------
# A snapshot records the settings that shape the state (window, lateness,
# deletions, columns); a resume with others is refused (exit 78, naming
# what differs), never mixed; inspect prints the window's bounds from them.
printf '1 2 0\n2 3 1\n3 1 2\n4 5 3\n5 6 4\n6 4 5\n7 8 6\n' > "$tmp/w7.txt"
rm -rf "$tmp/st"
"$es" run --quiet --window tumbling:3 --ops cc,degree --snapshot-dir "$tmp/st" --snapshot-every 2 --keep 10 \
    "$tmp/w7.txt" > /dev/null 2> "$tmp/err" || bad "settings: run failed: $(cat "$tmp/err")"
"$es" inspect --format tsv "$tmp/st/snap-000002.h5" > "$tmp/ins.tsv"
[ "$(tsv_get "$tmp/ins.tsv" stream edges) $(tsv_get "$tmp/ins.tsv" stream window_start) $(tsv_get "$tmp/ins.tsv" stream window_end)" = "4 3 6" ] &&
    ok || bad "settings: inspect of a tumbling window at edge 4: $(grep '^stream' "$tmp/ins.tsv" | tr '\n' ' ')"
keep_upto "$tmp/st" "$tmp/st2" 2
for case in "--window tumbling:4|window=tumbling:3, this run has window=tumbling:4" \
            "|window=tumbling:3, this run has window=none" \
            "--window tumbling:3 --deletions|deletions=0, this run has deletions=1" \
            "--window tumbling:3 --columns u,v,-|columns=default, this run has columns=u,v,-"; do
    opts=${case%%|*} msg=${case#*|}
    # shellcheck disable=SC2086
    expect "settings: resume with '$opts'" 78 "$msg" -- "$es" run --quiet $opts --ops cc,degree \
        --snapshot-dir "$tmp/st2" --snapshot-every 2 --resume "$tmp/w7.txt"
done
last_report() { awk -F '\t' '$1 == "report" { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$1"; }
"$es" run --quiet --window tumbling:3 --ops cc,degree --format tsv "$tmp/w7.txt" > "$tmp/st.tsv"
last_report "$tmp/st.tsv" > "$tmp/st.want"
expect "settings: resume with the same window" 0 "" -- "$es" run --quiet --window tumbling:3 --ops cc,degree \
    --format tsv --snapshot-dir "$tmp/st2" --snapshot-every 2 --resume "$tmp/w7.txt"
last_report "$tmp/out" | cmp -s - "$tmp/st.want" && ok || bad "settings: the resumed run's final report differs"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
