#!/usr/bin/env python3
"""Requests per second and latency of `bindery serve` on loopback (issue 13).

  python3 bench/serve.py [--bin target/release/bindery] [--doc content/articles/bookbinding.md]
                         [--requests 200] [--concurrency 1,8] [--formats html,pdf] [--jobs N]

Starts the server twice on a free loopback port with a copy of DOC (a seed-sized article) as
its only document: once with --no-cache, where every request renders ("cold"), and once with
a cache warmed by one request, where every request reads and parses the document, computes
its cache key and copies the output ("cached"). For each format and concurrency it sends
--requests GET requests from that many threads (each on its own keep-alive connection),
checks that every answer is 200 with the same bytes, and prints requests/s and the p50 and p99
latency as a Markdown table. The client is Python's http.client: at high rates on a 2-core
machine it takes a share of the CPU from the server, so the cached HTML figures are a floor.
Bounded: --requests per cell, loopback only, each server stopped at the end.

`--mixed N` instead: one cold server (--no-cache, --queue twice the concurrency), N requests round-robin over
the formats of --formats and 100 distinct documents, at the largest --concurrency: per
format the 200s, the deliberate 503s (queue full) and anything else, requests/s, p50/p99; the
memory of the server and its PDF workers (VmRSS now, VmHWM peak, summed over the process
tree) after 1,000 requests and after N, side by side: a server's memory must not grow with
what it served. `--hostile M` then sends M POSTs of cmark's pathological patterns
(bench/pathological.py at 1/20 size) over four formats and checks the server still answers.
"""
import argparse
import http.client
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(binary, root, extra):
    proc = subprocess.Popen(
        [binary, "serve", root, "--listen", "127.0.0.1:0", "--log-format", "json", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        m = re.search(r"http://([0-9.]+):(\d+)", line)
        if m:
            # Keep draining the per-request log so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, m.group(1), int(m.group(2))
    raise SystemExit("the server did not start")


def drive(host, port, paths, concurrency, on_reply):
    """GETs every path from `concurrency` threads, each on its own keep-alive connection;
    `on_reply(path, status, body, seconds)` is called under a lock. Returns the wall time."""
    lock = threading.Lock()
    todo = iter(paths)

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                path = next(todo, None)
            if path is None:
                break
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Host": "localhost"})
            reply = conn.getresponse()
            body = reply.read()
            took = time.perf_counter() - t0
            with lock:
                on_reply(path, reply.status, body, took)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def run_cell(host, port, path, requests, concurrency):
    latencies = []
    bodies = set()
    failures = []

    def on_reply(_path, status, body, took):
        latencies.append(took)
        if status != 200:
            failures.append(status)
        else:
            bodies.add(hash(body))

    wall = drive(host, port, [path] * requests, concurrency, on_reply)
    if failures or len(bodies) != 1:
        raise SystemExit(f"{path}: statuses {sorted(set(failures))}, {len(bodies)} distinct bodies")
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return requests / wall, statistics.median(latencies) * 1000, p(0.99)


def tree_memory(pid):
    """(VmRSS, VmHWM) in MiB summed over `pid` and its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    rss = hwm = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, hwm / 1024


def mixed(args, work):
    root = os.path.join(work, "root")
    os.makedirs(root)
    text = open(args.doc).read()
    for i in range(100):
        with open(os.path.join(root, f"a{i:03}.md"), "w") as f:
            f.write(f"# Article {i}\n\n{text}")
    formats = args.formats.split(",")
    c = max(int(x) for x in args.concurrency.split(","))
    # The queue holds every client, as in the per-format table: this measures serving, and
    # any 503 left is counted apart.
    proc, host, port = start(args.bin, root, ["--no-cache", "--queue", str(c * 2)])
    paths = [f"/a{i % 100:03}.{formats[i % len(formats)]}" for i in range(args.mixed)]
    memory, stats = [], {}
    try:
        done = 0
        t0 = time.perf_counter()
        for stop in sorted({min(1000, args.mixed), args.mixed}):
            mixed_batch(host, port, paths[done:stop], c, stats)
            memory.append((stop, *tree_memory(proc.pid)))
            done = stop
        wall = time.perf_counter() - t0
        hostile = hostile_posts(host, port, args.hostile) if args.hostile else None
        alive = get_status(host, port, "/healthz")
        memory_after = tree_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    print(f"`python3 bench/serve.py --mixed {args.mixed} --hostile {args.hostile} --formats "
          f"{args.formats} --concurrency {c}` on {platform.machine()} with {os.cpu_count()} cores "
          f"(shared), cold (--no-cache), 100 documents like {os.path.relpath(args.doc, ROOT)}, "
          f"{args.mixed} GET requests round-robin over the formats in {wall:.1f} s.\n")
    print("| format | requests | 200 | 503 (queue full) | other | requests/s (its share) | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = ok = 0
    for fmt in formats:
        st = stats.get(fmt, {"lat": [], "codes": {}})
        lat = sorted(st["lat"])
        codes = st["codes"]
        n = len(lat)
        total += n
        ok += codes.get(200, 0)
        other = n - codes.get(200, 0) - codes.get(503, 0)
        p = lambda q: lat[min(n - 1, int(q * n))] * 1000 if n else float("nan")
        print(f"| {fmt} | {n} | {codes.get(200, 0)} | {codes.get(503, 0)} | {other} | "
              f"{n / wall:.1f} | {p(0.5):.1f} | {p(0.99):.1f} |")
    print(f"\n{ok} of {total} answered 200 ({100 * ok / max(total, 1):.2f} %).\n")
    print("| requests served | RSS now MiB | peak RSS MiB (process tree) |")
    print("|---:|---:|---:|")
    for stop, rss, hwm in memory:
        print(f"| {stop:,} | {rss:.0f} | {hwm:.0f} |")
    if len(memory) == 2:
        print(f"\n{memory[1][0]:,} / {memory[0][0]:,} requests: {memory[1][2] / memory[0][2]:.2f}x "
              "the peak memory.")
    if hostile:
        print(f"\n{args.hostile} hostile POSTs (cmark's pathological patterns at 1/20 size, "
              f"round-robin over html,txt,epub,pdf): statuses {hostile}; then /healthz "
              f"answered {alive}; memory after: {memory_after[0]:.0f} MiB now, "
              f"{memory_after[1]:.0f} MiB peak.")


def hostile_posts(host, port, count):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pathological import patterns

    bodies = list(patterns(0.05).values())
    formats = ["html", "txt", "epub", "pdf"]
    codes = {}
    lock = threading.Lock()
    todo = iter(range(count))

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=300)
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                break
            body = bodies[i % len(bodies)].encode("utf-8", "surrogatepass")
            fmt = formats[(i // len(bodies)) % len(formats)]
            try:
                conn.request("POST", f"/convert?to={fmt}", body=body,
                             headers={"Host": "localhost", "Content-Type": "text/markdown"})
                reply = conn.getresponse()
                reply.read()
                code = reply.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=300)
                code = "error"
            with lock:
                codes[code] = codes.get(code, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(sorted(codes.items(), key=str))


def get_status(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", path, headers={"Host": "localhost"})
    reply = conn.getresponse()
    reply.read()
    return reply.status


def mixed_batch(host, port, paths, concurrency, stats):
    def on_reply(path, status, _body, took):
        st = stats.setdefault(path.rsplit(".", 1)[1], {"lat": [], "codes": {}})
        st["lat"].append(took)
        st["codes"][status] = st["codes"].get(status, 0) + 1

    drive(host, port, paths, concurrency, on_reply)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/bindery"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "content/articles/bookbinding.md"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--jobs", type=int, default=0, help="--jobs for the server (0: one per core)")
    ap.add_argument("--mixed", type=int, default=0, help="N mixed requests; memory at 1,000 and N")
    ap.add_argument("--hostile", type=int, default=0, help="with --mixed: then N pathological POSTs")
    args = ap.parse_args()
    if args.mixed:
        work = tempfile.mkdtemp(prefix="bindery-serve-bench-")
        try:
            mixed(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    concurrency = [int(c) for c in args.concurrency.split(",")]
    formats = args.formats.split(",")
    work = tempfile.mkdtemp(prefix="bindery-serve-bench-")
    try:
        root = os.path.join(work, "root")
        os.makedirs(root)
        shutil.copy(args.doc, os.path.join(root, "article.md"))
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        # The queue holds every client: this measures throughput, not refusals.
        queue = ["--queue", str(max(concurrency) * 2)]
        rows = []
        for mode, extra in [
            ("cold", ["--no-cache"]),
            ("cached", ["--cache-dir", os.path.join(work, "cache")]),
        ]:
            proc, host, port = start(args.bin, root, extra + jobs + queue)
            try:
                for fmt in formats:
                    path = f"/article.{fmt}"
                    # One request first: starts the PDF worker (fonts) and, cached, fills the cache.
                    run_cell(host, port, path, 2, 1)
                    for c in concurrency:
                        rps, p50, p99 = run_cell(host, port, path, args.requests, c)
                        rows.append((fmt, mode, c, rps, p50, p99))
                        print(f"{fmt} {mode} c={c}: {rps:.1f} req/s p50 {p50:.1f} ms p99 {p99:.1f} ms",
                              file=sys.stderr)
            finally:
                proc.terminate()
                proc.wait(timeout=60)
        size = os.path.getsize(args.doc)
        print(f"`python3 bench/serve.py --requests {args.requests} --concurrency {args.concurrency}`"
              f" on {platform.machine()} with {os.cpu_count()} cores (shared), document "
              f"{os.path.relpath(args.doc, ROOT)} ({size} bytes), {args.requests} requests per row.\n")
        print("| format | outputs | concurrency | requests/s | p50 ms | p99 ms |")
        print("|---|---|---:|---:|---:|---:|")
        for fmt, mode, c, rps, p50, p99 in rows:
            print(f"| {fmt} | {mode} | {c} | {rps:.1f} | {p50:.1f} | {p99:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
