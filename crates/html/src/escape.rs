//! Escaping for the two contexts the writer emits into: element text and quoted attribute
//! values, plus URLs in `href`/`src` (after cmark's `houdini_escape_href`).

use base64::Engine as _;

/// Appends `text` with `&`, `<`, `>` and `"` escaped.
///
/// One escaper serves element text and double-quoted attribute values alike, and uses only
/// entities XML knows, so the same output is valid HTML5 and XHTML. `"` is escaped in text too
/// because cmark does, and the CommonMark conformance examples expect it.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&quot;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// `text` escaped, as a new string.
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends a URL for an `href` or `src` attribute: bytes outside cmark's safe set are
/// percent-encoded (so spaces, quotes, non-ASCII and brackets cannot end the attribute or
/// confuse a browser), existing `%XX` escapes are kept, and `&` and `'` become entities.
pub(crate) fn push_href(out: &mut String, url: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, &b) in url.as_bytes().iter().enumerate() {
        if href_safe(b) {
            continue;
        }
        // Only ASCII is safe, so a non-empty safe run starts and ends on char boundaries.
        if start < i {
            out.push_str(&url[start..i]);
        }
        match b {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
        }
        start = i + 1;
    }
    out.push_str(&url[start..]);
}

/// cmark's `HREF_SAFE` table: alphanumerics and `-_.+!*(),%#@?=;:/$`.
fn href_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_'
                | b'.'
                | b'+'
                | b'!'
                | b'*'
                | b'('
                | b')'
                | b','
                | b'%'
                | b'#'
                | b'@'
                | b'?'
                | b'='
                | b';'
                | b':'
                | b'/'
                | b'$'
        )
}

/// A `data:` URL carrying `data` inline, for pages that must stand alone.
pub(crate) fn data_url(media_type: &str, data: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    format!("data:{media_type};base64,{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_characters() {
        assert_eq!(
            escaped(r#"<script>alert("x & y")</script>"#),
            "&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;"
        );
        assert_eq!(
            escaped("plain 'quotes' and ünïcode"),
            "plain 'quotes' and ünïcode"
        );
    }

    #[test]
    fn hrefs_are_percent_encoded_like_cmark() {
        let href = |url: &str| {
            let mut out = String::new();
            push_href(&mut out, url);
            out
        };
        assert_eq!(href("foo%20bä"), "foo%20b%C3%A4");
        assert_eq!(href("/url?a=1&b='2'"), "/url?a=1&amp;b=&#x27;2&#x27;");
        assert_eq!(
            href("a b\"<c>[d]`{|}~\\"),
            "a%20b%22%3Cc%3E%5Bd%5D%60%7B%7C%7D%7E%5C"
        );
        assert_eq!(
            href("https://example.com/a_b-c.d#x"),
            "https://example.com/a_b-c.d#x"
        );
    }

    #[test]
    fn data_urls_are_base64() {
        assert_eq!(data_url("image/png", b"hi"), "data:image/png;base64,aGk=");
    }
}
