#!/usr/bin/env python3
"""What typeset math costs: the benchmark book with 400 formulas added, HTML and PDF.

    python3 bench/math.py [--bin target/release/bindery] [--before OLD_BINARY] [--runs 2]

The book is bench/corpus-1000/book/book.md (gen_corpus.py's seeded 1.5 MB book). A copy of it
gets up to 200 inline and 200 display formulas (126 of each fit the rule below on the seeded book) from tests/fixtures/math (fractions, roots, sums,
matrices, aligned, cases, accents, \\left...\\right), one every few paragraphs, written to a
temporary folder: the book itself is not changed, so the book-PDF benchmark's baseline stays.
Each cell is the median wall time and the largest peak RSS of --runs runs of
`bindery convert BOOK -o OUT.{html,pdf} --no-system-fonts` (/usr/bin/time). With --before, an
older binary is timed on the same two files, interleaved with the new one.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from raw_html import timed  # noqa: E402  (wall seconds and peak RSS under /usr/bin/time)


def formulas():
    with open(os.path.join(ROOT, "tests/fixtures/math/input.md")) as f:
        text = f.read().split("## Not math")[0]
    display = re.findall(r"\$\$(.+?)\$\$", text, re.S)
    inline = re.findall(r"(?<![$\w])\$([^$\s][^$]*?[^$\s]|[^$\s])\$(?![$\d])", re.sub(r"\$\$.+?\$\$", "", text, flags=re.S))
    return inline, display


def with_math(book, inline, display, count=200):
    paragraphs = book.split("\n\n")
    step = max(1, len(paragraphs) // count)
    out = []
    added = 0
    for i, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        if i % step == 0 and added < count and not paragraph.startswith(("```", "|", "#", "-", "    ")):
            out.append(f"Inline, ${inline[added % len(inline)]}$, then:")
            out.append(f"$${display[added % len(display)]}$$")
            added += 1
    return "\n\n".join(out), added


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(ROOT, "target/release/bindery"))
    p.add_argument("--before")
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args()
    book_path = os.path.join(HERE, "corpus-1000", "book", "book.md")
    if not os.path.exists(book_path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"),
                        os.path.join(HERE, "corpus-1000")], check=True)
    with open(book_path) as f:
        book = f.read()
    inline, display = formulas()
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "book.md")
        math = os.path.join(tmp, "book-math.md")
        with open(plain, "w") as f:
            f.write(book)
        text, added = with_math(book, inline, display)
        with open(math, "w") as f:
            f.write(text)
        binaries = [("after", args.bin)] + ([("before", args.before)] if args.before else [])
        print(f"{added} inline + {added} display formulas added; load {os.getloadavg()[0]:.1f} "
              f"at start; {args.runs} runs each, interleaved")
        print("| document | format | binary | s (median) | peak MiB |")
        print("|---|---|---|---:|---:|")
        for name, source in [("book + math", math), ("book", plain)]:
            for fmt in ["html", "pdf"]:
                results = {label: [] for label, _ in binaries}
                for _ in range(args.runs):
                    for label, binary in binaries:
                        out = os.path.join(tmp, f"out.{fmt}")
                        results[label].append(timed([binary, "convert", source, "-o", out,
                                                     "--no-system-fonts", "-q"]))
                for label, _ in binaries:
                    wall = statistics.median(r[0] for r in results[label])
                    rss = max(r[1] for r in results[label])
                    print(f"| {name} | {fmt} | {label} | {wall:.2f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
