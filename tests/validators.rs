//! Every page bindery builds from `content/` and the fixtures passes the Nu HTML checker.
//!
//! The checker is the npm package `vnu-jar` (`.ci/run` installs it); its path can be set with
//! `BINDERY_VNU_JAR`. The test fails, never skips, when the checker is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("BINDERY_VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("node_modules/vnu-jar/build/dist/vnu.jar"));
    assert!(
        jar.exists(),
        "the Nu HTML checker is missing at {}: run `npm install --no-save vnu-jar` (or .ci/run)",
        jar.display()
    );
    jar
}

fn files_with_extension(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_with_extension(&path, ext, found);
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
}

fn build(inputs: &[PathBuf], out: &Path, extra: &[&str]) {
    let output = assert_cmd::Command::cargo_bin("bindery")
        .unwrap()
        .arg("build")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .args(["--to", "html", "-q"])
        .args(["--no-cache"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_html_page_passes_the_nu_checker() {
    let jar = vnu_jar();
    let out = tempfile::tempdir().unwrap();
    build(&[root().join("content")], &out.path().join("content"), &[]);
    build(
        &[root().join("tests/fixtures")],
        &out.path().join("fixtures"),
        &[],
    );
    // The options that change the page's structure, once each.
    build(
        &[root().join("content/reference/every-construct.md")],
        &out.path().join("toc"),
        &["--toc", "--embed-resources"],
    );
    let mut pages = Vec::new();
    files_with_extension(out.path(), "html", &mut pages);
    pages.sort();
    assert!(pages.len() >= 20, "only {} pages", pages.len());
    // One JVM start for every page.
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&pages)
        .output()
        .expect("java runs (install a JRE, e.g. default-jre-headless)");
    let report = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "the Nu HTML checker found errors in {} pages:\n{report}",
        pages.len()
    );
    eprintln!("vnu: 0 errors in {} pages", pages.len());
}
