//! The seed article (a copy of `/work/shared/seeds/000_e4f0220eb1f8b319.txt`): bare URLs in parentheses and a parenthesis broken over two lines.

mod common;

use bindery_model::{BlockKind, Inline, Target, plain_text};

const SEED: &str = include_str!("fixtures/seed_000.txt");

fn para_content(block: &bindery_model::Block) -> Option<&Vec<Inline>> {
    if let BlockKind::Para(content) = &block.kind {
        Some(content)
    } else {
        None
    }
}

fn inlines(doc: &bindery_model::Document) -> Vec<&Inline> {
    doc.blocks
        .iter()
        .filter_map(para_content)
        .flatten()
        .collect()
}

#[test]
fn bare_urls_become_autolinks_without_the_closing_parenthesis() {
    let doc = common::read(SEED);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let links: Vec<&str> = inlines(&doc.output)
        .into_iter()
        .filter_map(|i| {
            let Inline::Link {
                target: Target { url, .. },
                content,
                autolink: true,
            } = i
            else {
                return None;
            };
            assert_eq!(plain_text(content), *url);
            Some(url.as_str())
        })
        .collect();
    assert_eq!(
        links,
        [
            "https://en.wikipedia.org/wiki/Dissolution_of_the_Soviet_Union",
            "https://www.youngpioneertours.com/cuba-and-north-korea/",
        ]
    );
}

#[test]
fn text_around_the_links_is_intact() {
    let doc = common::read(SEED);
    let all: String = doc
        .output
        .blocks
        .iter()
        .filter_map(para_content)
        .map(|c| plain_text(c))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("Syria (now unclear), and Cuba (https://www.youngpioneertours.com/cuba-and-north-korea/), which"), "{all}");
    assert!(
        all.contains("in 1991 (https://en.wikipedia.org/wiki/Dissolution_of_the_Soviet_Union) and")
    );
    assert!(
        inlines(&doc.output)
            .iter()
            .any(|i| matches!(i, Inline::Text(t) if t.ends_with("Syria (now")))
    );
    assert!(
        inlines(&doc.output)
            .iter()
            .any(|i| matches!(i, Inline::Text(t) if t.starts_with("unclear), and Cuba (")))
    );
    assert_eq!(doc.output.meta.title.as_deref(), None);
}
