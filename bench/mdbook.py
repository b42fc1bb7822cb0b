#!/usr/bin/env python3
"""bindery on mdBook books, beside a real mdBook, in one run.

For each book -- tests/books/mdguide (the mdBook guide's shape) and a generated mdBook of N
corpus articles as chapters (bench/gen_corpus.py's articles, one per chapter, in a nested
SUMMARY.md) -- it times, best of --runs, with peak RSS from /usr/bin/time:

  mdbook build                 mdBook's own HTML
  mdbook build + bindery       mdBook running `bindery mdbook` as its second backend
                               (EPUB, PDF, text), so the difference is bindery's share
  bindery build --to ...       bindery alone on the same folder: site, EPUB, PDF, text

Usage: python3 bench/mdbook.py [--bindery target/release/bindery] [--mdbook mdbook]
                               [--chapters 200] [--runs 3]
mdBook comes from `cargo install mdbook --locked --no-default-features` (0.5.4 here).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def timed(cmd, cwd=None):
    """Seconds and peak RSS (KiB) of one run; exits on failure."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + cmd,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    rss = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, rss


def best(cmd, runs, cwd=None, before=None):
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(timed(cmd, cwd))
    return min(r[0] for r in results), max(r[1] for r in results)


def generated_book(dest, chapters):
    corpus = os.path.join(HERE, "corpus")
    articles = os.path.join(corpus, "articles")
    if not os.path.isdir(articles):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus], check=True)
    names = sorted(os.listdir(articles))[:chapters]
    src = os.path.join(dest, "src")
    os.makedirs(src)
    summary = ["# Summary", "", "[Preface](README.md)", ""]
    with open(os.path.join(src, "README.md"), "w") as f:
        f.write("# Preface\n\nA generated book of corpus articles.\n")
    for i, name in enumerate(names):
        text = open(os.path.join(articles, name)).read()
        # Front matter is bindery's, not mdBook's: the title becomes the heading.
        title = f"Chapter {i + 1}"
        m = re.match(r"(?s)^---\n(.*?)\n---\n", text)
        if m:
            t = re.search(r"(?m)^title:\s*(.+)$", m.group(1))
            title = t.group(1).strip().strip('"') if t else title
            text = text[m.end():]
        part = f"part{i // 20 + 1}"
        os.makedirs(os.path.join(src, part), exist_ok=True)
        with open(os.path.join(src, part, name), "w") as f:
            f.write(f"# {title}\n\n{text}")
        indent = "" if i % 20 == 0 else "    "
        summary.append(f"{indent}- [{title.replace('[', '').replace(']', '')}]({part}/{name})")
    with open(os.path.join(src, "SUMMARY.md"), "w") as f:
        f.write("\n".join(summary) + "\n")
    with open(os.path.join(dest, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Generated"\nauthors = ["bench"]\nlanguage = "en"\n')


def with_backend(book, bindery):
    toml = os.path.join(book, "book.toml")
    text = open(toml).read()
    text = re.sub(r"(?ms)^\[output\.bindery\].*?(?=^\[|\Z)", "", text)
    if "[output.html]" not in text:
        # Naming another backend turns off the default HTML one unless it is named too.
        text += "\n[output.html]\n"
    text += f'\n[output.bindery]\ncommand = "{bindery} mdbook -q"\n'
    open(toml, "w").write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindery", default=os.path.join(REPO, "target/release/bindery"))
    ap.add_argument("--mdbook", default=shutil.which("mdbook") or "/opt/mdbook/bin/mdbook")
    ap.add_argument("--chapters", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    bindery = os.path.abspath(args.bindery)
    version = subprocess.run([args.mdbook, "--version"], capture_output=True, text=True).stdout
    print(f"{version.strip()}; bindery {bindery}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    print()
    print("| book | command | best s | peak RSS MiB |")
    print("|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        books = []
        guide = os.path.join(tmp, "mdguide")
        shutil.copytree(os.path.join(REPO, "tests/books/mdguide"), guide,
                        ignore=shutil.ignore_patterns("expected", "render-context.json"))
        books.append(("mdguide", guide))
        gen = os.path.join(tmp, f"generated-{args.chapters}")
        generated_book(gen, args.chapters)
        books.append((f"{args.chapters} chapters", gen))
        for label, book in books:
            out = os.path.join(book, "book")
            clean = lambda: shutil.rmtree(out, ignore_errors=True)
            plain = os.path.join(tmp, "plain.toml")
            shutil.copy(os.path.join(book, "book.toml"), plain)
            text = open(plain).read()
            open(os.path.join(book, "book.toml"), "w").write(
                re.sub(r"(?ms)^\[output\.bindery\].*?(?=^\[|\Z)", "", text))
            s, rss = best([args.mdbook, "build"], args.runs, cwd=book, before=clean)
            print(f"| {label} | `mdbook build` (HTML) | {s:.2f} | {rss / 1024:.0f} |")
            with_backend(book, bindery)
            s, rss = best([args.mdbook, "build"], args.runs, cwd=book, before=clean)
            print(f"| {label} | `mdbook build` + `bindery mdbook` (HTML, EPUB, PDF, text) | {s:.2f} | {rss / 1024:.0f} |")
            for name in os.listdir(os.path.join(out, "bindery")):
                assert name.split(".")[-1] in ("epub", "pdf", "txt"), name
            dist = os.path.join(tmp, "dist")
            s, rss = best([bindery, "build", book, "-o", dist, "--no-cache", "-q",
                           "--to", "html,epub,pdf,txt"], args.runs,
                          before=lambda: shutil.rmtree(dist, ignore_errors=True))
            print(f"| {label} | `bindery build --to html,epub,pdf,txt` | {s:.2f} | {rss / 1024:.0f} |")


if __name__ == "__main__":
    main()
