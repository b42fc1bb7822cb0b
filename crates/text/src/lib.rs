//! bindery's plain-text writer: the last step of the pipeline for `.txt` downloads.
//!
//! `bindery-markdown` reads a [`Document`]; [`render`] turns it into UTF-8 text that reads well
//! in a terminal or a mail client: paragraphs wrapped at [`Options::columns`] by display width,
//! no markup noise, and nothing lost. The choices, after pandoc's plain writer:
//!
//! - Title block from the metadata (title underlined with `=`, subtitle, authors, date); a
//!   first level-1 heading repeating the title is not printed twice.
//! - Headings: level 1 underlined with `=`, level 2 with `-`, deeper ones prefixed `### `.
//! - Emphasis and strong emphasis are their plain text; strikethrough keeps `~~x~~`, since its
//!   meaning would otherwise be inverted; inline code keeps its backticks, so `cargo test` is
//!   told apart from prose; math is its TeX source between `$` or `$$`.
//! - Links: `text [1]`, with a numbered `Links` section at the end; a URL gets one number
//!   however often it is linked. Autolinks, and links whose text is their URL, are written
//!   once inline and get no number; `mailto:` shows the address. Links to `#fragment`s inside
//!   the document are their text alone. Images are `[image: alt]`, numbered like links when
//!   their source is remote.
//! - Footnotes: `[^1]` after the word (a caret, so they never read as link numbers), and a
//!   `Notes` section before `Links`. Links in notes are numbered after the body's.
//! - Lists hang their wrapped lines under the item text; loose lists keep blank lines between
//!   items. Quotes and alerts prefix every line with `> `. Code blocks are indented by four
//!   spaces and never wrapped. Tables are aligned by display width and may exceed the line.
//! - Thematic breaks are a centred `* * *`.
//!
//! The output ends with exactly one newline (an empty document is the empty string), no line
//! has trailing spaces, and control characters other than tab are replaced by U+FFFD so a
//! document cannot drive the terminal it is `cat` to.

mod block;
mod inline;
mod table;
mod wrap;

use std::collections::BTreeMap;

use bindery_model::{BlockKind, Document, Warned, Warning, plain_text};

use crate::wrap::{Flow, RunKind, Width, display_width};

/// How the text is laid out.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wrap paragraphs at this many display columns; `0` turns wrapping off (each paragraph is
    /// one line). Code blocks, tables and words longer than a line are never broken.
    pub columns: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { columns: 72 }
    }
}

/// Renders a document as plain text.
///
/// Pure and deterministic. Warnings report anything changed to keep the text safe to display.
/// Raw HTML still in the document (`--raw-html keep`) is shown as the sanitize policy reads
/// it ([`bindery_model::raw_html_as_nodes`]): H₂O, not `H<sub>2</sub>O`.
pub fn render(document: &Document, options: &Options) -> Warned<String> {
    let converted = bindery_model::raw_html_as_nodes(document);
    let document = converted.as_ref().unwrap_or(document);
    let width = Width((options.columns > 0).then_some(options.columns));
    let mut writer = Writer::default();

    let (title, blocks) = title_block(document, width);
    let body = writer.blocks(blocks, width);
    let notes = writer.notes_section(width);
    let links = writer.links_section();

    let mut lines: Vec<String> = Vec::new();
    for part in [title, body, notes, links] {
        if part.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(part);
    }

    let mut output = String::new();
    for line in &lines {
        output.push_str(line.trim_end_matches([' ', '\t']));
        output.push('\n');
    }
    let warnings = replace_control_characters(&mut output)
        .into_iter()
        .collect();
    Warned { output, warnings }
}

/// State carried through one document: the links and notes met so far, in order.
#[derive(Debug, Default)]
struct Writer<'a> {
    /// URLs by their number minus one.
    links: Vec<&'a str>,
    numbers: BTreeMap<&'a str, usize>,
    /// Note contents by their number minus one; rendering a note may append more.
    notes: Vec<&'a [bindery_model::Block]>,
}

