//! Golden fixtures: every construct x {JSON model, HTML, text}.
//!
//! Each `tests/fixtures/<case>/input.md` is built in one `bindery build` run and every output
//! is compared with `tests/fixtures/<case>/expected/`. `BINDERY_BLESS=1 cargo test --test testsuite golden`
//! rewrites the expected files; an expected file that no output matches fails the test.
//!
//! Every page embeds the same stylesheet: it is compared once, with the HTML writer's own
//! (`bindery_html::stylesheet`: crates/html/src/style.css and the highlighting themes), and the
//! expected pages hold a marker in its place, so they stay short enough to review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FORMATS: &[&str] = &["json", "html", "txt"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_matches_its_expected_outputs() {
    let out = tempfile::tempdir().unwrap();
    let assert = crate::support::bindery()
        .args(["build", "-q", "--to", &FORMATS.join(",")])
        .arg(fixtures())
        .arg("-o")
        .arg(out.path())
        .assert();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert.success();
    assert!(stderr.is_empty(), "-q prints nothing on success: {stderr}");

    let bless = std::env::var_os("BINDERY_BLESS").is_some();
    let mut failures = Vec::new();
    let mut cases = 0;
    // Each distinct embedded stylesheet, with one page that embeds it.
    let mut stylesheets: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let case = entry.unwrap().path();
        if !case.join("input.md").exists() {
            continue;
        }
        cases += 1;
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected_dir = case.join("expected");
        let mut produced = BTreeSet::new();
        for format in FORMATS {
            let file = format!("input.{format}");
            produced.insert(file.clone());
            let mut actual = std::fs::read_to_string(out.path().join(&name).join(&file))
                .unwrap_or_else(|e| panic!("{name}: no {format} output: {e}"));
            if *format == "html" {
                let (page, css) = split_stylesheet(&actual)
                    .unwrap_or_else(|| panic!("{name}: the page has no <style> element"));
                stylesheets.insert(css, name.clone());
                actual = page;
            }
            let expected_path = expected_dir.join(&file);
            if bless {
                std::fs::create_dir_all(&expected_dir).unwrap();
                std::fs::write(&expected_path, &actual).unwrap();
                continue;
            }
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!(
                    "{name}/{file} differs:\n{}",
                    first_difference(&expected, &actual)
                )),
                Err(_) => failures.push(format!(
                    "{name}/{file}: no expected file (run with BINDERY_BLESS=1)"
                )),
            }
        }
        if let Ok(entries) = std::fs::read_dir(&expected_dir) {
            for stale in entries {
                let stale = stale.unwrap().file_name().to_string_lossy().into_owned();
                if !produced.contains(&stale) {
                    failures.push(format!(
                        "{name}/expected/{stale} is stale: no output matches it"
                    ));
                }
            }
        }
    }
    assert!(cases >= 15, "only {cases} fixtures found");
    assert_eq!(
        stylesheets.len(),
        1,
        "pages embed different stylesheets: {:?}",
        stylesheets.values().collect::<Vec<_>>()
    );
    let css = stylesheets.keys().next().unwrap();
    let expected = bindery_html::stylesheet(
        &bindery_html::Resources::new(),
        &bindery_html::Options::default(),
    );
    // The page escapes `</` inside <style>; the stylesheet has none, so it is embedded as is.
    assert!(!expected.contains("</"));
    let expected = format!("\n{expected}");
    if css != &expected {
        failures.push(format!(
            "the embedded stylesheet is not the writer's:\n{}",
            first_difference(&expected, css)
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The marker the expected pages hold where the stylesheet was.
const STYLESHEET_MARKER: &str = "<style>/* bindery_html::stylesheet */</style>";

/// The page with its `<style>` element replaced by [`STYLESHEET_MARKER`], and the stylesheet.
pub(crate) fn split_stylesheet(page: &str) -> Option<(String, String)> {
    let start = page.find("<style>")?;
    let end = start + page[start..].find("</style>")?;
    let css = page[start + "<style>".len()..end].to_string();
    let rest = &page[end + "</style>".len()..];
    Some((format!("{}{STYLESHEET_MARKER}{rest}", &page[..start]), css))
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1);
        }
    }
    format!(
        "lengths differ: expected {} lines, got {}",
        expected.lines().count(),
        actual.lines().count()
    )
}
