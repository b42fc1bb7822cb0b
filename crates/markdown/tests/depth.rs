//! Untrusted input nests 10,000 deep: reading it must not overflow even a small stack, and
//! the result is bounded to the model's depth limit.

mod common;

use bindery_model::{
    AlertKind, Block, BlockKind, Inline, MAX_DEPTH, plain_text, walk_inline_lists_mut,
};
use common::{on_small_stack, read};

fn quote_depth(blocks: &[Block]) -> usize {
    let mut depth = 0;
    let mut blocks = blocks;
    while let Some(Block {
        kind: BlockKind::BlockQuote(inner),
        ..
    }) = blocks.first()
    {
        depth += 1;
        blocks = inner;
    }
    depth
}

#[test]
fn ten_thousand_nested_quotes_are_flattened_on_a_small_stack() {
    on_small_stack(|| {
        let source = format!("{}deep", "> ".repeat(10_000));
        let doc = read(&source);
        assert_eq!(quote_depth(&doc.output.blocks), MAX_DEPTH);
        assert!(
            doc.warnings.iter().any(|w| w.message.contains("flattened")),
            "{:?}",
            doc.warnings
        );
    });
}

#[test]
fn ten_thousand_nested_mixed_list_items_parse_on_a_small_stack() {
    on_small_stack(|| {
        // Bullet and ordered items alternate; indenting each on its own line instead would
        // make the input quadratic in the depth.
        let source = format!("{}x\n", "- 1. ".repeat(5_000));
        let doc = read(&source);
        assert!(!doc.output.blocks.is_empty());
        assert!(doc.warnings.iter().any(|w| w.message.contains("flattened")));
    });
}

#[test]
fn ten_thousand_nested_list_markers_on_one_line_parse_on_a_small_stack() {
    on_small_stack(|| {
        let source = format!("{}x", "- ".repeat(10_000));
        let doc = read(&source);
        assert!(!doc.output.blocks.is_empty());
        assert!(doc.warnings.iter().any(|w| w.message.contains("flattened")));
    });
}

#[test]
fn twenty_thousand_nested_emphasis_keeps_its_text_on_a_small_stack() {
    on_small_stack(|| {
        let source = format!("{}a{}", "*".repeat(20_000), "*".repeat(20_000));
        let doc = read(&source);
        let [block] = doc.output.blocks.as_slice() else {
            panic!("one paragraph");
        };
        let BlockKind::Para(content) = &block.kind else {
            panic!("a paragraph: {block:?}");
        };
        assert_eq!(plain_text(content), "a");
    });
}

#[test]
fn thirty_two_nested_quotes_survive_intact() {
    let source = format!("{}deep", "> ".repeat(MAX_DEPTH));
    let doc = read(&source);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(quote_depth(&doc.output.blocks), MAX_DEPTH);
    let mut blocks = &doc.output.blocks;
    for _ in 0..MAX_DEPTH {
        let BlockKind::BlockQuote(inner) = &blocks[0].kind else {
            unreachable!()
        };
        blocks = inner;
    }
    assert!(matches!(&blocks[0].kind, BlockKind::Para(c) if c == &[Inline::Text("deep".into())]));
}

#[test]
fn other_pathological_shapes_parse_on_a_small_stack() {
    on_small_stack(|| {
        let mut chain = String::from("start[^n0]\n\n");
        for i in 0..5_000 {
            chain.push_str(&format!("[^n{i}]: note[^n{}]\n\n", i + 1));
        }
        let cases = [
            format!("{}x{}", "[".repeat(10_000), "](u)".repeat(10_000)),
            format!("{}x{}", "![".repeat(10_000), "](u)".repeat(10_000)),
            format!("{}x", "> - ".repeat(5_000)),
            format!("{}x", "> 1. ".repeat(5_000)),
            format!("{}x{}", "~~".repeat(10_000), "~~".repeat(10_000)),
            format!("{}x{}", "**_".repeat(7_000), "_**".repeat(7_000)),
            format!("{}x{}", "<a>".repeat(10_000), "</a>".repeat(10_000)),
            format!("|{}\n|{}\n", "a|".repeat(10_000), "-|".repeat(10_000)),
            format!("{}\n", "[^x]".repeat(10_000)),
            chain,
        ];
        for source in cases {
            let doc = read(&source);
            assert!(!doc.output.blocks.is_empty());
        }
    });
}

/// Every `Text` in the document, in order.
fn all_text(mut blocks: Vec<Block>) -> String {
    let mut text = String::new();
    walk_inline_lists_mut(&mut blocks, &mut |inlines| {
        for inline in inlines.iter() {
            if let Inline::Text(s) = inline {
                text.push_str(s);
            }
        }
    });
    text
}

#[test]
fn a_long_quote_run_then_emphasis_keeps_every_word_on_a_small_stack() {
    // cmark's pathological `">" * n + "a*" * n`, which made comrak's alert scan quadratic.
    on_small_stack(|| {
        let n = 10_000;
        let source = format!("{}{}", ">".repeat(n), "a*".repeat(n));
        let doc = read(&source);
        assert_eq!(quote_depth(&doc.output.blocks), MAX_DEPTH);
        let text = all_text(doc.output.blocks);
        assert_eq!(text.matches('a').count(), n, "every word is kept");
        let messages: Vec<_> = doc.warnings.iter().map(|w| w.message.as_str()).collect();
        // No alert in the source, so only the flattening is reported.
        assert!(
            matches!(messages.as_slice(), [m] if m.contains("flattened")),
            "{messages:?}"
        );
    });
}

#[test]
fn alerts_stay_alerts_beside_short_quote_runs() {
    let source = format!("> [!NOTE]\n> hi\n\n{}deep\n", ">".repeat(2 * MAX_DEPTH));
    let doc = read(&source);
    assert!(
        matches!(
            &doc.output.blocks[0].kind,
            BlockKind::Alert {
                kind: AlertKind::Note,
                ..
            }
        ),
        "{:?}",
        doc.output.blocks[0]
    );
    assert!(!doc.warnings.iter().any(|w| w.message.contains("alerts")));
}

#[test]
fn a_very_long_quote_run_turns_alerts_into_quotes_with_a_warning() {
    let source = format!("> [!NOTE]\n> hi\n\n{}deep\n", ">".repeat(10_000));
    let doc = read(&source);
    let BlockKind::BlockQuote(inner) = &doc.output.blocks[0].kind else {
        panic!("a plain block quote: {:?}", doc.output.blocks[0]);
    };
    // Nothing is lost: the marker is kept as text.
    assert_eq!(all_text(inner.clone()), "[!NOTE]hi");
    let warning = doc
        .warnings
        .iter()
        .find(|w| w.message.contains("alerts"))
        .expect("an alerts warning");
    assert_eq!(warning.span.map(|s| (s.line, s.col)), Some((4, 1)));
}
