//! Characters no available font can draw: found before compiling, reported as one warning, so a
//! missing script never turns silently into empty boxes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bindery_model::{Block, BlockKind, Document, Inline, Span, Warning};

use crate::fonts::Resources;

/// How many missing characters the warning spells out; the rest are counted.
const LISTED: usize = 40;

/// A warning naming each character of `document` that no font in `resources` covers, with where
/// it first occurs; `None` when every character is covered.
pub(crate) fn missing_glyphs(document: &Document, resources: &Resources) -> Option<Warning> {
    let mut first_seen: BTreeMap<char, Place> = BTreeMap::new();
    let mut order = 0usize;
    let mut note = |s: &str, span: Option<Span>| {
        for c in s.chars() {
            if !first_seen.contains_key(&c) && needs_glyph(c) {
                first_seen.insert(c, Place { order, span });
                order += 1;
            }
        }
    };
    let meta = &document.meta;
    for s in meta
        .title
        .iter()
        .chain(&meta.subtitle)
        .chain(&meta.authors)
        .chain(&meta.date)
    {
        note(s, None);
    }
    blocks_text(&document.blocks, None, &mut note);

    let infos: Vec<_> = resources.infos().collect();
    let mut missing: Vec<(char, Place)> = first_seen
        .into_iter()
        .filter(|(c, _)| !infos.iter().any(|info| info.coverage.contains(*c as u32)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    missing.sort_by_key(|(_, place)| place.order);
    let mut message = format!(
        "no available font has {} character{}: ",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    );
    for (n, (c, place)) in missing.iter().take(LISTED).enumerate() {
        if n > 0 {
            message.push_str(", ");
        }
        let _ = write!(message, "U+{:04X} {c}", *c as u32);
        match place.span {
            Some(span) => {
                let _ = write!(message, " (first at line {})", span.line);
            }
            None => message.push_str(" (in the metadata)"),
        }
    }
    if missing.len() > LISTED {
        let _ = write!(message, " and {} more", missing.len() - LISTED);
    }
    Some(
        Warning::new(message, missing[0].1.span)
            .of_kind(bindery_model::WarningKind::MissingGlyph)
            .with_hint(
                "install a font that covers them (for example fonts-noto-cjk for Chinese, Japanese \
             and Korean), pass --font-dir, or drop --no-system-fonts",
            ),
    )
}

#[derive(Clone, Copy)]
struct Place {
    order: usize,
    span: Option<Span>,
}

/// Whether a character is drawn at all: spaces, controls and invisible format characters
/// (joiners, variation selectors, soft hyphens) need no glyph.
fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0xE0000..=0xE0FFF))
}

fn blocks_text(blocks: &[Block], parent: Option<Span>, note: &mut impl FnMut(&str, Option<Span>)) {
    for block in blocks {
        let span = block.span.or(parent);
        match &block.kind {
            BlockKind::Plain(content)
            | BlockKind::Para(content)
            | BlockKind::Heading { content, .. } => inlines_text(content, span, note),
            BlockKind::CodeBlock { text, .. } | BlockKind::RawBlock { text, .. } => {
                note(text, span)
            }
            BlockKind::BlockQuote(children)
            | BlockKind::Div {
                blocks: children, ..
            } => blocks_text(children, span, note),
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                blocks_text(blocks, span, note);
                inlines_text(caption, span, note);
            }
            BlockKind::Alert { title, blocks, .. } => {
                if let Some(title) = title {
                    note(title, span);
                }
                blocks_text(blocks, span, note);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    blocks_text(&item.blocks, span, note);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    inlines_text(&item.term, span, note);
                    for definition in &item.definitions {
                        blocks_text(definition, span, note);
                    }
                }
            }
            BlockKind::Table(table) => {
                for row in std::iter::once(&table.head).chain(&table.rows) {
                    for cell in row {
                        inlines_text(cell, span, note);
                    }
                }
            }
            BlockKind::ThematicBreak => {}
        }
    }
}

fn inlines_text(inlines: &[Inline], span: Option<Span>, note: &mut impl FnMut(&str, Option<Span>)) {
    for inline in inlines {
        match inline {
            Inline::Text(s) | Inline::Code(s) => note(s, span),
            Inline::Raw { text, .. } => note(text, span),
            Inline::Math { tex, .. } => note(tex, span),
            Inline::SoftBreak | Inline::LineBreak => {}
            Inline::Emph(content)
            | Inline::Strong(content)
            | Inline::Strikeout(content)
            | Inline::Subscript(content)
            | Inline::Superscript(content)
            | Inline::Mark(content)
            | Inline::Underline(content)
            | Inline::Keyboard(content)
            | Inline::Span { content, .. } => inlines_text(content, span, note),
            Inline::Link { content, .. } => inlines_text(content, span, note),
            // Alt text is shown only when the image is missing; checking it would warn about
            // text that is usually never drawn.
            Inline::Image { .. } => {}
            Inline::Note(blocks) => blocks_text(blocks, span, note),
        }
    }
}
