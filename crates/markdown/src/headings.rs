//! Heading ids and the title taken from the first heading.
//!
//! Both run after `limit_depth`, so the recursion here is bounded by the model's depth limit.

use bindery_model::{Block, BlockKind, Ids, Inline, plain_text, slugify};

/// Gives every heading a GitHub-style id, unique in the document: `intro`, `intro-1`,
/// `intro-2`, in document order; a heading without letters or digits is a `section`.
/// Headings inside footnotes count too, where each note is placed. The ids come from the
/// model's allocator, which keeps `fn-N` and `fnref-N` for footnotes.
pub(crate) fn assign_ids(blocks: &mut [Block]) {
    let mut used = Ids::new();
    assign_in_blocks(blocks, &mut used);
}

fn assign_in_blocks(blocks: &mut [Block], used: &mut Ids) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Heading { attr, content, .. } => {
                // Notes in a heading come after the heading's own text in reading order.
                attr.id = used.claim(&slugify(&plain_text(content)), "section");
                assign_in_inlines(content, used);
            }
            BlockKind::Plain(content) | BlockKind::Para(content) => {
                assign_in_inlines(content, used)
            }
            BlockKind::Table(table) => {
                for cell in table.head.iter_mut().chain(table.rows.iter_mut().flatten()) {
                    assign_in_inlines(cell, used);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    assign_in_inlines(&mut item.term, used);
                    for definition in &mut item.definitions {
                        assign_in_blocks(definition, used);
                    }
                }
            }
            BlockKind::BlockQuote(children)
            | BlockKind::Alert {
                blocks: children, ..
            }
            | BlockKind::Div {
                blocks: children, ..
            } => assign_in_blocks(children, used),
            BlockKind::Figure {
                blocks: children,
                caption,
                ..
            } => {
                assign_in_blocks(children, used);
                assign_in_inlines(caption, used);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    assign_in_blocks(&mut item.blocks, used);
                }
            }
            BlockKind::CodeBlock { .. } | BlockKind::RawBlock { .. } | BlockKind::ThematicBreak => {
            }
        }
    }
}

fn assign_in_inlines(inlines: &mut [Inline], used: &mut Ids) {
    for inline in inlines {
        match inline {
            Inline::Note(blocks) => assign_in_blocks(blocks, used),
            other => {
                if let Some(children) = other.children_mut() {
                    assign_in_inlines(children, used);
                }
            }
        }
    }
}

/// The plain text of the first top-level level-1 heading that has any text.
pub(crate) fn first_title(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|block| {
        let BlockKind::Heading {
            level: 1, content, ..
        } = &block.kind
        else {
            return None;
        };
        Some(plain_text(content).trim().to_string()).filter(|t| !t.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery_model::build::*;

    fn ids(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Heading { attr, .. } => Some(attr.id.as_str()),
                BlockKind::Plain(_)
                | BlockKind::Para(_)
                | BlockKind::CodeBlock { .. }
                | BlockKind::RawBlock { .. }
                | BlockKind::BlockQuote(_)
                | BlockKind::Alert { .. }
                | BlockKind::Div { .. }
                | BlockKind::Figure { .. }
                | BlockKind::BulletList(_)
                | BlockKind::OrderedList { .. }
                | BlockKind::DefinitionList(_)
                | BlockKind::Table(_)
                | BlockKind::ThematicBreak => None,
            })
            .collect()
    }

    #[test]
    fn duplicates_get_numbered_suffixes() {
        let mut blocks = vec![
            heading(1, "", vec![text("Intro")]),
            heading(2, "", vec![text("Intro")]),
            heading(2, "", vec![text("intro")]),
            heading(2, "", vec![text("Intro 1")]),
            heading(2, "", vec![text("!!!")]),
            heading(2, "", vec![text("")]),
        ];
        assign_ids(&mut blocks);
        assert_eq!(
            ids(&blocks),
            [
                "intro",
                "intro-1",
                "intro-2",
                "intro-1-1",
                "section",
                "section-1"
            ]
        );
    }

    #[test]
    fn footnote_ids_are_not_given_to_headings() {
        let mut blocks = vec![
            heading(1, "", vec![text("fn-1")]),
            heading(2, "", vec![text("fn")]),
            heading(2, "", vec![text("fn")]),
            heading(2, "", vec![text("fnref 3")]),
        ];
        assign_ids(&mut blocks);
        assert_eq!(ids(&blocks), ["fn-1-1", "fn", "fn_1", "fnref-3-1"]);
    }
}
