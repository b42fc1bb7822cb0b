//! Making a clone of the document fit for a closed package, before any XHTML is written.
//!
//! An EPUB may only refer to what it contains (EPUBCheck reports anything else), so:
//! local images loaded by the pipeline get a path inside the package (`images/img-1.png`)
//! and the HTML writer is handed assets keyed by that path; remote images are not fetched
//! but shown as a link; images that cannot be embedded keep their alt text; links to
//! relative files or to ids no heading has keep only their text; raw HTML stays only when
//! [`crate::safe_xml`] finds it safe. Every change that loses something is a warning.

mod targets;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bindery_model::{
    Asset, Assets, Block, BlockKind, Document, Inline, Span, Target, Warning, plain_text,
};

use self::targets::{ImageFate, LinkFate};
use crate::safe_xml::{Context, is_safe_html};

/// An image to store in the package.
#[derive(Debug, Clone)]
pub(crate) struct PackagedImage {
    /// The path inside the content directory, as chapters refer to it.
    pub(crate) path: String,
    /// The media type for the manifest.
    pub(crate) media_type: String,
    /// The bytes.
    pub(crate) data: Arc<[u8]>,
}

/// The document as it goes into the package, with what it needs.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The rewritten clone.
    pub(crate) document: Document,
    /// Images in order of first use.
    pub(crate) images: Vec<PackagedImage>,
    /// The same images keyed by their package path, for the HTML writer's size lookup.
    pub(crate) assets: Assets,
    /// The cover image's package path, when the front matter names a loaded image.
    pub(crate) cover: Option<String>,
    /// Images in the text with an empty alt text.
    pub(crate) missing_alt: usize,
    /// What was changed or lost.
    pub(crate) warnings: Vec<Warning>,
}

/// Rewrites a clone of `document` for the package.
pub(crate) fn prepare(document: &Document, assets: &Assets) -> Prepared {
    let mut document = document.clone();
    let mut ids = BTreeSet::new();
    collect_ids(&document.blocks, &mut ids);
    let mut preparer = Preparer {
        source: assets,
        ids,
        images: Vec::new(),
        by_url: BTreeMap::new(),
        warnings: Vec::new(),
        raw_shown: 0,
        first_raw: None,
        missing_alt: 0,
    };
    let cover = document
        .meta
        .cover
        .clone()
        .filter(|url| !url.trim().is_empty())
        .and_then(|url| {
            let path = preparer.package_image(&url, None);
            if path.is_none() && !preparer.source.contains_key(&url) {
                preparer.warnings.push(
                    Warning::new(
                        format!("cover image `{url}` was not loaded; the EPUB has no cover"),
                        None,
                    )
                    .of_kind(bindery_model::WarningKind::Image)
                    .with_hint("check that the file exists inside the input directory"),
                );
            }
            path
        });
    preparer.blocks(&mut document.blocks, None);
    if let Some(span) = preparer.first_raw {
        preparer.warnings.push(
            Warning::new(
                format!(
                    "raw HTML shown as text in the EPUB ({} places)",
                    preparer.raw_shown
                ),
                span,
            )
            .of_kind(bindery_model::WarningKind::RawHtml)
            .with_hint(
                "EPUB keeps raw HTML only when it is well-formed XHTML using common tags, \
                 without scripts, styles, ids or embedded resources",
            ),
        );
    }
    let assets = preparer
        .images
        .iter()
        .map(|image| {
            let size = preparer
                .by_url
                .iter()
                .find(|(_, path)| path.as_deref() == Some(image.path.as_str()))
                .and_then(|(url, _)| preparer.source.get(url))
                .and_then(|asset| asset.size);
            (
                image.path.clone(),
                Asset {
                    media_type: image.media_type.clone(),
                    data: image.data.clone(),
                    size,
                },
            )
        })
        .collect();
    Prepared {
        document,
        images: preparer.images,
        assets,
        cover,
        missing_alt: preparer.missing_alt,
        warnings: preparer.warnings,
    }
}

/// Every heading id in the document, at any depth: the targets an internal link may have.
fn collect_ids(blocks: &[Block], ids: &mut BTreeSet<String>) {
    bindery_model::for_each_anchor_id(blocks, &mut |id| {
        ids.insert(id.to_string());
    });
}

struct Preparer<'a> {
    source: &'a Assets,
    ids: BTreeSet<String>,
    images: Vec<PackagedImage>,
    /// Each image URL met, with its package path or `None` when it cannot be packaged.
    by_url: BTreeMap<String, Option<String>>,
    warnings: Vec<Warning>,
    raw_shown: usize,
    first_raw: Option<Option<Span>>,
    missing_alt: usize,
}

