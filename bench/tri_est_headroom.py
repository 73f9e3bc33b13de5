#!/usr/bin/python3
"""tri_est_headroom.py FILE... — how much smaller tri-est's error can get at
m = 1% of the distinct edges on a given stream order, before building an
estimator for it.

Each FILE (an edge list, plain or gzip, '#' comments) is taken as tri-est
sees it with dedup on: the first occurrence of each undirected pair, in file
order, self-loops dropped (--shuffle S: a fixed shuffle of that order).  Every
triangle is listed once, at its closing edge, with its wedge (the two earlier
edges) and its apex (the vertex they share).  m = --frac (default 0.01) of
the distinct edges.  Printed per input, as relative standard deviations of
the global estimate (stddev / exact):

  impr-diag   TRIEST-IMPR's variance without its covariance terms: the sum
              over triangles of eta(t) - 1 (docs/tri-est.md, "Variance").
  bern        a Bernoulli sample at rate m/E, Horvitz-Thompson in-stream,
              the same diagonal terms: the reference for the next line.
  oracle      the best per-edge inclusion probabilities pi_e for the same
              expected edges, knowing each edge's future wedge count tau_e
              (pi_e proportional to tau_e^(1/3), capped at 1; diagonal
              terms).  No weight a streaming sampler can compute (GPS's
              triangle count, degrees) beats this: bern / oracle is the
              most any per-edge weighting could gain.
  alive       an oracle that knows which edges some later edge still
              closes a triangle with ("alive"), and spreads the m slots
              uniformly over those alone: a triangle closing at t is seen
              with probability min(1, m / alive(t))^2 instead of TRIEST's
              about (m / t)^2 (diagonal terms; compare with impr-diag).
              Also printed: the largest share of all edges alive at once.
  vertex      a vertex sample (each vertex with probability p, every edge
              at a sampled vertex kept, p set for m edges on average): a
              triangle is seen when its apex is sampled, so one hub's
              triangles stand or fall together.  --seeds runs.
  thin-unif,  an adaptive Bernoulli sample of at most m edges: a new edge
  thin-recent is admitted with probability p; when the sample is full, a
              round of coins keeps each chosen edge with probability 1/2
              and halves its pi (thin-unif: every edge, and p halves;
              thin-recent: the half whose endpoints were seen least
              recently, and p falls by 2^-1/2).  Any such rule that is
              decided before its coins keeps the in-stream estimate
              1 / (pi_a pi_b) per closed wedge unbiased (a martingale);
              thin-recent spends the slots on edges whose endpoints are
              still active.  Mean and spread over --seeds runs.

Figures and their reading: bench/RESULTS.md ("tri-est: where the error
could still come from").  Costs: O(E + triangles) memory in Python;
seconds for the SNAP graphs of ../shared/datasets, minutes for the
thinning models on soc-Slashdot0902.
"""
import argparse
import gzip
import random

import numpy as np


def load(path, shuffle):
    opener = gzip.open if path.endswith(".gz") else open
    seen, edges = set(), []
    with opener(path, "rt") as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.split()
            if len(p) < 2 or p[0] == p[1]:
                continue
            u, v = int(p[0]), int(p[1])
            k = (u, v) if u < v else (v, u)
            if k not in seen:
                seen.add(k)
                edges.append(k)
    if shuffle is not None:
        random.Random(shuffle).shuffle(edges)
    return edges


def triangles(edges):
    """Rows (apex, wedge edge 1, wedge edge 2, closing edge) as edge indices."""
    adj, rows = {}, []
    for i, (u, v) in enumerate(edges):
        au, av = adj.setdefault(u, {}), adj.setdefault(v, {})
        small, big = (au, av) if len(au) <= len(av) else (av, au)
        for c, j in small.items():
            k = big.get(c)
            if k is not None:
                rows.append((c, j, k, i))
        au[v] = i
        av[u] = i
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def rel_sd_diag(inv_p, total):
    return float(np.sqrt(np.sum(inv_p - 1.0))) / total


def oracle(tri, n_edges, m):
    tau = np.bincount(np.concatenate([tri[:, 1], tri[:, 2]]), minlength=n_edges).astype(float)
    base = np.cbrt(tau)
    lo, hi = 0.0, 1e12
    for _ in range(200):
        c = (lo + hi) / 2
        if np.minimum(1.0, c * base).sum() > m:
            hi = c
        else:
            lo = c
    pi = np.minimum(1.0, lo * base)
    return rel_sd_diag(1.0 / (pi[tri[:, 1]] * pi[tri[:, 2]]), len(tri))


