//! The document model written out as Typst markup.
//!
//! Structure becomes Typst function calls (`#list(..)`, `#table(..)`, `#footnote[..]`); every
//! piece of user text becomes a string literal (see [`crate::typst_syntax`]). Each model level
//! adds at most four levels of Typst syntax, so the model's 32 levels stay far below the
//! parser's limit of 256.
//!
//! Typst's layout has a tighter limit: 64 nested show-rule applications, and a nested list costs
//! two of them per level. Containers are therefore charged against [`NESTING_BUDGET`]; once it is
//! spent, deeper lists, quotes, alerts and definition lists are written flat (their text and
//! markers kept, their indentation lost) with one warning, instead of failing the document.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bindery_model::{
    AlertKind, Alignment, Assets, Block, BlockKind, DefinitionItem, Document, Inline, ListDelim,
    ListItem, Span, Table, Target, Warning, plain_text, splice,
};
use typst::foundations::Bytes;
use typst::foundations::Smart;
use typst::visualize::{ImageFormat, RasterImage, SvgImage, VectorFormat};

use crate::budget;
use crate::code;
use crate::targets::{Headings, percent_decode};
use crate::typst_syntax::{string, text};
use crate::world::{MAX_IMAGES, image_path};

/// Show-rule depth the body may use; Typst stops at 64 and the page, paragraph and text rules
/// around the body take a few.
const NESTING_BUDGET: u32 = 54;

/// What one level of a container costs against [`NESTING_BUDGET`] (measured: a list or enum nests
/// two realisation steps deep, a term list nearly four, a block quote or alert slightly fewer than two).
fn nesting_cost(kind: &BlockKind) -> u32 {
    match kind {
        BlockKind::DefinitionList(_) => 4,
        BlockKind::BulletList(_)
        | BlockKind::OrderedList { .. }
        | BlockKind::BlockQuote(_)
        | BlockKind::Alert { .. }
        | BlockKind::Figure { .. } => 2,
        BlockKind::Plain(_)
        | BlockKind::Para(_)
        | BlockKind::Heading { .. }
        | BlockKind::CodeBlock { .. }
        | BlockKind::RawBlock { .. }
        | BlockKind::Table(_)
        | BlockKind::Div { .. }
        | BlockKind::ThematicBreak => 0,
    }
}

/// The body of a document as Typst markup, with the images it refers to.
pub(crate) struct Body {
    /// Markup for everything after the preamble.
    pub(crate) markup: String,
    /// Image `n` must be served at `/img/n`.
    pub(crate) images: Vec<Bytes>,
    /// Dangling links, images that could not be embedded.
    pub(crate) warnings: Vec<Warning>,
    /// Written for a split layout ([`crate::split`]): where in `markup` each chapter starts.
    pub(crate) chapters: Vec<usize>,
    /// Written for a split layout: every heading, with the chapter it is in.
    pub(crate) headings: Vec<HeadingMark>,
}

/// A heading of a body written for a split layout, to lay out again where the table of
/// contents can see it.
pub(crate) struct HeadingMark {
    /// Its markup, `#heading(level: N)[...]<label>`.
    pub(crate) markup: String,
    /// Its level in the markup.
    pub(crate) level: u8,
    /// Its label, when it has one.
    pub(crate) label: Option<String>,
    /// The chapter it is in: 0 before the first, then 1, 2...
    pub(crate) chapter: usize,
}

/// Typst's kinds of figure, each numbered by a counter of its own.
const FIGURE_KINDS: [&str; 3] = ["image", "table", "raw"];

