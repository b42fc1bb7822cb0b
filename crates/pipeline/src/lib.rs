//! bindery's batch engine: the only crate (besides the binary) that touches the file system or
//! spawns threads.
//!
//! [`plan`] finds the documents, [`build`] reads each one once and renders every requested
//! [`Format`] of it as separate jobs of one flat queue (`schedule`, on a rayon pool of
//! `--jobs` threads), writing each output atomically as soon as it is made, with PDFs in
//! render worker processes when asked ([`Isolation`]); [`convert`] does the same for one input
//! and one output. Failures are isolated: an error
//! or a panic in one document or format is reported and every other output is still written.

mod assets;
pub mod book;
mod cache;
mod cache_key;
mod copy;
mod format;
mod links;
mod manifest;
mod on_demand;
mod plan;
mod read;
mod run;
mod schedule;
mod shard;
mod worker;
mod write;

pub use assets::{AssetLimits, refuse_local_images};
pub use bindery_pdf::{Limits as PdfLimits, Paper};
pub use cache::Cache;
pub use cache_key::CacheKey;
pub use format::Format;
pub use manifest::{Finished, Journal, MANIFEST_FILE, MergeError, Merged, merge, run_fingerprint};
pub use on_demand::{Posted, Prepared, Rendered, Renderer, find_document};
pub use plan::{Source, SourceKind, is_book as is_book_dir, plan};
pub use read::{InputFormat, read_document, read_document_as};
pub use run::{
    Build, CopiedImage, Event, Failure, MDBOOK_FORMATS, MdbookReport, Output, Report, build,
    convert, mdbook_backend,
};
pub use shard::{COUNT_VARIABLE as SHARD_COUNT_VARIABLE, Shard};
pub use worker::{
    DEFAULT_RENDER_TIMEOUT, DEFAULT_WORKER_MEMORY, Isolation, limit_memory, serve_worker,
};

use std::path::PathBuf;

use bindery_model::{RawHtml, Span, Warning};

/// Why a render failed, for callers that answer each differently (a service's status code:
/// 422, 504, 500), without reading the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderFailure {
    /// The renderer refused the document (a typesetting error).
    Refused,
    /// The render passed `--render-timeout` and its worker was stopped.
    TimedOut,
    /// The render's worker could not start, or died (its memory limit, an abort).
    WorkerLost,
}

/// Everything that shapes how documents are read and rendered, shared by all jobs of a run.
/// Loaded once per process (syntax sets, themes) and shared across threads.
pub struct Settings {
    /// The input dialect.
    pub input: InputFormat,
    /// `-M key=value` overrides, applied after front matter.
    pub metadata: Vec<(String, String)>,
    /// What happens to raw HTML.
    pub raw_html: RawHtml,
    /// Largest input read, in bytes.
    pub max_input: u64,
    /// Limits on images.
    pub asset_limits: AssetLimits,
    /// HTML writer options.
    pub html: bindery_html::Options,
    /// Syntax definitions and themes for highlighting, loaded once.
    pub html_resources: bindery_html::Resources,
    /// Plain-text writer options.
    pub text: bindery_text::Options,
    /// EPUB writer options (its `html` field shapes the chapters).
    pub epub: bindery_epub::Options,
    /// PDF writer options.
    pub pdf: bindery_pdf::Options,
    /// Fonts for PDF, loaded on first use (scanning system fonts costs a few hundred
    /// milliseconds that an HTML-only run should not pay).
    pub pdf_resources: std::sync::OnceLock<bindery_pdf::Resources>,
    /// Where this build's HTML pages are published (`--base-url`): an EPUB links other
    /// articles of the build there, since it cannot link to files beside it.
    pub base_url: Option<String>,
}

impl Settings {
    /// A hex digest of every option of the run, written field by field (see
    /// [`CacheKey`] for the per-format keys): equal for two runs given the same options, so the
    /// shards of one build can be checked to agree. Font files are not read.
    pub fn fingerprint(&self) -> String {
        cache_key::settings_fingerprint(self)
    }

    /// The PDF fonts, loaded once per process on first use.
    pub fn pdf_resources(&self) -> &bindery_pdf::Resources {
        self.pdf_resources
            .get_or_init(|| bindery_pdf::Resources::new(&self.pdf))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            input: InputFormat::default(),
            metadata: Vec::new(),
            raw_html: RawHtml::default(),
            max_input: 16 * 1024 * 1024,
            asset_limits: AssetLimits::default(),
            html: bindery_html::Options::default(),
            html_resources: bindery_html::Resources::default(),
            text: bindery_text::Options::default(),
            epub: bindery_epub::Options::default(),
            pdf: bindery_pdf::Options::default(),
            pdf_resources: std::sync::OnceLock::new(),
            base_url: None,
        }
    }
}

