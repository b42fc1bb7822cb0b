//! Characters no output may hold: control characters and Unicode noncharacters.
//!
//! XML 1.0 forbids the C0 controls other than tab, line feed and carriage return, and
//! U+FFFE/U+FFFF, so one of them in a title breaks the EPUB's package document, navigation
//! and chapters; HTML calls all controls and noncharacters parse errors; and in plain text an
//! ESC is a terminal escape sequence. The policy, applied once to the model: each one is
//! replaced with U+FFFD REPLACEMENT CHARACTER (visible, so a reader sees that something was
//! there), with one warning per document. URLs are left to [`crate::drop_dangerous_urls`],
//! which removes a link or image whose URL holds one.

use crate::walk::{walk_block_lists_mut, walk_own_inline_lists_mut};
use crate::{Block, BlockKind, Document, Inline, Metadata, Span, Warning};

/// True for a character no output may hold: C0 controls except tab, line feed and carriage
/// return; DEL and the C1 controls; and the noncharacters (U+FDD0 to U+FDEF and the last
/// two code points of every plane, U+FFFE and U+FFFF among them). Lone surrogates cannot
/// occur in a Rust string.
pub fn is_forbidden_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' => true,
        c => u32::from(c) & 0xfffe == 0xfffe,
    }
}

/// Whether `s` holds a forbidden character. Printable ASCII (with tab and line breaks), most
/// text, is told apart byte by byte first, which the compiler vectorises.
fn has_forbidden(s: &str) -> bool {
    let plain = s
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'));
    !plain && s.chars().any(is_forbidden_char)
}

/// What was replaced in one document.
#[derive(Default)]
struct Found {
    count: usize,
    first: Option<(char, Option<Span>)>,
}

impl Found {
    /// Replaces every forbidden character of `s` with U+FFFD.
    fn mend(&mut self, s: &mut String, span: Option<Span>) {
        if !has_forbidden(s) {
            return;
        }
        let Some(first) = s.chars().find(|&c| is_forbidden_char(c)) else {
            return;
        };
        self.first.get_or_insert((first, span));
        let mut out = String::with_capacity(s.len() + 2);
        for c in s.chars() {
            if is_forbidden_char(c) {
                self.count += 1;
                out.push(char::REPLACEMENT_CHARACTER);
            } else {
                out.push(c);
            }
        }
        *s = out;
    }

    fn mend_opt(&mut self, s: &mut Option<String>, span: Option<Span>) {
        if let Some(s) = s {
            self.mend(s, span);
        }
    }

    fn into_warning(self) -> Option<Warning> {
        let (first, span) = self.first?;
        Some(
            Warning::new(
                format!(
                    "{} control characters or noncharacters were replaced with U+FFFD \
                     (the first: U+{:04X})",
                    self.count,
                    u32::from(first)
                ),
                span,
            )
            .of_kind(crate::WarningKind::Repaired)
            .with_hint("no output format can hold them; remove them from the source"),
        )
    }
}

/// Replaces every forbidden character in the document's text (metadata, headings, body,
/// code, math, raw content, link titles, attributes and ids) with U+FFFD; one warning, at the
/// first place, when any was found. URLs are not touched here (see the module's notes).
pub(crate) fn replace_forbidden_chars(document: &mut Document) -> Option<Warning> {
    let mut found = Found::default();
    mend_metadata(&mut document.meta, &mut found);
    walk_block_lists_mut(&mut document.blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            mend_block(block, span, &mut found);
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                for inline in inlines.iter_mut() {
                    mend_inline(inline, span, &mut found);
                }
            });
        }
    });
    found.into_warning()
}

/// Replaces the forbidden characters of the metadata alone (after `-M` overrides or a
/// title taken from a file name); one warning when any was found.
pub(crate) fn replace_forbidden_chars_in_metadata(meta: &mut Metadata) -> Option<Warning> {
    let mut found = Found::default();
    mend_metadata(meta, &mut found);
    found.into_warning()
}

fn mend_metadata(meta: &mut Metadata, found: &mut Found) {
    let Metadata {
        title,
        subtitle,
        authors,
        date,
        lang,
        identifier,
        description,
        keywords,
        cover,
        extra,
    } = meta;
    for field in [title, subtitle, date, lang, identifier, description, cover] {
        found.mend_opt(field, None);
    }
    for s in authors.iter_mut().chain(keywords.iter_mut()) {
        found.mend(s, None);
    }
    if extra.keys().any(|k| k.chars().any(is_forbidden_char)) {
        *extra = std::mem::take(extra)
            .into_iter()
            .map(|(mut key, value)| {
                found.mend(&mut key, None);
                (key, value)
            })
            .collect();
    }
    for value in extra.values_mut() {
        mend_json(value, found);
    }
}

/// serde_json refuses input nested deeper than 128 levels and front matter has its own
/// depth check, so this recursion is bounded.
fn mend_json(value: &mut serde_json::Value, found: &mut Found) {
    match value {
        serde_json::Value::String(s) => found.mend(s, None),
        serde_json::Value::Array(items) => {
            for item in items {
                mend_json(item, found);
            }
        }
        serde_json::Value::Object(map) => {
            if map.keys().any(|k| k.chars().any(is_forbidden_char)) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(mut key, value)| {
                        found.mend(&mut key, None);
                        (key, value)
                    })
                    .collect();
            }
            for item in map.values_mut() {
                mend_json(item, found);
            }
        }
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {}
    }
}

