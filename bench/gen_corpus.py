#!/usr/bin/env python3
"""Generate bindery's benchmark corpus with a fixed seed.

  articles/NNNN.md  1,000 seed-sized articles (about 4 KB: paragraphs, bare URLs in
                    parentheses, a list, a table and a code block)
  book/book.md      one ~1.5 MB multi-chapter document shaped like a technical book:
                    about a third code blocks, with tables and footnotes

Usage: python3 bench/gen_corpus.py [OUT_DIR] [--articles N]   (default bench/corpus, 1,000)

--articles N makes N distinct articles (no two files have the same text: copies would flatter
every cache), named with at least four digits (0000.md ... 99999.md). The first 1,000 and the
book are the same whatever N is, so figures on the default corpus stay comparable; articles
from 1,000 on come from a second seeded generator, after the book.
"""
import argparse
import hashlib
import os
import random
import re
import sys

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if so "
    "no what up out more about into them can only other new some could time these two may then "
    "do first any my now such like our over man me even most made after also did many before "
    "must through back years where much your way well down should because each just those "
    "people how too little state good very make world still own see men work long get here "
    "between both life being under never day same another know while last might us great old "
    "year off come since against go came right used take three printing press library binding "
    "typeface archive manuscript publisher edition chapter reader margin column paper ink "
    "foreign relations diplomatic summit agreement policy partnership sovereignty economic"
).split()

CODE = [
    "fn main() {\n    let xs: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!(\"{xs:?}\");\n}\n",
    "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    "SELECT title, count(*) AS n\nFROM articles\nWHERE published > '2024-01-01'\nGROUP BY title\nORDER BY n DESC;\n",
    "#include <stdio.h>\n\nint main(void) {\n    for (int i = 0; i < 3; i++) printf(\"%d\\n\", i);\n    return 0;\n}\n",
]
LANGS = ["rust", "python", "sql", "c"]


def code(rng, k):
    """CODE[k] with its numbers drawn afresh, so no two blocks of the corpus are the same text
    (a writer that remembers highlighted code must not look faster than it is on real books)."""
    return re.sub(r"\d+", lambda _: str(rng.randint(0, 99999)), CODE[k])


def sentence(rng, n=None):
    n = n or rng.randint(8, 24)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng, with_url=False, k=None):
    sents = [sentence(rng) for _ in range(k or rng.randint(3, 6))]
    if with_url:
        i = rng.randrange(len(sents))
        slug = "_".join(rng.choice(WORDS).capitalize() for _ in range(3))
        sents[i] = sents[i][:-1] + f" (https://en.wikipedia.org/wiki/{slug})."
    return " ".join(sents)


def table(rng, rows=4):
    out = ["| Year | Event | Count |", "|:-----|:------|------:|"]
    for _ in range(rows):
        out.append(f"| {rng.randint(1800, 2024)} | {sentence(rng, 4)[:-1]} | {rng.randint(1, 9999)} |")
    return "\n".join(out)


def article(rng, i):
    parts = [f"# {sentence(rng, 5)[:-1]}", ""]
    for p in range(5):
        parts += [paragraph(rng, with_url=(p % 2 == 0)), ""]
    parts += [f"- {sentence(rng, 6)}" for _ in range(4)] + [""]
    parts += [table(rng), ""]
    k = rng.randrange(len(CODE))
    parts += [f"```{LANGS[k]}", code(rng, k).rstrip("\n"), "```", ""]
    parts += [paragraph(rng, with_url=True), ""]
    return "\n".join(parts)


def book(rng, target=1_500_000):
    parts = ["---", "title: A Generated Technical Book", "author: Bench Mark", "lang: en", "---", ""]
    size, chapter, note = 0, 0, 0
    while size < target:
        chapter += 1
        chunk = [f"# Chapter {chapter}: {sentence(rng, 4)[:-1]}", ""]
        for section in range(1, 5):
            chunk += [f"## {chapter}.{section} {sentence(rng, 3)[:-1]}", ""]
            for _ in range(3):
                note += 1
                chunk += [paragraph(rng, with_url=True) + f"[^n{note}]", ""]
                chunk += [f"[^n{note}]: {sentence(rng)}", ""]
            for _ in range(3):
                k = rng.randrange(len(CODE))
                body = "".join(code(rng, (k + j) % len(CODE)) for j in range(3))
                chunk += [f"```{LANGS[k]}", body.rstrip("\n"), "```", ""]
            chunk += [table(rng, rows=6), ""]
        text = "\n".join(chunk) + "\n"
        size += len(text.encode())
        parts.append(text)
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description="Generate bindery's benchmark corpus.")
    parser.add_argument("out", nargs="?", default=os.path.join(os.path.dirname(__file__), "corpus"))
    parser.add_argument("--articles", type=int, default=1000, metavar="N",
                        help="how many distinct articles to write (default 1000)")
    args = parser.parse_args()
    if args.articles < 0:
        parser.error("--articles must be 0 or more")
    out, n = args.out, args.articles
    width = max(4, len(str(n - 1)))
    rng = random.Random(20261127)
    os.makedirs(os.path.join(out, "articles"), exist_ok=True)
    os.makedirs(os.path.join(out, "book"), exist_ok=True)
    seen = set()

    def write(i, text):
        digest = hashlib.sha256(text.encode()).digest()
        if digest in seen:
            # Random 4 KB texts do not repeat; if one ever did, the corpus would lie.
            sys.exit(f"article {i} repeats an earlier one; change the generator")
        seen.add(digest)
        with open(os.path.join(out, "articles", f"{i:0{width}d}.md"), "w") as f:
            f.write(text)

    # The first 1,000 draw from the main generator in order, as before --articles existed,
    # so the book after them is the same for every N.
    for i in range(1000):
        text = article(rng, i)
        if i < n:
            write(i, text)
    with open(os.path.join(out, "book", "book.md"), "w") as f:
        f.write(book(rng))
    more = random.Random(20261127 + 1)
    for i in range(1000, n):
        write(i, article(more, i))
    print(f"corpus written to {out}: {n} articles and a book")


if __name__ == "__main__":
    main()
