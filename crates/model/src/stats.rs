//! How big a document is, measured in one walk: the quantities a renderer's time and memory
//! grow with (table cells, characters per paragraph, links, footnotes, headings...), so a
//! renderer can refuse or simplify a document before it starts the expensive part.
//!
//! The walk is iterative, so it is safe on a document of any depth (one built by a library
//! caller without [`crate::limit_depth`]), and linear in the document's size.

use crate::{Block, BlockKind, Document, Inline, Span};

/// The largest value of one measure over a document's blocks, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extent {
    /// The value; 0 when the document has nothing of the kind.
    pub value: u64,
    /// The source span of the block holding it (the innermost block with a span), if known.
    pub span: Option<Span>,
}

impl Extent {
    fn offer(&mut self, value: u64, span: Option<Span>) {
        if value > self.value {
            *self = Extent { value, span };
        }
    }
}

/// Sizes of a [`Document`], from [`Document::stats`].
///
/// Characters are Unicode scalar values. A "paragraph" is the inline content of one block:
/// a paragraph, a tight list item's text, a heading, a definition term or one table cell
/// (footnotes inside it are paragraphs of their own).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Blocks of every kind, containers and the blocks inside footnotes included.
    pub blocks: u64,
    /// Paragraphs and tight list items' texts (`Para` and `Plain` blocks).
    pub paragraphs: u64,
    /// Headings by level: `headings[0]` counts level 1.
    pub headings: [u64; 6],
    /// Thematic breaks.
    pub thematic_breaks: u64,
    /// Items of bullet, ordered and definition lists (each definition counts as one).
    pub list_items: u64,
    /// Code blocks and raw blocks.
    pub code_blocks: u64,
    /// Lines of every code block and raw block.
    pub code_lines: u64,
    /// Characters of the longest code block or raw block.
    pub longest_code_block: Extent,
    /// Hard line breaks.
    pub line_breaks: u64,
    /// Tables.
    pub tables: u64,
    /// Table rows, header rows included.
    pub table_rows: u64,
    /// Table cells as laid out: every row padded to the table's width, so a table of 1,000
    /// columns whose 500 body rows are empty counts 501,000 cells.
    pub table_cells: u64,
    /// The table with the most cells (counted as in [`Stats::table_cells`]).
    pub largest_table: Extent,
    /// The table with the most columns.
    pub widest_table: Extent,
    /// Links, autolinks included.
    pub links: u64,
    /// The most links in one paragraph.
    pub most_links: Extent,
    /// Images.
    pub images: u64,
    /// Footnotes, each counted where it is referenced.
    pub footnotes: u64,
    /// Math formulas, inline and display.
    pub math: u64,
    /// Characters of the longest formula's TeX source.
    pub longest_math: Extent,
    /// Characters the document shows: text, code, math source, link texts, alt texts, code
    /// and raw blocks.
    pub chars: u64,
    /// Characters of the longest paragraph (breaks count as one).
    pub longest_paragraph: Extent,
    /// The longest run of characters with no whitespace between them, across inline markup
    /// (`a*b*c` is one run of 3), in paragraphs and code blocks.
    pub longest_run: Extent,
}

impl Stats {
    /// Headings of levels 1 to `depth`.
    pub fn headings_to_level(&self, depth: usize) -> u64 {
        self.headings.iter().take(depth).sum()
    }
}

