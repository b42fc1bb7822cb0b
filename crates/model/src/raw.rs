//! What happens to raw HTML: one policy applied to the model, so every format agrees.

use crate::walk::{walk_block_lists_mut, walk_inline_lists_mut};
use crate::{Block, BlockKind, Document, Inline, Span, Warning};

/// The `--raw-html` policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    /// Show raw HTML as text (the safe default).
    #[default]
    Escape,
    /// Remove raw HTML.
    Strip,
    /// Pass raw HTML through to HTML-based formats (trusted input only).
    Keep,
}

/// Applies `policy` to every `format: "html"` raw node; returns one warning when anything was
/// escaped or stripped, pointing at the first place.
pub fn apply_raw_html(document: &mut Document, policy: RawHtml) -> Option<Warning> {
    if policy == RawHtml::Keep {
        return None;
    }
    let mut count = 0usize;
    let mut first: Option<Option<Span>> = None;
    walk_block_lists_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        let mut i = 0;
        while i < blocks.len() {
            if let BlockKind::RawBlock { format, text } = &blocks[i].kind
                && format == "html"
            {
                count += 1;
                first.get_or_insert(blocks[i].span);
                if policy == RawHtml::Strip {
                    blocks.remove(i);
                    continue;
                }
                blocks[i].kind = BlockKind::Para(lines_as_inlines(text));
            }
            i += 1;
        }
    });
    // Inline raw HTML has no span of its own; the first raw block's span (if any) stands.
    walk_inline_lists_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        inlines.retain_mut(|inline| match inline {
            Inline::Raw { format, text } if format == "html" => {
                count += 1;
                first.get_or_insert(None);
                match policy {
                    RawHtml::Strip => false,
                    RawHtml::Escape | RawHtml::Keep => {
                        *inline = Inline::Text(std::mem::take(text));
                        true
                    }
                }
            }
            _ => true,
        });
    });
    let span = first?;
    let (verb, hint) = match policy {
        RawHtml::Strip => ("removed", "use --raw-html escape to show it as text"),
        RawHtml::Escape | RawHtml::Keep => (
            "shown as text",
            "raw HTML is not trusted by default; use --raw-html keep for trusted input",
        ),
    };
    Some(Warning::new(format!("raw HTML {verb} ({count} places)"), span).with_hint(hint))
}

fn lines_as_inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if i > 0 {
            out.push(Inline::LineBreak);
        }
        out.push(Inline::Text(line.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;

    fn doc() -> Document {
        Document {
            blocks: vec![
                BlockKind::RawBlock {
                    format: "html".into(),
                    text: "<div>\n<script>x</script>\n".into(),
                }
                .into(),
                para(vec![
                    text("a "),
                    Inline::Raw {
                        format: "html".into(),
                        text: "<kbd>".into(),
                    },
                    text("b"),
                ]),
            ],
            ..Document::default()
        }
    }

    #[test]
    fn escape_turns_raw_html_into_text() {
        let mut d = doc();
        let w = apply_raw_html(&mut d, RawHtml::Escape).unwrap();
        assert!(w.message.contains("2 places"), "{}", w.message);
        assert_eq!(
            d.blocks[0].kind,
            BlockKind::Para(vec![
                text("<div>"),
                Inline::LineBreak,
                text("<script>x</script>")
            ])
        );
        assert_eq!(
            d.blocks[1],
            para(vec![text("a "), text("<kbd>"), text("b")])
        );
    }

    #[test]
    fn strip_removes_it_and_keep_leaves_it() {
        let mut d = doc();
        apply_raw_html(&mut d, RawHtml::Strip).unwrap();
        assert_eq!(d.blocks, vec![para(vec![text("a "), text("b")])]);
        let mut d = doc();
        assert!(apply_raw_html(&mut d, RawHtml::Keep).is_none());
        assert_eq!(d, doc());
    }
}
