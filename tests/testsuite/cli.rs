//! The `bindery` command as a user meets it: builds, conversions, exit codes, diagnostics.

use std::path::Path;

use crate::support::bindery;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn build_writes_html_and_text_for_every_content_file() {
    let out = tempfile::tempdir().unwrap();
    bindery()
        .current_dir(root())
        .args(["build", "-q", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let mut count = 0;
    let mut stack = vec![root().join("content")];
    let mut books = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && path.join("bindery.toml").is_file() {
                // A book: one set of outputs named after its folder, not one per chapter.
                let rel = path.strip_prefix(root().join("content")).unwrap();
                for output in [rel.with_extension("txt"), rel.join("index.html")] {
                    assert!(
                        out.path().join(&output).is_file(),
                        "{} was not written",
                        output.display()
                    );
                }
                books += 1;
            } else if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(root().join("content")).unwrap();
                for ext in ["html", "txt"] {
                    let output = out.path().join(rel.with_extension(ext));
                    let text = std::fs::read_to_string(&output)
                        .unwrap_or_else(|_| panic!("{} was not written", output.display()));
                    assert!(text.len() > 100, "{} is nearly empty", output.display());
                }
                count += 1;
            }
        }
    }
    assert!(count >= 4, "content/ has {count} documents");
    assert_eq!(books, 1, "content/guide is the one book");
}

#[test]
fn seed_article_keeps_links_and_every_word() {
    let seed = root().join("tests/fixtures/seed/input.md");
    let source = std::fs::read_to_string(&seed).unwrap();
    let urls = [
        "https://en.wikipedia.org/wiki/Dissolution_of_the_Soviet_Union",
        "https://www.youngpioneertours.com/cuba-and-north-korea/",
    ];
    let html = bindery()
        .args(["convert", "--to", "html"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(html.status.success());
    let html = String::from_utf8(html.stdout).unwrap();
    for url in urls {
        assert!(
            html.contains(&format!("<a href=\"{url}\">{url}</a>)")),
            "{url} is a link that does not swallow the `)`"
        );
    }
    assert!(html.contains("(now\nunclear)") || html.contains("(now unclear)"));

    let text = bindery()
        .args(["convert", "--to", "txt"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    for url in urls {
        assert!(
            text.contains(&format!("({url})")),
            "{url} is kept whole in the text"
        );
    }
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(joined.contains("(now unclear)"));
    // Every word of the source, in order, allowing for the title block printed first.
    let source_words = words(&source);
    let text_words = words(&text);
    let mut at = 0;
    for word in &source_words {
        match text_words[at..].iter().position(|w| w == word) {
            Some(i) => at += i + 1,
            None => panic!("the word `{word}` is lost or out of order in the text output"),
        }
    }
}

#[test]
fn one_bad_document_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("good.md"), "# Good\n\nFine.\n").unwrap();
    std::fs::write(input.join("bad.md"), "---\ntitle: a: b\n---\nBody\n").unwrap();
    std::fs::write(input.join("binary.md"), b"ok\n\xff\xfe").unwrap();
    let out = dir.path().join("out");
    let assert = bindery()
        .arg("build")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(out.join("good.html").exists() && out.join("good.txt").exists());
    assert!(!out.join("bad.html").exists() && !out.join("binary.txt").exists());
    assert!(
        stderr.contains("bad.md:2:"),
        "front-matter error has file:line:col: {stderr}"
    );
    assert!(
        stderr.contains("binary.md:2:1: the file is not valid UTF-8"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    bindery().args(["build", "--to", "docx"]).assert().code(2);
    bindery().args(["frobnicate"]).assert().code(2);
    // A bad SOURCE_DATE_EPOCH is the caller's to fix, like a bad option value.
    let output = bindery()
        .args(["convert", "-", "--to", "txt"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .write_stdin("# Hi\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SOURCE_DATE_EPOCH"), "{stderr}");
    assert!(stderr.contains("`yesterday`"), "{stderr}");
}

/// Option values are spelled as the user likes, a format named twice is rendered once, and
/// `-j 0` means one thread per core, as in rayon and ripgrep.
#[test]
fn option_values_forgive_case_repetition_and_zero_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.md"), "# A\n\nText.\n").unwrap();
    let out = dir.path().join("out");
    let output = bindery()
        .arg("build")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--no-cache", "--to", "HTML,txt,html", "-j", "0"])
        .args(["--message-format", "JSON", "--raw-html", "Strip"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let written: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("\"output-written\""))
        .collect();
    assert_eq!(written.len(), 2, "{stdout}");
    assert!(out.join("a.html").exists() && out.join("a.txt").exists());

    let pdf = dir.path().join("a.pdf");
    bindery()
        .arg("convert")
        .arg(input.join("a.md"))
        .arg("-o")
        .arg(&pdf)
        .args(["--paper", "Letter", "-q"])
        .assert()
        .success();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn convert_never_guesses_a_format_or_overwrites_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("post.md");
    std::fs::write(&input, "# Post\n\nKeep me.\n").unwrap();
    // An extension that names no format: a usage error, not HTML written over the source.
    let assert = bindery()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("is the input file"), "{stderr}");
    let other = dir.path().join("copy.md");
    let assert = bindery()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&other)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("name it with --to"), "{stderr}");
    assert!(!other.exists());
    // Even with --to, the input is never the output.
    bindery()
        .arg("convert")
        .arg(&input)
        .args(["--to", "txt", "-o"])
        .arg(&input)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        "# Post\n\nKeep me.\n"
    );
}

#[test]
fn convert_reads_stdin_and_writes_stdout() {
    let assert = bindery()
        .args(["convert", "-", "--to", "html", "--fragment"])
        .write_stdin("Hello *world*\n")
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout),
        "<p>Hello <em>world</em></p>\n"
    );
}

