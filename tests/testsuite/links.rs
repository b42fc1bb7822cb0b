//! Links between the articles of a build (issue 12): `[see](other.md#part)` points at the
//! other article's output of the same format; EPUB links to the published HTML page with
//! `--base-url`, else keeps the text with a warning; a link to a Markdown file outside the
//! build is reported at the link's own line:col. And a build whose standard error is closed
//! (`bindery build 2>&1 | head`) still writes every output and its manifest. Warnings come
//! one per kind and document, and `--deny-warnings` fails a run that had any.

use std::io::Read as _;
use std::path::Path;
use std::process::Stdio;

use crate::support::{bindery, process};

/// `a.md` links to `sub/b.md#part`, to `other/c d.md` (a space in the name), to itself and to
/// a file that is not built; `sub/b.md` links back.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::create_dir_all(input.join("other")).unwrap();
    std::fs::write(
        input.join("a.md"),
        "# A\n\nSee [B's part](sub/b.md#part), [C](other/c%20d.md) and [here](a.md#a).\n\n\
         Gone: [missing](missing.md).\n",
    )
    .unwrap();
    std::fs::write(
        input.join("sub/b.md"),
        "# B\n\n## Part\n\nBack to [A](../a.md).\n",
    )
    .unwrap();
    std::fs::write(input.join("other/c d.md"), "# C\n\nText.\n").unwrap();
    dir
}

fn hrefs(markup: &str) -> Vec<String> {
    markup
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| !href.ends_with(".css") && !href.ends_with(".xhtml"))
        .map(str::to_string)
        .collect()
}

fn epub_hrefs(path: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().ends_with(".xhtml") && !file.name().ends_with("nav.xhtml") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            all.extend(hrefs(&text));
        }
    }
    all
}

#[test]
fn links_between_articles_point_at_each_formats_output() {
    let dir = tree();
    let out = dir.path().join("out");
    let result = bindery()
        .arg("build")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--to", "html,txt,pdf,epub,json", "--no-system-fonts"])
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let stderr = String::from_utf8_lossy(&result.stderr);

    let html = std::fs::read_to_string(out.join("a.html")).unwrap();
    assert_eq!(
        hrefs(&html),
        ["sub/b.html#part", "other/c%20d.html", "#a"],
        "{html}"
    );
    let back = std::fs::read_to_string(out.join("sub/b.html")).unwrap();
    assert!(hrefs(&back).contains(&"../a.html".to_string()), "{back}");

    let txt = std::fs::read_to_string(out.join("a.txt")).unwrap();
    assert!(txt.contains("sub/b.txt#part"), "{txt}");
    assert!(txt.contains("other/c%20d.txt"), "{txt}");
    assert!(!txt.contains(".md"), "{txt}");

    let pdf = std::fs::read(out.join("a.pdf")).unwrap();
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(pdf.contains("(sub/b.pdf#part)"), "the PDF links to b.pdf");
    assert!(
        pdf.contains("(other/c%20d.pdf)"),
        "the PDF links to c d.pdf"
    );

    // The model keeps the source's URLs.
    let json = std::fs::read_to_string(out.join("a.json")).unwrap();
    assert!(json.contains("\"sub/b.md#part\""), "{json}");

    // The link that leaves the build: its text stays, without the link, reported at the
    // link's own column (the paragraph starts at column 1).
    let a = dir.path().join("in/a.md");
    assert!(
        stderr.contains(&format!(
            "{}:5:7: link to `missing.md`: no such document in this build",
            a.display()
        )),
        "{stderr}"
    );
    assert!(html.contains("Gone: missing."), "{html}");

    // No --base-url: the EPUB keeps the texts and says why, once per link.
    // (The EPUB points the link to its own heading at the chapter file holding it.)
    assert_eq!(epub_hrefs(&out.join("a.epub")), ["ch001.xhtml#a"]);
    assert!(
        stderr.contains(&format!(
            "{}:3:5: link to `sub/b.md#part`: an EPUB cannot link to another document of the build",
            a.display()
        )),
        "{stderr}"
    );
}

#[test]
fn with_a_base_url_the_epub_links_to_the_published_pages() {
    let dir = tree();
    let out = dir.path().join("out");
    bindery()
        .arg("build")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--to", "epub", "--base-url", "https://example.org/site/"])
        .assert()
        .success();
    assert_eq!(
        epub_hrefs(&out.join("a.epub")),
        [
            "https://example.org/site/sub/b.html#part",
            "https://example.org/site/other/c%20d.html",
            "ch001.xhtml#a"
        ]
    );
    bindery()
        .arg("build")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--to", "epub", "--base-url", "javascript:alert(1)"])
        .assert()
        .code(2);
}

/// `other.md#part` is checked against the other article's heading ids, the same ids its
/// outputs carry (a heading inside a footnote included); a fragment that names none is
/// reported at the link's own line:col, every run, cached or not.
#[test]
fn a_link_to_a_heading_the_other_article_lacks_is_reported_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.md"),
        "# A\n\nSee [part](b.md#part), [noted](b.md#in-a-note),\n\
         and [gone](b.md#nowhere) and [top](b.md).\n",
    )
    .unwrap();
    let b = "# B\n\n## Part\n\nText.[^1]\n\n[^1]: A note.\n\n    ## In a note\n";
    std::fs::write(input.join("b.md"), b).unwrap();
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let build = || {
        let result = bindery()
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--to", "html", "--cache-dir"])
            .arg(&cache)
            .output()
            .unwrap();
        assert!(result.status.success(), "{result:?}");
        String::from_utf8_lossy(&result.stderr).into_owned()
    };
    let a = input.join("a.md");
    let stderr = build();
    let expected = format!(
        "{}:4:5: link to `b.md#nowhere`: `b.md` has no heading with the id `nowhere`",
        a.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("#part`"), "{stderr}");
    // The link stays: the document exists.
    let html = std::fs::read_to_string(out.join("a.html")).unwrap();
    assert!(html.contains("href=\"b.html#nowhere\""), "{html}");
    // Built again from the cache: still reported. Then `b.md` loses its `Part` heading.
    assert!(build().contains(&expected));
    std::fs::write(input.join("b.md"), "# B\n\nText.\n").unwrap();
    let stderr = build();
    assert!(
        stderr.contains(&format!(
            "{}:3:5: link to `b.md#part`: `b.md` has no heading with the id `part`",
            a.display()
        )),
        "{stderr}"
    );
}

