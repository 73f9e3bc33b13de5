#!/bin/sh
# test_faults.sh EDGESTREAM — faults that must not cost the answer:
#   - disk full: snapshots into a 4 MiB tmpfs fail, the run goes on, prints
#     the same final report as a run without snapshots and exits 74; no
#     temporary, empty or unlisted file is left, and a resume from the last
#     good snapshot gives the same answers (skipped, with a message, where
#     mounting is not allowed: not root, or no tmpfs);
#   - a full disk after the newest snapshot's edge log was damaged: once
#     the disk has room again, snapshots are written again (the files
#     start from the newest snapshot that verifies), and the server's
#     final snapshot is at the stream's end;
#   - two runs, one directory: a run without --resume is refused (78) in a
#     directory that holds snapshots, naming it, and changes nothing there;
#   - resume compares meaning: operator specs with their defaults written
#     out, in another order, numbers in another notation, and the input as
#     ./f or an absolute path resume; real differences (tri-est:m=5 against
#     m=6, another file) are refused with 78, naming both;
#   - an edited input: one digit changed in the middle of what a snapshot
#     consumed (same size, first and last MiB untouched) is refused with 78
#     naming the input and the MiB that differs; restored, the resume gives
#     the uninterrupted answers; a gzip input resumes (its decompressed
#     bytes are checked);
#   - out of memory: under ulimit -v 200000 a 34-vertex graph runs every
#     operator (memory in proportion to the input); a batch too large for
#     the limit exits 71 with "out of memory" and what was being allocated
#     (skipped where the binary cannot run under the limit: AddressSanitizer
#     reserves terabytes).
# Prints "N passed, N failed"; exits non-zero on any failure.
. "$(dirname "$0")/lib.sh"
setup_test "$1"
mounted=
spid=
cleanup() {
    [ -n "$spid" ] && kill -9 "$spid" 2>/dev/null
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- disk full ------------------------------------------------------------------
# Every operator, in two runs (the second with spanner, whose kept edges are
# a log, on a smaller disk: that run's snapshots take less than 4 MiB).  A
# snapshot every 5 000 edges: a barrier that finds the last snapshot still
# being written is deferred, so a faster stream takes fewer, and the disk
# must still fill however many are deferred.
"$es" gen rmat --scale 15 --seed 1 -o "$tmp/r15.txt"
# small_disk DIR SIZE WHAT: a tmpfs of SIZE mounted at DIR, or status 1
# and "skipped: WHAT" when it cannot be (it needs root).  Until
# small_disk_done, LeakSanitizer reports no leaks: a file whose close
# failed on the full disk stays open inside HDF5 to the end, by design
# (snapshot/h5util.h).
small_disk() {
    mkdir -p "$1"
    if ! mount -t tmpfs -o size="$2" tmpfs "$1" 2>/dev/null; then
        echo "skipped: $3: cannot mount a tmpfs here (needs root)"
        return 1
    fi
    mounted=$1
    saved_asan=${ASAN_OPTIONS-}
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    export ASAN_OPTIONS
}
small_disk_done() { umount "$mounted" && mounted=; ASAN_OPTIONS=$saved_asan; }

full_case() { # full_case NAME OPS [SIZE]
    name=$1 fops=$2 size=${3:-4m}
    d=$tmp/full-$name
    small_disk "$d" "$size" "disk full ($name)" || return
    "$es" run --ops "$fops" --format tsv --quiet "$tmp/r15.txt" > "$tmp/want" || bad "full $name: plain run failed"
    "$es" run --ops "$fops" --format tsv --quiet --snapshot-dir "$d" --snapshot-every 5000 "$tmp/r15.txt" \
        > "$tmp/got" 2> "$tmp/err"
    st=$?
    [ $st = 74 ] && ok || bad "full $name: exit $st, wanted 74: $(head -c 400 "$tmp/err")"
    grep -q "snapshots* could not be written (the report is complete)" "$tmp/err" && ok ||
        bad "full $name: no summary of the failed snapshots: $(head -c 400 "$tmp/err")"
    grep -q "No space left on device\|disk full\|cannot write" "$tmp/err" && ok ||
        bad "full $name: no message on why: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/want" "$tmp/got" && ok || bad "full $name: the report differs from a run without snapshots"
    ls "$d"/*.tmp > /dev/null 2>&1 && bad "full $name: a temporary file is left: $(ls "$d")" || ok
    empty=$(find "$d" -type f -empty ! -name .lock)
    [ -z "$empty" ] && ok || bad "full $name: empty files left: $empty"
    # Every log file is listed by a kept snapshot, and every snapshot verifies.
    listed=$(for s in "$d"/snap-*.h5; do head -c 4096 "$s" | tr -d '\0' | awk '$1 == "log" { print $3 }'; done | sort -u)
    present=$(cd "$d" && ls log-* 2>/dev/null | sort)
    [ "$listed" = "$present" ] && ok || bad "full $name: log files $present, listed $listed"
    n=0
    for s in "$d"/snap-*.h5; do
        [ -e "$s" ] || continue
        n=$((n + 1))
        "$es" inspect "$s" > /dev/null 2>&1 && ok || bad "full $name: $s does not verify"
    done
    [ $n -ge 1 ] && ok || bad "full $name: no snapshot at all was written"
    # Resume from the last good snapshot: the same answers (its own snapshots fail too).
    "$es" run --ops "$fops" --format tsv --quiet --snapshot-dir "$d" --snapshot-every 5000 --resume "$tmp/r15.txt" \
        > "$tmp/got" 2> "$tmp/err"
    st=$?
    [ $st = 74 ] || [ $st = 0 ] && ok || bad "full $name: resume exited $st: $(head -c 400 "$tmp/err")"
    cmp -s "$tmp/want" "$tmp/got" && ok || bad "full $name: resumed answers differ"
    small_disk_done
}
full_case thread cc,degree,tri,tri-est:m=50000,seed=5,bipartite,cm,topk,hll
full_case spanner cc,degree,tri,spanner,bipartite,cm 2m   # its logs take less than 4 MB

# A full disk after the newest snapshot's edge log was damaged: the log's
# memory has released bytes that only the files hold, and a snapshot after
# the failed one must read them from the newest snapshot that verifies (the
# previous generation's, which retention keeps), not from the damaged file
# forever.  A server fed in three parts (python3 client), so that the damage
# and the full disk come between them; R-MAT scale 17, whose edge log
# (10 MiB) releases whole 2 MiB blocks.
heal_case() {
    d=$tmp/heal
    small_disk "$d" 96m "full disk after a damaged log" || return
    # (a sanitizer build on a loaded machine answers SNAPSHOT slowly)
    client="env ES_CLIENT_TIMEOUT=300 /usr/bin/python3 $here/tests/serve_client.py"
    "$es" gen rmat --scale 17 --seed 1 -o "$tmp/r17.txt"
    head -n 800000 "$tmp/r17.txt" > "$tmp/h1"
    sed -n 800001,820000p "$tmp/r17.txt" > "$tmp/h2"
    sed -n '820001,$p' "$tmp/r17.txt" > "$tmp/h3"
    "$es" serve --listen 127.0.0.1:0 --wal "$tmp/heal-wal" --snapshot-dir "$d" --snapshot-every 20000 \
        --batch 5000 --ops cc,degree --format tsv --quiet > "$tmp/heal.out" 2> "$tmp/heal.err" &
    spid=$!
    port=
    for _ in $(seq 600); do
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/heal.err")
        [ -n "$port" ] || ! kill -0 $spid 2>/dev/null && break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        bad "heal: the server did not start: $(head -c 400 "$tmp/heal.err")"
    else
        $client send "$port" "$tmp/h1" "$tmp/heal.acked" --clients 1 --group 5000 --id a > /dev/null
        $client query "$port" SNAPSHOT > "$tmp/heal.q1"
        newest=$(sed -n 's/.*"snapshot":"\([^"]*\)".*/\1/p' "$tmp/heal.q1")
        log=$(head -c 4096 "$newest" | tr -d '\0' | awk '$1 == "log" && $2 == "/edges/keys" { print $3; s = $6 } END { print s }')
        set -- $log
        [ -n "${2:-}" ] && ok || bad "heal: no edge log listed by $newest: $(cat "$tmp/heal.q1")"
        printf 'X' | dd of="$d/$1" bs=1 seek=$((${2:-0} + 100)) conv=notrunc 2>/dev/null
        dd if=/dev/zero of="$d/fill" bs=64k 2>/dev/null
        $client send "$port" "$tmp/h2" "$tmp/heal.acked" --clients 1 --group 5000 --id b > /dev/null
        $client query "$port" SNAPSHOT > "$tmp/heal.q2"
        grep -q '"error"' "$tmp/heal.q2" && ok || bad "heal: a snapshot on the full disk did not fail: $(cat "$tmp/heal.q2")"
        rm -f "$d/fill"
        $client send "$port" "$tmp/h3" "$tmp/heal.acked" --clients 1 --group 5000 --id c > /dev/null
        $client query "$port" SNAPSHOT > "$tmp/heal.q3"
        grep -q '"snapshot":' "$tmp/heal.q3" && ok ||
            bad "heal: snapshots still fail once the disk has room: $(cat "$tmp/heal.q3"); $(grep -m 1 'fails its checksum' "$tmp/heal.err")"
        kill -TERM $spid
        wait $spid
        st=$?
        spid=
        [ $st = 74 ] && ok || bad "heal: serve exited $st, wanted 74 (a snapshot failed): $(tail -c 400 "$tmp/heal.err")"
        newest=$(newest "$d")
        "$es" inspect "$newest" > "$tmp/heal.inspect" 2>&1 &&
            grep -q "^  edges_consumed  *$(wc -l < "$tmp/r17.txt")\$" "$tmp/heal.inspect" && ok ||
            bad "heal: the final snapshot $newest is not at the stream's end or does not verify"
    fi
    small_disk_done
}

# Every file of a directory with its checksum, to see that nothing changed.
state() { (cd "$1" && for f in * .lock; do [ -e "$f" ] && cksum "$f"; done); }
newest() { ls "$1"/snap-*.h5 | sort | tail -n 1; }
heal_case

# ---- two runs, one directory ----------------------------------------------------
cd "$tmp" || exit 1
"$es" gen rmat --scale 12 --seed 2 -o g.txt
sops=cc,tri,tri-est:m=5,cm:eps=0.001
"$es" run --ops $sops --format tsv --quiet g.txt > want.tsv || bad "plain run failed"
"$es" run --ops $sops --format tsv --quiet --batch 1000 --snapshot-dir two --snapshot-every 8000 g.txt > /dev/null ||
    bad "snapshot run failed"
before=$(state two)
expect "second run, other operators" 78 "two holds the snapshots of another run (the newest: two/snap-" -- \
    "$es" run --ops degree --quiet --snapshot-dir two --snapshot-every 8000 g.txt
grep -qF -- "--resume" "$tmp/err" && ok || bad "second run: the message does not say how to continue"
expect "second run, same operators" 78 "holds the snapshots of another run" -- \
    "$es" run --ops $sops --quiet --snapshot-dir two g.txt
[ "$(state two)" = "$before" ] && ok || bad "a refused second run changed the snapshot directory"
# A directory whose snapshots all failed holds none: a run may start there.
mkdir empty-run && expect "directory without snapshots" 0 "" -- "$es" run --ops cc --quiet --snapshot-dir empty-run g.txt

# ---- resume compares meaning ------------------------------------------------------
mdir() { # mdir DIR: snapshots of $sops from g.txt, the final one dropped
    rm -rf "$1"
    "$es" run --ops $sops --format tsv --quiet --batch 1000 --snapshot-dir "$1" --snapshot-every 8000 g.txt > /dev/null ||
        bad "snapshot run failed"
    rm -f "$(newest "$1")"
}
for variant in "tri:top=10,tri-est:m=5,cc,cm:eps=1e-3 ./g.txt" \
               "cc,tri,tri-est:m=5,seed=1,dedup=auto,local=1,top=10,copies=1,cm:eps=0.001,delta=0.01,seed=1 $tmp/g.txt" \
               "cc,tri,tri-est:m=5,cm:eps=0.001 ../$(basename "$tmp")/g.txt"; do
    vops=${variant% *} vin=${variant#* }
    mdir same
    expect "resume with $vops $vin" 0 "resuming from" -- \
        "$es" run --ops "$vops" --format tsv --batch 1000 --snapshot-dir same --resume "$vin"
    sort out > got.sorted; sort want.tsv > want.sorted
    cmp -s got.sorted want.sorted && ok || bad "resume with $vops $vin: answers differ"
done
mdir diff
before=$(state diff)
expect "other tri-est m" 78 "tri-est:m=5," -- "$es" run --ops cc,tri,tri-est:m=6,cm:eps=0.001 --snapshot-dir diff --resume g.txt
grep -qF "tri-est:m=6," "$tmp/err" && ok || bad "other tri-est m: the message does not name this run's spec: $(cat "$tmp/err")"
expect "other cm eps" 78 "cm:eps=0.002" -- "$es" run --ops cc,tri,tri-est:m=5,cm:eps=0.002 --snapshot-dir diff --resume g.txt
cp g.txt g2.txt
expect "another file" 78 "this run reads \"$tmp/g2.txt\"" -- "$es" run --ops $sops --snapshot-dir diff --resume g2.txt
[ "$(state diff)" = "$before" ] && ok || bad "a refused resume changed the snapshot directory"

# ---- an edited input ------------------------------------------------------------
"$es" gen rmat --scale 15 --seed 3 -o e.txt   # about 3.7 MB
"$es" run --ops cc,degree --format tsv --quiet e.txt > ewant.tsv || bad "plain run failed"
edir() { # edir DIR INPUT...: snapshots every 100000 edges, the final one dropped
    d=$1; shift
    rm -rf "$d"
    "$es" run --ops cc,degree --quiet --batch 5000 --snapshot-dir "$d" --snapshot-every 100000 --snapshot-wait \
        --keep 100 "$@" > /dev/null || bad "snapshot run failed"
    rm -f "$(newest "$d")"
}
edir edit e.txt
cp e.txt e.bak
lines=$(wc -l < e.txt)
off=$(head -n $((lines / 3)) e.txt | wc -c)   # just after a newline, past the first MiB
at=$((off - 2))                                # the last digit of that line
digit=$(dd if=e.txt bs=1 skip=$at count=1 2>/dev/null)
printf '%s' $(((digit + 1) % 10)) | dd of=e.txt bs=1 seek=$at conv=notrunc 2>/dev/null
cmp -s e.txt e.bak && bad "the edit did not change the input" || ok
[ "$(wc -c < e.txt)" = "$(wc -c < e.bak)" ] && ok || bad "the edit changed the input's size"
from=$((at / 1048576 * 1048576))
expect "edited input" 78 "input \"e.txt\" has changed since the snapshot: its bytes $from to $((from + 1048576)) differ" -- \
    "$es" run --ops cc,degree --format tsv --snapshot-dir edit --resume e.txt
cp e.bak e.txt
expect "input restored" 0 "resuming from" -- "$es" run --ops cc,degree --format tsv --snapshot-dir edit --resume e.txt
cmp -s out ewant.tsv && ok || bad "resume after the input was restored: answers differ"
# Two inputs, the second gzip: checked through its decompressed bytes.
half=$((lines / 2))
head -n $half e.txt > e1.txt
tail -n +$((half + 1)) e.txt | gzip -c > e2.txt.gz
edir gz e1.txt e2.txt.gz
expect "gzip input" 0 "resuming from" -- "$es" run --ops cc,degree --format tsv --snapshot-dir gz --resume e1.txt e2.txt.gz
cmp -s out ewant.tsv && ok || bad "resume with a gzip input: answers differ"
tail -n +$((half + 1)) e.txt | sed '1s/^/1 2\n/' | gzip -c > e2.txt.gz
expect "edited gzip input" 78 "has changed" -- "$es" run --ops cc,degree --format tsv --snapshot-dir gz --resume e1.txt e2.txt.gz

# ---- out of memory ----------------------------------------------------------------
allops=cc,degree,bipartite,tri,tri-est,spanner,cm,topk,hll
zach=$OLDPWD/datasets/zachary.txt
if (ulimit -v 200000 && "$es" gen rmat --scale 4 > /dev/null 2>&1) && [ -r "$zach" ]; then
    "$es" run --ops $allops --format tsv --quiet "$zach" > zwant.tsv || bad "zachary: plain run failed"
    expect "small graph under ulimit -v" 0 "" -- sh -c "ulimit -v 200000 && exec '$es' run --ops $allops --format tsv --quiet '$zach'"
    cmp -s out zwant.tsv && ok || bad "small graph under ulimit -v: answers differ"
    expect "small graph with snapshots under ulimit -v" 0 "" -- \
        sh -c "ulimit -v 200000 && exec '$es' run --ops $allops --format tsv --quiet --snapshot-dir zs --snapshot-every 20 '$zach'"
    cmp -s out zwant.tsv && ok || bad "small graph with snapshots under ulimit -v: answers differ"
    "$es" gen rmat --scale 16 --seed 1 -o big.txt
    expect "batch beyond ulimit -v" 71 "edgestream: out of memory: cannot allocate " -- \
        sh -c "ulimit -v 200000 && exec '$es' run --ops cc --quiet --batch 8000000 big.txt"
    grep -q "bytes for .*; address space is limited to 200000 KiB (ulimit -v)" err && ok || bad "out of memory: the message does not say what and why: $(cat err)"
    [ -s out ] && bad "out of memory: answers were printed" || ok
else
    echo "skipped: out of memory: this binary does not run under ulimit -v"
fi
cd - > /dev/null || exit 1

echo "fault tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
