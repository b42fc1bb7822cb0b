#!/usr/bin/env python3
"""`bindery serve`'s POST /convert against the peers a site would otherwise run (issue 13).

  python3 bench/serve_peers.py [--bin target/release/bindery] [--pandoc PATH]
                               [--doc content/articles/bookbinding.md] [--requests 200]
                               [--concurrency 1,8] [--formats html,txt,epub]

The same document is posted to `bindery serve` (JSON body, pandoc-server's shape, `Accept:
application/json`, so every reply carries the output and its messages) and converted by the
peers:

- pandoc-server (pandoc 3.9's own JSON API, the pypandoc-binary build): tried first; the
  static build cannot serve (its runtime is not threaded: "the TimerManager requires linking
  against the threaded runtime"), which the table then says.
- `pandoc` run once per request, the way a web application shells out to it: the same
  document on standard input, the same formats (`plain` for txt), as many at once as the
  concurrency.

For each it prints requests/s and p50/p99 latency, and the server's peak RSS (VmHWM). PDF is
left out: pandoc needs an external engine for it (bench/run.py compares PDF with pandoc +
Typst). Bounded: --requests per cell, loopback only, every process stopped at the end.
"""
import argparse
import concurrent.futures
import http.client
import json
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
PANDOC_FORMAT = {"html": "html", "txt": "plain", "epub": "epub"}


def start_bindery(binary, root):
    proc = subprocess.Popen(
        [binary, "serve", root, "--listen", "127.0.0.1:0", "--log-format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"http://([0-9.]+):(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, m.group(1), int(m.group(2))
    raise SystemExit("bindery serve did not start")


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def timed(calls, concurrency):
    """Runs the zero-argument callables `calls` on `concurrency` threads; each returns ok."""
    latencies, failures = [], 0
    lock = threading.Lock()

    def one(call):
        nonlocal failures
        t0 = time.perf_counter()
        ok = call()
        took = time.perf_counter() - t0
        with lock:
            latencies.append(took)
            failures += 0 if ok else 1

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, calls))
    wall = time.perf_counter() - t0
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / wall, p(0.5), p(0.99), failures


def post_calls(host, port, body, n):
    local = threading.local()

    def call():
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host, port, timeout=120)
        conn.request("POST", "/convert", body=body, headers={
            "Host": "localhost", "Content-Type": "application/json",
            "Accept": "application/json"})
        reply = conn.getresponse()
        data = reply.read()
        return reply.status == 200 and json.loads(data)["output"]
    return [call] * n


def pandoc_calls(pandoc, text, fmt, n):
    def call():
        out = subprocess.run([pandoc, "-f", "markdown", "-t", PANDOC_FORMAT[fmt], "-s", "-o", "-"],
                             input=text, capture_output=True)
        return out.returncode == 0 and len(out.stdout) > 0
    return [call] * n


def try_pandoc_server(pandoc):
    tmp = tempfile.mkdtemp()
    link = os.path.join(tmp, "pandoc-server")
    os.symlink(pandoc, link)
    proc = subprocess.Popen([link, "--port", "18391"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    time.sleep(1.5)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", 18391, timeout=10)
        conn.request("POST", "/", body=json.dumps({"text": "# x", "to": "html"}),
                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        return conn.getresponse().status == 200, ""
    except OSError:
        try:
            out = proc.communicate(timeout=3)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        lines = [l for l in out.splitlines() if "Starting server" not in l]
        return False, (lines[0] if lines else "no answer")[:160]
    finally:
        proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/bindery"))
    ap.add_argument("--pandoc", default=shutil.which("pandoc") or "pandoc")
    ap.add_argument("--doc", default=os.path.join(ROOT, "content/articles/bookbinding.md"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--formats", default="html,txt,epub")
    args = ap.parse_args()
    text = open(args.doc, "rb").read()
    version = subprocess.run([args.pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    works, why = try_pandoc_server(args.pandoc)
    print(f"`python3 bench/serve_peers.py --requests {args.requests} --concurrency {args.concurrency}` "
          f"on {platform.machine()} with {os.cpu_count()} cores (shared); document "
          f"{os.path.relpath(args.doc, ROOT)} ({len(text)} bytes); peer {version}.\n")
    print(f"pandoc-server: {'serves' if works else 'does not start: ' + why}\n")
    print("| format | server | concurrency | requests/s | p50 ms | p99 ms | failures | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    root = tempfile.mkdtemp()
    proc, host, port = start_bindery(args.bin, root)
    try:
        for fmt in args.formats.split(","):
            body = json.dumps({"text": text.decode(), "from": "markdown", "to": fmt,
                               "standalone": True})
            for c in [int(c) for c in args.concurrency.split(",")]:
                rate, p50, p99, failed = timed(post_calls(host, port, body, args.requests), c)
                print(f"| {fmt} | bindery serve | {c} | {rate:.1f} | {p50:.1f} | {p99:.1f} | "
                      f"{failed} | {peak_rss_mib(proc.pid):.0f} |", flush=True)
                n = max(20, args.requests // 10)
                rate, p50, p99, failed = timed(pandoc_calls(args.pandoc, text, fmt, n), c)
                print(f"| {fmt} | pandoc per request ({n}) | {c} | {rate:.1f} | {p50:.1f} | "
                      f"{p99:.1f} | {failed} | - |", flush=True)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
