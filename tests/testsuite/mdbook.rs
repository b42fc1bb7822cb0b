//! mdBook books as they are: `tests/books/mdguide` has the mdBook guide's shape (book.toml,
//! src/SUMMARY.md with prefix, part, nested, draft and suffix chapters, README.md as the
//! front page, includes with anchors and line ranges from `listings/` outside `src/`,
//! rustdoc_include, `{{#title}}`, hidden code lines). It is built into every format and
//! compared with `tests/books/mdguide/expected/` (`BINDERY_BLESS=1` rewrites them), and fed
//! to `bindery mdbook` as mdBook would feed it.

use std::path::{Path, PathBuf};

use crate::books::{build, compare_with_expected, outputs};

fn mdguide() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/mdguide")
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_mdbook_shaped_book_matches_its_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let result = build(&[&mdguide()], out.path(), &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    // The draft is the one warning: every include was found, nothing else was dropped.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("SUMMARY.md:10:")
            && warnings[0].contains("draft chapter `Not Written Yet`"),
        "{stderr}"
    );
    compare_with_expected(&mdguide().join("expected"), &outputs(out.path(), "mdguide"));
}

#[test]
fn an_mdbook_is_one_book_named_after_its_folder_with_readme_as_front_page() {
    let out = tempfile::tempdir().unwrap();
    let result = build(&[&mdguide()], out.path(), &["-q"]);
    assert!(result.status.success());
    assert_eq!(
        names_in(out.path()),
        [
            "manifest.json",
            "mdguide",
            "mdguide.epub",
            "mdguide.json",
            "mdguide.pdf",
            "mdguide.txt"
        ]
    );
    let site = out.path().join("mdguide");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("laid out the way mdBook lays out its own guide"),
        "README.md is the front page:\n{index}"
    );
    assert!(!site.join("README.html").exists());
    let install = std::fs::read_to_string(site.join("guide/installation.html")).unwrap();
    assert!(
        install.contains("href=\"../index.html#introduction\""),
        "the link to README.md goes to the front page:\n{install}"
    );
    assert!(install.contains("this paragraph lives in"), "{install}");
    let listings = std::fs::read_to_string(site.join("guide/listings.html")).unwrap();
    assert!(
        listings.contains("<title>Listings, included from files</title>"),
        "{{{{#title}}}} sets the page title"
    );

    let text = std::fs::read_to_string(out.path().join("mdguide.txt")).unwrap();
    // The anchored include: the function, without its anchor lines.
    let setup = "fn setup() -> Vec<String> {\n        env::args().collect()\n    }";
    assert!(text.contains(setup), "{text}");
    // rustdoc_include hides the lines outside its anchor; hidden lines stay hidden.
    assert!(text.contains("To show a directive as text, escape it: {{#include main.rs}}."));
    assert!(!text.contains("# fn main"), "{text}");
    assert!(text.contains("# attributes keep one `#`"), "{text}");
    assert!(!text.contains("import sys"), "{text}");
    assert!(
        !text.contains("{{#include .."),
        "a directive was left:\n{text}"
    );
}

