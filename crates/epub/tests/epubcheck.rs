//! Every EPUB made from `content/` and this crate's fixtures passes EPUBCheck with no fatal
//! error, error or warning. All files are checked in one JVM start.

mod common;

use std::path::PathBuf;

use bindery_model::{Assets, Document, Inline};
use common::*;

/// The documents to check, by name: every construct under several option sets, the seed,
/// every file in `content/`, and documents made to hit the edge cases.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let (every, every_assets) = every_construct();
    out.push((
        "every-construct".into(),
        render(&every, &every_assets, &bindery_epub::Options::default()),
    ));
    out.push((
        "every-construct-split2-toc".into(),
        render(
            &every,
            &every_assets,
            &bindery_epub::Options {
                split_level: 2,
                toc: true,
                timestamp: Some(1_700_000_000),
                ..bindery_epub::Options::default()
            },
        ),
    ));
    let mut covered = every.clone();
    covered.meta.cover = Some("images/red.png".into());
    covered.meta.lang = Some("ar".into());
    out.push((
        "every-construct-cover-rtl-one-file".into(),
        render(
            &covered,
            &every_assets,
            &bindery_epub::Options {
                split_level: 0,
                ..bindery_epub::Options::default()
            },
        ),
    ));
    let (seed, seed_assets) = seed();
    out.push((
        "seed".into(),
        render(&seed, &seed_assets, &bindery_epub::Options::default()),
    ));
    out.push((
        "edge-cases".into(),
        render(
            &edge_cases(),
            &every_assets,
            &bindery_epub::Options::default(),
        ),
    ));
    out.push((
        "empty".into(),
        render(
            &Document::default(),
            &Assets::new(),
            &bindery_epub::Options::default(),
        ),
    ));
    out.push((
        "long-book".into(),
        render(
            &long_book(120),
            &every_assets,
            &bindery_epub::Options {
                toc: true,
                ..bindery_epub::Options::default()
            },
        ),
    ));
    let mut content: Vec<PathBuf> = std::fs::read_dir(workspace().join("content/articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    content.sort();
    for path in content {
        let (document, assets) = read(&path);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((
            name,
            render(&document, &assets, &bindery_epub::Options::default()),
        ));
    }
    out
}

/// Raw HTML good and bad, remote and missing images, links that point nowhere, an empty
/// heading, notes inside notes, no title, a date that is not ISO 8601.
fn edge_cases() -> Document {
    let source = "---\ndate: sometime in 2024\nkeywords: a, b\n---\n\
        Before the first heading, with a [dangling link](#nowhere) and [a file](other.md).\n\n\
        <div class=\"ok\"><p>Safe <em>raw</em> block</p></div>\n\n\
        <div onclick=\"x()\">unsafe raw block</div>\n\n\
        <table><tr><td>cell</td></tr></table>\n\n\
        # \n\n\
        An empty heading above; a [link back](#tables) that has no target here.\n\n\
        ![remote](https://example.org/x.png) and ![missing](nope.png) and \
        [![remote in link](https://example.org/y.png)](https://example.org) and \
        ![](images/red.png) without alt. <span class=\"x\">ok</span> <b>unclosed\n\n\
        # Second\n\nA note[^n].\n\n[^n]: Note with *emphasis*, a [link](#second) and one [ahead](#%C3%BCber-stra%C3%9Fe).\n\n\
        # Über Straße\n\n## 2024 plans\n\nLinks to [Über](#über-straße), [plans](#2024-plans) \
        and [encoded](#%C3%BCber-stra%C3%9Fe).\n\n\
        ### Ελληνικά και 한국어\n\nBack to [the second chapter](#second).\n";
    let mut document = bindery_markdown::parse(
        source,
        &bindery_markdown::ReadOptions {
            dialect: bindery_markdown::Dialect::Markdown,
            file_name: None,
        },
    )
    .unwrap()
    .output;
    document.meta.title = None;
    // Raw HTML as the pipeline leaves it with `--raw-html keep` (the reader keeps it raw).
    assert!(format!("{:?}", document.blocks).contains("Raw"));
    let _ = Inline::SoftBreak;
    document
}

/// A book of many chapters, each linking to the next and carrying a note, as a real book
/// would (pandoc's EPUB of a 111-chapter book is where its EPUBCheck errors piled up).
pub fn long_book(chapters: usize) -> Document {
    let mut source = String::from("---\ntitle: A Long Book\nauthor: A. Writer\n---\n");
    for n in 1..=chapters {
        source.push_str(&format!(
            "# Chapter {n}\n\nText of chapter {n}, see [the next](#chapter-{next}).[^c{n}]\n\n\
             ## Part {n}.1\n\n- item\n- item\n\n[^c{n}]: A note in chapter {n}.\n\n",
            next = n % chapters + 1
        ));
    }
    bindery_markdown::parse(
        &source,
        &bindery_markdown::ReadOptions {
            dialect: bindery_markdown::Dialect::Markdown,
            file_name: None,
        },
    )
    .unwrap()
    .output
}

#[test]
fn every_epub_passes_epubcheck() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, bytes) in fixtures() {
        let path = dir.path().join(format!("{name}.epub"));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    let reports = epubcheck(&files);
    let mut problems = Vec::new();
    for (file, messages) in &reports {
        for m in messages {
            problems.push(format!(
                "{}: {} {} at {}: {}",
                file.file_name().unwrap().to_string_lossy(),
                m.severity,
                m.id,
                m.location,
                m.text
            ));
        }
    }
    assert_eq!(reports.len(), files.len());
    assert!(
        problems.is_empty(),
        "EPUBCheck found {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Writes the fixtures to `BINDERY_EPUB_DUMP` for inspection by hand.
#[test]
fn dump_fixtures_when_asked() {
    if let Some(dir) = std::env::var_os("BINDERY_EPUB_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in fixtures() {
            std::fs::write(PathBuf::from(&dir).join(format!("{name}.epub")), bytes).unwrap();
        }
    }
}
