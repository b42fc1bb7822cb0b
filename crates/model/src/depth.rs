//! Bounding nesting depth once, so every later recursion is safe on untrusted input.

use crate::{Block, BlockKind, Document, Inline, Span, Warning};

/// The deepest nesting kept: 32 levels of containers (block quotes, list items, emphasis...).
pub const MAX_DEPTH: usize = 32;

/// Flattens structure nested deeper than [`MAX_DEPTH`]; returns a warning when it did.
///
/// A container at the limit keeps its content but not the containers inside it: their
/// children are spliced in their place (quotes and lists unwrap to their blocks, emphasis to its
/// text, a link to its text). The descent stops at the limit and the splicing beyond it is
/// iterative, so a tree of any depth is handled without deep recursion; the emptied shells are
/// dropped without recursion too.
pub fn limit_depth(document: &mut Document) -> Option<Warning> {
    let mut first_hit = None;
    let mut hit = false;
    limit_blocks(
        &mut document.blocks,
        1,
        None,
        &mut Hit {
            hit: &mut hit,
            span: &mut first_hit,
        },
    );
    hit.then(|| {
        Warning::new(
            format!("nesting deeper than {MAX_DEPTH} levels was flattened"),
            first_hit,
        )
        .of_kind(crate::WarningKind::Dropped)
        .with_hint(
            "deeper block quotes, lists and emphasis keep their text but lose their structure",
        )
    })
}

struct Hit<'a> {
    hit: &'a mut bool,
    span: &'a mut Option<Span>,
}

impl Hit<'_> {
    fn record(&mut self, span: Option<Span>) {
        if !*self.hit {
            *self.hit = true;
            *self.span = span;
        }
    }
}

/// `blocks` sit at `depth`; a container at `MAX_DEPTH` may only hold leaf blocks.
fn limit_blocks(blocks: &mut [Block], depth: usize, parent: Option<Span>, hit: &mut Hit) {
    for block in blocks.iter_mut() {
        let span = block.span.or(parent);
        limit_leaf_inlines(block, depth, span, hit);
        if depth >= MAX_DEPTH {
            block.for_each_child_blocks_mut(&mut |children| {
                if children.iter().any(is_container) {
                    hit.record(span);
                    *children = flatten_blocks(std::mem::take(children));
                }
                for child in children.iter_mut() {
                    limit_leaf_inlines(child, depth + 1, span, hit);
                }
            });
        } else {
            block.for_each_child_blocks_mut(&mut |children| {
                limit_blocks(children, depth + 1, span, hit)
            });
        }
    }
}

fn is_container(block: &Block) -> bool {
    match &block.kind {
        BlockKind::BlockQuote(_)
        | BlockKind::Alert { .. }
        | BlockKind::Div { .. }
        | BlockKind::Figure { .. }
        | BlockKind::BulletList(_)
        | BlockKind::OrderedList { .. }
        | BlockKind::DefinitionList(_) => true,
        BlockKind::Plain(_)
        | BlockKind::Para(_)
        | BlockKind::Heading { .. }
        | BlockKind::CodeBlock { .. }
        | BlockKind::RawBlock { .. }
        | BlockKind::Table(_)
        | BlockKind::ThematicBreak => false,
    }
}

/// Replaces every container by its content, in order, without recursion.
fn flatten_blocks(blocks: Vec<Block>) -> Vec<Block> {
    let mut out = Vec::new();
    let mut stack: Vec<Block> = blocks.into_iter().rev().collect();
    while let Some(block) = stack.pop() {
        let span = block.span;
        match block.kind {
            BlockKind::BlockQuote(children)
            | BlockKind::Alert {
                blocks: children, ..
            }
            | BlockKind::Div {
                blocks: children, ..
            } => stack.extend(children.into_iter().rev()),
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items.into_iter().rev() {
                    stack.extend(item.blocks.into_iter().rev());
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items.into_iter().rev() {
                    for def in item.definitions.into_iter().rev() {
                        stack.extend(def.into_iter().rev());
                    }
                    stack.push(Block {
                        kind: BlockKind::Para(item.term),
                        span,
                    });
                }
            }
            kind => out.push(Block { kind, span }),
        }
    }
    out
}

/// Bounds the inline content held directly by `block` (at block depth `depth`).
fn limit_leaf_inlines(block: &mut Block, depth: usize, span: Option<Span>, hit: &mut Hit) {
    block.for_each_own_inlines_mut(&mut |inlines| limit_inlines(inlines, depth, 1, span, hit));
}

/// `inlines` sit at inline depth `depth` inside a block at `block_depth`. Inline nesting has
/// its own budget of [`MAX_DEPTH`]; a note's blocks continue at `block_depth + depth`, so the
/// total recursion stays bounded.
fn limit_inlines(
    inlines: &mut Vec<Inline>,
    block_depth: usize,
    depth: usize,
    span: Option<Span>,
    hit: &mut Hit,
) {
    if depth > MAX_DEPTH && inlines.iter().any(is_inline_container) {
        hit.record(span);
        *inlines = flatten_inlines(std::mem::take(inlines));
        return;
    }
    for inline in inlines.iter_mut() {
        match inline {
            // A note continues the count: notes inside notes (possible in JSON input) must
            // not recurse without bound, so past the limit a note becomes its text.
            Inline::Note(blocks) if block_depth + depth >= MAX_DEPTH => {
                hit.record(span);
                let text = into_text(std::mem::take(blocks));
                *inline = Inline::Text(format!(" ({text})"));
            }
            Inline::Note(blocks) => limit_blocks(blocks, block_depth + depth, span, hit),
            other => {
                if let Some(children) = other.children_mut() {
                    limit_inlines(children, block_depth, depth + 1, span, hit);
                }
            }
        }
    }
}

