#!/usr/bin/python3
"""bench/gen_deletions.py FRACTION SEED < edges > edges-with-deletions

Writes every edge line of the input (`u v [t]`, comments dropped) and, after
each, with probability FRACTION a deletion `u v -` of the edge of a
uniformly chosen earlier line (so some delete an edge already gone, or one
of several copies): a seeded, fully dynamic stream for tri-est's accuracy
under deletions (bench/tri_est_dyn.sh)."""
import random
import sys

frac, seed = float(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
seen = []
out = sys.stdout
for line in sys.stdin:
    f = line.split()
    if not f or f[0][0] in "#%":
        continue
    out.write(f"{f[0]} {f[1]}\n")
    seen.append((f[0], f[1]))
    if rng.random() < frac:
        u, v = seen[rng.randrange(len(seen))]
        out.write(f"{u} {v} -\n")
