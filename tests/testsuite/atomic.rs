//! A run killed part-way leaves every output path complete (old or new) or absent: outputs are
//! written to a temporary file and renamed into place.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

fn write_corpus(dir: &Path, version: &str) {
    for i in 0..300 {
        let body = format!("{version} paragraph {i} with a link (https://example.org/{i}).\n\n")
            .repeat(20);
        std::fs::write(
            dir.join(format!("doc-{i:03}.md")),
            format!("# Doc {i} {version}\n\n{body}"),
        )
        .unwrap();
    }
}

/// Starts a build whose JSON events are piped back; its stderr is discarded, since an unread
/// pipe would fill and stall the child.
fn start_build(input: &Path, out: &Path) -> std::process::Child {
    crate::support::process()
        .arg("build")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args([
            "--no-cache",
            "--to",
            "html,txt",
            "--message-format",
            "json",
            "--jobs",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs a whole build to the end and fails the test with bindery's own messages if it fails.
fn complete_build(input: &Path, out: &Path) {
    let output = crate::support::process()
        .arg("build")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["--no-cache", "--to", "html,txt", "--jobs", "2"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "build into {} failed ({}):\n{}",
        out.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_killed_run_leaves_only_complete_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let (old_ref, new_ref, out) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("out"),
    );

    write_corpus(&input, "OLD");
    complete_build(&input, &old_ref);
    complete_build(&input, &out);
    write_corpus(&input, "NEW");
    complete_build(&input, &new_ref);

    // Rebuild over the old outputs and kill the run once a third of the outputs are written.
    let mut child = start_build(&input, &out);
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut written = 0;
    for line in stdout.lines() {
        if line.unwrap().contains("\"output-written\"") {
            written += 1;
            if written == 200 {
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(written, 200, "the run finished before it could be killed");

    let (mut old, mut new) = (0, 0);
    for i in 0..300 {
        for ext in ["html", "txt"] {
            let name = format!("doc-{i:03}.{ext}");
            let got = std::fs::read(out.join(&name)).unwrap();
            if got == std::fs::read(old_ref.join(&name)).unwrap() {
                old += 1;
            } else if got == std::fs::read(new_ref.join(&name)).unwrap() {
                new += 1;
            } else {
                panic!("{name} is neither the complete old nor the complete new output");
            }
        }
    }
    assert!(
        new >= 200 && old > 0,
        "old {old}, new {new}: the kill landed mid-run"
    );
}
