//! Books: a directory holding `bindery.toml` is read as one document made of its chapters, so
//! EPUB, PDF and text render a book exactly as they render an article, and HTML becomes a
//! site with one page per chapter ([`site`]).
//!
//! Assembling a book (after pandoc, which concatenates its inputs, but with mdBook's chapter
//! list): each chapter is read on its own (its own front matter, its images resolved beside
//! it), its heading becomes a level-1 heading (shifted down one level per nesting depth), its
//! heading ids are made unique across the book, and links between chapters (`other.md#id`)
//! become links to the heading's new id, which every renderer already follows. Block spans
//! are shifted as if the chapter files were concatenated, so a renderer's warning can be
//! traced back to `chapter.md:line:col`.

pub mod backend;
mod config;
mod include;
pub mod mdbook;

use std::collections::BTreeMap;
use std::path::Path;

use bindery_model::{
    Attr, Block, BlockKind, Document, Ids, Inline, Span, Warning, plain_text, slugify,
    walk_block_lists_mut, walk_own_inline_lists_mut,
};

pub use config::{BookConfig, CONFIG_FILE, ChapterRef, SUMMARY_FILE, is_project_defaults};
use config::{join_relative, on_disk, parent_dir};
use include::Segment;

use crate::assets::{Resolved, is_local, resolve_images};
use crate::read::{read_document, read_inside};
use crate::{Error, Settings};

/// A book read and assembled into one document.
#[derive(Debug)]
pub struct Book {
    /// The whole book: its metadata from `bindery.toml`, every chapter's blocks in order.
    pub document: Document,
    /// The images of every chapter, by book-relative URL.
    pub resolved: Resolved,
    /// `bindery.toml`, `SUMMARY.md` and every chapter's bytes with its path: the book's
    /// content, for hashes and cache keys.
    pub bytes: Vec<u8>,
    /// Warnings from reading the book, each naming its file.
    pub warnings: Vec<Warning>,
    /// Where each chapter sits in the document.
    pub layout: Layout,
}

/// Where each chapter sits in a book's document: its blocks, and its lines.
#[derive(Debug, Default)]
pub struct Layout {
    /// The chapters, with the range of the document's blocks each one owns (for the HTML site).
    pub chapters: Vec<ChapterPage>,
    /// Where each run of lines in the concatenated numbering comes from: a chapter, or a
    /// file an mdBook chapter includes.
    lines: Vec<Segment>,
}

/// One entry of the book as a page of the HTML site: the HTML writer renders the site
/// ([`bindery_html::render_site`]) from these.
pub use bindery_html::SiteChapter as ChapterPage;

impl Layout {
    /// Rewrites a renderer's warning to name the chapter file and line it came from.
    pub fn locate(&self, warning: Warning) -> Warning {
        if warning.file.is_some() {
            return warning;
        }
        place(&self.lines, warning)
    }
}

/// Names the file and line a warning's span comes from, by `segments` (sorted by `start`).
fn place(segments: &[Segment], mut warning: Warning) -> Warning {
    let Some(span) = warning.span else {
        return warning;
    };
    let index = segments.partition_point(|s| s.start <= span.line);
    if let Some(found) = index.checked_sub(1).and_then(|i| segments.get(i)) {
        warning.span = Some(shift_span(span, found.origin as i64 - found.start as i64));
        warning.file = Some(found.file.clone());
    }
    warning
}

/// A chapter's text as read (in an mdBook, with its directives expanded).
pub(crate) struct ChapterSource {
    /// The text to parse.
    pub text: Vec<u8>,
    /// Where its lines come from.
    pub segments: Vec<Segment>,
    /// A `{{#title}}` it set.
    pub title: Option<String>,
    /// Problems found while reading it, each naming its file.
    pub warnings: Vec<Warning>,
    /// Its bytes and those of every file it includes, for the cache key.
    pub key: Vec<u8>,
}

impl ChapterSource {
    /// A chapter read as it is, its lines its own.
    pub(crate) fn plain(text: Vec<u8>, shown: &str) -> Self {
        ChapterSource {
            key: text.clone(),
            text,
            segments: vec![Segment {
                start: 1,
                file: shown.to_string(),
                origin: 1,
            }],
            title: None,
            warnings: Vec::new(),
        }
    }
}

fn shift_span(span: Span, by: i64) -> Span {
    let shift = |line: u32| (line as i64 + by).clamp(1, u32::MAX as i64) as u32;
    Span {
        line: shift(span.line),
        end_line: shift(span.end_line),
        ..span
    }
}

/// One chapter as read, before links are resolved.
struct Read {
    chapter: ChapterRef,
    blocks: Vec<Block>,
    /// Old heading id -> id in the book.
    ids: BTreeMap<String, String>,
    /// The chapter heading's id in the book.
    id: String,
    title: String,
    head_title: Option<String>,
}

