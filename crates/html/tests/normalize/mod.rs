//! A port of the CommonMark spec runner's `normalize.py`: the HTML normalisation applied to
//! both the expected and the actual output before they are compared, and nothing more.
//!
//! Like the original (Python's `HTMLParser` with `convert_charrefs = False`):
//! - whitespace runs outside `<pre>` collapse to one space, and whitespace next to block-level
//!   tags is removed;
//! - tag and attribute names are lower-cased, attributes sorted, attribute values unescaped and
//!   re-escaped; self-closing tags lose their `/`;
//! - character references become characters, except `<`, `>`, `&` and `"`, which become
//!   `&lt;`, `&gt;`, `&amp;` and `&quot;`; unknown references stay as written (with a `;`).
//!
//! Python's `name2codepoint` knows the 252 HTML 4 entities; cmark never writes a named
//! reference other than the four escapes, so only names that could matter are listed here.
//! The original's URL normalisation never runs (it tests the value, not the name, against
//! `href`/`src`), so it is not ported.

#[derive(Clone, Copy, PartialEq)]
enum Last {
    StartTag,
    EndTag,
    Data,
    Other,
}

struct Normalizer {
    output: String,
    last: Last,
    last_tag: String,
    in_pre: bool,
}

const BLOCK_TAGS: &[&str] = &[
    "article",
    "header",
    "aside",
    "hgroup",
    "blockquote",
    "hr",
    "iframe",
    "body",
    "li",
    "map",
    "button",
    "object",
    "canvas",
    "ol",
    "caption",
    "output",
    "col",
    "p",
    "colgroup",
    "pre",
    "dd",
    "progress",
    "div",
    "section",
    "dl",
    "table",
    "td",
    "dt",
    "tbody",
    "embed",
    "textarea",
    "fieldset",
    "tfoot",
    "figcaption",
    "th",
    "figure",
    "thead",
    "footer",
    "tr",
    "form",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "video",
    "script",
    "style",
];

fn is_block_tag(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "nbsp" => '\u{a0}',
        "copy" => '\u{a9}',
        "AElig" => '\u{c6}',
        "ouml" => '\u{f6}',
        "auml" => '\u{e4}',
        "frac34" => '\u{be}',
        "hellip" => '\u{2026}',
        "forall" => '\u{2200}',
        _ => return None,
    })
}

impl Normalizer {
    fn handle_data(&mut self, data: &str) {
        let after_tag = matches!(self.last, Last::StartTag | Last::EndTag);
        let after_block_tag = after_tag && is_block_tag(&self.last_tag);
        let mut data = data.to_string();
        if after_tag && self.last_tag == "br" {
            data = data.trim_start_matches('\n').to_string();
        }
        if !self.in_pre {
            data = collapse_whitespace(&data);
        }
        if after_block_tag && !self.in_pre {
            if self.last == Last::StartTag {
                data = data.trim_start().to_string();
            } else if self.last == Last::EndTag {
                data = data.trim().to_string();
            }
        }
        self.output.push_str(&data);
        self.last = Last::Data;
    }

    fn handle_endtag(&mut self, tag: &str) {
        if tag == "pre" {
            self.in_pre = false;
        } else if is_block_tag(tag) {
            self.rstrip();
        }
        self.output.push_str("</");
        self.output.push_str(tag);
        self.output.push('>');
        self.last_tag = tag.to_string();
        self.last = Last::EndTag;
    }

    fn handle_starttag(&mut self, tag: &str, mut attrs: Vec<(String, Option<String>)>) {
        if tag == "pre" {
            self.in_pre = true;
        }
        if is_block_tag(tag) {
            self.rstrip();
        }
        self.output.push('<');
        self.output.push_str(tag);
        attrs.sort();
        for (name, value) in attrs {
            self.output.push(' ');
            self.output.push_str(&name);
            if let Some(value) = value {
                self.output.push_str("=\"");
                self.output.push_str(&python_escape(&value));
                self.output.push('"');
            }
        }
        self.output.push('>');
        self.last_tag = tag.to_string();
        self.last = Last::StartTag;
    }

    fn rstrip(&mut self) {
        let len = self.output.trim_end().len();
        self.output.truncate(len);
    }

