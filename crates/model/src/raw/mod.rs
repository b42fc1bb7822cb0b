//! What happens to raw HTML: one policy applied to the model, so every format agrees.
//!
//! The default, [`RawHtml::Sanitize`], reads raw HTML with a WHATWG tokenizer (html5gum) and
//! builds model nodes from an allow-list close to GitHub's (see `elements.rs`): comments
//! vanish; `sub`, `sup`, `kbd`, `mark`, `ins`/`u`, `del`/`s`, `em`/`i`, `strong`/`b`, `code`,
//! `br`, `span`, `abbr`, `small`, `a href` and `img` become their nodes; `figure` a
//! [`BlockKind::Figure`] with its `figcaption` as the caption; `div`, `details`, `summary`,
//! `section`... become a [`BlockKind::Div`] (class = the element's name), `blockquote` a block
//! quote; `p`, lists, tables and definition lists keep their text as
//! paragraphs (a table row's cells separated by spaces); unknown elements keep their text.
//! `script`, `style`, `iframe`, `object`, `embed`, forms, `svg`, `math` and the like are
//! removed with their content, with one warning per document. Attributes: classes, and
//! `title`, `lang`, `dir` through the model's allow-list; URLs through the same scheme checks
//! as Markdown's (the document is [`sanitize`](crate::sanitize)d again after conversion).

mod convert;
mod elements;
mod tokens;

use convert::{Report, convert_blocks, convert_inlines, is_raw_html, is_raw_html_block};

use crate::walk::{walk_block_lists_mut, walk_inline_lists_mut, walk_own_inline_lists_mut};
use crate::{Block, BlockKind, Document, Inline, Span, Warning, for_each_block};

/// The `--raw-html` policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    /// Read raw HTML into model nodes through an allow-list; comments vanish, scripts, styles,
    /// embedded documents and forms are removed with their content (the default).
    #[default]
    Sanitize,
    /// Show raw HTML as text.
    Escape,
    /// Remove raw HTML.
    Strip,
    /// Pass raw HTML through to HTML-based formats (trusted input only); PDF and text show
    /// what [`Sanitize`](RawHtml::Sanitize) would make of it ([`raw_html_as_nodes`]).
    Keep,
}

/// Applies `policy` to every `format: "html"` raw node. Escape and strip return one warning
/// when anything was escaped or stripped, pointing at the first place; sanitize returns one
/// when an element was removed with its content, plus the warnings of the checks the new
/// nodes get (a `javascript:` link, say).
pub fn apply_raw_html(document: &mut Document, policy: RawHtml) -> Vec<Warning> {
    match policy {
        RawHtml::Keep => Vec::new(),
        RawHtml::Sanitize => sanitize_raw_html(document),
        RawHtml::Escape | RawHtml::Strip => escape_or_strip(document, policy).into_iter().collect(),
    }
}

/// The document as [`RawHtml::Sanitize`] would make it, when it holds raw HTML (`None` when it
/// holds none): how writers that cannot show HTML (PDF, text) render a document kept with
/// [`RawHtml::Keep`].
pub fn raw_html_as_nodes(document: &Document) -> Option<Document> {
    let mut any = false;
    for_each_block(&document.blocks, &mut |block| {
        any |= is_raw_html_block(block) || own_inlines_hold_raw_html(block);
    });
    if !any {
        return None;
    }
    let mut converted = document.clone();
    sanitize_raw_html(&mut converted);
    Some(converted)
}

/// Whether the inline content `block` holds itself (notes aside: [`for_each_block`] meets
/// their blocks) has raw HTML, at any inline depth.
fn own_inlines_hold_raw_html(block: &Block) -> bool {
    let mut stack: Vec<&Inline> = Vec::new();
    block.for_each_own_inlines(&mut |list| stack.extend(list));
    while let Some(inline) = stack.pop() {
        match inline {
            Inline::Raw { .. } if is_raw_html(inline) => return true,
            // Notes are blocks of their own, walked as such.
            other => stack.extend(other.children().into_iter().flatten()),
        }
    }
    false
}

