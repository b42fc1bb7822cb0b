//! `bindery completions SHELL` and `bindery man`: the scripts load in their shells and offer
//! what the program takes; the manual page renders.

use crate::support::bindery;

fn script(shell: &str) -> String {
    let output = bindery().args(["completions", shell]).output().unwrap();
    assert!(output.status.success(), "{shell}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Whether `program` can be run; when not, the test says so and passes over it.
fn have(program: &str, version_flag: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg(version_flag)
        .output()
        .is_ok();
    if !found {
        eprintln!("SKIPPED: `{program}` is not installed (apt-get install {program})");
    }
    found
}

/// What bash offers after `line` (completing its last word), with bindery's script loaded.
fn bash_complete(script_path: &std::path::Path, words: &[&str]) -> Vec<String> {
    let words_list: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = words.join(" ");
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE='{line}'\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         spec=$(complete -p bindery) || exit 3\n\
         function=$(echo \"$spec\" | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n\
         \"$function\" bindery '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script_path.display(),
        words_list.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(output.status.success(), "bash: {output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_formats_options_and_subcommands() {
    if !have("bash", "--version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bindery.bash");
    std::fs::write(&path, script("bash")).unwrap();
    let formats = bash_complete(&path, &["bindery", "build", "--to", ""]);
    for format in ["html", "txt", "epub", "pdf", "json"] {
        assert!(formats.iter().any(|f| f == format), "{format}: {formats:?}");
    }
    assert_eq!(
        bash_complete(&path, &["bindery", "build", "--to", "p"]),
        ["pdf"]
    );
    let options = bash_complete(&path, &["bindery", "build", "--ra"]);
    assert_eq!(options, ["--raw-html"]);
    let papers = bash_complete(&path, &["bindery", "convert", "--paper", ""]);
    assert!(papers.iter().any(|p| p == "letter"), "{papers:?}");
    let commands = bash_complete(&path, &["bindery", "co"]);
    assert_eq!(commands, ["convert", "completions"]);
    let commands = bash_complete(&path, &["bindery", ""]);
    for command in ["build", "watch", "init", "man", "serve", "manifest"] {
        assert!(
            commands.iter().any(|c| c == command),
            "{command}: {commands:?}"
        );
    }
    // The internal worker command is hidden from people.
    assert!(
        !commands.iter().any(|c| c.contains("render-worker")),
        "{commands:?}"
    );
}

#[test]
fn zsh_and_fish_parse_their_scripts() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, check) in [("zsh", &["-n"][..]), ("fish", &["--no-execute"])] {
        if !have(shell, "--version") {
            continue;
        }
        let path = dir.path().join(format!("bindery.{shell}"));
        let text = script(shell);
        assert!(text.contains("raw-html"), "{shell}");
        std::fs::write(&path, text).unwrap();
        let output = std::process::Command::new(shell)
            .args(check)
            .arg(&path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {output:?}");
        assert!(output.stderr.is_empty(), "{shell}: {output:?}");
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish", "PowerShell"] {
        let text = script(shell);
        assert!(text.contains("raw-html"), "{shell}");
        // Hidden from people: clap_complete offered it in every shell.
        assert!(!text.contains("render-worker"), "{shell}");
    }
    let output = bindery().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_man_page_renders_with_every_command() {
    let output = bindery().arg("man").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bindery.1");
    std::fs::write(&page, &output.stdout).unwrap();
    let pages = dir.path().join("pages");
    let written = bindery()
        .args(["man", "--out-dir"])
        .arg(&pages)
        .output()
        .unwrap();
    assert!(written.status.success(), "{written:?}");
    for name in ["bindery-build.1", "bindery-convert.1", "bindery-serve.1"] {
        assert!(pages.join(name).is_file(), "{name}");
    }
    assert!(!pages.join("bindery-__render-worker.1").exists());
    if !have("man", "--version") {
        return;
    }
    for (file, expect) in [
        (page, "bindery-build(1)"),
        (pages.join("bindery-build.1"), "--raw-html"),
    ] {
        let rendered = std::process::Command::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&rendered.stdout);
        let errors = String::from_utf8_lossy(&rendered.stderr);
        assert!(rendered.status.success(), "{}: {errors}", file.display());
        assert!(errors.trim().is_empty(), "{}: {errors}", file.display());
        // man may hyphenate or embolden: compare without the overstrikes.
        let plain: String = text.replace("\u{2010}", "-").replace("\u{2212}", "-");
        assert!(plain.contains(expect), "{}: {plain}", file.display());
    }
}
