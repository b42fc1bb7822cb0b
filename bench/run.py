#!/usr/bin/env python3
"""bindery's benchmark: bindery against pandoc on the same generated inputs.

Runs from a fresh clone:  python3 bench/run.py   (builds the release binary, generates the
corpus with a fixed seed, then times everything; pandoc 3.9 from `pip install pypandoc-binary`).

Every bindery row is the median of --runs runs (wall time and peak memory from /usr/bin/time),
with the cache off where bindery has one. pandoc makes one output per process, so it is run two
processes at a time (xargs -P2) over a sample of the articles and scaled to 1,000. Ratios compare
numbers measured in this one run; the machine is printed with the table.
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


def timed(cmd, cwd=None, shell=False):
    """Wall seconds and peak RSS (MiB) of one command."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", t.name]
        full += ["sh", "-c", cmd] if shell else cmd
        r = subprocess.run(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{cmd!r} failed: {r.stderr[-2000:]}")
        wall, rss = t.read().split()[-2:]
        return float(wall), int(rss) / 1024


def median_of(runs, cmd, **kw):
    results = [timed(cmd, **kw) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def supports(bindery, fmt):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "x.md")
        open(src, "w").write("# x\n")
        r = subprocess.run([bindery, "convert", src, "--to", fmt, "-o", os.path.join(d, "x." + fmt)],
                           capture_output=True)
        return r.returncode == 0


def has_flag(bindery, flag):
    r = subprocess.run([bindery, "build", "--help"], capture_output=True, text=True)
    return flag in r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=100, help="articles given to pandoc")
    ap.add_argument("--formats", default="html,txt,epub,pdf")
    ap.add_argument("--no-pandoc", action="store_true")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    bindery = os.path.join(ROOT, "target", "release", "bindery")
    corpus = os.path.join(HERE, "corpus")
    # Regenerated whenever the generator changes: the stamp is the generator's own text.
    generator = os.path.join(HERE, "gen_corpus.py")
    stamp = os.path.join(corpus, "generator.py")
    with open(generator, "rb") as f:
        wanted = f.read()
    current = open(stamp, "rb").read() if os.path.exists(stamp) else None
    if current != wanted or not os.path.exists(os.path.join(corpus, "book", "book.md")):
        subprocess.run([sys.executable, generator, corpus], check=True)
        with open(stamp, "wb") as f:
            f.write(wanted)
    articles = os.path.join(corpus, "articles")
    book = os.path.join(corpus, "book", "book.md")
    formats = [f for f in args.formats.split(",") if supports(bindery, f)]
    nocache = ["--no-cache"] if has_flag(bindery, "--no-cache") else []
    out = os.path.join(HERE, "out")

    def build(inputs, fmts, extra=()):
        shutil.rmtree(out, ignore_errors=True)
        return [bindery, "build", "-q", *inputs, "-o", out, "--to", ",".join(fmts), *nocache, *extra]

    rows = []  # (what, bindery_s, rss, pandoc_s)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"bindery formats: {formats}; runs: {args.runs}")

    pandoc = None
    if not args.no_pandoc:
        try:
            import pypandoc
            pandoc = pypandoc.get_pandoc_path()
        except Exception as e:  # noqa: BLE001
            print(f"pandoc not available ({e}); pip install pypandoc-binary")
    sample = sorted(os.listdir(articles))[: args.sample]

    typst_ok = subprocess.run([sys.executable, "-c", "import typst"], capture_output=True).returncode == 0
    pdf_env = f"PATH={HERE}/typst-bin:$PATH "

    def pandoc_articles(fmt):
        ext = {"html": "html", "txt": "txt", "epub": "epub", "pdf": "pdf"}[fmt]
        to = {"html": "-t html5 -s", "txt": "-t plain", "epub": "-t epub3", "pdf": "--pdf-engine=typst"}[fmt]
        with tempfile.TemporaryDirectory() as d:
            listing = " ".join(sample)
            env = pdf_env if fmt == "pdf" else ""
            cmd = (f"printf '%s\\n' {listing} | xargs -P2 -I{{}} sh -c "
                   f"'{env}{pandoc} -f gfm {to} {articles}/{{}} -o {d}/{{}}.{ext}'")
            wall, rss = median_of(args.runs, cmd, shell=True)
        return wall * 1000 / len(sample), rss

    def pandoc_book(fmt):
        ext = fmt
        to = {"html": "-t html5 -s", "txt": "-t plain", "epub": "-t epub3", "pdf": "--pdf-engine=typst"}[fmt]
        with tempfile.TemporaryDirectory() as d:
            env = pdf_env if fmt == "pdf" else ""
            return median_of(args.runs, f"{env}{pandoc} -f gfm {to} {book} -o {d}/book.{ext}", shell=True)

    for fmt in formats:
        wall, rss = median_of(args.runs, build([articles], [fmt]))
        p = None
        if pandoc and (fmt != "pdf" or typst_ok):
            p = pandoc_articles(fmt)[0]
        rows.append((f"1,000 articles → {fmt}", wall, rss, p))
    wall, rss = median_of(args.runs, build([articles], formats))
    rows.append((f"1,000 articles → all ({','.join(formats)})", wall, rss, None))
    for fmt in formats:
        j1 = median_of(args.runs, build([articles], [fmt], ["--jobs", "1"]))[0]
        j2 = median_of(args.runs, build([articles], [fmt], ["--jobs", "2"]))[0]
        rows.append((f"articles → {fmt}: --jobs 1 / --jobs 2 = {j1 / j2:.2f}×", j2, None, None))
    if nocache:
        shutil.rmtree(out, ignore_errors=True)
        cache = tempfile.mkdtemp()
        cmd = [bindery, "build", "-q", articles, "-o", out, "--to", ",".join(formats), "--cache-dir", cache]
        timed(cmd)
        wall, rss = median_of(args.runs, cmd)
        rows.append(("1,000 articles, second run (cache hits)", wall, rss, None))
    for fmt in formats:
        wall, rss = median_of(args.runs, build([book], [fmt]))
        p = None
        if pandoc and (fmt != "pdf" or typst_ok):
            p = pandoc_book(fmt)[0]
        rows.append((f"1.5 MB book → {fmt}", wall, rss, p))
    light = [f for f in formats if f != "pdf"]
    wall, rss = median_of(args.runs, build([book], light))
    rows.append((f"1.5 MB book → {','.join(light)}", wall, rss, None))

    if pandoc and typst_ok:
        with tempfile.TemporaryDirectory() as d:
            empty = os.path.join(d, "e.md")
            open(empty, "w").write("x\n")
            startup = median_of(args.runs, f"{pdf_env}{pandoc} {empty} --pdf-engine=typst -o {d}/e.pdf", shell=True)[0]
        print(f"pandoc + typst wrapper start-up (one-word document → PDF): {startup:.3f} s")
    lines = ["| run | bindery (s) | peak RSS (MiB) | pandoc (s) | pandoc / bindery |", "|---|---:|---:|---:|---:|"]
    for what, b, rss, p in rows:
        ratio = f"{p / b:.1f}×" if p else ""
        lines.append(f"| {what} | {b:.3f} | {'' if rss is None else f'{rss:.0f}'} | {'' if p is None else f'{p:.2f}'} | {ratio} |")
    table = "\n".join(lines)
    print(table)
    print(f"pandoc article rows: {len(sample)} articles, two processes at a time, scaled to 1,000")
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write(f"machine: {platform.machine()}, {os.cpu_count()} cores; runs: {args.runs}\n\n{table}\n")


if __name__ == "__main__":
    main()
