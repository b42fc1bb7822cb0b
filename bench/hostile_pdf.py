#!/usr/bin/env python3
"""Small inputs that once took gigabytes in PDF (issue 17 item 3), and ordinary ones beside them.

  python3 bench/hostile_pdf.py [--bin target/release/bindery] [--only NAME,NAME] [--scaling]
                               [--mem-cap-mb 4096] [--timeout 120] [--no-ordinary]

Each hostile case is converted to PDF by the release binary under /usr/bin/time; the target
is that each is refused (or rendered) in under 1 s and 500 MB. Each run is capped at
--mem-cap-mb of address space and --timeout seconds so that measuring an unbounded build
does not take the machine down (such a run shows as "killed" or "abort").
Ordinary inputs (content/, tests/fixtures, the 1.5 MB book of bench/gen_corpus.py) must
render, not be refused. --scaling converts the shapes that were quadratic at two sizes and
prints the time ratio (2x the input should take about 2x the time).
Prints a Markdown table on stdout (bench/hostile_pdf-results.md is its last run).
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def table(columns, rows):
    head = "|" + "a|" * columns + "\n"
    rule = "|" + "-|" * columns + "\n"
    # GFM pads a short row with empty cells: "x" alone is a row of `columns` cells.
    return head + rule + "x\n" * rows


def hostile():
    """name -> (markdown, extra arguments)"""
    return {
        "table 1000 cols x 500 rows": (table(1000, 500), []),
        "inline code 1 MB": ("`" + "a" * 1_000_000 + "`\n", []),
        "inline math 200 K chars": ("$" + "x^2+" * 50_000 + "$\n", []),
        "200 K headings, --toc": ("".join(f"# h{i}\n\n" for i in range(200_000)), ["--toc"]),
        "5 MB of `www.a.com `": ("www.a.com " * 500_000 + "\n", []),
        "2 MB of `***`": ("***\n\n" * 400_000, []),
    }


def scaling():
    """name -> (small, large): the shapes whose cost grew faster than their size."""
    return {
        "inline math": lambda n: "$" + "x^2+" * (n // 4) + "$\n",
        "inline math, spaced": lambda n: "$" + "x + " * (n // 4) + "$\n",
        "inline code": lambda n: "`" + "a" * n + "`\n",
        "inline code, spaced": lambda n: "`" + "ab " * (n // 3) + "`\n",
        "links in one paragraph": lambda n: "www.a.com " * (n // 10) + "\n",
        "code block, one line": lambda n: "```\n" + "a" * n + "\n```\n",
        "plain paragraph": lambda n: "word " * (n // 5) + "\n",
    }


def cap(megabytes):
    def apply():
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run(binary, args, path, out, mem_cap, timeout):
    """(seconds, MB, result)"""
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, "convert", path, "-o", out,
           "--to", "pdf", "--no-system-fonts", "-q"] + args
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=cap(mem_cap))
    except subprocess.TimeoutExpired:
        return timeout, None, f"timeout after {timeout} s"
    lines = proc.stderr.strip().splitlines()
    seconds, kb = lines[-1].split()[:2] if lines else ("nan", "0")
    message = "\n".join(line for line in lines[:-1] if line.strip())
    if proc.returncode == 0:
        result = "rendered"
    elif "limit" in message:
        result = "refused: " + first_line(message)
    elif proc.returncode < 0 or "signal" in message or "memory" in message:
        result = "killed/abort: " + first_line(message)
    else:
        result = f"failed ({proc.returncode}): " + first_line(message)
    return float(seconds), int(kb) / 1024, result


def first_line(message):
    line = message.splitlines()[0] if message else ""
    return line if len(line) < 240 else line[:240] + "…"


def fmt_row(name, size, seconds, mb, result):
    mb = "?" if mb is None else f"{mb:,.0f}"
    return f"| {name} | {size / 1024:,.0f} | {seconds:.2f} | {mb} | {result.replace('|', '¦')} |"


def ordinary(tmp):
    """name -> (path, extra arguments): inputs that must render."""
    cases = {}
    content = os.path.join(ROOT, "content")
    for directory, dirs, files in sorted(os.walk(content)):
        rel = os.path.relpath(directory, ROOT)
        if "bindery.toml" in files:
            cases[rel + " (book)"] = (directory, [])
            dirs.clear()
            continue
        for name in sorted(files):
            if name.endswith(".md"):
                cases[os.path.join(rel, name)] = (os.path.join(directory, name), [])
    fixtures = os.path.join(ROOT, "tests", "fixtures")
    for name in sorted(os.listdir(fixtures)):
        path = os.path.join(fixtures, name, "input.md")
        if os.path.exists(path):
            cases[f"tests/fixtures/{name} --toc"] = (path, ["--toc"])
    corpus = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus],
                   check=True, capture_output=True)
    book = os.path.join(corpus, "book", "book.md")
    cases["bench book (gen_corpus.py) --toc"] = (book, ["--toc"])
    cases["bench article 0000 (gen_corpus.py)"] = (os.path.join(corpus, "articles", "0000.md"), [])
    return cases


def size_of(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(path) for f in files if f.endswith(".md"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "bindery"))
    parser.add_argument("--only", default="")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--scaling-size", type=int, default=100_000,
                        help="characters of the smaller --scaling input (the larger is twice)")
    parser.add_argument("--no-ordinary", action="store_true")
    parser.add_argument("--no-hostile", action="store_true")
    parser.add_argument("--mem-cap-mb", type=int, default=4096)
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    only = [o for o in args.only.split(",") if o]
    binary = os.path.abspath(args.bin)
    with tempfile.TemporaryDirectory() as tmp:
        print("| input | KB | s | MB | result |")
        print("|---|---:|---:|---:|---|")
        for name, (text, extra) in hostile().items():
            if args.no_hostile:
                break
            if only and not any(o in name for o in only):
                continue
            path = os.path.join(tmp, "in.md")
            with open(path, "w") as f:
                f.write(text)
            s, mb, result = run(binary, extra, path, os.path.join(tmp, "out.pdf"),
                                args.mem_cap_mb, args.timeout)
            print(fmt_row(name, len(text.encode()), s, mb, result), flush=True)
        if not args.no_ordinary and not only:
            for name, (path, extra) in ordinary(tmp).items():
                s, mb, result = run(binary, extra, path, os.path.join(tmp, "out.pdf"),
                                    args.mem_cap_mb, args.timeout)
                print(fmt_row(name, size_of(path), s, mb, result), flush=True)
        if args.scaling:
            print()
            print("| shape | KB (small) | s (small) | s (2x) | ratio | MB (2x) | result (2x) |")
            print("|---|---:|---:|---:|---:|---:|---|")
            for name, make in scaling().items():
                if only and not any(o in name for o in only):
                    continue
                times = []
                for n in (args.scaling_size, 2 * args.scaling_size):
                    path = os.path.join(tmp, "in.md")
                    with open(path, "w") as f:
                        f.write(make(n))
                    times.append(run(binary, [], path, os.path.join(tmp, "out.pdf"),
                                     args.mem_cap_mb, args.timeout))
                (s1, _, _), (s2, mb2, r2) = times
                ratio = s2 / max(s1, 0.05)
                print(f"| {name} | {len(make(args.scaling_size)) / 1024:,.0f} | {s1:.2f} | {s2:.2f} | "
                      f"{ratio:.1f} | {mb2 or 0:,.0f} | {r2} |", flush=True)


if __name__ == "__main__":
    main()
