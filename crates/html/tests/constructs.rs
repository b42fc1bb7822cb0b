//! Exact HTML for each construct, from documents built with the model's builders.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use bindery_html::{Chapter, Options, Resources, render, render_chapter};
use bindery_model::build::*;
use bindery_model::{
    Alignment, Asset, Assets, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim,
    ListItem, Metadata, Table, Target,
};

/// Syntect loads in tens of milliseconds; every test shares one, as the pipeline does.
fn resources() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(Resources::new)
}

fn fragment_options() -> Options {
    Options {
        standalone: false,
        highlight: false,
        heading_anchors: false,
        ..Options::default()
    }
}

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        blocks,
        ..Document::default()
    }
}

/// The body alone, no highlighting, no anchors.
fn fragment(blocks: Vec<Block>) -> String {
    with(blocks, &fragment_options())
}

fn with(blocks: Vec<Block>, options: &Options) -> String {
    let warned = render(&doc(blocks), &Assets::new(), resources(), options);
    assert!(warned.warnings.is_empty(), "{:?}", warned.warnings);
    warned.output
}

fn task(checked: bool, text_: &str) -> ListItem {
    ListItem {
        checked: Some(checked),
        blocks: vec![plain(vec![text(text_)])],
    }
}

#[test]
fn paragraph_with_emphasis() {
    let html = fragment(vec![para(vec![
        text("a "),
        emph(vec![text("b")]),
        text(" "),
        strong(vec![text("c")]),
        text(" "),
        Inline::Strikeout(vec![text("d")]),
        text(" "),
        code("e<f>"),
        Inline::LineBreak,
        text("g"),
        Inline::SoftBreak,
        text("h"),
    ])]);
    assert_eq!(
        html,
        "<p>a <em>b</em> <strong>c</strong> <del>d</del> <code>e&lt;f&gt;</code><br>\ng\nh</p>\n"
    );
}

#[test]
fn text_is_escaped_so_it_cannot_become_markup() {
    let html = fragment(vec![para(vec![text(
        "<script>alert(\"x\" & 'y')</script>",
    )])]);
    assert_eq!(
        html,
        "<p>&lt;script&gt;alert(&quot;x&quot; &amp; 'y')&lt;/script&gt;</p>\n"
    );
}

#[test]
fn heading_with_id_and_anchor() {
    let options = Options {
        heading_anchors: true,
        ..fragment_options()
    };
    let html = with(vec![heading(2, "intro", vec![text("Intro")])], &options);
    assert_eq!(
        html,
        "<h2 id=\"intro\">Intro <a class=\"anchor\" href=\"#intro\" aria-hidden=\"true\">§</a></h2>\n"
    );
    // Without an id there is nothing to link to: no id attribute, no anchor.
    let html = with(vec![heading(3, "", vec![text("Plain")])], &options);
    assert_eq!(html, "<h3>Plain</h3>\n");
}

#[test]
fn code_blocks_unhighlighted_and_highlighted() {
    let block = || code_block(Some("rust"), "fn main() { 1 < 2; }\n");
    assert_eq!(
        fragment(vec![block()]),
        "<pre><code class=\"language-rust\">fn main() { 1 &lt; 2; }\n</code></pre>\n"
    );
    let highlighting = Options {
        highlight: true,
        ..fragment_options()
    };
    let html = with(vec![block()], &highlighting);
    assert!(
        html.starts_with("<pre><code class=\"language-rust\"><span class=\"hl-source hl-rust\">"),
        "{html}"
    );
    assert!(html.contains(">fn</span>"), "{html}");
    assert!(html.contains("&lt;"), "{html}");
    assert!(html.ends_with("</span></code></pre>\n"), "{html}");
    // An unknown language stays plain, escaped text.
    let html = with(
        vec![code_block(Some("no-such-lang"), "<b>\n")],
        &highlighting,
    );
    assert_eq!(
        html,
        "<pre><code class=\"language-no-such-lang\">&lt;b&gt;\n</code></pre>\n"
    );
    // No language: no class.
    assert_eq!(
        fragment(vec![code_block(None, "x\n")]),
        "<pre><code>x\n</code></pre>\n"
    );
}

#[test]
fn table_alignment_is_a_style_not_the_align_attribute() {
    let table = Table {
        aligns: vec![Alignment::Left, Alignment::Center, Alignment::Default],
        head: vec![vec![text("a")], vec![text("b")], vec![text("c")]],
        rows: vec![vec![vec![text("1")], vec![text("2")], vec![text("3")]]],
    };
    assert_eq!(
        fragment(vec![BlockKind::Table(table).into()]),
        "<div class=\"table-wrapper\">\n<table>\n<thead>\n<tr>\n\
         <th style=\"text-align: left\">a</th>\n\
         <th style=\"text-align: center\">b</th>\n\
         <th>c</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n\
         <td style=\"text-align: left\">1</td>\n\
         <td style=\"text-align: center\">2</td>\n\
         <td>3</td>\n</tr>\n</tbody>\n</table>\n</div>\n"
    );
}

