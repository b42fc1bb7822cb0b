//! A render's cost, estimated from the model before Typst lays anything out.

use bindery_model::{Document, Extent, Inline, Stats};
use serde::{Deserialize, Serialize};

use crate::style::TOC_DEPTH;
use crate::{Error, Options, code};

/// A paragraph with at least this many separately set pieces may be dense (see [`is_dense`]).
const DENSE_PIECES: u64 = 16;

/// A paragraph with a piece per this many characters or fewer is dense.
const DENSE_CHARS_PER_PIECE: u64 = 8;

/// Whether a paragraph has so many separately set pieces per line (links, emphasis, code,
/// formulas, each character of a breakable long run) that Typst's optimal line breaking costs
/// more than the paragraph is worth.
///
/// The optimal (Knuth-Plass) breaker builds a trial line from every earlier breakpoint within
/// a line's width to every breakpoint, so each breakpoint costs (breakpoints per line) ×
/// (pieces per line): 5,000 one-letter emphases (`*i* `) in a paragraph took 6.8 s and 250 MB,
/// and 200,000 characters of inline code with no space ran out of memory. Such a paragraph is
/// broken first-fit, which builds one trial line per breakpoint: 0.56 s for the emphases.
/// Ordinary prose (a link or a code span every sentence or so) keeps the optimal breaker.
pub(crate) fn is_dense(content: &[Inline]) -> bool {
    let (pieces, chars) = pieces(content);
    pieces >= DENSE_PIECES && pieces.saturating_mul(DENSE_CHARS_PER_PIECE) >= chars
}

/// Separately set pieces and characters in `content` (notes aside: their text is set apart).
fn pieces(content: &[Inline]) -> (u64, u64) {
    let mut pieces: u64 = 0;
    let mut chars: u64 = 0;
    let mut stack: Vec<&Inline> = content.iter().collect();
    while let Some(inline) = stack.pop() {
        match inline {
            Inline::Text(s) => chars += s.chars().count() as u64,
            Inline::SoftBreak => chars += 1,
            Inline::LineBreak | Inline::Raw { .. } | Inline::Note(_) => pieces += 1,
            Inline::Code(s) => {
                let n = s.chars().count() as u64;
                chars += n;
                pieces += 1 + code::break_count(s);
            }
            Inline::Math { tex, .. } => {
                let n = tex.chars().count() as u64;
                chars += n;
                // Highlighted TeX: a token about every other character.
                pieces += 1 + n / 2 + code::break_count(tex);
            }
            // Emphasis, links, images...: a piece of their own, and their content.
            nested => {
                pieces += 1;
                stack.extend(nested.children().into_iter().flatten());
            }
        }
    }
    (pieces, chars)
}

/// What a document may ask of the typesetter, checked against the model's
/// [`Stats`](bindery_model::Stats) before anything is laid out (see [`check`]).
///
/// Typst's layout takes time and memory that grow with these quantities, faster than with
/// the input's size: a 5 KB table of 1,000 columns × 500 rows took 38.7 s and 5 GB, 200,000
/// headings in a table of contents ran out of memory. Each default is far above what a book
/// needs (the 1.5 MB benchmark book has 1,800 headings, no paragraph over 2,000 characters)
/// and low enough that the largest document it admits renders in seconds, not gigabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Cells of one table, counted as laid out (every row as wide as the widest).
    pub table_cells: u64,
    /// Characters of one paragraph: a paragraph, a heading, a list item's text, a table cell
    /// (inline code, formulas and link texts included).
    pub paragraph_chars: u64,
    /// Characters of one formula's TeX source.
    pub math_chars: u64,
    /// Headings listed in a table of contents (levels 1 to 3, with `--toc` and in books).
    pub toc_headings: u64,
    /// Footnotes in the document.
    pub footnotes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            table_cells: 50_000,
            paragraph_chars: 100_000,
            math_chars: 20_000,
            toc_headings: 20_000,
            footnotes: 20_000,
        }
    }
}

