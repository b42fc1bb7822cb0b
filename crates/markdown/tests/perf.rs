//! The conversion is linear and fast: a 1.5 MB article parses well under 100 ms in a release
//! build. Debug builds only check linearity and a loose bound.

mod common;

use std::time::{Duration, Instant};

const PROSE: &str = include_str!("fixtures/seed_000.txt");

/// Dense markup: every construct, many nodes per byte.
const MARKUP: &str = "## Section heading\n\nSome *emphasis*, **strong**, `code`, a \
    [link](https://example.org) and https://bare.example.org text[^n] with $x^2$ math.\n\n\
    - item one\n- item two with a [ref][r]\n  - nested\n\n> quoted text\n> more\n\n\
    | a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n";

/// An article of about `size` bytes: prose with a section of dense markup every so often.
fn article(size: usize) -> String {
    let mut source = String::from("---\ntitle: Big\n---\n");
    while source.len() < size {
        source.push_str(PROSE);
        source.push_str("\n\n");
        source.push_str(MARKUP);
    }
    source.push_str("\n[r]: https://example.org/r\n\n[^n]: A note.\n");
    source
}

fn time(source: &str) -> Duration {
    // The best of three, so a busy machine does not fail the test.
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let doc = common::read(source);
            let elapsed = start.elapsed();
            assert!(doc.output.blocks.len() > 100);
            elapsed
        })
        .min()
        .expect("three runs")
}

#[test]
fn a_large_article_parses_quickly() {
    let source = article(1_500_000);
    let elapsed = time(&source);
    eprintln!("{} bytes in {elapsed:?}", source.len());
    let limit = if cfg!(debug_assertions) { 3_000 } else { 100 };
    assert!(elapsed.as_millis() < limit, "{elapsed:?}");
}

#[test]
fn parse_time_grows_linearly() {
    let small = time(&article(400_000));
    let large = time(&article(1_600_000));
    eprintln!("400 KB: {small:?}, 1.6 MB: {large:?}");
    // Four times the input: allow up to ten times the time (caches), below quadratic's sixteen.
    assert!(large < small * 10, "{small:?} -> {large:?}");
}
