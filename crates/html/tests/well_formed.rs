//! Invariants over generated documents: whatever the model holds (raw HTML aside), XHTML output
//! is well-formed XML with only XML's entities, and HTML output balances its elements.

use std::sync::OnceLock;

use bindery_html::{Options, Resources, render};
use bindery_model::{
    AlertKind, Alignment, Assets, Attr, Block, BlockKind, DefinitionItem, Document, Inline,
    ListDelim, ListItem, Metadata, Table, Target,
};

fn resources() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(Resources::new)
}

/// A small deterministic generator (xorshift), so failures reproduce from the seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "word", " ", "<", ">", "&", "\"", "'", "&amp;", "]]>", "é", "ß", "中文", "\u{a0}",
            "<script>", "--", "\\", "\t", "§",
        ];
        (0..1 + self.below(5))
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }

    fn url(&mut self) -> String {
        const URLS: &[&str] = &[
            "https://example.com/a b?c=1&d='2'",
            "#section",
            "img/ä.png",
            "mailto:a@b.c",
            "\"><script>",
        ];
        URLS[self.below(URLS.len() as u64) as usize].to_string()
    }

    fn inlines(&mut self, depth: u32) -> Vec<Inline> {
        (0..1 + self.below(4)).map(|_| self.inline(depth)).collect()
    }

    fn inline(&mut self, depth: u32) -> Inline {
        let choice = if depth > 3 {
            self.below(6)
        } else {
            self.below(13)
        };
        match choice {
            0 | 1 => Inline::Text(self.text()),
            2 => Inline::SoftBreak,
            3 => Inline::LineBreak,
            4 => Inline::Code(self.text()),
            5 => Inline::Math {
                display: self.below(2) == 0,
                tex: self.text(),
                span: None,
            },
            6 => Inline::Emph(self.inlines(depth + 1)),
            7 => Inline::Strong(self.inlines(depth + 1)),
            8 => Inline::Strikeout(self.inlines(depth + 1)),
            9 => Inline::Link {
                target: Target {
                    url: self.url(),
                    title: self.text(),
                    span: None,
                    attr: None,
                },
                content: self.inlines(depth + 1),
                autolink: false,
            },
            10 => Inline::Image {
                target: Target {
                    url: self.url(),
                    title: String::new(),
                    span: None,
                    attr: None,
                },
                alt: self.inlines(depth + 1),
            },
            11 => Inline::Note(self.blocks(depth + 1)),
            _ => Inline::Raw {
                format: "latex".into(),
                text: "<unbalanced".into(),
                span: None,
            },
        }
    }

    fn blocks(&mut self, depth: u32) -> Vec<Block> {
        (0..1 + self.below(4)).map(|_| self.block(depth)).collect()
    }

    fn items(&mut self, depth: u32) -> Vec<ListItem> {
        (0..1 + self.below(3))
            .map(|_| ListItem {
                checked: [None, Some(true), Some(false)][self.below(3) as usize],
                blocks: self.blocks(depth + 1),
            })
            .collect()
    }

    fn block(&mut self, depth: u32) -> Block {
        let choice = if depth > 3 {
            self.below(4)
        } else {
            self.below(12)
        };
        let kind = match choice {
            0 => BlockKind::Para(self.inlines(depth)),
            1 => BlockKind::Plain(self.inlines(depth)),
            2 => BlockKind::Heading {
                level: 1 + self.below(6) as u8,
                attr: Attr::with_id(format!("h{}", self.below(1000))),
                content: self.inlines(depth),
            },
            3 => BlockKind::CodeBlock {
                lang: [None, Some("rust"), Some("python"), Some("x<y")][self.below(4) as usize]
                    .map(String::from),
                info: String::new(),
                text: format!("{}\n{}\n", self.text(), self.text()),
                attr: None,
            },
            4 => BlockKind::BlockQuote(self.blocks(depth + 1)),
            5 => BlockKind::Alert {
                kind: AlertKind::Caution,
                title: Some(self.text()),
                blocks: self.blocks(depth + 1),
            },
            6 => BlockKind::BulletList(self.items(depth)),
            7 => BlockKind::OrderedList {
                start: self.below(5),
                delim: ListDelim::Period,
                items: self.items(depth),
            },
            8 => BlockKind::DefinitionList(vec![DefinitionItem {
                term: self.inlines(depth),
                definitions: vec![self.blocks(depth + 1)],
            }]),
            9 => BlockKind::Table(Table {
                aligns: vec![Alignment::Right, Alignment::Default],
                head: vec![self.inlines(depth), self.inlines(depth)],
                rows: vec![vec![self.inlines(depth)]],
                ..Table::default()
            }),
            10 => BlockKind::ThematicBreak,
            _ => BlockKind::RawBlock {
                format: "typst".into(),
                text: "<dropped".into(),
            },
        };
        kind.into()
    }
}

