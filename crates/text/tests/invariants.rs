//! Properties every output must have, on a document with every construct and on generated
//! documents: nothing lost, no trailing spaces, one final newline, lines within the width.

use bindery_model::build::*;
use bindery_model::{
    AlertKind, Alignment, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim, ListItem,
    Metadata, Table, Target,
};
use bindery_text::{Options, render};
use unicode_width::UnicodeWidthStr;

/// Every word of every Text, Code, Link text and Image alt in the blocks.
fn words(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Plain(c) | BlockKind::Para(c) | BlockKind::Heading { content: c, .. } => {
                inline_words(c, out)
            }
            BlockKind::CodeBlock { text, .. } | BlockKind::RawBlock { text, .. } => {
                out.extend(text.split_whitespace().map(String::from))
            }
            BlockKind::BlockQuote(b)
            | BlockKind::Alert { blocks: b, .. }
            | BlockKind::Div { blocks: b, .. } => words(b, out),
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                words(blocks, out);
                inline_words(caption, out);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    words(&item.blocks, out);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    inline_words(&item.term, out);
                    for d in &item.definitions {
                        words(d, out);
                    }
                }
            }
            BlockKind::Table(t) => {
                for row in std::iter::once(&t.head).chain(&t.rows) {
                    for cell in row {
                        inline_words(cell, out);
                    }
                }
            }
            BlockKind::ThematicBreak => {}
        }
    }
}

fn inline_words(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Text(s) | Inline::Code(s) => out.extend(s.split_whitespace().map(String::from)),
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strikeout(c)
            | Inline::Subscript(c)
            | Inline::Superscript(c)
            | Inline::Mark(c)
            | Inline::Underline(c)
            | Inline::Keyboard(c)
            | Inline::Span { content: c, .. } => inline_words(c, out),
            Inline::Link { content, .. } => inline_words(content, out),
            Inline::Image { alt, .. } => inline_words(alt, out),
            Inline::Note(blocks) => words(blocks, out),
            Inline::SoftBreak | Inline::LineBreak | Inline::Raw { .. } | Inline::Math { .. } => {}
        }
    }
}

/// The shape every output has, whatever the input.
fn check_shape(output: &str, columns: usize, may_overflow: &dyn Fn(&str) -> bool) {
    if output.is_empty() {
        return;
    }
    assert!(
        output.ends_with('\n') && !output.ends_with("\n\n"),
        "{output}"
    );
    assert!(!output.starts_with('\n'), "{output}");
    assert!(!output.contains("\n\n\n"), "double blank line in\n{output}");
    for line in output.lines() {
        assert!(!line.ends_with(' ') && !line.ends_with('\t'), "{line:?}");
        if columns > 0 && line.width() > columns {
            assert!(
                may_overflow(line),
                "over {columns} columns: {line:?}\n{output}"
            );
        }
    }
}