impl Document {
    /// Measures the document in one walk; see [`Stats`].
    pub fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        let mut blocks: Vec<(&Block, Option<Span>)> =
            self.blocks.iter().rev().map(|b| (b, None)).collect();
        let mut notes: Vec<&[Block]> = Vec::new();
        while let Some((block, outer)) = blocks.pop() {
            let span = block.span.or(outer);
            stats.blocks += 1;
            match &block.kind {
                BlockKind::Plain(content) | BlockKind::Para(content) => {
                    stats.paragraphs += 1;
                    paragraph(&mut stats, content, span, &mut notes);
                }
                BlockKind::Heading { level, content, .. } => {
                    stats.headings[usize::from(level.clamp(&1, &6) - 1)] += 1;
                    paragraph(&mut stats, content, span, &mut notes);
                }
                BlockKind::CodeBlock { text, .. } | BlockKind::RawBlock { text, .. } => {
                    stats.code_blocks += 1;
                    stats.code_lines += text.lines().count().max(1) as u64;
                    let mut run = Run::default();
                    let chars = run.text(text);
                    stats.chars += chars;
                    stats.longest_code_block.offer(chars, span);
                    stats.longest_run.offer(run.longest, span);
                }
                BlockKind::Table(table) => {
                    let columns = table
                        .aligns
                        .len()
                        .max(table.head.len())
                        .max(table.rows.iter().map(Vec::len).max().unwrap_or(0))
                        as u64;
                    let rows = table.rows.len() as u64 + 1;
                    let cells = columns.saturating_mul(rows);
                    stats.tables += 1;
                    stats.table_rows += rows;
                    stats.table_cells = stats.table_cells.saturating_add(cells);
                    stats.largest_table.offer(cells, span);
                    stats.widest_table.offer(columns, span);
                    for cell in table.head.iter().chain(table.rows.iter().flatten()) {
                        paragraph(&mut stats, cell, span, &mut notes);
                    }
                }
                BlockKind::DefinitionList(items) => {
                    for item in items.iter().rev() {
                        paragraph(&mut stats, &item.term, span, &mut notes);
                        stats.list_items += item.definitions.len() as u64;
                        for definition in item.definitions.iter().rev() {
                            blocks.extend(definition.iter().rev().map(|b| (b, span)));
                        }
                    }
                }
                BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                    stats.list_items += items.len() as u64;
                    for item in items.iter().rev() {
                        blocks.extend(item.blocks.iter().rev().map(|b| (b, span)));
                    }
                }
                BlockKind::BlockQuote(children)
                | BlockKind::Alert {
                    blocks: children, ..
                }
                | BlockKind::Div {
                    blocks: children, ..
                } => {
                    blocks.extend(children.iter().rev().map(|b| (b, span)));
                }
                BlockKind::Figure {
                    blocks: children,
                    caption,
                    ..
                } => {
                    paragraph(&mut stats, caption, span, &mut notes);
                    blocks.extend(children.iter().rev().map(|b| (b, span)));
                }
                BlockKind::ThematicBreak => stats.thematic_breaks += 1,
            }
            // A paragraph's notes are walked after it, with its span as their fallback.
            for note in notes.drain(..).rev() {
                blocks.extend(note.iter().rev().map(|b| (b, span)));
            }
        }
        stats
    }
}

/// Measures one paragraph's inline content; the block lists of its notes go to `notes`.
fn paragraph<'a>(
    stats: &mut Stats,
    content: &'a [Inline],
    span: Option<Span>,
    notes: &mut Vec<&'a [Block]>,
) {
    let mut run = Run::default();
    let mut chars: u64 = 0;
    let mut links: u64 = 0;
    let mut stack: Vec<&Inline> = content.iter().rev().collect();
    while let Some(inline) = stack.pop() {
        match inline {
            Inline::Text(s) | Inline::Code(s) | Inline::Raw { text: s, .. } => {
                chars += run.text(s);
            }
            Inline::Math { tex, .. } => {
                let n = run.text(tex);
                chars += n;
                stats.math += 1;
                stats.longest_math.offer(n, span);
            }
            Inline::SoftBreak => {
                chars += 1;
                run.space();
            }
            Inline::LineBreak => {
                chars += 1;
                stats.line_breaks += 1;
                run.space();
            }
            Inline::Note(blocks) => {
                stats.footnotes += 1;
                notes.push(blocks);
            }
            nested => {
                match nested {
                    Inline::Link { .. } => links += 1,
                    Inline::Image { .. } => stats.images += 1,
                    _ => {}
                }
                stack.extend(nested.children().into_iter().flatten().rev());
            }
        }
    }
    stats.chars = stats.chars.saturating_add(chars);
    stats.links += links;
    stats.most_links.offer(links, span);
    stats.longest_paragraph.offer(chars, span);
    stats.longest_run.offer(run.longest, span);
}

/// Counts characters and tracks the longest run without whitespace, across pieces of text.
#[derive(Default)]
struct Run {
    current: u64,
    longest: u64,
}

impl Run {
    /// Adds `text`, returning its length in characters.
    fn text(&mut self, text: &str) -> u64 {
        let mut chars = 0;
        for c in text.chars() {
            chars += 1;
            if c.is_whitespace() {
                self.space();
            } else {
                self.current += 1;
            }
        }
        self.longest = self.longest.max(self.current);
        chars
    }

