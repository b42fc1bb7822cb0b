//! bindery's PDF writer: a [`Document`] typeset with Typst's engine, used in-process as a library.
//!
//! In the pipeline this is one renderer among several: `bindery-markdown` reads a document,
//! the pipeline loads its images into [`Assets`] and builds one [`Resources`] per process (the
//! fonts), and [`render`] turns each document into PDF bytes plus warnings. [`render`] is pure:
//! it writes the document as Typst markup in which every piece of user text is a string literal
//! (module `emit`), compiles it in a `World` that holds only that markup, the document's
//! images and the fonts, and exports with `typst-pdf`. No file system, network or clock.

mod budget;
mod code;
mod coverage;
mod depth;
mod emit;
mod fonts;
mod math;
mod split;
mod style;
mod targets;
mod typst_syntax;
mod world;

use std::path::PathBuf;

use bindery_model::{Assets, Document, Warned, Warning, limit_depth};
use serde::{Deserialize, Serialize};
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::syntax::DiagSpanKind;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use budget::{LIMIT_NAMES, Limits, check};
pub use fonts::Resources;

use world::DocumentWorld;

/// Paper size of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

/// How to typeset; `Options::default()` is A4, no table of contents, system fonts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Paper size.
    pub paper: Paper,
    /// Put a table of contents with page numbers after the title block.
    pub toc: bool,
    /// Start every level-1 heading of the document on a new page: the chapters of a book.
    pub chapter_pages: bool,
    /// Also use the fonts installed on the machine, as fallback for scripts the bundled fonts
    /// lack (CJK, Arabic...). Read only by [`Resources::new`].
    pub system_fonts: bool,
    /// Extra font directories, searched after the bundled fonts and before the system's.
    /// Read only by [`Resources::new`].
    pub font_dirs: Vec<PathBuf>,
    /// A document longer than this many pages is an error rather than a huge file; checked
    /// before layout against an estimate (a lower bound) and after it against the real count.
    pub max_pages: usize,
    /// What a document may ask of the typesetter, checked before layout ([`check`]).
    pub limits: Limits,
    /// Creation time in Unix seconds (the pipeline sets it from `SOURCE_DATE_EPOCH`). Without
    /// it the front matter `date` (`YYYY-MM-DD`) is used, and without that the PDF has no date.
    pub timestamp: Option<i64>,
    /// How many threads may lay out chapters of a book at once (with `chapter_pages`); 0 or 1
    /// lays them out one after another. The output is the same bytes whatever the number.
    #[serde(default)]
    pub layout_threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            paper: Paper::A4,
            toc: false,
            chapter_pages: false,
            system_fonts: true,
            font_dirs: Vec::new(),
            max_pages: 5000,
            limits: Limits::default(),
            timestamp: None,
            layout_threads: 1,
        }
    }
}

/// Why a document could not be turned into a PDF.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The typeset document is longer than [`Options::max_pages`].
    #[error("the document has {pages} pages, more than the limit of {limit}")]
    TooManyPages {
        /// Pages the document came to.
        pages: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The document is at least this many pages by an estimate made before layout.
    #[error(
        "the document would come to at least {pages} pages (estimated before layout), more than the limit of {limit}"
    )]
    TooManyPagesEstimated {
        /// The fewest pages the document can come to.
        pages: u64,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The document asks more of the typesetter than one of [`Options::limits`] allows.
    #[error("{what}, over the limit of {limit}")]
    OverLimit {
        /// The limit's name, as [`Limits::set`] takes it (`table-cells`).
        name: &'static str,
        /// What is over it, with its size ("a table of 501000 cells").
        what: String,
        /// The limit.
        limit: u64,
        /// Where in the source, when known.
        span: Option<bindery_model::Span>,
    },
    /// Typst could not compile the generated markup (a bug in this crate, or a resource such as
    /// an image it could not decode).
    #[error("typesetting failed: {0}")]
    Typeset(String),
    /// Typst could not write the PDF.
    #[error("writing the PDF failed: {0}")]
    Export(String),
}

