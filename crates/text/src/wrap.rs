//! Inline content as a flow of runs, and its wrapping into lines by display width.
//!
//! Lines break at spaces, and inside runs of East Asian text where the Unicode line-breaking
//! rules allow it (so Japanese and Chinese wrap without spaces, and kinsoku rules keep `。`
//! off the start of a line). They never break inside a URL, a link's number, a note marker, or
//! at a hyphen: a word longer than the line stays whole on a line of its own.

use textwrap::WordSeparator;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The number of terminal columns a string occupies (East Asian wide characters count 2).
pub(crate) fn display_width(s: &str) -> usize {
    s.width()
}

/// The width available to a block: `None` means no wrapping at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Width(pub(crate) Option<usize>);

impl Width {
    /// What is left after a prefix of `columns` (a quote's `> `, a list marker).
    ///
    /// Never less than 1: under absurd nesting every word gets its own line rather than the
    /// content being dropped.
    pub(crate) fn inset(self, columns: usize) -> Self {
        Width(self.0.map(|w| w.saturating_sub(columns).max(1)))
    }

    fn fits(self, columns: usize) -> bool {
        self.0.is_none_or(|max| columns <= max)
    }
}

/// How a run of inline text may be broken across lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    /// Ordinary text: breaks at spaces and between East Asian characters; spaces collapse.
    Prose,
    /// Code, math and raw text: kept on one line when it fits one, else broken only at
    /// spaces; its spaces are kept as written.
    Verbatim,
    /// A URL, a link number or a note marker: never broken, glued to its neighbours.
    Atom,
}

#[derive(Debug)]
struct Run {
    kind: RunKind,
    text: String,
}

/// Inline content flattened to text runs, split into lines by hard breaks.
#[derive(Debug)]
pub(crate) struct Flow {
    lines: Vec<Vec<Run>>,
}

impl Default for Flow {
    fn default() -> Self {
        Self {
            lines: vec![Vec::new()],
        }
    }
}

/// One unbreakable piece of a line and the separator that follows it when the line goes on.
#[derive(Debug)]
struct Piece {
    text: String,
    separator: String,
}

impl Flow {
    /// Appends text to the current line.
    pub(crate) fn push(&mut self, kind: RunKind, text: &str) {
        if text.is_empty() {
            return;
        }
        let line = self
            .lines
            .last_mut()
            .expect("a flow always has a current line");
        match line.last_mut() {
            Some(run) if run.kind == kind => run.text.push_str(text),
            Some(_) | None => line.push(Run {
                kind,
                text: text.to_string(),
            }),
        }
    }

    /// Starts a new line (a hard line break).
    pub(crate) fn hard_break(&mut self) {
        self.lines.push(Vec::new());
    }

