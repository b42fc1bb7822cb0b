//! Deciding whether markup from outside the writer may go into the package as it is: raw
//! HTML (kept only with `--raw-html keep`). SVG images are checked by
//! [`bindery_model::svg_problem`], the check every output shares.
//!
//! EPUB readers reject content documents that are not well-formed XML, and EPUBCheck also
//! validates the HTML content model, flags references to resources outside the package and
//! refuses scripts without a declaration. Raw HTML is therefore kept only when it parses as
//! XML, uses a small set of common tags in places HTML allows them, and carries no attribute
//! that could run script, load a resource or collide with an id. Anything else is shown as
//! text by the caller. Nothing is re-serialised: what passes is copied byte for byte.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Elements allowed inside a paragraph (HTML's phrasing content, minus anything that loads a
/// resource, runs script or takes input).
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
];

/// Block elements allowed where a paragraph could stand.
const FLOW: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content must be phrasing content.
const PHRASING_PARENTS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "summary", "dt", "caption",
];

/// Elements that may only hold certain children (and no text but white space).
fn allowed_children(parent: &str) -> Option<&'static [&'static str]> {
    Some(match parent {
        "ul" | "ol" => &["li"],
        "dl" => &["dt", "dd", "div"],
        "table" => &["caption", "thead", "tbody", "tfoot", "tr"],
        "thead" | "tbody" | "tfoot" => &["tr"],
        "tr" => &["td", "th"],
        _ => return None,
    })
}

/// The parents an element needs, when HTML requires one.
fn required_parents(element: &str) -> Option<&'static [&'static str]> {
    Some(match element {
        "li" => &["ul", "ol"],
        "dt" | "dd" => &["dl", "div"],
        "caption" | "thead" | "tbody" | "tfoot" => &["table"],
        "tr" => &["table", "thead", "tbody", "tfoot"],
        "td" | "th" => &["tr"],
        "figcaption" => &["figure"],
        "summary" => &["details"],
        "rt" | "rp" => &["ruby"],
        _ => return None,
    })
}

/// Where a fragment of raw HTML is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Inside a paragraph: phrasing content only.
    Inline,
    /// Between blocks.
    Block,
}

/// True when `fragment` may be copied into an XHTML chapter as it is.
pub(crate) fn is_safe_html(fragment: &str, context: Context) -> bool {
    // The fragment is parsed inside a root of our own, so several top-level elements and
    // bare text are fine, and any unclosed element fails at the root's end tag.
    let wrapped = format!("<bindery-root>{fragment}</bindery-root>");
    let mut reader = Reader::from_str(&wrapped);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) => return false,
        };
        match event {
            Event::Start(start) => {
                let Some(name) = element_name(&start) else {
                    return false;
                };
                if stack.is_empty() && name == "bindery-root" {
                    stack.push(name);
                    continue;
                }
                if !element_allowed(&name, &stack, context) || !attributes_safe(&start, &name) {
                    return false;
                }
                stack.push(name);
            }
            Event::Empty(start) => {
                let Some(name) = element_name(&start) else {
                    return false;
                };
                if !element_allowed(&name, &stack, context) || !attributes_safe(&start, &name) {
                    return false;
                }
            }
            Event::End(_) => {
                // The reader has checked that the name matches.
                stack.pop();
            }
            Event::Text(text) => {
                let only_space = text.iter().all(|b| b.is_ascii_whitespace());
                let parent = stack.last().map(String::as_str).unwrap_or("");
                if !only_space && allowed_children(parent).is_some() {
                    return false;
                }
            }
            Event::GeneralRef(reference) => {
                // XHTML in EPUB knows only XML's five entities (no DTD declares `&nbsp;`).
                let known = matches!(&*reference, b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                let char_ref =
                    reference.is_char_ref() && matches!(reference.resolve_char_ref(), Ok(Some(_)));
                let parent = stack.last().map(String::as_str).unwrap_or("");
                if !(known || char_ref) || allowed_children(parent).is_some() {
                    return false;
                }
            }
            Event::Comment(comment) => {
                // XML forbids `--` inside a comment and a `-` before its end.
                if comment.windows(2).any(|w| w == b"--") || comment.ends_with(b"-") {
                    return false;
                }
            }
            Event::CData(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => return false,
            Event::Eof => return stack.is_empty(),
        }
    }
}