#[test]
fn task_list_items_have_disabled_checkboxes() {
    let list: Block = BlockKind::BulletList(vec![task(true, "done"), task(false, "todo")]).into();
    assert_eq!(
        fragment(vec![list.clone()]),
        "<ul class=\"task-list\">\n\
         <li class=\"task\"><input type=\"checkbox\" disabled checked> done</li>\n\
         <li class=\"task\"><input type=\"checkbox\" disabled> todo</li>\n</ul>\n"
    );
    let xhtml = Options {
        xhtml: true,
        ..fragment_options()
    };
    assert_eq!(
        with(vec![list], &xhtml),
        "<ul class=\"task-list\">\n\
         <li class=\"task\"><input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\" /> done</li>\n\
         <li class=\"task\"><input type=\"checkbox\" disabled=\"disabled\" /> todo</li>\n</ul>\n"
    );
}

#[test]
fn lists_quotes_alerts_and_rules() {
    let ordered: Block = BlockKind::OrderedList {
        start: 3,
        delim: ListDelim::Paren,
        items: vec![ListItem {
            checked: None,
            blocks: vec![plain(vec![text("three")])],
        }],
    }
    .into();
    let alert: Block = BlockKind::Alert {
        kind: bindery_model::AlertKind::Warning,
        title: None,
        blocks: vec![para(vec![text("careful")])],
    }
    .into();
    let html = fragment(vec![
        ordered,
        bullet_list(vec![vec![para(vec![text("loose")])]]),
        block_quote(vec![para(vec![text("quoted")])]),
        alert,
        BlockKind::ThematicBreak.into(),
    ]);
    assert_eq!(
        html,
        "<ol start=\"3\">\n<li>three</li>\n</ol>\n\
         <ul>\n<li>\n<p>loose</p>\n</li>\n</ul>\n\
         <blockquote>\n<p>quoted</p>\n</blockquote>\n\
         <div class=\"alert alert-warning\">\n<p class=\"alert-title\">Warning</p>\n<p>careful</p>\n</div>\n\
         <hr>\n"
    );
}

#[test]
fn definition_lists() {
    let list: Block = BlockKind::DefinitionList(vec![DefinitionItem {
        term: vec![text("Term")],
        definitions: vec![
            vec![plain(vec![text("one")])],
            vec![plain(vec![text("two")])],
        ],
    }])
    .into();
    assert_eq!(
        fragment(vec![list]),
        "<dl>\n<dt>Term</dt>\n<dd>one</dd>\n<dd>two</dd>\n</dl>\n"
    );
}

#[test]
fn links_images_math_and_raw() {
    let html = fragment(vec![para(vec![
        Inline::Link {
            target: Target {
                url: "https://example.com/a b?x=1&y=2".into(),
                title: "The \"title\"".into(),
            },
            content: vec![text("link")],
            autolink: false,
        },
        text(" "),
        Inline::Image {
            target: Target {
                url: "img/ä.png".into(),
                title: String::new(),
            },
            alt: vec![text("an "), emph(vec![text("alt")])],
        },
        text(" "),
        Inline::Math {
            display: false,
            tex: "a<b".into(),
        },
        Inline::Math {
            display: true,
            tex: "x^2".into(),
        },
        Inline::Raw {
            format: "html".into(),
            text: "<kbd>K</kbd>".into(),
        },
        Inline::Raw {
            format: "latex".into(),
            text: "\\LaTeX".into(),
        },
    ])]);
    assert_eq!(
        html,
        "<p><a href=\"https://example.com/a%20b?x=1&amp;y=2\" title=\"The &quot;title&quot;\">link</a> \
         <img src=\"img/%C3%A4.png\" alt=\"an alt\"> \
         <span class=\"math inline\">\\(a&lt;b\\)</span>\
         <span class=\"math display\">\\[x^2\\]</span>\
         <kbd>K</kbd></p>\n"
    );
    let raw_blocks = fragment(vec![
        BlockKind::RawBlock {
            format: "html".into(),
            text: "<div>kept</div>\n".into(),
        }
        .into(),
        BlockKind::RawBlock {
            format: "typst".into(),
            text: "#dropped\n".into(),
        }
        .into(),
    ]);
    assert_eq!(raw_blocks, "<div>kept</div>\n");
}

