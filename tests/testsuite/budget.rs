//! A PDF's cost is estimated from the model before layout (issue 17, "bounded by
//! construction"): each small input that once took gigabytes in Typst's layout is refused before
//! anything is laid out, with the limit, its size, the place and the option that raises it;
//! and a batch of good documents beside one of each hostile kind writes every good output and
//! the manifest.
//!
//! The inputs are the issue's own (a 5 KB table of 1,000 × 500 cells, a 1 MB code span...):
//! refused before layout, they are fast in a debug build too.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bindery, process};

/// A GFM table `columns` wide whose `rows` body rows are one cell each (padded to the width).
fn table(columns: usize, rows: usize) -> String {
    format!(
        "{}\n{}\n{}",
        "|a".repeat(columns) + "|",
        "|-".repeat(columns) + "|",
        "x\n".repeat(rows)
    )
}

/// Converts `markdown` (written as `in.md`) to PDF with `args`; returns the run and the path
/// of the PDF it would write.
fn convert(markdown: &str, args: &[&str]) -> (Output, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.md");
    std::fs::write(&input, markdown).unwrap();
    let pdf = dir.path().join("out.pdf");
    let output = bindery()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&pdf)
        .args(["--to", "pdf", "--no-system-fonts"])
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    (output, pdf, dir)
}

