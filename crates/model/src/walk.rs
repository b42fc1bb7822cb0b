//! Exhaustive traversals (after pandoc's `Walk.hs`): every variant is named, so a new variant
//! breaks every traversal until it is handled.

use crate::{Block, BlockKind, Inline, Span};

/// Calls `f` on every list of blocks in the tree, children before their parent's list.
///
/// `f` may rewrite the list (replace, insert or remove blocks); its result is not walked again.
pub fn walk_block_lists_mut(blocks: &mut Vec<Block>, f: &mut impl FnMut(&mut Vec<Block>)) {
    for block in blocks.iter_mut() {
        block.for_each_child_blocks_mut(&mut |children| walk_block_lists_mut(children, f));
        block.for_each_own_inlines_mut(&mut |inlines| {
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
        block.for_each_own_inlines_mut(&mut |inlines| walk_inlines_in(inlines, f));
    }
}

fn walk_inlines_in(inlines: &mut Vec<Inline>, f: &mut impl FnMut(&mut Vec<Inline>)) {
    for inline in inlines.iter_mut() {
        if let Inline::Note(blocks) = inline {
            walk_inline_lists_mut(blocks, f);
        } else if let Some(children) = inline.children_mut() {
            walk_inlines_in(children, f);
        }
    }
    f(inlines);
}

/// Finds the block lists inside notes, at any inline depth.
fn walk_notes_in(inlines: &mut [Inline], f: &mut impl FnMut(&mut Vec<Block>)) {
    for inline in inlines.iter_mut() {
        if let Inline::Note(blocks) = inline {
            f(blocks);
        } else if let Some(children) = inline.children_mut() {
            walk_notes_in(children, f);
        }
    }
}

/// Calls `f` on every inline list of `block` outside notes (whose blocks are separate lists):
/// its own lists and those nested in emphasis, links and alt texts, innermost first.
pub fn walk_own_inline_lists_mut(block: &mut Block, f: &mut impl FnMut(&mut Vec<Inline>)) {
    fn nested(inlines: &mut Vec<Inline>, f: &mut impl FnMut(&mut Vec<Inline>)) {
        for inline in inlines.iter_mut() {
            if let Some(children) = inline.children_mut() {
                nested(children, f);
            }
        }
        f(inlines);
    }
    block.for_each_own_inlines_mut(&mut |inlines| nested(inlines, f));
}

/// Calls `f` on every source span in the tree: each block's, link's, image's and formula's
/// (notes included), for moving a chapter's spans into a book's lines or removing them all.
pub fn walk_spans_mut(blocks: &mut Vec<Block>, f: &mut impl FnMut(&mut Option<Span>)) {
    walk_inline_lists_mut(blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Link { target, .. } | Inline::Image { target, .. } => f(&mut target.span),
                Inline::Math { span, .. } | Inline::Raw { span, .. } => f(span),
                _ => {}
            }
        }
    });
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            f(&mut block.span);
        }
    });
}

/// Calls `f` with every inline of the tree, at any depth, notes included, each before the
/// inlines inside it: the read-only walk for questions about a document's inline content
/// (which links it holds, say).
pub fn for_each_inline<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a Inline)) {
    // The blocks of a note are visited by `for_each_block`, below.
    fn inlines<'a>(list: &'a [Inline], f: &mut impl FnMut(&'a Inline)) {
        for inline in list {
            f(inline);
            if let Some(children) = inline.children() {
                inlines(children, f);
            }
        }
    }
    for_each_block(blocks, &mut |block: &'a Block| {
        block.for_each_own_inlines(&mut |list| inlines(list, f));
    });
}

/// Calls `f` with every anchor id, in document order, notes included (a heading in a footnote
/// is a link target too): the ids of headings, code blocks and tables (the elements that may
/// hold one, see [`Attr`](crate::Attr)). The one answer the writers share to "where may an
/// internal link land?".
pub fn for_each_anchor_id<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a str)) {
    for_each_block(blocks, &mut |block: &'a Block| {
        if let Some(id) = block.anchor_id() {
            f(id);
        }
    });
}

/// Calls `f` with every block of the tree, notes included, each before the blocks inside it:
/// the read-only walk for questions about a document (which code blocks it holds, say).
pub fn for_each_block<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a Block)) {
    for block in blocks {
        f(block);
        match &block.kind {
            BlockKind::BlockQuote(children)
            | BlockKind::Alert {
                blocks: children, ..
            }
            | BlockKind::Div {
                blocks: children, ..
            } => for_each_block(children, f),
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                for_each_block(blocks, f);
                blocks_in_notes(caption, f);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    for_each_block(&item.blocks, f);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    blocks_in_notes(&item.term, f);
                    for definition in &item.definitions {
                        for_each_block(definition, f);
                    }
                }
            }
            BlockKind::Plain(c) | BlockKind::Para(c) | BlockKind::Heading { content: c, .. } => {
                blocks_in_notes(c, f)
            }
            BlockKind::Table(t) => {
                for cell in t.head.iter().chain(t.rows.iter().flatten()) {
                    blocks_in_notes(cell, f);
                }
            }
            BlockKind::CodeBlock { .. } | BlockKind::RawBlock { .. } | BlockKind::ThematicBreak => {
            }
        }
    }
}

/// [`for_each_block`] over the notes inside `inlines`, at any inline depth.
fn blocks_in_notes<'a>(inlines: &'a [Inline], f: &mut impl FnMut(&'a Block)) {
    for inline in inlines {
        if let Inline::Note(blocks) = inline {
            for_each_block(blocks, f);
        } else if let Some(children) = inline.children() {
            blocks_in_notes(children, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Table;
    use crate::build::{block_quote, bullet_list, code_block, emph, para, text};

    /// Every block is met once, parents first, including those in notes inside table cells,
    /// emphasis, lists and quotes.
    #[test]
    fn for_each_block_meets_every_block_and_the_notes() {
        let note = |code: &str| Inline::Note(vec![code_block(Some("c"), code)]);
        let blocks = vec![
            code_block(None, "1"),
            block_quote(vec![bullet_list(vec![vec![code_block(None, "2")]])]),
            para(vec![text("x"), emph(vec![note("3")])]),
            BlockKind::Table(Table {
                aligns: Vec::new(),
                head: vec![vec![note("4")]],
                rows: vec![vec![vec![note("5")]]],
                ..Table::default()
            })
            .into(),
        ];
        let mut code = Vec::new();
        let mut count = 0;
        for_each_block(&blocks, &mut |block| {
            count += 1;
            if let BlockKind::CodeBlock { text, .. } = &block.kind {
                code.push(text.as_str());
            }
        });
        assert_eq!(code, ["1", "2", "3", "4", "5"]);
        // 4 top-level blocks, the list and its code, and 3 notes' code blocks.
        assert_eq!(count, 4 + 2 + 3);
    }
}