/// Reads the book in `dir`: `bindery.toml`, the chapter list, and every chapter; its images
/// and cover are read only inside `root` (the book directory unless `--root` says otherwise).
///
/// A missing or unreadable chapter, or one that is not valid UTF-8 or has invalid front
/// matter, fails the whole book (its outputs would be incomplete), and so do chapters adding
/// up to more than `--max-input` bytes (a book is one document); everything else is a
/// warning.
pub fn load(dir: &Path, root: &Path, settings: &Settings) -> Result<Book, Error> {
    let config = config::load(dir, settings.max_input)?;
    let mdbook = config.mdbook.is_some();
    assemble(config, dir, root, settings, |_, path, shown| {
        let raw = read_inside(dir, path, path, settings.max_input)?;
        let text = match std::str::from_utf8(&raw) {
            // Only an mdBook's chapters take its directives; text that is not UTF-8 is
            // reported by the reader.
            Ok(text) if mdbook => text,
            _ => return Ok(ChapterSource::plain(raw, shown)),
        };
        let expanded = include::expand(text, path, shown, root, settings.max_input)?;
        let mut key = raw.clone();
        for (name, bytes) in &expanded.files {
            key.extend_from_slice(name.as_bytes());
            key.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            key.extend_from_slice(bytes);
        }
        Ok(ChapterSource {
            text: expanded.text.into_bytes(),
            segments: expanded.segments,
            title: expanded.title,
            warnings: expanded.warnings,
            key,
        })
    })
}

