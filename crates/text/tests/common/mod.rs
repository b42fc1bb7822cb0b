//! Helpers shared by the exact-output tests.

// Each test binary uses only some of the helpers.
#![allow(dead_code)]

use bindery_model::build::text;
use bindery_model::{Block, BlockKind, Document, Inline, ListDelim, ListItem, Metadata, Target};
use bindery_text::{Options, render};

pub fn doc(blocks: Vec<Block>) -> Document {
    Document {
        meta: Metadata::default(),
        blocks,
    }
}

pub fn text_at(columns: usize, blocks: Vec<Block>) -> String {
    let warned = render(&doc(blocks), &Options { columns });
    assert!(warned.warnings.is_empty(), "{:?}", warned.warnings);
    warned.output
}

pub fn ordered(start: u64, delim: ListDelim, items: Vec<Vec<Block>>) -> Block {
    BlockKind::OrderedList {
        start,
        delim,
        items: items
            .into_iter()
            .map(|blocks| ListItem {
                checked: None,
                blocks,
            })
            .collect(),
    }
    .into()
}

pub fn autolink(url: &str, shown: &str) -> Inline {
    Inline::Link {
        target: Target {
            url: url.into(),
            title: String::new(),
            span: None,
            attr: None,
        },
        content: vec![text(shown)],
        autolink: true,
    }
}

pub fn note(blocks: Vec<Block>) -> Inline {
    Inline::Note(blocks)
}
