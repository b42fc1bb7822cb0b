//! URL safety in the model, so that no renderer has to remember it: links and images whose
//! scheme can run code or read local files, or whose URL holds a control character, are
//! removed (their text is kept).

use crate::controls::is_forbidden_char;
use crate::walk::{walk_block_lists_mut, walk_own_inline_lists_mut};
use crate::{Block, Inline, Warning};

/// Why a URL is refused.
enum Refusal {
    /// Its scheme can run code or read local files.
    Scheme(&'static str),
    /// It holds a control character or noncharacter: no working URL does, and it would carry
    /// a terminal escape sequence into plain text and into diagnostics.
    Controls,
}

fn refusal(url: &str) -> Option<Refusal> {
    if url.chars().any(is_forbidden_char) {
        return Some(Refusal::Controls);
    }
    dangerous_scheme(url).map(Refusal::Scheme)
}

impl Refusal {
    /// The warning for a dropped link (`what` = "link", keeping "its text") or image.
    fn message(&self, url: &str, what: &str, kept: &str) -> String {
        match self {
            Refusal::Scheme(scheme) => format!("dropped a {scheme}: {what} ({kept} is kept)"),
            // The URL is quoted as it is: whoever prints a warning escapes control
            // characters (see `bindery_pipeline::format_warning`).
            Refusal::Controls => {
                let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                format!(
                    "dropped {article} {what} whose URL `{url}` holds control characters \
                     ({kept} is kept)"
                )
            }
        }
    }
}

/// The dangerous scheme `url` uses (`"javascript"`, `"data"`...), or `None` when it is safe.
///
/// Follows cmark's `_scan_dangerous_url` (case-insensitive `javascript:`, `vbscript:`, `file:`
/// and `data:` except `data:image/png|gif|jpeg|webp`), hardened the way browsers read URLs:
/// ASCII whitespace and control characters are ignored, so `" java\tscript:"` is caught too.
pub fn dangerous_scheme(url: &str) -> Option<&'static str> {
    // Only the first few significant characters matter; the longest test is
    // "data:image/jpeg" (15). Collecting them bounds the work on huge URLs.
    let mut head = String::with_capacity(16);
    for c in url.chars() {
        if c.is_ascii_whitespace() || c.is_ascii_control() {
            continue;
        }
        head.push(c.to_ascii_lowercase());
        if head.len() >= 16 {
            break;
        }
    }
    const SAFE_DATA: [&str; 4] = [
        "data:image/png",
        "data:image/gif",
        "data:image/jpeg",
        "data:image/webp",
    ];
    if head.starts_with("javascript:") {
        Some("javascript")
    } else if head.starts_with("vbscript:") {
        Some("vbscript")
    } else if head.starts_with("file:") {
        Some("file")
    } else if head.starts_with("data:") {
        if SAFE_DATA.iter().any(|safe| head.starts_with(safe)) {
            None
        } else {
            Some("data")
        }
    } else {
        None
    }
}

/// Removes every link and image with a dangerous URL (see [`dangerous_scheme`]) or with a
/// control character or noncharacter in its URL, keeping the link text or the alt text; one
/// warning per removal, at the enclosing block.
pub fn drop_dangerous_urls(blocks: &mut Vec<Block>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                let unsafe_here = inlines.iter().any(|i| match i {
                    Inline::Link { target, .. } | Inline::Image { target, .. } => {
                        refusal(&target.url).is_some()
                    }
                    _ => false,
                });
                if !unsafe_here {
                    return;
                }
                let mut out = Vec::with_capacity(inlines.len());
                for inline in std::mem::take(inlines) {
                    match inline {
                        Inline::Link {
                            target,
                            content,
                            autolink,
                        } => match refusal(&target.url) {
                            Some(refusal) => {
                                warnings.push(
                                    Warning::new(
                                        refusal.message(&target.url, "link", "its text"),
                                        span,
                                    )
                                    .of_kind(crate::WarningKind::DangerousUrl),
                                );
                                out.extend(content);
                            }
                            None => out.push(Inline::Link {
                                target,
                                content,
                                autolink,
                            }),
                        },
                        Inline::Image { target, alt } => match refusal(&target.url) {
                            Some(refusal) => {
                                warnings.push(
                                    Warning::new(
                                        refusal.message(&target.url, "image", "its alt text"),
                                        span,
                                    )
                                    .of_kind(crate::WarningKind::DangerousUrl),
                                );
                                out.extend(alt);
                            }
                            None => out.push(Inline::Image { target, alt }),
                        },
                        other => out.push(other),
                    }
                }
                *inlines = out;
            });
        }
    });
    warnings
}

