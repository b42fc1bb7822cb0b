//! Helpers shared by the reader's integration tests.

#![allow(dead_code)]

use bindery_markdown::{Dialect, ReadOptions, parse};
use bindery_model::{Block, Document, Warned};

/// Parses Markdown-dialect source, panicking on a front matter error.
pub fn read(source: &str) -> Warned<Document> {
    parse(source, &ReadOptions::default()).expect("parses")
}

/// Parses in the strict CommonMark dialect.
pub fn read_commonmark(source: &str) -> Warned<Document> {
    let options = ReadOptions {
        dialect: Dialect::CommonMark,
        file_name: None,
    };
    parse(source, &options).expect("parses")
}

/// Removes every span: blocks', links' and images', in footnotes too.
pub fn strip(mut blocks: Vec<Block>) -> Vec<Block> {
    bindery_model::walk_spans_mut(&mut blocks, &mut |span| *span = None);
    blocks
}

/// The body of a Markdown-dialect document with spans stripped.
pub fn blocks(source: &str) -> Vec<Block> {
    strip(read(source).output.blocks)
}

/// The body of a CommonMark-dialect document with spans stripped.
pub fn commonmark_blocks(source: &str) -> Vec<Block> {
    strip(read_commonmark(source).output.blocks)
}

/// Runs `f` on a thread with a 256 KiB stack, as small as a worker thread might have.
pub fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow or panic");
}