/// The strings a block holds itself (not those of its inline content or children).
fn mend_block(block: &mut Block, span: Option<Span>, found: &mut Found) {
    match &mut block.kind {
        BlockKind::Heading { attr, .. } => mend_attr(attr, span, found),
        BlockKind::CodeBlock {
            lang,
            info,
            text,
            attr,
        } => {
            found.mend_opt(lang, span);
            found.mend(info, span);
            found.mend(text, span);
            if let Some(attr) = attr {
                mend_attr(attr, span, found);
            }
        }
        BlockKind::RawBlock { format, text } => {
            found.mend(format, span);
            found.mend(text, span);
        }
        BlockKind::Alert { title, .. } => found.mend_opt(title, span),
        BlockKind::Div { attr, .. } | BlockKind::Figure { attr, .. } => {
            mend_attr(attr, span, found)
        }
        BlockKind::Plain(_)
        | BlockKind::Para(_)
        | BlockKind::BlockQuote(_)
        | BlockKind::BulletList(_)
        | BlockKind::OrderedList { .. }
        | BlockKind::DefinitionList(_)
        | BlockKind::ThematicBreak => {}
        BlockKind::Table(table) => {
            if let Some(attr) = &mut table.attr {
                mend_attr(attr, span, found);
            }
        }
    }
}

fn mend_attr(attr: &mut crate::Attr, span: Option<Span>, found: &mut Found) {
    found.mend(&mut attr.id, span);
    for class in &mut attr.classes {
        found.mend(class, span);
    }
    for (name, value) in &mut attr.attrs {
        found.mend(name, span);
        found.mend(value, span);
    }
}

/// The strings an inline holds itself; nested inline lists are visited on their own.
fn mend_inline(inline: &mut Inline, span: Option<Span>, found: &mut Found) {
    match inline {
        Inline::Text(s) | Inline::Code(s) => found.mend(s, span),
        Inline::Link { target, .. } | Inline::Image { target, .. } => {
            found.mend(&mut target.title, span);
            if let Some(attr) = &mut target.attr {
                mend_attr(attr, span, found);
            }
        }
        Inline::Raw { format, text, .. } => {
            found.mend(format, span);
            found.mend(text, span);
        }
        Inline::Math { tex, .. } => found.mend(tex, span),
        Inline::Span { attr, .. } => mend_attr(attr, span, found),
        Inline::Subscript(_)
        | Inline::Superscript(_)
        | Inline::Mark(_)
        | Inline::Underline(_)
        | Inline::Keyboard(_)
        | Inline::SoftBreak
        | Inline::LineBreak
        | Inline::Emph(_)
        | Inline::Strong(_)
        | Inline::Strikeout(_)
        | Inline::Note(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Target;
    use crate::build::*;

    #[test]
    fn the_forbidden_set() {
        for c in [
            '\0',
            '\u{1}',
            '\u{8}',
            '\u{b}',
            '\u{c}',
            '\u{1b}',
            '\u{1f}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_forbidden_char(c), "{c:?}");
        }
        for c in [
            '\t', '\n', '\r', ' ', 'a', '\u{a0}', '\u{fffd}', '\u{200b}', '😀',
        ] {
            assert!(!is_forbidden_char(c), "{c:?}");
        }
    }

    #[test]
    fn every_kind_of_text_is_mended_with_one_warning() {
        let mut doc = Document {
            blocks: vec![
                heading(1, "a\u{1}b", vec![text("T\u{1b}[2J")]),
                para(vec![
                    code("c\u{7}"),
                    Inline::Link {
                        target: Target {
                            url: "https://ok".into(),
                            title: "t\u{ffff}".into(),
                            span: None,
                            attr: None,
                        },
                        content: vec![text("x")],
                        autolink: false,
                    },
                    Inline::Note(vec![para(vec![text("n\u{0}")])]),
                ]),
                code_block(Some("r\u{1}s"), "fn main() {}\u{c}\n"),
            ],
            ..Document::default()
        };
        doc.blocks[0].span = Some(Span::point(3, 1));
        doc.meta.title = Some("Title\u{1}".into());
        doc.meta.authors = vec!["A\u{1b}".into()];
        doc.meta
            .extra
            .insert("k\u{1}".into(), serde_json::json!({"x": ["v\u{2}"]}));
        let warning = replace_forbidden_chars(&mut doc).unwrap();
        assert!(
            // The code block's language is its info string too: 12 in all.
            warning.message.starts_with("12 control characters"),
            "{}",
            warning.message
        );
        let json = crate::to_json(&doc);
        assert!(
            !json.contains("\\u00") && !json.contains('\u{ffff}'),
            "something was left: {json}"
        );
        assert_eq!(doc.meta.title.as_deref(), Some("Title\u{fffd}"));
        assert_eq!(
            doc.blocks[0].kind,
            heading(1, "a\u{fffd}b", vec![text("T\u{fffd}[2J")]).kind
        );
        assert!(doc.meta.extra.contains_key("k\u{fffd}"));
        // The metadata is visited first, so the first place is a metadata field (no span).
        assert_eq!(warning.span, None);
        assert!(replace_forbidden_chars(&mut doc).is_none());
    }

    #[test]
    fn clean_documents_are_left_alone() {
        let mut doc = Document {
            blocks: vec![para(vec![text("tab\there\r\nline")])],
            ..Document::default()
        };
        let before = doc.clone();
        assert!(replace_forbidden_chars(&mut doc).is_none());
        assert_eq!(doc, before);
    }
}
