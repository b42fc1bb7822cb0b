//! Books: `tests/books/tour` (three chapters, one with a sub-chapter, per-chapter front matter,
//! images beside chapters in a folder, links between chapters) built into every format and
//! compared with `tests/books/tour/expected/`: the JSON model, the text, every page of the
//! HTML site, a listing of the EPUB container and the PDF's text and outline.
//! `BINDERY_BLESS=1 cargo test --test testsuite books` rewrites the expected files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn tour() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/tour")
}

pub(crate) fn build(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    crate::support::bindery()
        .arg("build")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .args(["--no-cache", "--to", "html,txt,epub,pdf,json"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1764201600")
        .output()
        .unwrap()
}

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Process::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} runs (apt-get install qpdf poppler-utils): {e}"));
    assert!(output.status.success(), "{name} failed");
    String::from_utf8(output.stdout).unwrap()
}

/// Entry names, then the text of every XML entry.
fn epub_listing(epub: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut out = String::from("# entries\n");
    let mut texts = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push_str(&format!("{} ({} bytes)\n", entry.name(), data.len()));
        if [".opf", ".xhtml", ".ncx", ".xml"]
            .iter()
            .any(|ext| entry.name().ends_with(ext))
        {
            texts.push((entry.name().to_string(), String::from_utf8(data).unwrap()));
        }
    }
    for (name, text) in texts {
        out.push_str(&format!("\n# {name}\n{text}"));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The text of each page (blank lines dropped, so the layout's spacing does not matter),
/// then the outline.
pub(crate) fn pdf_listing(pdf: &Path) -> String {
    let pages: usize = tool("pdfinfo", &[pdf.as_os_str()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count");
    let mut out = String::new();
    for page in 1..=pages {
        let n = page.to_string();
        let text = tool(
            "pdftotext",
            &[
                "-f".as_ref(),
                n.as_ref(),
                "-l".as_ref(),
                n.as_ref(),
                pdf.as_os_str(),
                "-".as_ref(),
            ],
        );
        out.push_str(&format!("# page {page}\n"));
        for line in text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
        {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("# outline\n");
    let json: serde_json::Value =
        serde_json::from_str(&tool("qpdf", &["--json".as_ref(), pdf.as_os_str()])).unwrap();
    fn walk(items: &serde_json::Value, depth: usize, out: &mut String) {
        for item in items.as_array().into_iter().flatten() {
            out.push_str(&"  ".repeat(depth));
            out.push_str(item["title"].as_str().unwrap_or("?"));
            out.push('\n');
            walk(&item["kids"], depth + 1, out);
        }
    }
    walk(&json["outlines"], 0, &mut out);
    out
}

/// Every output of the book `name` built into `out`, in a comparable form, by expected-file
/// name: its JSON model, its text, every page of its HTML site, a listing of the EPUB and the
/// PDF's text and outline.
pub(crate) fn outputs(out: &Path, name: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let read =
        |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    for ext in ["json", "txt"] {
        found.insert(format!("{name}.{ext}"), read(&format!("{name}.{ext}")));
    }
    let mut pages = Vec::new();
    files_under(&out.join(name), "", &mut pages);
    for page in pages.iter().filter(|p| p.ends_with(".html")) {
        found.insert(format!("site/{page}"), read(&format!("{name}/{page}")));
    }
    let epub = std::fs::read(out.join(format!("{name}.epub"))).unwrap();
    found.insert(format!("{name}.epub.txt"), epub_listing(&epub));
    found.insert(
        format!("{name}.pdf.txt"),
        pdf_listing(&out.join(format!("{name}.pdf"))),
    );
    found
}

fn files_under(dir: &Path, prefix: &str, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            files_under(&entry.path(), &format!("{name}/"), found);
        } else {
            found.push(name);
        }
    }
}

#[test]
fn the_tour_book_matches_its_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let result = build(&[&tour()], out.path(), &["-q"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    compare_with_expected(&tour().join("expected"), &outputs(out.path(), "tour"));
}

/// Compares `actual` with the files under `expected_dir` (`BINDERY_BLESS=1` rewrites them).
pub(crate) fn compare_with_expected(expected_dir: &Path, actual: &BTreeMap<String, String>) {
    if std::env::var_os("BINDERY_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(expected_dir);
        for (name, text) in actual {
            let path = expected_dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    let mut failures = Vec::new();
    for (name, text) in actual {
        match std::fs::read_to_string(expected_dir.join(name)) {
            Ok(expected) if &expected == text => {}
            Ok(expected) => {
                let line = expected
                    .lines()
                    .zip(text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
                failures.push(format!(
                    "{name} differs at line {}:\n  expected: {:?}\n  actual:   {:?}",
                    line + 1,
                    expected.lines().nth(line),
                    text.lines().nth(line)
                ));
            }
            Err(_) => failures.push(format!("{name}: no expected file (BINDERY_BLESS=1)")),
        }
    }
    let mut expected_files = Vec::new();
    files_under(expected_dir, "", &mut expected_files);
    for name in expected_files {
        if !actual.contains_key(&name) {
            failures.push(format!("expected/{name} is stale: no output matches it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_book_is_one_set_of_outputs_and_its_chapters_are_not_articles() {
    let out = tempfile::tempdir().unwrap();
    let books = tour().parent().unwrap().to_path_buf();
    let result = build(&[&books], out.path(), &[]);
    assert!(result.status.success());
    let mut files = Vec::new();
    files_under(out.path(), "", &mut files);
    files.sort();
    assert_eq!(
        files,
        [
            "manifest.json",
            "mdguide.epub",
            "mdguide.json",
            "mdguide.pdf",
            "mdguide.txt",
            "mdguide/format/config.html",
            "mdguide/guide/hidden.html",
            "mdguide/guide/installation.html",
            "mdguide/guide/listings.html",
            "mdguide/images/57cda64cead0869cd5f90dfebb024f4b.png",
            "mdguide/index.html",
            "mdguide/misc/contributors.html",
            "mdguide/style.css",
            "tour.epub",
            "tour.json",
            "tour.pdf",
            "tour.txt",
            "tour/guide/options.html",
            "tour/guide/usage.html",
            // red.png, named by its SHA-256 (bindery names every copied image).
            "tour/images/57cda64cead0869cd5f90dfebb024f4b.png",
            "tour/index.html",
            "tour/intro.html",
            "tour/reference.html",
            "tour/style.css",
        ]
    );
    // The broken link is reported at its own line and column in the chapter (the link, not
    // its paragraph, which starts at column 1).
    let stderr = String::from_utf8_lossy(&result.stderr);
    let usage = Path::new("tests/books/tour/guide/usage.md");
    let expected = format!(
        "{}:16:5: broken link `missing.md`",
        books.join("tour/guide/usage.md").display()
    );
    assert!(
        stderr.contains(&expected),
        "{} not reported at its line:\n{stderr}",
        usage.display()
    );
    // The manifest lists every page of the site, with the book directory as the source.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    let html: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["format"] == "html")
        .map(|o| o["path"].as_str().unwrap())
        .filter(|path| path.starts_with("tour/"))
        .collect();
    assert_eq!(html.len(), 7, "{html:?}");
}

#[test]
fn chapters_start_on_new_pages_of_the_pdf() {
    let out = tempfile::tempdir().unwrap();
    assert!(build(&[&tour()], out.path(), &["-q"]).status.success());
    let listing = pdf_listing(&out.path().join("tour.pdf"));
    let pages: Vec<&str> = listing.split("# page ").skip(1).collect();
    for chapter in ["1. Introduction", "2. Usage", "3. Reference"] {
        let page = pages
            .iter()
            .find(|p| p.lines().skip(1).any(|l| l.trim() == chapter) && !p.contains("Contents"))
            .unwrap_or_else(|| panic!("no page shows `{chapter}`:\n{listing}"));
        let first_line = page.lines().nth(1).unwrap_or("");
        assert_eq!(
            first_line.trim(),
            chapter,
            "`{chapter}` does not start its page:\n{page}"
        );
    }
}

#[test]
fn a_summary_md_gives_the_chapter_list() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("notes");
    std::fs::create_dir_all(book.join("parts")).unwrap();
    std::fs::write(book.join("bindery.toml"), "title = \"Notes\"\n").unwrap();
    std::fs::write(
        book.join("SUMMARY.md"),
        "# Summary\n\n[Preface](preface.md)\n\n- [First](parts/first.md)\n- [Draft]()\n",
    )
    .unwrap();
    std::fs::write(book.join("preface.md"), "Why these notes.\n").unwrap();
    std::fs::write(
        book.join("parts/first.md"),
        "# First\n\nBack to the [preface](../preface.md).\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let result = build(&[&book], &out, &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("draft chapter `Draft` is skipped"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(out.join("notes.txt")).unwrap();
    let preface = text.find("Preface").expect("the prefix chapter's title");
    let first = text.find("First").expect("the numbered chapter");
    assert!(preface < first, "{text}");
    assert!(text.contains("Why these notes."));
    let page = std::fs::read_to_string(out.join("notes/parts/first.html")).unwrap();
    assert!(
        page.contains("href=\"../preface.html#preface\""),
        "the link to the preface goes to its page:\n{page}"
    );
}

#[test]
fn a_broken_book_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("broken");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(
        book.join("bindery.toml"),
        "title = \"Broken\"\nchapters = [\"missing.md\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("article.md"), "# Fine\n\nStill built.\n").unwrap();
    let out = dir.path().join("out");
    let result = build(&[dir.path()], &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("missing.md"), "{stderr}");
    assert!(out.join("article.html").is_file());
    assert!(!out.join("broken.pdf").exists());
}

/// A book big enough that its chapters are laid out in groups on several threads (the PDF
/// writer's `split` module): the same bytes at `-j 1` and `-j 2`, each chapter on a page of
/// its own with the book's page number, and the table of contents pointing at those pages.
#[test]
fn a_long_book_pdf_is_the_same_at_any_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("long");
    std::fs::create_dir_all(&book).unwrap();
    let mut chapters = String::new();
    for n in 1..=14 {
        let mut text = format!("# Chapter {n}\n\n");
        for section in 1..=6 {
            text.push_str(&format!("## Part {n}.{section}\n\n"));
            // 14 chapters of about 12 KB: more markup than one group (128 KiB).
            for _ in 0..12 {
                text.push_str("Sentences of a long book that fill its pages, so that the book's markup is larger than one group of chapters. ");
                text.push_str("A second sentence makes the paragraph longer.\n\n");
            }
        }
        text.push_str(&format!(
            "Back to [the first chapter](#chapter-1) from chapter {n}.\n"
        ));
        std::fs::write(book.join(format!("c{n:02}.md")), text).unwrap();
        chapters.push_str(&format!("\"c{n:02}.md\", "));
    }
    std::fs::write(
        book.join("bindery.toml"),
        format!("title = \"Long\"\nchapters = [{chapters}]\n"),
    )
    .unwrap();
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (out, jobs) in [(&one, "1"), (&two, "2")] {
        let built = build(&[&book], out.path(), &["-q", "--to", "pdf", "-j", jobs]);
        assert!(built.status.success(), "{built:?}");
    }
    let pdf = one.path().join("long.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes == std::fs::read(two.path().join("long.pdf")).unwrap(),
        "-j 1 and -j 2 made different PDFs"
    );
    let listing = pdf_listing(&pdf);
    let pages: Vec<&str> = listing.split("# page ").skip(1).collect();
    assert!(pages.len() > 30, "{} pages", pages.len());
    let contents: String = pages
        .iter()
        .filter(|p| p.contains(". . ."))
        .copied()
        .collect();
    for n in 1..=14 {
        let title = format!("Chapter {n}");
        let (at, page) = pages
            .iter()
            .enumerate()
            .find(|(_, p)| p.lines().nth(1).map(str::trim) == Some(title.as_str()))
            .unwrap_or_else(|| panic!("no page starts with `{title}`:\n{listing}"));
        // The page's own number at its foot, and the contents' entry with the same number.
        let number = (at + 1).to_string();
        assert_eq!(
            page.lines().last().map(str::trim),
            Some(number.as_str()),
            "{page}"
        );
        assert!(
            contents
                .lines()
                .any(|l| l.starts_with(&format!("{title} ."))
                    && l.rsplit([' ', '\u{2060}']).next() == Some(number.as_str())),
            "the contents do not give `{title}` page {number}:\n{contents}"
        );
    }
    assert_eq!(
        listing.matches("\n    Part ").count() + listing.matches("\n  Part ").count(),
        84,
        "{listing}"
    );
}