#[test]
fn convert_picks_the_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.md");
    std::fs::write(&input, "# Title\n\nBody.\n").unwrap();
    let out = dir.path().join("a.txt");
    bindery()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.starts_with("Title\n====="), "{text}");
}

#[test]
fn ast_round_trips_through_json_losslessly() {
    // The JSON sits beside the Markdown, so both resolve the same images.
    let dir = tempfile::tempdir().unwrap();
    let reference = root().join("content/reference");
    std::fs::create_dir(dir.path().join("images")).unwrap();
    for name in ["every-construct.md", "images/red.png", "images/circle.svg"] {
        std::fs::copy(reference.join(name), dir.path().join(name)).unwrap();
    }
    let every = dir.path().join("every-construct.md");
    let first = bindery().arg("ast").arg(&every).output().unwrap();
    assert!(first.status.success());
    let json = dir.path().join("every.json");
    std::fs::write(&json, &first.stdout).unwrap();
    let second = bindery()
        .args(["ast", "--from", "json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8(first.stdout).unwrap(),
        String::from_utf8(second.stdout).unwrap()
    );
    // And the JSON renders the same HTML as the Markdown it came from.
    let from_md = bindery()
        .args(["convert", "--to", "html"])
        .arg(&every)
        .output()
        .unwrap();
    let from_json = bindery()
        .args(["convert", "--from", "json", "--to", "html"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(from_md.stdout, from_json.stdout);
}

#[test]
fn metadata_from_the_command_line_wins() {
    let assert = bindery()
        .args([
            "convert",
            "-",
            "--to",
            "txt",
            "-M",
            "title=Command Line Title",
        ])
        .write_stdin("---\ntitle: File Title\n---\n\nBody.\n")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(text.starts_with("Command Line Title\n"), "{text}");
}

#[test]
fn colliding_outputs_are_an_error_not_an_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("x.md"), format!("# From {sub}\n")).unwrap();
    }
    let out = dir.path().join("out");
    let assert = bindery()
        .arg("build")
        .arg(dir.path().join("a/x.md"))
        .arg(dir.path().join("b/x.md"))
        .arg("-o")
        .arg(&out)
        .args(["--to", "txt"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("would overwrite"), "{stderr}");
    assert!(
        std::fs::read_to_string(out.join("x.txt"))
            .unwrap()
            .contains("From a")
    );
}

#[test]
fn dangerous_links_are_dropped_with_a_warning() {
    let assert = bindery()
        .args(["convert", "-", "--to", "html", "--fragment"])
        .write_stdin("[click](javascript:alert(1))\n")
        .assert()
        .success();
    let out = assert.get_output();
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(!html.to_lowercase().contains("javascript"), "{html}");
    assert!(html.contains("click"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("warning: <stdin>:1:1:"), "{stderr}");
}

#[test]
fn raw_html_is_sanitized_by_default_escaped_or_kept_on_request() {
    let input = "<script>alert(1)</script>\n\nH<sub>2</sub>O <!-- hidden -->\n";
    let convert = |args: &[&str]| {
        let out = bindery()
            .args(["convert", "-", "--to", "html", "--fragment"])
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (sanitized, stderr) = convert(&[]);
    assert_eq!(sanitized, "<p>H<sub>2</sub>O</p>\n", "{sanitized}");
    assert!(
        stderr.starts_with("warning: <stdin>:1:1: removed raw HTML `<script>` with its content"),
        "{stderr}"
    );
    let (escaped, _) = convert(&["--raw-html", "escape"]);
    assert!(
        escaped.contains("&lt;script&gt;") && !escaped.contains("<script>"),
        "{escaped}"
    );
    let kept = bindery()
        .args([
            "convert",
            "-",
            "--to",
            "html",
            "--fragment",
            "--raw-html",
            "keep",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&kept.stdout).contains("<script>alert(1)</script>"));
}

#[test]
fn help_shows_examples() {
    let assert = bindery().arg("--help").assert().success();
    assert!(String::from_utf8_lossy(&assert.get_output().stdout).contains("Examples:"));
}

#[test]
fn fail_fast_stops_starting_new_documents() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("000-bad.md"), "---\ntitle: a: b\n---\n").unwrap();
    for i in 0..200 {
        std::fs::write(input.join(format!("doc-{i:03}.md")), format!("# Doc {i}\n")).unwrap();
    }
    let out = dir.path().join("out");
    bindery()
        .arg("build")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args([
            "-q",
            "--no-cache",
            "--to",
            "txt",
            "--jobs",
            "1",
            "--fail-fast",
        ])
        .assert()
        .code(1);
    let written = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count();
    assert!(
        written < 200,
        "--fail-fast still wrote {written} of 200 documents"
    );
}

/// A misspelt format gets a suggestion, as clap gives for options and subcommands.
#[test]
fn misspelt_formats_and_options_get_a_suggestion() {
    for (args, near) in [
        (&["build", "--to", "pfd"][..], "did you mean `pdf`?"),
        (&["build", "--to", "html,ebup"], "did you mean `epub`?"),
        (&["convert", "x.md", "-t", "tx"], "did you mean `txt`?"),
        (
            &["ast", "x.md", "--from", "markdwn"],
            "did you mean `markdown`?",
        ),
        (&["build", "--tocc"], "a similar argument exists: '--toc'"),
        (&["biuld"], "a similar subcommand exists: 'build'"),
        (
            &["build", "--paper", "leter"],
            "a similar value exists: 'letter'",
        ),
    ] {
        let output = bindery().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(near), "{args:?}: {stderr}");
    }
    let output = bindery().args(["build", "--to", "docx"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("did you mean"));
}

/// `bindery build` with nothing to build says so, exits with 2 and writes nothing: it used to
/// print `content: No such file or directory` and leave `dist/manifest.json` behind.
#[test]
fn nothing_to_build_is_a_clear_usage_error_that_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = bindery()
            .arg("build")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("nothing to build"), "{stderr}");
    assert!(stderr.contains("no `content/` directory"), "{stderr}");
    // An empty content/, a tree with only other files, a missing path: the same.
    std::fs::create_dir_all(dir.path().join("content/img")).unwrap();
    std::fs::write(dir.path().join("content/img/a.png"), b"png").unwrap();
    std::fs::create_dir_all(dir.path().join("content/.hidden")).unwrap();
    std::fs::write(dir.path().join("content/.hidden/x.md"), "# Hidden\n").unwrap();
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no Markdown files"), "{stderr}");
    let (code, stderr) = run(&["missing.md", "-o", "out"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("`missing.md` not found"), "{stderr}");
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["content"], "an output tree was left behind");
    // One document is enough to build, and a missing path beside it is its own failure.
    std::fs::write(dir.path().join("content/img/a.md"), "# A\n").unwrap();
    let (code, stderr) = run(&["--to", "txt", "--no-cache"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("dist/img/a.txt").is_file());
    let (code, stderr) = run(&["content", "missing.md", "--to", "txt"]);
    assert_eq!(code, Some(1), "{stderr}");
}
