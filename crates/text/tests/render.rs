//! The plain-text writer through its public entry, with exact expected strings.

use bindery_model::build::*;
use bindery_model::{
    AlertKind, Alignment, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim, ListItem,
    Metadata, Table, Target,
};
use bindery_text::{Options, render};

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        meta: Metadata::default(),
        blocks,
    }
}

fn text_at(columns: usize, blocks: Vec<Block>) -> String {
    let warned = render(&doc(blocks), &Options { columns });
    assert!(warned.warnings.is_empty(), "{:?}", warned.warnings);
    warned.output
}

fn ordered(start: u64, delim: ListDelim, items: Vec<Vec<Block>>) -> Block {
    BlockKind::OrderedList {
        start,
        delim,
        items: items
            .into_iter()
            .map(|blocks| ListItem {
                checked: None,
                blocks,
            })
            .collect(),
    }
    .into()
}

fn autolink(url: &str, shown: &str) -> Inline {
    Inline::Link {
        target: Target {
            url: url.into(),
            title: String::new(),
        },
        content: vec![text(shown)],
        autolink: true,
    }
}

fn note(blocks: Vec<Block>) -> Inline {
    Inline::Note(blocks)
}

#[test]
fn default_is_72_columns() {
    assert_eq!(Options::default().columns, 72);
}

#[test]
fn paragraph_wraps_at_columns() {
    let out = text_at(
        20,
        vec![para(vec![text(
            "The quick brown fox jumps over the lazy dog.",
        )])],
    );
    assert_eq!(out, "The quick brown fox\njumps over the lazy\ndog.\n");
}

#[test]
fn columns_zero_puts_each_paragraph_on_one_line() {
    let long = "word ".repeat(40);
    let out = text_at(0, vec![para(vec![text(&long)]), para(vec![text("second")])]);
    assert_eq!(out, format!("{}\n\nsecond\n", long.trim_end()));
}

#[test]
fn soft_breaks_are_spaces_and_hard_breaks_are_newlines() {
    let out = text_at(
        30,
        vec![para(vec![
            text("one"),
            Inline::SoftBreak,
            text("two"),
            Inline::LineBreak,
            text("three"),
        ])],
    );
    assert_eq!(out, "one two\nthree\n");
}

#[test]
fn emphasis_is_plain_strikeout_keeps_tildes_code_keeps_backticks() {
    let out = text_at(
        40,
        vec![para(vec![
            emph(vec![text("soft")]),
            text(" "),
            strong(vec![text("loud")]),
            text(" "),
            Inline::Strikeout(vec![text("gone")]),
            text(" "),
            code("x = 1"),
            text(" "),
            Inline::Math {
                display: false,
                tex: "e^{i\\pi}".into(),
            },
        ])],
    );
    assert_eq!(out, "soft loud ~~gone~~ `x = 1` $e^{i\\pi}$\n");
}

#[test]
fn japanese_wraps_by_display_width() {
    // Each character is two columns wide: five fit in ten columns.
    let out = text_at(
        10,
        vec![para(vec![text("吾輩は猫である。名前はまだ無い。")])],
    );
    assert_eq!(out, "吾輩は猫で\nある。名前\nはまだ無\nい。\n");
    for line in out.lines() {
        assert!(unicode_width(line) <= 10, "{line:?}");
    }
}

fn unicode_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[test]
fn a_url_longer_than_the_line_stays_whole() {
    let url = "https://example.com/a/very/long/path/that/does/not/fit";
    let out = text_at(
        20,
        vec![para(vec![
            text("see "),
            autolink(url, url),
            text(" for more."),
        ])],
    );
    assert_eq!(out, format!("see\n{url}\nfor more.\n"));
}

#[test]
fn a_word_longer_than_the_line_gets_its_own_line() {
    let out = text_at(10, vec![para(vec![text("a supercalifragilistic word")])]);
    assert_eq!(out, "a\nsupercalifragilistic\nword\n");
}

