# serve_lib.sh — what the serve test scripts share: servers started in the
# background on a free port (port 0, read back from stderr), stopped with
# SIGTERM, killed however the script ends; and the answers of a json
# report, one operator a line.  Source it after tests/lib.sh, with $es (the
# binary), $tmp (a scratch directory, removed at exit) and $py set.
pids=
serve_cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap serve_cleanup EXIT

# start NAME ARGS...: `serve ARGS` in the background (stderr in
# $tmp/NAME.err, stdout in $tmp/NAME.out); sets $pid, $port, and $hport
# with --http.
start() {
    sname=$1; shift
    : > "$tmp/$sname.err"
    "$es" serve --listen 127.0.0.1:0 "$@" > "$tmp/$sname.out" 2> "$tmp/$sname.err" &
    pid=$!
    pids="$pids $pid"
    port=
    for _ in $(seq 600); do   # up to 30 s: a loaded machine, a sanitizer build
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/$sname.err")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    hport=$(sed -n 's/.*HTTP on port \([0-9]*\).*/\1/p' "$tmp/$sname.err")
    [ -n "$port" ] && return 0
    bad "$sname: the server did not start: $(cat "$tmp/$sname.err")"
    return 1
}

# stop: SIGTERM the server $pid and wait; sets $status.
stop() { kill -TERM "$pid"; wait "$pid"; status=$?; }

# sections OPS... < REPORTS: the last json report's answers of each operator.
sections() { $py -c 'import json,sys
r=json.loads(sys.stdin.read().strip().splitlines()[-1])
for k in sys.argv[1:]: print(k, json.dumps(r["operators"][k], sort_keys=True))' "$@"; }
