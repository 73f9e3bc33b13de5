"""serve_load.py — load for bench/serve.sh: producers as fast as they can,
SYNC latency, query latency.

  blast PORT FILE K            K producers send FILE's lines (producer i the
                               i-th of K line-aligned slices) in 1 MiB writes,
                               then SYNC; prints seconds until every OK
  synclat PORT N EDGES         N rounds of EDGES edge lines + SYNC on one
                               connection; prints median and p99 in ms
  querylat PORT SECONDS        `DEGREE 1` queries, one at a time, for SECONDS; median, p99 ms
"""
import socket
import sys
import threading
import time


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def blast(port, path, k):
    data = open(path, "rb").read()
    cuts = [0]
    for i in range(1, k):
        j = data.find(b"\n", len(data) * i // k)
        cuts.append(j + 1 if j >= 0 else len(data))
    cuts.append(len(data))
    slices = [data[cuts[i]:cuts[i + 1]] for i in range(k)]

    def one(part):
        s = socket.create_connection(("127.0.0.1", port))
        for off in range(0, len(part), 1 << 20):
            s.sendall(part[off:off + (1 << 20)])
        s.sendall(b"SYNC\n")
        f = s.makefile("rb")
        line = f.readline()
        assert line.startswith(b"OK"), line
        s.close()

    t0 = time.time()
    ts = [threading.Thread(target=one, args=(p,)) for p in slices]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%.3f" % (time.time() - t0))


def synclat(port, n, edges):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    lat = []
    for r in range(n):
        body = "".join("%d %d\n" % (r * 7 + i, i + 1) for i in range(edges)).encode() + b"SYNC\n"
        t0 = time.perf_counter()
        s.sendall(body)
        assert f.readline().startswith(b"OK")
        lat.append((time.perf_counter() - t0) * 1000)
    print("median %.2f ms p99 %.2f ms" % (pct(lat, 0.5), pct(lat, 0.99)))


def querylat(port, seconds):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    lat = []
    end = time.time() + seconds
    while time.time() < end:
        t0 = time.perf_counter()
        s.sendall(b"DEGREE 1\n")
        assert f.readline().startswith(b"{")
        lat.append((time.perf_counter() - t0) * 1000)
    print("median %.2f ms p99 %.2f ms (%d queries)" % (pct(lat, 0.5), pct(lat, 0.99), len(lat)))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "blast":
        blast(int(args[0]), args[1], int(args[2]))
    elif cmd == "synclat":
        synclat(int(args[0]), int(args[1]), int(args[2]))
    else:
        querylat(int(args[0]), float(args[1]))
