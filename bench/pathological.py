#!/usr/bin/env python3
"""cmark's pathological inputs at full size through every format, with linearity check.

  python3 bench/pathological.py [--runs 5] [--formats html,txt,epub,pdf] [--only NAME,NAME]

For each pattern: the full-size input and a quarter-size one are converted by the release
binary; the minimum wall time of --runs runs and the peak memory are recorded. Limits: HTML,
TXT and EPUB under 5 s and 1 GB and must succeed; PDF under 30 s and 2 GB, and only bindery's
page limit may stop it. Linear: the full size takes at most 1.5x as many times longer than the
quarter size as it has times more bytes (4x the bytes: at most 6x the time; backticks, whose
size grows as n², 16x the bytes: 24x); times under 50 ms count as 50 ms, the noise floor of
process start-up.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def patterns(k):
    n = lambda x: max(1, int(x * k))  # noqa: E731
    backticks = "".join("e" + "`" * i for i in range(1, n(2500)))
    nested_list = "".join("  " * i + "- x\n" for i in range(n(500)))
    refs = "".join(f"[a{i % 100}]: /u{i}\n" for i in range(n(25000))) + "[a1] " * n(1000)
    return {
        "nested-strong-emph": "*a **a " * n(32500) + "b" + " a** a*" * n(32500),
        "emph-underscore-a": "a_ " * n(32500),
        "emph-underscore-b": "_a " * n(32500),
        "close-brackets": "a]" * n(32500),
        "open-brackets": "[a" * n(32500),
        "mixed-delims": "*a_ " * n(25000),
        "openers-closers": "*a " * n(20000) + "_a*_ " * n(20000),
        "link-emph": "a**b" + "c* " * n(25000),
        "bracket-underscore": "[ a_" * n(25000),
        "link-open-paren": "[ (](" * n(40000),
        "image-brackets": "![[]()" * n(160000),
        "nested-brackets": "[" * n(25000) + "a" + "]" * n(25000),
        "nested-quotes": "> " * n(25000) + "a",
        "nested-lists": nested_list,
        "nul-bytes": "a\0b\0" * n(10000),
        "backticks": backticks,
        "unclosed-link-dest-angle": "[a](<b" * n(30000),
        "unclosed-link-dest": "[a](b" * n(30000),
        "html-comments": "</" + "<!--" * n(300000),
        "list-markers": "- " * n(30000) + "x" + "\n" * n(30000),
        "list-markers-in-quote": "> " + "- " * n(30000) + "x" + "\n" * n(30000),
        "quote-emph": ">" * n(100000) + "a*" * n(100000),
        "reference-collisions": refs,
        "stars": "*" * n(20000) + "a" + "*" * n(20000),
        # bindery's own: footnote references cut out of bare URLs (crates/markdown autolinks.rs).
        "url-footnote-openers": "https://a.example/" + "[^" * n(100000) + "x[^1]\n\n[^1]: one\n",
        "url-footnotes": "https://a.example/[^1] " * n(30000) + "\n\n[^1]: one\n",
    }


LIMITS = {"html": (5, 1024), "txt": (5, 1024), "epub": (5, 1024), "pdf": (30, 2048)}


def run(bindery, src, fmt, out):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        r = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", t.name, bindery, "convert", src, "--to", fmt,
             "-o", out, "-q", "--max-input", str(64 << 20)],
            capture_output=True, text=True)
        wall, rss = t.read().split()[-2:]
        return r.returncode, float(wall), int(rss) / 1024, r.stderr.strip().splitlines()[-1:] or [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--formats", default="html,txt,epub,pdf")
    ap.add_argument("--only", help="comma-separated pattern names")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    bindery = os.path.join(ROOT, "target", "release", "bindery")
    full, quarter = patterns(1.0), patterns(0.25)
    failures = 0
    print("| pattern | KB | format | s (full) | s (¼) | ratio | bytes ratio | MiB | result |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as d:
        for name, text in full.items():
            if args.only and name not in args.only.split(","):
                continue
            srcs = {}
            for label, body in (("full", text), ("quarter", quarter[name])):
                srcs[label] = os.path.join(d, f"{name}-{label}.md")
                with open(srcs[label], "w") as f:
                    f.write(body)
            for fmt in args.formats.split(","):
                out = os.path.join(d, f"out.{fmt}")
                res = {}
                for label in ("full", "quarter"):
                    times, rss, code, msg = [], 0, 0, ""
                    for _ in range(args.runs):
                        code, wall, mem, msg = run(bindery, srcs[label], fmt, out)
                        times.append(wall)
                        rss = max(rss, mem)
                        if code != 0:
                            break
                    res[label] = (code, min(times), rss, msg[0])
                code, t_full, rss, msg = res["full"]
                t_q = res["quarter"][1]
                ratio = max(t_full, 0.05) / max(t_q, 0.05)
                # Most patterns are 4x the bytes at full size; backticks grows as n^2 (16x).
                # Linear means the time grows at most 1.5x as fast as the input bytes.
                bytes_ratio = len(text.encode()) / max(1, len(quarter[name].encode()))
                limit_s, limit_mb = LIMITS[fmt]
                ok = t_full < limit_s and rss < limit_mb and ratio <= 1.5 * bytes_ratio
                if code != 0:
                    ok = ok and fmt == "pdf" and "pages" in msg
                result = "ok" if code == 0 else f"stopped: {msg}"
                if not ok:
                    failures += 1
                    result = "FAIL " + result
                print(f"| {name} | {len(text.encode()) // 1024} | {fmt} | {t_full:.2f} | {t_q:.2f} | "
                      f"{ratio:.1f} | {bytes_ratio:.1f} | {rss:.0f} | {result} |", flush=True)
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
