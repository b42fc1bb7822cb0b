//! Output that must be valid whatever the input holds (issue 17, items 7 and 8): control
//! characters, attributes, language tags and ids are answered once in the model, so the HTML
//! page, the EPUB's package, navigation and chapters stay valid; and no diagnostic lets the
//! input drive the terminal.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::validators::{epubcheck, nu_check};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds `inputs` into `out` with `--to formats` (no cache), returning stderr; exit 0.
fn build(inputs: &[&Path], out: &Path, formats: &str, extra: &[&str]) -> String {
    let output = crate::support::bindery()
        .arg("build")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .args(["--to", formats, "--no-cache"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Every entry of an EPUB, by name.
fn epub_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        entries.insert(entry.name().to_string(), data);
    }
    entries
}

/// The characters XML 1.0 forbids or HTML calls parse errors: controls other than tab, line
/// feed and carriage return, and noncharacters (written out here, not taken from the model,
/// so the test does not trust the code it checks).
fn forbidden(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || ('\u{fdd0}'..='\u{fdef}').contains(&c)
                || u32::from(c) & 0xfffe == 0xfffe
        })
        .collect()
}

/// The values of every `id="..."` in a page, with how often each occurs.
fn ids(page: &str) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for piece in page.split(" id=\"").skip(1) {
        let id = piece.split('"').next().unwrap().to_string();
        *ids.entry(id).or_insert(0) += 1;
    }
    ids
}

