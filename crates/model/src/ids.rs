//! Element ids, answered once: every heading id comes from an [`Ids`] allocator, which never
//! hands out a name the writers use for footnotes ([`footnote_id`], [`footnote_ref_id`]), so
//! a heading `# fn-1` cannot collide with the first footnote on any page or chapter.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::walk::walk_inline_lists_mut;
use crate::{Block, BlockKind, Document, Inline, Span, Warning};

/// The id of the `n`th footnote of a page (numbered from 1): the writers' only other ids.
pub fn footnote_id(n: usize) -> String {
    format!("fn-{n}")
}

/// The id of the reference to the `n`th footnote of a page.
pub fn footnote_ref_id(n: usize) -> String {
    format!("fnref-{n}")
}

/// True for the ids [`footnote_id`] and [`footnote_ref_id`] make (`fn-3`, `fnref-12`): the
/// footnotes of every page are numbered from 1, so the whole pattern is kept for them.
pub fn is_reserved_id(id: &str) -> bool {
    ["fn-", "fnref-"].iter().any(|prefix| {
        id.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The ids of one document (or one book) given so far.
///
/// [`Ids::claim`] gives `base`, else `base-1`, `base-2`... whichever is free first and not
/// reserved for footnotes (`fn` and `fnref` go on as `fn_1`, `fn_2`..., since every `fn-N` is
/// reserved); it remembers the next suffix to try for each base, so a thousand headings of
/// one name cost linear time.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl Ids {
    /// An allocator with no id given yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `id` has been given.
    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// Marks `id` as used and returns true when it can be kept as it is: made of the
    /// characters [`Ids::claim`] keeps, not used yet and not a footnote's. The common case
    /// when checking ids, at the cost of one allocation.
    pub fn keep(&mut self, id: &str) -> bool {
        let well_formed = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        if !well_formed || is_reserved_id(id) || self.used.contains(id) {
            return false;
        }
        self.used.insert(id.to_string());
        true
    }

    /// A unique id made from `wanted` (`fallback` when `wanted` is empty), marked as used.
    ///
    /// Ids keep to letters and digits of every script, `-`, `_`, `.` and `:` (what slugs and
    /// pandoc's `sec:intro` ids use); any other character, white space included, becomes
    /// `-`. HTML allows more, but an id also goes into `href="#id"`, the EPUB's navigation and
    /// NCX, where quotes, `%`, `#` or `/` would need escaping everywhere it travels.
    pub fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        if self.keep(wanted) {
            return wanted.to_string();
        }
        let mut base: String = wanted
            .trim()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if base.is_empty() {
            base = fallback.to_string();
        }
        let free = |ids: &Self, id: &str| !ids.used.contains(id) && !is_reserved_id(id);
        let id = if free(self, &base) {
            base
        } else {
            // Every `fn-N` and `fnref-N` is a footnote's, so those two bases count with `_`.
            let separator = if matches!(base.as_str(), "fn" | "fnref") {
                '_'
            } else {
                '-'
            };
            let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
            let found = loop {
                let candidate = format!("{base}{separator}{n}");
                n += 1;
                if free(self, &candidate) {
                    break candidate;
                }
            };
            self.next_suffix.insert(base, n);
            found
        };
        self.used.insert(id.clone());
        id
    }
}

/// Checks the heading ids a document arrived with (from JSON, or assembled from parts):
/// each must be unique, made of the characters [`Ids::claim`] keeps, and not a footnote's. In document order, the
/// first heading to hold an id keeps it; later duplicates, and ids that are reserved or
/// malformed, get a new one from [`Ids::claim`]. Links to a renamed id that no heading keeps
/// (`#fn-1` to a heading `fn-1`) follow it. One warning when anything changed.
pub(crate) fn check_heading_ids(document: &mut Document) -> Option<Warning> {
    let mut ids = Ids::new();
    let mut changes = Changes::default();
    check_blocks(&mut document.blocks, &mut ids, &mut changes);
    if changes.count == 0 {
        return None;
    }
    // A renamed id that now names no element: links to it meant the renamed heading.
    changes.renamed.retain(|old, _| !ids.contains(old));
    if !changes.renamed.is_empty() {
        walk_inline_lists_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
            for inline in inlines {
                if let Inline::Link { target, .. } = inline
                    && let Some(new) = target
                        .url
                        .strip_prefix('#')
                        .and_then(|old| changes.renamed.get(old))
                {
                    target.url = format!("#{new}");
                }
            }
        });
    }
    let (old, new) = changes.first.unwrap_or_default();
    Some(
        Warning::new(
            format!(
                "{} ids of headings, code blocks or tables were duplicated, held characters \
                 ids cannot hold or were reserved for footnotes, and were changed (the first: \
                 `{old}` is now `{new}`)",
                changes.count
            ),
            changes.span,
        )
        .of_kind(crate::WarningKind::Repaired)
        .with_hint("ids of the form fn-N and fnref-N belong to footnotes"),
    )
}

#[derive(Default)]
struct Changes {
    count: usize,
    first: Option<(String, String)>,
    span: Option<Span>,
    /// Old id -> new id, for the first heading that held each old id.
    renamed: BTreeMap<String, String>,
}

