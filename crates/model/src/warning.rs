//! Warnings that travel with results (after Typst's `Warned<T>`).

use serde::{Deserialize, Serialize};

/// A region of the source file, 1-based lines and columns (columns count bytes, as comrak does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line.
    pub line: u32,
    /// First column.
    pub col: u32,
    /// Last line.
    pub end_line: u32,
    /// Last column.
    pub end_col: u32,
}

impl Span {
    /// A span that starts and ends at one position.
    pub fn point(line: u32, col: u32) -> Self {
        Self {
            line,
            col,
            end_line: line,
            end_col: col,
        }
    }
}

/// What a warning is about, so that tools group and filter warnings by kind rather than by
/// their wording (which may change). Serialised in kebab-case (`broken-link`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A link whose target does not exist: a heading, a chapter, another article.
    BrokenLink,
    /// A link or image that the output format cannot keep (an EPUB links only inside itself).
    UnsupportedLink,
    /// A `javascript:`, `file:` or similar URL, dropped.
    DangerousUrl,
    /// An image that was not included (missing, outside the root, too large, not an image).
    Image,
    /// Raw HTML that was escaped, stripped or sanitized.
    RawHtml,
    /// Characters no bundled or system font has, in PDF.
    MissingGlyph,
    /// A formula that cannot be typeset, shown as its TeX source.
    Math,
    /// Text that was changed to be valid: control characters, a `lang` tag, heading ids.
    Repaired,
    /// Content that was left out or flattened: nesting too deep, an unreferenced footnote,
    /// reference links past the expansion limit.
    Dropped,
    /// Front matter or a book's configuration.
    Metadata,
    /// A file the build passed over (a FIFO, a device).
    Skipped,
    /// Anything else.
    #[default]
    Other,
}

impl WarningKind {
    /// True for kinds reported once per place (each broken link, each image), which a
    /// report may show as one warning with a count; the others are already summed up per
    /// document by what reports them ("12 control characters were replaced").
    pub fn per_place(self) -> bool {
        matches!(
            self,
            WarningKind::BrokenLink
                | WarningKind::UnsupportedLink
                | WarningKind::DangerousUrl
                | WarningKind::Image
                | WarningKind::RawHtml
                | WarningKind::MissingGlyph
                | WarningKind::Math
        )
    }

    /// The kind's name, as serialised (`broken-link`).
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::BrokenLink => "broken-link",
            WarningKind::UnsupportedLink => "unsupported-link",
            WarningKind::DangerousUrl => "dangerous-url",
            WarningKind::Image => "image",
            WarningKind::RawHtml => "raw-html",
            WarningKind::MissingGlyph => "missing-glyph",
            WarningKind::Math => "math",
            WarningKind::Repaired => "repaired",
            WarningKind::Dropped => "dropped",
            WarningKind::Metadata => "metadata",
            WarningKind::Skipped => "skipped",
            WarningKind::Other => "other",
        }
    }
}

/// A non-fatal problem found while reading or rendering a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// What the warning is about.
    #[serde(default)]
    pub kind: WarningKind,
    /// The source file, when it is not the document's own: a chapter of a book, whose
    /// warnings are reported against the chapter file rather than the book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where in the source, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// What happened, as one sentence without a trailing period.
    pub message: String,
    /// What the user can do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Warning {
    /// A warning at an optional position.
    pub fn new(message: impl Into<String>, span: Option<Span>) -> Self {
        Self {
            kind: WarningKind::Other,
            file: None,
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// Says what the warning is about.
    pub fn of_kind(mut self, kind: WarningKind) -> Self {
        self.kind = kind;
        self
    }

    /// Names the file the span refers to (see [`Warning::file`]).
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A result together with the warnings produced while making it.
#[derive(Debug, Clone, PartialEq)]
pub struct Warned<T> {
    /// The result.
    pub output: T,
    /// Every warning, in the order found.
    pub warnings: Vec<Warning>,
}

impl<T> Warned<T> {
    /// A result with no warnings.
    pub fn clean(output: T) -> Self {
        Self {
            output,
            warnings: Vec::new(),
        }
    }

    /// Transforms the output, keeping the warnings.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Warned<U> {
        Warned {
            output: f(self.output),
            warnings: self.warnings,
        }
    }
}
