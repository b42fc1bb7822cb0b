//! `bindery init [DIR]`: a starter project that builds as it is, with 0 warnings, and whose
//! comments say what each part is for: project defaults, an article and a book.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The files `init` writes, relative to DIR.
const FILES: &[(&str, &str)] = &[
    (
        "bindery.toml",
        r#"# Project defaults for `bindery build` run in this directory: any long option of
# `bindery build`, without its dashes. The command line overrides them;
# `bindery build --print-config` shows what a build would use and where each value comes from.
[build]
# to = ["html", "epub", "pdf"]   # default: html, txt, epub and pdf
# output = "dist"
# toc = true
# paper = "letter"               # default: a4
# raw-html = "keep"              # for trusted input only; default: sanitize
"#,
    ),
    (
        "content/hello.md",
        r#"---
# Front matter: YAML between two lines of ---. Every key is optional; the title otherwise
# comes from the first heading. `bindery build` makes hello.html, .txt, .epub and .pdf.
title: Hello, bindery
authors:
  - Your Name
date: 2026-01-01
lang: en
description: A first article, to edit or replace.
---

# Hello, bindery

An *article* is one Markdown file: CommonMark with GitHub's tables, task lists,
~~strikethrough~~ and footnotes.[^1] Every file under `content/` is built, in parallel,
into each format; `content/book/` is a book, since it holds a `bindery.toml`.

## Lists and tables

- [x] write the article
- [ ] build it with `bindery build`

| Format | Opens with           |
|--------|----------------------|
| HTML   | a browser            |
| EPUB   | an e-reader          |
| PDF    | anything that prints |

## Code

```rust
fn main() {
    println!("Code blocks are highlighted by their language.");
}
```

[^1]: Footnotes are numbered and collected at the end.
"#,
    ),
    (
        "content/book/bindery.toml",
        r#"# A directory holding a bindery.toml with a title or chapters is a book: its chapters
# are bound into one EPUB, one PDF and one text file, and an HTML site with a page each.
title = "A starter book"
authors = ["Your Name"]
lang = "en"
date = "2026-01-01"
description = "A book to edit or replace."
# Number the chapters 1, 2, 2.1 ... in headings and tables of contents.
numbered = true
# The chapters in reading order; a chapter may have chapters of its own.
chapters = [
  "intro.md",
  { file = "making.md", chapters = ["making/sewing.md"] },
]
"#,
    ),
    (
        "content/book/intro.md",
        r#"# Introduction

Each chapter is a Markdown file; its first heading is its title. The book's metadata
lives in `bindery.toml`, beside the chapters.

A link to another chapter, such as [Making a book](making.md), stays a link in every
format.
"#,
    ),
    (
        "content/book/making.md",
        r#"# Making a book

A chapter may have sub-chapters: [Sewing](making/sewing.md) is one, listed under this
chapter in `bindery.toml`.
"#,
    ),
    (
        "content/book/making/sewing.md",
        r#"# Sewing

The last chapter. Add your own files and list them in `chapters`.
"#,
    ),
];

/// Writes the starter project into `dir` (created when missing). Refuses, writing nothing,
/// when any of its files exists already; returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let existing: Vec<String> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| path.symlink_metadata().is_ok())
        .map(|path| format!("`{}`", path.display()))
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "{} already exist{}; bindery init writes into a new or empty project only \
             (nothing was written)",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        ));
    }
    let mut written = Vec::new();
    for (name, text) in FILES {
        let path = dir.join(name);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // create_new: a file that appeared since the check above is not overwritten.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            file.write_all(text.as_bytes())
        };
        write().map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