/// A failure that stops one document (or one output), never the batch.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The input is not valid for its dialect (front matter, JSON, UTF-8).
    #[error("{}:{line}:{col}: {message}", path.display())]
    Syntax {
        /// The input file.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: Option<String>,
    },
    /// The input is larger than `--max-input`.
    #[error("{}: {} the input limit of {limit} bytes", path.display(), over(*size))]
    TooLarge {
        /// The input file.
        path: PathBuf,
        /// Its size; `None` for a stream, which is not read past the limit.
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// Two inputs would write the same output.
    #[error("{}: its outputs would overwrite those of {}", path.display(), first.display())]
    Collision {
        /// The later input, which is not built.
        path: PathBuf,
        /// The input that keeps the outputs.
        first: PathBuf,
    },
    /// A renderer refused the document (a page limit, a typesetting error).
    #[error("{}: {format}: {message}", path.display())]
    Render {
        /// The input file.
        path: PathBuf,
        /// The format.
        format: Format,
        /// The renderer's message.
        message: String,
        /// Why: the renderer refused, the render ran out of time, or its worker was lost.
        failure: RenderFailure,
    },
    /// The PDF writer refused the document before laying it out: it is over one of the
    /// limits of [`bindery_pdf::Options`] (`--pdf-limit`, `--max-pages`).
    #[error("{}: pdf: {message}", at(path, *span))]
    OverLimit {
        /// The input file (a book's chapter, when the place is in one).
        path: PathBuf,
        /// Where in it, when known.
        span: Option<Span>,
        /// What is over which limit.
        message: String,
        /// The option that raises it (`--pdf-limit table-cells=N`).
        option: String,
    },
    /// A renderer panicked; a bug in bindery, contained to this output.
    #[error("{}: internal error while rendering {format}: {message}", path.display())]
    Panic {
        /// The input file.
        path: PathBuf,
        /// The format being rendered, or "reading".
        format: String,
        /// The panic message.
        message: String,
    },
}

impl Error {
    /// A hint for the user, when there is one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Syntax { hint, .. } => hint.as_deref(),
            Error::TooLarge { .. } => Some("raise the limit with --max-input BYTES"),
            Error::Collision { .. } => {
                Some("rename one of the files, or build them into different output directories")
            }
            Error::OverLimit { option, .. } => Some(option),
            Error::Io { .. } | Error::Render { .. } | Error::Panic { .. } => None,
        }
    }

    /// Checks `document` against the PDF limits of `options` before it is laid out (in this
    /// process, so that a refused document costs no worker a round trip), naming the chapter
    /// file of a book (`layout`) where the place is in one.
    pub(crate) fn pdf_budget(
        path: &std::path::Path,
        document: &bindery_model::Document,
        layout: Option<&book::Layout>,
        options: &bindery_pdf::Options,
    ) -> Result<(), Error> {
        let Err(error) = bindery_pdf::check(document, options) else {
            return Ok(());
        };
        let (span, option) = match &error {
            bindery_pdf::Error::OverLimit { name, span, .. } => {
                (*span, format!("raise it with --pdf-limit {name}=N"))
            }
            _ => (None, "raise it with --max-pages N".to_string()),
        };
        let message = error.to_string();
        let located = match layout {
            Some(layout) => layout.locate(Warning::new(String::new(), span)),
            None => Warning::new(String::new(), span),
        };
        Err(Error::OverLimit {
            path: located
                .file
                .map_or_else(|| path.to_path_buf(), PathBuf::from),
            span: located.span,
            message,
            option,
        })
    }
}

/// `path:line:col`, or `path` when the place is not known.
fn at(path: &std::path::Path, span: Option<Span>) -> String {
    match span {
        Some(span) => format!("{}:{}:{}", path.display(), span.line, span.col),
        None => path.display().to_string(),
    }
}

/// How far over the input limit an input is, for [`Error::TooLarge`].
fn over(size: Option<u64>) -> String {
    match size {
        Some(size) => format!("{size} bytes is over"),
        None => "the stream goes on past".to_string(),
    }
}

