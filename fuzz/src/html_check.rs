//! The `raw_html` target's oracle: a small tokenizer over the markup bindery wrote, reporting
//! anything that could run script in a browser or an EPUB reader.
//!
//! It is deliberately independent of the writers: it does not know which tags they emit, only
//! what a browser would treat as a tag, an attribute and a URL. It reads the writers' own
//! output, which escapes `<` in text and `"` in attribute values, so a plain scan is exact
//! enough: comments, doctypes, processing instructions and CDATA sections are skipped (nothing
//! in them runs), every other `<` followed by a letter opens a tag whose attributes are read.

/// The first way `markup` could run script: a `script` element, an event handler attribute
/// (`on...`), or a link or source whose URL, entities decoded and white space and control
/// characters dropped as browsers do, starts with `javascript:` or `vbscript:`.
pub fn script_problem(markup: &str) -> Option<String> {
    let bytes = markup.as_bytes();
    let mut i = 0;
    while let Some(offset) = markup[i..].find('<') {
        let at = i + offset;
        let rest = &markup[at..];
        // Skip what cannot hold a live tag; an unterminated one runs to the end.
        let skip_to = |end: &str, from: usize| {
            rest[from..]
                .find(end)
                .map_or(markup.len(), |e| at + from + e + end.len())
        };
        if rest.starts_with("<!--") {
            i = skip_to("-->", 4);
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            i = skip_to("]]>", 9);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i = skip_to(">", 2);
            continue;
        }
        let (closing, name_start) = match bytes.get(at + 1) {
            Some(b'/') => (true, at + 2),
            _ => (false, at + 1),
        };
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = at + 1;
            continue;
        }
        let (tag, end) = read_tag(markup, name_start);
        i = end;
        if closing {
            continue;
        }
        // `svg:script`, `h:script`: the local name is what counts.
        let local = tag.name.rsplit(':').next().unwrap_or(&tag.name);
        if local.eq_ignore_ascii_case("script") {
            return Some(format!("a `<{}>` element at byte {at}", tag.name));
        }
        for (name, value) in &tag.attributes {
            let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
            if local.starts_with("on") && local.len() > 2 {
                return Some(format!(
                    "an event handler attribute `{name}` on `<{}>` at byte {at}",
                    tag.name
                ));
            }
            if matches!(
                local.as_str(),
                "href" | "src" | "action" | "formaction" | "poster" | "data" | "srcdoc"
            ) && let Some(scheme) = script_scheme(value)
            {
                return Some(format!(
                    "a `{scheme}` URL in `{name}` on `<{}>` at byte {at}",
                    tag.name
                ));
            }
        }
    }
    None
}

struct Tag {
    name: String,
    /// Names as written; values with entities decoded (`None`'s value is empty).
    attributes: Vec<(String, String)>,
}

/// Reads a tag whose name starts at `start`; returns it and the byte after its `>` (or the
/// end of `markup` when it is never closed).
fn read_tag(markup: &str, start: usize) -> (Tag, usize) {
    let bytes = markup.as_bytes();
    let name_end = scan(bytes, start, |b| !is_space(b) && b != b'>' && b != b'/');
    let mut tag = Tag {
        name: markup[start..name_end].to_string(),
        attributes: Vec::new(),
    };
    let mut i = name_end;
    loop {
        i = scan(bytes, i, |b| is_space(b) || b == b'/');
        match bytes.get(i) {
            None => return (tag, markup.len()),
            Some(b'>') => return (tag, i + 1),
            Some(_) => {}
        }
        let name_start = i;
        i = scan(bytes, i + 1, |b| {
            !is_space(b) && b != b'>' && b != b'/' && b != b'='
        });
        let name = markup[name_start..i].to_string();
        i = scan(bytes, i, is_space);
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i = scan(bytes, i + 1, is_space);
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = scan(bytes, i + 1, |b| b != quote);
                    value = decode_entities(&markup[i + 1..end]);
                    i = (end + 1).min(markup.len());
                }
                Some(_) => {
                    let end = scan(bytes, i, |b| !is_space(b) && b != b'>');
                    value = decode_entities(&markup[i..end]);
                    i = end;
                }
                None => {}
            }
        }
        tag.attributes.push((name, value));
    }
}

fn scan(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Decodes numeric character references and the entities a URL could be spelled with.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Browsers read a numeric reference up to its last digit, `;` or not.
        let body = &rest[1..];
        let (entity, len) = if let Some(number) = body.strip_prefix('#') {
            let (hex, digits) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (true, hex),
                None => (false, number),
            };
            let n = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            let value = if hex {
                u32::from_str_radix(&digits[..n], 16).ok()
            } else {
                digits[..n].parse().ok()
            };
            let prefix = 1 + usize::from(hex);
            (
                value.map(|v| char::from_u32(v).unwrap_or('\u{fffd}')),
                prefix + n,
            )
        } else {
            let n = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
            let c = match &body[..n] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => None,
            };
            (c, n)
        };
        let (decoded, end) = (entity, 1 + len);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `javascript` or `vbscript` when `url` uses that scheme, however it is spaced or cased.
fn script_scheme(url: &str) -> Option<&'static str> {
    let head: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("javascript:") {
        Some("javascript")
    } else if head.starts_with("vbscript:") {
        Some("vbscript")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::script_problem;

    #[test]
    fn live_script_is_found() {
        for bad in [
            "<p>x</p><script>alert(1)</script>",
            "<SCRIPT src=x>",
            "<svg:script>",
            "<img src=x onerror=alert(1)>",
            "<a title='a>' OnClick=\"x\">",
            "<a href=\" java\tscript:alert(1)\">",
            "<a href=\"&#106;avascript&colon;x\">",
            "<a href=&#x6A;avascript:x>",
            "<iframe src=\"vbscript:x\">",
        ] {
            assert!(script_problem(bad).is_some(), "missed: {bad}");
        }
    }

    #[test]
    fn escaped_or_inert_markup_passes() {
        for fine in [
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            "<p>onclick=x javascript:alert(1)</p>",
            "<!-- <script> --><p title=\"&lt;script&gt; onload=\">x</p>",
            "<a href=\"https://example.org/javascript:x\">",
            "<![CDATA[<script>]]><?xml version=\"1.0\"?><!DOCTYPE html>",
            "<p>a < b</p><ok on=\"1\">",
        ] {
            assert_eq!(script_problem(fine), None, "{fine}");
        }
    }
}
