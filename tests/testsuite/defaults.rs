//! Project defaults: `./bindery.toml` with only a `[build]` table sets options of `bindery
//! build`; the command line overrides them; `--print-config` says where each came from. A
//! `bindery.toml` that is a book stays a book.

use std::path::Path;

use crate::support::bindery;

const ARTICLE: &str = "# A title\n\nSome text.\n\n## A section\n\nMore.\n";

fn project(defaults: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/a.md"), ARTICLE).unwrap();
    std::fs::write(dir.path().join("bindery.toml"), defaults).unwrap();
    dir
}

fn build(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = bindery()
        .arg("build")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn outputs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn build_table_options_apply_and_the_command_line_overrides_them() {
    let dir = project(
        "# This project's defaults\n[build]\nto = [\"html\", \"txt\"]\ntoc = true\n\
         output = \"site\"\nraw-html = \"escape\"\njobs = 1\n",
    );
    std::fs::write(
        dir.path().join("content/a.md"),
        format!("{ARTICLE}\n<b>raw</b>\n"),
    )
    .unwrap();
    let (code, _, stderr) = build(dir.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        outputs(&dir.path().join("site")),
        ["a.html", "a.txt", "manifest.json"]
    );
    assert!(!dir.path().join("dist").exists());
    let html = std::fs::read_to_string(dir.path().join("site/a.html")).unwrap();
    assert!(
        html.contains("&lt;b&gt;raw"),
        "raw-html = escape was not applied"
    );
    assert!(
        html.contains("A section") && html.contains("<nav"),
        "toc = true was not applied"
    );
    // The command line wins, option by option.
    let (code, _, stderr) = build(dir.path(), &["--to", "txt", "-o", "other"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        outputs(&dir.path().join("other")),
        ["a.txt", "manifest.json"]
    );
}

#[test]
fn print_config_shows_the_formats_built_when_none_are_named() {
    let dir = project("[build]\ntoc = true\n");
    let (code, stdout, stderr) = build(dir.path(), &["--print-config"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(
            "to = [\"html\", \"txt\", \"epub\", \"pdf\"]  # default: every format but json"
        ),
        "{stdout}"
    );
}

#[test]
fn print_config_names_where_each_setting_comes_from() {
    let dir = project("[build]\nto = [\"html\", \"txt\"]\n\npaper = \"letter\"\n");
    let (code, stdout, stderr) = build(dir.path(), &["--paper", "a4", "--toc", "--print-config"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("to = [\"html\", \"txt\"]  # bindery.toml:2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("paper = \"a4\"  # command line"),
        "{stdout}"
    );
    assert!(stdout.contains("toc = true  # command line"), "{stdout}");
    assert!(stdout.contains("columns = 72  # default"), "{stdout}");
    // What the build chooses when nothing sets it is shown, not "not set".
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("jobs = ") && l.ends_with("# default: one per CPU")),
        "{stdout}"
    );
    assert!(!stdout.contains("print-config"), "{stdout}");
    assert!(!dir.path().join("dist").exists(), "--print-config built");
}

#[test]
fn unknown_keys_and_bad_values_are_errors_at_their_line_and_column() {
    for (text, expect) in [
        (
            "[build]\nto = \"html\"\n  tco = true\n",
            "bindery.toml:3:3: `tco` in [build] is not an option of `bindery build`; did you mean `toc`?",
        ),
        (
            "[build]\nto = \"pfd\"\n",
            "bindery.toml:2:1: `to` in [build]: invalid value 'pfd'",
        ),
        (
            "[build]\ntoc = \"yes\"\n",
            "bindery.toml:2:7: `toc` is a switch: true or false",
        ),
        (
            "[build]\npaper = { a = 1 }\n",
            "bindery.toml:2:9: `paper` takes a string",
        ),
        (
            "[build]\njobs = \"many\"\n",
            "bindery.toml:2:1: `jobs` in [build]: invalid value 'many'",
        ),
    ] {
        let dir = project(text);
        let (code, _, stderr) = build(dir.path(), &[]);
        assert_eq!(code, Some(2), "{text}: {stderr}");
        assert!(stderr.contains(expect), "{text}: {stderr}");
        assert!(!dir.path().join("dist").exists(), "{text}");
    }
}

/// A `bindery.toml` with a title or chapters is a book, with or without a `[build]` table
/// elsewhere; one with only `[build]` and a SUMMARY.md beside it is a book too; one with only
/// `[build]` in a subdirectory does not make that directory a book.
#[test]
fn books_stay_books_and_defaults_do_not_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "content/book/bindery.toml",
        "title = \"A book\"\nchapters = [\"one.md\"]\n",
    );
    write("content/book/one.md", ARTICLE);
    write("content/summary/bindery.toml", "[build]\n");
    write("content/summary/SUMMARY.md", "# S\n\n- [One](one.md)\n");
    write("content/summary/one.md", ARTICLE);
    write("content/notes/bindery.toml", "[build]\ntoc = true\n");
    write("content/notes/x.md", ARTICLE);
    let (code, _, stderr) = build(dir.path(), &["--to", "txt"]);
    assert_eq!(code, Some(0), "{stderr}");
    let dist = dir.path().join("dist");
    assert!(dist.join("book.txt").is_file(), "{:?}", outputs(&dist));
    assert!(dist.join("summary.txt").is_file(), "{:?}", outputs(&dist));
    assert!(dist.join("notes/x.txt").is_file(), "{:?}", outputs(&dist));
    assert!(!dist.join("notes.txt").exists());
    // The guide, a real book, still builds from its own directory's parent.
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/guide");
    let out = tempfile::tempdir().unwrap();
    let output = bindery()
        .arg("build")
        .arg(&guide)
        .arg("-o")
        .arg(out.path())
        .args(["--to", "txt", "-q"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(out.path().join("guide.txt").is_file());
}