/// Assembles a book from its configuration and its chapters' text, which `fetch` gives for
/// a chapter's book-relative file, its path on disk and the path shown in messages (from
/// disk for `bindery build`, from mdBook's render context for `bindery mdbook`).
pub(crate) fn assemble(
    config: BookConfig,
    dir: &Path,
    root: &Path,
    settings: &Settings,
    mut fetch: impl FnMut(&str, &Path, &str) -> Result<ChapterSource, Error>,
) -> Result<Book, Error> {
    let content = on_disk(dir, &config.src);
    let mut total: u64 = 0;
    let mut bytes = config.bytes.clone();
    let mut warnings = config.warnings.clone();
    let mut used = Ids::new();
    let mut chapters: Vec<Read> = Vec::new();
    let mut lines = Vec::new();
    let mut next_line: u32 = 0;

    for chapter in &config.chapters {
        let Some(file) = chapter.file.clone() else {
            let title = chapter.title.clone().unwrap_or_default();
            let id = unique(&mut used, &slugify(&title), "part");
            chapters.push(Read {
                chapter: chapter.clone(),
                blocks: Vec::new(),
                ids: BTreeMap::new(),
                id,
                title,
                head_title: None,
            });
            continue;
        };
        let path = on_disk(&content, &file);
        let shown = path.display().to_string();
        let fetched = fetch(&file, &path, &shown)?;
        let source = fetched.text;
        total = total.saturating_add(source.len() as u64);
        if total > settings.max_input {
            return Err(Error::TooLarge {
                path: dir.to_path_buf(),
                size: Some(total),
                limit: settings.max_input,
            });
        }
        bytes.extend_from_slice(file.as_bytes());
        bytes.extend_from_slice(&(fetched.key.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&fetched.key);
        warnings.extend(fetched.warnings);
        let read = read_document(&path, &source, settings)?;
        warnings.extend(read.warnings.into_iter().map(|w| {
            // A warning with a span is placed by the chapter's segments (an include's line
            // names the included file).
            let w = place(&fetched.segments, w);
            if w.file.is_some() {
                w
            } else {
                w.in_file(shown.clone())
            }
        }));
        let document = read.output;

        let mut blocks = document.blocks;
        if let Some(mdbook) = &config.mdbook {
            mdbook::hide_lines(&mut blocks, &mdbook.hidelines);
        }
        rebase_images(&mut blocks, parent_dir(&file));
        // The chapter's heading: its first block when that is a level-1 heading, else one made
        // from the list's title, the front matter title, or the file name.
        let has_heading = matches!(
            blocks.first().map(|b| &b.kind),
            Some(BlockKind::Heading { level: 1, .. })
        );
        if !has_heading {
            let title = chapter
                .title
                .clone()
                .or(document.meta.title.clone())
                .unwrap_or_else(|| file.clone());
            let id = slugify(&title);
            blocks.insert(
                0,
                Block::from(BlockKind::Heading {
                    level: 1,
                    attr: Attr::with_id(if id.is_empty() { "chapter" } else { &id }),
                    content: vec![Inline::Text(title)],
                }),
            );
        }
        // Ids unique across the book; the chapter's own were already unique within it.
        let mut ids = BTreeMap::new();
        for_each_heading(&mut blocks, &mut |_, attr, _| {
            if !attr.id.is_empty() {
                let new = unique(&mut used, &attr.id, "section");
                ids.insert(std::mem::take(&mut attr.id), new.clone());
                attr.id = new;
            }
        });
        let (id, title) = match &mut blocks[0].kind {
            BlockKind::Heading { attr, content, .. } => {
                if let Some(number) = &chapter.number {
                    content.insert(0, Inline::Text(format!("{number} ")));
                }
                (attr.id.clone(), plain_text(content))
            }
            _ => unreachable!("the first block was made a heading above"),
        };
        let book_authors = &config.meta.authors;
        if !document.meta.authors.is_empty() && &document.meta.authors != book_authors {
            let by = Block::from(BlockKind::Para(vec![Inline::Emph(vec![Inline::Text(
                document.meta.authors.join(", "),
            )])]));
            blocks.insert(1, by);
        }
        let shift = chapter.depth.saturating_sub(1);
        if shift > 0 {
            for_each_heading(&mut blocks, &mut |level, _, _| {
                *level = (*level + shift).min(6)
            });
        }
        // Spans as if the chapter files were one after another.
        lines.extend(fetched.segments.iter().map(|s| Segment {
            start: s.start.saturating_add(next_line),
            ..s.clone()
        }));
        shift_spans(&mut blocks, next_line);
        let line_count = source.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        next_line = next_line.saturating_add(line_count);

        chapters.push(Read {
            chapter: chapter.clone(),
            blocks,
            ids,
            id,
            title,
            head_title: fetched.title,
        });
    }

    // Links between chapters, now that every id in the book is known. The blocks are moved
    // out first, so the id tables can be borrowed while the blocks are rewritten.
    let mut resolved_blocks: Vec<Vec<Block>> = chapters
        .iter_mut()
        .map(|c| std::mem::take(&mut c.blocks))
        .collect();
    let targets: BTreeMap<&str, (&str, &BTreeMap<String, String>)> = chapters
        .iter()
        .filter_map(|c| {
            let file = c.chapter.file.as_deref()?;
            Some((file, (c.id.as_str(), &c.ids)))
        })
        .collect();
    // Their warnings carry book-wide spans until the layout below maps them to chapters.
    let mut link_warnings = Vec::new();
    for (read, blocks) in chapters.iter().zip(&mut resolved_blocks) {
        if let Some(file) = read.chapter.file.as_deref() {
            resolve_links(blocks, file, &targets, &mut link_warnings);
        }
    }

    let mut document = Document {
        meta: config.meta.clone(),
        blocks: Vec::new(),
    };
    let mut pages = Vec::new();
    for (read, blocks) in chapters.iter().zip(resolved_blocks) {
        let start = document.blocks.len();
        if read.chapter.file.is_none() {
            // A part: a heading of its own, at its depth.
            document.blocks.push(Block::from(BlockKind::Heading {
                level: read.chapter.depth.min(6),
                attr: Attr::with_id(read.id.clone()),
                content: vec![Inline::Text(read.title.clone())],
            }));
        } else {
            document.blocks.extend(blocks);
        }
        pages.push(ChapterPage {
            file: read.chapter.file.clone(),
            title: read.title.clone(),
            depth: read.chapter.depth,
            id: read.id.clone(),
            blocks: start..document.blocks.len(),
            head_title: read.head_title.clone(),
        });
    }
    for (key, value) in &settings.metadata {
        document.meta.set(key, value);
    }
    // The chapters were checked as they were read; the book's metadata, the titles from
    // SUMMARY.md and from file names were not (`bindery_model::sanitize` is idempotent).
    link_warnings.extend(bindery_model::sanitize(&mut document));
    let layout = Layout {
        chapters: pages,
        lines,
    };
    // Image URLs are relative to the chapters' folder by now.
    let base = if config.mdbook.is_some() {
        content.join(SUMMARY_FILE)
    } else {
        dir.join(CONFIG_FILE)
    };
    let resolved = resolve_images(
        &mut document,
        &base,
        root,
        settings.asset_limits,
        &mut link_warnings,
    );
    warnings.extend(link_warnings.into_iter().map(|w| layout.locate(w)));
    Ok(Book {
        document,
        resolved,
        bytes,
        warnings,
        layout,
    })
}

/// `base`, or `base-1`, `base-2`, ... whichever is not used yet and not a footnote's id
/// (`fallback` for an empty base): the model's one id allocator.
fn unique(used: &mut Ids, base: &str, fallback: &str) -> String {
    used.claim(base, fallback)
}

/// Calls `f` with the level, attributes and content of every heading, in document order
/// (headings may sit inside block quotes, lists and notes).
fn for_each_heading(
    blocks: &mut Vec<Block>,
    f: &mut impl FnMut(&mut u8, &mut Attr, &mut Vec<Inline>),
) {
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            if let BlockKind::Heading {
                level,
                attr,
                content,
            } = &mut block.kind
            {
                f(level, attr, content);
            }
        }
    });
}

