"""serve_client.py — producers and queries for tests/test_serve.sh.

  send PORT EDGES LOG [--clients K] [--group G] [--id PREFIX] [--retry-until SECONDS]
      K producers, each sending its share of EDGES (an edge list; producer
      i takes lines i, i+K, ...) as groups of G edges: `CLIENT <id> <seq>`,
      the edges, then `SYNC`, and waits for `OK <pos>`.  Each acknowledged
      group is appended to LOG as `<id> <seq> <edges>`.  When the
      connection breaks (a killed server), the producer reconnects and
      resends from the first unacknowledged group, until --retry-until
      seconds have passed.  Exit 0 when every group was acknowledged.
  query PORT LINE...      send each LINE, print its reply line (edge lines
                          get none: send them with SYNC on one LINE, "1 2\nSYNC")
  raw PORT FILE           send FILE's bytes, half-close, print the replies
  http-check PORT         the HTTP answers after `1 2`, `2 3` and one bad line
  many PORT N             N connections open at once, each sends one edge and
                          SYNC; prints "acknowledged K" and the seconds taken
  hog PORT group|queries N   a client that sends without reading: an open
                          group of N edges, or N queries; prints "closed" when
                          the server closed it, "open" when it did not
  lag PORT HTTPPORT EDGES K  K clients send EDGES as fast as they can while
                          /metrics is polled; prints "max_lag BYTES"
"""
import os
import socket
import sys
import threading
import time


def connect(port, deadline):
    while True:
        try:
            # ES_CLIENT_TIMEOUT: a server under valgrind answers slowly
            s = socket.create_connection(("127.0.0.1", port), timeout=float(os.environ.get("ES_CLIENT_TIMEOUT", 10)))
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def read_line(f):
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    return line.decode().rstrip("\n")


def producer(port, pid, edges, group, log, lock, deadline, failures, port_file):
    groups = [edges[i:i + group] for i in range(0, len(edges), group)]
    done = 0
    while done < len(groups):
        try:
            if port_file:
                with open(port_file) as pf:
                    port = int(pf.read().strip() or 0)
            # One try: a restarted server may listen on another port (the file says).
            s = connect(port, deadline if not port_file else 0)
            f = s.makefile("rb")
            while done < len(groups):
                g = groups[done]
                msg = "CLIENT %s %d\n%sSYNC\n" % (pid, done + 1, "".join(g))
                s.sendall(msg.encode())
                reply = read_line(f)
                if not reply.startswith("OK "):
                    raise RuntimeError("unexpected reply %r" % reply)
                with lock:
                    log.write("%s %d %d\n" % (pid, done + 1, len(g)))
                    log.flush()
                done += 1
            s.close()
        except (OSError, ConnectionError, ValueError):
            if time.time() > deadline:
                failures.append(pid)
                return
            time.sleep(0.05)


