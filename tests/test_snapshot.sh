#!/bin/sh
# test_snapshot.sh EDGESTREAM [KILLS] — snapshots, resume and their bad cases:
#   - crash test: run with frequent snapshots, SIGKILL it at KILLS random
#     moments (default 20; some land during a snapshot write), resume each
#     time (alternating --threads 1 and 2), and compare the final tsv with
#     an uninterrupted run's, byte for byte; rounds alternate between the
#     writer thread and writes in the process (--snapshot-wait); then a
#     quarter as many kills for the other methods of tri-est (wrs, gps)
#     and spanner (greedy, and the clustering one at k = 3), and for a
#     larger graph, whose edge log's memory is recycled;
#   - the same inside tumbling windows of 5000 edges: every window's report
#     equals the uninterrupted run's, and a resume at a window's end;
#   - corruption: truncated, bit-flipped, leftover temporary, deleted newest,
#     no valid snapshot; mismatches: other input, other operators, other
#     format; the documented HDF5 layout (h5dump -H); inspect;
#   - log files (--ops cc,degree,tri-est): each kept snapshot's header lists
#     existing files with the right crc32, equal logs share one file; a
#     truncated edge log makes resume fall back, a corrupt or deleted one
#     leaves no valid snapshot (exit 65, directory unchanged); retention
#     keeps exactly the listed logs (a stray one goes, so do a previous
#     run's); h5dump sees a virtual dataset over the log file and reads it
#     from another directory, the snapshot directory copied or moved.
# Prints "N passed, N failed"; exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"
kills=${2:-20}

# The operators under test: every one that can snapshot.
ops=${ES_SNAPSHOT_OPS:-cc,degree,bipartite,tri,tri-est:m=3000,spanner:k=2,cm,topk:k=5,hll}
"$es" gen rmat --scale 15 --edge-factor 8 --seed 3 -o "$tmp/g.txt"
"$es" run --ops "$ops" --format tsv --quiet "$tmp/g.txt" > "$tmp/want.tsv" || bad "uninterrupted run failed"