#[test]
fn headings_underline_to_display_width() {
    let out = text_at(
        30,
        vec![
            heading(1, "a", vec![text("Café 日本")]),
            heading(2, "b", vec![text("Two")]),
            heading(3, "c", vec![text("Three")]),
            heading(6, "d", vec![text("Six")]),
            para(vec![text("body")]),
        ],
    );
    assert_eq!(
        out,
        "Café 日本\n=========\n\nTwo\n---\n\n### Three\n\n###### Six\n\nbody\n"
    );
}

#[test]
fn title_block_from_metadata_without_repeating_the_first_heading() {
    let document = Document {
        meta: Metadata {
            title: Some("On Binding".into()),
            subtitle: Some("A short guide".into()),
            authors: vec!["Ada".into(), "Grace".into()],
            date: Some("2024-05-01".into()),
            ..Metadata::default()
        },
        blocks: vec![
            heading(1, "on-binding", vec![text("On Binding")]),
            para(vec![text("Text.")]),
        ],
    };
    let out = render(&document, &Options::default()).output;
    assert_eq!(
        out,
        "On Binding\n==========\nA short guide\nAda, Grace\n2024-05-01\n\nText.\n"
    );
}

#[test]
fn a_first_heading_different_from_the_title_is_kept() {
    let document = Document {
        meta: Metadata {
            title: Some("Book".into()),
            ..Metadata::default()
        },
        blocks: vec![heading(1, "intro", vec![text("Introduction")])],
    };
    let out = render(&document, &Options::default()).output;
    assert_eq!(out, "Book\n====\n\nIntroduction\n============\n");
}

#[test]
fn links_are_numbered_in_order_and_reused() {
    let out = text_at(
        30,
        vec![para(vec![
            link("https://a.example", vec![text("first")]),
            text(", "),
            link("https://b.example", vec![text("second")]),
            text(", "),
            link("https://a.example", vec![text("again")]),
            text("."),
        ])],
    );
    assert_eq!(
        out,
        "first [1], second [2],\nagain [1].\n\nLinks\n-----\n\n[1] https://a.example\n[2] https://b.example\n"
    );
}

#[test]
fn a_link_number_never_starts_a_line() {
    let out = text_at(
        12,
        vec![para(vec![
            text("go "),
            link("https://a.example", vec![text("there")]),
        ])],
    );
    assert_eq!(
        out,
        "go there [1]\n\nLinks\n-----\n\n[1] https://a.example\n"
    );
    let out = text_at(
        10,
        vec![para(vec![
            text("go "),
            link("https://a.example", vec![text("there")]),
        ])],
    );
    assert!(out.starts_with("go\nthere [1]\n"), "{out}");
}

#[test]
fn autolinks_and_url_text_are_written_once_without_number() {
    let out = text_at(
        72,
        vec![para(vec![
            autolink("https://x.example/", "https://x.example/"),
            text(" "),
            link("https://y.example/", vec![text("https://y.example/")]),
            text(" "),
            autolink("mailto:ada@example.com", "ada@example.com"),
            text(" "),
            link(
                "mailto:grace@example.com",
                vec![text("mailto:grace@example.com")],
            ),
            text(" "),
            autolink("http://www.example.com", "www.example.com"),
        ])],
    );
    assert_eq!(
        out,
        "https://x.example/ https://y.example/ ada@example.com grace@example.com\nwww.example.com\n"
    );
}

#[test]
fn internal_links_are_their_text() {
    let out = text_at(
        72,
        vec![para(vec![
            text("see "),
            link("#setup", vec![text("Setup")]),
        ])],
    );
    assert_eq!(out, "see Setup\n");
}

#[test]
fn images_show_alt_and_remote_ones_get_a_number() {
    let out = text_at(
        72,
        vec![para(vec![
            image("local.png", vec![text("a cat")]),
            text(" "),
            image("https://img.example/dog.png", vec![text("a dog")]),
            text(" "),
            image("blank.png", vec![]),
        ])],
    );
    assert_eq!(
        out,
        "[image: a cat] [image: a dog] [1] [image]\n\nLinks\n-----\n\n[1] https://img.example/dog.png\n"
    );
}

