//! Dangerous URLs are dropped in the model, in both dialects, with a warning at the block.

mod common;

use bindery_model::build::*;
use bindery_model::{Inline, Target};
use common::{commonmark_blocks, read, read_commonmark};

#[test]
fn dangerous_links_keep_their_text_and_warn() {
    for url in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "<\u{20}javascript:alert(1)>",
        "JavaScript:alert(1)",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
    ] {
        let source = format!("\n\nsee [the *link*]({url}) now\n");
        let doc = read(&source);
        assert_eq!(
            common::strip(doc.output.blocks),
            vec![para(vec![
                text("see the "),
                emph(vec![text("link")]),
                text(" now")
            ])],
            "{url}"
        );
        assert_eq!(doc.warnings.len(), 1, "{url}: {:?}", doc.warnings);
        let warning = &doc.warnings[0];
        assert!(
            warning.message.starts_with("dropped a "),
            "{}",
            warning.message
        );
        assert_eq!(
            warning.span.map(|s| s.line),
            Some(3),
            "the paragraph's span"
        );
    }
}

#[test]
fn the_scheme_is_named_in_the_warning() {
    let doc = read("[x](javascript:void(0))");
    assert_eq!(
        doc.warnings[0].message,
        "dropped a javascript: link, keeping its text"
    );
}

#[test]
fn dangerous_images_keep_their_alt_text() {
    let doc = read("![a *red* dot](data:text/html,<script>)");
    assert_eq!(
        common::strip(doc.output.blocks),
        vec![para(vec![text("a red dot")])]
    );
    assert!(doc.warnings[0].message.contains("data: image"));
}

#[test]
fn safe_schemes_stay() {
    for url in [
        "data:image/png;base64,iVBORw0KGgo=",
        "tel:+441234567",
        "irc://irc.libera.chat/rust",
        "mailto:a@example.org",
        "https://example.org/",
        "relative/path.html",
    ] {
        let doc = read(&format!("[x]({url})"));
        assert!(doc.warnings.is_empty(), "{url}: {:?}", doc.warnings);
        assert_eq!(
            common::strip(doc.output.blocks),
            vec![para(vec![link(url, vec![text("x")])])]
        );
    }
    let doc = read("![dot](data:image/png;base64,iVBORw0KGgo=)");
    assert!(doc.warnings.is_empty());
}

#[test]
fn reference_links_and_autolinks_are_checked_too() {
    let doc = read("[a][r] <javascript:alert(1)>\n\n[r]: vbscript:x\n");
    assert_eq!(
        common::strip(doc.output.blocks),
        vec![para(vec![text("a javascript:alert(1)")])]
    );
    assert_eq!(doc.warnings.len(), 2, "{:?}", doc.warnings);
}

#[test]
fn links_inside_footnotes_are_checked() {
    let doc = read("Text[^n].\n\n[^n]: [bad](javascript:x)\n");
    assert_eq!(
        common::strip(doc.output.blocks),
        vec![para(vec![
            text("Text"),
            Inline::Note(vec![para(vec![text("bad")])]),
            text(".")
        ])]
    );
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].span.map(|s| s.line), Some(3));
}

#[test]
fn commonmark_dialect_is_just_as_safe() {
    let doc = read_commonmark("[x](javascript:alert(1)) ![y](file:///z)");
    assert_eq!(
        common::strip(doc.output.blocks),
        vec![para(vec![text("x y")])]
    );
    assert_eq!(doc.warnings.len(), 2);
    assert_eq!(
        commonmark_blocks("[x](tel:123)"),
        vec![para(vec![Inline::Link {
            target: Target {
                url: "tel:123".into(),
                title: String::new(),
                span: None,
                attr: None,
            },
            content: vec![text("x")],
            autolink: false,
        }])]
    );
}
