//! Inline content through the public entry: wrapping, links, images and notes, as exact text.

mod common;

use bindery_model::Inline;
use bindery_model::build::*;
use bindery_text::{Options, render};
use common::{autolink, doc, note, text_at};
use unicode_width::UnicodeWidthStr;

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
                span: None,
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
        assert!(line.width() <= 10, "{line:?}");
    }
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
fn an_empty_note_keeps_its_marker() {
    let out = text_at(72, vec![para(vec![text("a"), note(vec![])])]);
    assert_eq!(out, "a[^1]\n\nNotes\n-----\n\n[^1]\n");
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
