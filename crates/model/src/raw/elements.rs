//! What each HTML element becomes in the model: the allow-list, close to GitHub's.

use crate::{Attr, Inline, Target, plain_text};

/// How an element is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// An inline element with a model node (`sub`, `kbd`, `a`...).
    Inline,
    /// A void inline element (`br`, `img`, `wbr`).
    Void,
    /// A block container: becomes a `Div` (or a `BlockQuote`) holding its content.
    Container,
    /// A block element whose start and end only separate paragraphs (`p`, `li`, `table`...);
    /// its text is kept. Table cells also put a space between their texts.
    Boundary,
    /// Removed with its content and reported (`script`, `style`, `iframe`, forms...).
    Removed,
    /// Any other element: the tags go, the content stays.
    Transparent,
}

pub(crate) fn role(name: &str) -> Role {
    match name {
        "sub" | "sup" | "mark" | "ins" | "u" | "del" | "s" | "strike" | "em" | "i" | "cite"
        | "dfn" | "var" | "strong" | "b" | "code" | "samp" | "tt" | "kbd" | "span" | "abbr"
        | "small" | "a" | "q" => Role::Inline,
        "br" | "img" | "wbr" => Role::Void,
        "div" | "details" | "summary" | "figure" | "figcaption" | "section" | "article"
        | "aside" | "header" | "footer" | "main" | "nav" | "center" | "blockquote" | "address"
        | "hgroup" => Role::Container,
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "li" | "dl" | "dt" | "dd"
        | "table" | "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th" | "pre" | "hr"
        | "picture" => Role::Boundary,
        _ if is_removed(name) => Role::Removed,
        _ => Role::Transparent,
    }
}

/// Elements removed with their content: they run code, embed other documents, take input,
/// or hold markup of another language whose text is not prose (`svg`, `math`).
pub(crate) fn is_removed(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "iframe"
            | "frame"
            | "frameset"
            | "object"
            | "embed"
            | "applet"
            | "param"
            | "form"
            | "input"
            | "button"
            | "textarea"
            | "select"
            | "option"
            | "optgroup"
            | "datalist"
            | "svg"
            | "math"
            | "noscript"
            | "template"
            | "link"
            | "meta"
            | "base"
            | "title"
            | "head"
            | "audio"
            | "video"
            | "source"
            | "track"
            | "canvas"
            | "portal"
            | "dialog"
    )
}

/// Removed elements with no content (void), so no end tag follows.
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "img"
            | "wbr"
            | "hr"
            | "input"
            | "embed"
            | "param"
            | "link"
            | "meta"
            | "base"
            | "source"
            | "track"
            | "area"
            | "col"
    )
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The attributes kept on a `Span` or `Div`: classes and `title`, `lang`, `dir` (whose values
/// the model's allow-list then checks, see `attrs.rs`). Never an id, a style or a handler.
pub(crate) fn container_attr(first_class: Option<&str>, attrs: &[(String, String)]) -> Attr {
    let mut out = Attr::default();
    out.classes.extend(first_class.map(String::from));
    if let Some(classes) = attr(attrs, "class") {
        out.classes
            .extend(classes.split_ascii_whitespace().map(String::from));
    }
    for name in ["title", "lang", "dir"] {
        if let Some(value) = attr(attrs, name) {
            out.attrs.push((name.to_string(), value.to_string()));
        }
    }
    out
}

/// A link's or image's classes, `lang` and `dir`, and the `extra` attributes it may carry
/// (an image's `width` and `height`); `None` when it has none. The title is the target's own
/// field, and the allow-list ([`crate::sanitize`]) judges the values.
fn target_attr(attrs: &[(String, String)], extra: &[&str]) -> Option<Box<Attr>> {
    let mut out = Attr::default();
    if let Some(classes) = attr(attrs, "class") {
        out.classes
            .extend(classes.split_ascii_whitespace().map(String::from));
    }
    for name in ["lang", "dir"].iter().chain(extra) {
        if let Some(value) = attr(attrs, name) {
            out.attrs.push((name.to_string(), value.to_string()));
        }
    }
    (!out.is_empty()).then(|| Box::new(out))
}

/// The node an inline element becomes, given its content.
pub(crate) fn inline_node(
    name: &str,
    attrs: &[(String, String)],
    content: Vec<Inline>,
) -> Vec<Inline> {
    let node = match name {
        "sub" => Inline::Subscript(content),
        "sup" => Inline::Superscript(content),
        "mark" => Inline::Mark(content),
        "ins" | "u" => Inline::Underline(content),
        "del" | "s" | "strike" => Inline::Strikeout(content),
        "em" | "i" | "cite" | "dfn" | "var" => Inline::Emph(content),
        "strong" | "b" => Inline::Strong(content),
        "kbd" => Inline::Keyboard(content),
        "code" | "samp" | "tt" => Inline::Code(plain_text(&content)),
        "q" => {
            let mut quoted = vec![Inline::Text("\u{201c}".into())];
            quoted.extend(content);
            quoted.push(Inline::Text("\u{201d}".into()));
            return quoted;
        }
        "a" => match attr(attrs, "href") {
            Some(href) => Inline::Link {
                target: Target {
                    url: href.trim().to_string(),
                    title: attr(attrs, "title").unwrap_or_default().to_string(),
                    span: None,
                    attr: target_attr(attrs, &[]),
                },
                content,
                autolink: false,
            },
            // `<a name="x">` and `<a id="x">` anchors: the model has no anchors but headings.
            None => return content,
        },
        "abbr" | "small" => Inline::Span {
            attr: container_attr(Some(name), attrs),
            content,
        },
        "span" => Inline::Span {
            attr: container_attr(None, attrs),
            content,
        },
        _ => return content,
    };
    vec![node]
}

/// The node a void inline element becomes.
pub(crate) fn void_node(name: &str, attrs: &[(String, String)]) -> Option<Inline> {
    match name {
        "br" => Some(Inline::LineBreak),
        "img" => {
            let alt = attr(attrs, "alt").unwrap_or_default();
            let alt = if alt.is_empty() {
                Vec::new()
            } else {
                vec![Inline::Text(alt.to_string())]
            };
            match attr(attrs, "src").map(str::trim) {
                Some(src) if !src.is_empty() => Some(Inline::Image {
                    target: Target {
                        url: src.to_string(),
                        title: attr(attrs, "title").unwrap_or_default().to_string(),
                        span: None,
                        attr: target_attr(attrs, &["width", "height"]),
                    },
                    alt,
                }),
                _ => alt.into_iter().next(),
            }
        }
        _ => None,
    }
}
