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


def run_cell(host, port, path, requests, concurrency):
    latencies = []
    bodies = set()
    failures = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Host": "localhost"})
            reply = conn.getresponse()
            body = reply.read()
            took = time.perf_counter() - t0
            with lock:
                latencies.append(took)
                if reply.status != 200:
                    failures.append(reply.status)
                else:
                    bodies.add(hash(body))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if failures or len(bodies) != 1:
        raise SystemExit(f"{path}: statuses {sorted(set(failures))}, {len(bodies)} distinct bodies")
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return requests / wall, statistics.median(latencies) * 1000, p(0.99)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/bindery"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "content/articles/bookbinding.md"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--jobs", type=int, default=0, help="--jobs for the server (0: one per core)")
    args = ap.parse_args()
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
