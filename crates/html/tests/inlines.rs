//! Exact HTML for inline constructs: text, emphasis, links, images, math, raw and notes.

mod common;

use bindery_model::build::*;
use bindery_model::{BlockKind, Inline, Target};

use crate::common::fragment;

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
fn links_images_math_and_raw() {
    let html = fragment(vec![para(vec![
        Inline::Link {
            target: Target {
                url: "https://example.com/a b?x=1&y=2".into(),
                title: "The \"title\"".into(),
                span: None,
                attr: None,
            },
            content: vec![text("link")],
            autolink: false,
        },
        text(" "),
        Inline::Image {
            target: Target {
                url: "img/ä.png".into(),
                title: String::new(),
                span: None,
                attr: None,
            },
            alt: vec![text("an "), emph(vec![text("alt")])],
        },
        text(" "),
        Inline::Math {
            display: false,
            tex: "a<b".into(),
            span: None,
        },
        Inline::Math {
            display: true,
            tex: "x^2".into(),
            span: None,
        },
        Inline::Raw {
            format: "html".into(),
            text: "<kbd>K</kbd>".into(),
            span: None,
        },
        Inline::Raw {
            format: "latex".into(),
            text: "\\LaTeX".into(),
            span: None,
        },
    ])]);
    assert_eq!(
        html,
        "<p><a href=\"https://example.com/a%20b?x=1&amp;y=2\" title=\"The &quot;title&quot;\">link</a> \
         <img src=\"img/%C3%A4.png\" alt=\"an alt\"> \
         <math><semantics><mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow>\
         <annotation encoding=\"application/x-tex\">a&lt;b</annotation></semantics></math>\
         <math display=\"block\"><semantics><msup><mi>x</mi><mn>2</mn></msup>\
         <annotation encoding=\"application/x-tex\">x^2</annotation></semantics></math>\
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
