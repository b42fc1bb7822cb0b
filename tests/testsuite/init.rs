//! `bindery init [DIR]`: a starter project that builds into every format without a warning,
//! and never overwrites a file.

use crate::support::bindery;

#[test]
fn the_starter_project_builds_into_every_format_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new/project");
    let output = bindery().arg("init").arg(&project).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    for file in [
        "bindery.toml",
        "content/hello.md",
        "content/book/bindery.toml",
    ] {
        assert!(project.join(file).is_file(), "{file}");
    }
    let output = bindery()
        .args(["build", "--to", "html,txt,epub,pdf", "--no-cache"])
        .current_dir(&project)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert!(stderr.contains(" outputs from 2 documents"), "{stderr}");
    assert!(stderr.contains("0 failed, 0 warnings"), "{stderr}");
    for file in [
        "hello.pdf",
        "hello.epub",
        "book.pdf",
        "book.epub",
        "book/index.html",
    ] {
        assert!(project.join("dist").join(file).is_file(), "{file}");
    }
    // Its bindery.toml is project defaults, not a book.
    let output = bindery()
        .args(["build", "--print-config"])
        .current_dir(&project)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("project defaults: ./bindery.toml"),
        "{stdout}"
    );
}

#[test]
fn init_never_overwrites_and_writes_nothing_when_it_refuses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/hello.md"), "mine\n").unwrap();
    let output = bindery()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("content/hello.md` already exists"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("content/hello.md")).unwrap(),
        "mine\n"
    );
    assert!(!dir.path().join("bindery.toml").exists());
    assert!(!dir.path().join("content/book").exists());
}