#[test]
fn footnotes_get_caret_markers_and_a_notes_section_before_links() {
    let out = text_at(
        30,
        vec![para(vec![
            text("Claim"),
            note(vec![para(vec![
                text("Source: "),
                link("https://src.example", vec![text("the paper")]),
                text(", which says a great deal more."),
            ])]),
            text(" and "),
            link("https://other.example", vec![text("more")]),
            text("."),
        ])],
    );
    assert_eq!(
        out,
        "Claim[^1] and more [1].\n\
         \n\
         Notes\n\
         -----\n\
         \n\
         [^1] Source: the paper [2],\n     \
         which says a great deal\n     \
         more.\n\
         \n\
         Links\n\
         -----\n\
         \n\
         [1] https://other.example\n\
         [2] https://src.example\n"
    );
}

#[test]
fn notes_inside_notes_are_numbered_after() {
    let out = text_at(
        40,
        vec![para(vec![
            text("a"),
            note(vec![para(vec![
                text("first"),
                note(vec![para(vec![text("inner")])]),
            ])]),
            text(" b"),
            note(vec![para(vec![text("second")])]),
        ])],
    );
    assert_eq!(
        out,
        "a[^1] b[^2]\n\nNotes\n-----\n\n[^1] first[^3]\n\n[^2] second\n\n[^3] inner\n"
    );
}

#[test]
fn tight_bullet_list_with_nested_list_and_hanging_indent() {
    let out = text_at(
        20,
        vec![bullet_list(vec![
            vec![
                plain(vec![text("first item that wraps around")]),
                bullet_list(vec![vec![plain(vec![text("nested item wrapping too")])]]),
            ],
            vec![plain(vec![text("second")])],
        ])],
    );
    assert_eq!(
        out,
        "- first item that\n  wraps around\n  - nested item\n    wrapping too\n- second\n"
    );
}

#[test]
fn loose_list_separates_items_with_blank_lines() {
    let out = text_at(
        30,
        vec![bullet_list(vec![
            vec![para(vec![text("one")]), para(vec![text("more")])],
            vec![para(vec![text("two")])],
        ])],
    );
    assert_eq!(out, "- one\n\n  more\n\n- two\n");
}

#[test]
fn ordered_lists_respect_start_and_delimiter_and_align_numbers() {
    let items: Vec<Vec<Block>> = (0..3)
        .map(|i| vec![plain(vec![text(format!("item {i} has words"))])])
        .collect();
    let out = text_at(16, vec![ordered(9, ListDelim::Paren, items)]);
    assert_eq!(
        out,
        " 9) item 0 has\n    words\n10) item 1 has\n    words\n11) item 2 has\n    words\n"
    );
}

#[test]
fn ordered_list_start_near_the_top_of_u64_does_not_overflow() {
    let out = text_at(
        72,
        vec![ordered(
            u64::MAX,
            ListDelim::Period,
            vec![vec![plain(vec![text("a")])], vec![plain(vec![text("b")])]],
        )],
    );
    assert_eq!(out, "18446744073709551615. a\n18446744073709551616. b\n");
}

#[test]
fn task_items_hang_under_their_text() {
    let list = BlockKind::BulletList(vec![
        ListItem {
            checked: Some(true),
            blocks: vec![plain(vec![text("done and dusted long ago")])],
        },
        ListItem {
            checked: Some(false),
            blocks: vec![plain(vec![text("todo")])],
        },
    ]);
    let out = text_at(20, vec![list.into()]);
    assert_eq!(
        out,
        "- [x] done and\n      dusted long\n      ago\n- [ ] todo\n"
    );
}

