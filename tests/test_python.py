"""test_python.py — the Python module `edgestream` against NetworkX on the
same graphs: components, degrees, local and global triangles,
transitivity, clustering and bipartiteness on random multigraphs (self-loops
and repeated edges mixed in, fixed seeds), however the edges are cut into
calls; numpy arrays, text lines and files (plain and gzip) giving the
same answers; reports with numbers as numbers; snapshots written by the
module and by `edgestream run` read back into numpy arrays without h5py;
and every error it documents.

Run by tests/test_install.sh on the installed module (PYTHONPATH), with
ES_BIN the installed command and ES_DATASETS the shipped datasets.
"""
import gzip
import os
import random
import subprocess

import networkx as nx
import numpy as np
import pytest

import edgestream

DATASETS = os.environ.get("ES_DATASETS", os.path.join(os.path.dirname(__file__), "..", "datasets"))
ES_BIN = os.environ.get("ES_BIN", "edgestream")


def multigraph(seed, n=200, m=1500):
    """Edges of a random multigraph with loops and repeats, ids spread out."""
    rng = random.Random(seed)
    edges = []
    for _ in range(m):
        u, v = rng.randrange(n), rng.randrange(n)
        r = rng.random()
        if r < 0.03:
            v = u
        elif r < 0.1 and edges:
            u, v = rng.choice(edges)
            u, v = (v, u) if rng.random() < 0.5 else (u, v)
        edges.append((u, v))
    return np.array(edges, dtype=np.int64) * 1_000_003 + 17


def simple(edges):
    g = nx.Graph()
    g.add_nodes_from(int(x) for x in edges.ravel())
    g.add_edges_from((int(u), int(v)) for u, v in edges if u != v)
    return g


def same_partition(labels, components):
    """labels (vertex -> label) splits the vertices as components does."""
    by_label = {}
    for v, l in labels.items():
        by_label.setdefault(l, set()).add(v)
    return sorted(map(sorted, by_label.values())) == sorted(map(sorted, components))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("piece", [1, 13, 100000])
def test_answers_match_networkx_however_the_edges_are_cut(seed, piece):
    edges = multigraph(seed)
    g = simple(edges)
    s = edgestream.Stream("cc,degree,tri,bipartite", batch=64 if piece == 13 else 0)
    for i in range(0, len(edges), piece):
        s.feed(edges[i:i + piece])
    r = s.report()
    assert r["stream"]["edges"] == len(edges) == s.edges
    assert r["cc"]["vertices"] == g.number_of_nodes() == s.vertices
    assert r["cc"]["components"] == nx.number_connected_components(g)
    assert r["cc"]["largest"] == max(len(c) for c in nx.connected_components(g))
    assert r["degree"]["edges"] == g.number_of_edges()
    assert r["degree"]["max"] == max(d for _, d in g.degree())
    assert r["tri"]["triangles"] == sum(nx.triangles(g).values()) // 3
    assert r["tri"]["transitivity"] == pytest.approx(nx.transitivity(g), rel=1e-12)
    assert r["tri"]["avg_clustering"] == pytest.approx(nx.average_clustering(g), rel=1e-12)
    loops = bool(np.any(edges[:, 0] == edges[:, 1]))
    assert r["bipartite"]["bipartite"] == (nx.is_bipartite(g) and not loops)

    ids = s.vertex_ids()
    assert ids.dtype == np.uint64 and len(ids) == g.number_of_nodes()
    # Vertices in order of first appearance.
    first = list(dict.fromkeys(int(x) for x in edges.ravel()))
    assert ids.tolist() == first
    deg, tri, lab = s.degrees(), s.triangle_counts(), s.component_labels()
    nx_tri = nx.triangles(g)
    assert {int(v): int(d) for v, d in zip(ids, deg)} == dict(g.degree())
    assert {int(v): int(t) for v, t in zip(ids, tri)} == nx_tri
    assert same_partition({int(v): int(l) for v, l in zip(ids, lab)}, nx.connected_components(g))
    for v in first[:20]:
        assert s.degree(v) == g.degree(v)
        assert s.local_triangles(v) == nx_tri[v]
        assert s.component(v) == lab[first.index(v)]


def test_reports_hold_numbers_as_numbers():
    s = edgestream.Stream("cc,degree,tri,bipartite,tri-est:m=100,seed=7")
    s.feed_file(os.path.join(DATASETS, "zachary.txt"))
    r = s.report()
    assert list(r) == ["stream", "cc", "degree", "tri", "bipartite", "tri-est"]
    assert type(r["cc"]["components"]) is int and r["cc"]["components"] == 1
    assert type(r["degree"]["mean"]) is float and r["degree"]["mean"] == pytest.approx(2 * 78 / 34)
    assert r["bipartite"]["bipartite"] is False
    assert r["tri"]["triangles"] == 45
    assert isinstance(r["tri-est"]["triangles"], float)
    # Histograms: (value, count) pairs, by value.
    assert r["cc"]["size_histogram"] == [(34, 1)]
    dist = dict(r["degree"]["distribution"])
    g = nx.karate_club_graph()
    assert dist == {d: sum(1 for _, x in g.degree() if x == d) for d in set(dict(g.degree()).values())}