/// True for a URL naming a file of the document's own (a relative or rooted path): not a
/// remote resource (a scheme, `//host`), not data, not a fragment, not empty. Such URLs are
/// the ones the pipeline loads and the HTML site rewrites.
pub fn is_local_url(url: &str) -> bool {
    url_scheme(url).is_none() && !url.starts_with("//") && !url.is_empty() && !url.starts_with('#')
}

/// The scheme of an absolute URL (`https`, `mailto`...), as RFC 3986 spells one (a letter,
/// then letters, digits, `+`, `-`, `.`), or `None` for a path relative to the document. A
/// single letter before the colon is a Windows drive (`C:\x.png`), not a scheme. The one
/// check the EPUB writer and the pipeline share.
pub fn url_scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    (scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `%XX` escapes decoded, for URLs written percent-encoded (`%C3%BCber.md`, `#%C3%BC`); a
/// result that is not UTF-8 leaves the text as written. The one decoder every writer and the
/// pipeline use (three hand-written copies disagreed on invalid input).
pub fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    match percent_encoding::percent_decode_str(s).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => std::borrow::Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;

    #[test]
    fn dangerous_schemes_are_caught_however_written() {
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "\u{1}java\tscript:alert(1)",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "data:text/html,<script>",
            "DATA:image/svg+xml,<svg>",
        ] {
            assert!(dangerous_scheme(url).is_some(), "{url:?}");
        }
    }

    #[test]
    fn ordinary_schemes_stay() {
        for url in [
            "https://example.org",
            "mailto:a@b.c",
            "tel:+4412345",
            "irc://irc.libera.chat/rust",
            "data:image/png;base64,iVBOR",
            "data:image/webp;base64,UklGR",
            "images/javascript:x.png",
            "#javascript",
            "",
        ] {
            assert_eq!(dangerous_scheme(url), None, "{url:?}");
        }
    }

    #[test]
    fn urls_with_control_characters_are_dropped_and_quoted_in_the_warning() {
        let mut blocks = vec![para(vec![
            image("\u{1b}[2J\u{1b}]0;PWNED\u{7}red.png", vec![text("x")]),
            link("https://a\u{85}b", vec![text("y")]),
            link("https://a\tb", vec![text("tab is not a control here")]),
        ])];
        let warnings = drop_dangerous_urls(&mut blocks);
        assert_eq!(warnings.len(), 2);
        assert_eq!(
            warnings[0].message,
            "dropped an image whose URL `\u{1b}[2J\u{1b}]0;PWNED\u{7}red.png` holds control \
             characters (its alt text is kept)"
        );
        assert_eq!(
            blocks,
            vec![para(vec![
                text("x"),
                text("y"),
                link("https://a\tb", vec![text("tab is not a control here")]),
            ])]
        );
    }

    #[test]
    fn links_lose_their_target_but_keep_their_text() {
        let mut blocks = vec![para(vec![
            link("javascript:alert(1)", vec![text("click")]),
            image("data:text/html,x", vec![text("alt")]),
            link("https://ok", vec![text("ok")]),
        ])];
        let warnings = drop_dangerous_urls(&mut blocks);
        assert_eq!(warnings.len(), 2);
        assert_eq!(
            blocks,
            vec![para(vec![
                text("click"),
                text("alt"),
                link("https://ok", vec![text("ok")])
            ])]
        );
    }
}