#[test]
fn quotes_prefix_every_line_and_wrap_inside_the_prefix() {
    let out = text_at(
        20,
        vec![block_quote(vec![
            para(vec![text("a quoted paragraph that wraps")]),
            block_quote(vec![para(vec![text("nested quote here")])]),
        ])],
    );
    assert_eq!(
        out,
        "> a quoted paragraph\n> that wraps\n>\n> > nested quote\n> > here\n"
    );
}

#[test]
fn alerts_are_quotes_with_a_title_line() {
    let alert = |title: Option<&str>| -> Block {
        BlockKind::Alert {
            kind: AlertKind::Warning,
            title: title.map(String::from),
            blocks: vec![para(vec![text("Mind the gap.")])],
        }
        .into()
    };
    assert_eq!(
        text_at(30, vec![alert(None)]),
        "> Warning:\n> Mind the gap.\n"
    );
    assert_eq!(
        text_at(30, vec![alert(Some("Careful"))]),
        "> Careful:\n> Mind the gap.\n"
    );
}

#[test]
fn code_blocks_are_indented_verbatim_and_never_wrapped() {
    let code = "fn main() {\n\tprintln!(\"a very long line that goes past twenty\");\n\n}\n";
    let out = text_at(
        20,
        vec![para(vec![text("Code:")]), code_block(Some("rust"), code)],
    );
    assert_eq!(
        out,
        "Code:\n\n    fn main() {\n    \tprintln!(\"a very long line that goes past twenty\");\n\n    }\n"
    );
}

#[test]
fn code_in_a_list_item_is_indented_under_the_item() {
    let out = text_at(
        30,
        vec![bullet_list(vec![vec![
            para(vec![text("run:")]),
            code_block(None, "make\n"),
        ]])],
    );
    assert_eq!(out, "- run:\n\n      make\n");
}

#[test]
fn tables_align_by_display_width() {
    let table = Table {
        aligns: vec![Alignment::Left, Alignment::Center, Alignment::Right],
        head: vec![vec![text("Name")], vec![text("Kind")], vec![text("Qty")]],
        rows: vec![
            vec![vec![text("りんご")], vec![text("果物")], vec![text("3")]],
            vec![
                vec![strong(vec![text("pear")])],
                vec![text("fruit")],
                vec![text("12")],
            ],
        ],
    };
    let out = text_at(20, vec![BlockKind::Table(table).into()]);
    assert_eq!(
        out,
        "Name    Kind   Qty\n\
         ------  -----  ---\n\
         りんご  果物     3\n\
         pear    fruit   12\n"
    );
}

#[test]
fn wide_tables_are_not_broken() {
    let long = "a-cell-that-is-much-wider-than-the-line";
    let table = Table {
        aligns: vec![Alignment::Default, Alignment::Default],
        head: vec![vec![text("h")], vec![text("i")]],
        rows: vec![vec![vec![text(long)], vec![text("x y")]]],
    };
    let out = text_at(20, vec![BlockKind::Table(table).into()]);
    assert_eq!(
        out,
        format!("{:<39}  i\n{}  ---\n{long}  x y\n", "h", "-".repeat(39))
    );
}

#[test]
fn table_cells_number_their_links_and_pad_missing_cells() {
    let table = Table {
        aligns: vec![],
        head: vec![vec![text("a")], vec![text("b")]],
        rows: vec![vec![vec![link("https://t.example", vec![text("t")])]]],
    };
    let out = text_at(20, vec![BlockKind::Table(table).into()]);
    assert_eq!(
        out,
        "a      b\n-----  -\nt [1]\n\nLinks\n-----\n\n[1] https://t.example\n"
    );
}

#[test]
fn definition_lists_indent_definitions() {
    let list = BlockKind::DefinitionList(vec![
        DefinitionItem {
            term: vec![text("Term")],
            definitions: vec![
                vec![para(vec![text("first meaning, wrapped here")])],
                vec![para(vec![text("second")])],
            ],
        },
        DefinitionItem {
            term: vec![text("Other")],
            definitions: vec![vec![plain(vec![text("def")])]],
        },
    ]);
    let out = text_at(20, vec![list.into()]);
    assert_eq!(
        out,
        "Term\n    first meaning,\n    wrapped here\n\n    second\n\nOther\n    def\n"
    );
}

