//! Each Markdown construct becomes the expected model (spans stripped).

mod common;

use bindery_model::build::*;
use bindery_model::{
    AlertKind, Alignment, Block, BlockKind, DefinitionItem, Inline, ListDelim, ListItem, Span,
    Table, Target,
};
use common::{blocks, commonmark_blocks, read, strip};

fn autolink(url: &str, label: &str) -> Inline {
    Inline::Link {
        target: Target {
            url: url.into(),
            title: String::new(),
            span: None,
            attr: None,
        },
        content: vec![text(label)],
        autolink: true,
    }
}

fn item(checked: Option<bool>, blocks: Vec<Block>) -> ListItem {
    ListItem { checked, blocks }
}

#[test]
fn paragraphs_emphasis_code_and_breaks() {
    assert_eq!(
        blocks("a *b* **c** `d`\ne  \nf\\\ng ~~h~~"),
        vec![para(vec![
            text("a "),
            emph(vec![text("b")]),
            text(" "),
            strong(vec![text("c")]),
            text(" "),
            code("d"),
            Inline::SoftBreak,
            text("e"),
            Inline::LineBreak,
            text("f"),
            Inline::LineBreak,
            text("g "),
            Inline::Strikeout(vec![text("h")]),
        ])]
    );
}

#[test]
fn headings_get_ids_and_keep_their_place() {
    assert_eq!(
        blocks("# Hello, *World*!\n\nSetext\n------\n"),
        vec![
            heading(
                1,
                "hello-world",
                vec![text("Hello, "), emph(vec![text("World")]), text("!")]
            ),
            heading(2, "setext", vec![text("Setext")]),
        ]
    );
}

#[test]
fn tight_lists_hold_plain_and_loose_lists_hold_para() {
    assert_eq!(
        blocks("- a\n- b\n"),
        vec![bullet_list(vec![
            vec![plain(vec![text("a")])],
            vec![plain(vec![text("b")])]
        ])]
    );
    assert_eq!(
        blocks("- a\n\n- b\n"),
        vec![bullet_list(vec![
            vec![para(vec![text("a")])],
            vec![para(vec![text("b")])]
        ])]
    );
}

#[test]
fn ordered_lists_keep_start_and_delimiter() {
    assert_eq!(
        blocks("3) three\n4) four\n"),
        vec![
            BlockKind::OrderedList {
                start: 3,
                delim: ListDelim::Paren,
                items: vec![
                    item(None, vec![plain(vec![text("three")])]),
                    item(None, vec![plain(vec![text("four")])]),
                ],
            }
            .into()
        ]
    );
    assert!(matches!(
        &blocks("1. x\n")[0].kind,
        BlockKind::OrderedList {
            start: 1,
            delim: ListDelim::Period,
            ..
        }
    ));
}

#[test]
fn task_items_are_checked_or_not() {
    assert_eq!(
        blocks("- [x] done\n- [ ] todo\n- plain\n"),
        vec![
            BlockKind::BulletList(vec![
                item(Some(true), vec![plain(vec![text("done")])]),
                item(Some(false), vec![plain(vec![text("todo")])]),
                item(None, vec![plain(vec![text("plain")])]),
            ])
            .into()
        ]
    );
}

#[test]
fn code_blocks_keep_language_and_info() {
    assert_eq!(
        blocks("```rust ignore extra\nfn main() {}\n```\n\n    indented\n"),
        vec![
            BlockKind::CodeBlock {
                lang: Some("rust".into()),
                info: "rust ignore extra".into(),
                text: "fn main() {}\n".into(),
                attr: None,
            }
            .into(),
            code_block(None, "indented\n"),
        ]
    );
}

#[test]
fn raw_html_is_kept_as_raw() {
    assert_eq!(
        blocks("<div>\nx\n</div>\n\na <b>b</b>\n"),
        vec![
            BlockKind::RawBlock {
                format: "html".into(),
                text: "<div>\nx\n</div>\n".into(),
            }
            .into(),
            para(vec![
                text("a "),
                Inline::Raw {
                    format: "html".into(),
                    text: "<b>".into(),
                    span: None,
                },
                text("b"),
                Inline::Raw {
                    format: "html".into(),
                    text: "</b>".into(),
                    span: None,
                },
            ]),
        ]
    );
}

#[test]
fn entities_are_decoded() {
    assert_eq!(
        blocks("&amp; &copy; &#65;"),
        vec![para(vec![text("& © A")])]
    );
}