/// Writes the body of `document` (all blocks, minus a first heading folded into the title).
///
/// With `embed_images` off, every image is written as its description (the caller explains why).
///
/// With `split`, the body is written to be laid out a chapter at a time ([`crate::split`]): the
/// top-level level-1 headings start chapters (recorded in [`Body::chapters`]), each chapter
/// starts by setting Typst's figure counters to the figures before it, and an internal link is
/// a placeholder URL ([`crate::split::LINK_PREFIX`] and the label) that the assembly points at
/// its target's page, in whichever chapter it is.
pub(crate) fn body(
    document: &Document,
    headings: &Headings<'_>,
    assets: &Assets,
    offset: u8,
    embed_images: bool,
    split: bool,
) -> Body {
    let mut emitter = Emitter {
        out: String::with_capacity(document.blocks.len() * 256),
        assets,
        headings,
        image_numbers: BTreeMap::new(),
        images: Vec::new(),
        warnings: Vec::new(),
        offset,
        span: None,
        nesting: 0,
        flattened: false,
        embed_images,
        notes: 0,
        deferred_code: Vec::new(),
        split,
        chapter_starts: Vec::new(),
        heading_marks: Vec::new(),
        figures: [0; 3],
    };
    let blocks = if headings.title_folded {
        &document.blocks[1..]
    } else {
        &document.blocks[..]
    };
    if split {
        // Chapters are runs of top-level blocks, each from a level-1 heading to the next.
        for run in blocks.chunk_by(|_, next| !starts_chapter(next)) {
            if starts_chapter(&run[0]) {
                emitter.start_chapter();
            }
            emitter.blocks(run);
        }
    } else {
        emitter.blocks(blocks);
    }
    let code = emitter.written_code();
    let chapters = chapter_offsets(&emitter.chapter_starts, &code);
    Body {
        markup: splice(&emitter.out, &code),
        images: emitter.images,
        warnings: emitter.warnings,
        chapters,
        headings: emitter.heading_marks,
    }
}

/// Whether a top-level block starts a chapter: a level-1 heading.
pub(crate) fn starts_chapter(block: &Block) -> bool {
    matches!(block.kind, BlockKind::Heading { level: 1, .. })
}

/// Chapter starts in the markup before the code blocks are spliced in, moved to where they are
/// after: a code block deferred at a chapter's start belongs to the chapter before.
fn chapter_offsets(starts: &[usize], code: &[(usize, String)]) -> Vec<usize> {
    let mut code = code.iter().peekable();
    let mut before = 0;
    starts
        .iter()
        .map(|&start| {
            while let Some((_, written)) = code.next_if(|(at, _)| *at <= start) {
                before += written.len();
            }
            start + before
        })
        .collect()
}

/// A code block as it is spliced into the markup, highlighted.
fn written_code(lang: Option<&str>, code: &str, label: Option<&str>) -> String {
    let mut out = String::new();
    code::code_block(&mut out, lang, code);
    // A label right after the block's closing parenthesis or backticks names it.
    if let Some(label) = label {
        out.truncate(out.trim_end().len());
        let _ = write!(out, "<{label}>\n\n");
    }
    out
}

/// The kind Typst gives a figure (`figure.kind: auto`): that of the first image, table or
/// code in it, else image. An index into [`FIGURE_KINDS`].
fn figure_kind(blocks: &[Block]) -> usize {
    let mut kind = None;
    bindery_model::for_each_block(blocks, &mut |block| {
        if kind.is_some() {
            return;
        }
        match &block.kind {
            BlockKind::Table(_) => kind = Some(1),
            BlockKind::CodeBlock { .. } | BlockKind::RawBlock { .. } => kind = Some(2),
            _ => block.for_each_own_inlines(&mut |inlines| {
                for inline in inlines {
                    if kind.is_none() {
                        kind = match inline {
                            Inline::Image { .. } => Some(0),
                            Inline::Code(_) => Some(2),
                            _ => None,
                        };
                    }
                }
            }),
        }
    });
    kind.unwrap_or(0)
}