/// The limits by the names the command line gives them (`--pdf-limit NAME=N`), with what
/// each counts; [`Limits::set`] takes these names.
pub const LIMIT_NAMES: &[(&str, &str)] = &[
    ("table-cells", "cells of one table"),
    (
        "paragraph-chars",
        "characters of one paragraph, heading or table cell",
    ),
    ("math-chars", "characters of one formula"),
    ("toc-headings", "headings in a table of contents"),
    ("footnotes", "footnotes in a document"),
];

impl Limits {
    /// Sets the limit named `name` (one of [`LIMIT_NAMES`]); `Err` names the known ones.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), String> {
        let slot = match name {
            "table-cells" => &mut self.table_cells,
            "paragraph-chars" => &mut self.paragraph_chars,
            "math-chars" => &mut self.math_chars,
            "toc-headings" => &mut self.toc_headings,
            "footnotes" => &mut self.footnotes,
            _ => {
                let names: Vec<_> = LIMIT_NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown PDF limit `{name}` (known: {})",
                    names.join(", ")
                ));
            }
        };
        *slot = value;
        Ok(())
    }
}

/// Height in points the text of a page holds at most: A4 less the margins is 672 pt, US
/// Letter 622 pt; rounded up, so that the estimate stays below the real count.
const PAGE_HEIGHT: u64 = 700;

/// Height in points one line of body text (11 pt, leading 0.62 em) takes at least; a table
/// row, a heading, a thematic break or a paragraph takes at least one.
const LINE_HEIGHT: u64 = 11;

/// Height in points one line of a code block (0.8 em) takes at least.
const CODE_LINE_HEIGHT: u64 = 9;

/// Characters a page holds at most (about 3,000 of body text; twice that for small text).
const PAGE_CHARS: u64 = 6_000;

/// The fewest pages `stats` can come to: a lower bound, so that a document refused by it
/// would have been refused after layout too.
pub(crate) fn least_pages(stats: &Stats, options: &Options) -> u64 {
    let lines = stats.paragraphs
        + stats.headings.iter().sum::<u64>()
        + stats.thematic_breaks
        + stats.table_rows
        + stats.line_breaks;
    let height = lines
        .saturating_mul(LINE_HEIGHT)
        .saturating_add(stats.code_lines.saturating_mul(CODE_LINE_HEIGHT));
    let by_height = height / PAGE_HEIGHT;
    let by_chars = stats.chars / PAGE_CHARS;
    // Each chapter starts a page.
    let chapters = if options.chapter_pages {
        stats.headings[0]
    } else {
        0
    };
    by_height.max(by_chars).max(chapters)
}

/// Refuses `document` when its [`Stats`] are over `options`' limits (or its pages, estimated
/// from them, over [`Options::max_pages`]), before any layout: one walk of the model, linear
/// in its size.
pub fn check(document: &Document, options: &Options) -> Result<(), Error> {
    let stats = document.stats();
    let limits = &options.limits;
    let toc = if options.toc {
        stats.headings_to_level(TOC_DEPTH)
    } else {
        0
    };
    let checks = [
        (
            "table-cells",
            "a table of",
            "cells",
            stats.largest_table,
            limits.table_cells,
        ),
        (
            "math-chars",
            "a formula of",
            "characters",
            stats.longest_math,
            limits.math_chars,
        ),
        (
            "paragraph-chars",
            "a paragraph of",
            "characters",
            stats.longest_paragraph,
            limits.paragraph_chars,
        ),
        (
            "toc-headings",
            "a table of contents of",
            "headings",
            Extent {
                value: toc,
                span: None,
            },
            limits.toc_headings,
        ),
        (
            "footnotes",
            "the document has",
            "footnotes",
            Extent {
                value: stats.footnotes,
                span: None,
            },
            limits.footnotes,
        ),
    ];
    for (name, what, unit, extent, limit) in checks {
        if extent.value > limit {
            return Err(Error::OverLimit {
                name,
                what: format!("{what} {} {unit}", extent.value),
                limit,
                span: extent.span,
            });
        }
    }
    let pages = least_pages(&stats, options);
    if pages > options.max_pages as u64 {
        return Err(Error::TooManyPagesEstimated {
            pages,
            limit: options.max_pages,
        });
    }
    Ok(())
}