/// Checks that `xml` is a well-formed element tree (after the prolog and doctype) using only
/// XML's predefined entities and numeric references; returns the first problem.
fn check_well_formed(xml: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    let mut offset = 0;
    while let Some(i) = rest.find(['<', '&']) {
        let at = &rest[i..];
        let consumed;
        if let Some(entity) = at.strip_prefix('&') {
            let end = entity
                .find(';')
                .ok_or_else(|| format!("bare & at {}", offset + i))?;
            let name = &entity[..end];
            let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                || (name.starts_with('#')
                    && name[1..]
                        .trim_start_matches('x')
                        .chars()
                        .all(|c| c.is_ascii_hexdigit())
                    && name.len() > 1);
            if !known {
                return Err(format!("entity &{name}; at {}", offset + i));
            }
            consumed = end + 2;
        } else if at.starts_with("<?xml") || at.starts_with("<!DOCTYPE") {
            consumed = at.find('>').ok_or("unterminated declaration")? + 1;
        } else if let Some(name) = at.strip_prefix("</") {
            let end = name.find('>').ok_or("unterminated end tag")?;
            let name = &name[..end];
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?} at {}", offset + i)),
            }
            consumed = end + 3;
        } else {
            let end = at.find('>').ok_or("unterminated start tag")?;
            let tag = &at[1..end];
            if tag.contains('<') {
                return Err(format!("< inside a tag at {}", offset + i));
            }
            let name = tag.split([' ', '/']).next().unwrap_or_default();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("bad tag <{tag}> at {}", offset + i));
            }
            // Attribute values are quoted, so the quote count is even.
            if !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in <{tag}>"));
            }
            if !tag.ends_with('/') {
                stack.push(name);
            }
            consumed = end + 1;
        }
        offset += i + consumed;
        rest = &rest[i + consumed..];
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed elements {stack:?}"))
    }
}

fn document(seed: u64) -> Document {
    let mut generator = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    Document {
        meta: Metadata {
            title: Some(generator.text()),
            authors: vec![generator.text()],
            lang: Some(["en", "ar", "x\"y"][generator.below(3) as usize].into()),
            ..Metadata::default()
        },
        blocks: generator.blocks(0),
    }
}

#[test]
fn xhtml_output_is_well_formed_for_generated_documents() {
    for seed in 0..300 {
        let document = document(seed);
        let options = Options {
            xhtml: true,
            toc: true,
            css: vec!["a > b { content: \"<&>\" }".into()],
            ..Options::default()
        };
        let output = render(&document, &Assets::new(), resources(), &options).output;
        if let Err(problem) = check_well_formed(&output) {
            panic!("seed {seed}: {problem}\n{document:#?}");
        }
    }
}

#[test]
fn html_output_balances_and_is_deterministic() {
    for seed in 0..300 {
        let document = document(seed);
        let options = Options {
            toc: true,
            ..Options::default()
        };
        let first = render(&document, &Assets::new(), resources(), &options).output;
        let second = render(&document, &Assets::new(), resources(), &options).output;
        assert_eq!(first, second, "seed {seed}");
        // Void elements are the only unclosed ones in HTML; close them to reuse the checker.
        let mut closed = first.clone();
        for void in ["<br", "<hr", "<img", "<input", "<meta"] {
            closed = close_void(&closed, void);
        }
        let body = closed.split("</style>").nth(1).expect("a stylesheet");
        if let Err(problem) = check_well_formed(&format!("<html><head>{body}")) {
            panic!("seed {seed}: {problem}");
        }
    }
}

/// Rewrites `<tag ...>` as `<tag ... />` for one void element.
fn close_void(html: &str, open: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        if !after.starts_with([' ', '>']) {
            out.push_str(&rest[..i + open.len()]);
            rest = after;
            continue;
        }
        let end = after.find('>').expect("a closed tag");
        out.push_str(&rest[..i + open.len()]);
        out.push_str(&after[..end]);
        out.push_str(" />");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_checker_catches_what_it_looks_for() {
    assert!(
        check_well_formed("<p>a<br>b</p>").is_err(),
        "unclosed void element"
    );
    assert!(check_well_formed("<p>&nbsp;</p>").is_err(), "named entity");
    assert!(check_well_formed("<p>a & b</p>").is_err(), "bare ampersand");
    assert!(check_well_formed("<p><em>x</p></em>").is_err(), "misnested");
    assert!(
        check_well_formed("<p a=\"x>y</p>").is_err(),
        "unbalanced quote"
    );
    assert!(check_well_formed("<p>a<br />&amp;&#x27;</p>").is_ok());
}