/// Formats a warning as `warning: path:line:col: message` with an indented hint line, every
/// part passed through [`escape_for_terminal`]: paths, messages and hints quote the input
/// (an image URL, a file name), and the input must not drive the terminal.
pub fn format_warning(path: &std::path::Path, warning: &Warning) -> String {
    let path = warning.file.as_deref().map_or(path, std::path::Path::new);
    let mut out = format!("warning: {}", location(path, warning.span));
    out.push_str(": ");
    out.push_str(&escape_for_terminal(&warning.message));
    if let Some(hint) = &warning.hint {
        out.push_str("\n  hint: ");
        out.push_str(&escape_for_terminal(hint));
    }
    out
}

/// The warnings of one document (or one of its outputs) as [`format_warning`] lines, one per
/// kind and file: the first of each kind in full, and a count with the places of the others
/// (a page with 200 broken links gives one warning, not 200). Kinds that are not reported
/// per place ([`WarningKind::per_place`](bindery_model::WarningKind::per_place)) are each
/// shown. `all` shows every warning.
pub fn format_warnings(path: &std::path::Path, warnings: &[Warning], all: bool) -> Vec<String> {
    let mut groups: Vec<(&Warning, Vec<&Warning>)> = Vec::new();
    for warning in warnings {
        let same = |first: &&Warning| {
            !all && warning.kind.per_place()
                && first.kind == warning.kind
                && first.file == warning.file
        };
        match groups.iter_mut().find(|(first, _)| same(first)) {
            Some((_, more)) => more.push(warning),
            None => groups.push((warning, Vec::new())),
        }
    }
    groups
        .into_iter()
        .map(|(first, more)| {
            let mut line = format_warning(path, first);
            if !more.is_empty() {
                const LISTED: usize = 8;
                let places: Vec<String> = more
                    .iter()
                    .take(LISTED)
                    .filter_map(|w| w.span.map(|s| format!("{}:{}", s.line, s.col)))
                    .collect();
                let _ = std::fmt::Write::write_fmt(
                    &mut line,
                    format_args!(
                        "\n  note: {} more `{}` warning{} here{}{}",
                        more.len(),
                        first.kind.name(),
                        if more.len() == 1 { "" } else { "s" },
                        if places.is_empty() {
                            String::new()
                        } else {
                            format!(", at {}", places.join(", "))
                        },
                        if more.len() > LISTED { ", ..." } else { "" },
                    ),
                );
            }
            line
        })
        .collect()
}

/// Formats an error as `error: message` with an indented hint line, escaped as
/// [`format_warning`] does.
pub fn format_error(error: &Error) -> String {
    let mut out = format!("error: {}", escape_for_terminal(&error.to_string()));
    if let Some(hint) = error.hint() {
        out.push_str("\n  hint: ");
        out.push_str(&escape_for_terminal(hint));
    }
    out
}

/// `text` with every character that could drive a terminal or reorder what it shows written
/// as a Rust escape (`\u{1b}`, `\n`, `\u{202e}`): the C0 and C1 controls and DEL, line
/// breaks included (a file name with a newline must not start a line of its own), and the
/// bidirectional embeddings, overrides and isolates. Everything else is kept, non-ASCII
/// included. Borrowed when there is nothing to escape.
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_terminal_control(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The characters [`escape_for_terminal`] escapes: C0 and C1 controls, DEL, and the
/// bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
pub fn is_terminal_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn location(path: &std::path::Path, span: Option<Span>) -> String {
    let shown = path.display().to_string();
    let path = escape_for_terminal(&shown);
    match span {
        Some(span) => format!("{path}:{}:{}", span.line, span.col),
        None => path.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_cannot_drive_the_terminal() {
        let warning = Warning::new(
            "dropped an image whose URL `\u{1b}[2J\u{1b}]0;PWNED\u{7}red.png` holds control characters",
            Some(Span::point(1, 1)),
        )
        .with_hint("a\u{9b}b\u{202e}c");
        let shown = format_warning(std::path::Path::new("in/x\u{1b}[31m\n.md"), &warning);
        assert_eq!(
            shown,
            "warning: in/x\\u{1b}[31m\\n.md:1:1: dropped an image whose URL \
             `\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}red.png` holds control characters\n  \
             hint: a\\u{9b}b\\u{202e}c"
        );
        let error = Error::Render {
            path: "a\u{7}.md".into(),
            format: Format::Html,
            message: "bad\u{1b}".into(),
            failure: RenderFailure::Refused,
        };
        assert_eq!(format_error(&error), "error: a\\u{7}.md: html: bad\\u{1b}");
        assert!(matches!(
            escape_for_terminal("plain ünïcode, tab-free"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
