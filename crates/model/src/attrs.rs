//! Which attributes an element may carry into HTML and EPUB, and pandoc's attribute syntax.
//!
//! Attributes come from the JSON model, which anyone can write, from raw HTML, and from a
//! fenced code block's `{#id .class key=value}` ([`parse_attributes`]). They pass an
//! allow-list here, once, so no writer has to judge them:
//!
//! - kept: `title`, `lang` (a valid BCP 47 tag, put in canonical case), `dir` (`ltr`, `rtl`
//!   or `auto`), `translate` (`yes`, `no` or empty) and `data-*` (lower-case letters, digits,
//!   `-`, `_` and `.` after `data-`); on images also `width` and `height` (a number of
//!   pixels, `300` or `300px`, written as `300`: HTML's attributes take no unit, so `50%`
//!   is dropped);
//! - ids only where they are anchors (headings, code blocks, tables: see [`crate::Attr`]);
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

/// What holds an attribute set: it decides whether an id may stay and which extra names pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Headings, code blocks and tables: their id is an anchor.
    Anchor,
    /// `Div`, `Span`, `Figure`, links: no id.
    Container,
    /// Images: no id; `width` and `height` pass.
    Image,
}

/// Whether an element may carry an attribute called `name` (already in lower case).
fn allowed_name(name: &str, owner: Owner) -> bool {
    match name {
        "title" | "lang" | "dir" | "translate" => true,
        "width" | "height" => owner == Owner::Image,
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
        // `300` or `300px`, kept as `300`: what HTML's attribute takes, and a length the PDF
        // can set (a CSS pixel is 0.75 pt).
        "width" | "height" => {
            let value = value.trim();
            let digits = value.strip_suffix("px").unwrap_or(value);
            (!digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.to_string())
        }
        _ => Some(value.to_string()),
    }
}

/// The allow-list applied to one attribute set; the names dropped are added to `names` (at
/// most 8 kept for the message) and their count returned. Containers (`Div`, `Span`) also
/// lose any id (ids belong to headings and notes, see [`crate::Ids`]) and any class that is
/// empty or holds white space.
fn filter_attr(attr: &mut Attr, owner: Owner, names: &mut BTreeSet<String>) -> usize {
    let mut dropped = 0usize;
    let mut note = |name: String, names: &mut BTreeSet<String>| {
        dropped += 1;
        if names.len() < 8 {
            names.insert(name);
        }
    };
    if owner != Owner::Anchor && !attr.id.is_empty() {
        attr.id.clear();
        note("id".into(), names);
    }
    let before = attr.classes.len();
    attr.classes
        .retain(|c| !c.is_empty() && !c.chars().any(char::is_whitespace));
    for _ in attr.classes.len()..before {
        note("class".into(), names);
    }
    if attr.attrs.is_empty() {
        return dropped;
    }
    let mut kept: Vec<(String, String)> = Vec::with_capacity(attr.attrs.len());
    for (name, value) in std::mem::take(&mut attr.attrs) {
        let lower = name.to_ascii_lowercase();
        let value = (allowed_name(&lower, owner) && !kept.iter().any(|(n, _)| *n == lower))
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

/// Applies the allow-list to the attributes of every element that has them; one warning
/// naming what was dropped.
pub(crate) fn filter_attrs(blocks: &mut Vec<Block>) -> Option<Warning> {
    let mut dropped = 0usize;
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut first: Option<Option<Span>> = None;
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            let n = match &mut block.kind {
                BlockKind::Heading { attr, .. } => filter_attr(attr, Owner::Anchor, &mut names),
                BlockKind::CodeBlock {
                    attr: Some(attr), ..
                } => filter_attr(attr, Owner::Anchor, &mut names),
                BlockKind::Table(table) => match &mut table.attr {
                    Some(attr) => filter_attr(attr, Owner::Anchor, &mut names),
                    None => 0,
                },
                BlockKind::Div { attr, .. } | BlockKind::Figure { attr, .. } => {
                    filter_attr(attr, Owner::Container, &mut names)
                }
                _ => 0,
            };
            let mut in_spans = 0;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                for inline in inlines {
                    in_spans += match inline {
                        Inline::Span { attr, .. } => {
                            filter_attr(attr, Owner::Container, &mut names)
                        }
                        Inline::Link { target, .. } => match &mut target.attr {
                            Some(attr) => filter_attr(attr, Owner::Container, &mut names),
                            None => 0,
                        },
                        Inline::Image { target, .. } => match &mut target.attr {
                            Some(attr) => filter_attr(attr, Owner::Image, &mut names),
                            None => 0,
                        },
                        _ => 0,
                    };
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
                "dropped {dropped} {} not allowed, repeating an earlier one or with an \
                 unsafe value ({})",
                if dropped == 1 {
                    "attribute"
                } else {
                    "attributes"
                },
                names.join(", ")
            ),
            span,
        )
        .of_kind(crate::WarningKind::Repaired)
        .with_hint(
            "elements keep title, lang, dir, translate and data-* attributes (images also \
             width and height); ids only on headings, code blocks and tables; of two with one \
             name the first is kept",
        ),
    )
}