    fn space(&mut self) {
        self.longest = self.longest.max(self.current);
        self.current = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{bullet_list, code, code_block, heading, link, para, strong, text};
    use crate::{Table, Target};

    fn document(blocks: Vec<Block>) -> Document {
        Document {
            blocks,
            ..Document::default()
        }
    }

    fn at(line: u32, mut block: Block) -> Block {
        block.span = Some(Span::point(line, 1));
        block
    }

    #[test]
    fn counts_text_runs_and_links_per_paragraph() {
        let doc = document(vec![
            at(1, heading(1, "a", vec![text("Title")])),
            at(
                3,
                para(vec![
                    text("see "),
                    link("https://a.example", vec![text("ab")]),
                    strong(vec![text("cd")]),
                    text(" e"),
                ]),
            ),
            at(
                5,
                para(vec![
                    link("u", vec![text("x")]),
                    Inline::SoftBreak,
                    link("v", vec![text("y")]),
                ]),
            ),
        ]);
        let stats = doc.stats();
        assert_eq!(stats.blocks, 3);
        assert_eq!(stats.paragraphs, 2);
        assert_eq!(stats.headings, [1, 0, 0, 0, 0, 0]);
        assert_eq!(stats.links, 3);
        assert_eq!(stats.most_links.value, 2);
        assert_eq!(stats.most_links.span.map(|s| s.line), Some(5));
        // "see abcd e": "abcd" runs across the link and the emphasis.
        assert_eq!(stats.longest_paragraph.value, 10);
        assert_eq!(stats.longest_paragraph.span.map(|s| s.line), Some(3));
        assert_eq!(stats.longest_run.value, 5);
        assert_eq!(stats.longest_run.span.map(|s| s.line), Some(1));
        assert_eq!(stats.chars, 5 + 10 + 3);
    }

    #[test]
    fn ragged_tables_count_the_cells_they_are_laid_out_with() {
        let table = Table {
            aligns: vec![Default::default(); 1000],
            head: vec![vec![text("a")]; 1000],
            rows: vec![vec![]; 500],
            ..Table::default()
        };
        let doc = document(vec![at(7, BlockKind::Table(table).into())]);
        let stats = doc.stats();
        assert_eq!(stats.table_cells, 501_000);
        assert_eq!(stats.largest_table.value, 501_000);
        assert_eq!(stats.largest_table.span.map(|s| s.line), Some(7));
        assert_eq!(stats.widest_table.value, 1000);
        assert_eq!(stats.table_rows, 501);
        assert_eq!(stats.longest_paragraph.value, 1);
    }

    #[test]
    fn notes_are_paragraphs_of_their_own_located_at_their_reference() {
        let note = Inline::Note(vec![para(vec![text("a long note text")])]);
        let doc = document(vec![
            at(2, para(vec![text("x"), note])),
            bullet_list(vec![vec![para(vec![code("c"), Inline::LineBreak])]]),
        ]);
        let stats = doc.stats();
        assert_eq!(stats.footnotes, 1);
        assert_eq!(stats.paragraphs, 3);
        assert_eq!(stats.list_items, 1);
        assert_eq!(stats.line_breaks, 1);
        assert_eq!(stats.longest_paragraph.value, 16);
        assert_eq!(stats.longest_paragraph.span.map(|s| s.line), Some(2));
    }

    #[test]
    fn code_math_and_breaks() {
        let doc = document(vec![
            at(1, code_block(Some("rust"), "fn main() {}\nlet x = 1;\n")),
            para(vec![Inline::Math {
                display: false,
                tex: "x^2+y^2".into(),
                span: None,
            }]),
            BlockKind::ThematicBreak.into(),
            para(vec![Inline::Image {
                target: Target::default(),
                alt: vec![text("alt")],
            }]),
        ]);
        let stats = doc.stats();
        assert_eq!(stats.code_blocks, 1);
        assert_eq!(stats.code_lines, 2);
        assert_eq!(stats.longest_code_block.value, 24);
        assert_eq!(stats.math, 1);
        assert_eq!(stats.longest_math.value, 7);
        assert_eq!(stats.thematic_breaks, 1);
        assert_eq!(stats.images, 1);
        assert_eq!(stats.longest_run.value, 7);
    }

    #[test]
    fn any_depth_is_walked_without_recursion() {
        let mut block = para(vec![text("deep")]);
        for _ in 0..100_000 {
            block = BlockKind::BlockQuote(vec![block]).into();
        }
        let doc = document(vec![block]);
        let stats = doc.stats();
        assert_eq!(stats.blocks, 100_001);
        assert_eq!(stats.chars, 4);
        // Dropping a tree this deep recurses; leak it rather than overflow the test's stack.
        std::mem::forget(doc);
    }
}