#[test]
fn thematic_break_is_centred() {
    let out = text_at(
        20,
        vec![
            para(vec![text("a")]),
            BlockKind::ThematicBreak.into(),
            para(vec![text("b")]),
        ],
    );
    assert_eq!(out, "a\n\n       * * *\n\nb\n");
    assert_eq!(text_at(0, vec![BlockKind::ThematicBreak.into()]), "* * *\n");
}

#[test]
fn raw_content_is_shown_as_is() {
    let out = text_at(
        30,
        vec![
            BlockKind::RawBlock {
                format: "html".into(),
                text: "<div>\n  kept\n</div>\n".into(),
            }
            .into(),
            para(vec![
                text("x "),
                Inline::Raw {
                    format: "html".into(),
                    text: "<br>".into(),
                },
            ]),
        ],
    );
    assert_eq!(out, "<div>\n  kept\n</div>\n\nx <br>\n");
}

#[test]
fn empty_document_is_empty() {
    assert_eq!(text_at(72, vec![]), "");
    assert_eq!(text_at(72, vec![para(vec![])]), "");
}

#[test]
fn control_characters_are_replaced_with_a_warning() {
    let warned = render(
        &doc(vec![para(vec![text("red \u{1b}[31malert")])]),
        &Options::default(),
    );
    assert_eq!(warned.output, "red \u{fffd}[31malert\n");
    assert_eq!(warned.warnings.len(), 1);
}

#[test]
fn a_code_span_stays_on_one_line_when_it_fits_one() {
    let out = text_at(
        20,
        vec![para(vec![
            text("run "),
            code("cargo build --all"),
            text(" now"),
        ])],
    );
    assert_eq!(out, "run\n`cargo build --all`\nnow\n");
    let out = text_at(12, vec![para(vec![code("cargo build --release")])]);
    assert_eq!(out, "`cargo build\n--release`\n");
}

#[test]
fn a_link_around_an_image_numbers_the_link() {
    let out = text_at(
        72,
        vec![para(vec![link(
            "https://ci.example/build",
            vec![image("badge.svg", vec![text("build passing")])],
        )])],
    );
    assert_eq!(
        out,
        "[image: build passing] [1]\n\nLinks\n-----\n\n[1] https://ci.example/build\n"
    );
}

#[test]
fn a_link_holding_only_a_note_keeps_the_note() {
    let out = text_at(
        72,
        vec![para(vec![
            text("x "),
            link(
                "https://n.example",
                vec![note(vec![para(vec![text("kept")])])],
            ),
        ])],
    );
    assert_eq!(
        out,
        "x [^1] [1]\n\nNotes\n-----\n\n[^1] kept\n\nLinks\n-----\n\n[1] https://n.example\n"
    );
}

#[test]
fn an_empty_note_keeps_its_marker() {
    let out = text_at(72, vec![para(vec![text("a"), note(vec![])])]);
    assert_eq!(out, "a[^1]\n\nNotes\n-----\n\n[^1]\n");
}

#[test]
fn a_link_number_after_a_space_gets_no_second_space() {
    let out = text_at(
        72,
        vec![para(vec![
            link("https://s.example", vec![text("spaced ")]),
            text("on"),
        ])],
    );
    assert_eq!(
        out,
        "spaced [1]on\n\nLinks\n-----\n\n[1] https://s.example\n"
    );
}

#[test]
fn deep_nesting_still_wraps_and_keeps_every_word() {
    let mut block = para(vec![text("deep words here")]);
    for _ in 0..40 {
        block = block_quote(vec![block]);
    }
    let out = text_at(20, vec![block]);
    for word in ["deep", "words", "here"] {
        assert!(out.contains(word), "{out}");
    }
    assert_eq!(out.lines().count(), 3);
}
