//! bindery's HTML writer, the last step of the pipeline for `.html` output and the XHTML
//! producer inside EPUB.
//!
//! `bindery-markdown` reads a [`Document`]; [`render`] turns it into a standalone HTML5 page
//! (or, with [`Options::standalone`] off, the body content alone). The EPUB writer renders
//! each chapter with [`render_chapter`] in XHTML mode ([`Options::xhtml`]): one writer, two
//! serialisations, as pandoc's `writeHtmlStringForEPUB` does. The choices:
//!
//! - Output only escapes `&`, `<`, `>` and `"` (and URLs as cmark does), so it is valid HTML5
//!   and, in XHTML mode, well-formed XML with no named entities.
//! - Raw HTML (`Raw`/`RawBlock` with format `html`) is emitted verbatim, other formats are
//!   dropped: the `--raw-html` policy is applied to the model by the pipeline before this
//!   crate sees it ([`bindery_model::apply_raw_html`]).
//! - Footnotes are numbered per page (per chapter in EPUB) and collected in a
//!   `<section class="footnotes">` at its end, with back-links.
//! - Code is highlighted at build time with syntect into `hl-` classes whose colours are in
//!   the embedded stylesheet (a light theme and a dark one); unknown languages stay plain.
//! - The stylesheet ([`stylesheet`]) is written for phones and desktops, dark mode and print.
//!
//! Rendering is pure, sequential and deterministic: no file system, clock or threads. A page's
//! code blocks are highlighted after the rest is written and put back in document order; the
//! pipeline can highlight a large document's blocks ahead on its workers
//! ([`code_to_highlight`], [`Resources::prepare`]), which changes the speed, never the page. Images are linked by
//! their URL as written, or embedded as `data:` URLs from the [`Assets`] the pipeline loaded.

mod blocks;
mod escape;
mod highlight;
mod inlines;
mod math;
mod page;
mod site;

use std::collections::BTreeMap;

use bindery_model::{Assets, Block, BlockKind, Document, Metadata, Warned, Warning};

pub use crate::highlight::Resources;
use crate::page::Head;
pub use crate::site::{Files as SiteFiles, SiteChapter, render_site};

/// How the HTML is written. Every field is independent of the others.
#[derive(Debug, Clone)]
pub struct Options {
    /// A full page with `<head>`, stylesheet and title block; `false` (`--fragment`) writes
    /// only the body content (and its footnotes), for embedding in another page.
    pub standalone: bool,
    /// A table of contents (`<nav class="toc">`) of the level 1-3 headings that have ids, at
    /// the top of the body.
    pub toc: bool,
    /// Highlight code blocks whose language syntect knows.
    pub highlight: bool,
    /// A `§` link to itself inside each heading that has an id.
    pub heading_anchors: bool,
    /// Images found in [`Assets`] become `data:` URLs, so the page stands alone; others keep
    /// their URL (with a warning when it is a local path).
    pub embed_resources: bool,
    /// Extra stylesheets (their contents, from `--css FILE`), embedded after the default one
    /// so they can override it.
    pub css: Vec<String>,
    /// XHTML serialisation for EPUB: an XML prolog, the XHTML and EPUB namespaces,
    /// `lang` + `xml:lang`, self-closed void elements, spelled-out boolean attributes and
    /// `epub:type` on footnote references and footnotes.
    pub xhtml: bool,
    /// The caller has already checked the raw HTML in the document (EPUB keeps only what is
    /// well-formed and safe), so XHTML pages need not warn that raw HTML is copied unchecked.
    pub raw_html_checked: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            standalone: true,
            toc: false,
            highlight: true,
            heading_anchors: true,
            embed_resources: false,
            css: Vec::new(),
            xhtml: false,
            raw_html_checked: false,
        }
    }
}