#[test]
fn include_problems_are_warnings_at_the_directive_and_nothing_outside_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("secret.txt", "TOP SECRET\n"),
            ("book/book.toml", "[book]\ntitle = \"Leaky\"\n"),
            ("book/src/SUMMARY.md", "- [One](one.md)\n"),
            (
                "book/src/one.md",
                "# One\n\nA {{#include missing.rs}} here.\n\n{{#include ../../secret.txt}}\n\n\
                 Handlebars: {{#each items}}.\n",
            ),
        ],
    );
    let out = dir.path().join("out");
    let result = build(&[&dir.path().join("book")], &out, &["--to", "txt"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let one = dir.path().join("book/src/one.md").display().to_string();
    for (at, what) in [
        ("3:3", "cannot include `missing.rs`"),
        ("5:1", "cannot include `../../secret.txt`"),
        ("7:13", "unknown mdBook directive `{{#each}}`"),
    ] {
        assert!(
            stderr.contains(&format!("{one}:{at}")) && stderr.contains(what),
            "`{what}` not reported at {at}:\n{stderr}"
        );
    }
    let text = std::fs::read_to_string(out.join("book.txt")).unwrap();
    assert!(!text.contains("TOP SECRET"), "{text}");
    assert!(text.contains("{{#each items}}"), "kept as written:\n{text}");
}

#[test]
fn a_warning_inside_an_included_file_names_that_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("book/book.toml", "[book]\ntitle = \"Parts\"\n"),
            ("book/src/SUMMARY.md", "- [One](one.md)\n"),
            (
                "book/src/one.md",
                "# One\n\n{{#include part.md}}\n\nAfter [gone](nowhere.md).\n",
            ),
            (
                "book/src/part.md",
                "First line.\n\nSee [missing](missing.md).\n",
            ),
        ],
    );
    let out = dir.path().join("out");
    let result = build(&[&dir.path().join("book")], &out, &["--to", "txt"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let part = dir.path().join("book/src/part.md").display().to_string();
    let one = dir.path().join("book/src/one.md").display().to_string();
    assert!(
        stderr.contains(&format!("{part}:3:")) && stderr.contains("missing.md"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{one}:5:")) && stderr.contains("nowhere.md"),
        "{stderr}"
    );
}

#[test]
fn a_bindery_toml_beside_book_toml_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("book/book.toml", "[book]\ntitle = \"From book.toml\"\n"),
            ("book/bindery.toml", "title = \"From bindery.toml\"\n"),
            ("book/src/SUMMARY.md", "- [One](one.md)\n"),
            ("book/src/one.md", "# One\n\nText.\n"),
        ],
    );
    let out = dir.path().join("out");
    let result = build(&[&dir.path().join("book")], &out, &["--to", "txt"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("bindery.toml beside book.toml is not read"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(out.join("book.txt")).unwrap();
    assert!(text.contains("From book.toml"), "{text}");
}

/// `tests/books/mdguide/render-context.json`, captured from `mdbook build` (see
/// `bench/mdbook.sh`), with its book copied to `dir` and its paths pointed there.
fn captured_context(dir: &Path, key: &str) -> Vec<u8> {
    let book = dir.join("mdguide");
    copy_tree(&mdguide(), &book);
    let text = std::fs::read_to_string(mdguide().join("render-context.json")).unwrap();
    let mut context: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        context["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("0.")),
        "a context written by mdBook"
    );
    context["root"] = book.display().to_string().into();
    context["destination"] = book.join("book/bindery").display().to_string().into();
    let items = context["book"]
        .as_object_mut()
        .unwrap()
        .remove("sections")
        .or_else(|| context["book"].as_object_mut().unwrap().remove("items"))
        .expect("the chapter list");
    context["book"][key] = items;
    serde_json::to_vec(&context).unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn bindery_mdbook_renders_the_render_context_mdbook_gives_its_backends() {
    let dir = tempfile::tempdir().unwrap();
    let built = dir.path().join("built");
    assert!(build(&[&mdguide()], &built, &["-q"]).status.success());
    // mdBook 0.4 calls the chapter list `sections`, 0.5 `items`.
    for key in ["sections", "items"] {
        let case = dir.path().join(key);
        let context = captured_context(&case, key);
        let destination = case.join("mdguide/book/bindery");
        std::fs::create_dir_all(&destination).unwrap();
        let result = crate::support::bindery()
            .arg("mdbook")
            .current_dir(&destination)
            .env("SOURCE_DATE_EPOCH", "1764201600")
            .write_stdin(context)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{key}: {stderr}");
        assert_eq!(
            names_in(&destination),
            ["mdguide.epub", "mdguide.pdf", "mdguide.txt"],
            "{key}"
        );
        // mdBook expanded the includes itself; the book reads the same either way.
        let from_mdbook = std::fs::read_to_string(destination.join("mdguide.txt")).unwrap();
        let from_build = std::fs::read_to_string(built.join("mdguide.txt")).unwrap();
        assert_eq!(from_mdbook, from_build, "{key}");
    }
}

#[test]
fn bindery_mdbook_explains_itself_on_bad_input() {
    let result = crate::support::bindery()
        .arg("mdbook")
        .write_stdin("{\"not\": \"a context\"}")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("not an mdBook render context"), "{stderr}");
}

#[test]
fn a_changed_included_file_rebuilds_the_book_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("book/book.toml", "[book]\ntitle = \"Cached\"\n"),
            ("book/src/SUMMARY.md", "- [One](one.md)\n"),
            (
                "book/src/one.md",
                "# One\n\n{{#include ../listings/a.txt}}\n",
            ),
            ("book/listings/a.txt", "First version.\n"),
        ],
    );
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let run = || {
        let result = crate::support::bindery()
            .arg("build")
            .arg(dir.path().join("book"))
            .arg("-o")
            .arg(&out)
            .arg("--cache-dir")
            .arg(&cache)
            .args(["--to", "txt", "-q"])
            .output()
            .unwrap();
        assert!(result.status.success());
        std::fs::read_to_string(out.join("book.txt")).unwrap()
    };
    assert!(run().contains("First version."));
    write(dir.path(), &[("book/listings/a.txt", "Second version.\n")]);
    let text = run();
    assert!(
        text.contains("Second version."),
        "the cached book was reused:\n{text}"
    );
}
