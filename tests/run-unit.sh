#!/bin/sh
# Run every CUnit suite binary in BUILD/tests; fail if any fails.  A suite
# that runs for more than UNIT_TIMEOUT seconds (default 1200: the sanitizer
# build is slow) counts as failed, so a hang fails `make test` instead of
# stalling it.
# Usage: tests/run-unit.sh BUILD
build=${1:-build}
status=0
pass=0
fail=0
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $(basename "$t")"
    if timeout "${UNIT_TIMEOUT:-1200}" "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); status=1; echo "FAILED: $t"; fi
done
echo "unit suites: $pass passed, $fail failed"
exit $status