fn sanitize_raw_html(document: &mut Document) -> Vec<Warning> {
    let mut report = Report::default();
    let mut converted = false;
    walk_block_lists_mut(&mut document.blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                if inlines.iter().any(is_raw_html) {
                    converted = true;
                    *inlines = convert_inlines(std::mem::take(inlines), span, &mut report);
                }
            });
        }
        if list.iter().any(is_raw_html_block) {
            converted = true;
            *list = convert_blocks(std::mem::take(list), &mut report);
        }
    });
    let mut warnings = Vec::new();
    if let Some((name, span)) = report.first {
        let others = match report.removed {
            1 => String::new(),
            n => format!(" and {} more such elements", n - 1),
        };
        warnings.push(
            Warning::new(
                format!("removed raw HTML `<{name}>` with its content{others}"),
                span,
            )
            .of_kind(crate::WarningKind::RawHtml)
            .with_hint(
                "script, style, iframe, object, embed, forms, svg and math are never kept; \
                 use --raw-html keep for trusted input",
            ),
        );
    }
    if converted {
        // New nodes get every check Markdown's get: depth first (`<sub>` 10,000 deep), then
        // URLs, control characters from character references, attributes.
        warnings.extend(crate::limit_depth(document));
        warnings.extend(crate::sanitize(document));
    }
    warnings
}