/// Typesets `document` as PDF bytes, with warnings for dangling internal links, images that
/// could not be embedded and characters no font covers.
///
/// `assets` holds the images the pipeline loaded for this document, keyed by URL as written;
/// `resources` the fonts, shared by every call.
pub fn render(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> Result<Warned<Vec<u8>>, Error> {
    let mut warnings = Vec::new();
    // Raw HTML kept for the HTML formats (`--raw-html keep`) is set as the sanitize policy
    // reads it: H₂O as a subscript, not `H<sub>2</sub>O`.
    let converted = bindery_model::raw_html_as_nodes(document);
    let document = converted.as_ref().unwrap_or(document);
    // The reader already bounds depth; a document built by other means is bounded here, so
    // the markup always stays below Typst's parser limit.
    let flattened;
    let document = if depth::exceeds_model_limit(&document.blocks) {
        let mut copy = document.clone();
        warnings.extend(limit_depth(&mut copy));
        flattened = copy;
        &flattened
    } else {
        document
    };

    budget::check(document, options)?;
    let date = creation_date(document, options);

    warnings.extend(coverage::missing_glyphs(document, resources));
    let paged = lay_out(
        document,
        assets,
        resources,
        options,
        date,
        Some(split::GROUP_BYTES),
        &mut warnings,
    )?;
    let pages = paged.pages().len();
    if pages > options.max_pages {
        return Err(Error::TooManyPages {
            pages,
            limit: options.max_pages,
        });
    }

    let pdf_options = PdfOptions {
        ident: match document.meta.identifier.as_deref() {
            Some(id) if !id.is_empty() => Smart::Custom(id.to_string()),
            _ => Smart::Auto,
        },
        creator: Smart::Custom(Some(format!(
            "bindery {} (Typst)",
            env!("CARGO_PKG_VERSION")
        ))),
        timestamp: date.map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&paged, &pdf_options)
        .map_err(|errors| Error::Export(describe(None, &errors)))?;
    Ok(Warned {
        output: bytes,
        warnings,
    })
}

/// The pages of `document`: a book with chapters in groups of about `group_bytes` of markup
/// (module `split`), else (or with `None`) in one layout.
fn lay_out(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
    date: Option<Datetime>,
    group_bytes: Option<usize>,
    warnings: &mut Vec<Warning>,
) -> Result<PagedDocument, Error> {
    let headings = targets::Headings::new(document);
    let offset = heading_offset(document);
    let (preamble, front) = head(document, &headings, resources, options, date.is_some());
    // A book whose chapters start pages is laid out a few chapters at a time (module `split`).
    let split = group_bytes.is_some()
        && options.chapter_pages
        && document
            .blocks
            .iter()
            .filter(|b| emit::starts_chapter(b))
            .nth(1)
            .is_some();
    let mut split_layout = None;
    if split {
        let body = emit::body(document, &headings, assets, offset, true, true);
        let parts = split::Parts {
            preamble: &preamble,
            front: &front,
            body: &body,
            toc_level: options.toc.then(|| style::TOC_DEPTH as u8 + offset),
            group_bytes: group_bytes.unwrap_or(split::GROUP_BYTES),
        };
        if let Some(laid) = split::typeset(resources, &parts, date, options.layout_threads) {
            warnings.extend(body.warnings);
            warnings.extend(laid.warnings);
            split_layout = Some(laid.output);
        }
    }
    let paged = match split_layout {
        Some(paged) => paged,
        None => {
            let head = format!("{preamble}{front}");
            let body = emit::body(document, &headings, assets, offset, true, false);
            let had_images = !body.images.is_empty();
            let mut attempt = typeset(resources, &head, body, date);
            if let (Err(error), true) = (&attempt.output, had_images) {
                // Typst rejects some images the pipeline's checks let through (a truncated PNG,
                // an SVG it cannot parse); the document still prints, with descriptions in
                // their place.
                let warning = Warning::new(
                    format!(
                        "an image could not be typeset, so every image is shown as its description: {error}"
                    ),
                    None,
                )
                .of_kind(bindery_model::WarningKind::Image);
                let body = emit::body(document, &headings, assets, offset, false, false);
                attempt = typeset(resources, &head, body, date);
                attempt.warnings.insert(0, warning);
            }
            warnings.extend(attempt.warnings);
            attempt.output.map_err(Error::Typeset)?
        }
    };
    Ok(paged)
}

/// Lays out Typst markup in the world [`render`] uses (bindery's fonts, no files, no date),
/// for experiments on the layout itself, such as the split-layout spike of
/// `examples/split_spike.rs`.
#[doc(hidden)]
pub fn compile_markup(resources: &Resources, source: String) -> Result<PagedDocument, String> {
    let world = DocumentWorld::new(resources, source, Vec::new(), None);
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| describe(Some(&world), &errors))
}