fn shift_spans(blocks: &mut Vec<Block>, by: u32) {
    if by == 0 {
        return;
    }
    bindery_model::walk_spans_mut(blocks, &mut |span: &mut Option<Span>| {
        if let Some(found) = span {
            *found = shift_span(*found, by as i64);
        }
    });
}

/// Calls `f` with every link or image target and the span of the block holding it.
fn for_each_inline_list(
    blocks: &mut Vec<Block>,
    f: &mut impl FnMut(&mut Vec<Inline>, Option<Span>),
) {
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines| f(inlines, span));
        }
    });
}

/// Makes a chapter's local image URLs relative to the book directory, so that images of
/// chapters in different folders can share one asset table.
fn rebase_images(blocks: &mut Vec<Block>, chapter_dir: &str) {
    if !chapter_dir.is_empty() {
        map_local_images(blocks, &|url| join_relative(chapter_dir, url));
    }
}

/// Rewrites every local, relative image URL to what `f` gives (unchanged on `None`).
fn map_local_images(blocks: &mut Vec<Block>, f: &impl Fn(&str) -> Option<String>) {
    for_each_inline_list(blocks, &mut |inlines, _| {
        for inline in inlines.iter_mut() {
            if let Inline::Image { target, .. } = inline
                && is_local(&target.url)
                && !target.url.starts_with('/')
                && let Some(url) = f(&target.url)
            {
                target.url = url;
            }
        }
    });
}

/// Where a link inside the book points.
enum Link {
    /// Not a link into the book (a web URL, a file that is not Markdown): unchanged.
    Outside,
    /// A heading of the book.
    Heading(String),
    /// A chapter or heading that does not exist.
    Broken(String),
}

fn target(
    url: &str,
    chapter: &str,
    targets: &BTreeMap<&str, (&str, &BTreeMap<String, String>)>,
) -> Link {
    let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
    let path = path.split('?').next().unwrap_or(path);
    let file = if path.is_empty() {
        chapter.to_string()
    } else {
        let markdown = [".md", ".markdown"]
            .iter()
            .any(|ext| path.to_ascii_lowercase().ends_with(ext));
        if !is_local(path) || path.starts_with('/') || !markdown {
            return Link::Outside;
        }
        let decoded = crate::assets::percent_decode(path);
        match join_relative(parent_dir(chapter), &decoded) {
            Some(file) => file,
            None => return Link::Broken(format!("`{path}` is outside the book")),
        }
    };
    let Some((chapter_id, ids)) = targets.get(file.as_str()) else {
        return Link::Broken(format!("`{file}` is not a chapter of this book"));
    };
    if fragment.is_empty() {
        return Link::Heading(chapter_id.to_string());
    }
    let fragment = crate::assets::percent_decode(fragment);
    match ids.get(&fragment) {
        Some(id) => Link::Heading(id.clone()),
        None if path.is_empty() => Link::Broken(format!("no heading has the id `{fragment}`")),
        None => Link::Broken(format!("`{file}` has no heading with the id `{fragment}`")),
    }
}

/// Points links between chapters at the headings' ids in the book; a broken one keeps its
/// text, loses its link, and is reported.
fn resolve_links(
    blocks: &mut Vec<Block>,
    chapter: &str,
    targets: &BTreeMap<&str, (&str, &BTreeMap<String, String>)>,
    warnings: &mut Vec<Warning>,
) {
    for_each_inline_list(blocks, &mut |inlines, span| {
        let mut i = 0;
        while i < inlines.len() {
            if let Inline::Link { target: t, .. } = &mut inlines[i] {
                match target(&t.url, chapter, targets) {
                    Link::Outside => {}
                    Link::Heading(id) => t.url = format!("#{id}"),
                    Link::Broken(reason) => {
                        warnings.push(
                            Warning::new(
                                format!("broken link `{}`: {reason}", t.url),
                                t.span.or(span),
                            )
                            .of_kind(bindery_model::WarningKind::BrokenLink)
                            .with_hint("the link text is kept without the link"),
                        );
                        if let Inline::Link { content, .. } = inlines.remove(i) {
                            let n = content.len();
                            inlines.splice(i..i, content);
                            i += n;
                        }
                        continue;
                    }
                }
            }
            i += 1;
        }
    });
}