impl Preparer<'_> {
    /// The blocks may nest at most [`bindery_model::MAX_DEPTH`] deep (the reader bounds it),
    /// so this recursion is safe.
    fn blocks(&mut self, blocks: &mut [Block], outer: Option<Span>) {
        for block in blocks {
            let span = block.span.or(outer);
            if let BlockKind::RawBlock { format, text } = &block.kind
                && format == "html"
                && !is_safe_html(text, Context::Block)
            {
                self.raw_shown += 1;
                self.first_raw.get_or_insert(span);
                block.kind = BlockKind::Para(lines_as_inlines(text));
            }
            match &mut block.kind {
                BlockKind::Plain(content)
                | BlockKind::Para(content)
                | BlockKind::Heading { content, .. } => self.inlines(content, span, false),
                BlockKind::BlockQuote(children)
                | BlockKind::Alert {
                    blocks: children, ..
                }
                | BlockKind::Div {
                    blocks: children, ..
                } => self.blocks(children, span),
                BlockKind::Figure {
                    blocks: children,
                    caption,
                    ..
                } => {
                    self.blocks(children, span);
                    self.inlines(caption, span, false);
                }
                BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                    for item in items {
                        self.blocks(&mut item.blocks, span);
                    }
                }
                BlockKind::DefinitionList(items) => {
                    for item in items {
                        self.inlines(&mut item.term, span, false);
                        for definition in &mut item.definitions {
                            self.blocks(definition, span);
                        }
                    }
                }
                BlockKind::Table(table) => {
                    for cell in table.head.iter_mut().chain(table.rows.iter_mut().flatten()) {
                        self.inlines(cell, span, false);
                    }
                }
                BlockKind::CodeBlock { .. }
                | BlockKind::RawBlock { .. }
                | BlockKind::ThematicBreak => {}
            }
        }
    }

    /// `in_link` is true inside a link's text, where no other link may be made.
    fn inlines(&mut self, inlines: &mut Vec<Inline>, span: Option<Span>, in_link: bool) {
        self.raw_html_runs(inlines, span);
        let mut out = Vec::with_capacity(inlines.len());
        for inline in std::mem::take(inlines) {
            match inline {
                Inline::Text(_)
                | Inline::SoftBreak
                | Inline::LineBreak
                | Inline::Code(_)
                | Inline::Raw { .. }
                | Inline::Math { .. } => out.push(inline),
                Inline::Emph(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Emph(c));
                }
                Inline::Strong(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Strong(c));
                }
                Inline::Strikeout(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Strikeout(c));
                }
                Inline::Subscript(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Subscript(c));
                }
                Inline::Superscript(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Superscript(c));
                }
                Inline::Mark(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Mark(c));
                }
                Inline::Underline(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Underline(c));
                }
                Inline::Keyboard(mut c) => {
                    self.inlines(&mut c, span, in_link);
                    out.push(Inline::Keyboard(c));
                }
                Inline::Span { attr, mut content } => {
                    self.inlines(&mut content, span, in_link);
                    out.push(Inline::Span { attr, content });
                }
                Inline::Link {
                    target,
                    mut content,
                    autolink,
                } => {
                    self.inlines(&mut content, span, true);
                    match self.link_fate(&target.url, target.span.or(span)) {
                        LinkFate::Keep => out.push(Inline::Link {
                            target,
                            content,
                            autolink,
                        }),
                        LinkFate::KeepAs(url) => out.push(Inline::Link {
                            target: Target { url, ..target },
                            content,
                            autolink,
                        }),
                        LinkFate::Unwrap => out.extend(content),
                    }
                }
                Inline::Image { target, mut alt } => {
                    self.inlines(&mut alt, span, in_link);
                    match self.image_fate(&target.url, target.span.or(span)) {
                        ImageFate::Packaged(path) => {
                            if plain_text(&alt).trim().is_empty() {
                                self.missing_alt += 1;
                            }
                            out.push(Inline::Image {
                                target: Target {
                                    url: path,
                                    title: target.title,
                                    span: target.span,
                                    attr: None,
                                },
                                alt,
                            })
                        }
                        ImageFate::Remote if !in_link => {
                            let content = if alt.is_empty() {
                                vec![Inline::Text(target.url.clone())]
                            } else {
                                alt
                            };
                            out.push(Inline::Link {
                                target,
                                content,
                                autolink: false,
                            });
                        }
                        ImageFate::Remote | ImageFate::AltText => out.extend(alt),
                    }
                }
                Inline::Note(mut blocks) => {
                    self.blocks(&mut blocks, span);
                    out.push(Inline::Note(blocks));
                }
            }
        }
        *inlines = out;
    }

    /// Inline raw HTML comes as separate nodes (`<kbd>`, text, `</kbd>`): a run from an
    /// opening node to the node that balances it is kept when, serialised as the HTML writer
    /// will write it, it is safe; a raw node that no run makes safe becomes text.
    fn raw_html_runs(&mut self, inlines: &mut [Inline], span: Option<Span>) {
        /// How far ahead a run may reach; HTML split across more nodes is shown as text.
        const MAX_RUN: usize = 64;
        let mut i = 0;
        while i < inlines.len() {
            if !is_raw_html(&inlines[i]) {
                i += 1;
                continue;
            }
            let mut serialised = String::new();
            let mut end = None;
            for (j, inline) in inlines.iter().enumerate().skip(i).take(MAX_RUN) {
                serialise_for_check(inline, &mut serialised);
                if is_raw_html(inline) && is_safe_html(&serialised, Context::Inline) {
                    end = Some(j);
                    break;
                }
            }
            match end {
                Some(end) => i = end + 1,
                None => {
                    if let Inline::Raw { text, .. } = &mut inlines[i] {
                        let text = std::mem::take(text);
                        inlines[i] = Inline::Text(text);
                    }
                    self.raw_shown += 1;
                    self.first_raw.get_or_insert(span);
                    i += 1;
                }
            }
        }
    }
}

