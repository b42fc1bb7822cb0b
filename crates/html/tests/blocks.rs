//! Exact HTML for block constructs: headings, code, tables, lists, quotes, alerts, TOC.

mod common;

use bindery_html::{Options, render};
use bindery_model::build::*;
use bindery_model::{
    Alignment, Assets, Block, BlockKind, DefinitionItem, Inline, ListDelim, ListItem, Table,
};

use crate::common::{doc, fragment, fragment_options, resources, with};

fn task(checked: bool, text_: &str) -> ListItem {
    ListItem {
        checked: Some(checked),
        blocks: vec![plain(vec![text(text_)])],
    }
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

/// Code blocks are highlighted once the page is written and spliced back: each lands where it
/// was written (in lists, notes, between other blocks), unknown languages stay plain, and the
/// page is the same whether the blocks were highlighted ahead or not.
#[test]
fn highlighted_code_lands_in_place_whether_or_not_prepared_ahead() {
    let langs = ["rust", "python", "no-such-lang", "sql", "c"];
    let mut blocks = Vec::new();
    for i in 0..40 {
        let lang = langs[i % langs.len()];
        let code = format!("x{i} = {i} < 1\n");
        blocks.push(para(vec![text(format!("before {i}"))]));
        match i % 3 {
            0 => blocks.push(code_block(Some(lang), code)),
            1 => blocks.push(bullet_list(vec![vec![code_block(Some(lang), code)]])),
            _ => blocks.push(para(vec![
                text("note"),
                Inline::Note(vec![code_block(Some(lang), code)]),
            ])),
        }
    }
    let highlighting = Options {
        highlight: true,
        ..fragment_options()
    };
    let html = with(blocks.clone(), &highlighting);
    // Highlighted ahead (as the pipeline does for a large document), the page is the same,
    // and every block the writer highlights was among those prepared.
    let warm = bindery_html::Resources::new();
    let document = doc(blocks.clone());
    let ahead = bindery_html::code_to_highlight(&document, &warm, &highlighting);
    assert_eq!(
        ahead.len(),
        40 - 40 / langs.len(),
        "all but the unknown language"
    );
    for (lang, code) in &ahead {
        warm.prepare(lang, code);
    }
    assert_eq!(
        render(&document, &Assets::new(), &warm, &highlighting).output,
        html
    );
    // Every block is where a page holding it alone has it: whole, once, and highlighted
    // unless its language is unknown.
    let notes = html.find("<section class=\"footnotes\"").unwrap();
    for i in 0..40 {
        let lang = langs[i % langs.len()];
        let alone = with(
            vec![code_block(Some(lang), format!("x{i} = {i} < 1\n"))],
            &highlighting,
        );
        assert_eq!(html.matches(&alone).count(), 1, "block {i}: {alone}");
        assert_eq!(alone.contains("<span"), lang != "no-such-lang", "{alone}");
        let at = html.find(&alone).unwrap();
        assert_eq!(
            at > notes,
            i % 3 == 2,
            "block {i} in the notes iff written in one"
        );
    }
    // The paragraphs stayed in order around them.
    let positions: Vec<usize> = (0..40)
        .map(|i| html.find(&format!("before {i}<")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn table_alignment_is_a_style_not_the_align_attribute() {
    let table = Table {
        aligns: vec![Alignment::Left, Alignment::Center, Alignment::Default],
        head: vec![vec![text("a")], vec![text("b")], vec![text("c")]],
        rows: vec![vec![vec![text("1")], vec![text("2")], vec![text("3")]]],
        ..Table::default()
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

#[test]
fn unsafe_attributes_never_reach_the_page() {
    // The writer emits what the model holds; the model's `sanitize` (which every reader
    // applies) is what drops attributes, so this test renders what a reader would give.
    let block: Block = BlockKind::Heading {
        level: 2,
        attr: bindery_model::Attr {
            id: "fn-1".into(),
            classes: vec!["big".into()],
            attrs: vec![
                ("data-n".into(), "1".into()),
                ("onclick".into(), "alert(1)".into()),
                ("a\"b".into(), "c".into()),
                ("style".into(), "background:url(https://evil/x.png)".into()),
                ("title".into(), "first".into()),
                ("title".into(), "second".into()),
            ],
        },
        content: vec![text("X"), Inline::Note(vec![para(vec![text("n")])])],
    }
    .into();
    let mut document = doc(vec![block]);
    let warnings = bindery_model::sanitize(&mut document);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let warned = render(&document, &Assets::new(), resources(), &fragment_options());
    let html = warned.output;
    assert!(
        html.starts_with(
            "<h2 id=\"fn-1-1\" class=\"big\" data-n=\"1\" title=\"first\">X<sup class=\"footnote-ref\">\
             <a href=\"#fn-1\" id=\"fnref-1\""
        ),
        "{html}"
    );
    assert_eq!(html.matches("id=\"fn-1\"").count(), 1, "{html}");
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
