#!/bin/sh
# test_readme.sh EDGESTREAM — the README's Python example runs as written:
# the first ```python block of README.md is extracted (so the two cannot
# drift apart) and run with h5py and numpy on the snapshots of
# `--ops cc,tri` over datasets/zachary.txt, in snaps/ of the current
# directory as the example expects; its output must be the known answers
# (the canonical specs "cc,tri:top=10"; datasets/ANSWERS.md: 34 vertices, 78 edges, 45 triangles, vertex 33 of
# degree 17; a tree of 33 joins).  Skipped, saying so, when no python3 with
# h5py and numpy is installed (Debian: python3-h5py, python3-numpy).
es=${1:-build/edgestream}
case $es in /*) ;; *) es=$PWD/$es ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
py=
for p in ${PYTHON:-python3} /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import h5py, numpy' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
    echo "test_readme: skipped: no python3 with h5py and numpy (apt-get install python3-h5py python3-numpy)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```python$/ { on = 1; next } on && /^```$/ { exit } on' "$here/README.md" > "$tmp/example.py"
if ! [ -s "$tmp/example.py" ]; then echo "FAIL: README.md has no \`\`\`python block"; exit 1; fi
cd "$tmp" || exit 1
"$es" run --ops cc,tri --quiet --batch 10 --snapshot-dir snaps --snapshot-every 20 "$here/datasets/zachary.txt" > /dev/null ||
    { echo "FAIL: the run that makes the example's snapshots failed"; exit 1; }
"$py" example.py > out 2> err || { echo "FAIL: README's Python example: $(tail -n 5 err)"; exit 1; }
cat > want <<'WANT'
cc,tri:top=10 78
vertices 34 edges 78 max degree 17 at vertex 33
triangles 45 cc joins 33
WANT
if ! cmp -s out want; then
    echo "FAIL: README's Python example printed:"; cat out; echo "wanted:"; cat want
    exit 1
fi
echo "test_readme: the README's Python example runs and prints the known answers"
