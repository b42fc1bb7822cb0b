//! Runs every committed seed and regression input through the fuzz targets' code, so a fixed
//! crash stays fixed on plain stable `cargo test` (no libFuzzer needed).

use std::fs;
use std::path::Path;

fn replay(dir: &str, target: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for kind in ["seeds", "regressions"] {
        let dir = root.join(kind).join(dir);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            if path.file_name().is_some_and(|n| n == "README.md") {
                continue;
            }
            eprintln!("replaying {}", path.display());
            target(&fs::read(path).unwrap());
            count += 1;
        }
    }
    count
}

#[test]
fn markdown_to_all_inputs() {
    assert!(replay("markdown_to_all", bindery_fuzz::markdown_to_all) > 0);
}

#[test]
fn json_to_all_inputs() {
    assert!(replay("json_to_all", bindery_fuzz::json_to_all) > 0);
}

#[test]
fn raw_html_inputs() {
    assert!(replay("raw_html", bindery_fuzz::raw_html) > 0);
}

#[test]
fn svg_inputs() {
    assert!(replay("svg", bindery_fuzz::svg) > 0);
}

#[test]
fn front_matter_inputs() {
    assert!(replay("front_matter", bindery_fuzz::front_matter) > 0);
}
