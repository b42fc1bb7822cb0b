//! Footnotes converted in place of each citation (pandoc's inline `Note`), bounded in nesting
//! and in total copies.

use bindery_model::{Inline, Span};
use comrak::Node;

use super::assemble::Built;
use super::{Converter, Entered, Frame};

/// How many footnotes may sit inside one another. Each note restarts the model's inline depth
/// count, so a chain of notes citing notes is bounded here, where it is built:
/// `bindery_model::limit_depth` recurses once per note.
const MAX_NOTE_NESTING: usize = 4;

/// A footnote definition in comrak's tree, converted anew at each citation.
pub(super) struct FootnoteDefinition<'a> {
    node: Node<'a>,
    /// True while the definition is being expanded, to catch notes that cite themselves.
    open: bool,
}

impl<'a> FootnoteDefinition<'a> {
    pub(super) fn new(node: Node<'a>) -> Self {
        Self { node, open: false }
    }
}

impl<'a> Converter<'a> {
    /// Ends the expansion of footnote `name`.
    pub(super) fn close_note(&mut self, name: &str) {
        self.open_notes -= 1;
        if let Some(definition) = self.footnotes.get_mut(name) {
            definition.open = false;
        }
    }

    /// Opens the definition of footnote `name` to be converted in place of its reference.
    pub(super) fn enter_note(&mut self, name: String, span: Option<Span>) -> Entered<'a> {
        let as_text = |name: &str| Entered::Leaf(Built::Inline(Inline::Text(format!("[^{name}]"))));
        let Some(definition) = self.footnotes.get_mut(&name) else {
            // comrak only builds references to defined notes; keep the text if that changes.
            return as_text(&name);
        };
        if definition.open {
            self.warn(
                bindery_model::WarningKind::Dropped,
                format!("footnote [^{name}] cites itself; the inner citation was left as text"),
                span,
                None,
            );
            return as_text(&name);
        }
        if self.open_notes >= MAX_NOTE_NESTING {
            self.warn(
                bindery_model::WarningKind::Dropped,
                format!(
                    "footnote [^{name}] is cited inside {MAX_NOTE_NESTING} levels of footnotes; \
                     the citation was left as text"
                ),
                span,
                Some("move the text of nested footnotes into the footnote that cites them"),
            );
            return as_text(&name);
        }
        if self.budget == 0 {
            if !self.budget_warned {
                self.budget_warned = true;
                self.warn(
                    bindery_model::WarningKind::Dropped,
                    "footnotes cite each other too often to copy each into place; \
                     the remaining citations were left as text"
                        .to_string(),
                    span,
                    Some("avoid footnotes that cite other footnotes"),
                );
            }
            return as_text(&name);
        }
        definition.open = true;
        self.open_notes += 1;
        let node = definition.node;
        let own_span = Some(self.span(node.data().sourcepos));
        Entered::Open(Frame::new(node, self.out.len(), own_span, Some(name)))
    }
}
