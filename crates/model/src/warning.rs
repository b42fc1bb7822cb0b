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

/// A non-fatal problem found while reading or rendering a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
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
            file: None,
            span,
            message: message.into(),
            hint: None,
        }
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
