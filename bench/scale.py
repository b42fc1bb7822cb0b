#!/usr/bin/env python3
"""Scale benchmark: time and peak memory of `bindery build` as the batch grows.

Peak memory is the whole process tree (bindery and its PDF render workers), summed: /proc is
sampled every 20 ms and the largest sum of RSS over the tree is kept. (`/usr/bin/time` would
give only the largest single process.)

  python3 bench/scale.py                          # 1,000 / 10,000 articles -> html,txt,epub
  python3 bench/scale.py --sizes 1000,10000,100000 --formats html,txt,epub
  python3 bench/scale.py --sizes 1000,10000 --formats html,txt,epub,pdf
  python3 bench/scale.py --shards 2 --sizes 10000  # also 2 processes x -j 1 against 1 x -j 2
  python3 bench/scale.py --sizes 1000 --formats pdf --isolation in-process,worker
  python3 bench/scale.py --sizes 10000 --jobs 1,2

Corpora are made with `bench/gen_corpus.py --articles N` (N distinct articles) under
bench/corpus-N/ and kept between runs. Every run is `--no-cache`, output in a temporary dir.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tree_rss_kb(pid):
    """Sum of VmRSS (KB) over `pid` and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(entry))
        except OSError:
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def measure(cmds):
    """Runs the commands at once; returns (seconds, peak summed RSS in MiB, exit codes)."""
    start = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
    peak = 0
    while any(p.poll() is None for p in procs):
        peak = max(peak, sum(tree_rss_kb(p.pid) for p in procs if p.poll() is None))
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    codes = [p.returncode for p in procs]
    for p in procs:
        err = p.stderr.read().decode(errors="replace")
        if p.returncode != 0:
            sys.stderr.write(err[-2000:])
    return elapsed, peak / 1024, codes


def corpus(n):
    path = os.path.join(ROOT, "bench", f"corpus-{n}")
    if not os.path.isdir(os.path.join(path, "articles")):
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "bench", "gen_corpus.py"), path, "--articles", str(n)],
            check=True,
        )
    return os.path.join(path, "articles")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--formats", default="html,txt,epub")
    ap.add_argument("--jobs", default="2", help="thread counts to run, comma-separated")
    ap.add_argument("--isolation", default="", help="--isolation values to run, comma-separated")
    ap.add_argument("--bin", default="", help="the bindery binary (default: build and use target/release)")
    ap.add_argument("--shards", type=int, default=0, help="also run N shard processes x -j 1")
    ap.add_argument("--extra", default="", help="more bindery options, space-separated")
    args = ap.parse_args()
    bindery = args.bin
    if not bindery:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
        bindery = os.path.join(ROOT, "target", "release", "bindery")
    isolations = [i for i in args.isolation.split(",") if i] or [None]
    print(f"| articles | formats | run | seconds | peak RSS, process tree (MiB) | exit |")
    print(f"|---:|---|---|---:|---:|---|")
    for n in [int(s) for s in args.sizes.split(",")]:
        src = corpus(n)
        out = tempfile.mkdtemp(prefix="bindery-scale-")
        try:
            base = [bindery, "build", src, "-o", out, "--to", args.formats, "--no-cache", "-q"]
            base += args.extra.split()
            for jobs in args.jobs.split(","):
                for isolation in isolations:
                    shutil.rmtree(out)
                    os.makedirs(out)
                    cmd = base + ["-j", jobs]
                    run = f"1 process, -j {jobs}"
                    if isolation:
                        cmd += ["--isolation", isolation]
                        run += f", --isolation {isolation}"
                    secs, mib, codes = measure([cmd])
                    print(f"| {n:,} | {args.formats} | {run} | {secs:.1f} | {mib:.0f} | {codes} |", flush=True)
            if args.shards:
                shutil.rmtree(out)
                os.makedirs(out)
                cmds = [base + ["-j", "1", "--shard", f"{i}/{args.shards}"] for i in range(args.shards)]
                secs, mib, codes = measure(cmds)
                print(f"| {n:,} | {args.formats} | {args.shards} shards, -j 1 each | {secs:.1f} | {mib:.0f} | {codes} |", flush=True)
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
