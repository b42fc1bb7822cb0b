//! Exact HTML for pages: head, title block, direction, stylesheets, XHTML, embedding, chapters.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use bindery_html::{Chapter, Options, render, render_chapter};
use bindery_model::build::*;
use bindery_model::{Asset, Assets, BlockKind, Document, Inline, Metadata};

use crate::common::{doc, fragment_options, resources};

fn titled(lang: Option<&str>) -> Document {
    Document {
        meta: Metadata {
            title: Some("The Guide".into()),
            subtitle: Some("Subtitle".into()),
            authors: vec!["Ada".into(), "Grace".into()],
            date: Some("2024-05-01".into()),
            lang: lang.map(String::from),
            description: Some("About \"it\"".into()),
            keywords: vec!["one".into(), "two".into()],
            ..Metadata::default()
        },
        blocks: vec![
            heading(
                1,
                "the-guide",
                vec![text("The "), emph(vec![text("Guide")])],
            ),
            para(vec![text("Body.")]),
        ],
    }
}

#[test]
fn standalone_page_has_head_title_block_and_no_duplicate_title() {
    let html = render(
        &titled(None),
        &Assets::new(),
        resources(),
        &Options::default(),
    )
    .output;
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"bindery\">\n<title>The Guide</title>\n<meta name=\"author\" content=\"Ada\">\n<meta name=\"author\" content=\"Grace\">\n<meta name=\"description\" content=\"About &quot;it&quot;\">\n<meta name=\"keywords\" content=\"one, two\">\n<style>\n"), "{html}");
    assert!(html.contains("@media (prefers-color-scheme: dark)"));
    assert!(html.contains("@media print"));
    assert!(html.contains(".hl-"), "theme CSS is embedded");
    let body = html.split("</style>").nth(1).unwrap();
    assert_eq!(
        body,
        "\n</head>\n<body>\n<main>\n<article>\n<header class=\"title-block\">\n\
         <h1 class=\"title\" id=\"the-guide\">The <em>Guide</em></h1>\n\
         <p class=\"subtitle\">Subtitle</p>\n<p class=\"author\">Ada</p>\n\
         <p class=\"author\">Grace</p>\n<p class=\"date\">2024-05-01</p>\n</header>\n\
         <p>Body.</p>\n</article>\n</main>\n</body>\n</html>\n"
    );
    assert_eq!(html.matches("<h1").count(), 1);
}

#[test]
fn a_different_first_heading_is_kept() {
    let mut document = titled(None);
    document.blocks[0] = heading(1, "other", vec![text("Other")]);
    let html = render(&document, &Assets::new(), resources(), &Options::default()).output;
    assert!(
        html.contains("<h1 class=\"title\">The Guide</h1>"),
        "{html}"
    );
    assert!(html.contains("<h1 id=\"other\">Other"), "{html}");
}

#[test]
fn right_to_left_languages_set_dir() {
    let html = render(
        &titled(Some("ar")),
        &Assets::new(),
        resources(),
        &Options::default(),
    )
    .output;
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
}

#[test]
fn user_css_follows_the_default_and_cannot_close_the_style_element() {
    let options = Options {
        css: vec!["body { color: red; } /* </style><script>x</script> */".into()],
        highlight: false,
        ..Options::default()
    };
    let html = render(&titled(None), &Assets::new(), resources(), &options).output;
    assert!(html.contains("body { color: red; } /* <\\/style><script>x<\\/script> */\n</style>"));
    assert_eq!(html.matches("</style>").count(), 1);
    assert!(!html.contains(".hl-"), "no theme CSS without highlighting");
}