def test_top_lists_are_tuples_of_numbers():
    s = edgestream.Stream("tri:top=3,topk:k=3,tri-est:m=100,seed=7,local=1,top=2")
    s.feed_file(os.path.join(DATASETS, "zachary.txt"))
    r = s.report()
    g = nx.karate_club_graph()
    tri = sorted(nx.triangles(g).items(), key=lambda x: (-x[1], x[0]))
    deg = sorted(dict(g.degree()).items(), key=lambda x: (-x[1], x[0]))
    assert r["tri"]["top"] == tri[:3]
    assert all(type(v) is int and type(c) is int for v, c in r["tri"]["top"])
    # Space-Saving with its default counters (more than 34 vertices): exact, error 0.
    assert r["topk"]["top"] == [(v, d, 0) for v, d in deg[:3]]
    # tri-est keeps every edge at m=100: exact, as floats.
    assert r["tri-est"]["top"] == [(v, float(c)) for v, c in tri[:2]]
    assert all(type(c) is float for _, c in r["tri-est"]["top"])


def test_arrays_lines_and_files_give_the_same_answers(tmp_path):
    path = os.path.join(DATASETS, "two-triangles-and-isolated.txt")
    with open(path) as f:
        text = f.read()
    gz = tmp_path / "g.txt.gz"
    with gzip.open(gz, "wt") as f:
        f.write(text)
    edges = np.array([[int(x) for x in line.split()[:2]] for line in text.splitlines()
                      if line.strip() and line.lstrip()[0] not in "#%"], dtype=np.uint64)
    ops = "cc,degree,tri,bipartite,spanner:k=2"
    reports = []
    for feed in (lambda s: s.feed(edges), lambda s: s.feed_lines(text), lambda s: s.feed_lines(text.encode()),
                 lambda s: s.feed_file(path), lambda s: s.feed_file(str(gz)),
                 lambda s: [s.feed_lines(line + "\n") for line in text.splitlines()]):
        s = edgestream.Stream(ops)
        feed(s)
        reports.append(s.report())
    assert all(r == reports[0] for r in reports)
    # datasets/ANSWERS.md
    r = reports[0]
    assert (r["stream"]["edges"], r["cc"]["vertices"], r["degree"]["edges"], r["cc"]["components"],
            r["tri"]["triangles"]) == (13, 7, 6, 3, 2)
    assert (r["degree"]["self_loops"], r["degree"]["duplicates"]) == (3, 4)


def test_a_snapshot_continues_and_reads_into_numpy(tmp_path):
    edges = multigraph(5)
    ops = "cc,degree,tri,tri-est:m=80,seed=3,topk,hll"
    whole = edgestream.Stream(ops)
    whole.feed(edges)
    half = edgestream.Stream(ops)
    half.feed(edges[:700])
    path = str(tmp_path / "half.h5")
    half.snapshot(path)
    again = edgestream.restore(path)
    assert again.edges == 700
    again.feed(edges[700:])
    assert again.report() == whole.report()

    snap = edgestream.read_snapshot(path)
    g = simple(edges[:700])
    assert snap["edges"] == 700
    assert set(snap) == {"ids", "components", "degrees", "triangles", "edges"}
    ids = snap["ids"].tolist()
    assert dict(zip(ids, snap["degrees"].tolist())) == dict(g.degree())
    assert dict(zip(ids, snap["triangles"].tolist())) == nx.triangles(g)
    assert same_partition(dict(zip(ids, snap["components"].tolist())), nx.connected_components(g))

    # `run --resume` has no input to match it with: refused, naming the way on.
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    os.rename(path, snaps / "snap-000001.h5")
    edge_file = tmp_path / "e.txt"
    edge_file.write_text("".join("%d %d\n" % (u, v) for u, v in edges))
    r = subprocess.run([ES_BIN, "run", "--ops", ops, "--quiet", "--snapshot-dir", str(snaps), "--resume", str(edge_file)],
                       capture_output=True, text=True)
    assert r.returncode == 78, r
    assert "written by the library" in r.stderr and "edgestream.restore" in r.stderr, r.stderr