    /// The lines of the flow wrapped to `width`; empty lines at either end are dropped, and
    /// runs of them inside are one.
    pub(crate) fn wrap(&self, width: Width) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in &self.lines {
            let wrapped = wrap_line(&pieces(line, width), width);
            if wrapped.is_empty() {
                // Several hard breaks in a row read as one paragraph break in plain text.
                if out.last().is_some_and(|l| !l.is_empty()) {
                    out.push(String::new());
                }
            } else {
                out.extend(wrapped);
            }
        }
        let first = out.iter().position(|l| !l.is_empty()).unwrap_or(out.len());
        out.drain(..first);
        while out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        out
    }

    /// The flow on one line, hard breaks become spaces (for table cells).
    pub(crate) fn single_line(&self) -> String {
        self.wrap(Width(None))
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Spaces that end a word; the no-break spaces (U+00A0, U+2007, U+202F) do not.
fn is_breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Characters next to which a line may break without a space: wide (East Asian) characters,
/// except Hangul, because Korean separates words with spaces and reads badly split mid-word.
fn breaks_without_space(c: char) -> bool {
    let hangul =
        matches!(c, '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}' | '\u{ac00}'..='\u{d7af}');
    c.width() == Some(2) && !hangul
}

/// Byte offsets inside `line` where it may break although there is no space there.
///
/// textwrap's Unicode word separator finds the UAX #14 opportunities (it already refuses breaks
/// after hyphens); of those, only the ones next to East Asian text or after a zero-width space
/// are kept, so `a/b` and URLs in running text stay whole.
fn breaks_between_characters(line: &str) -> Vec<usize> {
    let mut out = Vec::new();
    // Most lines have no East Asian text: skip the segmenter for them.
    if !line.contains(|c| breaks_without_space(c) || c == '\u{200b}') {
        return out;
    }
    let mut offset = 0;
    for word in WordSeparator::UnicodeBreakProperties.find_words(line) {
        offset += word.word.len() + word.whitespace.len();
        if offset >= line.len() {
            break;
        }
        let before = line[..offset].chars().next_back();
        let after = line[offset..].chars().next();
        if let (Some(before), Some(after)) = (before, after)
            && !is_breaking_space(before)
            && !is_breaking_space(after)
            && (breaks_without_space(before) || breaks_without_space(after) || before == '\u{200b}')
        {
            out.push(offset);
        }
    }
    out
}

/// Splits one line of runs into the pieces the wrapper may not break.
fn pieces(runs: &[Run], width: Width) -> Vec<Piece> {
    let mut line = String::new();
    let mut spans = Vec::with_capacity(runs.len());
    for run in runs {
        let start = line.len();
        line.push_str(&run.text);
        spans.push((start, line.len(), run.kind));
    }
    let mut breaks = breaks_between_characters(&line).into_iter().peekable();

    let mut pieces: Vec<Piece> = Vec::new();
    let mut current = String::new();
    let flush = |pieces: &mut Vec<Piece>, current: &mut String| {
        if !current.is_empty() {
            pieces.push(Piece {
                text: std::mem::take(current),
                separator: String::new(),
            });
        }
    };
    for (start, end, kind) in spans {
        // A code span broken across lines is hard to copy: keep it whole when it can be.
        let unbreakable = kind == RunKind::Atom
            || (kind == RunKind::Verbatim && width.fits(display_width(&line[start..end])));
        if unbreakable {
            // A link number's leading space is not needed after a space already written
            // (`[a link ](url)`), nor at the start of a line.
            let atom = &line[start..end];
            let atom = if current.is_empty() {
                atom.trim_start_matches(' ')
            } else {
                atom
            };
            current.push_str(atom);
        } else {
            for (i, c) in line[start..end].char_indices() {
                let at = start + i;
                while breaks.next_if(|&b| b < at).is_some() {}
                let may_break_here = breaks.next_if_eq(&at).is_some();
                if is_breaking_space(c) {
                    flush(&mut pieces, &mut current);
                    // Prose collapses runs of spaces; verbatim text keeps each one.
                    if let Some(last) = pieces.last_mut()
                        && (kind == RunKind::Verbatim || last.separator.is_empty())
                    {
                        last.separator.push(' ');
                    }
                    continue;
                }
                if may_break_here && kind == RunKind::Prose {
                    flush(&mut pieces, &mut current);
                }
                current.push(c);
            }
        }
    }
    flush(&mut pieces, &mut current);
    if let Some(last) = pieces.last_mut() {
        last.separator.clear();
    }
    pieces
}

/// First-fit wrapping: as many pieces on a line as fit; an over-long piece gets its own line.
fn wrap_line(pieces: &[Piece], width: Width) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    let mut separator = "";
    let mut started = false;
    for piece in pieces {
        let piece_width = display_width(&piece.text);
        let separator_width = display_width(separator);
        if !started {
            started = true;
            line_width = piece_width;
            line.push_str(&piece.text);
        } else if width.fits(line_width + separator_width + piece_width) {
            line.push_str(separator);
            line.push_str(&piece.text);
            line_width += separator_width + piece_width;
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(&piece.text);
            line_width = piece_width;
        }
        separator = &piece.separator;
    }
    if started {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(text: &str) -> Flow {
        let mut flow = Flow::default();
        flow.push(RunKind::Prose, text);
        flow
    }

    #[test]
    fn spaces_collapse_and_ends_are_trimmed() {
        assert_eq!(prose("  a   b  ").wrap(Width(Some(10))), vec!["a b"]);
    }

    #[test]
    fn hyphens_and_slashes_do_not_break() {
        assert_eq!(
            prose("well-known and/or").wrap(Width(Some(5))),
            vec!["well-known", "and/or"]
        );
    }

    #[test]
    fn verbatim_keeps_its_spaces() {
        let mut flow = Flow::default();
        flow.push(RunKind::Verbatim, "a  b");
        assert_eq!(flow.wrap(Width(Some(10))), vec!["a  b"]);
    }

    #[test]
    fn atoms_glue_to_neighbouring_text() {
        let mut flow = Flow::default();
        flow.push(RunKind::Prose, "see (");
        flow.push(RunKind::Atom, "https://example.com/a b");
        flow.push(RunKind::Prose, ").");
        assert_eq!(
            flow.wrap(Width(Some(4))),
            vec!["see", "(https://example.com/a b)."]
        );
    }

    #[test]
    fn japanese_breaks_between_characters_but_not_before_a_full_stop() {
        assert_eq!(
            prose("日本語の文章です。").wrap(Width(Some(8))),
            vec!["日本語の", "文章で", "す。"]
        );
    }

    #[test]
    fn korean_breaks_at_spaces_only() {
        assert_eq!(
            prose("한국어 문장입니다").wrap(Width(Some(8))),
            vec!["한국어", "문장입니다"]
        );
    }

    #[test]
    fn hard_breaks_keep_inner_empty_lines() {
        let mut flow = prose("a");
        flow.hard_break();
        flow.hard_break();
        flow.push(RunKind::Prose, "b");
        flow.hard_break();
        assert_eq!(flow.wrap(Width(None)), vec!["a", "", "b"]);
        assert_eq!(flow.single_line(), "a b");
    }
}
