//! Helpers shared by the exact-output tests: one syntect load, fragment options, builders.

// Each test binary uses only some of the helpers.
#![allow(dead_code)]

use std::sync::OnceLock;

use bindery_html::{Options, Resources, render};
use bindery_model::{Assets, Block, Document};

/// Syntect loads in tens of milliseconds; every test shares one, as the pipeline does.
pub fn resources() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(Resources::new)
}

pub fn fragment_options() -> Options {
    Options {
        standalone: false,
        highlight: false,
        heading_anchors: false,
        ..Options::default()
    }
}

pub fn doc(blocks: Vec<Block>) -> Document {
    Document {
        blocks,
        ..Document::default()
    }
}

/// The body alone, no highlighting, no anchors.
pub fn fragment(blocks: Vec<Block>) -> String {
    with(blocks, &fragment_options())
}

pub fn with(blocks: Vec<Block>, options: &Options) -> String {
    let warned = render(&doc(blocks), &Assets::new(), resources(), options);
    assert!(warned.warnings.is_empty(), "{:?}", warned.warnings);
    warned.output
}