struct Emitter<'a> {
    out: String,
    assets: &'a Assets,
    headings: &'a Headings<'a>,
    /// Image URL -> its number, so an image used twice is embedded once.
    image_numbers: BTreeMap<&'a str, usize>,
    images: Vec<Bytes>,
    warnings: Vec<Warning>,
    offset: u8,
    /// The innermost block with a source position, for warnings.
    span: Option<Span>,
    /// Budget spent by the containers around the current block.
    nesting: u32,
    /// Whether the flattening warning was given.
    flattened: bool,
    embed_images: bool,
    /// Footnotes written so far: the next one's number less one.
    notes: u64,
    /// Code blocks to write once the rest is: where in `out` each goes, its language and text.
    /// Written last, by [`Emitter::written_code`].
    deferred_code: Vec<(usize, Option<&'a str>, &'a str, Option<&'a str>)>,
    /// Writing for a split layout (see [`body`]).
    split: bool,
    /// Where in `out` each chapter starts, before the code is spliced in.
    chapter_starts: Vec<usize>,
    heading_marks: Vec<HeadingMark>,
    /// Figures written so far, by kind ([`FIGURE_KINDS`]).
    figures: [u64; 3],
}

impl<'a> Emitter<'a> {
    /// The deferred code blocks, each highlighted, with where in `out` it goes. Sequential,
    /// as every renderer is (shared/DESIGN.md, point 9): the pipeline's workers are the only
    /// parallelism.
    fn written_code(&self) -> Vec<(usize, String)> {
        self.deferred_code
            .iter()
            .map(|&(at, lang, code, label)| (at, written_code(lang, code, label)))
            .collect()
    }

    /// Starts a chapter of a split layout: its figures are numbered on from the chapters
    /// before, which Typst, laying it out alone, cannot count.
    fn start_chapter(&mut self) {
        self.chapter_starts.push(self.out.len());
        for (kind, count) in FIGURE_KINDS.iter().zip(self.figures) {
            if count > 0 {
                let _ = writeln!(
                    self.out,
                    "#counter(figure.where(kind: {kind})).update({count})"
                );
            }
        }
    }

    fn blocks(&mut self, blocks: &'a [Block]) {
        let mut previous_plain = false;
        for block in blocks {
            // Two tight-list texts in a row would otherwise run into one paragraph.
            if previous_plain && matches!(block.kind, BlockKind::Plain(_) | BlockKind::Para(_)) {
                self.out.push('\n');
            }
            previous_plain = matches!(block.kind, BlockKind::Plain(_));
            self.block(block);
        }
    }

    fn block(&mut self, block: &'a Block) {
        let outer = self.span;
        if block.span.is_some() {
            self.span = block.span;
        }
        let cost = nesting_cost(&block.kind);
        if self.nesting + cost > NESTING_BUDGET {
            self.flat_block(block);
        } else {
            self.nesting += cost;
            self.nested_block(block);
            self.nesting -= cost;
        }
        self.span = outer;
    }

