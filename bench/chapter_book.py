#!/usr/bin/env python3
"""The benchmark book as a bindery book: one chapter file per level-1 heading of
bench/corpus/book/book.md (from `python3 bench/gen_corpus.py bench/corpus`) and a bindery.toml
listing them. Its PDF is what issue 16's parallel chapter layout is measured on: a single
Markdown file is an article, laid out whole, since its chapters do not start pages.

Usage: python3 bench/chapter_book.py [BOOK.md] [OUT_DIR]   (default OUT_DIR: bench/corpus/chapters)
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus/book/book.md")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus/chapters")
    text = open(source, encoding="utf-8").read()
    if text.startswith("---"):
        text = text.split("---", 2)[2]
    parts = re.split(r"(?m)^(?=# )", text)
    chapters = [p for p in parts[1:]]
    os.makedirs(out, exist_ok=True)
    names = []
    for i, chapter in enumerate(chapters):
        name = f"ch{i:03}.md"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(chapter)
        names.append(name)
    with open(os.path.join(out, "bindery.toml"), "w", encoding="utf-8") as f:
        f.write('title = "A Generated Technical Book"\nauthors = ["Bench Mark"]\nlang = "en"\n')
        f.write("chapters = [\n" + "".join(f'  "{n}",\n' for n in names) + "]\n")
    print(f"{len(names)} chapters in {out}")


if __name__ == "__main__":
    main()