/// The Typst markup [`render`] compiles for `document` (with images embedded), for debugging
/// and for timing the generated markup with the `typst` command-line tool.
#[doc(hidden)]
pub fn typst_markup(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> String {
    let has_date = creation_date(document, options).is_some();
    let headings = targets::Headings::new(document);
    let (mut markup, front) = head(document, &headings, resources, options, has_date);
    markup.push_str(&front);
    let body = emit::body(
        document,
        &headings,
        assets,
        heading_offset(document),
        true,
        false,
    );
    markup.push_str(&body.markup);
    markup
}

/// The PDF's date: `options.timestamp`, else the front matter's `date`.
fn creation_date(document: &Document, options: &Options) -> Option<Datetime> {
    options
        .timestamp
        .and_then(datetime_from_unix)
        .or_else(|| document.meta.date.as_deref().and_then(datetime_from_iso))
}

/// 1 when a title heading sits above the document's own headings, else 0.
fn heading_offset(document: &Document) -> u8 {
    let has_title = document
        .meta
        .title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty());
    u8::from(has_title)
}

/// Everything before the body: the preamble (metadata, page, rules), then the front matter
/// (title block and table of contents).
fn head(
    document: &Document,
    headings: &targets::Headings<'_>,
    resources: &Resources,
    options: &Options,
    has_date: bool,
) -> (String, String) {
    let offset = heading_offset(document);
    let preamble = style::preamble(&document.meta, resources, options, has_date, offset);
    let mut front = String::new();
    style::title_block(&mut front, &document.meta, headings.title_label(document));
    if options.toc {
        style::table_of_contents(&mut front, offset);
    }
    (preamble, front)
}

/// Compiles the preamble `head` and `body` into pages, with the body's warnings and Typst's.
fn typeset(
    resources: &Resources,
    head: &str,
    body: emit::Body,
    date: Option<Datetime>,
) -> Warned<Result<PagedDocument, String>> {
    let mut source = String::with_capacity(head.len() + body.markup.len());
    source.push_str(head);
    source.push_str(&body.markup);
    let world = DocumentWorld::new(resources, source, body.images, date);
    resources.count_render();
    let compiled = typst::compile::<PagedDocument>(&world);
    let mut warnings = body.warnings;
    warnings.extend(
        compiled
            .warnings
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| Warning::new(format!("typesetting: {}", d.message), None)),
    );
    Warned {
        output: compiled
            .output
            .map_err(|errors| describe(Some(&world), &errors)),
        warnings,
    }
}

/// Typst's diagnostics as one message; the line of generated markup is included because the
/// user's own positions do not survive into it.
fn describe(world: Option<&DocumentWorld<'_>>, errors: &[SourceDiagnostic]) -> String {
    let mut parts = Vec::new();
    for error in errors {
        let mut part = error.message.to_string();
        if let Some(world) = world
            && let DiagSpanKind::Number { id, .. } = error.span.get()
            && id == typst::World::main(world)
            && let Some(range) = typst::WorldExt::range(world, error.span)
        {
            let text = world.main_source().text();
            let line = text[..range.start].matches('\n').count() + 1;
            part.push_str(&format!(" (generated markup line {line})"));
        }
        for hint in &error.hints {
            part.push_str(&format!("; hint: {}", hint.v));
        }
        parts.push(part);
    }
    parts.join("; ")
}

/// A UTC date-time from Unix seconds (days-from-civil, after Howard Hinnant).
fn datetime_from_unix(seconds: i64) -> Option<Datetime> {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Datetime::from_ymd_hms(
        i32::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(secs / 3600).ok()?,
        u8::try_from(secs % 3600 / 60).ok()?,
        u8::try_from(secs % 60).ok()?,
    )
}

/// A date from front matter written `YYYY-MM-DD` (anything after the day, such as a time, is
/// ignored); `None` for anything else.
fn datetime_from_iso(date: &str) -> Option<Datetime> {
    // The model's one reading of dates, shared with the EPUB writer.
    let date = bindery_model::CalendarDate::parse(date)?;
    Datetime::from_ymd_hms(i32::from(date.year), date.month, date.day, 0, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Resources>();
        shareable::<Options>();
        shareable::<Error>();
    }

    #[test]
    fn unix_seconds_to_utc() {
        let d = datetime_from_unix(1_700_000_000).unwrap();
        assert_eq!(
            (
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            (Some(2023), Some(11), Some(14), Some(22), Some(13), Some(20))
        );
        let epoch = datetime_from_unix(0).unwrap();
        assert_eq!(
            (epoch.year(), epoch.month(), epoch.day()),
            (Some(1970), Some(1), Some(1))
        );
    }

    #[test]
    fn front_matter_dates() {
        let d = datetime_from_iso("2025-01-15").unwrap();
        assert_eq!(
            (d.year(), d.month(), d.day()),
            (Some(2025), Some(1), Some(15))
        );
        assert!(datetime_from_iso("2025-01-15T10:00:00Z").is_some());
        assert!(datetime_from_iso("January 2025").is_none());
        assert!(datetime_from_iso("2025-13-01").is_none());
    }
}