#[test]
fn quotes_and_thematic_breaks() {
    assert_eq!(
        blocks("> quoted\n\n---\n"),
        vec![
            block_quote(vec![para(vec![text("quoted")])]),
            BlockKind::ThematicBreak.into()
        ]
    );
}

#[test]
fn footnotes_are_placed_at_each_reference() {
    let note = || {
        Inline::Note(vec![para(vec![
            text("The "),
            emph(vec![text("note")]),
            text("."),
        ])])
    };
    let doc = read("One[^n] and two[^n].\n\n[^n]: The *note*.\n");
    assert_eq!(
        strip(doc.output.blocks),
        vec![para(vec![
            text("One"),
            note(),
            text(" and two"),
            note(),
            text(".")
        ])]
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn unreferenced_footnotes_are_dropped_with_a_warning() {
    let doc = read("Text.\n\n[^unused]: Never cited.\n");
    assert_eq!(strip(doc.output.blocks), vec![para(vec![text("Text.")])]);
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
    assert!(doc.warnings[0].message.contains("[^unused]"));
    assert_eq!(doc.warnings[0].span.map(|s| s.line), Some(3));
}

#[test]
fn a_footnote_citing_itself_does_not_loop() {
    let doc = read("A[^a].\n\n[^a]: See[^a].\n");
    assert_eq!(
        strip(doc.output.blocks),
        vec![para(vec![
            text("A"),
            Inline::Note(vec![para(vec![text("See[^a].")])]),
            text(".")
        ])]
    );
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.message.contains("cites itself"))
    );
}

