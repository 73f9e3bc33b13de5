#!/bin/sh
# valgrind_serve.sh EDGESTREAM — `make test-valgrind`'s server case: a
# small `edgestream serve` under valgrind (leaks definite or indirect, bad
# memory) takes producers' edges, TCP and HTTP queries and a SNAPSHOT,
# stops on SIGTERM, then resumes from its snapshot and WAL and stops again.
# Each server must exit 0 (valgrind's error exit is 1).  Bounded: 78
# edges twice, about 30 s under valgrind.  tests/valgrind.supp holds the
# one suppression (a libsoup 3.2 leak, named there).
es=${1:-build/edgestream}
vg="valgrind -q --suppressions=$(dirname "$0")/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1"
tmp=$(mktemp -d)
py=/usr/bin/python3
client="$py $(dirname "$0")/serve_client.py"
export ES_CLIENT_TIMEOUT=300
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$es" gen famous Zachary > "$tmp/z.txt"
# serve_once NAME ARGS...: start under valgrind, feed it, SIGTERM; fails unless it exits 0.
serve_once() {
    name=$1; shift
    $vg "$es" serve --listen 127.0.0.1:0 --http 127.0.0.1:0 --wal "$tmp/wal" --snapshot-dir "$tmp/snap" \
        --ops cc,degree,tri,topk --batch 10 --format json "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    pid=$!
    port=
    for _ in $(seq 1200); do   # valgrind starts slowly
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/$name.err")
        [ -n "$port" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    hport=$(sed -n 's/.*HTTP on port \([0-9]*\).*/\1/p' "$tmp/$name.err")
    if [ -z "$port" ]; then echo "valgrind serve $name: did not start: $(cat "$tmp/$name.err")"; return 1; fi
    $client send "$port" "$tmp/z.txt" "$tmp/$name.log" --group 20 --id "$name" > /dev/null &&
        $client query "$port" STATS "COMPONENT 1" "DEGREE 34" "TRIANGLES 1" TOPK 'x y' SNAPSHOT > "$tmp/$name.q" &&
        $py -c 'import sys, urllib.request
for p in ("/stats", "/metrics", "/component/3", "/nope"):
    try: urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], p), timeout=300).read()
    except Exception as e: print(p, e)' "$hport" > "$tmp/$name.http"
    kill -TERM $pid
    wait $pid
    st=$?
    pid=
    if [ $st != 0 ] || [ "$(wc -l < "$tmp/$name.q")" != 7 ]; then
        echo "valgrind serve $name: exit $st; $(cat "$tmp/$name.err")"
        return 1
    fi
}
serve_once first && serve_once resumed --resume
