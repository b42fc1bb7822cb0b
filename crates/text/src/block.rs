//! Blocks to lines: each container renders its children narrower, then prefixes their lines.

use bindery_model::{Block, BlockKind, DefinitionItem, Inline, ListDelim, ListItem};

use crate::wrap::{Flow, RunKind, Width, display_width};
use crate::{Writer, underline};

/// Definitions sit under their term indented by this much.
const DEFINITION_INDENT: usize = 4;

impl<'a> Writer<'a> {
    /// Blocks separated by blank lines; a `Plain` block (a tight list item's text) is followed
    /// directly by what comes next, so a nested list hugs its item.
    pub(crate) fn blocks(&mut self, blocks: &'a [Block], width: Width) -> Vec<String> {
        let mut out = Vec::new();
        let mut after_plain = false;
        for block in blocks {
            let lines = self.block(block, width);
            if lines.is_empty() {
                continue;
            }
            if !out.is_empty() && !after_plain {
                out.push(String::new());
            }
            out.extend(lines);
            after_plain = matches!(block.kind, BlockKind::Plain(_));
        }
        out
    }

    fn block(&mut self, block: &'a Block, width: Width) -> Vec<String> {
        match &block.kind {
            BlockKind::Plain(content) | BlockKind::Para(content) => self.paragraph(content, width),
            BlockKind::Heading { level, content, .. } => self.heading(*level, content, width),
            BlockKind::CodeBlock { text, .. } => text_lines(text)
                .map(|line| {
                    if line.is_empty() {
                        String::new()
                    } else {
                        format!("    {line}")
                    }
                })
                .collect(),
            BlockKind::RawBlock { text, .. } => text_lines(text).map(String::from).collect(),
            BlockKind::BlockQuote(blocks) => quote(self.blocks(blocks, width.inset(2))),
            BlockKind::Div { blocks, .. } => self.blocks(blocks, width),
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                // The content, then its caption as a paragraph of its own.
                let mut lines = self.blocks(blocks, width);
                if !caption.is_empty() {
                    if !lines.is_empty() {
                        lines.push(String::new());
                    }
                    lines.extend(self.paragraph(caption, width));
                }
                lines
            }
            BlockKind::Alert {
                kind,
                title,
                blocks,
            } => {
                let title = title
                    .as_deref()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or(kind.default_title());
                let title = if title.ends_with(':') {
                    title.to_string()
                } else {
                    format!("{title}:")
                };
                let inner = width.inset(2);
                let mut flow = Flow::default();
                flow.push(RunKind::Prose, &title);
                let mut lines = flow.wrap(inner);
                lines.extend(self.blocks(blocks, inner));
                quote(lines)
            }
            BlockKind::BulletList(items) => {
                let markers = items.iter().map(|_| "-".to_string()).collect();
                self.list(items, markers, width)
            }
            BlockKind::OrderedList {
                start,
                delim,
                items,
            } => {
                let delim = match delim {
                    ListDelim::Period => '.',
                    ListDelim::Paren => ')',
                };
                // u128: a start near u64::MAX must not overflow.
                let numbers: Vec<String> = (0..items.len())
                    .map(|i| (u128::from(*start) + i as u128).to_string())
                    .collect();
                let widest = numbers.iter().map(String::len).max().unwrap_or(0);
                let markers = numbers
                    .into_iter()
                    .map(|n| format!("{n:>widest$}{delim}"))
                    .collect();
                self.list(items, markers, width)
            }
            BlockKind::DefinitionList(items) => self.definitions(items, width),
            BlockKind::Table(table) => self.table(table),
            BlockKind::ThematicBreak => {
                let rule = "* * *";
                let pad = width.0.map_or(0, |w| w.saturating_sub(rule.len()) / 2);
                vec![format!("{}{rule}", " ".repeat(pad))]
            }
        }
    }

    fn paragraph(&mut self, content: &'a [Inline], width: Width) -> Vec<String> {
        let mut flow = Flow::default();
        self.inlines(content, &mut flow);
        flow.wrap(width)
    }

    fn heading(&mut self, level: u8, content: &'a [Inline], width: Width) -> Vec<String> {
        match level {
            0..=2 => {
                let lines = self.paragraph(content, width);
                if lines.is_empty() {
                    return lines;
                }
                underline(lines, if level <= 1 { '=' } else { '-' })
            }
            _ => {
                let marker = format!("{} ", "#".repeat(usize::from(level.min(6))));
                let indent = marker.len();
                let lines = self.paragraph(content, width.inset(indent));
                if lines.is_empty() {
                    return lines;
                }
                hang(lines, &marker, indent)
            }
        }
    }

    /// Items after their markers; wrapped lines and later blocks hang under the item's text
    /// (after a task box, if any). Loose lists, whose items hold paragraphs, keep a blank line
    /// between items.
    fn list(&mut self, items: &'a [ListItem], markers: Vec<String>, width: Width) -> Vec<String> {
        let loose = items.iter().any(|item| {
            item.blocks
                .iter()
                .any(|b| matches!(b.kind, BlockKind::Para(_)))
        });
        let mut out = Vec::new();
        for (item, marker) in items.iter().zip(markers) {
            let task_box = match item.checked {
                Some(true) => "[x] ",
                Some(false) => "[ ] ",
                None => "",
            };
            let first = format!("{marker} {task_box}");
            let indent = display_width(&first);
            let body = self.blocks(&item.blocks, width.inset(indent));
            if loose && !out.is_empty() {
                out.push(String::new());
            }
            if body.is_empty() {
                out.push(first.trim_end().to_string());
            } else {
                out.extend(hang(body, &first, indent));
            }
        }
        out
    }

    /// Each term on its own line, its definitions indented below it.
    fn definitions(&mut self, items: &'a [DefinitionItem], width: Width) -> Vec<String> {
        let mut out = Vec::new();
        for item in items {
            if !out.is_empty() {
                out.push(String::new());
            }
            out.extend(self.paragraph(&item.term, width));
            for (i, definition) in item.definitions.iter().enumerate() {
                let body = self.blocks(definition, width.inset(DEFINITION_INDENT));
                if body.is_empty() {
                    continue;
                }
                if i > 0 {
                    out.push(String::new());
                }
                let pad = " ".repeat(DEFINITION_INDENT);
                out.extend(body.into_iter().map(|line| {
                    if line.is_empty() {
                        line
                    } else {
                        format!("{pad}{line}")
                    }
                }));
            }
        }
        out
    }
}

/// Lines of verbatim text without the final newline (and without `\r` of CRLF endings).
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    let empty = text.is_empty();
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(move |_| !empty)
}

/// `first` before the first line, `indent` spaces before the others (blank lines stay blank).
pub(crate) fn hang(lines: Vec<String>, first: &str, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                format!("{first}{line}")
            } else if line.is_empty() {
                line
            } else {
                format!("{pad}{line}")
            }
        })
        .collect()
}

/// Every line behind `> `; blank lines become `>` so the quote reads as one.
fn quote(lines: Vec<String>) -> Vec<String> {
    lines
        .into_iter()
        .map(|line| {
            if line.is_empty() {
                ">".to_string()
            } else {
                format!("> {line}")
            }
        })
        .collect()
}
