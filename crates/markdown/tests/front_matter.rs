//! YAML and TOML front matter, errors at file positions, and the title fallbacks.

mod common;

use bindery_markdown::{ReadError, ReadOptions, parse};
use bindery_model::build::*;
use common::{read, strip};

fn read_named(source: &str, file_name: &str) -> bindery_model::Document {
    let options = ReadOptions {
        file_name: Some(file_name.into()),
        ..ReadOptions::default()
    };
    parse(source, &options).expect("parses").output
}

fn front_matter_error(source: &str) -> (u32, u32, String, String) {
    match parse(source, &ReadOptions::default()) {
        Err(ReadError::FrontMatter {
            line,
            col,
            message,
            hint,
        }) => (line, col, message, hint),
        Ok(doc) => panic!("expected an error, got {:?}", doc.output.meta),
    }
}

#[test]
fn yaml_front_matter_fills_the_metadata() {
    let doc = read(
        "---\ntitle: \"A: B\"\nauthor: Ada\ndate: 2024-05-06\nkeywords: [x, y]\nseries: 3\n---\n# Heading\n",
    )
    .output;
    assert_eq!(doc.meta.title.as_deref(), Some("A: B"));
    assert_eq!(doc.meta.authors, vec!["Ada"]);
    assert_eq!(doc.meta.date.as_deref(), Some("2024-05-06"));
    assert_eq!(doc.meta.keywords, vec!["x", "y"]);
    assert_eq!(doc.meta.extra["series"], serde_json::json!(3));
    assert_eq!(
        strip(doc.blocks),
        vec![heading(1, "heading", vec![text("Heading")])]
    );
}

#[test]
fn toml_front_matter_fills_the_metadata_and_dates_become_strings() {
    let doc = read(
        "+++\ntitle = \"T\"\nauthors = [\"A\", \"B\"]\ndate = 2024-05-06\n[extra]\nx = 1\n+++\nBody\n",
    )
    .output;
    assert_eq!(doc.meta.title.as_deref(), Some("T"));
    assert_eq!(doc.meta.authors, vec!["A", "B"]);
    assert_eq!(doc.meta.date.as_deref(), Some("2024-05-06"));
    assert_eq!(doc.meta.extra["extra"], serde_json::json!({"x": 1}));
    assert_eq!(strip(doc.blocks), vec![para(vec![text("Body")])]);
}

#[test]
fn body_spans_count_the_front_matter_lines() {
    let doc = read("---\ntitle: T\n---\n\nBody\n").output;
    let span = doc.blocks[0].span.expect("a span");
    assert_eq!((span.line, span.col), (5, 1));

    let doc = read("+++\ntitle = \"T\"\n+++\nBody\n").output;
    assert_eq!(doc.blocks[0].span.map(|s| s.line), Some(4));
}

#[test]
fn crlf_line_endings_and_yaml_end_marker() {
    let doc = read("---\r\ntitle: T\r\n...\r\nBody\r\n").output;
    assert_eq!(doc.meta.title.as_deref(), Some("T"));
    assert_eq!(strip(doc.blocks), vec![para(vec![text("Body")])]);
}

#[test]
fn empty_front_matter_is_allowed() {
    let doc = read("---\n---\nBody\n").output;
    assert_eq!(doc.meta.title, None);
    assert_eq!(strip(doc.blocks), vec![para(vec![text("Body")])]);
}

#[test]
fn yaml_syntax_errors_point_at_the_file_line() {
    let (line, col, message, hint) = front_matter_error("---\ntitle: ok\nbad: a: b\n---\nBody\n");
    assert_eq!(line, 3, "{message}");
    assert!(col >= 1);
    assert!(message.contains("YAML"), "{message}");
    assert!(hint.contains("quote"), "{hint}");
}

#[test]
fn the_error_displays_line_and_column() {
    let err = parse("---\na: 1\nb: [\n---\n", &ReadOptions::default()).unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with(|c: char| c.is_ascii_digit()), "{shown}");
    let (line, rest) = shown.split_once(':').unwrap();
    assert!(line.parse::<u32>().unwrap() >= 3, "{shown}");
    assert!(
        rest.split_once(':').unwrap().0.parse::<u32>().is_ok(),
        "{shown}"
    );
    assert!(!err.hint().is_empty());
}