# ---- crash test -------------------------------------------------------------
# crash OPS WANT KILLS: rounds, each starting afresh, kill the run of OPS at
# random moments and resume it until one run completes, then compare with
# WANT; rounds go on until KILLS kills.  Odd rounds write snapshots with the
# writer thread, even ones in the process (--snapshot-wait).
seed=${ES_CRASH_SEED:-7}
crash_in=$tmp/g.txt crash_batch=2000 crash_every=4000
crash() {
    cops=$1 cwant=$2 ckills=$3
    nkilled=0
    round=0
    while [ $nkilled -lt "$ckills" ]; do
        round=$((round + 1))
        dir=$tmp/snaps-$round
        rm -rf "$dir"
        if [ $((round % 2)) = 1 ]; then how=; else how=--snapshot-wait; fi
        i=0
        finished=no
        while [ $finished = no ]; do
            i=$((i + 1))
            threads=$((i % 2 + 1))
            delay=$(awk -v s="$seed" -v r="$round" -v i="$i" 'BEGIN { srand(s * 100000 + r * 1000 + i); printf "%.3f", 0.05 + rand() * 0.5 }')
            [ $nkilled -ge "$ckills" ] && delay=600   # enough kills: let it finish
            run_or_kill "$delay" "$tmp/got.tsv" "$es" run --ops "$cops" --format tsv --quiet --batch $crash_batch \
                --threads $threads $how --snapshot-dir "$dir" --snapshot-every $crash_every --resume "$crash_in"
            if [ $killed = 1 ]; then
                nkilled=$((nkilled + 1))
            else
                finished=yes
                [ $run_status = 0 ] || { bad "$cops round $round: resumed run exited $run_status: $(cat "$tmp/err")"; break; }
            fi
        done
        if cmp -s "$cwant" "$tmp/got.tsv"; then ok; else bad "$cops crash round $round ($how): final answers differ"; diff "$cwant" "$tmp/got.tsv" | head -5; fi
        n=$(ls "$dir"/snap-*.h5 2>/dev/null | wc -l)
        # --keep 3, and the previous generation's last (snapshot/logs.h)
        [ "$n" -ge 1 ] && [ "$n" -le 4 ] && ok || bad "round $round: $n snapshots left (--keep 3, and a fallback)"
        ls "$dir"/*.tmp >/dev/null 2>&1 && bad "round $round: a temporary file was left behind" || ok
    done
    echo "crash test ($cops): $nkilled kills in $round round(s)"
}
crash "$ops" "$tmp/want.tsv" "$kills"
# The other methods of tri-est and spanner (one operator of a kind a run):
# waiting-room sampling with the exact repeat test from the start and the
# greedy spanner (both read the edge table), graph priority sampling with
# dedup=auto and the clustering spanner at k = 3 with many centres.
akills=$(( (kills + 3) / 4 ))
for aops in "cc,tri-est:m=3000,method=wrs,dedup=1,spanner:k=2,method=greedy" \
            "degree,tri-est:m=3000,method=gps,spanner:k=3,n=3000"; do
    "$es" run --ops "$aops" --format tsv --quiet "$tmp/g.txt" > "$tmp/awant.tsv" || bad "uninterrupted $aops run failed"
    crash "$aops" "$tmp/awant.tsv" "$akills"
done

# The edge table's log recycled (snapshot/logmem.h): a graph whose log
# releases whole 2 MiB blocks once snapshots hold them, so that new
# generations of log files read those from the older files.
"$es" gen rmat --scale 17 --edge-factor 8 --seed 5 -o "$tmp/big.txt"
"$es" run --ops cc,degree,tri-est:m=3000 --format tsv --quiet "$tmp/big.txt" > "$tmp/bwant.tsv" ||
    bad "uninterrupted run of the larger graph failed"
crash_in=$tmp/big.txt crash_batch=20000 crash_every=100000
crash cc,degree,tri-est:m=3000 "$tmp/bwant.tsv" $(( (kills + 3) / 4 ))
crash_in=$tmp/g.txt crash_batch=2000 crash_every=4000

# ---- crash test inside tumbling windows ---------------------------------------
# Windows of 5000 edges, snapshots every 3000 (so most fall inside a window,
# some at a boundary): killed at random moments and resumed until a run
# completes, every window's report (from whichever run printed it last)
# equals the uninterrupted run's.  json: one line per report, so a line cut
# by the kill is told apart (it does not parse) and dropped.
wops=cc,degree,bipartite,tri,cm,hll
"$es" run --ops "$wops" --window tumbling:5000 --format json --quiet "$tmp/g.txt" > "$tmp/wwant.json" ||
    bad "uninterrupted windowed run failed"
windows_of() { # FILE...: window_start -> report, the last printed for each
    /usr/bin/python3 - "$@" <<'PY'
import json, sys
seen = {}
for path in sys.argv[1:]:
    for line in open(path):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        r.pop("final", None)
        seen[r["operators"]["stream"]["window_start"]] = r
for k in sorted(seen):
    print(json.dumps(seen[k], sort_keys=True))
PY
}
windows_of "$tmp/wwant.json" > "$tmp/wwant.txt"
wdir=$tmp/wsnaps
wkilled=0
i=0
finished=no
while [ $finished = no ] && [ $i -lt 40 ]; do
    i=$((i + 1))
    delay=$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s * 7 + i); printf "%.3f", 0.05 + rand() * 0.4 }')
    [ $wkilled -ge 6 ] && delay=600
    run_or_kill "$delay" "$tmp/wgot-$i.json" "$es" run --ops "$wops" --window tumbling:5000 --format json --quiet \
        --batch 1000 --threads $((i % 2 + 1)) --snapshot-dir "$wdir" --snapshot-every 3000 --resume "$tmp/g.txt"
    if [ $killed = 1 ]; then
        wkilled=$((wkilled + 1))
    else
        finished=yes
        [ $run_status = 0 ] || bad "windows: resumed run exited $run_status: $(cat "$tmp/err")"
    fi
done
windows_of $(seq 1 $i | sed "s|.*|$tmp/wgot-&.json|") > "$tmp/wgot.txt"
if [ $finished = yes ] && cmp -s "$tmp/wwant.txt" "$tmp/wgot.txt"; then ok; else
    bad "windows: after $wkilled kills the window reports differ"; diff "$tmp/wwant.txt" "$tmp/wgot.txt" | head -c 600; fi
[ "$(wc -l < "$tmp/wwant.txt")" -ge 50 ] && ok || bad "windows: $(wc -l < "$tmp/wwant.txt") window reports, 53 expected"
echo "window crash test: $wkilled kills"
# Resumed from a snapshot at a window's end (10000): that window is not yet
# reported (it closes at the next edge), so the resumed run reports it, and
# every later one, as the uninterrupted run does.
wdir=$tmp/wsnaps-boundary
"$es" run --ops "$wops" --window tumbling:5000 --format json --quiet --batch 1000 --snapshot-dir "$wdir" \
    --snapshot-every 5000 --snapshot-wait --keep 100 "$tmp/g.txt" > /dev/null || bad "windows: run with snapshots failed"
for f in "$wdir"/snap-*.h5; do   # keep the snapshots up to edge 10000 (ids 1 and 2)
    id=${f##*snap-}; id=${id%.h5}
    [ "$id" -gt 2 ] && rm -f "$f"
done
"$es" run --ops "$wops" --window tumbling:5000 --format json --batch 1000 --snapshot-dir "$wdir" \
    --snapshot-every 5000 --resume "$tmp/g.txt" > "$tmp/wb.json" 2> "$tmp/err" || bad "windows: resume failed: $(cat "$tmp/err")"
grep -q 'resuming from .*snap-000002.h5 at edge 10000' "$tmp/err" && ok || bad "windows: not resumed at 10000: $(cat "$tmp/err")"
windows_of "$tmp/wb.json" > "$tmp/wb.txt"
tail -n +2 "$tmp/wwant.txt" | cmp -s - "$tmp/wb.txt" && ok ||
    bad "windows: resumed at a boundary, the reports from [5000, 10000) on differ: $(head -c 300 "$tmp/wb.txt")"

# ---- a clean run with snapshots, then the bad cases -------------------------
fresh() { # fresh DIR: a run that leaves snapshots at 8000, 16000, ... and the end
    rm -rf "$1"
    "$es" run --ops "$ops" --format tsv --quiet --batch 2000 --snapshot-dir "$1" --snapshot-every 8000 \
        --snapshot-wait --keep 100 "$tmp/g.txt" > "$tmp/out" 2>&1 || bad "snapshot run failed: $(cat "$tmp/out")"
    [ "$(ls "$1"/snap-*.h5 | wc -l)" -ge 30 ] && ok || bad "--snapshot-wait: a snapshot at every barrier expected"
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
printf 'edgestream snapshot\nformat 11\n' | dd of="$victim" bs=1 conv=notrunc 2>/dev/null
expect "other format" 78 "format 11" -- resume "$d"
printf 'edgestream snapshot\nformat 9\n' | dd of="$victim" bs=1 conv=notrunc 2>/dev/null
expect "older format" 78 "snapshot format 9, this edgestream reads format 10" -- resume "$d"

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

# ---- a limit on address space ---------------------------------------------------
# Under ulimit -v logs get no reserved address space and may move, so no
# writer may read them beside the stream: snapshots are written in the
# process, which says so once; same answers, and the snapshots resume.
# (Skipped where the binary cannot run under the limit at all:
# AddressSanitizer reserves terabytes.)
if (ulimit -v 4000000 && "$es" gen rmat --scale 4 > /dev/null 2>&1); then
    d=$tmp/vlimit; rm -rf "$d"
    (ulimit -v 4000000 && exec "$es" run --ops "$ops" --format tsv --quiet --batch 2000 --snapshot-dir "$d" \
        --snapshot-every 4000 "$tmp/g.txt") > "$tmp/out" 2> "$tmp/err" || bad "ulimit -v: run failed: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "ulimit -v: answers differ"
    [ "$(grep -c 'snapshots are written in the process' "$tmp/err")" = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && ok ||
        bad "ulimit -v: one line on stderr expected: $(head -c 400 "$tmp/err")"
    drop_final "$d"
    (ulimit -v 4000000 && exec "$es" run --ops "$ops" --format tsv --batch 2000 --snapshot-dir "$d" --resume \
        "$tmp/g.txt") > "$tmp/out" 2> "$tmp/err" || bad "ulimit -v: resume failed: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/out" "$tmp/want.tsv" && ok || bad "ulimit -v: resumed answers differ"
else
    echo "skipped: this binary does not run under ulimit -v"
fi

# ---- log files ----------------------------------------------------------------
# With cc,degree,tri-est: the id map's external ids and tri-est's ext are one
# log, the edge table's keys (/edges/keys, degree's and tri-est's exact
# set) another, cc's joins a third.
lops=cc,degree,tri-est:m=10000
"$es" run --ops "$lops" --format tsv --quiet "$tmp/g.txt" > "$tmp/lwant.tsv" || bad "uninterrupted $lops run failed"
lfresh() { # lfresh DIR: snapshots of $lops at every 32768 edges, the newest 3 kept
    rm -rf "$1"
    "$es" run --ops "$lops" --format tsv --quiet --batch 2000 --snapshot-dir "$1" --snapshot-every 32768 \
        --snapshot-wait "$tmp/g.txt" > "$tmp/out" 2>&1 || bad "$lops snapshot run failed: $(cat "$tmp/out")"
}
lresume() { "$es" run --ops "$lops" --format tsv --batch 2000 --snapshot-dir "$1" --resume "$tmp/g.txt"; }
lcopy() { rm -rf "$1"; cp -r "$tmp/lbase" "$1"; }
# The "log ..." lines of a snapshot's header.
logs_of() { head -c 4096 "$1" | tr -d '\000' | grep '^log '; }
# Field FIELD (3 file, 4 bytes, 5 crc) of SNAP's log line for dataset PATH.
log_field() { logs_of "$1" | awk -v p="$2" -v k="$3" '$2 == p { print $k }'; }
second_newest() { ls "$1"/snap-*.h5 | sort | tail -n 2 | head -n 1; }
# zlib crc32 of a file's first BYTES bytes, as 8 hex digits (gzip's trailer).
crc32_of() { head -c "$2" "$1" | gzip -1 -c | tail -c 8 | od -An -tx4 -N4 | tr -d ' \n'; }
# Complement the byte at OFFSET of FILE.
flip() {
    v=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((255 - v)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# Every file of a directory with its checksum, to see that nothing changed.
state_of() { (cd "$1" && ls -A | sort && cksum $(ls -A | sort)); }

# Every snapshot of DIR's newest generation lists its 3 logs (or LINES), each in an
# existing file of its own with the recorded crc32 of its prefix.
check_logs() {   # (not the previous generation's fallback: it may be of the stream's first edges)
    for s in "$1"/snap-*.h5; do
        if [ "$s" != "$(newest "$1")" ] && ! logs_of "$s" | awk '{ print $3 }' | grep -qxF "$(log_field "$(newest "$1")" /idmap/external_ids 3)"; then
            continue
        fi
        logs_of "$s" > "$tmp/lines"
        [ "$(wc -l < "$tmp/lines")" = "${2:-3}" ] && ok || bad "logs: $s lists $(wc -l < "$tmp/lines") logs, wanted ${2:-3}"
        awk '{ print $3, $4, $5 }' "$tmp/lines" | sort -u > "$tmp/files"
        [ "$(wc -l < "$tmp/files")" = "${2:-3}" ] && ok || bad "logs: $s: its logs are not in ${2:-3} files: $(cat "$tmp/files")"
        while read -r file bytes crc; do
            if [ ! -f "$1/$file" ]; then bad "logs: $s: $file does not exist"; continue; fi
            [ "$(wc -c < "$1/$file")" -ge "$bytes" ] && ok || bad "logs: $s: $file shorter than $bytes"
            [ "$(crc32_of "$1/$file" "$bytes")" = "$crc" ] && ok || bad "logs: $s: crc32 of $file's first $bytes bytes is not $crc"
        done < "$tmp/files"
        case $(log_field "$s" /edges/keys 3) in log-*.edges.keys.u64.h5) ok ;; *) bad "logs: $s: the edge table is not a log" ;; esac
        case $(log_field "$s" /operators/cc/joins 3) in log-*.operators.cc.joins.u64.h5) ok ;; *) bad "logs: $s: cc's joins are not a log" ;; esac
    done
}
listed() { for s in "$1"/snap-*.h5; do logs_of "$s" | awk '{ print $3 }'; done | sort -u; }
present() { ls "$1" | grep '^log-' | sort; }
# Generations (snapshot/logs.h): the oldest kept snapshot shares no log
# file with the newest, whatever single file is damaged one of them stays.
oldest() { ls "$1"/snap-*.h5 | sort | head -n 1; }
two_generations() {
    for f in $(logs_of "$(oldest "$1")" | awk '{ print $3 }' | sort -u); do
        if logs_of "$(newest "$1")" | awk '{ print $3 }' | grep -qxF "$f"; then
            bad "logs: the oldest and the newest kept snapshot of $1 share $f"; return
        fi
    done
    ok
}

lfresh "$tmp/lbase"
d=$tmp/lbase
n=$(ls "$d"/snap-*.h5 | wc -l)
[ "$n" -ge 3 ] && [ "$n" -le 4 ] && ok || bad "logs: 3 snapshots and maybe a fallback expected (--keep 3): $(ls "$d")"
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "logs: log files $(present "$d") but listed $(listed "$d")"
two_generations "$d"
check_logs "$d"
# A run killed between a commit and its retention leaves one snapshot too
# many; a resume with nothing left to read writes none, and trims anyway.
d=$tmp/lextra; rm -rf "$d"
"$es" run --ops cc --quiet --batch 2000 --snapshot-dir "$d" --snapshot-every 4000 --snapshot-wait --keep 100 \
    "$tmp/g.txt" > /dev/null 2>&1 || bad "keep 100: run failed"
n=$(ls "$d"/snap-*.h5 | wc -l)
"$es" run --ops cc --quiet --batch 2000 --snapshot-dir "$d" --snapshot-every 4000 --snapshot-wait --resume \
    "$tmp/g.txt" > /dev/null 2>&1 || bad "keep 3 after keep 100: resume failed"
m=$(ls "$d"/snap-*.h5 | wc -l)
[ "$n" -gt 4 ] && [ "$m" -ge 3 ] && [ "$m" -le 4 ] && ok || bad "a resume with nothing to read left $m of $n snapshots (--keep 3)"
# The same through a writer thread (no --snapshot-wait), whose log table
# the next snapshot extends, with logs appended by direct I/O ...
d=$tmp/lthread; rm -rf "$d"
"$es" run --ops "$lops" --format tsv --quiet --batch 2000 --snapshot-dir "$d" --snapshot-every 16384 \
    "$tmp/g.txt" > "$tmp/out" 2> "$tmp/err" || bad "$lops threaded snapshot run failed: $(cat "$tmp/err")"
cmp -s "$tmp/out" "$tmp/lwant.tsv" && ok || bad "writer thread: answers differ"
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "writer thread: log files $(present "$d") but listed $(listed "$d")"
check_logs "$d"
# ... and with the greedy spanner, whose input edges are the edge table's
# and whose kept edges are a log of their own ...
d=$tmp/lspanner; rm -rf "$d"
"$es" run --ops "$lops,spanner:k=2,method=greedy" --format tsv --quiet "$tmp/g.txt" > "$tmp/fwant.tsv" ||
    bad "uninterrupted $lops,spanner run failed"
"$es" run --ops "$lops,spanner:k=2,method=greedy" --format tsv --quiet --batch 2000 --snapshot-dir "$d" \
    --snapshot-every 16384 "$tmp/g.txt" > "$tmp/out" 2> "$tmp/err" || bad "$lops,spanner snapshot run failed: $(cat "$tmp/err")"
cmp -s "$tmp/out" "$tmp/fwant.tsv" && ok || bad "with spanner: answers differ"
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "with spanner: log files $(present "$d") but listed $(listed "$d")"
check_logs "$d" 4
# ... and with the clustering spanner (the default), whose kept edges and
# records are logs of their own.
d=$tmp/lbaswana; rm -rf "$d"
"$es" run --ops "$lops,spanner:k=2,n=500" --format tsv --quiet "$tmp/g.txt" > "$tmp/fwant.tsv" ||
    bad "uninterrupted $lops,spanner run failed"
"$es" run --ops "$lops,spanner:k=2,n=500" --format tsv --quiet --batch 2000 --snapshot-dir "$d" --snapshot-every 16384 \
    "$tmp/g.txt" > "$tmp/out" 2> "$tmp/err" || bad "$lops,spanner snapshot run failed: $(cat "$tmp/err")"
cmp -s "$tmp/out" "$tmp/fwant.tsv" && ok || bad "with the clustering spanner: answers differ"
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "with the clustering spanner: log files $(present "$d") but listed $(listed "$d")"
check_logs "$d" 5
d=$tmp/lbase
lnew=$(newest "$d")
lsecond=$(second_newest "$d")
ledges=$(log_field "$lnew" /edges/keys 3)
lids=$(log_field "$lnew" /idmap/external_ids 3)
b1=$(log_field "$lsecond" /edges/keys 4)
b2=$(log_field "$lnew" /edges/keys 4)
[ "$b1" -lt "$b2" ] && ok || bad "logs: the edge log did not grow between the newest snapshots ($b1, $b2)"

# The newest snapshot's edge log cut between the second newest snapshot's
# length and the newest's: HDF5 reads a log file only whole, so every
# snapshot that lists it is refused (none would read zeros), naming the
# length needed; the previous generation's snapshot resumes.
lold=$(oldest "$tmp/lbase")
d=$tmp/l2; lcopy "$d"
cut=$(((b1 + b2) / 2))
room=$(($(log_field "$lnew" /edges/keys 6) + $(log_field "$lnew" /edges/keys 7)))
head -c $cut "$d/$ledges" > "$d/cut" && mv "$d/cut" "$d/$ledges"
expect "truncated edge log" 0 "skipping $d/$(basename "$lnew"): its log $d/$ledges is truncated ($cut bytes, $room needed)" -- lresume "$d"
grep -qF "resuming from $d/$(basename "$lold")" "$tmp/err" && ok || bad "truncated edge log: not resumed from the previous generation: $(head -c 400 "$tmp/err")"
cmp -s "$tmp/out" "$tmp/lwant.tsv" && ok || bad "after a truncated edge log: answers differ"
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "after a truncated edge log: log files $(present "$d") but listed $(listed "$d")"

# A flipped byte inside every prefix of the newest's edge log: the
# previous generation's snapshot resumes.
d=$tmp/l3; lcopy "$d"
flip "$d/$ledges" 16
expect "corrupt edge log" 0 "its log $d/$ledges fails its checksum (the file is corrupt)" -- lresume "$d"
grep -qF "resuming from $d/$(basename "$lold")" "$tmp/err" && ok || bad "corrupt edge log: not resumed from the previous generation: $(head -c 400 "$tmp/err")"
cmp -s "$tmp/out" "$tmp/lwant.tsv" && ok || bad "after a corrupt edge log: answers differ"
# Both generations' edge logs damaged: nothing to resume from, and the
# directory is left as it was.
d=$tmp/l3b; lcopy "$d"
flip "$d/$ledges" 16
flip "$d/$(log_field "$lold" /edges/keys 3)" 16
state_of "$d" > "$tmp/before"
expect "corrupt edge logs" 65 "no valid snapshot in $d (" -- lresume "$d"
state_of "$d" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && ok || bad "a refused resume (corrupt logs) changed the snapshot directory"

# A deleted log file.
d=$tmp/l4; lcopy "$d"
rm "$d/$lids"
expect "deleted log" 0 "its log $d/$lids cannot be read: No such file or directory" -- lresume "$d"
cmp -s "$tmp/out" "$tmp/lwant.tsv" && ok || bad "after a deleted log: answers differ"

# Retention: the log files are exactly those the kept snapshots list.
d=$tmp/lbase
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "retention: log files $(present "$d") but listed $(listed "$d")"
# A stray log goes with the next snapshot of a resumed run.
d=$tmp/l5; lcopy "$d"; drop_final "$d"
echo junk > "$d/log-000999.x.u64.h5"
expect "resume with a stray log" 0 "resuming from" -- lresume "$d"
cmp -s "$tmp/out" "$tmp/lwant.tsv" && ok || bad "resume with a stray log: answers differ"
[ -e "$d/log-000999.x.u64.h5" ] && bad "retention left a stray log file" || ok
[ "$(listed "$d")" = "$(present "$d")" ] && ok || bad "retention after resume: log files $(present "$d") but listed $(listed "$d")"
# A run started afresh in the directory is refused (tests/test_faults.sh):
# the first run's snapshots and logs stay.
d=$tmp/l6; lcopy "$d"
expect "second run in a snapshot directory" 78 "holds the snapshots of another run" -- \
    "$es" run --ops "$lops" --format tsv --quiet --batch 2000 --snapshot-dir "$d" --snapshot-every 32768 \
    --snapshot-wait "$tmp/g.txt"
state_of "$tmp/lbase" > "$tmp/before"; state_of "$d" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && ok ||
    bad "a refused second run changed the logs: $(present "$d")"

# The edge log as HDF5 sees it: a virtual dataset over the log file's
# /data, read with no setting from any directory, and with the snapshot
# directory copied or moved.
d=$tmp/lbase
if command -v h5dump >/dev/null; then
    h5dump -H -p -d /edges/keys "$lnew" > "$tmp/h5" 2>&1
    grep -qF "VIRTUAL" "$tmp/h5" && ok || bad "h5dump: /edges/keys is not a virtual dataset: $(head -c 400 "$tmp/h5")"
    grep -qF "FILE \"$ledges\"" "$tmp/h5" && grep -qF 'DATASET "/data"' "$tmp/h5" && ok ||
        bad "h5dump: /edges/keys is not a view of $ledges:/data: $(head -c 600 "$tmp/h5")"
    mkdir -p "$tmp/elsewhere"
    start=$(log_field "$lnew" /edges/keys 6)
    set -- $(od -An -tu8 -j "$start" -N 16 "$d/$ledges")
    cp -r "$d" "$tmp/copied"
    mv "$tmp/copied" "$tmp/moved"
    for snap in "$lnew" "$tmp/moved/$(basename "$lnew")"; do
        (cd "$tmp/elsewhere" && env -u HDF5_EXTFILE_PREFIX -u HDF5_VDS_PREFIX h5dump -d /edges/keys "$snap") > "$tmp/h5" 2>&1 &&
            ok || bad "h5dump -d /edges/keys failed: $(head -c 400 "$tmp/h5")"
        grep -qF "(0): $1, $2," "$tmp/h5" && ok || bad "h5dump -d /edges/keys of $snap: the values are not those of $ledges: $(head -c 400 "$tmp/h5")"
        grep -qF "SIMPLE { ( $(((b2 - start) / 8)) ) / ( $(((b2 - start) / 8)) ) }" "$tmp/h5" && ok || bad "h5dump -d /edges/keys: not $(((b2 - start) / 8)) keys"
        grep -q "error" "$tmp/h5" && bad "h5dump -d /edges/keys: $(grep error "$tmp/h5" | head -3)" || ok
    done
    rm -rf "$tmp/moved"
else
    echo "skipped: h5dump not installed"
fi

# inspect needs the snapshot's logs beside it.
rm -rf "$tmp/alone"; mkdir "$tmp/alone"
cp "$lnew" "$tmp/alone/"
expect "inspect without logs" 65 "its log $tmp/alone/$lids cannot be read: No such file or directory" -- \
    "$es" inspect --format tsv "$tmp/alone/$(basename "$lnew")"
cp "$tmp/lbase/$lids" "$tmp/lbase/$ledges" "$tmp/lbase/$(log_field "$lnew" /operators/cc/joins 3)" "$tmp/alone/"
"$es" inspect --format tsv "$tmp/alone/$(basename "$lnew")" > "$tmp/alone.tsv" 2>&1 && ok || bad "inspect with its logs copied: $(head -c 400 "$tmp/alone.tsv")"
"$es" inspect --format tsv "$lnew" > "$tmp/inplace.tsv" && cmp -s "$tmp/alone.tsv" "$tmp/inplace.tsv" && ok ||
    bad "inspect of a copied snapshot differs from the original's"

echo "snapshot tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