impl<'a> Writer<'a> {
    /// The number of a URL in the links list, giving it the next one on first sight.
    fn link_number(&mut self, url: &'a str) -> usize {
        if let Some(&n) = self.numbers.get(url) {
            return n;
        }
        self.links.push(url);
        let n = self.links.len();
        self.numbers.insert(url, n);
        n
    }

    /// Each note with a hanging `[^n] ` marker; notes met while rendering notes come after.
    fn notes_section(&mut self, width: Width) -> Vec<String> {
        let mut out = Vec::new();
        let mut index = 0;
        while let Some(&blocks) = self.notes.get(index) {
            index += 1;
            let marker = format!("[^{index}] ");
            let indent = display_width(&marker);
            let body = self.blocks(blocks, width.inset(indent));
            if !out.is_empty() {
                out.push(String::new());
            }
            if body.is_empty() {
                // An empty note still answers the marker that points to it.
                out.push(marker.trim_end().to_string());
            } else {
                out.extend(block::hang(body, &marker, indent));
            }
        }
        if out.is_empty() {
            return out;
        }
        let mut section = underlined("Notes", '-');
        section.push(String::new());
        section.extend(out);
        section
    }

    fn links_section(&self) -> Vec<String> {
        if self.links.is_empty() {
            return Vec::new();
        }
        let mut section = underlined("Links", '-');
        section.push(String::new());
        for (i, url) in self.links.iter().enumerate() {
            section.push(format!("[{}] {url}", i + 1));
        }
        section
    }
}

/// The lines of a heading underlined to the display width of its longest line.
fn underlined(text: &str, rule: char) -> Vec<String> {
    let mut flow = Flow::default();
    flow.push(RunKind::Prose, text);
    underline(flow.wrap(Width(None)), rule)
}

fn underline(mut lines: Vec<String>, rule: char) -> Vec<String> {
    let width = lines.iter().map(|l| display_width(l)).max().unwrap_or(0);
    if width > 0 {
        lines.push(rule.to_string().repeat(width));
    }
    lines
}

/// The title block, and the body without a first heading that only repeats the title.
fn title_block(document: &Document, width: Width) -> (Vec<String>, &[bindery_model::Block]) {
    let meta = &document.meta;
    let mut blocks = document.blocks.as_slice();
    let mut lines = Vec::new();
    let wrapped = |text: &str| {
        let mut flow = Flow::default();
        flow.push(RunKind::Prose, text);
        flow.wrap(width)
    };
    if let Some(title) = meta.title.as_deref().filter(|t| !t.trim().is_empty()) {
        lines.extend(underline(wrapped(title), '='));
        if let Some((first, rest)) = blocks.split_first()
            && let BlockKind::Heading {
                level: 1, content, ..
            } = &first.kind
            && plain_text(content).trim() == title.trim()
            && !inline::refers_elsewhere(content)
        {
            blocks = rest;
        }
    }
    for line in [
        meta.subtitle.clone(),
        Some(meta.authors.join(", ")),
        meta.date.clone(),
    ]
    .into_iter()
    .flatten()
    {
        lines.extend(wrapped(&line));
    }
    (lines, blocks)
}

/// Replaces C0 and C1 control characters (except tab) and DEL with U+FFFD.
///
/// Text files are read with `cat` and `less -R`: an escape sequence in a document must not
/// reach the terminal.
fn replace_control_characters(output: &mut String) -> Option<Warning> {
    let is_control = |c: char| c.is_control() && c != '\t' && c != '\n';
    if !output.contains(is_control) {
        return None;
    }
    *output = output
        .chars()
        .map(|c| if is_control(c) { '\u{fffd}' } else { c })
        .collect();
    Some(
        Warning::new(
            "control characters were replaced by U+FFFD in the text output",
            None,
        )
        .of_kind(bindery_model::WarningKind::Repaired)
        .with_hint("remove escape and other control characters from the source"),
    )
}
