#!/usr/bin/python3
"""live_lag.py — how long an interim report lags its input on a trickle.

Writes edges into `edgestream run ... -` at RATE edges/s (a path edge per
line), notes when edge k was written, stamps each json report as it
arrives and prints the median and 99th percentile of (arrival of the
report at k edges - write of edge k), in milliseconds.

usage: bench/live_lag.py EDGESTREAM [RATE] [SECONDS] [EVERY] [run options...]
"""
import json, os, statistics, subprocess, sys, threading, time

es = sys.argv[1]
rate = float(sys.argv[2]) if len(sys.argv) > 2 else 1000
secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10
every = int(sys.argv[4]) if len(sys.argv) > 4 else 100
extra = sys.argv[5:]
n = int(rate * secs)
p = subprocess.Popen([es, "run", "--ops", "cc,degree", "--format", "json", "--quiet",
                      "--report-every", str(every)] + extra + ["-"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
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
fd = p.stdin.fileno()
for k in range(1, n + 1):
    due = t0 + k / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    os.write(fd, b"%d %d\n" % (k, k + 1))
    wrote[k] = time.monotonic()
p.stdin.close()
p.wait()
th.join()
lags = sorted((arrived[k] - wrote[k]) * 1e3 for k in arrived)
print("rate %g edges/s, %d edges, report every %d, %s: %d reports, lag median %.1f ms, p99 %.1f ms, max %.1f ms"
      % (rate, n, every, " ".join(extra) or "default linger", len(lags), statistics.median(lags),
         lags[min(len(lags) - 1, int(0.99 * len(lags)))], lags[-1]))
