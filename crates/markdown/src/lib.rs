//! bindery's reader, the first stage of the pipeline: Markdown with optional YAML or TOML front
//! matter in, an owned [`bindery_model::Document`] out.
//!
//! The entry function is [`parse`]. Every later stage (the HTML, text, EPUB and PDF renderers)
//! reads the model this crate returns and never sees comrak, the parser used here: comrak's
//! arena tree is converted, without recursion, into owned data inside [`parse`], so no comrak
//! type appears in this crate's API.
//!
//! What the reader guarantees to the renderers:
//! - nesting is at most [`bindery_model::MAX_DEPTH`] levels deep (deeper input is flattened,
//!   with a warning), so their recursive walks are safe on untrusted input;
//! - no link or image points at a `javascript:`, `vbscript:`, `file:` or non-image `data:` URL
//!   (such links are dropped, keeping their text, with a warning) in either dialect;
//! - headings carry unique GitHub-style ids (Markdown dialect), never a footnote's id;
//! - footnotes sit where they are referenced, as `Inline::Note`;
//! - everything [`bindery_model::sanitize`] promises: no control character in any text, a
//!   valid BCP 47 `lang` or none.

mod convert;
mod front_matter;
mod headings;
mod references;

use std::path::Path;

use bindery_model::{Document, Warned, limit_depth, sanitize};

/// Which Markdown is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// CommonMark with these extensions, and nothing else:
    ///
    /// - front matter: YAML between `---` lines or TOML between `+++` lines, at the very start;
    /// - GFM tables;
    /// - GFM strikethrough (`~~text~~`);
    /// - GFM task lists (`- [ ]`, `- [x]`);
    /// - GFM autolinks: bare `https://`, `http://`, `www.` URLs and e-mail addresses;
    /// - footnotes (`[^1]` with `[^1]: text`);
    /// - description lists (a term, a blank line, then `: definition`);
    /// - GitHub alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`),
    ///   except in a document with a run of more than 64 `>` in a row, where they stay block
    ///   quotes, with a warning (the parser's alert check is quadratic in such a run);
    /// - dollar math: `$x$` inline and `$$x$$` display. An opening `$` may not be followed by a
    ///   space and a closing one may not be preceded by a space or followed by a digit, so
    ///   prices such as `$5 and $10` stay text.
    ///
    /// Not enabled: GFM's tag filter (raw HTML is passed on as `Raw` and judged by each
    /// renderer), superscript, smart punctuation, and the parser's own heading ids (the reader
    /// computes GitHub-style ids itself).
    #[default]
    Markdown,
    /// The CommonMark specification only: every extension off, no front matter, no heading
    /// ids. URL safety still applies.
    CommonMark,
}

/// How to read a document.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The Markdown dialect.
    pub dialect: Dialect,
    /// The source file's name, if it came from a file: its stem is the title of last resort.
    pub file_name: Option<String>,
}

/// Why a document could not be read.
///
/// Markdown itself never fails to parse; only front matter can be wrong.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The front matter is not valid YAML or TOML, or a field has the wrong type.
    #[error("{line}:{col}: {message}")]
    FrontMatter {
        /// The line in the file (not in the front matter), 1-based.
        line: u32,
        /// The column, 1-based.
        col: u32,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
}

impl ReadError {
    /// What the user can do about the error.
    pub fn hint(&self) -> &str {
        match self {
            ReadError::FrontMatter { hint, .. } => hint,
        }
    }
}

/// Reads a whole TOML file (a book's `bindery.toml`) as metadata, with the same checks as
/// TOML front matter: typed keys, a depth limit, and errors at file line and column. Keys the
/// model does not type land in [`Metadata::extra`](bindery_model::Metadata::extra).
pub fn parse_toml_metadata(source: &str) -> Result<bindery_model::Metadata, ReadError> {
    front_matter::toml_metadata(source, 0)
}

