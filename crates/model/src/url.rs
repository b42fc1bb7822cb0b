//! URL safety in the model, so that no renderer has to remember it: links and images whose
//! scheme can run code or read local files are removed (their text is kept).

use crate::walk::{walk_block_lists_mut, walk_own_inline_lists_mut};
use crate::{Block, Inline, Warning};

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

/// Removes every link and image with a dangerous URL, keeping the link text or the alt text;
/// one warning per removal, at the enclosing block.
pub fn drop_dangerous_urls(blocks: &mut Vec<Block>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                let unsafe_here = inlines.iter().any(|i| match i {
                    Inline::Link { target, .. } | Inline::Image { target, .. } => {
                        dangerous_scheme(&target.url).is_some()
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
                            target, content, ..
                        } if dangerous_scheme(&target.url).is_some() => {
                            let scheme = dangerous_scheme(&target.url).unwrap_or_default();
                            warnings.push(Warning::new(
                                format!("dropped a {scheme}: link (its text is kept)"),
                                span,
                            ));
                            out.extend(content);
                        }
                        Inline::Image { target, alt }
                            if dangerous_scheme(&target.url).is_some() =>
                        {
                            let scheme = dangerous_scheme(&target.url).unwrap_or_default();
                            warnings.push(Warning::new(
                                format!("dropped a {scheme}: image (its alt text is kept)"),
                                span,
                            ));
                            out.extend(alt);
                        }
                        other => out.push(other),
                    }
                }
                *inlines = out;
            });
        }
    });
    warnings
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
