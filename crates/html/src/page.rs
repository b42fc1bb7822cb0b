//! The page around the body: `<head>`, the title block, the table of contents and the
//! footnotes, for a whole document or one EPUB chapter.

use bindery_model::{Assets, Block, BlockKind, Document, Inline, Metadata, Warned, plain_text};

use crate::blocks::Writer;
use crate::escape::escaped;
use crate::{Chapter, NavLink, Options, Resources, stylesheet};

/// The default stylesheet: phone and desktop, dark mode, print.
pub(crate) const DEFAULT_CSS: &str = include_str!("style.css");

/// What the `<head>` says about a page.
pub(crate) struct Head<'a> {
    pub(crate) title: &'a str,
    pub(crate) meta: &'a Metadata,
    pub(crate) stylesheet_href: Option<&'a str>,
}

/// A whole document: head from its metadata, then title block, contents, body and notes.
pub(crate) fn document(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> Warned<String> {
    let mut writer = Writer::new(options, assets, resources);
    let meta = &document.meta;
    let title = meta.title.as_deref().filter(|t| !t.trim().is_empty());
    let mut blocks = document.blocks.as_slice();
    if options.standalone {
        let head = Head {
            title: title.unwrap_or("Untitled"),
            meta,
            stylesheet_href: None,
        };
        open_page(&mut writer, &head, resources);
        // A first level-1 heading repeating the title is shown once, as the title, keeping
        // its id so links to it still land.
        let repeated = match blocks.first().map(|b| &b.kind) {
            Some(BlockKind::Heading {
                level: 1,
                attr,
                content,
            }) if title.is_some_and(|t| plain_text(content).trim() == t.trim()) => {
                Some((attr.id.as_str(), content.as_slice()))
            }
            _ => None,
        };
        if repeated.is_some() {
            blocks = &blocks[1..];
        }
        title_block(&mut writer, meta, title, repeated);
    }
    if options.toc {
        table_of_contents(&mut writer, blocks);
    }
    writer.blocks(blocks);
    writer.footnotes();
    if options.standalone {
        close_page(&mut writer);
    }
    writer.finish()
}

/// One chapter: the same writer, its own note numbering, links into other chapters resolved.
pub(crate) fn chapter(
    head: &Head,
    chapter: &Chapter,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> crate::ChapterOutput {
    let blocks = chapter.blocks;
    let mut writer = Writer::new(options, assets, resources);
    writer.fragment_files = chapter.fragment_files;
    if options.standalone {
        open_page(&mut writer, head, resources);
    }
    if let Some(contents) = chapter.nav.and_then(|nav| nav.contents) {
        writer.push("<nav class=\"book-nav\" aria-label=\"Book\">");
        nav_link(&mut writer, contents, None, ("", ""));
        writer.push("</nav>\n");
    }
    if chapter.title_block {
        let title = chapter
            .meta
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty());
        title_block(&mut writer, chapter.meta, title, None);
    }
    if options.toc {
        table_of_contents(&mut writer, blocks);
    }
    writer.blocks(blocks);
    writer.footnotes();
    if let Some(nav) = chapter.nav
        && (nav.prev.is_some() || nav.next.is_some())
    {
        writer.push("<nav class=\"page-nav\" aria-label=\"Previous and next\">\n");
        if let Some(prev) = nav.prev {
            nav_link(&mut writer, prev, Some("prev"), ("\u{2190} ", ""));
        }
        if let Some(next) = nav.next {
            nav_link(&mut writer, next, Some("next"), ("", " \u{2192}"));
        }
        writer.push("\n</nav>\n");
    }
    if options.standalone {
        close_page(&mut writer);
    }
    let mathml = writer.mathml;
    let Warned { output, warnings } = writer.finish();
    crate::ChapterOutput {
        output,
        warnings,
        mathml,
    }
}

/// `<a rel=... href=...>before title after</a>`, each part escaped.
fn nav_link(writer: &mut Writer, link: NavLink, rel: Option<&str>, (before, after): (&str, &str)) {
    writer.push("<a");
    if let Some(rel) = rel {
        writer.attr("rel", rel);
        writer.attr("class", rel);
    }
    writer.url_attr("href", link.href);
    writer.push(">");
    writer.text(before);
    writer.text(link.title);
    writer.text(after);
    writer.push("</a>");
}

fn open_page(writer: &mut Writer, head: &Head, resources: &Resources) {
    let options = writer.options;
    let lang = head.meta.lang_or_default();
    if options.xhtml {
        writer.push("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
        writer.push(
            "<html xmlns=\"http://www.w3.org/1999/xhtml\" \
             xmlns:epub=\"http://www.idpf.org/2007/ops\"",
        );
        writer.attr("lang", lang);
        writer.attr("xml:lang", lang);
    } else {
        writer.push("<!DOCTYPE html>\n<html");
        writer.attr("lang", lang);
    }
    if head.meta.is_rtl() {
        writer.push(" dir=\"rtl\"");
    }
    let end = writer.void_end();
    writer.push(">\n<head>\n");
    writer.push(&format!("<meta charset=\"utf-8\"{end}\n"));
    // Reading systems lay out reflowable EPUB themselves and EPUBCheck reports a viewport
    // there (HTM-060b).
    if !options.xhtml {
        writer.push("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    }
    writer.push(&format!(
        "<meta name=\"generator\" content=\"bindery\"{end}\n"
    ));
    writer.push("<title>");
    writer.text(head.title);
    writer.push("</title>\n");
    for author in &head.meta.authors {
        meta_tag(writer, "author", author);
    }
    if let Some(description) = head.meta.description.as_deref() {
        meta_tag(writer, "description", description);
    }
    if !head.meta.keywords.is_empty() {
        meta_tag(writer, "keywords", &head.meta.keywords.join(", "));
    }
    match head.stylesheet_href {
        Some(href) => {
            writer.push("<link rel=\"stylesheet\"");
            writer.url_attr("href", href);
            writer.push(end);
            writer.push("\n");
        }
        None => {
            writer.push("<style>\n");
            let css = stylesheet(resources, options);
            writer.push(&style_content(&css, options.xhtml));
            writer.push("</style>\n");
        }
    }
    writer.push("</head>\n<body>\n<main>\n<article>\n");
}

fn close_page(writer: &mut Writer) {
    if !writer.out.ends_with('\n') {
        writer.push("\n");
    }
    writer.push("</article>\n</main>\n</body>\n</html>\n");
}

fn meta_tag(writer: &mut Writer, name: &str, content: &str) {
    writer.push("<meta");
    writer.attr("name", name);
    writer.attr("content", content);
    writer.push(writer.void_end());
    writer.push("\n");
}

/// CSS made safe inside `<style>`: in HTML nothing may close the element early; in XHTML the
/// content is XML text, so `&` and `<` must be entities.
fn style_content(css: &str, xhtml: bool) -> String {
    if xhtml {
        escaped(css)
    } else {
        css.replace("</", "<\\/")
    }
}

/// [`title_block`] with nothing around it.
pub(crate) fn title_block_alone(
    meta: &Metadata,
    title: &str,
    resources: &Resources,
    options: &Options,
) -> String {
    let assets = Assets::new();
    let mut writer = Writer::new(options, &assets, resources);
    title_block(&mut writer, meta, Some(title), None);
    writer.finish().output
}

/// The title, subtitle, authors and date. `repeated` is the first heading when it repeats the
/// title: its content (with its markup) and id become the title's.
fn title_block<'a>(
    writer: &mut Writer<'a>,
    meta: &Metadata,
    title: Option<&str>,
    repeated: Option<(&str, &'a [Inline])>,
) {
    if title.is_none() && meta.subtitle.is_none() && meta.authors.is_empty() && meta.date.is_none()
    {
        return;
    }
    writer.push("<header class=\"title-block\">\n");
    if let Some(title) = title {
        writer.push("<h1 class=\"title\"");
        match repeated {
            Some((id, content)) => {
                if !id.is_empty() {
                    writer.attr("id", id);
                }
                writer.push(">");
                writer.inlines(content);
            }
            None => {
                writer.push(">");
                writer.text(title);
            }
        }
        writer.push("</h1>\n");
    }
    if let Some(subtitle) = meta.subtitle.as_deref() {
        writer.push("<p class=\"subtitle\">");
        writer.text(subtitle);
        writer.push("</p>\n");
    }
    for author in &meta.authors {
        writer.push("<p class=\"author\">");
        writer.text(author);
        writer.push("</p>\n");
    }
    if let Some(date) = meta.date.as_deref() {
        writer.push("<p class=\"date\">");
        writer.text(date);
        writer.push("</p>\n");
    }
    writer.push("</header>\n");
}

/// A nested list of the level 1-3 headings that have ids, at the top level of the body.
fn table_of_contents(writer: &mut Writer, blocks: &[Block]) {
    let entries: Vec<(u8, &str, String)> = blocks
        .iter()
        .filter_map(|block| match &block.kind {
            BlockKind::Heading {
                level,
                attr,
                content,
            } if *level <= 3 && !attr.id.is_empty() => {
                Some((*level, attr.id.as_str(), plain_text(content)))
            }
            _ => None,
        })
        .collect();
    if entries.is_empty() {
        return;
    }
    writer.push("<nav class=\"toc\" aria-label=\"Contents\">\n");
    // The level of each open <ol>; a deeper heading opens a list inside the current item, a
    // shallower one closes lists until one is at most as deep.
    let mut open: Vec<u8> = Vec::new();
    for (level, id, text) in entries {
        match open.last().copied() {
            None => {
                writer.push("<ol>\n");
                open.push(level);
            }
            Some(top) if level > top => {
                writer.push("\n<ol>\n");
                open.push(level);
            }
            Some(_) => {
                writer.push("</li>\n");
                while let [.., parent, top] = open[..] {
                    if top <= level {
                        break;
                    }
                    if parent < level {
                        // Skipped levels (h1, h3, h2): the h2 is a sibling of the h3.
                        if let Some(last) = open.last_mut() {
                            *last = level;
                        }
                        break;
                    }
                    open.pop();
                    writer.push("</ol>\n</li>\n");
                }
            }
        }
        writer.push("<li><a");
        writer.url_attr("href", &format!("#{id}"));
        writer.push(">");
        writer.text(&text);
        writer.push("</a>");
    }
    writer.push("</li>\n");
    while open.pop().is_some() {
        writer.push("</ol>\n");
        if !open.is_empty() {
            writer.push("</li>\n");
        }
    }
    writer.push("</nav>\n");
}
