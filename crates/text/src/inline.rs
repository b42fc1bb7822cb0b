//! Inline content to a [`Flow`]: markup dropped, links numbered, notes collected.

use bindery_model::{Inline, plain_text};

use crate::Writer;
use crate::wrap::{Flow, RunKind};

impl<'a> Writer<'a> {
    /// Appends inline content to a flow, registering links and notes as they are met.
    pub(crate) fn inlines(&mut self, inlines: &'a [Inline], flow: &mut Flow) {
        for inline in inlines {
            self.inline(inline, flow);
        }
    }

    fn inline(&mut self, inline: &'a Inline, flow: &mut Flow) {
        match inline {
            Inline::Text(text) => flow.push(RunKind::Prose, text),
            Inline::SoftBreak => flow.push(RunKind::Prose, " "),
            Inline::LineBreak => flow.hard_break(),
            Inline::Emph(content)
            | Inline::Strong(content)
            | Inline::Mark(content)
            | Inline::Underline(content)
            | Inline::Keyboard(content)
            | Inline::Span { content, .. } => self.inlines(content, flow),
            Inline::Subscript(content) | Inline::Superscript(content) => {
                let sub = matches!(inline, Inline::Subscript(_));
                match scripted(content, sub) {
                    Some(text) => flow.push(RunKind::Prose, &text),
                    None => self.inlines(content, flow),
                }
            }
            Inline::Strikeout(content) => {
                flow.push(RunKind::Prose, "~~");
                self.inlines(content, flow);
                flow.push(RunKind::Prose, "~~");
            }
            Inline::Code(code) => flow.push(RunKind::Verbatim, &backticked(code)),
            Inline::Math { display, tex, .. } => {
                let fence = if *display { "$$" } else { "$" };
                flow.push(RunKind::Verbatim, &format!("{fence}{tex}{fence}"));
            }
            Inline::Raw { text, .. } => flow.push(RunKind::Verbatim, text),
            Inline::Link {
                target,
                content,
                autolink,
            } => self.link(&target.url, content, *autolink, flow),
            Inline::Image { target, alt } => {
                let alt = plain_text(alt);
                let alt = alt.trim();
                if alt.is_empty() {
                    flow.push(RunKind::Prose, "[image]");
                } else {
                    flow.push(RunKind::Prose, "[image: ");
                    flow.push(RunKind::Prose, alt);
                    flow.push(RunKind::Prose, "]");
                }
                if is_remote(&target.url) {
                    let n = self.link_number(&target.url);
                    flow.push(RunKind::Atom, &format!(" [{n}]"));
                }
            }
            Inline::Note(blocks) => {
                self.notes.push(blocks);
                flow.push(RunKind::Atom, &format!("[^{}]", self.notes.len()));
            }
        }
    }

    fn link(&mut self, url: &'a str, content: &'a [Inline], autolink: bool, flow: &mut Flow) {
        let shown_url = url.strip_prefix("mailto:").unwrap_or(url);
        let text = plain_text(content);
        // Only text can be replaced by the URL: a note or an image inside must be kept.
        let only_text = !refers_elsewhere(content);
        if only_text && (text.trim().is_empty() || text == url || text == shown_url) {
            flow.push(RunKind::Atom, shown_url);
        } else if only_text && autolink {
            // An autolink's text is what the author wrote (`www.example.com` for
            // `http://www.example.com`): write it once, whole, and give it no number.
            flow.push(RunKind::Atom, &text);
        } else if url.starts_with('#') {
            // A reader of a text file cannot follow a link inside it; the text says where.
            self.inlines(content, flow);
        } else {
            self.inlines(content, flow);
            let n = self.link_number(url);
            flow.push(RunKind::Atom, &format!(" [{n}]"));
        }
    }
}

/// Whether inline content holds a link, image or note, whose number would be lost if it
/// were not printed.
pub(crate) fn refers_elsewhere(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Link { .. } | Inline::Image { .. } | Inline::Note(_) => true,
        Inline::Emph(content)
        | Inline::Strong(content)
        | Inline::Strikeout(content)
        | Inline::Subscript(content)
        | Inline::Superscript(content)
        | Inline::Mark(content)
        | Inline::Underline(content)
        | Inline::Keyboard(content)
        | Inline::Span { content, .. } => refers_elsewhere(content),
        Inline::Text(_)
        | Inline::SoftBreak
        | Inline::LineBreak
        | Inline::Code(_)
        | Inline::Raw { .. }
        | Inline::Math { .. } => false,
    })
}

/// Sub- or superscript content in Unicode's sub- and superscript characters, where each
/// character has one (digits, `+ - = ( )`, and `n`, `i` above): H₂O, x², 10⁻³. Other
/// content (`x<sub>ij</sub>`) is written as it is, H2O-style, since a partial mapping would
/// read as a different text.
fn scripted(content: &[Inline], sub: bool) -> Option<String> {
    if refers_elsewhere(content) {
        return None;
    }
    let text = plain_text(content);
    if text.is_empty() {
        return None;
    }
    text.chars()
        .map(|c| {
            let digit = c.to_digit(10).map(|d| d as usize);
            match (sub, digit, c) {
                (true, Some(d), _) => "₀₁₂₃₄₅₆₇₈₉".chars().nth(d),
                (false, Some(d), _) => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(d),
                (true, None, '+') => Some('₊'),
                (true, None, '-' | '−') => Some('₋'),
                (true, None, '=') => Some('₌'),
                (true, None, '(') => Some('₍'),
                (true, None, ')') => Some('₎'),
                (false, None, '+') => Some('⁺'),
                (false, None, '-' | '−') => Some('⁻'),
                (false, None, '=') => Some('⁼'),
                (false, None, '(') => Some('⁽'),
                (false, None, ')') => Some('⁾'),
                (false, None, 'n') => Some('ⁿ'),
                (false, None, 'i') => Some('ⁱ'),
                _ => None,
            }
        })
        .collect()
}

fn is_remote(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Code between enough backticks to hold any run of backticks inside it, as Markdown does.
fn backticked(code: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_grow_around_backticks() {
        assert_eq!(backticked("x"), "`x`");
        assert_eq!(backticked("a`b"), "``a`b``");
        assert_eq!(backticked("`"), "`` ` ``");
    }

    #[test]
    fn remote_means_http_or_https() {
        assert!(is_remote("https://example.com/a.png"));
        assert!(is_remote("HTTP://example.com/a.png"));
        assert!(!is_remote("images/a.png"));
        assert!(!is_remote("data:image/png;base64,AAAA"));
    }
}