/// Reads a Markdown document into the model.
///
/// The returned warnings cover dropped dangerous URLs, unreferenced footnote definitions,
/// flattened nesting, reference links the parser stopped expanding, unclosed front matter,
/// and what [`bindery_model::sanitize`] changed (control characters, an invalid `lang`);
/// each carries a source span where there is one. Spans are 1-based file lines and byte
/// columns, front matter included.
pub fn parse(source: &str, options: &ReadOptions) -> Result<Warned<Document>, ReadError> {
    let mut warnings = Vec::new();
    let (meta, body) = match options.dialect {
        Dialect::Markdown => {
            let split = front_matter::split(source)?;
            warnings.extend(split.warning);
            (split.meta, split.body)
        }
        Dialect::CommonMark => (Default::default(), std::borrow::Cow::Borrowed(source)),
    };

    let converted = convert::convert(&body, options.dialect);
    warnings.extend(converted.warnings);
    let mut document = Document {
        meta,
        blocks: converted.blocks,
    };
    warnings.extend(limit_depth(&mut document));

    if options.dialect == Dialect::Markdown {
        implicit_figures(&mut document.blocks);
        table_captions(&mut document.blocks);
        headings::assign_ids(&mut document.blocks);
    }
    if document
        .meta
        .title
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        document.meta.title = headings::first_title(&document.blocks).or_else(|| {
            options
                .file_name
                .as_deref()
                .and_then(|name| Path::new(name).file_stem())
                .map(|stem| stem.to_string_lossy().into_owned())
        });
    }
    warnings.extend(sanitize(&mut document));
    Ok(Warned {
        output: document,
        warnings,
    })
}

/// An image alone in its paragraph with a title, `![A red square](red.png "Figure caption")`,
/// is a figure whose caption is the title (the image keeps its alt text). pandoc makes a figure
/// of every lone image with alt text; here the title opts in, so the many documents that put
/// an image on a line of its own (GitHub and mdBook show those as plain images) are unchanged.
fn implicit_figures(blocks: &mut Vec<bindery_model::Block>) {
    use bindery_model::{Block, BlockKind, Inline};
    bindery_model::walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let BlockKind::Para(content) = &mut block.kind else {
                continue;
            };
            let [Inline::Image { target, .. }] = content.as_mut_slice() else {
                continue;
            };
            if target.title.trim().is_empty() {
                continue;
            }
            let caption = vec![Inline::Text(std::mem::take(&mut target.title))];
            let image = std::mem::take(content);
            block.kind = BlockKind::Figure {
                attr: Default::default(),
                blocks: vec![Block {
                    kind: BlockKind::Plain(image),
                    span: block.span,
                }],
                caption,
            };
        }
    });
}

/// pandoc's table caption: a paragraph starting with `Table:` right after a table (or right
/// before it) is its caption. The table becomes a figure with that caption: a numbered
/// "Table N" in PDF, `<figure>` with `<figcaption>` in HTML and EPUB.
fn table_captions(blocks: &mut Vec<bindery_model::Block>) {
    use bindery_model::{Block, BlockKind, Inline};
    fn caption_of(block: &Block) -> bool {
        matches!(&block.kind, BlockKind::Para(c)
            if matches!(c.first(), Some(Inline::Text(t)) if t.starts_with("Table:")))
    }
    bindery_model::walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        let mut i = 0;
        while i < list.len() {
            if matches!(list[i].kind, BlockKind::Table(_)) {
                let at = if list.get(i + 1).is_some_and(caption_of) {
                    Some(i + 1)
                } else if i > 0 && caption_of(&list[i - 1]) {
                    Some(i - 1)
                } else {
                    None
                };
                if let Some(at) = at {
                    let BlockKind::Para(mut caption) = list.remove(at).kind else {
                        unreachable!("caption_of matched a paragraph");
                    };
                    if let Some(Inline::Text(first)) = caption.first_mut() {
                        *first = first["Table:".len()..].trim_start().to_string();
                    }
                    caption.retain(|inline| !matches!(inline, Inline::Text(t) if t.is_empty()));
                    let table_at = if at < i { i - 1 } else { i };
                    let table = list.remove(table_at);
                    let span = table.span;
                    list.insert(
                        table_at,
                        Block {
                            kind: BlockKind::Figure {
                                attr: Default::default(),
                                blocks: vec![table],
                                caption,
                            },
                            span,
                        },
                    );
                    i = table_at;
                }
            }
            i += 1;
        }
    });
}
