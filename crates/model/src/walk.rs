//! Exhaustive traversals (after pandoc's `Walk.hs`): every variant is named, so a new variant
//! breaks every traversal until it is handled.

use crate::{Block, BlockKind, Inline};

/// Calls `f` on every list of blocks in the tree, children before their parent's list.
///
/// `f` may rewrite the list (replace, insert or remove blocks); its result is not walked again.
pub fn walk_block_lists_mut(blocks: &mut Vec<Block>, f: &mut impl FnMut(&mut Vec<Block>)) {
    for block in blocks.iter_mut() {
        block.for_each_child_blocks_mut(&mut |children| walk_block_lists_mut(children, f));
        walk_own_inlines(block, &mut |inlines| {
            walk_notes_in(inlines, &mut |notes| walk_block_lists_mut(notes, f))
        });
    }
    f(blocks);
}

/// Calls `f` on every list of inlines in the tree (paragraphs, headings, cells, terms, link
/// texts, alt texts, notes), innermost first.
pub fn walk_inline_lists_mut(blocks: &mut [Block], f: &mut impl FnMut(&mut Vec<Inline>)) {
    for block in blocks.iter_mut() {
        block.for_each_child_blocks_mut(&mut |children| walk_inline_lists_mut(children, f));
        walk_own_inlines(block, &mut |inlines| walk_inlines_in(inlines, f));
    }
}

fn walk_inlines_in(inlines: &mut Vec<Inline>, f: &mut impl FnMut(&mut Vec<Inline>)) {
    for inline in inlines.iter_mut() {
        match inline {
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strikeout(c) => walk_inlines_in(c, f),
            Inline::Link { content, .. } => walk_inlines_in(content, f),
            Inline::Image { alt, .. } => walk_inlines_in(alt, f),
            Inline::Note(blocks) => walk_inline_lists_mut(blocks, f),
            Inline::Text(_)
            | Inline::SoftBreak
            | Inline::LineBreak
            | Inline::Code(_)
            | Inline::Raw { .. }
            | Inline::Math { .. } => {}
        }
    }
    f(inlines);
}

/// Finds the block lists inside notes, at any inline depth.
fn walk_notes_in(inlines: &mut [Inline], f: &mut impl FnMut(&mut Vec<Block>)) {
    for inline in inlines.iter_mut() {
        match inline {
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strikeout(c) => walk_notes_in(c, f),
            Inline::Link { content, .. } => walk_notes_in(content, f),
            Inline::Image { alt, .. } => walk_notes_in(alt, f),
            Inline::Note(blocks) => f(blocks),
            Inline::Text(_)
            | Inline::SoftBreak
            | Inline::LineBreak
            | Inline::Code(_)
            | Inline::Raw { .. }
            | Inline::Math { .. } => {}
        }
    }
}

/// Calls `f` on every inline list of `block` outside notes (whose blocks are separate lists):
/// its own lists and those nested in emphasis, links and alt texts, innermost first.
pub fn walk_own_inline_lists_mut(block: &mut Block, f: &mut impl FnMut(&mut Vec<Inline>)) {
    fn nested(inlines: &mut Vec<Inline>, f: &mut impl FnMut(&mut Vec<Inline>)) {
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Emph(c) | Inline::Strong(c) | Inline::Strikeout(c) => nested(c, f),
                Inline::Link { content, .. } => nested(content, f),
                Inline::Image { alt, .. } => nested(alt, f),
                Inline::Note(_)
                | Inline::Text(_)
                | Inline::SoftBreak
                | Inline::LineBreak
                | Inline::Code(_)
                | Inline::Raw { .. }
                | Inline::Math { .. } => {}
            }
        }
        f(inlines);
    }
    walk_own_inlines(block, &mut |inlines| nested(inlines, f));
}

/// Calls `f` on each inline list held directly by `block`.
fn walk_own_inlines(block: &mut Block, f: &mut impl FnMut(&mut Vec<Inline>)) {
    match &mut block.kind {
        BlockKind::Plain(c) | BlockKind::Para(c) | BlockKind::Heading { content: c, .. } => f(c),
        BlockKind::Table(t) => {
            for cell in t.head.iter_mut().chain(t.rows.iter_mut().flatten()) {
                f(cell);
            }
        }
        BlockKind::DefinitionList(items) => {
            for item in items {
                f(&mut item.term);
            }
        }
        BlockKind::CodeBlock { .. }
        | BlockKind::RawBlock { .. }
        | BlockKind::BlockQuote(_)
        | BlockKind::Alert { .. }
        | BlockKind::BulletList(_)
        | BlockKind::OrderedList { .. }
        | BlockKind::ThematicBreak => {}
    }
}