fn is_raw_html(inline: &Inline) -> bool {
    matches!(inline, Inline::Raw { format, .. } if format == "html")
}

/// An inline as the safety check sees it: raw HTML verbatim, text escaped, anything the
/// HTML writer makes itself as an opaque, valid phrasing element.
fn serialise_for_check(inline: &Inline, out: &mut String) {
    match inline {
        Inline::Raw { format, text, .. } => {
            if format == "html" {
                out.push_str(text);
            }
        }
        Inline::Text(text) => {
            for c in text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    c => out.push(c),
                }
            }
        }
        Inline::SoftBreak => out.push('\n'),
        Inline::LineBreak => out.push_str("<br/>"),
        // A link cannot sit inside a raw `<a>`: let the check see one.
        Inline::Link { .. } => out.push_str("<a>x</a>"),
        Inline::Emph(_)
        | Inline::Strong(_)
        | Inline::Strikeout(_)
        | Inline::Subscript(_)
        | Inline::Superscript(_)
        | Inline::Mark(_)
        | Inline::Underline(_)
        | Inline::Keyboard(_)
        | Inline::Span { .. }
        | Inline::Code(_)
        | Inline::Image { .. }
        | Inline::Math { .. }
        | Inline::Note(_) => out.push_str("<span>x</span>"),
    }
}

/// Raw text shown as text, one line per source line (as the model's escape policy does).
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
pub(super) mod tests {
    use bindery_model::build::*;

    use super::*;

    pub(super) fn asset(media_type: &str, data: &[u8]) -> Asset {
        Asset {
            media_type: media_type.into(),
            data: data.into(),
            size: Some((2, 3)),
        }
    }

    pub(super) fn doc(blocks: Vec<Block>) -> Document {
        Document {
            blocks,
            ..Document::default()
        }
    }

    #[test]
    fn raw_html_runs_survive_only_when_safe() {
        let raw = |s: &str| Inline::Raw {
            format: "html".into(),
            text: s.into(),
            span: None,
        };
        let d = doc(vec![
            para(vec![
                raw("<kbd>"),
                text("Ctrl & C"),
                raw("</kbd>"),
                raw("<b>"),
            ]),
            BlockKind::RawBlock {
                format: "html".into(),
                text: "<script>x</script>\n".into(),
            }
            .into(),
        ]);
        let prepared = prepare(&d, &Assets::new());
        assert_eq!(
            prepared.document.blocks,
            vec![
                para(vec![
                    raw("<kbd>"),
                    text("Ctrl & C"),
                    raw("</kbd>"),
                    text("<b>")
                ]),
                para(vec![text("<script>x</script>")]),
            ]
        );
        assert_eq!(prepared.warnings.len(), 1);
        assert!(prepared.warnings[0].message.contains("2 places"));
    }
}