/// Document order, notes where they are referenced (as the reader numbers headings). The
/// recursion is bounded by the model's depth limit.
fn check_blocks(blocks: &mut [Block], ids: &mut Ids, changes: &mut Changes) {
    for block in blocks {
        let span = block.span;
        if let Some(id) = block.anchor_id_mut()
            && !id.is_empty()
            && !ids.keep(id)
        {
            let new = ids.claim(id, "section");
            changes.count += 1;
            if changes.first.is_none() {
                changes.first = Some((id.clone(), new.clone()));
                changes.span = span;
            }
            changes
                .renamed
                .entry(std::mem::take(id))
                .or_insert_with(|| new.clone());
            *id = new;
        }
        match &mut block.kind {
            BlockKind::Heading { content, .. } => check_inlines(content, ids, changes),
            BlockKind::Plain(content) | BlockKind::Para(content) => {
                check_inlines(content, ids, changes)
            }
            BlockKind::Table(table) => {
                for cell in table.head.iter_mut().chain(table.rows.iter_mut().flatten()) {
                    check_inlines(cell, ids, changes);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    check_inlines(&mut item.term, ids, changes);
                    for definition in &mut item.definitions {
                        check_blocks(definition, ids, changes);
                    }
                }
            }
            BlockKind::BlockQuote(children)
            | BlockKind::Alert {
                blocks: children, ..
            }
            | BlockKind::Div {
                blocks: children, ..
            } => check_blocks(children, ids, changes),
            BlockKind::Figure {
                blocks: children,
                caption,
                ..
            } => {
                check_blocks(children, ids, changes);
                check_inlines(caption, ids, changes);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    check_blocks(&mut item.blocks, ids, changes);
                }
            }
            BlockKind::CodeBlock { .. } | BlockKind::RawBlock { .. } | BlockKind::ThematicBreak => {
            }
        }
    }
}

fn check_inlines(inlines: &mut [Inline], ids: &mut Ids, changes: &mut Changes) {
    for inline in inlines {
        match inline {
            Inline::Note(blocks) => check_blocks(blocks, ids, changes),
            other => {
                if let Some(children) = other.children_mut() {
                    check_inlines(children, ids, changes);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;

    #[test]
    fn footnote_ids_are_never_given_to_headings() {
        let mut ids = Ids::new();
        assert_eq!(ids.claim("fn-1", "section"), "fn-1-1");
        assert_eq!(ids.claim("fnref-2", "section"), "fnref-2-1");
        // `fn` twice would make `fn-1` by the suffix rule, and every `fn-N` is reserved.
        assert_eq!(ids.claim("fn", "section"), "fn");
        assert_eq!(ids.claim("fn", "section"), "fn_1");
        assert_eq!(ids.claim("fn_2", "section"), "fn_2");
        assert_eq!(ids.claim("fn", "section"), "fn_3");
        assert_eq!(ids.claim("fnref", "section"), "fnref");
        assert_eq!(ids.claim("fnref", "section"), "fnref_1");
        assert_eq!(ids.claim("fn-x", "section"), "fn-x");
        assert!(is_reserved_id(&footnote_id(7)));
        assert!(is_reserved_id(&footnote_ref_id(12)));
        assert!(!is_reserved_id("fn-"));
        assert!(!is_reserved_id("fn-1a"));
    }

    #[test]
    fn white_space_punctuation_and_empty_ids_are_mended() {
        let mut ids = Ids::new();
        assert_eq!(ids.claim(" a b\tc ", "section"), "a-b-c");
        assert_eq!(ids.claim("a\"b<c>&d%e/f#g", "section"), "a-b-c--d-e-f-g");
        assert_eq!(
            ids.claim("über-straße_日本.v2:x", "section"),
            "über-straße_日本.v2:x"
        );
        assert_eq!(ids.claim("", "section"), "section");
        assert!(ids.keep("kept:as.is_1"));
        assert!(!ids.keep("kept:as.is_1"), "already used");
        assert!(!ids.keep("fn-3"), "a footnote's");
        assert!(!ids.keep("a b"), "white space");
        assert!(!ids.keep(""));
        assert_eq!(ids.claim("  ", "section"), "section-1");
    }

    #[test]
    fn duplicates_keep_the_first_and_renamed_targets_are_followed() {
        let mut doc = Document {
            blocks: vec![
                heading(1, "fn-1", vec![text("A")]),
                heading(2, "dup", vec![text("B")]),
                heading(2, "dup", vec![text("C")]),
                para(vec![
                    link("#fn-1", vec![text("to A")]),
                    link("#dup", vec![text("to B")]),
                ]),
            ],
            ..Document::default()
        };
        let warning = check_heading_ids(&mut doc).unwrap();
        assert!(
            warning.message.starts_with("2 ids of headings"),
            "{warning:?}"
        );
        assert!(warning.message.contains("`fn-1` is now `fn-1-1`"));
        assert_eq!(doc.blocks[0], heading(1, "fn-1-1", vec![text("A")]));
        assert_eq!(doc.blocks[1], heading(2, "dup", vec![text("B")]));
        assert_eq!(doc.blocks[2], heading(2, "dup-1", vec![text("C")]));
        assert_eq!(
            doc.blocks[3],
            para(vec![
                link("#fn-1-1", vec![text("to A")]),
                link("#dup", vec![text("to B")]),
            ])
        );
        // A second pass finds nothing to do.
        assert!(check_heading_ids(&mut doc).is_none());
    }
}
