# lib.sh — what the CLI test scripts share: counting checks and running a
# command against its expected exit status and message.  Source it after
# setting $tmp (a scratch directory), or source it first and call
# setup_test; print "$pass passed, $fail failed".
pass=0
fail=0

# setup_test [BINARY]: es = BINARY (default build/edgestream) made absolute,
# here = the checkout (the script's directory's parent), tmp = a new
# scratch directory that an EXIT trap removes (a script that sets its own
# EXIT trap removes it there).
setup_test() {
    es=${1:-build/edgestream}
    case $es in /*) ;; *) es=$PWD/$es ;; esac
    here=$(cd "$(dirname "$0")/.." && pwd)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
}
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME STATUS STDERR_SUBSTRING -- CMD...: run CMD, check its exit
# status and that stderr holds the substring (none: "").
expect() {
    name=$1 want=$2 msg=$3; shift 4
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        bad "$name: exit $got, wanted $want; stderr: $(head -c 400 "$tmp/err")"
    elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
        bad "$name: stderr lacks '$msg': $(head -c 400 "$tmp/err")"
    else
        ok
    fi
}

# wait_handler PID SIG: wait (20 s at most) until process PID has installed
# its handler of signal number SIG (2: INT, 15: TERM), so that a signal
# sent next tests the handler, not a process still starting (a slow start
# under a sanitizer on a loaded machine took over half a second).
wait_handler() {
    for _ in $(seq 200); do
        [ -e "/proc/$1" ] || return 1
        m=$(sed -n 's/^SigCgt:[[:space:]]*.*\(....\)$/\1/p' "/proc/$1/status" 2>/dev/null)
        [ -n "$m" ] && [ $(((0x$m >> ($2 - 1)) & 1)) = 1 ] && return 0
        sleep 0.1
    done
    return 1
}

# run_or_kill DELAY OUT CMD...: run CMD in the background (stdout to OUT,
# stderr to $tmp/err) and SIGKILL it if it still runs after DELAY seconds.
# Sets killed=1 when it was killed, else killed=0 and run_status to its
# exit status.
run_or_kill() {
    rk_delay=$1 rk_out=$2
    shift 2
    "$@" > "$rk_out" 2> "$tmp/err" &
    rk_pid=$!
    sleep "$rk_delay" &
    rk_sleeper=$!
    # Whichever ends first: the run, or the sleep (then kill the run).
    while kill -0 $rk_pid 2>/dev/null && kill -0 $rk_sleeper 2>/dev/null; do sleep 0.01; done
    if kill -9 $rk_pid 2>/dev/null; then
        wait $rk_pid 2>/dev/null
        killed=1
    else
        wait $rk_pid
        run_status=$?
        killed=0
    fi
    kill $rk_sleeper 2>/dev/null
    wait $rk_sleeper 2>/dev/null
}