def forgetting(tri, n_edges, m):
    """The largest share of all edges alive at once, and the diagonal sd of
    a sample that spreads m slots over the alive edges only."""
    last = np.full(n_edges, -1, dtype=np.int64)
    np.maximum.at(last, tri[:, 1], tri[:, 3])
    np.maximum.at(last, tri[:, 2], tri[:, 3])
    used = last >= 0
    delta = np.zeros(n_edges + 1, dtype=np.int64)
    np.add.at(delta, np.nonzero(used)[0], 1)
    np.add.at(delta, last[used], -1)
    live = np.cumsum(delta)[:n_edges].astype(float)
    # when triangle l closes at t, its wedge is among the live(t) edges
    inv_p = np.maximum(1.0, live[tri[:, 3]] / m) ** 2
    return float(live.max()) / n_edges, rel_sd_diag(inv_p, len(tri))


def vertex_model(edges, tri, m, seeds):
    e = np.array(edges, dtype=np.int64)
    ids, inv = np.unique(e, return_inverse=True)
    e = inv.reshape(-1, 2)
    n, total = len(ids), len(tri)
    p = m / (2.0 * len(e))
    for _ in range(50):
        p *= m / (len(e) * (2 * p - p * p))
    # the apex, and the closing edge's ends, as dense ids
    apex = np.searchsorted(ids, tri[:, 0])
    b = e[tri[:, 3], 0]
    c = e[tri[:, 3], 1]
    seen = p + p * p - p ** 3  # apex sampled, or both ends of the closing edge
    rng = np.random.default_rng(1)
    errs = []
    for _ in range(seeds):
        s = rng.random(n) < p
        errs.append((s[apex] | (s[b] & s[c])).sum() / seen / total - 1.0)
    return np.array(errs)


def thinning(edges, total, m, seed, recent):
    rnd = random.Random(seed)
    adj, pi, last = {}, {}, {}
    est, p = 0.0, 1.0
    for t, (u, v) in enumerate(edges):
        au, av = adj.get(u), adj.get(v)
        if au and av:
            small, big = (au, av) if len(au) <= len(av) else (av, au)
            for c in small:
                if c in big:
                    est += 1.0 / (small[c] * big[c])
        last[u] = last[v] = t
        if rnd.random() >= p:
            continue
        while len(pi) >= m:
            keys = list(pi)
            if recent:
                keys.sort(key=lambda k: max(last[k[0]], last[k[1]]))
                keys = keys[: len(keys) // 2]
            for k in keys:
                if rnd.random() < 0.5:
                    pi[k] *= 0.5
                    adj[k[0]][k[1]] = adj[k[1]][k[0]] = pi[k]
                else:
                    del pi[k], adj[k[0]][k[1]], adj[k[1]][k[0]]
            p *= 0.5 ** 0.5 if recent else 0.5
        pi[(u, v)] = p
        adj.setdefault(u, {})[v] = p
        adj.setdefault(v, {})[u] = p
    return est / total - 1.0


def spread(errs):
    errs = np.asarray(errs)
    return "mean %+.3f sd %.3f median|err| %.3f" % (errs.mean(), errs.std(), np.median(np.abs(errs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--frac", type=float, default=0.01)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--shuffle", type=int, default=None)
    ap.add_argument("--no-thinning", action="store_true")
    a = ap.parse_args()
    for path in a.files:
        edges = load(path, a.shuffle)
        tri = triangles(edges)
        n_edges, total = len(edges), len(tri)
        m = max(3, int(a.frac * n_edges))
        t = tri[:, 3].astype(float) + 1.0  # the closing edge is the t-th
        eta = np.maximum(1.0, (t - 1) * (t - 2) / (m * (m - 1.0)))
        bern = rel_sd_diag(np.full(total, (n_edges / m) ** 2), total)
        name = path.rsplit("/", 1)[-1]
        print("%s: %d edges, %d triangles, m = %d" % (name, n_edges, total, m))
        print("  impr-diag   sd %.3f" % rel_sd_diag(eta, total))
        print("  bern        sd %.3f" % bern)
        orc = oracle(tri, n_edges, m)
        print("  oracle      sd %.3f (bern / oracle %.2f)" % (orc, bern / orc))
        share, sd = forgetting(tri, n_edges, m)
        print("  alive       sd %.3f (at most %.3f of the edges alive at once)" % (sd, share))
        print("  vertex      " + spread(vertex_model(edges, tri, m, a.seeds)))
        if not a.no_thinning:
            for name_, recent in (("thin-unif  ", False), ("thin-recent", True)):
                errs = [thinning(edges, total, m, s, recent) for s in range(1, a.seeds + 1)]
                print("  %s " % name_ + spread(errs), flush=True)


if __name__ == "__main__":
    main()
