#!/bin/sh
# snapshot_lines.sh — the lines of snapshot machinery, file by file.
#
# Counts lines of code (not blank, not only a comment: comments are
# stripped by the C preprocessor, `gcc -fpreprocessed`) in
#   - snapshot/*.[ch] and dataflow/checkpoint.[ch], whole;
#   - each operators/*.c file's snapshot section: from a line that begins
#     "/* ---- snapshot" up to, not including, the first line after it that
#     begins "/* ---- " (the next section), "static gboolean NAME_needs_edges("
#     or "const es_operator_class" (what follows the section in every
#     operator), or the end of the file.
# Usage: bench/snapshot_lines.sh [REPO]   (make count-snapshot-lines)
# Prints one line per file, then the total.
set -eu
cd "${1:-.}"
CC=${CC:-gcc}

code_lines() { $CC -fpreprocessed -dD -E -P -x c - 2>/dev/null | grep -c '[^[:space:]]' || true; }

section() {
    awk '/^\/\* ---- snapshot/ { on = 1; print; next }
         on && (/^\/\* ---- / || /^static gboolean [a-z_]*_needs_edges\(/ || /^const es_operator_class/) { on = 0 }
         on' "$1"
}

total=0
for f in snapshot/*.[ch] dataflow/checkpoint.[ch]; do
    n=$(code_lines < "$f")
    printf '%6d  %s\n' "$n" "$f"
    total=$((total + n))
done
for f in operators/*.c; do
    section "$f" > /tmp/snapshot_lines.$$
    if [ -s /tmp/snapshot_lines.$$ ]; then
        n=$(code_lines < /tmp/snapshot_lines.$$)
        printf '%6d  %s (snapshot section)\n' "$n" "$f"
        total=$((total + n))
    fi
done
rm -f /tmp/snapshot_lines.$$
printf '%6d  total\n' "$total"