#[test]
fn footnotes_citing_each_other_cannot_blow_up() {
    // Each note cites the next fifty times: copying every citation would take 50^4 notes.
    let mut source = String::from("Start[^n0].\n\n");
    for i in 0..5 {
        let citations = format!("[^n{}] ", i + 1).repeat(50);
        source.push_str(&format!("[^n{i}]: x {citations}\n\n"));
    }
    source.push_str("[^n5]: end\n");
    let doc = read(&source);
    assert!(
        doc.warnings.iter().any(|w| w.message.contains("too often")),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn alerts_keep_kind_and_custom_title() {
    assert_eq!(
        blocks("> [!TIP]\n> Use it.\n\n> [!CAUTION] Hot stuff\n> Careful.\n"),
        vec![
            BlockKind::Alert {
                kind: AlertKind::Tip,
                title: None,
                blocks: vec![para(vec![text("Use it.")])],
            }
            .into(),
            BlockKind::Alert {
                kind: AlertKind::Caution,
                title: Some("Hot stuff".into()),
                blocks: vec![para(vec![text("Careful.")])],
            }
            .into(),
        ]
    );
}

#[test]
fn description_lists_become_definition_lists() {
    assert_eq!(
        blocks("Apple\n\n: A *fruit*.\n\nPear\n\n: Another.\n"),
        vec![
            BlockKind::DefinitionList(vec![
                DefinitionItem {
                    term: vec![text("Apple")],
                    definitions: vec![vec![para(vec![
                        text("A "),
                        emph(vec![text("fruit")]),
                        text(".")
                    ])]],
                },
                DefinitionItem {
                    term: vec![text("Pear")],
                    definitions: vec![vec![para(vec![text("Another.")])]],
                },
            ])
            .into()
        ]
    );
}

#[test]
fn tables_keep_alignment_head_and_rows() {
    assert_eq!(
        blocks("| a | b | c | d |\n|---|:--|:-:|--:|\n| 1 | *2* | `3` | |\n"),
        vec![
            BlockKind::Table(Table {
                aligns: vec![
                    Alignment::Default,
                    Alignment::Left,
                    Alignment::Center,
                    Alignment::Right
                ],
                head: vec![
                    vec![text("a")],
                    vec![text("b")],
                    vec![text("c")],
                    vec![text("d")]
                ],
                rows: vec![vec![
                    vec![text("1")],
                    vec![emph(vec![text("2")])],
                    vec![code("3")],
                    vec![]
                ]],
                ..Table::default()
            })
            .into()
        ]
    );
}

#[test]
fn math_inline_and_display() {
    assert_eq!(
        blocks("Euler: $e^{i\\pi}+1=0$ and $$\\int f$$"),
        vec![para(vec![
            text("Euler: "),
            Inline::Math {
                display: false,
                tex: "e^{i\\pi}+1=0".into(),
                span: None,
            },
            text(" and "),
            Inline::Math {
                display: true,
                tex: "\\int f".into(),
                span: None,
            },
        ])]
    );
}

#[test]
fn prices_stay_text() {
    for source in [
        "it costs $5 and $10",
        "between $5 and $10.",
        "$5-$10 a day",
        "from $5/$6",
        "pay $ 5 or 6 $",
    ] {
        assert_eq!(blocks(source), vec![para(vec![text(source)])], "{source}");
    }
}

#[test]
fn images_keep_alt_as_inlines() {
    assert_eq!(
        blocks("See ![a *b*](pic.png \"T\")"),
        vec![para(vec![
            text("See "),
            Inline::Image {
                target: Target {
                    url: "pic.png".into(),
                    title: "T".into(),
                    span: None,
                    attr: None,
                },
                alt: vec![text("a "), emph(vec![text("b")])],
            }
        ])]
    );
}

/// An image alone in its paragraph is a figure when it has a title (the caption); without
/// one it stays an image, as GitHub and mdBook show it.
#[test]
fn a_lone_image_with_a_title_is_a_figure() {
    let image = |title: &str| Inline::Image {
        target: Target {
            url: "pic.png".into(),
            title: title.into(),
            span: None,
            attr: None,
        },
        alt: vec![text("alt")],
    };
    assert_eq!(
        blocks("![alt](pic.png \"The caption\")"),
        vec![Block::from(BlockKind::Figure {
            attr: Default::default(),
            blocks: vec![Block::from(BlockKind::Plain(vec![image("")]))],
            caption: vec![text("The caption")],
        })]
    );
    assert_eq!(blocks("![alt](pic.png)"), vec![para(vec![image("")])]);
}

#[test]
fn links_inline_and_by_reference() {
    assert_eq!(
        blocks("[a](/x \"t\") and [b][ref]\n\n[ref]: https://example.org\n"),
        vec![para(vec![
            Inline::Link {
                target: Target {
                    url: "/x".into(),
                    title: "t".into(),
                    span: None,
                    attr: None,
                },
                content: vec![text("a")],
                autolink: false,
            },
            text(" and "),
            link("https://example.org", vec![text("b")]),
        ])]
    );
}

#[test]
fn autolinks_of_every_kind() {
    assert_eq!(
        blocks("<https://a.example> https://b.example www.c.example d@e.example <f@g.example>"),
        vec![para(vec![
            autolink("https://a.example", "https://a.example"),
            text(" "),
            autolink("https://b.example", "https://b.example"),
            text(" "),
            autolink("http://www.c.example", "www.c.example"),
            text(" "),
            autolink("mailto:d@e.example", "d@e.example"),
            text(" "),
            autolink("mailto:f@g.example", "f@g.example"),
        ])]
    );
}

/// comrak runs a bare URL to the next space; GitHub ends it before a footnote reference and
/// drops the unbalanced `)` before that, which is how scraped articles cite their sources.
#[test]
fn a_footnote_reference_ends_a_bare_url() {
    let note = |s: &str| Inline::Note(vec![para(vec![text(s)])]);
    let doc = read(
        "See (https://a.example/x)[^1], www.b.example/y.[^2][^1]z and https://c.example[^none].\n\n\
         [^1]: One.\n[^2]: Two.\n",
    );
    assert_eq!(
        strip(doc.output.blocks),
        vec![para(vec![
            text("See ("),
            autolink("https://a.example/x", "https://a.example/x"),
            text(")"),
            note("One."),
            text(", "),
            autolink("http://www.b.example/y", "www.b.example/y"),
            text("."),
            note("Two."),
            note("One."),
            text("z and "),
            autolink("https://c.example[^none]", "https://c.example[^none]"),
            text("."),
        ])]
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn a_footnote_reference_inside_an_angle_autolink_stays_in_the_url() {
    let doc = read("<https://a.example/x[^1]> and https://[^1]\n\n[^1]: One.\n");
    assert_eq!(
        strip(doc.output.blocks),
        vec![para(vec![
            autolink("https://a.example/x[^1]", "https://a.example/x[^1]"),
            text(" and https://"),
            Inline::Note(vec![para(vec![text("One.")])]),
        ])]
    );
}

#[test]
fn adjacent_text_is_merged() {
    // comrak splits text at brackets, escapes and entities; the model has one run.
    assert_eq!(
        blocks("a [b] \\* c &amp; (d) [e"),
        vec![para(vec![text("a [b] * c & (d) [e")])]
    );
}

#[test]
fn commonmark_dialect_has_no_extensions() {
    assert_eq!(
        commonmark_blocks("# Head\n\n~~x~~ https://a.example $y$ [^1]\n\n| a |\n|---|\n"),
        vec![
            heading(1, "", vec![text("Head")]),
            para(vec![text("~~x~~ https://a.example $y$ [^1]")]),
            para(vec![text("| a |"), Inline::SoftBreak, text("|---|")]),
        ]
    );
    // No front matter either: the dashes are a thematic break and a setext heading.
    let blocks = commonmark_blocks("---\ntitle: x\n---\n");
    assert_eq!(blocks[0], BlockKind::ThematicBreak.into());
    assert!(matches!(
        blocks[1].kind,
        BlockKind::Heading { level: 2, .. }
    ));
}

#[test]
fn every_block_has_a_span() {
    let doc = read("# H\n\n- a\n\n  b\n> q\n\n| x |\n|---|\n| 1 |\n").output;
    assert_eq!(
        doc.blocks[0].span,
        Some(Span {
            line: 1,
            col: 1,
            end_line: 1,
            end_col: 3
        })
    );
    fn check(blocks: &[Block]) {
        for block in blocks {
            assert!(block.span.is_some(), "{block:?}");
            let mut block = block.clone();
            block.for_each_child_blocks_mut(&mut |children| check(children));
        }
    }
    check(&doc.blocks);
    assert_eq!(
        doc.blocks[1].span.map(|s| (s.line, s.end_line)),
        Some((3, 5))
    );
    // comrak ends a description list at column 0 of the next line; the span ends on its own.
    let doc = read("Term\n\n: def\n\nafter\n").output;
    let span = doc.blocks[0].span.expect("a span");
    assert_eq!(
        (span.line, span.col, span.end_line, span.end_col),
        (1, 1, 3, 5)
    );
}

#[test]
fn warnings_come_in_source_order() {
    let doc = read("[a](javascript:x)\n\n[^early]: unused\n\n[b](vbscript:y)\n");
    let lines: Vec<u32> = doc
        .warnings
        .iter()
        .filter_map(|w| w.span.map(|s| s.line))
        .collect();
    assert_eq!(lines, [1, 3, 5], "{:?}", doc.warnings);
}

#[test]
fn footnotes_nest_at_most_four_deep() {
    let doc =
        read("A[^1]\n\n[^1]: B[^2]\n\n[^2]: C[^3]\n\n[^3]: D[^4]\n\n[^4]: E[^5]\n\n[^5]: F\n");
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.message.contains("[^5] is cited inside 4 levels")),
        "{:?}",
        doc.warnings
    );
    let mut depth = 0;
    let mut blocks = doc.output.blocks;
    loop {
        let BlockKind::Para(content) = &blocks[0].kind else {
            panic!("a paragraph")
        };
        match content.iter().find_map(|i| match i {
            Inline::Note(inner) => Some(inner.clone()),
            Inline::Text(_)
            | Inline::SoftBreak
            | Inline::LineBreak
            | Inline::Emph(_)
            | Inline::Strong(_)
            | Inline::Strikeout(_)
            | Inline::Subscript(_)
            | Inline::Superscript(_)
            | Inline::Mark(_)
            | Inline::Underline(_)
            | Inline::Keyboard(_)
            | Inline::Span { .. }
            | Inline::Code(_)
            | Inline::Link { .. }
            | Inline::Image { .. }
            | Inline::Raw { .. }
            | Inline::Math { .. } => None,
        }) {
            Some(inner) => {
                depth += 1;
                blocks = inner;
            }
            None => {
                assert_eq!(content, &vec![text("E[^5]")]);
                break;
            }
        }
    }
    assert_eq!(depth, 4);
}

#[test]
fn fenced_code_attributes_are_read_as_pandoc_writes_them() {
    let attr_of = |markdown: &str| match &blocks(markdown)[0].kind {
        BlockKind::CodeBlock { lang, attr, .. } => (lang.clone(), attr.as_deref().cloned()),
        other => panic!("{other:?}"),
    };
    let (lang, attr) = attr_of("```rust {#main .numberLines data-start=10}\nfn main() {}\n```\n");
    assert_eq!(lang.as_deref(), Some("rust"));
    let attr = attr.unwrap();
    assert_eq!(attr.id, "main");
    assert_eq!(attr.classes, ["numberLines"]);
    assert_eq!(attr.attrs, [("data-start".to_string(), "10".to_string())]);
    // The first class is the language when no word comes before the braces.
    let (lang, attr) = attr_of("```{.python #snake}\npass\n```\n");
    assert_eq!(lang.as_deref(), Some("python"));
    assert_eq!(attr.unwrap().classes, Vec::<String>::new());
    // Braces that are not attributes leave the info string alone.
    let (lang, attr) = attr_of("```text {not attributes}\nx\n```\n");
    assert_eq!((lang.as_deref(), attr), (Some("text"), None));
}
