//! bindery's user guide (`content/guide/`, a book): it documents every option the CLI has,
//! and it builds into every format without a warning. (Its validity against EPUBCheck, the
//! Nu checker and qpdf is checked with the rest of `content/` in `validators.rs`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn guide() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/guide")
}

/// Every `--long-option` in a help text.
fn long_options(help: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in help.match_indices("--") {
        let name: String = help[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let starts_word = i == 0 || !help.as_bytes()[i - 1].is_ascii_alphanumeric();
        if starts_word && name.len() > 1 && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            found.insert(format!("--{name}"));
        }
    }
    found
}

#[test]
fn every_option_in_the_help_is_in_the_cli_chapter() {
    let chapter = std::fs::read_to_string(guide().join("cli.md")).unwrap();
    let mut missing = Vec::new();
    let mut seen = 0;
    for command in [
        &[][..],
        &["build"],
        &["convert"],
        &["ast"],
        &["manifest", "merge"],
        &["serve"],
    ] {
        let output = crate::support::bindery()
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success());
        let help = String::from_utf8(output.stdout).unwrap();
        for option in long_options(&help) {
            seen += 1;
            if !chapter.contains(&format!("`{option}")) {
                missing.push(format!("{} {option}", command.join(" ")));
            }
        }
        for sub in ["build", "convert", "ast", "manifest merge", "serve"] {
            if command.is_empty() {
                assert!(
                    chapter.contains(&format!("bindery {sub}")),
                    "`{sub}` is not documented"
                );
            }
        }
    }
    assert!(seen > 20, "only {seen} options found in the help texts");
    assert!(
        missing.is_empty(),
        "options missing from content/guide/cli.md (as a `--code` span): {missing:?}"
    );
}

#[test]
fn the_guide_builds_into_every_format_without_a_warning() {
    let out = tempfile::tempdir().unwrap();
    let output = crate::support::bindery()
        .arg("build")
        .arg(guide())
        .arg("-o")
        .arg(out.path())
        .args(["--no-cache", "--to", "html,txt,epub,pdf"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    for file in [
        "guide.epub",
        "guide.pdf",
        "guide.txt",
        "guide/index.html",
        "guide/style.css",
    ] {
        assert!(out.path().join(file).is_file(), "{file} is missing");
    }
    // Every chapter of the list has its page, and every page links to the next.
    let index = std::fs::read_to_string(out.path().join("guide/index.html")).unwrap();
    assert!(index.contains("rel=\"next\""));
    let text = std::fs::read_to_string(out.path().join("guide.txt")).unwrap();
    assert!(
        text.lines().count() > 300,
        "the guide is {} lines",
        text.lines().count()
    );
}

#[test]
fn long_options_are_found_in_help_text() {
    let found = long_options("  -o, --output <DIR>  see --to; not a--b nor --x or ---\n");
    let found: Vec<_> = found.into_iter().collect();
    assert_eq!(found, ["--output", "--to"]);
}
