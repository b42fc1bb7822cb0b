//! Blocks through the public entry: title, headings, lists, quotes, code, tables, as exact text.

mod common;

use bindery_model::build::*;
use bindery_model::{
    AlertKind, Alignment, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim, ListItem,
    Metadata, Table,
};
use bindery_text::{Options, render};
use common::{ordered, text_at};

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
        ..Table::default()
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
        ..Table::default()
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
        ..Table::default()
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

/// Raw HTML left in the document (`--raw-html keep`) is read as the sanitize policy reads it;
/// raw content for another format is shown as it is.
#[test]
fn raw_html_is_read_and_other_raw_content_shown_as_is() {
    let out = text_at(
        30,
        vec![
            BlockKind::RawBlock {
                format: "latex".into(),
                text: "\\newpage\n".into(),
            }
            .into(),
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
                    span: None,
                },
            ]),
        ],
    );
    assert_eq!(out, "\\newpage\n\nkept\n\nx\n");
}

#[test]
fn empty_document_is_empty() {
    assert_eq!(text_at(72, vec![]), "");
    assert_eq!(text_at(72, vec![para(vec![])]), "");
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

#[test]
fn a_table_without_header_text_starts_with_its_rule() {
    let table = Table {
        aligns: vec![Alignment::Right],
        head: vec![vec![]],
        rows: vec![vec![vec![text("1")]], vec![vec![text("22")]]],
        ..Table::default()
    };
    let out = text_at(
        20,
        vec![para(vec![text("a")]), BlockKind::Table(table).into()],
    );
    assert_eq!(out, "a\n\n--\n 1\n22\n");
}

#[test]
fn columns_zero_leaves_nested_paragraphs_on_one_line() {
    let long = "word ".repeat(30);
    let out = text_at(
        0,
        vec![block_quote(vec![bullet_list(vec![vec![plain(vec![
            text(&long),
        ])]])])],
    );
    assert_eq!(out, format!("> - {}\n", long.trim_end()));
}