    fn output_char(&mut self, c: Option<char>, fallback: &str) {
        match c {
            Some('<') => self.output.push_str("&lt;"),
            Some('>') => self.output.push_str("&gt;"),
            Some('&') => self.output.push_str("&amp;"),
            Some('"') => self.output.push_str("&quot;"),
            Some(c) => self.output.push(c),
            None => self.output.push_str(fallback),
        }
        self.last = Last::Other;
    }
}

/// Python's `re.sub(r'\s+', ' ', data)` on a `str` (Unicode whitespace).
fn collapse_whitespace(data: &str) -> String {
    let mut out = String::with_capacity(data.len());
    let mut in_space = false;
    for c in data.chars() {
        if is_py_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `html.escape(value, quote=True)`.
fn python_escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Attribute values are unescaped by the parser (`html.unescape`): numeric references and the
/// known names; anything else stays as written.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some((c, len)) = char_ref(rest).or_else(|| entity_ref(rest)) {
            out.push(c.unwrap_or('\u{fffd}'));
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `&#123;` or `&#x7b;` at the start of `s`: the character (None when invalid) and the length
/// consumed, including a `;` when there is one.
fn char_ref(s: &str) -> Option<(Option<char>, usize)> {
    let body = s.strip_prefix("&#")?;
    let (hex, digits_start) = match body.as_bytes().first() {
        Some(b'x' | b'X') => (true, 1),
        _ => (false, 0),
    };
    let digits: String = body[digits_start..]
        .chars()
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut len = 2 + digits_start + digits.len();
    if s[len..].starts_with(';') {
        len += 1;
    }
    let value = u32::from_str_radix(&digits, if hex { 16 } else { 10 }).ok();
    Some((value.and_then(char::from_u32), len))
}

fn entity_ref(s: &str) -> Option<(Option<char>, usize)> {
    let body = s.strip_prefix('&')?;
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let c = named_entity(&name)?;
    let mut len = 1 + name.len();
    if s[len..].starts_with(';') {
        len += 1;
    }
    Some((Some(c), len))
}

/// Normalises `html` as the spec runner does.
pub fn normalize_html(html: &str) -> String {
    let mut n = Normalizer {
        output: String::new(),
        last: Last::StartTag,
        last_tag: String::new(),
        in_pre: false,
    };
    let bytes = html.as_bytes();
    let mut i = 0;
    // Inside <script> or <style>, everything up to the closing tag is data.
    let mut raw_text_end: Option<String> = None;
    while i < html.len() {
        if let Some(end) = &raw_text_end {
            let lower = html[i..].to_ascii_lowercase();
            let j = lower.find(end.as_str()).map_or(html.len(), |j| i + j);
            if j > i {
                n.handle_data(&html[i..j]);
            }
            i = j;
            raw_text_end = None;
            continue;
        }
        let j = html[i..].find(['<', '&']).map_or(html.len(), |j| i + j);
        if j > i {
            n.handle_data(&html[i..j]);
            i = j;
            continue;
        }
        let rest = &html[i..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").map_or(rest.len(), |e| e + 3);
            n.output.push_str(&rest[..end]);
            i += end;
        } else if rest.starts_with('<') && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            match start_tag(rest) {
                Some((tag, attrs, self_closing, len)) => {
                    n.handle_starttag(&tag, attrs);
                    if self_closing {
                        n.last = Last::EndTag;
                    } else if tag == "script" || tag == "style" {
                        raw_text_end = Some(format!("</{tag}"));
                    }
                    i += len;
                }
                None => {
                    n.handle_data("<");
                    i += 1;
                }
            }
        } else if rest.starts_with("</") {
            match rest.find('>') {
                Some(gt) => {
                    let name: String = rest[2..gt]
                        .trim_start()
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        n.handle_endtag(&name);
                    } else if gt > 2 {
                        // A bogus comment, as the HTML tokenizer reads `</3>`.
                        n.output.push_str(&format!("<!--{}-->", &rest[2..gt]));
                        n.last = Last::Other;
                    }
                    i += gt + 1;
                }
                None => {
                    n.handle_data("<");
                    i += 1;
                }
            }
        } else if let Some(body) = rest.strip_prefix("<!--") {
            match body.find("-->") {
                Some(end) => {
                    n.output.push_str(&format!("<!--{}-->", &body[..end]));
                    n.last = Last::Other;
                    i += 4 + end + 3;
                }
                None => {
                    n.handle_data("<");
                    i += 1;
                }
            }
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            match rest.find('>') {
                Some(gt) => {
                    n.output.push_str(&rest[..=gt]);
                    n.last = Last::Other;
                    i += gt + 1;
                }
                None => {
                    n.handle_data("<");
                    i += 1;
                }
            }
        } else if rest.starts_with('<') {
            n.handle_data("<");
            i += 1;
        } else if let Some((c, len)) = char_ref(rest) {
            let fallback = format!("{};", rest[..len].trim_end_matches(';'));
            n.output_char(c, &fallback);
            i += len;
        } else if let Some(name) = entity_name(rest) {
            let fallback = format!("&{name};");
            let len = 1 + name.len() + usize::from(rest[1 + name.len()..].starts_with(';'));
            n.output_char(named_entity(&name), &fallback);
            i += len;
        } else {
            n.handle_data("&");
            i += 1;
        }
    }
    n.output
}

