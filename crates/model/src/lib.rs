//! bindery's document model: the contract between the reader and every exporter.
//!
//! `bindery-markdown` produces a [`Document`]; each renderer (`bindery-html`, `bindery-text`,
//! EPUB, PDF) consumes one. The model is closed (every traversal names every variant), owned,
//! `Send + Sync`, and has a JSON form carrying [`API_VERSION`] ([`to_json`], [`from_json`]).
//!
//! Depth is bounded once, here: [`limit_depth`] flattens anything nested deeper than
//! [`MAX_DEPTH`], so every recursive walk in a renderer is safe on untrusted input. So is
//! what any output may hold: [`sanitize`] removes dangerous URLs and control characters,
//! checks the language tag, filters attributes and makes heading ids unique and
//! distinct from footnote ids ([`Ids`]).

mod asset;
mod attrs;
mod controls;
mod depth;
mod ids;
mod json;
mod lang;
mod math;
mod meta;
mod node;
mod raw;
mod sanitize;
mod stats;
mod svg;
mod text;
mod url;
mod walk;
mod warning;

pub mod build;

pub use asset::{Asset, Assets};
pub use attrs::parse_attributes;
pub use controls::is_forbidden_char;
pub use depth::{MAX_DEPTH, limit_depth};
pub use ids::{Ids, footnote_id, footnote_ref_id, is_reserved_id};
pub use json::{API_VERSION, JsonError, from_json, to_json};
pub use lang::valid_language_tag;
pub use math::{MAX_MATH_BRACE_DEPTH, MAX_MATH_BYTES, math_bounds};
pub use meta::{CalendarDate, Metadata};
pub use node::{
    AlertKind, Alignment, Attr, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim,
    ListItem, Table, Target,
};
pub use raw::{RawHtml, apply_raw_html, raw_html_as_nodes};
pub use sanitize::{sanitize, sanitize_metadata};
pub use stats::{Extent, Stats};
pub use svg::svg_problem;
pub use text::{plain_text, slugify, splice};
pub use url::{dangerous_scheme, drop_dangerous_urls, is_local_url, percent_decode, url_scheme};
pub use walk::{
    for_each_anchor_id, for_each_block, for_each_inline, walk_block_lists_mut,
    walk_inline_lists_mut, walk_own_inline_lists_mut, walk_spans_mut,
};
pub use warning::{Span, Warned, Warning, WarningKind};
