//! Math typeset in every format (issue 14): MathML in HTML and EPUB, Typst math in PDF, the
//! TeX source in plain text; bad math stays source with a warning at its place; pathological
//! math is bounded; documents read from JSON come out the same.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::bindery;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/math/input.md")
}

/// `bindery convert input -o dir/out.<ext>` for each extension; returns stderr (exit 0).
fn convert(input: &Path, dir: &Path, exts: &[&str], extra: &[&str]) -> String {
    let mut stderr = String::new();
    for ext in exts {
        let output = bindery()
            .arg("convert")
            .arg(input)
            .arg("-o")
            .arg(dir.join(format!("out.{ext}")))
            .args(["--no-system-fonts"])
            .args(extra)
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{ext}: {err}");
        stderr.push_str(&err);
    }
    stderr
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn opf(epub: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name("OEBPS/content.opf")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_pdf_typesets_math_as_searchable_text() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = convert(&fixture(), dir.path(), &["pdf"], &[]);
    let text = pdftotext(&dir.path().join("out.pdf"));
    let (typeset, source) = text.split_once("Not math").expect("the last section");
    // No TeX command is left in the typeset part; its symbols are there as Unicode.
    assert!(!typeset.contains('\\'), "{typeset}");
    for expected in [
        "∑",
        "∫",
        "∏",
        "√",
        "𝛼",
        "Γ",
        "ℝ",
        "ℒ",
        "lim",
        "sin",
        "cos",
        "otherwise",
        "≤",
    ] {
        assert!(
            typeset.contains(expected),
            "{expected} missing from:\n{typeset}"
        );
    }
    // The price case is text, the dollars included.
    assert!(typeset.contains("$5 and $10"), "{typeset}");
    // Bad math is its source, in place, and a warning at the formula itself (the second one,
    // of the same kind, is counted with its place).
    assert!(source.contains(r"\unknowncommand{x}"), "{source}");
    assert!(source.contains(r"\frac{1}{2"), "{source}");
    assert_eq!(
        stderr.matches("input.md:41:40: math not typeset").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("1 more `math` warning here, at 42:1"),
        "{stderr}"
    );
}

#[test]
fn html_epub_and_text_warn_at_the_bad_formula_and_keep_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = convert(&fixture(), dir.path(), &["html", "epub", "txt"], &[]);
    // HTML and EPUB each warn twice, at each formula (shown as one warning and a count);
    // plain text shows the source anyway and does not warn.
    assert_eq!(
        stderr.matches("input.md:41:40: math not typeset").count(),
        2,
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("1 more `math` warning here, at 42:1")
            .count(),
        2,
        "{stderr}"
    );
    assert!(
        stderr.contains("Unknown command \"\\unknowncommand\""),
        "{stderr}"
    );
    let html = std::fs::read_to_string(dir.path().join("out.html")).unwrap();
    assert!(html.contains(r#"<code class="math-source">$\unknowncommand{x}$</code>"#));
    assert!(html.contains(r#"<math display="block">"#));
    assert!(html.contains(
        r#"<annotation encoding="application/x-tex">\int_0^1 x^2\,dx = \frac{1}{3}</annotation>"#
    ));
    assert!(!html.contains("<script"));
    let text = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(
        text.contains(r"$$\int_0^1 x^2\,dx = \frac{1}{3}$$"),
        "{text}"
    );
}

#[test]
fn epub_marks_only_the_chapters_with_math() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("book.md");
    std::fs::write(
        &input,
        "# One\n\nNo math, $5 and $10.\n\n# Two\n\nSome $x^2$.\n",
    )
    .unwrap();
    convert(&input, dir.path(), &["epub"], &[]);
    let opf = opf(&dir.path().join("out.epub"));
    let item = |file: &str| {
        opf.lines()
            .find(|l| l.contains(&format!("href=\"{file}\"")))
            .unwrap_or_else(|| panic!("{file} in {opf}"))
            .to_string()
    };
    assert!(!item("ch001.xhtml").contains("properties"), "{opf}");
    assert!(
        item("ch002.xhtml").contains("properties=\"mathml\""),
        "{opf}"
    );
}

#[test]
fn documents_from_json_typeset_math_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let ast = bindery().arg("ast").arg(fixture()).output().unwrap();
    assert!(ast.status.success());
    let json = dir.path().join("input.json");
    std::fs::write(&json, &ast.stdout).unwrap();
    let from_md = dir.path().join("md");
    let from_json = dir.path().join("json");
    std::fs::create_dir_all(&from_md).unwrap();
    std::fs::create_dir_all(&from_json).unwrap();
    convert(&fixture(), &from_md, &["html", "pdf"], &[]);
    let stderr = convert(&json, &from_json, &["html", "pdf"], &["--from", "json"]);
    assert!(stderr.contains("math not typeset"), "{stderr}");
    let read = |dir: &Path| std::fs::read_to_string(dir.join("out.html")).unwrap();
    assert_eq!(read(&from_md), read(&from_json));
    assert_eq!(
        pdftotext(&from_md.join("out.pdf")),
        pdftotext(&from_json.join("out.pdf"))
    );
}

/// The issue's pathological formulas, each alone in a paragraph: each is refused before any
/// parser recurses on it, with a warning, and every format is written quickly.
#[test]
fn pathological_math_is_bounded_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // (name, formula, whether HTML refuses it too)
    let cases = [
        (
            "nested-frac",
            r"\frac{".repeat(10_000) + &"}{x}".repeat(10_000),
            true,
        ),
        ("open-braces", "{".repeat(100_000), true),
        // Under PDF's 20,000-character budget, so the converters' own limits are what stop
        // them: braces 100 deep, 8,000 bytes of \sqrt, and a chain of 300 \left without a
        // brace, which HTML's converter takes (3,900 bytes, within its measured stack) and
        // PDF's refuses (Typst's parser would not take it).
        ("braces-100", "{".repeat(100) + "x" + &"}".repeat(100), true),
        ("sqrt-chain", r"\sqrt".repeat(1_600) + "x", true),
        (
            "left-300",
            r"\left(".repeat(300) + "x" + &r"\right)".repeat(300),
            false,
        ),
    ];
    for (name, tex, html_refuses) in &cases {
        let input = dir.path().join(format!("{name}.md"));
        std::fs::write(&input, format!("Before.\n\n${tex}$\n\nAfter.\n")).unwrap();
        let out = dir.path().join(name);
        std::fs::create_dir_all(&out).unwrap();
        let started = Instant::now();
        let stderr = convert(&input, &out, &["html", "epub", "txt"], &[]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: {:?}",
            started.elapsed()
        );
        let html = std::fs::read_to_string(out.join("out.html")).unwrap();
        let warnings = stderr.matches(&format!("{name}.md:3:1: math")).count();
        if *html_refuses {
            assert_eq!(warnings, 2, "{name}: {stderr}");
            assert!(html.contains("<code class=\"math-source\">"), "{name}");
        } else {
            assert_eq!(warnings, 0, "{name}: {stderr}");
            assert!(html.contains("<math>"), "{name}");
        }
        assert!(html.contains("After."), "{name}");
        // PDF: over the budget, the document is refused before layout (as any oversized
        // input); under it, the formula is source with a warning and the rest typeset.
        let pdf = out.join("out.pdf");
        let output = bindery()
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(&pdf)
            .arg("--no-system-fonts")
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if tex.len() > 20_000 {
            assert!(!output.status.success(), "{name}");
            assert!(stderr.contains("math-chars"), "{name}: {stderr}");
        } else {
            assert!(output.status.success(), "{name}: {stderr}");
            assert!(
                stderr.contains(&format!("{name}.md:3:1: math")),
                "{name}: {stderr}"
            );
            assert!(pdftotext(&pdf).contains("After."), "{name}");
        }
    }
}

/// The deepest formula the PDF converter accepts is one Typst can still parse.
#[test]
fn math_at_the_nesting_limit_typesets_in_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deep.md");
    // 95 open groups and the formula itself: the converter's limit of 96 constructs.
    let tex = r"\left(".repeat(95) + "x" + &r"\right)".repeat(95);
    let braces = "{".repeat(64) + "y" + &"}".repeat(64);
    std::fs::write(&input, format!("Deep: ${tex}$ and ${braces}$.\n")).unwrap();
    let stderr = convert(&input, dir.path(), &["pdf"], &[]);
    assert!(!stderr.contains("math"), "{stderr}");
    let text = pdftotext(&dir.path().join("out.pdf"));
    assert!(text.contains("Deep"), "{text}");
    assert!(!text.contains('\\'), "{text}");
}
