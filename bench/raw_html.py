#!/usr/bin/env python3
"""What `--raw-html sanitize` (the default) costs against `escape` and `keep`.

    python3 bench/raw_html.py [--bin target/release/bindery] [--runs 3] [--articles 1000]

Two corpora, both built to html,txt,epub with the cache off:
- the benchmark's 1,000 generated articles (bench/corpus-1000, from gen_corpus.py), which hold
  no raw HTML: what every document pays for the check that it has none;
- 1,000 copies of tests/fixtures/inline-html/input.md (1 KB each, about 40 HTML tags and two
  comments per document): the sanitizer's cost where it has work to do.
Runs of the policies are interleaved (sanitize, escape, keep, sanitize, ...) so that a machine
whose load changes affects all three alike; each cell is the median wall time and the largest
peak RSS of --runs runs (/usr/bin/time).
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
POLICIES = ["sanitize", "escape", "keep"]


def timed(cmd):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{cmd!r} failed: {r.stderr[-2000:]}")
        wall, rss = t.read().split()[-2:]
        return float(wall), int(rss) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(ROOT, "target/release/bindery"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--articles", type=int, default=1000)
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generated = os.path.join(HERE, f"corpus-{args.articles}", "articles")
        if not os.path.isdir(generated):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"),
                            "--articles", str(args.articles),
                            "--out", os.path.join(HERE, f"corpus-{args.articles}")], check=True)
        html_heavy = os.path.join(tmp, "inline-html")
        os.makedirs(html_heavy)
        with open(os.path.join(ROOT, "tests/fixtures/inline-html/input.md")) as f:
            text = f.read()
        for i in range(args.articles):
            with open(os.path.join(html_heavy, f"{i:05}.md"), "w") as f:
                f.write(text.replace("# Inline HTML", f"# Inline HTML {i}", 1))

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} "
              f"at start; {args.runs} runs each, interleaved")
        print("| corpus | policy | s (median) | peak MiB | vs sanitize |")
        print("|---|---|---:|---:|---:|")
        for name, corpus in [(f"{args.articles} generated articles (no raw HTML)", generated),
                             (f"{args.articles} x inline-html fixture", html_heavy)]:
            results = {policy: [] for policy in POLICIES}
            for _ in range(args.runs):
                for policy in POLICIES:
                    out = os.path.join(tmp, "out")
                    shutil.rmtree(out, ignore_errors=True)
                    results[policy].append(timed([
                        args.bin, "build", corpus, "-o", out, "--to", "html,txt,epub",
                        "--no-cache", "-q", "--raw-html", policy]))
            base = statistics.median(r[0] for r in results["sanitize"])
            for policy in POLICIES:
                wall = statistics.median(r[0] for r in results[policy])
                rss = max(r[1] for r in results[policy])
                print(f"| {name} | {policy} | {wall:.2f} | {rss:.0f} | {wall / base:.2f} |",
                      flush=True)


if __name__ == "__main__":
    main()