def send(argv):
    port, path, logpath = int(argv[0]), argv[1], argv[2]
    opts = dict(zip(argv[3::2], argv[4::2]))
    k = int(opts.get("--clients", 1))
    group = int(opts.get("--group", 1000))
    prefix = opts.get("--id", "p")
    deadline = time.time() + float(opts.get("--retry-until", 60))
    port_file = opts.get("--port-file")
    with open(path) as f:
        lines = [l if l.endswith("\n") else l + "\n" for l in f if l.strip() and l[0].isdigit()]
    lock = threading.Lock()
    failures = []
    with open(logpath, "a") as log:
        threads = [threading.Thread(target=producer, args=(port, "%s%d" % (prefix, i), lines[i::k], group, log,
                                                            lock, deadline, failures, port_file))
                   for i in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if failures:
        print("producers not acknowledged: %s" % failures, file=sys.stderr)
        return 1
    return 0


def query(argv):
    port = int(argv[0])
    s = connect(port, time.time() + 10)
    f = s.makefile("rb")
    for line in argv[1:]:
        s.sendall((line.replace("\\n", "\n") + "\n").encode())
        print(read_line(f))
    s.close()
    return 0


def raw(argv):
    port, path = int(argv[0]), argv[1]
    s = connect(port, time.time() + 10)
    with open(path, "rb") as f:
        s.sendall(f.read())
    s.shutdown(socket.SHUT_WR)
    s.settimeout(10)
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        out += b
    sys.stdout.write(out.decode(errors="replace"))
    return 0


def http_check(argv):
    import json
    import urllib.error
    import urllib.request
    base = "http://127.0.0.1:%s" % argv[0]
    get = lambda p: urllib.request.urlopen(base + p, timeout=10).read().decode()
    s = json.loads(get("/stats"))
    assert s["edges"] == 2 and s["bad_lines"] == 1 and s["stats"]["operators"]["cc"]["components"] == 1, s
    assert json.loads(get("/degree/2"))["degree"] == 2
    assert json.loads(get("/same/1/3"))["same"] is True
    assert json.loads(get("/same/1/4"))["same"] is False
    m = get("/metrics")
    for want in ("edgestream_edges_accepted_total 2\n", "edgestream_bad_lines_total 1\n",
                 "# TYPE edgestream_fsync_seconds_sum counter", "edgestream_wal_bytes 56\n",
                 "edgestream_clients 0\n", "edgestream_snapshot_age_seconds"):
        assert want in m, (want, m)
    for path, code in (("/nope", 404), ("/degree/x", 400)):
        try:
            get(path)
            sys.exit("%s answered" % path)
        except urllib.error.HTTPError as e:
            assert e.code == code, (path, e.code)
    print("http ok")
    return 0


def many(argv):
    import resource
    port, n = int(argv[0]), int(argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    t0 = time.time()
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(n)]
    for i, s in enumerate(socks):
        s.sendall(b"%d %d\nSYNC\n" % (1000000 + i, 2000000 + i))
    acked = 0
    for s in socks:
        try:
            if s.makefile("rb").readline().startswith(b"OK "):
                acked += 1
        except OSError:
            pass
    for s in socks:
        s.close()
    print("acknowledged %d in %.1f s" % (acked, time.time() - t0))
    return 0


def hog(argv):
    port, kind, n = int(argv[0]), argv[1], int(argv[2])
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # replies pile up in the server
    if kind == "group":
        body = b"".join(b"%d %d\n" % (i, i + 1) for i in range(10000))
        first = b"CLIENT hog 1\n" + body
    else:
        first = body = b"DEGREE 1\n" * 10000
    sent = 0
    try:
        s.sendall(first)
        sent = 10000
        while sent < n:
            s.sendall(body)
            sent += 10000
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    # Read what came back (after the fact: the server had to hold it or close).
    out = b""
    try:
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            out += b
    except OSError:
        pass
    lines = out.splitlines()
    print("sent %d, %d replies, first %r" % (sent, len(lines), lines[0].decode(errors="replace") if lines else ""))
    return 0


def lag(argv):
    import urllib.request
    port, hport, path, k = int(argv[0]), int(argv[1]), argv[2], int(argv[3])
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    parts = [b"".join(lines[i::k]) for i in range(k)]

    def push(data):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(data)
        s.sendall(b"SYNC\n")
        s.makefile("rb").readline()
        s.close()
    threads = [threading.Thread(target=push, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    worst = 0
    while any(t.is_alive() for t in threads):
        m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % hport, timeout=10).read().decode()
        for line in m.splitlines():
            if line.startswith("edgestream_wal_lag_bytes "):
                worst = max(worst, int(line.split()[1]))
        time.sleep(0.005)
    for t in threads:
        t.join()
    print("max_lag %d" % worst)
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    sys.exit({"send": send, "query": query, "raw": raw, "http-check": http_check, "many": many, "hog": hog,
              "lag": lag}[cmd](sys.argv[2:]))