fn duplicates(page: &str) -> Vec<String> {
    ids(page)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn control_characters_reach_no_output_and_every_output_is_valid() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("hostile-controls/input.md");
    let stderr = build(&[&input], out.path(), "html,txt,epub,json", &[]);
    assert!(
        stderr.contains("control characters or noncharacters were replaced with U+FFFD"),
        "{stderr}"
    );
    assert!(
        stderr.contains("is not a valid BCP 47 language tag"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(out.path().join("input.html")).unwrap();
    let txt = std::fs::read_to_string(out.path().join("input.txt")).unwrap();
    assert_eq!(forbidden(&html), [], "{html}");
    assert_eq!(forbidden(&txt), [], "{txt}");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert_eq!(duplicates(&html), Vec::<String>::new());
    // The JSON model holds no control character either (serde would write one as \u00XX).
    let json = std::fs::read_to_string(out.path().join("input.json")).unwrap();
    assert!(!json.contains("\\u00"), "{json}");

    let epub = out.path().join("input.epub");
    let entries = epub_entries(&epub);
    for name in ["OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/toc.ncx"] {
        assert!(entries.contains_key(name), "{name} is missing");
    }
    for (name, data) in &entries {
        let Ok(text) = std::str::from_utf8(data) else {
            continue;
        };
        assert_eq!(forbidden(text), [], "{name}: {text}");
        assert!(!text.contains("<script"), "{name}: {text}");
        if name.ends_with(".xhtml") {
            assert_eq!(duplicates(text), Vec::<String>::new(), "{name}");
        }
    }
    let opf = String::from_utf8_lossy(&entries["OEBPS/content.opf"]).into_owned();
    assert!(
        opf.contains("<dc:language id=\"epub-lang-0\">en</dc:language>"),
        "{opf}"
    );
    // EPUBCheck and the Nu checker see this fixture in `validators`, which builds every
    // fixture: one JVM start for all of them.
}

/// A document in the JSON model written by hand: what `--from json` accepts from anyone.
const HOSTILE_JSON: &str = r##"{
  "bindery-api-version": "1.0",
  "meta": {
    "title": "JSON \u0001 title",
    "authors": ["A\u001b[2J"],
    "lang": "en\"><script>alert(1)</script>"
  },
  "blocks": [
    {"t": "Heading", "c": {"level": 1, "attr": {"id": "fn-1", "classes": ["c"], "attrs": [
      ["title", "first"],
      ["title", "second"],
      ["TITLE", "third"],
      ["style", "position:fixed;inset:0;background:url(https://evil.example/x.png)"],
      ["srcdoc", "<script>alert(1)</script>"],
      ["formaction", "https://evil.example/"],
      ["xmlns", "http://www.w3.org/2000/svg"],
      ["xmlns:xlink", "http://www.w3.org/1999/xlink"],
      ["onclick", "alert(1)"],
      ["data-x", "javascript:alert(1)"],
      ["data-ok", "kept"],
      ["lang", "fr\" onmouseover=\"x"],
      ["dir", "rtl"]
    ]}, "content": [{"t": "Text", "c": "Heading \u0007 one"}]}},
    {"t": "Para", "c": [
      {"t": "Text", "c": "A note"},
      {"t": "Note", "c": [{"t": "Para", "c": [{"t": "Text", "c": "note \u0008 text"}]}]},
      {"t": "Text", "c": " and a link to "},
      {"t": "Link", "c": {"target": {"url": "#fn-1"}, "content": [{"t": "Text", "c": "the heading"}]}}
    ]},
    {"t": "Heading", "c": {"level": 2, "attr": {"id": "dup"}, "content": [{"t": "Text", "c": "Dup"}]}},
    {"t": "Heading", "c": {"level": 2, "attr": {"id": "dup"}, "content": [{"t": "Text", "c": "Dup again"}]}},
    {"t": "Heading", "c": {"level": 2, "attr": {"id": "has space"}, "content": [{"t": "Text", "c": "Space"}]}},
    {"t": "Heading", "c": {"level": 2, "attr": {"id": "a\"b<c>"}, "content": [{"t": "Text", "c": "Quote"}]}}
  ]
}"##;

#[test]
fn json_attributes_language_and_ids_are_checked_in_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/doc.json");
    write(&input, HOSTILE_JSON);
    let out = dir.path().join("out");
    let stderr = build(
        &[&input],
        &out,
        "html,epub,txt",
        &["--from", "json", "--epub-split-level", "0"],
    );
    assert!(
        stderr.contains("dropped 10 attributes not allowed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ids of headings, code blocks or tables were duplicated"),
        "{stderr}"
    );
    assert!(
        stderr.contains("is not a valid BCP 47 language tag"),
        "{stderr}"
    );

    let html = std::fs::read_to_string(out.join("doc.html")).unwrap();
    // The heading itself, after the title block's `<h1 class="title">`.
    let heading = html
        .split("<h1 id=")
        .nth(1)
        .and_then(|h| h.split('>').next())
        .unwrap_or_else(|| panic!("no heading: {html}"));
    assert_eq!(
        heading,
        "\"fn-1-1\" class=\"c\" title=\"first\" data-ok=\"kept\" dir=\"rtl\""
    );
    for bad in [
        "style=\"position",
        "srcdoc",
        "formaction",
        "xmlns",
        "onclick",
        "javascript:",
        "onmouseover",
        "evil.example",
    ] {
        assert!(!html.contains(bad), "{bad} reached the page: {html}");
    }
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert_eq!(duplicates(&html), Vec::<String>::new(), "{html}");
    let ids = ids(&html);
    for id in [
        "fn-1",
        "fnref-1",
        "fn-1-1",
        "dup",
        "dup-1",
        "has-space",
        "a-b-c-",
    ] {
        assert_eq!(ids.get(id), Some(&1), "{id}: {html}");
    }
    // The link to the renamed heading follows it.
    assert!(
        html.contains("<a href=\"#fn-1-1\">the heading</a>"),
        "{html}"
    );
    assert_eq!(forbidden(&html), []);

    let entries = epub_entries(&out.join("doc.epub"));
    for (name, data) in &entries {
        let text = String::from_utf8_lossy(data);
        if name.ends_with(".xhtml") {
            assert_eq!(duplicates(&text), Vec::<String>::new(), "{name}: {text}");
        }
        for bad in ["srcdoc", "formaction", "onclick", "javascript:", "<script"] {
            assert!(!text.contains(bad), "{bad} reached {name}: {text}");
        }
        assert_eq!(forbidden(&text), [], "{name}");
    }
    let problems = epubcheck(&[out.join("doc.epub")]);
    assert!(problems.is_empty(), "EPUBCheck:\n{}", problems.join("\n"));
    let report = nu_check(&[out.join("doc.html")]);
    assert!(report.is_empty(), "Nu checker:\n{report}");
}