def test_a_runs_snapshot_reads_without_h5py(tmp_path):
    snaps = tmp_path / "snaps"
    subprocess.run([ES_BIN, "run", "--ops", "cc,tri", "--quiet", "--batch", "10", "--snapshot-dir", str(snaps),
                    "--snapshot-every", "20", os.path.join(DATASETS, "zachary.txt")],
                   check=True, stdout=subprocess.DEVNULL)
    newest = sorted(snaps.glob("snap-*.h5"))[-1]
    snap = edgestream.read_snapshot(str(newest))
    assert "degrees" not in snap          # no degree operator in that run
    g = nx.karate_club_graph()
    assert snap["edges"] == 78
    assert dict(zip(snap["ids"].tolist(), snap["triangles"].tolist())) == nx.triangles(g)
    assert len(set(snap["components"].tolist())) == 1
    # Its stream goes on from there.
    s = edgestream.restore(str(newest))
    s.feed(np.array([[100, 101]]))
    assert s.report()["cc"]["components"] == 2


def test_a_stream_with_deletions_matches_networkx_on_what_remains(tmp_path):
    """Random insertions and deletions (of present, absent and never seen
    pairs); a run's snapshot with deletions continues in the module with
    its deletions; one of a run in windows is refused."""
    rng = random.Random(4)
    lines, present = [], {}
    for _ in range(3000):
        u, v = rng.randrange(60), rng.randrange(60)
        if rng.random() < 0.3:
            lines.append(f"{u} {v} -")
            key = (min(u, v), max(u, v))
            if present.get(key):
                present[key] -= 1
        else:
            lines.append(f"{u} {v}")
            key = (min(u, v), max(u, v))
            present[key] = present.get(key, 0) + 1
    s = edgestream.Stream("cc,degree,tri", deletions=True)
    s.feed_lines("\n".join(lines) + "\n")
    g = nx.Graph()
    g.add_edges_from(k for k, c in present.items() if c > 0 and k[0] != k[1])
    r = s.report()
    assert r["degree"]["edges"] == g.number_of_edges()
    assert r["tri"]["triangles"] == sum(nx.triangles(g).values()) // 3
    assert r["stream"]["deletions"] == sum(1 for l in lines if l.endswith("-"))
    with pytest.raises(edgestream.Error, match="open the stream with deletions") as e:
        edgestream.Stream("cc").feed_lines("1 2\n1 2 -\n")
    assert e.value.status == 65
    path = tmp_path / "del.txt"
    path.write_text("\n".join(lines[:2000]) + "\n")
    snaps = tmp_path / "snaps"
    subprocess.run([ES_BIN, "run", "--deletions", "--ops", "cc,degree,tri", "--quiet", "--snapshot-dir", str(snaps),
                    str(path)], check=True, stdout=subprocess.DEVNULL)
    t = edgestream.restore(str(sorted(snaps.glob("snap-*.h5"))[-1]))
    t.feed_lines("\n".join(lines[2000:]) + "\n")
    assert t.report()["tri"] == r["tri"] and t.report()["stream"]["deletions"] == r["stream"]["deletions"]
    wsnaps = tmp_path / "wsnaps"
    subprocess.run([ES_BIN, "run", "--window", "tumbling:700", "--ops", "cc", "--quiet", "--snapshot-dir",
                    str(wsnaps), "--snapshot-every", "1000", os.path.join(DATASETS, "zachary.txt")],
                   check=True, stdout=subprocess.DEVNULL)
    with pytest.raises(edgestream.Error, match="in windows") as e:
        edgestream.restore(str(sorted(wsnaps.glob("snap-*.h5"))[-1]))
    assert e.value.status == 78


def test_errors_say_what_is_wrong():
    with pytest.raises(edgestream.Error, match="degre") as e:
        edgestream.Stream("cc,degre")
    assert e.value.status == 64
    s = edgestream.Stream("cc")
    with pytest.raises(ValueError, match="negative"):
        s.feed(np.array([[1, -2]]))
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        s.feed(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="integers"):
        s.feed(np.array([[1.5, 2.0]]))
    assert s.edges == 0
    s.feed([(1, 2), (2, 3)])                  # any integer sequence of pairs
    s.feed(np.empty((0, 2), dtype=np.int64))
    assert s.edges == 2
    with pytest.raises(edgestream.Error, match=r'lines:2: expected a vertex id, got "x"') as e:
        s.feed_lines("3 4\nx 5\n")
    assert e.value.status == 65 and s.edges == 3
    with pytest.raises(edgestream.Error) as e:
        s.feed_file("/nonexistent/edges.txt")
    assert e.value.status == 66 and "/nonexistent/edges.txt" in str(e.value)
    with pytest.raises(KeyError, match="vertex 99 has not been seen"):
        s.component(99)
    with pytest.raises(edgestream.Error, match="no degree operator") as e:
        s.degrees()
    assert e.value.status == 64
    with pytest.raises(edgestream.Error) as e:
        edgestream.read_snapshot(os.path.join(DATASETS, "zachary.txt"))
    assert e.value.status == 65
    with pytest.raises(edgestream.Error) as e:
        s.snapshot("/nonexistent/dir/s.h5")
    assert e.value.status == 74
    assert edgestream.Stream(skip_bad=1).feed_lines("1 2\nbad\n3 4\n") is None