/// Asserts that converting `markdown` is refused with `expected` (after the input's path) and
/// the hint `hint`, and that no PDF is left.
fn refused(markdown: &str, args: &[&str], expected: &str, hint: &str) {
    let (output, pdf, dir) = convert(markdown, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let input = dir.path().join("in.md");
    let message = format!("{}{expected}", input.display());
    assert!(
        stderr.contains(&message),
        "expected `{message}` in:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("hint: {hint}")),
        "expected hint `{hint}` in:\n{stderr}"
    );
    assert!(!pdf.exists(), "a refused document left a PDF");
}

#[test]
fn a_table_of_half_a_million_cells_is_refused_before_layout() {
    let markdown = format!("Intro.\n\n{}", table(1000, 500));
    assert!(markdown.len() < 6_000);
    refused(
        &markdown,
        &[],
        ":3:1: pdf: a table of 501000 cells, over the limit of 50000",
        "raise it with --pdf-limit table-cells=N",
    );
}

#[test]
fn a_megabyte_of_inline_code_is_refused_before_layout() {
    refused(
        &format!("# Code\n\n`{}`\n", "a".repeat(1_000_000)),
        &[],
        ":3:1: pdf: a paragraph of 1000000 characters, over the limit of 100000",
        "raise it with --pdf-limit paragraph-chars=N",
    );
}

#[test]
fn a_formula_of_200k_characters_is_refused_before_layout() {
    refused(
        &format!("Text\nand ${}$\n", "x^2+".repeat(50_000)),
        &[],
        ":1:1: pdf: a formula of 200000 characters, over the limit of 20000",
        "raise it with --pdf-limit math-chars=N",
    );
}

#[test]
fn a_table_of_contents_of_200k_headings_is_refused_before_layout() {
    let markdown: String = (0..200_000).map(|i| format!("# h{i}\n\n")).collect();
    refused(
        &markdown,
        &["--toc"],
        ": pdf: a table of contents of 200000 headings, over the limit of 20000",
        "raise it with --pdf-limit toc-headings=N",
    );
}

#[test]
fn five_megabytes_of_autolinks_are_refused_before_layout() {
    refused(
        &"www.a.com ".repeat(500_000),
        &[],
        ":1:1: pdf: a paragraph of 4999999 characters, over the limit of 100000",
        "raise it with --pdf-limit paragraph-chars=N",
    );
}

/// `--max-pages` is checked against pages estimated before layout, not only after it: 2 MB
/// of thematic breaks took 12.9 s and 3.2 GB to be refused by the page count.
#[test]
fn two_megabytes_of_thematic_breaks_are_refused_by_their_estimated_pages() {
    refused(
        &"***\n\n".repeat(400_000),
        &[],
        ": pdf: the document would come to at least 6285 pages (estimated before layout), \
         more than the limit of 5000",
        "raise it with --max-pages N",
    );
}

/// A limit raised on the command line lets the document through; a bad name is a usage error.
#[test]
fn pdf_limits_are_raised_by_name() {
    let markdown = table(30, 2);
    refused(
        &markdown,
        &["--pdf-limit", "table-cells=50"],
        ":1:1: pdf: a table of 90 cells, over the limit of 50",
        "raise it with --pdf-limit table-cells=N",
    );
    let (output, pdf, _dir) = convert(&markdown, &["--pdf-limit", "table-cells=90"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::read(pdf).unwrap().starts_with(b"%PDF-"));
    let (output, _, _dir) = convert(&markdown, &["--pdf-limit", "cells=90"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("unknown PDF limit `cells`"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A place in a book's chapter is reported against the chapter file.
#[test]
fn a_books_refusal_names_the_chapter_file() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    std::fs::create_dir(&book).unwrap();
    std::fs::write(
        book.join("bindery.toml"),
        "title = \"B\"\nchapters = [\"one.md\", \"two.md\"]\n",
    )
    .unwrap();
    std::fs::write(book.join("one.md"), "# One\n\nText.\n").unwrap();
    std::fs::write(
        book.join("two.md"),
        format!("# Two\n\nText.\n\n{}", table(1000, 60)),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = bindery()
        .args([
            "build",
            "--no-cache",
            "--to",
            "pdf,txt",
            "--no-system-fonts",
        ])
        .arg(&book)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let expected = format!(
        "{}:5:1: pdf: a table of 61000 cells",
        book.join("two.md").display()
    );
    assert!(
        stderr.contains(&expected),
        "expected `{expected}` in:\n{stderr}"
    );
}

/// Runs `command`, killing it if it has not finished in `limit` (a guard against a hang, not a
/// timing assertion).
fn run_with_guard(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("bindery did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A PNG header claiming `width` × `height` pixels of 16-bit RGB; no pixel data is needed to
/// be refused.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[16, 2, 0, 0, 0]);
    png.extend_from_slice(&[0, 0, 0, 0]);
    png
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Issue 17's hostile batch: 30 good documents and one of each hostile kind in one build to
/// every format. Every good output and the manifest are written, each hostile PDF is refused
/// alone (listed in the manifest's failures), and the run exits 1.
#[cfg(unix)]
#[test]
fn a_hostile_batch_writes_every_good_output_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for i in 0..30 {
        write(
            &input.join(format!("good/g{i:02}.md")),
            format!("# Good {i}\n\nA *good* paragraph.\n"),
        );
    }
    // Each item-3 shape, just over its limit (the TOC and page limits lowered on the command
    // line), so that the other formats of these documents stay cheap in a debug build.
    let hostile = [
        ("table.md", table(1000, 60)),
        ("code.md", format!("`{}`\n", "a".repeat(200_000))),
        ("math.md", format!("${}$\n", "x^2+".repeat(6_000))),
        (
            "headings.md",
            (0..2_000).map(|i| format!("# h{i}\n\n")).collect(),
        ),
        ("links.md", "www.a.com ".repeat(12_000)),
        ("rules.md", "***\n\n".repeat(10_000)),
    ];
    for (name, text) in &hostile {
        write(&input.join("bad").join(name), text);
    }
    // An image that decodes to 240 MB (6324² 16-bit RGB), 26 times: refused per image and per
    // document, the document renders without them.
    let mut images = String::from("# Images\n\n");
    for i in 0..26u8 {
        // Distinct files (a byte after the header), so that each is counted.
        let mut png = png_header(6324, 6324);
        png.push(i);
        write(&input.join(format!("bad/img/{i}.png")), png);
        images.push_str(&format!("![{i}](img/{i}.png)\n"));
    }
    write(&input.join("bad/images.md"), images);
    // Control characters, a FIFO and a symlink out of the root.
    write(
        &input.join("bad/controls.md"),
        "# Bell\u{7} and \u{1b}[2J escape\n\ntext\u{1}\n",
    );
    let secret = dir.path().join("secret.md");
    write(&secret, "TOP-SECRET\n");
    std::os::unix::fs::symlink(&secret, input.join("bad/escape.md")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(input.join("bad/fifo.md"))
            .status()
            .unwrap()
            .success()
    );

    let out = dir.path().join("out");
    let mut command = process();
    command
        .args(["build", "--no-cache", "--to", "html,txt,epub,pdf"])
        .args([
            "--no-system-fonts",
            "--toc",
            "-j",
            "2",
            "--max-pages",
            "100",
        ])
        .args(["--pdf-limit", "toc-headings=1000"])
        .arg(&input)
        .arg("-o")
        .arg(&out);
    let output = run_with_guard(command, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");

    for i in 0..30 {
        for ext in ["html", "txt", "epub", "pdf"] {
            let path = out.join(format!("good/g{i:02}.{ext}"));
            assert!(path.is_file(), "{path:?} missing:\n{stderr}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let failures = manifest["failures"].as_array().unwrap();
    for (name, _) in &hostile {
        let source = input.join("bad").join(name);
        let failure = failures
            .iter()
            .find(|f| f["source"].as_str() == source.to_str() && f["format"] == "pdf")
            .unwrap_or_else(|| panic!("no PDF failure for {name} in {failures:#?}"));
        let error = failure["error"].as_str().unwrap();
        assert!(
            error.contains("over the limit") || error.contains("estimated before layout"),
            "{name}: {error}"
        );
        assert!(
            !out.join("bad").join(name).with_extension("pdf").exists(),
            "{name}"
        );
    }
    // The images' document renders, without the images.
    assert!(out.join("bad/images.pdf").is_file(), "{stderr}");
    assert!(
        stderr.contains("img/2.png` not included"),
        "the decoded-size limit did not refuse the images:\n{stderr}"
    );
    assert!(out.join("bad/controls.epub").is_file(), "{stderr}");
    assert!(stderr.contains("fifo.md"), "{stderr}");
    for ext in ["html", "txt", "epub", "pdf"] {
        let path = out.join(format!("bad/escape.{ext}"));
        assert!(
            !path.exists()
                || !String::from_utf8_lossy(&std::fs::read(&path).unwrap()).contains("TOP-SECRET"),
            "{path:?} holds the file outside the root"
        );
    }
}