fn every_construct() -> Document {
    let long_url = "https://example.com/a/long/path/to/something/far/away";
    Document {
        meta: Metadata {
            title: Some("Every Construct".into()),
            subtitle: Some("subtitle words".into()),
            authors: vec!["Author One".into()],
            date: Some("2024-01-01".into()),
            ..Metadata::default()
        },
        blocks: vec![
            heading(1, "every", vec![text("Every Construct")]),
            para(vec![
                text("plain "),
                emph(vec![text("emphasised")]),
                text(" "),
                strong(vec![text("strong")]),
                text(" "),
                Inline::Strikeout(vec![text("struck")]),
                Inline::SoftBreak,
                code("inline code"),
                text(" "),
                link("https://link.example", vec![text("linked words")]),
                text(" "),
                Inline::Link {
                    target: Target {
                        url: long_url.into(),
                        title: String::new(),
                        span: None,
                        attr: None,
                    },
                    content: vec![text(long_url)],
                    autolink: true,
                },
                Inline::LineBreak,
                image("https://img.example/x.png", vec![text("alternative text")]),
                text(" footnoted"),
                Inline::Note(vec![para(vec![
                    text("note body with "),
                    link("https://in-note.example", vec![text("note link")]),
                ])]),
                text(" 日本語の文章もここにあります。"),
            ]),
            heading(2, "second", vec![text("Second level")]),
            heading(4, "fourth", vec![text("Fourth level heading")]),
            bullet_list(vec![
                vec![plain(vec![text("bullet one")])],
                vec![
                    plain(vec![text("bullet two")]),
                    BlockKind::OrderedList {
                        start: 3,
                        delim: ListDelim::Period,
                        items: vec![ListItem {
                            checked: Some(true),
                            blocks: vec![plain(vec![text("ordered task")])],
                        }],
                    }
                    .into(),
                ],
            ]),
            block_quote(vec![
                para(vec![text("quoted text")]),
                BlockKind::Alert {
                    kind: AlertKind::Tip,
                    title: None,
                    blocks: vec![para(vec![text("alert body")])],
                }
                .into(),
            ]),
            code_block(Some("sh"), "echo code-block-line\n"),
            BlockKind::Table(Table {
                aligns: vec![Alignment::Left, Alignment::Right],
                head: vec![vec![text("head cell")], vec![text("other")]],
                rows: vec![vec![vec![text("body cell")], vec![code("42")]]],
                attr: None,
            })
            .into(),
            BlockKind::DefinitionList(vec![DefinitionItem {
                term: vec![text("term word")],
                definitions: vec![vec![para(vec![text("definition words")])]],
            }])
            .into(),
            BlockKind::ThematicBreak.into(),
            // Raw content of a format text cannot read is shown as it is (raw HTML is read as
            // the sanitize policy reads it: tests/blocks.rs).
            BlockKind::RawBlock {
                format: "latex".into(),
                text: "\\raw{x}\n".into(),
            }
            .into(),
        ],
    }
}

#[test]
fn every_word_of_every_construct_appears() {
    let document = every_construct();
    let mut expected = Vec::new();
    words(&document.blocks, &mut expected);
    for columns in [0, 20, 30, 72] {
        let warned = render(&document, &Options { columns });
        assert!(warned.warnings.is_empty());
        let out = &warned.output;
        // CJK text may wrap between any two characters: compare it with lines joined.
        let joined: String = out.lines().map(str::trim).collect();
        for word in &expected {
            let found = if word.is_ascii() {
                out.contains(word.as_str())
            } else {
                joined.contains(word.as_str())
            };
            assert!(
                found,
                "{word:?} missing at {columns} columns:\n{out}\n{document:#?}"
            );
        }
        for url in [
            "[1] https://link.example",
            "https://img.example/x.png",
            "https://in-note.example",
        ] {
            assert!(out.contains(url), "{url} missing:\n{out}");
        }
        check_shape(out, columns, &|line| {
            line.contains("https://") || line.contains("---") || line.contains("code-block-line")
        });
    }
}

#[test]
fn every_construct_at_30_columns() {
    let out = render(&every_construct(), &Options { columns: 30 }).output;
    let expected = "\
Every Construct
===============
subtitle words
Author One
2024-01-01

plain emphasised strong
~~struck~~ `inline code`
linked words [1]
https://example.com/a/long/path/to/something/far/away
[image: alternative text] [2]
footnoted[^1] 日本語の文章もこ
こにあります。

Second level
------------

#### Fourth level heading

- bullet one
- bullet two
  3. [x] ordered task

> quoted text
>
> > Tip:
> > alert body

    echo code-block-line

head cell  other
---------  -----
body cell   `42`

term word
    definition words

            * * *

\\raw{x}

Notes
-----

[^1] note body with note
     link [3]

Links
-----

[1] https://link.example
[2] https://img.example/x.png
[3] https://in-note.example
";
    assert_eq!(out, expected);
}

/// A small deterministic generator (no dependency): a linear congruential sequence.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

const VOCABULARY: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "x",
    "über",
    "naïve",
    "日本語",
    "文章",
    "한국어",
    "LongUnbreakableWordThatExceedsLines",
    "co-operate",
    "and/or",
    "(paren)",
    "end.",
];