/// The outputs depend on the rest of the build: an article built again after the linked
/// file appeared must not come from the cache with the link missing.
#[test]
fn a_cached_output_follows_the_linked_article() {
    let dir = tree();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let build = || {
        bindery()
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--to", "html", "--cache-dir"])
            .arg(&cache)
            .assert()
            .success();
        std::fs::read_to_string(out.join("a.html")).unwrap()
    };
    assert!(build().contains("Gone: missing."));
    std::fs::write(input.join("missing.md"), "# Found\n").unwrap();
    assert!(build().contains("href=\"missing.html\""));
}

/// `bindery build 2>&1 | head -1`: the messages' reader goes away; the build does not. The
/// old build panicked on the broken pipe inside a job, and the run lost most of its outputs
/// and its manifest (and once hung).
#[test]
fn a_closed_standard_error_does_not_stop_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for i in 0..40 {
        // Each warns (a link out of the build), so there is a lot to print.
        std::fs::write(
            input.join(format!("a{i:02}.md")),
            format!("# A {i}\n\n[gone](missing-{i}.md)\n"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    let mut child = process()
        .arg("build")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--to", "txt,html", "--no-cache", "-j", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for i in 0..40 {
        for ext in ["txt", "html"] {
            assert!(
                out.join(format!("a{i:02}.{ext}")).is_file(),
                "a{i:02}.{ext}"
            );
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 80);
}

/// Warnings come one per kind and document, with a count and the other places; `--verbose`
/// shows each; `--deny-warnings` makes them fail the run (exit 1) with every output written;
/// JSON messages carry each warning with its kind.
#[test]
fn warnings_are_grouped_by_kind_and_can_be_denied() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("w.md"),
        "# W\n\n[a](x1.md) [b](x2.md) [c](x3.md)\n\n![i](nope.png)\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        bindery()
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--to", "html"])
            .args(extra)
            .output()
            .unwrap()
    };
    let w = input.join("w.md");
    let grouped = run(&[]);
    assert!(grouped.status.success());
    let stderr = String::from_utf8_lossy(&grouped.stderr);
    assert_eq!(stderr.matches("no such document").count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: {}:3:1: link to `x1.md`: no such document in this build",
            w.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("  note: 2 more `broken-link` warnings here, at 3:12, 3:23"),
        "{stderr}"
    );
    assert!(stderr.contains("image `nope.png` not included"), "{stderr}");
    assert!(stderr.contains("4 warnings"), "{stderr}");

    let every = run(&["--verbose"]);
    let stderr = String::from_utf8_lossy(&every.stderr);
    assert_eq!(stderr.matches("no such document").count(), 3, "{stderr}");

    std::fs::remove_dir_all(&out).unwrap();
    let denied = run(&["--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(
        stderr.contains("error: 4 warnings denied by --deny-warnings"),
        "{stderr}"
    );
    assert!(
        out.join("w.html").is_file(),
        "the outputs are still written"
    );
    assert!(out.join("manifest.json").is_file());

    let json = run(&["--message-format", "json"]);
    let kinds: Vec<String> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .flat_map(|event| {
            let mut found = Vec::new();
            collect_kinds(&event, &mut found);
            found
        })
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "broken-link").count(),
        3,
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| k == "image"), "{kinds:?}");
}

/// Every `"kind"` of a warning object in a JSON message.
fn collect_kinds(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(kind), Some(_)) = (map.get("kind"), map.get("message")) {
                found.extend(kind.as_str().map(str::to_string));
            }
            map.values().for_each(|v| collect_kinds(v, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_kinds(v, found)),
        _ => {}
    }
}

/// A link to a heading inside a footnote is a link in every format: the writers take heading
/// ids from one walk in the model (the PDF's own walk skipped notes, and dropped the link with
/// a warning where the EPUB kept it).
#[test]
fn a_link_to_a_heading_in_a_footnote_is_a_link_in_pdf_and_epub() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("note.md");
    std::fs::write(
        &input,
        "# Doc\n\nSee the note.[^1] Then [jump](#inner).\n\n[^1]: A note.\n\n    ## Inner\n\n    More.\n",
    )
    .unwrap();
    for format in ["pdf", "epub"] {
        let out = dir.path().join(format!("note.{format}"));
        let result = bindery()
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--no-system-fonts")
            .output()
            .unwrap();
        assert!(result.status.success(), "{result:?}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!stderr.contains("#inner"), "{format}: {stderr}");
    }
    let pdf = std::fs::read(dir.path().join("note.pdf")).unwrap();
    let pdf = String::from_utf8_lossy(&pdf);
    // The note's own link and its back link, and the link to the heading.
    assert!(
        pdf.matches("/Dest ").count() >= 3,
        "an internal link is missing"
    );
}
