//! Golden tests: a normalised listing of each container (entry names in archive order, then
//! the package document, navigation, NCX and every XHTML page) compared with
//! `tests/golden/<case>.txt`. `BINDERY_BLESS=1` rewrites them; a golden file without a case
//! fails the suite, so none goes stale.
//!
//! The stylesheet and images are listed by name and size only: the stylesheet is the HTML
//! writer's, tested there, and binary bytes are not meant to be read.

mod common;

use std::path::PathBuf;

use common::*;

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let (every, every_assets) = every_construct();
    let (seed, seed_assets) = seed();
    vec![
        (
            "every-construct",
            render(&every, &every_assets, &bindery_epub::Options::default()),
        ),
        (
            "every-construct-split2-toc",
            render(
                &every,
                &every_assets,
                &bindery_epub::Options {
                    split_level: 2,
                    toc: true,
                    timestamp: Some(1_700_000_000),
                    ..bindery_epub::Options::default()
                },
            ),
        ),
        (
            "seed",
            render(&seed, &seed_assets, &bindery_epub::Options::default()),
        ),
    ]
}

/// The container as text: what a reviewer wants to read in a diff.
fn listing(epub: &[u8]) -> String {
    let entries = entries(epub);
    let mut out = String::from("# entries\n");
    for (name, data) in &entries {
        out.push_str(&format!("{name} ({} bytes)\n", data.len()));
    }
    for (name, data) in &entries {
        let readable = [".opf", ".xhtml", ".ncx", ".xml"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || name == "mimetype";
        if readable {
            out.push_str(&format!("\n# {name}\n"));
            out.push_str(&String::from_utf8_lossy(data));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn containers_match_their_golden_listings() {
    let bless = std::env::var_os("BINDERY_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for (name, epub) in cases() {
        let actual = listing(&epub);
        let path = golden_dir().join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(e, a)| e != a)
                .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{name}: differs from {path:?} at line {}:\n  expected: {:?}\n  actual:   {:?}",
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run with BINDERY_BLESS=1 to accept the new output)",
        failures.join("\n")
    );
}

#[test]
fn no_golden_file_is_stale() {
    let names: Vec<String> = cases().iter().map(|(n, _)| format!("{n}.txt")).collect();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            names.contains(&file),
            "tests/golden/{file} belongs to no case: delete it"
        );
    }
}
