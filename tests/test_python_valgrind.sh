#!/bin/sh
# test_python_valgrind.sh BUILD — the Python module under valgrind: every
# call of the module (feeds of arrays, lines and files, queries, numpy
# views, snapshot, restore, read_snapshot, each documented error) on a small
# graph, twice; fails on any memory error or definite leak whose stack
# passes through the module or the library.  The interpreter's own
# allocations (numpy's, CPython's caches at exit) are not ours to judge.
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind > /dev/null || { echo "python valgrind: skipped (no valgrind)"; exit 0; }
cat > "$tmp/exercise.py" <<'PY'
import os, sys
import numpy as np
import edgestream
zachary, d = sys.argv[1], sys.argv[2]
e = np.array([[0, 1], [1, 2], [2, 0], [2, 3], [3, 3], [0, 1]], dtype=np.uint64)
ops = "cc,degree,tri,tri-est:m=50,seed=1,topk,hll,cm,bipartite,spanner"
for i in range(2):
    s = edgestream.Stream(ops)
    s.feed(e)
    s.feed_lines("4 5\n5 6\n")
    s.feed_file(zachary)
    r = s.report()
    assert (r["cc"]["components"], r["cc"]["vertices"]) == (1, 34), r["cc"]
    s.component(1), s.degree(1), s.local_triangles(1)
    s.vertex_ids(), s.component_labels(), s.degrees(), s.triangle_counts()
    p = os.path.join(d, "s%d.h5" % i)
    s.snapshot(p)
    t = edgestream.restore(p)
    t.feed(e)
    assert t.report()["cc"] == r["cc"]
    edgestream.read_snapshot(p)
    for bad in (lambda: s.feed_lines("x y\n"), lambda: s.feed_file("/nonexistent"),
                lambda: edgestream.Stream("nosuch"), lambda: edgestream.restore("/nonexistent"),
                lambda: s.feed(np.zeros((3, 3)))):
        try:
            bad()
        except Exception:
            pass
        else:
            raise AssertionError("no error")
    del s, t
print("exercise ok")
PY
PYTHONMALLOC=malloc PYTHONPATH="$here/$build/python" valgrind --leak-check=full --log-file="$tmp/vg.log" \
    "$py" "$tmp/exercise.py" "$here/datasets/zachary.txt" "$tmp" || { echo "FAIL: python valgrind: the exercise failed"; exit 1; }
# Keep the records (valgrind's blank-line separated blocks) that are errors
# or definite leaks and name our code on their stack.
"$py" - "$tmp/vg.log" <<'PY'
import re, sys
recs, cur = [], []
for line in open(sys.argv[1]):
    l = re.sub(r"^==\d+== ?", "", line.rstrip("\n"))
    if l:
        cur.append(l)
    elif cur:
        recs.append(cur)
        cur = []
recs.append(cur)
ours = [r for r in recs if r and ("definitely lost" in r[0] or "lost" not in r[0])
        and any(re.search(r"edgestream|\bes_|\bH5|igraph", x) for x in r[1:])]
for r in ours[:5]:
    print("\n".join(r[:20]) + "\n---")
print("python valgrind: %s" % ("no leaks, no memory errors in the module" if not ours else "FAIL: %d records" % len(ours)))
sys.exit(1 if ours else 0)
PY
