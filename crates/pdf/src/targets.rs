//! Where internal links can land: a Typst label for each heading id, and whether the body's
//! first heading is the document title itself.

use std::collections::BTreeMap;

use bindery_model::{Block, BlockKind, Document, plain_text};

/// How the document's headings map onto Typst: labels for link targets, and whether the first
/// heading is the title itself.
pub(crate) struct Headings<'a> {
    /// Heading id -> Typst label name. Labels are `hN` by document order, so any id (any
    /// script, any punctuation) gets a valid label.
    labels: BTreeMap<&'a str, String>,
    /// The body's first block repeats the title and is shown as the title block instead.
    pub(crate) title_folded: bool,
}

impl<'a> Headings<'a> {
    /// Collects heading ids (the first of duplicates wins) and decides whether the title and
    /// the first heading are one.
    pub(crate) fn new(document: &'a Document) -> Self {
        let mut labels = BTreeMap::new();
        collect_heading_ids(&document.blocks, &mut labels);
        let title_folded = match (document.meta.title.as_deref(), document.blocks.first()) {
            (Some(title), Some(first)) => match &first.kind {
                BlockKind::Heading { level, content, .. } => {
                    *level == 1 && plain_text(content).trim() == title.trim()
                }
                _ => false,
            },
            _ => false,
        };
        Self {
            labels,
            title_folded,
        }
    }

    /// The label of the folded first heading, to put on the title.
    pub(crate) fn title_label(&self, document: &Document) -> Option<&str> {
        if !self.title_folded {
            return None;
        }
        match &document.blocks.first()?.kind {
            BlockKind::Heading { attr, .. } => self.label(&attr.id),
            _ => None,
        }
    }

    pub(crate) fn label(&self, id: &str) -> Option<&str> {
        self.labels.get(id).map(String::as_str)
    }
}

fn collect_heading_ids<'a>(blocks: &'a [Block], labels: &mut BTreeMap<&'a str, String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { attr, .. } => {
                if !attr.id.is_empty() && !labels.contains_key(attr.id.as_str()) {
                    let label = format!("h{}", labels.len());
                    labels.insert(attr.id.as_str(), label);
                }
            }
            BlockKind::BlockQuote(children)
            | BlockKind::Alert {
                blocks: children, ..
            }
            | BlockKind::Div {
                blocks: children, ..
            } => collect_heading_ids(children, labels),
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    collect_heading_ids(&item.blocks, labels);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    for definition in &item.definitions {
                        collect_heading_ids(definition, labels);
                    }
                }
            }
            BlockKind::Plain(_)
            | BlockKind::Para(_)
            | BlockKind::CodeBlock { .. }
            | BlockKind::RawBlock { .. }
            | BlockKind::Table(_)
            | BlockKind::ThematicBreak => {}
        }
    }
}

/// `%C3%BC` -> `ü`, for fragments written percent-encoded; invalid sequences stay as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%C3%BCber"), "über");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
