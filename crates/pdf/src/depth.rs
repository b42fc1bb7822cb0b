//! Whether a document is nested deeper than the model allows. The reader and the JSON loader
//! bound depth already; a document built in code may not have been, and Typst's parser would
//! fail on it, so `render` flattens such a document first.

use bindery_model::{Block, BlockKind, Inline, MAX_DEPTH};

enum Level<'a> {
    Blocks(&'a [Block]),
    Inlines(&'a [Inline]),
}

/// True when containers (quotes, lists, emphasis, links, notes...) nest more than
/// [`MAX_DEPTH`] levels anywhere. Iterative, so any depth is safe to inspect.
pub(crate) fn exceeds_model_limit(blocks: &[Block]) -> bool {
    let mut stack = vec![(Level::Blocks(blocks), 1)];
    while let Some((level, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return true;
        }
        let deeper = depth + 1;
        match level {
            Level::Blocks(blocks) => {
                for block in blocks {
                    push_block(block, depth, &mut stack);
                }
            }
            Level::Inlines(inlines) => {
                for inline in inlines {
                    match inline {
                        Inline::Emph(children)
                        | Inline::Strong(children)
                        | Inline::Strikeout(children)
                        | Inline::Subscript(children)
                        | Inline::Superscript(children)
                        | Inline::Mark(children)
                        | Inline::Underline(children)
                        | Inline::Keyboard(children)
                        | Inline::Span {
                            content: children, ..
                        }
                        | Inline::Link {
                            content: children, ..
                        }
                        | Inline::Image { alt: children, .. } => {
                            stack.push((Level::Inlines(children), deeper))
                        }
                        Inline::Note(blocks) => stack.push((Level::Blocks(blocks), deeper)),
                        Inline::Text(_)
                        | Inline::SoftBreak
                        | Inline::LineBreak
                        | Inline::Code(_)
                        | Inline::Raw { .. }
                        | Inline::Math { .. } => {}
                    }
                }
            }
        }
    }
    false
}

/// Pushes what `block` (at `depth`) holds: its inline content at the same depth, its child
/// blocks one level deeper.
fn push_block<'a>(block: &'a Block, depth: usize, stack: &mut Vec<(Level<'a>, usize)>) {
    let deeper = depth + 1;
    match &block.kind {
        BlockKind::Plain(content)
        | BlockKind::Para(content)
        | BlockKind::Heading { content, .. } => stack.push((Level::Inlines(content), depth)),
        BlockKind::BlockQuote(children)
        | BlockKind::Alert {
            blocks: children, ..
        }
        | BlockKind::Div {
            blocks: children, ..
        } => stack.push((Level::Blocks(children), deeper)),
        BlockKind::Figure {
            blocks: children,
            caption,
            ..
        } => {
            stack.push((Level::Inlines(caption), depth));
            stack.push((Level::Blocks(children), deeper));
        }
        BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
            for item in items {
                stack.push((Level::Blocks(&item.blocks), deeper));
            }
        }
        BlockKind::DefinitionList(items) => {
            for item in items {
                stack.push((Level::Inlines(&item.term), depth));
                for definition in &item.definitions {
                    stack.push((Level::Blocks(definition), deeper));
                }
            }
        }
        BlockKind::Table(table) => {
            for row in std::iter::once(&table.head).chain(&table.rows) {
                for cell in row {
                    stack.push((Level::Inlines(cell), depth));
                }
            }
        }
        BlockKind::CodeBlock { .. } | BlockKind::RawBlock { .. } | BlockKind::ThematicBreak => {}
    }
}

#[cfg(test)]
mod tests {
    use bindery_model::build::{block_quote, emph, para, text};

    use super::*;

    #[test]
    fn counts_blocks_and_inlines_together() {
        let mut inline = text("x");
        for _ in 0..MAX_DEPTH {
            inline = emph(vec![inline]);
        }
        assert!(exceeds_model_limit(&[para(vec![inline.clone()])]));
        let Inline::Emph(inner) = inline else {
            unreachable!()
        };
        assert!(!exceeds_model_limit(&[para(inner)]));

        let mut block = para(vec![text("x")]);
        for _ in 0..MAX_DEPTH - 1 {
            block = block_quote(vec![block]);
        }
        assert!(!exceeds_model_limit(std::slice::from_ref(&block)));
        assert!(exceeds_model_limit(&[block_quote(vec![block])]));
    }
}