/// The name of a named reference at the start of `s` (`&name` followed by a non-alphanumeric
/// character, as Python's `entityref` requires).
fn entity_name(s: &str) -> Option<String> {
    let body = s.strip_prefix('&')?;
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    // Python needs one more character to know the name has ended.
    (body.len() > name.len()).then_some(name)
}

type StartTag = (String, Vec<(String, Option<String>)>, bool, usize);

/// A start tag at the start of `s`: name, attributes, whether it is self-closing, length.
fn start_tag(s: &str) -> Option<StartTag> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && !matches!(b[i], b'\t' | b'\n' | b'\r' | b'\x0c' | b' ' | b'/' | b'>') {
        i += 1;
    }
    let tag = s[1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len()
            && (b[i].is_ascii_whitespace() || (b[i] == b'/' && b.get(i + 1) != Some(&b'>')))
        {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            return Some((tag, attrs, false, i + 1));
        }
        if s[i..].starts_with("/>") {
            return Some((tag, attrs, true, i + 2));
        }
        let name_start = i;
        i += 1;
        while i < b.len()
            && !matches!(
                b[i],
                b'\t' | b'\n' | b'\r' | b'\x0c' | b' ' | b'/' | b'=' | b'>'
            )
        {
            i += 1;
        }
        let name = s[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = None;
        if j < b.len() && b[j] == b'=' {
            while j < b.len() && b[j] == b'=' {
                j += 1;
            }
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[j + 1..].find(q as char)? + j + 1;
                    value = Some(unescape(&s[j + 1..end]));
                    i = end + 1;
                }
                _ => {
                    let start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = Some(unescape(&s[start..j]));
                    i = j;
                }
            }
        }
        attrs.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_html;

    /// The doctests of the original `normalize.py`.
    #[test]
    fn matches_the_original_doctests() {
        assert_eq!(normalize_html("<p>a  \t b</p>"), "<p>a b</p>");
        assert_eq!(normalize_html("<p>a  \t\nb</p>"), "<p>a b</p>");
        assert_eq!(normalize_html(" <p>a  b</p>"), "<p>a b</p>");
        assert_eq!(normalize_html("<p>a  b</p> "), "<p>a b</p>");
        assert_eq!(
            normalize_html("\n\t<p>\n\t\ta  b\t\t</p>\n\t"),
            "<p>a b</p>"
        );
        assert_eq!(normalize_html("<i>a  b</i> "), "<i>a b</i> ");
        assert_eq!(normalize_html("<br />"), "<br>");
        assert_eq!(
            normalize_html("<a title=\"bar\" HREF=\"foo\">x</a>"),
            "<a href=\"foo\" title=\"bar\">x</a>"
        );
        assert_eq!(
            normalize_html("&forall;&amp;&gt;&lt;&quot;"),
            "\u{2200}&amp;&gt;&lt;&quot;"
        );
        assert_eq!(normalize_html("&#8704;&#x2200;"), "\u{2200}\u{2200}");
    }
}