fn gen_inlines(rng: &mut Lcg, depth: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    for _ in 0..rng.next(8) + 1 {
        let word = VOCABULARY[rng.next(VOCABULARY.len())];
        let inline = match rng.next(if depth > 2 { 3 } else { 12 }) {
            0 | 1 => text(format!("{word} ")),
            2 => Inline::SoftBreak,
            3 => emph(gen_inlines(rng, depth + 1)),
            4 => strong(gen_inlines(rng, depth + 1)),
            5 => code(word),
            6 => link(
                format!("https://{}.example/{word}", rng.next(4)),
                gen_inlines(rng, depth + 1),
            ),
            7 => image(
                format!("https://img.example/{}", rng.next(3)),
                vec![text(word)],
            ),
            8 => Inline::Note(vec![para(gen_inlines(rng, depth + 1))]),
            9 => Inline::LineBreak,
            10 => Inline::Link {
                target: Target {
                    url: format!("https://auto.example/{word}"),
                    title: String::new(),
                    span: None,
                    attr: None,
                },
                content: vec![text(format!("https://auto.example/{word}"))],
                autolink: true,
            },
            _ => text(word),
        };
        out.push(inline);
        // Separated, so that every piece but the long word and URLs fits the narrowest line.
        out.push(text(" "));
    }
    out
}

fn gen_blocks(rng: &mut Lcg, depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    for _ in 0..rng.next(4) + 1 {
        let block = match rng.next(if depth > 1 { 2 } else { 9 }) {
            0 => para(gen_inlines(rng, 0)),
            1 => plain(gen_inlines(rng, 0)),
            2 => heading(
                u8::try_from(rng.next(6) + 1).unwrap(),
                "h",
                gen_inlines(rng, 0),
            ),
            3 => block_quote(gen_blocks(rng, depth + 1)),
            4 => bullet_list(
                (0..rng.next(3) + 1)
                    .map(|_| gen_blocks(rng, depth + 1))
                    .collect(),
            ),
            5 => BlockKind::OrderedList {
                start: rng.next(12) as u64,
                delim: ListDelim::Paren,
                items: (0..rng.next(3) + 1)
                    .map(|_| ListItem {
                        checked: [None, Some(true), Some(false)][rng.next(3)],
                        blocks: gen_blocks(rng, depth + 1),
                    })
                    .collect(),
            }
            .into(),
            6 => BlockKind::Alert {
                kind: AlertKind::Note,
                title: None,
                blocks: gen_blocks(rng, depth + 1),
            }
            .into(),
            7 => BlockKind::DefinitionList(vec![DefinitionItem {
                term: gen_inlines(rng, 0),
                definitions: vec![gen_blocks(rng, depth + 1)],
            }])
            .into(),
            _ => BlockKind::ThematicBreak.into(),
        };
        out.push(block);
    }
    out
}

#[test]
fn generated_documents_keep_their_words_and_their_shape() {
    let mut rng = Lcg(7);
    for _ in 0..300 {
        let document = Document {
            meta: Metadata::default(),
            blocks: gen_blocks(&mut rng, 0),
        };
        let mut expected = Vec::new();
        words(&document.blocks, &mut expected);
        for columns in [0, 40, 60] {
            let out = render(&document, &Options { columns }).output;
            let joined: String = out.lines().map(str::trim).collect();
            for word in &expected {
                let found = if word.is_ascii() {
                    out.contains(word.as_str())
                } else {
                    joined.contains(word.as_str())
                };
                assert!(
                    found,
                    "{word:?} missing at {columns} columns:\n{out}\n{document:#?}"
                );
            }
            // Two containers, a heading marker and a note marker take at most 28 columns, so
            // at 40 only the long word and URLs cannot fit.
            check_shape(&out, columns, &|line| {
                line.contains("LongUnbreakable")
                    || line.contains("https://")
                    // The underline of a heading that is one long word.
                    || line.trim_start_matches([' ', '>']).chars().all(|c| c == '-' || c == '=')
            });
            for line in out.lines() {
                let content = line.trim_start_matches([' ', '>', '-']);
                assert!(!content.starts_with(" ["), "stray space: {line:?}");
                let doubled = line.match_indices("  [").any(|(i, _)| {
                    line[..i]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                });
                assert!(!doubled, "double space: {line:?}");
            }
        }
    }
}
