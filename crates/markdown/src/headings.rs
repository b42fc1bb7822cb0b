//! Heading ids and the title taken from the first heading.
//!
//! Both run after `limit_depth`, so the recursion here is bounded by the model's depth limit.

use std::collections::{HashMap, HashSet};

use bindery_model::{Block, BlockKind, Inline, plain_text, slugify};

/// Gives every heading a GitHub-style id, unique in the document: `intro`, `intro-1`,
/// `intro-2`, in document order; a heading without letters or digits is a `section`.
/// Headings inside footnotes count too, where each note is placed.
pub(crate) fn assign_ids(blocks: &mut [Block]) {
    let mut used = Ids::default();
    assign_in_blocks(blocks, &mut used);
}

/// The ids given so far, and for each base the next suffix to try, so a thousand headings of
/// one name cost linear time.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

fn assign_in_blocks(blocks: &mut [Block], used: &mut Ids) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Heading { attr, content, .. } => {
                // Notes in a heading come after the heading's own text in reading order.
                let mut base = slugify(&plain_text(content));
                if base.is_empty() {
                    base = "section".to_string();
                }
                attr.id = unique(base, used);
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
            } => assign_in_blocks(children, used),
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
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strikeout(c) => {
                assign_in_inlines(c, used)
            }
            Inline::Link { content, .. } => assign_in_inlines(content, used),
            Inline::Image { alt, .. } => assign_in_inlines(alt, used),
            Inline::Text(_)
            | Inline::SoftBreak
            | Inline::LineBreak
            | Inline::Code(_)
            | Inline::Raw { .. }
            | Inline::Math { .. } => {}
        }
    }
}

/// `base`, or `base-1`, `base-2`... whichever is free first; the result is marked as used.
fn unique(base: String, ids: &mut Ids) -> String {
    let id = if ids.used.contains(&base) {
        let next = ids.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if !ids.used.contains(&candidate) {
                break candidate;
            }
        }
    } else {
        base
    };
    ids.used.insert(id.clone());
    id
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
}
