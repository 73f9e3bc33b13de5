#!/usr/bin/python3
"""live_lag.py — how long an interim report lags its input on a trickle.

Writes edges into `edgestream run ... -` at RATE edges/s (a path edge per
line), notes when edge k was written, stamps each json report as it
arrives and prints the median and 99th percentile of (arrival of the
report at k edges - write of edge k), in milliseconds.  With --serve, the
edges go to `edgestream serve` over one TCP connection instead (one send
per edge), and its reports on stdout are stamped the same way: the lag of
the socket path (read, WAL append, the WAL source's linger, operators).

usage: bench/live_lag.py EDGESTREAM [RATE] [SECONDS] [EVERY] [--serve] [run/serve options...]
"""
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

es = sys.argv[1]
rate = float(sys.argv[2]) if len(sys.argv) > 2 else 1000
secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10
every = int(sys.argv[4]) if len(sys.argv) > 4 else 100
extra = sys.argv[5:]
serve = "--serve" in extra
if serve:
    extra.remove("--serve")
n = int(rate * secs)
common = ["--ops", "cc,degree", "--format", "json", "--quiet", "--report-every", str(every)] + extra
if serve:
    wal = tempfile.mkdtemp()
    p = subprocess.Popen([es, "serve", "--listen", "127.0.0.1:0", "--wal", wal + "/wal"] + common,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    port = int(re.search(rb"listening on port (\d+)", p.stderr.readline()).group(1))
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send = sock.sendall
else:
    p = subprocess.Popen([es, "run"] + common + ["-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    fd = p.stdin.fileno()
    send = lambda b: os.write(fd, b)
wrote = [0.0] * (n + 1)
arrived = {}

def read():
    for line in p.stdout:
        t = time.monotonic()
        r = json.loads(line)
        if not r["final"]:
            arrived[r["edges"]] = t

th = threading.Thread(target=read)
th.start()
t0 = time.monotonic()
for k in range(1, n + 1):
    due = t0 + k / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    send(b"%d %d\n" % (k, k + 1))
    wrote[k] = time.monotonic()
if serve:
    time.sleep(0.5)   # the last reports
    sock.close()
    p.terminate()
else:
    p.stdin.close()
p.wait()
th.join()
if serve:
    shutil.rmtree(wal)
lags = sorted((arrived[k] - wrote[k]) * 1e3 for k in arrived)
print("%s: rate %g edges/s, %d edges, report every %d, %s: %d reports, lag median %.1f ms, p99 %.1f ms, max %.1f ms"
      % ("serve over TCP" if serve else "run on a pipe", rate, n, every, " ".join(extra) or "default linger",
         len(lags), statistics.median(lags), lags[min(len(lags) - 1, int(0.99 * len(lags)))], lags[-1]))
