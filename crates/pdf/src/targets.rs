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
    // Headings in footnotes too: a link to one is a link in every format.
    bindery_model::for_each_anchor_id(blocks, &mut |id| {
        if !labels.contains_key(id) {
            let label = format!("h{}", labels.len());
            labels.insert(id, label);
        }
    });
}

/// `%C3%BC` -> `ü`, for fragments written percent-encoded; invalid sequences stay as written.
pub(crate) fn percent_decode(s: &str) -> String {
    bindery_model::percent_decode(s).into_owned()
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