    fn nested_block(&mut self, block: &'a Block) {
        match &block.kind {
            BlockKind::Plain(content) => {
                self.paragraph(content);
                self.out.push('\n');
            }
            BlockKind::Para(content) => {
                match content.as_slice() {
                    [Inline::Image { target, alt }] => self.image(target, alt, true),
                    _ => self.paragraph(content),
                }
                self.out.push_str("\n\n");
            }
            BlockKind::Heading {
                level,
                attr,
                content,
            } => {
                let level = (*level).clamp(1, 6) + self.offset;
                let start = self.out.len();
                let _ = write!(self.out, "#heading(level: {level})[");
                self.inlines(content);
                self.out.push(']');
                let label = self.headings.label(&attr.id);
                if let Some(label) = label {
                    let _ = write!(self.out, "<{label}>");
                }
                if self.split {
                    self.heading_marks.push(HeadingMark {
                        markup: self.out[start..].to_string(),
                        level,
                        label: label.map(str::to_string),
                        chapter: self.chapter_starts.len(),
                    });
                }
                self.out.push_str("\n\n");
            }
            BlockKind::CodeBlock { lang, text, .. } => self.deferred_code.push((
                self.out.len(),
                lang.as_deref(),
                text.strip_suffix('\n').unwrap_or(text),
                block.anchor_id().and_then(|id| self.headings.label(id)),
            )),
            BlockKind::RawBlock { text, .. } => {
                // Raw content for another format is shown as its source text, never interpreted.
                code::code_block(&mut self.out, None, text.strip_suffix('\n').unwrap_or(text));
            }
            // A container's blocks, as they are: no Typst container, so no nesting cost.
            BlockKind::Div { blocks, .. } => self.blocks(blocks),
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                // Typst numbers it ("Figure 1") and sets the caption below.
                self.figures[figure_kind(blocks)] += 1;
                self.out.push_str("#figure([\n");
                self.blocks(blocks);
                self.out.push(']');
                if !caption.is_empty() {
                    self.out.push_str(", caption: [");
                    self.inlines(caption);
                    self.out.push(']');
                }
                self.out.push_str(")\n\n");
            }
            BlockKind::BlockQuote(children) => {
                self.out.push_str("#quote(block: true)[\n");
                self.blocks(children);
                self.out.push_str("]\n\n");
            }
            BlockKind::Alert {
                kind,
                title,
                blocks,
            } => {
                self.out.push_str("#bindery-alert(");
                string(
                    &mut self.out,
                    title.as_deref().unwrap_or(kind.default_title()),
                );
                let _ = writeln!(self.out, ", rgb(\"{}\"))[", alert_colour(*kind));
                self.blocks(blocks);
                self.out.push_str("]\n\n");
            }
            BlockKind::BulletList(items) => {
                let _ = write!(self.out, "#list(tight: {}", is_tight(items));
                // A task list's boxes are its markers, as on GitHub.
                if items.iter().all(|item| item.checked.is_some()) {
                    self.out.push_str(", marker: []");
                }
                self.list_items(items);
                self.out.push_str(")\n\n");
            }
            BlockKind::OrderedList {
                start,
                delim,
                items,
            } => {
                let numbering = match delim {
                    ListDelim::Period => "1.",
                    ListDelim::Paren => "1)",
                };
                let _ = write!(
                    self.out,
                    "#enum(tight: {}, start: {}, numbering: \"{numbering}\"",
                    is_tight(items),
                    (*start).min(i64::MAX as u64),
                );
                self.list_items(items);
                self.out.push_str(")\n\n");
            }
            BlockKind::DefinitionList(items) => self.definitions(items),
            BlockKind::Table(table) => {
                self.table(table);
                if let Some(label) = block.anchor_id().and_then(|id| self.headings.label(id)) {
                    self.out.truncate(self.out.trim_end().len());
                    let _ = write!(self.out, "<{label}>\n\n");
                }
            }
            BlockKind::ThematicBreak => self.out.push_str("#divider()\n\n"),
        }
    }

    /// A container written without its Typst container, once the nesting budget is spent:
    /// markers, titles and terms become text at the start of paragraphs.
    fn flat_block(&mut self, block: &'a Block) {
        if !self.flattened {
            self.flattened = true;
            self.warnings.push(
                Warning::new(
                    "structure nested too deep for PDF layout is shown without indentation",
                    self.span,
                )
                .with_hint("lists, quotes and alerts this deep keep their text and markers"),
            );
        }
        match &block.kind {
            BlockKind::BlockQuote(children) => self.blocks(children),
            BlockKind::Alert {
                kind,
                title,
                blocks,
            } => {
                self.out.push_str("#strong[");
                text(
                    &mut self.out,
                    title.as_deref().unwrap_or(kind.default_title()),
                );
                self.out.push_str("]\n\n");
                self.blocks(blocks);
            }
            BlockKind::BulletList(items) => {
                for item in items {
                    self.flat_item("\u{2022} ", item);
                }
            }
            BlockKind::OrderedList {
                start,
                delim,
                items,
            } => {
                let close = match delim {
                    ListDelim::Period => '.',
                    ListDelim::Paren => ')',
                };
                for (n, item) in items.iter().enumerate() {
                    let number = start.saturating_add(n as u64);
                    self.flat_item(&format!("{number}{close} "), item);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    self.out.push_str("#strong[");
                    self.inlines(&item.term);
                    self.out.push_str("]\n\n");
                    for definition in &item.definitions {
                        self.blocks(definition);
                    }
                }
            }
            BlockKind::Figure {
                blocks, caption, ..
            } => {
                self.blocks(blocks);
                if !caption.is_empty() {
                    self.out.push_str("#emph[");
                    self.inlines(caption);
                    self.out.push_str("]\n\n");
                }
            }
            BlockKind::Plain(_)
            | BlockKind::Para(_)
            | BlockKind::Heading { .. }
            | BlockKind::CodeBlock { .. }
            | BlockKind::RawBlock { .. }
            | BlockKind::Table(_)
            | BlockKind::Div { .. }
            | BlockKind::ThematicBreak => self.nested_block(block),
        }
    }

    fn flat_item(&mut self, marker: &str, item: &'a ListItem) {
        text(&mut self.out, marker);
        if let Some(done) = item.checked {
            let _ = write!(self.out, "#bindery-task({done})#\" \";");
        }
        self.blocks(&item.blocks);
        self.out.push_str("\n\n");
    }

    fn list_items(&mut self, items: &'a [ListItem]) {
        for item in items {
            self.out.push_str(",\n[");
            if let Some(done) = item.checked {
                let _ = write!(self.out, "#bindery-task({done})#\" \";");
            }
            self.blocks(&item.blocks);
            self.out.push(']');
        }
    }

    fn definitions(&mut self, items: &'a [DefinitionItem]) {
        self.out.push_str("#terms(tight: false");
        for item in items {
            self.out.push_str(",\nterms.item([");
            self.inlines(&item.term);
            self.out.push_str("], [");
            for (n, definition) in item.definitions.iter().enumerate() {
                if n > 0 {
                    self.out.push_str("\n\n");
                }
                self.blocks(definition);
            }
            self.out.push_str("])");
        }
        self.out.push_str(")\n\n");
    }

    fn table(&mut self, table: &'a Table) {
        let columns = table
            .aligns
            .len()
            .max(table.head.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let _ = write!(self.out, "#table(columns: {columns}, align: (");
        for n in 0..columns {
            let align = match table.aligns.get(n).copied().unwrap_or_default() {
                Alignment::Default => "start",
                Alignment::Left => "left",
                Alignment::Center => "center",
                Alignment::Right => "right",
            };
            let _ = write!(self.out, "{align}, ");
        }
        // The rules above and below the header are lines of the header (so they repeat with
        // it on a new page), and its cells are bold by their own markup: a stroke function
        // called per cell and a `show table.cell.where(y: 0)` rule matched against every
        // cell cost the benchmark book's 50,000 cells a fifth of its table layout.
        self.out
            .push_str("),\ntable.header(table.hline(stroke: 0.8pt), ");
        self.header_row(&table.head, columns);
        self.out.push_str(", table.hline(stroke: 0.5pt))");
        for row in &table.rows {
            self.out.push_str(",\n");
            self.row(row, columns);
        }
        self.out.push_str(",\ntable.hline(stroke: 0.8pt))\n\n");
    }

    /// The header row: [`Self::row`] with each cell bold.
    fn header_row(&mut self, cells: &'a [Vec<Inline>], columns: usize) {
        for n in 0..columns {
            if n > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str("text(weight: \"bold\")[");
            if let Some(cell) = cells.get(n) {
                self.inlines(cell);
            }
            self.out.push(']');
        }
    }

    /// One row, padded with empty cells so every row spans all columns.
    fn row(&mut self, cells: &'a [Vec<Inline>], columns: usize) {
        for n in 0..columns {
            if n > 0 {
                self.out.push_str(", ");
            }
            self.out.push('[');
            if let Some(cell) = cells.get(n) {
                self.inlines(cell);
            }
            self.out.push(']');
        }
    }

    /// A paragraph's content; one dense with separately set pieces (links, code, emphasis,
    /// breakable long runs) is broken into lines first-fit (see [`budget::is_dense`]).
    fn paragraph(&mut self, content: &'a [Inline]) {
        let dense = budget::is_dense(content);
        if dense {
            self.out.push_str("#[#set par(linebreaks: \"simple\")\n");
        }
        self.inlines(content);
        if dense {
            self.out.push(']');
        }
    }

    fn inlines(&mut self, inlines: &'a [Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &'a Inline) {
        match inline {
            Inline::Text(s) => text(&mut self.out, s),
            Inline::SoftBreak => self.out.push(' '),
            Inline::LineBreak => self.out.push_str("#linebreak();"),
            Inline::Emph(content) => self.wrapped("emph", content),
            Inline::Strong(content) => self.wrapped("strong", content),
            Inline::Strikeout(content) => self.wrapped("strike", content),
            Inline::Subscript(content) => self.wrapped("sub", content),
            Inline::Superscript(content) => self.wrapped("super", content),
            Inline::Mark(content) => self.wrapped("highlight", content),
            Inline::Underline(content) => self.wrapped("underline", content),
            Inline::Keyboard(content) => {
                // A key cap: monospace in a thin rounded frame, on the line's baseline.
                let _ = write!(
                    self.out,
                    "#box(stroke: 0.5pt + luma(120), radius: 2pt, inset: (x: 2.5pt), \
                     outset: (y: 2.5pt), fill: luma(245), text(font: \"{}\", size: 0.9em)[",
                    crate::fonts::MONO_FAMILY
                );
                self.inlines(content);
                self.out.push_str("]);");
            }
            Inline::Span { content, .. } => self.inlines(content),
            Inline::Code(code) => {
                self.out.push('#');
                code::inline_raw(&mut self.out, None, code);
                self.out.push(';');
            }
            Inline::Link {
                target, content, ..
            } => self.link(target, content),
            Inline::Image { target, alt } => self.image(target, alt, false),
            Inline::Raw { text: raw, .. } => text(&mut self.out, raw),
            Inline::Math { display, tex, span } => match crate::math::to_typst(tex, *display) {
                // `$x$` is inline in Typst, `$ x $` a centred block of its own.
                Ok(body) if *display => {
                    let _ = write!(self.out, "$ {body} $");
                }
                // Trimmed: with a space at both ends Typst would make it a block (an empty
                // first cell of an inline `aligned` starts it with one).
                Ok(body) => {
                    let _ = write!(self.out, "${}$", body.trim());
                }
                Err(message) => {
                    self.warnings.push(
                        Warning::new(message, span.or(self.span))
                            .of_kind(bindery_model::WarningKind::Math),
                    );
                    self.math_source(*display, tex);
                }
            },
            Inline::Note(blocks) => {
                // The number is written out rather than left to Typst's footnote counter: a
                // counter is only known after a layout pass, so the first pass set every marker
                // with a placeholder and the next re-laid out (and re-paginated) the document
                // twice more, which made a 1,600-footnote book three times slower. Notes are
                // numbered in document order, a note inside a note right after its parent.
                self.notes += 1;
                let _ = write!(
                    self.out,
                    "#footnote(numbering: (..) => \"{}\")[",
                    self.notes
                );
                self.blocks(blocks);
                self.out.push(']');
            }
        }
    }

    fn wrapped(&mut self, function: &str, content: &'a [Inline]) {
        let _ = write!(self.out, "#{function}[");
        self.inlines(content);
        self.out.push(']');
    }

    /// TeX that could not be typeset, shown as its source in the code font where it stood.
    fn math_source(&mut self, display: bool, tex: &str) {
        self.out.push('#');
        if display {
            self.out.push_str("bindery-display-math(");
        }
        code::inline_raw(&mut self.out, Some("latex"), tex);
        if display {
            self.out.push(')');
        }
        self.out.push(';');
    }

    fn link(&mut self, target: &'a Target, content: &'a [Inline]) {
        let url = target.url.as_str();
        if let Some(fragment) = url.strip_prefix('#') {
            let label = self
                .headings
                .label(fragment)
                .or_else(|| self.headings.label(&percent_decode(fragment)));
            match label {
                Some(label) => {
                    if self.split {
                        // Its target may be in another chapter's layout: the assembly
                        // resolves it.
                        self.out.push_str("#link(");
                        string(
                            &mut self.out,
                            &format!("{}{label}", crate::split::LINK_PREFIX),
                        );
                        self.out.push_str(")[");
                    } else {
                        let _ = write!(self.out, "#link(<{label}>)[");
                    }
                    self.inlines(content);
                    self.out.push(']');
                }
                None => {
                    // Typst aborts on a link to a missing label; keep the words, drop the link.
                    self.warnings.push(
                        Warning::new(
                            format!("link to `{url}` has no matching heading; shown as plain text"),
                            target.span.or(self.span),
                        )
                        .of_kind(bindery_model::WarningKind::BrokenLink)
                        .with_hint("check the heading's id, e.g. `#my-heading` for `# My Heading`"),
                    );
                    self.inlines(content);
                }
            }
            return;
        }
        // Typst refuses empty and over-long URLs; such a link keeps its words.
        if url.is_empty() || url.len() > 8000 {
            self.inlines(content);
            return;
        }
        self.out.push_str("#link(");
        string(&mut self.out, url);
        self.out.push_str(")[");
        self.inlines(content);
        self.out.push(']');
    }

    /// An image from the pipeline's assets; `block` when it stands alone in its paragraph.
    fn image(&mut self, target: &'a Target, alt: &'a [Inline], block: bool) {
        let alt_text = plain_text(alt);
        let Some(number) = self.image_number(&target.url) else {
            // Shown as its description, so the reader still learns what was there.
            self.out.push_str("#emph[");
            text(&mut self.out, &format!("[{}]", alt_text.trim()));
            self.out.push(']');
            return;
        };
        // An author's `width`/`height` in CSS pixels (0.75 pt each), for an image alone in its
        // paragraph; never wider than the column (`layout` gives its width).
        let size = |name: &str| {
            target
                .attr
                .as_deref()?
                .attrs
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.parse::<u32>().ok())
                .map(|px| f64::from(px) * 0.75)
        };
        let sized = block && (size("width").is_some() || size("height").is_some());
        if sized {
            self.out.push_str("#align(center, layout(size => image(");
        } else if block {
            self.out.push_str("#align(center, image(");
        } else {
            self.out.push_str("#box(image(");
        }
        string(&mut self.out, &image_path(number));
        if !alt_text.trim().is_empty() {
            self.out.push_str(", alt: ");
            string(&mut self.out, alt_text.trim());
        }
        if sized {
            match (size("width"), size("height")) {
                (Some(width), _) => {
                    let _ = write!(self.out, ", width: calc.min({width}pt, size.width)");
                }
                (None, Some(height)) => {
                    let _ = write!(self.out, ", height: {height}pt");
                }
                (None, None) => {}
            }
            self.out.push(')');
        }
        self.out.push_str("));");
    }

    /// The number of the image at `url`, embedding it on first use; `None` (with a warning) when
    /// the pipeline did not load it or Typst cannot decode its format.
    fn image_number(&mut self, url: &'a str) -> Option<usize> {
        if !self.embed_images {
            return None;
        }
        if let Some(&number) = self.image_numbers.get(url) {
            return Some(number);
        }
        let problem = match self.assets.get(url) {
            None => "was not loaded".to_string(),
            Some(_) if self.images.len() >= MAX_IMAGES => {
                "is beyond the per-document image limit".to_string()
            }
            Some(asset) => {
                let bytes = Bytes::new(asset.data.clone());
                match ImageFormat::detect(&asset.data) {
                    None => "is not a PNG, JPEG, GIF, WebP, SVG or PDF image".to_string(),
                    Some(format) => match decode_problem(&bytes, format) {
                        Some(why) => format!("cannot be decoded ({why})"),
                        None => {
                            let number = self.images.len();
                            self.images.push(bytes);
                            self.image_numbers.insert(url, number);
                            return Some(number);
                        }
                    },
                }
            }
        };
        self.warnings.push(
            Warning::new(
                format!("image `{url}` {problem}; its description is shown instead"),
                self.span,
            )
            .of_kind(bindery_model::WarningKind::Image),
        );
        None
    }
}

