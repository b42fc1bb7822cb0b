//! The pages the book adds around the document's own chapters: the cover, the title page
//! and the optional visible contents page, written as XHTML content documents in the same
//! shape as the HTML writer's chapters (same head, stylesheet, language and direction).

use bindery_html::Resources;
use bindery_model::Metadata;

use crate::opf::xml_escape;
use crate::split::TocEntry;

/// Adjustments to the HTML stylesheet for e-readers, appended after it (and before any
/// `--css`, which may override them): the reader's own colours, margins and page breaks win,
/// and nothing needs sideways scrolling, which e-readers cannot do.
pub(crate) const EPUB_CSS: &str = include_str!("epub.css");

/// The XHTML page around `body`.
fn page(meta: &Metadata, title: &str, stylesheet: &str, body: &str) -> String {
    let lang = xml_escape(meta.lang_or_default());
    let dir = if meta.is_rtl() { " dir=\"rtl\"" } else { "" };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" \
         lang=\"{lang}\" xml:lang=\"{lang}\"{dir}>\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{stylesheet}\" />\n</head>\n\
         <body>\n{body}</body>\n</html>\n",
        title = xml_escape(title),
        stylesheet = xml_escape(stylesheet),
    )
}

/// The cover: the image alone, filling the page.
pub(crate) fn cover(meta: &Metadata, title: &str, image: &str, stylesheet: &str) -> String {
    let body = format!(
        "<section class=\"cover\" epub:type=\"cover\">\n\
         <img src=\"{image}\" alt=\"{alt}\" />\n</section>\n",
        image = xml_escape(image),
        alt = xml_escape(&format!("Cover of {title}")),
    );
    page(meta, "Cover", stylesheet, &body)
}

/// The title page: the HTML writer's title block (title, subtitle, authors and date).
pub(crate) fn title_page(
    meta: &Metadata,
    title: &str,
    stylesheet: &str,
    resources: &Resources,
    options: &bindery_html::Options,
) -> String {
    let body = format!(
        "<section class=\"title-page\" epub:type=\"titlepage\">\n{}</section>\n",
        bindery_html::render_title_block(meta, title, resources, options)
    );
    page(meta, title, stylesheet, &body)
}

/// A visible table of contents, for readers who page through the book.
pub(crate) fn contents(
    meta: &Metadata,
    heading: &str,
    entries: &[TocEntry],
    stylesheet: &str,
) -> String {
    let mut body = format!(
        "<nav class=\"toc contents-page\" aria-labelledby=\"contents-title\">\n\
         <h1 id=\"contents-title\">{}</h1>\n",
        xml_escape(heading)
    );
    list(entries, &mut body);
    body.push_str("</nav>\n");
    page(meta, heading, stylesheet, &body)
}

/// The nesting is bounded by the table of contents depth (three heading levels).
fn list(entries: &[TocEntry], out: &mut String) {
    if entries.is_empty() {
        return;
    }
    out.push_str("<ol>\n");
    for entry in entries {
        out.push_str(&format!(
            "<li><a href=\"{}\">{}</a>",
            xml_escape(&entry.href),
            xml_escape(&entry.title)
        ));
        if !entry.children.is_empty() {
            out.push('\n');
            list(&entry.children, out);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_page_escapes_and_carries_language_and_direction() {
        let meta = Metadata {
            lang: Some("ar".into()),
            authors: vec!["A & B".into()],
            subtitle: Some("<sub>".into()),
            ..Metadata::default()
        };
        let options = bindery_html::Options {
            xhtml: true,
            ..bindery_html::Options::default()
        };
        let page = title_page(&meta, "T\"", "stylesheet.css", &Resources::new(), &options);
        assert!(
            page.contains("lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\""),
            "{page}"
        );
        assert!(page.contains("<h1 class=\"title\">T&quot;</h1>"), "{page}");
        assert!(page.contains("<p class=\"author\">A &amp; B</p>"), "{page}");
        assert!(
            page.contains("<p class=\"subtitle\">&lt;sub&gt;</p>"),
            "{page}"
        );
    }

    #[test]
    fn contents_nest() {
        let entry = |href: &str, children| TocEntry {
            level: 1,
            href: href.into(),
            title: href.to_uppercase(),
            children,
        };
        let page = contents(
            &Metadata::default(),
            "Contents",
            &[entry("a.xhtml", vec![entry("a.xhtml#b", vec![])])],
            "s.css",
        );
        assert!(page.contains(
            "<ol>\n<li><a href=\"a.xhtml\">A.XHTML</a>\n<ol>\n\
             <li><a href=\"a.xhtml#b\">A.XHTML#B</a></li>\n</ol>\n</li>\n</ol>\n"
        ));
    }
}