/// Reads pandoc's attribute syntax, the inside of `{#id .class key=value key="a value"}`:
/// `None` unless every word is an id, a class or a key-value pair (so `{` in an ordinary
/// info string is not taken for attributes). Values are not judged here: [`crate::sanitize`]
/// does that for every attribute set alike.
pub fn parse_attributes(inner: &str) -> Option<Attr> {
    let mut attr = Attr::default();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('#') {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            if end == 0 || !attr.id.is_empty() {
                return None;
            }
            attr.id = after[..end].to_string();
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            attr.classes.push(after[..end].to_string());
            rest = &after[end..];
        } else {
            let eq = rest.find('=')?;
            let key = &rest[..eq];
            if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            {
                return None;
            }
            let after = &rest[eq + 1..];
            let (value, next) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let close = after[1..].find(quote)? + 1;
                    (&after[1..close], &after[close + 1..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            if !next.is_empty() && !next.starts_with(char::is_whitespace) {
                return None;
            }
            attr.attrs.push((key.to_string(), value.to_string()));
            rest = next;
        }
        rest = rest.trim_start();
    }
    Some(attr)
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
        let warning = filter_attrs(&mut blocks).unwrap();
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
            warning.message.starts_with("dropped 14 attributes"),
            "{}",
            warning.message
        );
        assert!(warning.message.contains("`style`"), "{}", warning.message);
        assert!(filter_attrs(&mut blocks).is_none());
    }

    #[test]
    fn pandoc_attribute_syntax() {
        let attr =
            parse_attributes(r#" #main .rust .numberLines startFrom="10" data-x='a b' "#).unwrap();
        assert_eq!(attr.id, "main");
        assert_eq!(attr.classes, ["rust", "numberLines"]);
        assert_eq!(
            attr.attrs,
            [
                ("startFrom".to_string(), "10".to_string()),
                ("data-x".into(), "a b".into())
            ]
        );
        assert_eq!(parse_attributes(""), Some(Attr::default()));
        for not_attributes in [
            "a b",
            "#a #b",
            "# .x",
            "key=\"unclosed",
            "k=\"v\"x",
            "=v",
            "x",
        ] {
            assert_eq!(parse_attributes(not_attributes), None, "{not_attributes}");
        }
    }

    #[test]
    fn ids_stay_on_anchors_only_and_images_keep_their_size() {
        let attr = |id: &str, attrs: &[(&str, &str)]| {
            Some(Box::new(Attr {
                id: id.into(),
                classes: vec!["c".into()],
                attrs: attrs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            }))
        };
        let size = [("width", "300"), ("height", "50%"), ("onload", "x")];
        let mut blocks = vec![
            Block::from(BlockKind::CodeBlock {
                lang: None,
                info: String::new(),
                text: String::new(),
                attr: attr("listing", &size),
            }),
            crate::build::para(vec![Inline::Image {
                target: crate::Target {
                    url: "a.png".into(),
                    attr: attr("img", &[("width", "300px"), ("height", "9e9")]),
                    ..Default::default()
                },
                alt: vec![],
            }]),
        ];
        let warning = filter_attrs(&mut blocks).unwrap();
        let BlockKind::CodeBlock {
            attr: Some(code), ..
        } = &blocks[0].kind
        else {
            panic!()
        };
        assert_eq!(code.id, "listing");
        assert!(code.attrs.is_empty(), "{code:?}");
        let BlockKind::Para(inlines) = &blocks[1].kind else {
            panic!()
        };
        let Inline::Image { target, .. } = &inlines[0] else {
            panic!()
        };
        let image = target.attr.as_deref().unwrap();
        assert_eq!(image.id, "");
        assert_eq!(image.classes, ["c"]);
        assert_eq!(image.attrs, [("width".to_string(), "300".to_string())]);
        assert!(
            warning.message.starts_with("dropped 5 attributes"),
            "{}",
            warning.message
        );
    }
}