fn is_inline_container(inline: &Inline) -> bool {
    matches!(inline, Inline::Note(_)) || inline.children().is_some()
}

/// Replaces every inline container by its content; an image by its alt text, a note by its
/// text in parentheses.
fn flatten_inlines(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut stack: Vec<Inline> = inlines.into_iter().rev().collect();
    while let Some(inline) = stack.pop() {
        match inline.into_children() {
            Ok(children) => stack.extend(children.into_iter().rev()),
            Err(Inline::Note(blocks)) => {
                out.push(Inline::Text(format!(" ({})", into_text(blocks))))
            }
            Err(leaf) => out.push(leaf),
        }
    }
    out
}

/// The text of `blocks`, notes included, taking the tree apart as it goes: neither the walk
/// nor the drop of what is consumed recurses, whatever the depth.
pub(crate) fn into_text(blocks: Vec<Block>) -> String {
    enum Item {
        Block(Block),
        Inline(Inline),
    }
    let mut out = String::new();
    let mut stack: Vec<Item> = blocks.into_iter().rev().map(Item::Block).collect();
    while let Some(item) = stack.pop() {
        match item {
            Item::Block(block) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                match block.kind {
                    BlockKind::Plain(c)
                    | BlockKind::Para(c)
                    | BlockKind::Heading { content: c, .. } => {
                        stack.extend(c.into_iter().rev().map(Item::Inline))
                    }
                    BlockKind::CodeBlock { text, .. } | BlockKind::RawBlock { text, .. } => {
                        out.push_str(text.trim_end())
                    }
                    BlockKind::BlockQuote(b)
                    | BlockKind::Alert { blocks: b, .. }
                    | BlockKind::Div { blocks: b, .. } => {
                        stack.extend(b.into_iter().rev().map(Item::Block))
                    }
                    BlockKind::Figure {
                        blocks: b, caption, ..
                    } => {
                        stack.push(Item::Block(BlockKind::Plain(caption).into()));
                        stack.extend(b.into_iter().rev().map(Item::Block));
                    }
                    BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                        for item in items.into_iter().rev() {
                            stack.extend(item.blocks.into_iter().rev().map(Item::Block));
                        }
                    }
                    BlockKind::DefinitionList(items) => {
                        for item in items.into_iter().rev() {
                            for def in item.definitions.into_iter().rev() {
                                stack.extend(def.into_iter().rev().map(Item::Block));
                            }
                            stack.push(Item::Block(BlockKind::Plain(item.term).into()));
                        }
                    }
                    BlockKind::Table(t) => {
                        for row in std::iter::once(t.head).chain(t.rows).rev() {
                            for cell in row.into_iter().rev() {
                                stack.push(Item::Block(BlockKind::Plain(cell).into()));
                            }
                        }
                    }
                    BlockKind::ThematicBreak => {}
                }
            }
            Item::Inline(inline) => match inline {
                Inline::Text(s) | Inline::Code(s) => out.push_str(&s),
                Inline::Math { tex, .. } => out.push_str(&tex),
                Inline::Raw { text, .. } => out.push_str(&text),
                Inline::SoftBreak | Inline::LineBreak => out.push(' '),
                Inline::Note(blocks) => stack.extend(blocks.into_iter().rev().map(Item::Block)),
                nested => {
                    if let Ok(children) = nested.into_children() {
                        stack.extend(children.into_iter().rev().map(Item::Inline));
                    }
                }
            },
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;

    fn nested_quotes(levels: usize) -> Document {
        let mut block = para(vec![emph(vec![text("deep")])]);
        for _ in 0..levels {
            block = BlockKind::BlockQuote(vec![block]).into();
        }
        Document {
            blocks: vec![block],
            ..Document::default()
        }
    }

    fn quote_depth(doc: &Document) -> usize {
        let mut depth = 0;
        let mut blocks = &doc.blocks;
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
    fn thirty_two_levels_survive_untouched() {
        let mut doc = nested_quotes(MAX_DEPTH);
        let before = doc.clone();
        assert_eq!(limit_depth(&mut doc), None);
        assert_eq!(doc, before);
    }

    #[test]
    fn deeper_structure_is_flattened_with_a_warning() {
        let mut doc = nested_quotes(MAX_DEPTH + 5);
        let warning = limit_depth(&mut doc).expect("a warning");
        assert!(warning.message.contains("32"));
        assert_eq!(quote_depth(&doc), MAX_DEPTH);
        assert_eq!(into_text(doc.blocks.clone()), "deep");
    }

    #[test]
    fn ten_thousand_levels_do_not_overflow_the_stack() {
        // Run on a small stack, as a rayon worker would have, to prove nothing recurses deeply.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut doc = nested_quotes(10_000);
                assert!(limit_depth(&mut doc).is_some());
                assert_eq!(quote_depth(&doc), MAX_DEPTH);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn chains_of_notes_are_bounded() {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut block = para(vec![text("end")]);
                for _ in 0..5_000 {
                    block = para(vec![text("x"), Inline::Note(vec![block])]);
                }
                let mut doc = Document {
                    blocks: vec![block],
                    ..Document::default()
                };
                assert!(limit_depth(&mut doc).is_some());
                let text = into_text(doc.blocks.clone());
                assert!(text.contains("end"), "the innermost text survives: {text}");
                // Dropping the leftover shells must not recurse either.
                drop(doc);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn deep_emphasis_keeps_its_text() {
        let mut inl = vec![text("x")];
        for _ in 0..100 {
            inl = vec![strong(inl)];
        }
        let mut doc = Document {
            blocks: vec![para(inl)],
            ..Document::default()
        };
        assert!(limit_depth(&mut doc).is_some());
        assert_eq!(into_text(doc.blocks.clone()), "x");
    }
}
