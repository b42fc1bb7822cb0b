//! comrak stops expanding reference links past a budget; the reader notices and warns.

mod common;

use bindery_model::{BlockKind, Inline};
use common::read;

fn links_in(doc: &bindery_model::Document) -> usize {
    let mut count = 0;
    for block in &doc.blocks {
        if let BlockKind::Para(content) = &block.kind {
            count += content
                .iter()
                .filter(|i| matches!(i, Inline::Link { .. }))
                .count();
        }
    }
    count
}

#[test]
fn the_expansion_cap_is_reported() {
    let url = format!("https://example.org/{}", "a".repeat(200));
    let mut source = String::new();
    for _ in 0..25_000 {
        source.push_str("[x] ");
    }
    source.push_str(&format!("\n\n[x]: {url}\n"));
    let doc = read(&source);
    let links = links_in(&doc.output);
    assert!(links > 0 && links < 25_000, "{links} links expanded");
    let cap: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| {
            w.message
                .contains("reference links were left as plain text")
        })
        .collect();
    assert_eq!(cap.len(), 1, "{:?}", doc.warnings);
    assert!(cap[0].hint.is_some());
}

#[test]
fn ordinary_reference_use_is_quiet() {
    let doc = read(
        "[a] [b][a] [not a link] [also not]\n\n[a]: https://example.org\n\n    [b]: in code\n\n[b]\n",
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(links_in(&doc.output), 2);
}

#[test]
fn many_short_references_within_the_budget_are_quiet() {
    let mut source = String::new();
    for _ in 0..2_000 {
        source.push_str("[x] ");
    }
    source.push_str("\n\n[x]: /u\n");
    let doc = read(&source);
    assert_eq!(links_in(&doc.output), 2_000);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}
