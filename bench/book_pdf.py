#!/usr/bin/env python3
"""The benchmark book's PDF (issue 16), every contender in one run, alternating, so the
shared machine's load falls on all of them alike.

  bindery A / B        `bindery build BOOK --to pdf --no-cache -j N` for two binaries (before
                       and after a change), at each -j
  typst (bindery's)    the real `typst compile` over the markup bindery generates for the same
                       book (`timing --typst DIR`), with bindery's fonts: Typst's own cost,
                       without bindery's markup generation and process
  pandoc + typst       pandoc 3.9 with `--pdf-engine=typst` (the real CLI), the peer

Usage: python3 bench/book_pdf.py --a OLD_BINDERY --b NEW_BINDERY [--typst typst]
         [--markup FILE.typ] [--pandoc pandoc] [--jobs 1,2] [--runs 2] [BOOK.md | BOOK_DIR]
BOOK_DIR is a bindery book, such as the one `python3 bench/chapter_book.py` makes of BOOK.md.
Peak RSS is /usr/bin/time -f %M: the largest single process of the tree (with bindery's
render worker, the worker, which does the layout), not the tree's sum.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def timed(cmd, env=None):
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-1500:]}")
    return elapsed, int(proc.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("book", nargs="?", default=os.path.join(HERE, "corpus/book/book.md"))
    ap.add_argument("--a", required=True, help="the bindery binary before")
    ap.add_argument("--b", required=True, help="the bindery binary after")
    ap.add_argument("--typst", default=shutil.which("typst"))
    ap.add_argument("--markup", help="bindery's generated Typst markup of the book")
    ap.add_argument("--pandoc", default=shutil.which("pandoc"))
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        contenders = []
        for label, binary in (("bindery A (before)", args.a), ("bindery B (after)", args.b)):
            for j in jobs:
                out = os.path.join(tmp, f"out-{len(contenders)}")
                contenders.append((f"{label} -j {j}", [binary, "build", args.book, "-o", out,
                                                         "--to", "pdf", "--no-cache", "-q",
                                                         "-j", str(j)]))
        if args.typst and args.markup:
            contenders.append(("typst compile (bindery's markup)",
                               [args.typst, "compile", "--font-path", os.path.join(REPO, "fonts"),
                                args.markup, os.path.join(tmp, "typst.pdf")]))
        if args.pandoc and args.typst:
            # A bindery book (bench/chapter_book.py) goes to pandoc as its chapter files, in
            # order, with a table of contents as bindery's book has.
            inputs = ([os.path.join(args.book, f) for f in sorted(os.listdir(args.book))
                       if f.endswith(".md")] + ["--toc", "-M", "title=A Generated Technical Book"]
                      if os.path.isdir(args.book) else [args.book])
            contenders.append(("pandoc + typst",
                               [args.pandoc] + inputs + ["-o", os.path.join(tmp, "pandoc.pdf"),
                                                         f"--pdf-engine={args.typst}"]))
        for _ in range(args.runs):
            for label, cmd in contenders:
                rows.setdefault(label, []).append(timed(cmd))
    print(f"{os.path.relpath(args.book, REPO)}; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.2f} at the end; {args.runs} runs each, alternating")
    print()
    print("| contender | best s | median s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for label, results in rows.items():
        times = [r[0] for r in results]
        print(f"| {label} | {min(times):.2f} | {statistics.median(times):.2f} | "
              f"{max(r[1] for r in results) / 1024:.0f} |")


if __name__ == "__main__":
    main()