#[test]
fn toml_syntax_errors_point_at_the_file_line() {
    let (line, _, message, hint) =
        front_matter_error("+++\ntitle = \"T\"\nauthor = Ada\n+++\nBody\n");
    assert_eq!(line, 3, "{message}");
    assert!(message.contains("TOML"), "{message}");
    assert!(hint.contains("+++"), "{hint}");
}

#[test]
fn type_errors_name_the_key_and_its_line() {
    let (line, col, message, _) = front_matter_error("---\nlang: en\ntitle: [1, 2]\n---\n");
    assert_eq!((line, col), (3, 1));
    assert!(message.contains("title"), "{message}");

    let (line, _, message, _) = front_matter_error("+++\nlang = \"en\"\n\ntitle = 5\n+++\n");
    assert_eq!(line, 4);
    assert!(message.contains("title"), "{message}");
}

#[test]
fn front_matter_that_is_not_a_mapping_is_an_error() {
    let (line, _, message, _) = front_matter_error("---\n- a\n- b\n---\n");
    assert_eq!(line, 2);
    assert!(message.contains("mapping"), "{message}");
}

#[test]
fn unclosed_front_matter_is_read_as_markdown_with_a_warning() {
    let doc = read("---\ntitle: T\n\nBody\n");
    assert_eq!(doc.output.meta.title, None);
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
    assert!(doc.warnings[0].message.contains("never closed"));

    // A leading thematic break is just that.
    let doc = read("---\n\nBody\n");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn front_matter_must_start_the_file() {
    let doc = read("\n---\ntitle: T\n---\n").output;
    assert_eq!(doc.meta.title, None);
}

#[test]
fn title_comes_from_metadata_then_first_heading_then_file_name() {
    let doc = read_named("---\ntitle: Meta\n---\n# Heading\n", "dir/file.md");
    assert_eq!(doc.meta.title.as_deref(), Some("Meta"));
    // The heading stays in the body either way.
    assert_eq!(doc.blocks.len(), 1);

    let doc = read_named(
        "Intro\n\n## Two\n\n# *First* one\n\n# Second\n",
        "dir/file.md",
    );
    assert_eq!(doc.meta.title.as_deref(), Some("First one"));
    assert_eq!(doc.blocks.len(), 4);

    let doc = read_named("## Only level two\n", "dir/my-notes.md");
    assert_eq!(doc.meta.title.as_deref(), Some("my-notes"));

    let doc = read("No heading\n").output;
    assert_eq!(doc.meta.title, None);
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    common::on_small_stack(|| {
        let source = format!(
            "---\na: {}1{}\n---\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse(&source, &ReadOptions::default()).is_err());
    });
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_crash() {
    common::on_small_stack(|| {
        let source = format!(
            "+++\na = {}1{}\n+++\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse(&source, &ReadOptions::default()).is_err());
    });
}

#[test]
fn every_shape_of_deep_front_matter_is_refused_on_a_small_stack() {
    common::on_small_stack(|| {
        let mut block_yaml = String::from("---\n");
        for i in 0..60 {
            block_yaml.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        block_yaml.push_str(&format!("{}leaf: 1\n---\n", " ".repeat(60)));
        let cases = [
            format!("---\na: {}1{}\n---\n", "[".repeat(40), "]".repeat(40)),
            format!("---\na: {}1{}\n---\n", "{a: ".repeat(40), "}".repeat(40)),
            block_yaml,
            // Aliases replay nested structure; the bound covers the expanded depth.
            "---\na: &a [[[[[[[[1]]]]]]]]\nb: &b [[[[[[[[*a]]]]]]]]\nc: [[[*b]]]\n---\n".into(),
            format!("+++\na = {}1{}\n+++\n", "[".repeat(40), "]".repeat(40)),
            format!(
                "+++\na = {}1{}\n+++\n",
                "{a=".repeat(10_000),
                "}".repeat(10_000)
            ),
            format!("+++\n{} = 1\n+++\n", vec!["k"; 10_000].join(".")),
            format!("+++\n[{}]\nx = 1\n+++\n", vec!["k"; 10_000].join(".")),
        ];
        for source in cases {
            let err = parse(&source, &ReadOptions::default()).expect_err("too deep");
            assert!(err.to_string().contains("deeper"), "{err}");
        }
    });
}

#[test]
fn reasonable_nesting_is_fine() {
    let doc = read("---\nseries: {name: S, parts: [[1, 2], [3]]}\n---\n").output;
    assert_eq!(
        doc.meta.extra["series"],
        serde_json::json!({"name": "S", "parts": [[1, 2], [3]]})
    );
}