#[test]
fn footnotes_are_numbered_in_order_with_back_links() {
    let html = fragment(vec![
        para(vec![
            text("a"),
            Inline::Note(vec![para(vec![text("first")])]),
            text(" b"),
            Inline::Note(vec![para(vec![text("second")]), code_block(None, "code\n")]),
        ]),
        para(vec![
            text("c"),
            Inline::Note(vec![plain(vec![
                text("third"),
                Inline::Note(vec![para(vec![text("nested")])]),
            ])]),
        ]),
    ]);
    let reference = |n: u32| {
        format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{n}\" id=\"fnref-{n}\" \
             role=\"doc-noteref\">{n}</a></sup>"
        )
    };
    let back = |n: u32| {
        format!(
            "<a href=\"#fnref-{n}\" class=\"footnote-backref\" \
             aria-label=\"Back to reference {n}\">\u{21a9}\u{fe0e}</a>"
        )
    };
    let expected = format!(
        "<p>a{r1} b{r2}</p>\n<p>c{r3}</p>\n\
         <section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n\
         <li id=\"fn-1\">\n<p>first {b1}</p>\n</li>\n\
         <li id=\"fn-2\">\n<p>second</p>\n<pre><code>code\n</code></pre>\n<p>{b2}</p>\n</li>\n\
         <li id=\"fn-3\">\n<p>third{r4} {b3}</p>\n</li>\n\
         <li id=\"fn-4\">\n<p>nested {b4}</p>\n</li>\n\
         </ol>\n</section>\n",
        r1 = reference(1),
        r2 = reference(2),
        r3 = reference(3),
        r4 = reference(4),
        b1 = back(1),
        b2 = back(2),
        b3 = back(3),
        b4 = back(4),
    );
    assert_eq!(html, expected);
}

#[test]
fn table_of_contents_nests_levels_one_to_three() {
    let options = Options {
        toc: true,
        ..fragment_options()
    };
    let html = with(
        vec![
            heading(1, "a", vec![text("A")]),
            heading(2, "b", vec![emph(vec![text("B")])]),
            heading(4, "deep", vec![text("Too deep")]),
            heading(3, "c", vec![text("C & D")]),
            heading(2, "", vec![text("No id")]),
            heading(2, "e", vec![text("E")]),
            heading(1, "f", vec![text("F")]),
        ],
        &options,
    );
    let toc = html.split("</nav>").next().unwrap();
    assert_eq!(
        toc,
        "<nav class=\"toc\" aria-label=\"Contents\">\n<ol>\n\
         <li><a href=\"#a\">A</a>\n<ol>\n\
         <li><a href=\"#b\">B</a>\n<ol>\n<li><a href=\"#c\">C &amp; D</a></li>\n</ol>\n</li>\n\
         <li><a href=\"#e\">E</a></li>\n</ol>\n</li>\n\
         <li><a href=\"#f\">F</a></li>\n</ol>\n"
    );
}

#[test]
fn skipped_heading_levels_still_nest_sensibly() {
    let options = Options {
        toc: true,
        ..fragment_options()
    };
    let html = with(
        vec![
            heading(1, "a", vec![text("A")]),
            heading(3, "b", vec![text("B")]),
            heading(2, "c", vec![text("C")]),
        ],
        &options,
    );
    let toc = html.split("</nav>").next().unwrap();
    assert_eq!(
        toc,
        "<nav class=\"toc\" aria-label=\"Contents\">\n<ol>\n\
         <li><a href=\"#a\">A</a>\n<ol>\n\
         <li><a href=\"#b\">B</a></li>\n<li><a href=\"#c\">C</a></li>\n</ol>\n</li>\n</ol>\n"
    );
}

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
fn unsafe_attributes_are_dropped_with_a_warning() {
    let block: Block = BlockKind::Heading {
        level: 2,
        attr: bindery_model::Attr {
            id: "x".into(),
            classes: vec!["big".into()],
            attrs: vec![
                ("data-n".into(), "1".into()),
                ("onclick".into(), "alert(1)".into()),
                ("a\"b".into(), "c".into()),
            ],
        },
        content: vec![text("X")],
    }
    .into();
    let warned = render(
        &doc(vec![block]),
        &Assets::new(),
        resources(),
        &fragment_options(),
    );
    assert_eq!(
        warned.output,
        "<h2 id=\"x\" class=\"big\" data-n=\"1\">X</h2>\n"
    );
    assert_eq!(warned.warnings.len(), 2);
}

#[test]
fn deep_documents_render_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut block = para(vec![text("deep")]);
            for _ in 0..10_000 {
                block = block_quote(vec![block]);
            }
            let mut document = doc(vec![block]);
            bindery_model::limit_depth(&mut document);
            let html = render(&document, &Assets::new(), resources(), &fragment_options()).output;
            assert_eq!(
                html.matches("<blockquote>").count(),
                bindery_model::MAX_DEPTH
            );
        })
        .unwrap()
        .join()
        .unwrap();
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