#[test]
fn a_heading_named_like_a_footnote_does_not_share_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/notes.md");
    write(
        &input,
        "# fn-1\n\nText[^a] and more[^b].\n\n## fnref-2\n\n## fn\n\n## fn\n\n[^a]: One.\n[^b]: Two.\n",
    );
    let out = dir.path().join("out");
    build(&[&input], &out, "html,epub", &[]);
    let html = std::fs::read_to_string(out.join("notes.html")).unwrap();
    assert_eq!(duplicates(&html), Vec::<String>::new(), "{html}");
    let ids = ids(&html);
    for id in [
        "fn-1-1",
        "fnref-2-1",
        "fn",
        "fn_1",
        "fn-1",
        "fn-2",
        "fnref-1",
        "fnref-2",
    ] {
        assert!(ids.contains_key(id), "{id}: {html}");
    }
    let epub = out.join("notes.epub");
    for (name, data) in epub_entries(&epub) {
        if name.ends_with(".xhtml") {
            let text = String::from_utf8_lossy(&data);
            assert_eq!(duplicates(&text), Vec::<String>::new(), "{name}: {text}");
        }
    }
    let problems = epubcheck(&[epub]);
    assert!(problems.is_empty(), "EPUBCheck:\n{}", problems.join("\n"));
}

/// True when `text` holds a character that could drive a terminal: C0 controls other than
/// line feed, DEL and the C1 controls.
fn drives_the_terminal(text: &str) -> bool {
    text.chars().any(|c| c != '\n' && c.is_control())
}

#[test]
fn diagnostics_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    // The red team's image, and a file whose name is an escape sequence with a front matter
    // error, so its path is printed in an error too.
    write(
        &root.join("image.md"),
        "# Image\n\n![x](<\u{1b}[2J\u{1b}]0;PWNED\u{7}red.png>)\n",
    );
    write(
        &root.join("evil\u{1b}[2J\u{1b}]0;PWNED\u{7}.md"),
        "---\ntitle: [unclosed\n---\n# Evil\n",
    );
    write(
        &root.join("name\u{9b}31m.md"),
        "# C1 in the name\n\n![y](missing.png)\n",
    );
    // A name that is not UTF-8 is shown with U+FFFD (serde refuses such a path as a string).
    #[cfg(unix)]
    write(
        &root.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bytes\xff.md")),
        "# Not UTF-8 in the name\n\n![z](missing.png)\n",
    );
    let out = dir.path().join("out");
    let output = crate::support::bindery()
        .arg("build")
        .arg(&root)
        .arg("-o")
        .arg(&out)
        .args(["--to", "html,txt", "--no-cache", "-v"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        !drives_the_terminal(&stderr),
        "raw control characters: {stderr:?}"
    );
    assert!(
        stderr.contains("URL `\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}red.png` holds control characters"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: ") && stderr.contains("evil\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}.md:"),
        "{stderr}"
    );
    assert!(stderr.contains("name\\u{9b}31m.md"), "{stderr}");
    // The text output holds none of it either.
    let txt = std::fs::read_to_string(out.join("image.txt")).unwrap();
    assert!(!drives_the_terminal(&txt), "{txt:?}");

    // `convert` prints its warnings the same way.
    let output = crate::support::bindery()
        .arg("convert")
        .arg(root.join("image.md"))
        .args(["--to", "txt"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    assert!(!drives_the_terminal(&stderr), "{stderr:?}");
    assert!(stderr.contains("\\u{1b}[2J"), "{stderr}");

    // JSON messages are JSON-escaped: every line parses, none holds a raw control character.
    let output = crate::support::bindery()
        .arg("build")
        .arg(&root)
        .arg("-o")
        .arg(dir.path().join("out-json"))
        .args(["--to", "html", "--no-cache", "--message-format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(!drives_the_terminal(&stdout), "{stdout:?}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["reason"] == "failure"
            && l["source"].as_str().is_some_and(|s| s.contains('\u{1b}'))),
        "{stdout}"
    );
}