#[test]
fn xhtml_mode_is_well_formed_for_epub() {
    let options = Options {
        xhtml: true,
        heading_anchors: false,
        ..Options::default()
    };
    let mut document = titled(Some("he"));
    document.blocks.push(para(vec![
        text("a"),
        Inline::LineBreak,
        image("i.png", vec![text("i")]),
        Inline::Note(vec![para(vec![text("n")])]),
    ]));
    document.blocks.push(BlockKind::ThematicBreak.into());
    let html = render(&document, &Assets::new(), resources(), &options).output;
    assert!(html.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" \
         lang=\"he\" xml:lang=\"he\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\" />\n"
    ));
    assert!(
        !html.contains("viewport"),
        "reflowable EPUB has no viewport"
    );
    let body = html.split("</style>").nth(1).unwrap();
    assert!(body.contains(
        "<p>a<br />\n<img src=\"i.png\" alt=\"i\" /><sup class=\"footnote-ref\">\
         <a href=\"#fn-1\" id=\"fnref-1\" epub:type=\"noteref\" role=\"doc-noteref\">1</a></sup></p>\n<hr />\n"
    ), "{body}");
    assert!(
        body.contains(
            "<section class=\"footnotes\" role=\"doc-endnotes\" epub:type=\"footnotes\">"
        )
    );
    assert!(body.contains("<li id=\"fn-1\" epub:type=\"footnote\">"));
    // Only the XML entities: no &nbsp; or similar anywhere, including the stylesheet.
    for entity in html.match_indices('&').map(|(i, _)| &html[i..]) {
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x27;"]
                .iter()
                .any(|e| entity.starts_with(e)),
            "{}",
            &entity[..entity.len().min(12)]
        );
    }
}

#[test]
fn images_are_embedded_as_data_urls_from_assets() {
    let mut assets = Assets::new();
    assets.insert(
        "red.png".into(),
        Asset {
            media_type: "image/png".into(),
            data: Arc::from(&b"\x89PNG"[..]),
            size: Some((1, 1)),
        },
    );
    let options = Options {
        embed_resources: true,
        ..fragment_options()
    };
    let document = doc(vec![para(vec![
        image("red.png", vec![text("red")]),
        image("missing.png", vec![]),
        image("https://example.com/x.png", vec![]),
    ])]);
    let warned = render(&document, &assets, resources(), &options);
    assert_eq!(
        warned.output,
        "<p><img src=\"data:image/png;base64,iVBORw==\" alt=\"red\" width=\"1\" height=\"1\">\
         <img src=\"missing.png\" alt=\"\">\
         <img src=\"https://example.com/x.png\" alt=\"\"></p>\n"
    );
    assert_eq!(warned.warnings.len(), 1, "{:?}", warned.warnings);
    assert!(warned.warnings[0].message.contains("missing.png"));
    // Without the option, the URL is linked as written.
    let linked = render(&document, &assets, resources(), &fragment_options()).output;
    assert!(linked.starts_with("<p><img src=\"red.png\" alt=\"red\" width=\"1\" height=\"1\">"));
}

#[test]
fn chapters_number_their_own_notes_and_link_across_files() {
    let blocks = vec![para(vec![
        link("#later", vec![text("see")]),
        link("#here", vec![text("here")]),
        Inline::Note(vec![para(vec![text("n")])]),
    ])];
    let files = BTreeMap::from([("later".to_string(), "ch2.xhtml".to_string())]);
    let meta = Metadata::default();
    let chapter = Chapter {
        title: "One",
        blocks: &blocks,
        meta: &meta,
        stylesheet_href: Some("style.css"),
        fragment_files: Some(&files),
        title_block: false,
        nav: None,
    };
    let options = Options {
        xhtml: true,
        ..Options::default()
    };
    let html = render_chapter(&chapter, &Assets::new(), resources(), &options).output;
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"style.css\" />\n</head>"),
        "{html}"
    );
    assert!(!html.contains("<style>"));
    assert!(html.contains("<title>One</title>"));
    assert!(html.contains("<a href=\"ch2.xhtml#later\">see</a><a href=\"#here\">here</a>"));
    assert!(html.contains("id=\"fnref-1\""));
    // The same writer restarts numbering for the next chapter.
    let again = render_chapter(&chapter, &Assets::new(), resources(), &options).output;
    assert_eq!(html, again, "deterministic");
    assert!(!again.contains("fn-2"));
}

#[test]
fn raw_html_in_xhtml_is_kept_with_one_warning() {
    let document = doc(vec![
        BlockKind::RawBlock {
            format: "html".into(),
            text: "<div>x</div>\n".into(),
        }
        .into(),
        para(vec![Inline::Raw {
            format: "html".into(),
            text: "<br>".into(),
            span: None,
        }]),
    ]);
    let xhtml = Options {
        xhtml: true,
        ..fragment_options()
    };
    let warned = render(&document, &Assets::new(), resources(), &xhtml);
    assert_eq!(warned.output, "<div>x</div>\n<p><br></p>\n");
    assert_eq!(warned.warnings.len(), 1, "{:?}", warned.warnings);
    let html = render(&document, &Assets::new(), resources(), &fragment_options());
    assert!(html.warnings.is_empty());
}