/// The element's name when it is a plain lower-case HTML name (XHTML is case-sensitive, and
/// prefixed names would need namespaces the chapter does not declare).
fn element_name(start: &BytesStart) -> Option<String> {
    let name = start.name();
    let name = std::str::from_utf8(name.as_ref()).ok()?;
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    plain.then(|| name.to_string())
}

fn element_allowed(name: &str, stack: &[String], context: Context) -> bool {
    let phrasing = PHRASING.contains(&name);
    if !phrasing && !FLOW.contains(&name) {
        return false;
    }
    // The fragment's own root stands for the paragraph or the chapter body around it.
    let parent = match stack {
        [_root] => None,
        [.., parent] => Some(parent.as_str()),
        [] => return false,
    };
    let in_phrasing = match parent {
        None => context == Context::Inline,
        Some(parent) => PHRASING.contains(&parent) || PHRASING_PARENTS.contains(&parent),
    };
    if in_phrasing && !phrasing {
        return false;
    }
    // Links cannot nest, and an inline fragment may already sit inside a link.
    if name == "a" && (context == Context::Inline || stack.iter().any(|open| open == "a")) {
        return false;
    }
    if let Some(children) = parent.and_then(allowed_children)
        && !children.contains(&name)
    {
        return false;
    }
    match required_parents(name) {
        Some(parents) => parent.is_some_and(|parent| parents.contains(&parent)),
        None => true,
    }
}

/// Only attributes that cannot run script, load anything or break the page's ids survive:
/// `class`, `title`, `lang`, `dir`, `datetime` and `value` on their elements, and `href` on
/// a link to the web or to an e-mail address.
fn attributes_safe(start: &BytesStart, element: &str) -> bool {
    for attribute in start.attributes() {
        let Ok(attribute) = attribute else {
            return false;
        };
        let Ok(value) = attribute.unescape_value() else {
            return false;
        };
        let ok = match attribute.key.as_ref() {
            b"class" | b"title" | b"lang" | b"xml:lang" => true,
            b"dir" => matches!(&*value, "ltr" | "rtl" | "auto"),
            b"datetime" => element == "time" || element == "del" || element == "ins",
            b"value" => element == "data",
            b"href" => {
                element == "a" && {
                    let lower = value.trim_start().to_ascii_lowercase();
                    lower.starts_with("https://")
                        || lower.starts_with("http://")
                        || lower.starts_with("mailto:")
                }
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_common_html_survives() {
        assert!(is_safe_html("<kbd>Ctrl</kbd>", Context::Inline));
        assert!(is_safe_html(
            "<div class=\"note\">Raw <em>block</em></div>",
            Context::Block
        ));
        assert!(is_safe_html(
            "<ul>\n<li>a &amp; b &#233;</li>\n</ul>",
            Context::Block
        ));
        assert!(is_safe_html("<!-- a comment -->", Context::Block));
        assert!(is_safe_html(
            "<p><a href=\"https://example.org\">x</a><br/></p>",
            Context::Block
        ));
    }

    #[test]
    fn anything_unsafe_or_malformed_is_refused() {
        for (html, context) in [
            ("<kbd>", Context::Inline),
            ("<br>", Context::Inline),
            ("<script>alert(1)</script>", Context::Block),
            ("<div onclick=\"x()\">x</div>", Context::Block),
            ("<img src=\"x.png\" alt=\"\"/>", Context::Block),
            ("<div id=\"dup\">x</div>", Context::Block),
            (
                "<div style=\"background:url(x.png)\">x</div>",
                Context::Block,
            ),
            ("<p>&nbsp;</p>", Context::Block),
            ("<DIV>x</DIV>", Context::Block),
            ("<div>x</div>", Context::Inline),
            ("<p><div>x</div></p>", Context::Block),
            ("<li>x</li>", Context::Block),
            ("<ul>text</ul>", Context::Block),
            ("<a href=\"javascript:x\">x</a>", Context::Block),
            ("<a href=\"other.html\">x</a>", Context::Block),
            ("<a href=\"https://x\">x</a>", Context::Inline),
            ("<!-- a -- b -->", Context::Block),
            ("<svg><circle r=\"1\"/></svg>", Context::Block),
        ] {
            assert!(!is_safe_html(html, context), "{html}");
        }
    }
}