fn escape_or_strip(document: &mut Document, policy: RawHtml) -> Option<Warning> {
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
    // Blocks are walked before their inlines: the first raw block's span stands, else the
    // first raw inline's.
    walk_inline_lists_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        inlines.retain_mut(|inline| match inline {
            Inline::Raw { format, text, span } if format == "html" => {
                count += 1;
                first.get_or_insert(*span);
                match policy {
                    RawHtml::Strip => false,
                    RawHtml::Escape | RawHtml::Keep | RawHtml::Sanitize => {
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
        RawHtml::Escape | RawHtml::Keep | RawHtml::Sanitize => (
            "shown as text",
            "use --raw-html sanitize (the default) to read it, or keep for trusted input",
        ),
    };
    Some(
        Warning::new(format!("raw HTML {verb} ({count} places)"), span)
            .of_kind(crate::WarningKind::RawHtml)
            .with_hint(hint),
    )
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
                        span: None,
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
        let w = apply_raw_html(&mut d, RawHtml::Escape).pop().unwrap();
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
        assert_eq!(apply_raw_html(&mut d, RawHtml::Strip).len(), 1);
        assert_eq!(d.blocks, vec![para(vec![text("a "), text("b")])]);
        let mut d = doc();
        assert!(apply_raw_html(&mut d, RawHtml::Keep).is_empty());
        assert_eq!(d, doc());
    }

    fn raw(html: &str) -> Inline {
        Inline::Raw {
            format: "html".into(),
            text: html.into(),
            span: None,
        }
    }

    fn raw_block(html: &str, line: u32) -> Block {
        Block {
            kind: BlockKind::RawBlock {
                format: "html".into(),
                text: html.into(),
            },
            span: Some(Span::point(line, 1)),
        }
    }

    fn sanitized(blocks: Vec<Block>) -> (Vec<Block>, Vec<Warning>) {
        let mut d = Document {
            blocks,
            ..Document::default()
        };
        let warnings = apply_raw_html(&mut d, RawHtml::Sanitize);
        (d.blocks, warnings)
    }

    fn sanitized_inlines(inlines: Vec<Inline>) -> Vec<Inline> {
        let (blocks, warnings) = sanitized(vec![para(inlines)]);
        assert!(warnings.is_empty(), "{warnings:?}");
        match blocks.as_slice() {
            [
                Block {
                    kind: BlockKind::Para(inlines),
                    ..
                },
            ] => inlines.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tags_pair_across_the_pieces_comrak_gives() {
        let out = sanitized_inlines(vec![
            text("Press "),
            raw("<kbd>"),
            text("Ctrl"),
            raw("</kbd>"),
            text("+"),
            raw("<KBD>"),
            text("C"),
            raw("</kbd>"),
        ]);
        assert_eq!(
            out,
            [
                text("Press "),
                Inline::Keyboard(vec![text("Ctrl")]),
                text("+"),
                Inline::Keyboard(vec![text("C")]),
            ]
        );
    }

    #[test]
    fn markdown_inside_a_tag_stays_markdown() {
        let out = sanitized_inlines(vec![
            text("H"),
            raw("<sub>"),
            emph(vec![text("2")]),
            raw("</sub>"),
            text("O x"),
            raw("<sup>"),
            strong(vec![text("n")]),
            raw("</sup>"),
        ]);
        assert_eq!(
            out,
            [
                text("H"),
                Inline::Subscript(vec![emph(vec![text("2")])]),
                text("O x"),
                Inline::Superscript(vec![strong(vec![text("n")])]),
            ]
        );
    }

    #[test]
    fn an_unclosed_tag_runs_to_the_end_and_a_stray_close_is_ignored() {
        let out = sanitized_inlines(vec![
            text("a"),
            raw("</sub>"),
            text("b "),
            raw("<mark>"),
            text("c"),
            emph(vec![text("d")]),
        ]);
        assert_eq!(
            out,
            [
                text("ab "),
                Inline::Mark(vec![text("c"), emph(vec![text("d")])]),
            ]
        );
        // An end tag closes the elements opened inside its own, as HTML's parser does.
        let out = sanitized_inlines(vec![
            raw("<ins>"),
            text("a"),
            raw("<sub>"),
            text("b"),
            raw("</ins>"),
            text("c"),
        ]);
        assert_eq!(
            out,
            [
                Inline::Underline(vec![text("a"), Inline::Subscript(vec![text("b")])]),
                text("c"),
            ]
        );
    }

    #[test]
    fn comments_vanish_silently() {
        let (blocks, warnings) = sanitized(vec![
            raw_block("<!-- ignore -->\n", 1),
            para(vec![
                text("a"),
                raw("<!-- TODO: add a photo -->"),
                text("b"),
            ]),
        ]);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(blocks, [para(vec![text("ab")])]);
    }

    #[test]
    fn links_images_and_spans_keep_what_the_allow_list_allows() {
        let out = sanitized_inlines(vec![
            raw(r#"<a href="https://example.org" title="T" onclick="alert(1)">"#),
            text("x"),
            raw("</a>"),
            raw(r#"<img src="a.png" alt="A" onerror="alert(1)">"#),
            raw(r#"<span class="filename" style="color:red" id="x">"#),
            text("f.rs"),
            raw("</span>"),
            raw(r#"<abbr title="HyperText">"#),
            text("HTML"),
            raw("</abbr>"),
            raw("<br>"),
            raw("<code>"),
            text("a"),
            emph(vec![text("b")]),
            raw("</code>"),
        ]);
        let span = |classes: &[&str], attrs: &[(&str, &str)], content| Inline::Span {
            attr: crate::Attr {
                id: String::new(),
                classes: classes.iter().map(|c| c.to_string()).collect(),
                attrs: attrs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            },
            content,
        };
        assert_eq!(
            out,
            [
                Inline::Link {
                    target: crate::Target {
                        url: "https://example.org".into(),
                        title: "T".into(),
                        span: None,
                        attr: None,
                    },
                    content: vec![text("x")],
                    autolink: false
                },
                image("a.png", vec![text("A")]),
                span(&["filename"], &[], vec![text("f.rs")]),
                span(&["abbr"], &[("title", "HyperText")], vec![text("HTML")]),
                Inline::LineBreak,
                code("ab"),
            ]
        );
    }

    #[test]
    fn block_containers_pair_across_markdown_blocks() {
        let (blocks, warnings) = sanitized(vec![
            raw_block("<div class=\"note warn\" onclick=\"x\">\n", 1),
            para(vec![emph(vec![text("inside")])]),
            raw_block(
                "<details>\n<summary>More</summary>\nHidden <b>text</b>\n</details>\n</div>\n",
                5,
            ),
            para(vec![text("after")]),
        ]);
        assert!(warnings.is_empty(), "{warnings:?}");
        let div = |classes: &[&str], blocks: Vec<Block>, line| Block {
            kind: BlockKind::Div {
                attr: crate::Attr {
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    ..crate::Attr::default()
                },
                blocks,
            },
            span: Some(Span::point(line, 1)),
        };
        let at = |mut block: Block, line| {
            block.span = Some(Span::point(line, 1));
            block
        };
        assert_eq!(
            blocks,
            [
                div(
                    &["note", "warn"],
                    vec![
                        para(vec![emph(vec![text("inside")])]),
                        div(
                            &["details"],
                            vec![
                                div(&["summary"], vec![at(para(vec![text("More")]), 5)], 5),
                                at(para(vec![text("Hidden "), strong(vec![text("text")])]), 5),
                            ],
                            5
                        ),
                    ],
                    1
                ),
                para(vec![text("after")]),
            ]
        );
    }

    #[test]
    fn dangerous_elements_go_with_their_content_and_one_warning() {
        let (blocks, warnings) = sanitized(vec![
            para(vec![text("a")]),
            raw_block("<p>kept</p>\n<script>alert(1)</script>\n", 3),
            para(vec![
                raw("<iframe>"),
                text("gone"),
                raw("</iframe>"),
                text("stays"),
                raw("<input value=x>"),
            ]),
            raw_block(
                "<svg><script>alert(2)</script><a href=x>in svg</a></svg><math><mi><style></math><img src=x onerror=alert(3)>\n",
                9,
            ),
        ]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            warnings[0].message,
            "removed raw HTML `<script>` with its content and 4 more such elements"
        );
        assert_eq!(warnings[0].span, Some(Span::point(3, 1)));
        let json = crate::to_json(&Document {
            blocks: blocks.clone(),
            ..Document::default()
        });
        for hostile in ["alert", "onerror", "gone", "in svg", "script", "style"] {
            assert!(!json.contains(hostile), "{hostile}: {json}");
        }
        assert!(json.contains("kept") && json.contains("stays"), "{json}");
    }

    #[test]
    fn dangerous_urls_are_caught_after_entities_are_decoded() {
        let (blocks, warnings) = sanitized(vec![para(vec![
            raw(r#"<a href="jav&#x61;script&colon;alert(1)">"#),
            text("click"),
            raw("</a>"),
            raw(r#"<img src=" JaVaScRiPt:alert(1)" alt="pic">"#),
        ])]);
        assert_eq!(blocks, [para(vec![text("click"), text("pic")])]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].message.contains("javascript"), "{warnings:?}");
    }

    #[test]
    fn deep_nesting_from_raw_html_is_bounded() {
        let mut inlines = Vec::new();
        for _ in 0..1000 {
            inlines.push(raw("<sub>"));
        }
        inlines.push(text("x"));
        let (blocks, warnings) = sanitized(vec![para(inlines)]);
        assert!(
            warnings.iter().any(|w| w.message.contains("nest")),
            "{warnings:?}"
        );
        let json = crate::to_json(&Document {
            blocks,
            ..Document::default()
        });
        assert!(json.matches("Subscript").count() <= crate::MAX_DEPTH + 1);
    }

    #[test]
    fn keep_renders_the_subset_for_writers_without_html() {
        let mut d = Document {
            blocks: vec![para(vec![
                text("H"),
                raw("<sub>"),
                text("2"),
                raw("</sub>"),
            ])],
            ..Document::default()
        };
        assert!(apply_raw_html(&mut d, RawHtml::Keep).is_empty());
        let shown = raw_html_as_nodes(&d).unwrap();
        assert_eq!(
            shown.blocks,
            [para(vec![text("H"), Inline::Subscript(vec![text("2")])])]
        );
        assert!(raw_html_as_nodes(&shown).is_none());
    }
}