/// Why Typst cannot decode an image, asked of the decoders Typst itself uses, so that one bad
/// image (a truncated PNG) is shown as its description alone instead of failing the whole
/// typesetting. Raster decoding is memoised by Typst on the same arguments, so the
/// typesetting that follows reuses the decoded image rather than decoding it again.
fn decode_problem(data: &Bytes, format: ImageFormat) -> Option<String> {
    match format {
        ImageFormat::Raster(format) => RasterImage::new(data.clone(), format, Smart::Auto)
            .err()
            .map(|e| e.to_string()),
        ImageFormat::Vector(VectorFormat::Svg) => {
            SvgImage::new(data.clone()).err().map(|e| format!("{e:?}"))
        }
        ImageFormat::Vector(VectorFormat::Pdf) => None,
    }
}

/// A list is tight when its items hold plain text rather than paragraphs.
fn is_tight(items: &[ListItem]) -> bool {
    items.iter().all(|item| {
        !matches!(
            item.blocks.first().map(|b| &b.kind),
            Some(BlockKind::Para(_))
        )
    })
}

/// GitHub's alert colours, darkened slightly for print.
fn alert_colour(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Note => "#0969da",
        AlertKind::Tip => "#1a7f37",
        AlertKind::Important => "#8250df",
        AlertKind::Warning => "#9a6700",
        AlertKind::Caution => "#cf222e",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery_model::build::{heading, link, para, strong, text as t};

    fn markup(blocks: Vec<Block>) -> String {
        let document = Document {
            meta: Default::default(),
            blocks,
        };
        let headings = Headings::new(&document);
        body(&document, &headings, &Assets::new(), 0, true, false).markup
    }

    #[test]
    fn text_is_always_a_string_literal() {
        let out = markup(vec![para(vec![
            t("#read(\"/etc/passwd\") $x$ ] <l> @r "),
            strong(vec![t("*b*")]),
        ])]);
        assert_eq!(
            out,
            "#\"#read(\\\"/etc/passwd\\\") $x$ ] <l> @r \";#strong[#\"*b*\";]\n\n"
        );
    }

    #[test]
    fn footnotes_carry_their_numbers_in_document_order() {
        let note = |blocks| Inline::Note(blocks);
        let out = markup(vec![
            para(vec![
                t("a"),
                note(vec![para(vec![
                    t("one"),
                    note(vec![para(vec![t("nested")])]),
                ])]),
            ]),
            para(vec![t("b"), note(vec![para(vec![t("three")])])]),
        ]);
        let numbers: Vec<&str> = out
            .split("#footnote(numbering: (..) => \"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(numbers, ["1", "2", "3"]);
        assert!(out.find("\"one\"").unwrap() < out.find("\"nested\"").unwrap());
    }

    #[test]
    fn internal_links_resolve_or_fall_back_to_text() {
        let document = Document {
            meta: Default::default(),
            blocks: vec![
                heading(2, "tables", vec![t("Tables")]),
                para(vec![
                    link("#tables", vec![t("ok")]),
                    link("#nowhere", vec![t("gone")]),
                ]),
            ],
        };
        let headings = Headings::new(&document);
        let out = body(&document, &headings, &Assets::new(), 0, true, false);
        assert!(out.markup.contains("#heading(level: 2)[#\"Tables\";]<h0>"));
        assert!(out.markup.contains("#link(<h0>)[#\"ok\";]"));
        assert!(out.markup.contains("#\"gone\";"));
        assert_eq!(out.warnings.len(), 1);
    }
}
