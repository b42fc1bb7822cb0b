//! Which attributes a heading may carry into HTML and EPUB.
//!
//! The Markdown reader gives headings only ids; attributes come from the JSON model, which
//! anyone can write. They pass an allow-list here, once, so no writer has to judge them:
//!
//! - kept: `title`, `lang` (a valid BCP 47 tag, put in canonical case), `dir` (`ltr`, `rtl`
//!   or `auto`), `translate` (`yes`, `no` or empty) and `data-*` (lower-case letters, digits,
//!   `-`, `_` and `.` after `data-`);
//! - dropped: everything else. That includes `style` (CSS can overlay the whole page and
//!   load remote URLs; there is no safe subset worth its parser), event handlers (`on...`),
//!   `srcdoc`, `formaction`, `href`/`src`, `xmlns` and any `prefix:name`, and `id`/`class`
//!   (the id comes from the id allocator, classes have their own field);
//! - a value that is a dangerous URL ([`crate::dangerous_scheme`]) drops its attribute,
//!   whatever the name;
//! - names are compared without case (HTML's rule) and written in lower case; of two with one
//!   name the first is kept, as an HTML parser keeps the first.

use std::collections::BTreeSet;

use crate::walk::{walk_block_lists_mut, walk_own_inline_lists_mut};
use crate::{Attr, Block, BlockKind, Inline, Span, Warning, dangerous_scheme, valid_language_tag};

/// Whether a heading may carry an attribute called `name` (already in lower case).
fn allowed_name(name: &str) -> bool {
    match name {
        "title" | "lang" | "dir" | "translate" => true,
        _ => name.strip_prefix("data-").is_some_and(|rest| {
            !rest.is_empty()
                && rest.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
                })
        }),
    }
}

/// The value to write for an allowed attribute, or `None` when its value is not allowed.
fn allowed_value(name: &str, value: &str) -> Option<String> {
    if dangerous_scheme(value).is_some() {
        return None;
    }
    match name {
        "lang" if value.trim().is_empty() => Some(String::new()),
        "lang" => valid_language_tag(value),
        "dir" => {
            let value = value.trim().to_ascii_lowercase();
            matches!(value.as_str(), "ltr" | "rtl" | "auto").then_some(value)
        }
        "translate" => {
            let value = value.trim().to_ascii_lowercase();
            matches!(value.as_str(), "yes" | "no" | "").then_some(value)
        }
        _ => Some(value.to_string()),
    }
}

/// The allow-list applied to one attribute set; the names dropped are added to `names` (at
/// most 8 kept for the message) and their count returned. Containers (`Div`, `Span`) also
/// lose any id (ids belong to headings and notes, see [`crate::Ids`]) and any class that is
/// empty or holds white space.
fn filter_attr(attr: &mut Attr, container: bool, names: &mut BTreeSet<String>) -> usize {
    let mut dropped = 0usize;
    let mut note = |name: String, names: &mut BTreeSet<String>| {
        dropped += 1;
        if names.len() < 8 {
            names.insert(name);
        }
    };
    if container {
        if !attr.id.is_empty() {
            attr.id.clear();
            note("id".into(), names);
        }
        let before = attr.classes.len();
        attr.classes
            .retain(|c| !c.is_empty() && !c.chars().any(char::is_whitespace));
        for _ in attr.classes.len()..before {
            note("class".into(), names);
        }
    }
    if attr.attrs.is_empty() {
        return dropped;
    }
    let mut kept: Vec<(String, String)> = Vec::with_capacity(attr.attrs.len());
    for (name, value) in std::mem::take(&mut attr.attrs) {
        let lower = name.to_ascii_lowercase();
        let value = (allowed_name(&lower) && !kept.iter().any(|(n, _)| *n == lower))
            .then(|| allowed_value(&lower, &value))
            .flatten();
        match value {
            Some(value) => kept.push((lower, value)),
            None => note(name, names),
        }
    }
    attr.attrs = kept;
    dropped
}

/// Applies the allow-list to the attributes of every heading and container (`Div`, `Span`);
/// one warning naming what was dropped.
pub(crate) fn filter_heading_attrs(blocks: &mut Vec<Block>) -> Option<Warning> {
    let mut dropped = 0usize;
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut first: Option<Option<Span>> = None;
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            let n = match &mut block.kind {
                BlockKind::Heading { attr, .. } => filter_attr(attr, false, &mut names),
                BlockKind::Div { attr, .. } => filter_attr(attr, true, &mut names),
                _ => 0,
            };
            let mut in_spans = 0;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                for inline in inlines {
                    if let Inline::Span { attr, .. } = inline {
                        in_spans += filter_attr(attr, true, &mut names);
                    }
                }
            });
            if n + in_spans > 0 {
                dropped += n + in_spans;
                first.get_or_insert(span);
            }
        }
    });
    let span = first?;
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    Some(
        Warning::new(
            format!(
                "dropped {dropped} heading attributes that are not allowed, repeat an earlier \
                 one or have an unsafe value ({})",
                names.join(", ")
            ),
            span,
        )
        .of_kind(crate::WarningKind::Repaired)
        .with_hint(
            "headings keep title, lang, dir, translate and data-* attributes; of two with \
             one name the first is kept",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_with(attrs: &[(&str, &str)]) -> Vec<Block> {
        vec![Block::from(BlockKind::Heading {
            level: 1,
            attr: Attr {
                id: "h".into(),
                classes: vec![],
                attrs: attrs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            },
            content: vec![],
        })]
    }

    fn attrs_of(blocks: &[Block]) -> Vec<(String, String)> {
        match &blocks[0].kind {
            BlockKind::Heading { attr, .. } => attr.attrs.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_allow_list_passes() {
        let mut blocks = heading_with(&[
            ("title", "first"),
            ("TITLE", "second"),
            (
                "style",
                "position:fixed;inset:0;background:url(https://evil/x.png)",
            ),
            ("srcdoc", "<script>alert(1)</script>"),
            ("formaction", "https://evil"),
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("onclick", "alert(1)"),
            ("id", "other"),
            ("class", "x"),
            ("data-x", "javascript:alert(1)"),
            ("data-a:b", "a colon is not XML-compatible here"),
            ("DATA-Up", "names are compared and written in lower case"),
            ("data-", "empty"),
            ("data-ok.v_1", "kept"),
            ("lang", "en\"><script>"),
            ("lang", "fr-ca"),
            ("dir", "RTL"),
            ("translate", "maybe"),
        ]);
        let warning = filter_heading_attrs(&mut blocks).unwrap();
        assert_eq!(
            attrs_of(&blocks),
            [
                ("title".to_string(), "first".to_string()),
                (
                    "data-up".into(),
                    "names are compared and written in lower case".into()
                ),
                ("data-ok.v_1".into(), "kept".into()),
                ("lang".into(), "fr-CA".into()),
                ("dir".into(), "rtl".into()),
            ]
        );
        assert!(
            warning.message.starts_with("dropped 14 heading attributes"),
            "{}",
            warning.message
        );
        assert!(warning.message.contains("`style`"), "{}", warning.message);
        assert!(filter_heading_attrs(&mut blocks).is_none());
    }
}
