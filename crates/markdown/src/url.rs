//! URL safety: the schemes no document may link to, checked once in the reader so that no
//! renderer has to remember to.

/// The dangerous scheme `url` uses (`"javascript"`, `"data"`...), or `None` when it is safe.
///
/// Follows cmark's `_scan_dangerous_url` (case-insensitive `javascript:`, `vbscript:`, `file:`
/// and `data:` except `data:image/png|gif|jpeg|webp`), hardened the way browsers read URLs:
/// leading and trailing ASCII whitespace and control characters are trimmed and tabs and
/// newlines inside the scheme are ignored, so `" java\tscript:"` is caught too.
pub(crate) fn dangerous_scheme(url: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