/// One chapter of a book as its own page: what the EPUB writer renders for each XHTML
/// content document.
#[derive(Debug, Clone, Copy)]
pub struct Chapter<'a> {
    /// The page `<title>` (usually the chapter's heading text).
    pub title: &'a str,
    /// The chapter's blocks; footnotes are numbered from 1 within them.
    pub blocks: &'a [Block],
    /// The book's metadata, for the language and writing direction.
    pub meta: &'a Metadata,
    /// Link this stylesheet (a path inside the package) instead of embedding the CSS in
    /// every chapter.
    pub stylesheet_href: Option<&'a str>,
    /// Which file each heading id lives in, so a `#id` link into another chapter becomes
    /// `file#id`; ids not in the map stay page-local.
    pub fragment_files: Option<&'a BTreeMap<String, String>>,
    /// Open the page with the title block from `meta` (title, subtitle, authors, date): the
    /// index page of a book's HTML site.
    pub title_block: bool,
    /// Links to the book's contents and to the previous and next pages (a book's HTML site;
    /// EPUB reading systems have their own).
    pub nav: Option<&'a PageNav<'a>>,
}

/// Where a page of a book's HTML site sits among the others.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageNav<'a> {
    /// The book's index page, linked above the chapter.
    pub contents: Option<NavLink<'a>>,
    /// The page before this one in reading order.
    pub prev: Option<NavLink<'a>>,
    /// The page after this one.
    pub next: Option<NavLink<'a>>,
}

/// A link to another page: its URL relative to this page, and the text shown.
#[derive(Debug, Clone, Copy)]
pub struct NavLink<'a> {
    /// The URL, relative to the page that links.
    pub href: &'a str,
    /// The link text (the page's title).
    pub title: &'a str,
}

/// Renders a document as an HTML5 page, a fragment, or an XHTML page (see [`Options`]).
///
/// Warnings report images that could not be embedded and attributes that were dropped.
pub fn render(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> Warned<String> {
    page::document(document, assets, resources, options)
}

/// The code blocks of `document` the writer would highlight, as (language, code), in document
/// order (notes after the block that holds them); empty with [`Options::highlight`] off. The pipeline highlights them ahead, as jobs of
/// its own ([`Resources::prepare`]), when a document has enough code to be worth spreading over
/// the workers, and drops them from the memo once the document is written
/// ([`Resources::forget`]).
pub fn code_to_highlight(
    document: &Document,
    resources: &Resources,
    options: &Options,
) -> Vec<(String, String)> {
    let mut code = Vec::new();
    if !options.highlight {
        return code;
    }
    // A walk of the model, not a render: the pipeline asks this of every document.
    bindery_model::for_each_block(&document.blocks, &mut |block| {
        if let BlockKind::CodeBlock {
            lang: Some(lang),
            text,
            ..
        } = &block.kind
            && !lang.is_empty()
            && resources.knows(lang)
        {
            code.push((lang.clone(), text.clone()));
        }
    });
    code
}

/// The title block that opens a standalone page (title, subtitle, authors, date), on its own:
/// an EPUB's title page is this block, so the two cannot drift apart.
pub fn render_title_block(
    meta: &Metadata,
    title: &str,
    resources: &Resources,
    options: &Options,
) -> String {
    page::title_block_alone(meta, title, resources, options)
}

/// A chapter's page, what it warns about, and what a package must declare about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterOutput {
    /// The page.
    pub output: String,
    /// What the writer could not render as written.
    pub warnings: Vec<Warning>,
    /// The page holds MathML (an EPUB 3 manifest item must say `properties="mathml"`).
    pub mathml: bool,
}

/// Renders one chapter as a page of its own (a full page, or its body alone when
/// [`Options::standalone`] is off). With [`Options::xhtml`] this is an EPUB 3 content document.
pub fn render_chapter(
    chapter: &Chapter,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> ChapterOutput {
    let head = Head {
        title: chapter.title,
        meta: chapter.meta,
        stylesheet_href: chapter.stylesheet_href,
    };
    page::chapter(&head, chapter, assets, resources, options)
}

/// The complete stylesheet a page embeds: the default one, the highlighting theme (when
/// [`Options::highlight`] is on), then [`Options::css`]. EPUB writes it to a file of its own.
pub fn stylesheet(resources: &Resources, options: &Options) -> String {
    let mut css = String::from(page::DEFAULT_CSS);
    if options.highlight {
        css.push_str("\n/* Syntax highlighting */\n");
        css.push_str(resources.theme_css());
    }
    for user in &options.css {
        css.push('\n');
        css.push_str(user);
        if !user.ends_with('\n') {
            css.push('\n');
        }
    }
    css
}
