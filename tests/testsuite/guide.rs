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
        &["completions"],
        &["man"],
        &["init"],
        &["watch"],
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
        for sub in [
            "build",
            "convert",
            "ast",
            "manifest merge",
            "serve",
            "completions",
            "man",
            "init",
            "watch",
        ] {
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

/// The commands of the ```sh blocks of `chapter`, one per entry: comments dropped, lines
/// continued with `\\` or a trailing `|` joined.
fn examples(chapter: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in chapter.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if !in_sh || trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // A comment after the command: `  # ...` (no example quotes a ` #`).
        let code = trimmed.split("  #").next().unwrap_or(trimmed).trim_end();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(code);
        if code.ends_with('|') {
            pending.push(' ');
            continue;
        }
        commands.push(std::mem::take(&mut pending));
    }
    commands
}

/// Every example of the CLI chapter runs, as written, and succeeds: the guide once said
/// `-o notes.md` writes HTML while the program refused it. They run in a fresh directory
/// holding the files they name (`post.md`, `docs/`, `content/`, ...), with this build's
/// `bindery` first on `PATH`; `serve` examples, which never end, are the serve tests' job.
#[test]
fn every_example_in_the_cli_chapter_runs() {
    let chapter = std::fs::read_to_string(guide().join("cli.md")).unwrap();
    let commands = examples(&chapter);
    assert!(
        commands.len() >= 12,
        "only {} examples: {commands:?}",
        commands.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let article = "---\ntitle: A post\n---\n\n# A post\n\nSome *text*.\n";
    for file in [
        "post.md",
        "a.md",
        "b.md",
        "content/intro.md",
        "docs/one.md",
        "docs/part/two.md",
    ] {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, article).unwrap();
    }
    // What the examples read that an earlier example of another section writes.
    let setup = "bindery ast post.md > post.json && \
        bindery build docs/ -o dist --shard 0/2 -q && bindery build docs/ -o dist --shard 1/2 -q";
    let status = crate::support::shell(setup)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut ran = 0;
    for command in &commands {
        if command.starts_with("bindery serve") {
            continue;
        }
        let jq = command.contains("jq ");
        if jq
            && std::process::Command::new("jq")
                .arg("--version")
                .output()
                .is_err()
        {
            eprintln!("skipped (jq is not installed): {command}");
            continue;
        }
        // One home for all, as a reader's: an example may make a directory the next uses.
        let output = crate::support::shell(&format!("set -e; {command}"))
            .current_dir(dir.path())
            .env("HOME", dir.path().join("home"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "content/guide/cli.md example `{command}` failed ({}): {stderr}",
            output.status
        );
        assert!(!stderr.contains("error"), "`{command}`: {stderr}");
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} examples ran");
}

#[test]
fn examples_are_read_from_sh_blocks() {
    let chapter = "```text\nbindery x\n```\n\n```sh\n# note\nbindery a  # one\n\
        bindery b \\\n  --c\nbindery d |\n  jq .\n```\n";
    assert_eq!(
        examples(chapter),
        ["bindery a", "bindery b --c", "bindery d | jq ."]
    );
}

#[test]
fn long_options_are_found_in_help_text() {
    let found = long_options("  -o, --output <DIR>  see --to; not a--b nor --x or ---\n");
    let found: Vec<_> = found.into_iter().collect();
    assert_eq!(found, ["--output", "--to"]);
}
