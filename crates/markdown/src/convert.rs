//! comrak's arena tree into the owned model, without recursion.
//!
//! The walk keeps its own stack of open nodes, so input nested 10,000 levels deep converts on a
//! small thread stack; `limit_depth` then bounds the result. Footnote definitions are converted
//! at each reference (pandoc's inline `Note`), so a definition referenced twice is copied.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bindery_model::{
    AlertKind, Alignment, Attr, Block, BlockKind, DefinitionItem, Inline, ListDelim, ListItem,
    Span, Table, Target, Warning, plain_text,
};
use comrak::nodes::{AlertType, ListDelimType, ListType, NodeValue, Sourcepos, TableAlignment};
use comrak::{Arena, Node, Options, parse_document};

use crate::Dialect;
use crate::references::Definitions;
use crate::url::dangerous_scheme;

/// How many footnotes may sit inside one another. Each note restarts the model's inline depth
/// count, so a chain of notes citing notes is bounded here, where it is built:
/// `bindery_model::limit_depth` recurses once per note.
const MAX_NOTE_NESTING: usize = 4;

/// The converted body with the warnings found on the way.
pub(crate) struct Converted {
    pub blocks: Vec<Block>,
    pub warnings: Vec<Warning>,
}

/// Parses `body` with comrak and converts the tree into model blocks.
pub(crate) fn convert(body: &str, dialect: Dialect) -> Converted {
    let definitions = Definitions::scan(body);
    let options = comrak_options(dialect, &definitions);
    let arena = Arena::new();
    let root = parse_document(&arena, body, &options);

    let mut converter = Converter::new(root, body);
    let blocks = converter.run(root);
    let mut warnings = converter.warnings;
    // Unreferenced footnotes are found before the walk; report everything in source order.
    warnings.sort_by_key(|w| w.span.map_or((u32::MAX, u32::MAX), |s| (s.line, s.col)));
    warnings.extend(definitions.cap_warning(body.len(), converter.link_bytes));
    Converted { blocks, warnings }
}

/// The parser options for a dialect; see [`Dialect`] for what each turns on.
fn comrak_options(dialect: Dialect, definitions: &Arc<Definitions>) -> Options<'static> {
    let mut options = Options::default();
    // Reference expansion is capped in both dialects; the callback is how the reader notices.
    options.parse.broken_link_callback = Some(definitions.callback());
    match dialect {
        Dialect::Markdown => {
            let ext = &mut options.extension;
            ext.table = true;
            ext.strikethrough = true;
            ext.tasklist = true;
            ext.autolink = true;
            ext.footnotes = true;
            ext.description_lists = true;
            ext.alerts = true;
            ext.math_dollars = true;
            // Definitions stay where they are written: unreferenced ones can then be reported,
            // and referenced ones are skipped in the flow and converted at each reference.
            options.parse.leave_footnote_definitions = true;
        }
        Dialect::CommonMark => {}
    }
    options
}

/// What a converted node contributes to its parent.
enum Built {
    Block(Block),
    Blocks(Vec<Block>),
    Inline(Inline),
    /// Content spliced into the parent: a dropped link's text, a paragraph in a term.
    Inlines(Vec<Inline>),
    Item(ListItem),
    DefinitionItem(DefinitionItem),
    Term(Vec<Inline>),
    Details(Vec<Block>),
    Row {
        header: bool,
        cells: Vec<Vec<Inline>>,
    },
    Cell(Vec<Inline>),
    Nothing,
}

/// A node whose children are being converted.
struct Frame<'a> {
    node: Node<'a>,
    next: Option<Node<'a>>,
    /// Where this node's converted children begin on the converter's shared output stack.
    start: usize,
    /// The span of the nearest block, for warnings about inline content.
    span: Option<Span>,
    /// Set when this frame expands a footnote definition at a reference.
    note: Option<String>,
}

impl<'a> Frame<'a> {
    fn new(node: Node<'a>, start: usize, span: Option<Span>, note: Option<String>) -> Self {
        Self {
            node,
            next: node.first_child(),
            start,
            span,
            note,
        }
    }
}

struct FootnoteDefinition<'a> {
    node: Node<'a>,
    /// True while the definition is being expanded, to catch notes that cite themselves.
    open: bool,
}

struct Converter<'a> {
    /// The byte length of each source line, for spans comrak ends at column 0.
    line_lengths: Vec<usize>,
    /// Converted children of the open frames, innermost last: one buffer for the whole walk
    /// rather than a vector per node.
    out: Vec<Built>,
    /// How many footnote definitions are being expanded; outside them every comrak node is
    /// visited once, so its strings can be moved out instead of copied.
    open_notes: usize,
    footnotes: HashMap<String, FootnoteDefinition<'a>>,
    warnings: Vec<Warning>,
    seen_warnings: HashSet<(Option<Span>, String)>,
    /// Total URL and title bytes of the links and images comrak built.
    link_bytes: usize,
    /// Nodes that may still be converted; footnotes copied at many references draw on it, so
    /// notes citing notes cannot blow up exponentially.
    budget: usize,
    budget_warned: bool,
}

impl<'a> Converter<'a> {
    /// Indexes the footnote definitions and reports the unreferenced ones.
    fn new(root: Node<'a>, body: &str) -> Self {
        let mut converter = Self {
            line_lengths: body.split('\n').map(str::len).collect(),
            out: Vec::new(),
            open_notes: 0,
            footnotes: HashMap::new(),
            warnings: Vec::new(),
            seen_warnings: HashSet::new(),
            link_bytes: 0,
            budget: 0,
            budget_warned: false,
        };
        let mut nodes = 0usize;
        for node in root.descendants() {
            nodes += 1;
            let data = node.data();
            match &data.value {
                NodeValue::FootnoteDefinition(definition) => {
                    if definition.total_references == 0 {
                        converter.warn(
                            format!(
                                "footnote [^{}] is never referenced, so it was left out",
                                definition.name
                            ),
                            Some(converter.span(data.sourcepos)),
                            Some("cite it in the text with [^name], or delete it"),
                        );
                    } else {
                        converter
                            .footnotes
                            .entry(definition.name.clone())
                            .or_insert(FootnoteDefinition { node, open: false });
                    }
                }
                NodeValue::Link(link) | NodeValue::Image(link) => {
                    converter.link_bytes += link.url.len() + link.title.len();
                }
                _ => {}
            }
        }
        converter.budget = nodes.saturating_mul(4).saturating_add(100_000);
        converter
    }

    /// comrak's source position as a model span. Some blocks (description lists) end at
    /// column 0 of the line after them; those end at the end of their last line instead.
    fn span(&self, pos: Sourcepos) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let (mut end_line, mut end_col) = (pos.end.line, pos.end.column);
        if end_col == 0 && end_line > pos.start.line {
            end_line -= 1;
            end_col = self
                .line_lengths
                .get(end_line - 1)
                .map_or(0, |len| *len)
                .max(1);
        }
        Span {
            line: clamp(pos.start.line),
            col: clamp(pos.start.column),
            end_line: clamp(end_line),
            end_col: clamp(end_col),
        }
    }

    fn warn(&mut self, message: String, span: Option<Span>, hint: Option<&str>) {
        // A footnote copied at two references would report its problems twice.
        if self.seen_warnings.insert((span, message.clone())) {
            let mut warning = Warning::new(message, span);
            if let Some(hint) = hint {
                warning = warning.with_hint(hint);
            }
            self.warnings.push(warning);
        }
    }

    fn run(&mut self, root: Node<'a>) -> Vec<Block> {
        let mut stack = vec![Frame::new(root, 0, None, None)];
        loop {
            let top = stack.last_mut().expect("the root frame is popped last");
            if let Some(child) = top.next {
                top.next = child.next_sibling();
                let parent_span = top.span;
                match self.enter(child, parent_span) {
                    Entered::Leaf(built) => self.out.push(built),
                    Entered::Open(frame) => stack.push(frame),
                }
                continue;
            }
            let frame = stack.pop().expect("checked above");
            if let Some(name) = &frame.note {
                self.open_notes -= 1;
                if let Some(definition) = self.footnotes.get_mut(name) {
                    definition.open = false;
                }
            }
            let built = self.finish(frame);
            if stack.is_empty() {
                return collect_blocks(std::iter::once(built));
            }
            self.out.push(built);
        }
    }

    /// Moves the strings out of a text or code block node, when it is visited only once.
    fn take_leaf(&self, node: Node<'a>) -> Option<Built> {
        if self.open_notes > 0 {
            return None;
        }
        let mut data = node.data_mut();
        let own_span = Some(self.span(data.sourcepos));
        match &mut data.value {
            NodeValue::Text(text) => Some(Built::Inline(Inline::Text(
                std::mem::take(text).into_owned(),
            ))),
            NodeValue::CodeBlock(code) => Some(Built::Block(Block {
                kind: BlockKind::CodeBlock {
                    lang: code.info.split_whitespace().next().map(String::from),
                    info: std::mem::take(&mut code.info),
                    text: std::mem::take(&mut code.literal),
                },
                span: own_span,
            })),
            _ => None,
        }
    }

    /// Starts converting `node`: a leaf is converted at once, a container opens a frame.
    fn enter(&mut self, node: Node<'a>, parent_span: Option<Span>) -> Entered<'a> {
        self.budget = self.budget.saturating_sub(1);
        if let Some(built) = self.take_leaf(node) {
            return Entered::Leaf(built);
        }
        let start = self.out.len();
        let data = node.data();
        let own_span = Some(self.span(data.sourcepos));
        let open = |span| Entered::Open(Frame::new(node, start, span, None));
        let leaf = |built| Entered::Leaf(built);
        let block = |kind| {
            Entered::Leaf(Built::Block(Block {
                kind,
                span: own_span,
            }))
        };
        match &data.value {
            // Containers: their children are converted first, then `finish` builds them.
            NodeValue::Document
            | NodeValue::BlockQuote
            | NodeValue::MultilineBlockQuote(_)
            | NodeValue::List(_)
            | NodeValue::Item(_)
            | NodeValue::TaskItem(_)
            | NodeValue::DescriptionList
            | NodeValue::DescriptionItem(_)
            | NodeValue::DescriptionTerm
            | NodeValue::DescriptionDetails
            | NodeValue::Paragraph
            | NodeValue::Heading(_)
            | NodeValue::Table(_)
            | NodeValue::TableRow(_)
            | NodeValue::TableCell
            | NodeValue::Alert(_)
            | NodeValue::Callout(_)
            | NodeValue::CalloutTitle
            | NodeValue::Subtext
            | NodeValue::BlockDirective(_) => open(own_span),
            NodeValue::Emph
            | NodeValue::Strong
            | NodeValue::Strikethrough
            | NodeValue::Highlight
            | NodeValue::Insert
            | NodeValue::Superscript
            | NodeValue::Underline
            | NodeValue::Subscript
            | NodeValue::SpoileredText
            | NodeValue::EscapedTag(_)
            | NodeValue::Escaped
            | NodeValue::Link(_)
            | NodeValue::Image(_)
            | NodeValue::WikiLink(_) => open(parent_span),

            // Leaves.
            NodeValue::Text(text) => leaf(Built::Inline(Inline::Text(text.to_string()))),
            NodeValue::SoftBreak => leaf(Built::Inline(Inline::SoftBreak)),
            NodeValue::LineBreak => leaf(Built::Inline(Inline::LineBreak)),
            NodeValue::Code(code) => leaf(Built::Inline(Inline::Code(code.literal.clone()))),
            NodeValue::HtmlInline(html) | NodeValue::Raw(html) => {
                leaf(Built::Inline(Inline::Raw {
                    format: "html".to_string(),
                    text: html.clone(),
                }))
            }
            NodeValue::Math(math) => leaf(Built::Inline(Inline::Math {
                display: math.display_math,
                tex: math.literal.clone(),
            })),
            NodeValue::CodeBlock(code) => block(BlockKind::CodeBlock {
                lang: code.info.split_whitespace().next().map(String::from),
                info: code.info.clone(),
                text: code.literal.clone(),
            }),
            NodeValue::HtmlBlock(html) => block(BlockKind::RawBlock {
                format: "html".to_string(),
                text: html.literal.clone(),
            }),
            NodeValue::ThematicBreak => block(BlockKind::ThematicBreak),
            // Front matter is split off before parsing; comments are not content.
            NodeValue::FrontMatter(_)
            | NodeValue::CommentInline(_)
            | NodeValue::MultilineComment(_) => leaf(Built::Nothing),
            // Converted where it is referenced, not where it is written.
            NodeValue::FootnoteDefinition(_) => leaf(Built::Nothing),
            NodeValue::FootnoteReference(reference) => {
                let name = reference.name.clone();
                self.enter_note(name, parent_span)
            }
        }
    }

    /// Opens the definition of footnote `name` to be converted in place of its reference.
    fn enter_note(&mut self, name: String, span: Option<Span>) -> Entered<'a> {
        let as_text = |name: &str| Entered::Leaf(Built::Inline(Inline::Text(format!("[^{name}]"))));
        let Some(definition) = self.footnotes.get_mut(&name) else {
            // comrak only builds references to defined notes; keep the text if that changes.
            return as_text(&name);
        };
        if definition.open {
            self.warn(
                format!("footnote [^{name}] cites itself; the inner citation was left as text"),
                span,
                None,
            );
            return as_text(&name);
        }
        if self.open_notes >= MAX_NOTE_NESTING {
            self.warn(
                format!(
                    "footnote [^{name}] is cited inside {MAX_NOTE_NESTING} levels of footnotes; \
                     the citation was left as text"
                ),
                span,
                Some("move the text of nested footnotes into the footnote that cites them"),
            );
            return as_text(&name);
        }
        if self.budget == 0 {
            if !self.budget_warned {
                self.budget_warned = true;
                self.warn(
                    "footnotes cite each other too often to copy each into place; \
                     the remaining citations were left as text"
                        .to_string(),
                    span,
                    Some("avoid footnotes that cite other footnotes"),
                );
            }
            return as_text(&name);
        }
        definition.open = true;
        self.open_notes += 1;
        let node = definition.node;
        let own_span = Some(self.span(node.data().sourcepos));
        Entered::Open(Frame::new(node, self.out.len(), own_span, Some(name)))
    }

    /// Builds a container from its converted children.
    fn finish(&mut self, frame: Frame<'a>) -> Built {
        let Frame {
            node,
            start,
            span: frame_span,
            note,
            ..
        } = frame;
        if note.is_some() {
            return Built::Inline(Inline::Note(collect_blocks(self.out.drain(start..))));
        }
        let data = node.data();
        let own_span = Some(self.span(data.sourcepos));
        let block = |kind| {
            Built::Block(Block {
                kind,
                span: own_span,
            })
        };
        match &data.value {
            NodeValue::Document
            | NodeValue::CalloutTitle
            | NodeValue::BlockDirective(_)
            | NodeValue::FootnoteDefinition(_) => {
                Built::Blocks(collect_blocks(self.out.drain(start..)))
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) | NodeValue::Callout(_) => {
                block(BlockKind::BlockQuote(collect_blocks(
                    self.out.drain(start..),
                )))
            }
            NodeValue::Alert(alert) => block(BlockKind::Alert {
                kind: alert_kind(alert.alert_type),
                title: alert.title.clone(),
                blocks: collect_blocks(self.out.drain(start..)),
            }),
            NodeValue::List(list) => {
                let items = self
                    .out
                    .drain(start..)
                    .filter_map(|built| match built {
                        Built::Item(item) => Some(item),
                        _ => None,
                    })
                    .collect();
                block(match list.list_type {
                    ListType::Bullet => BlockKind::BulletList(items),
                    ListType::Ordered => BlockKind::OrderedList {
                        start: list.start as u64,
                        delim: match list.delimiter {
                            ListDelimType::Period => ListDelim::Period,
                            ListDelimType::Paren => ListDelim::Paren,
                        },
                        items,
                    },
                })
            }
            NodeValue::Item(_) => Built::Item(ListItem {
                checked: None,
                blocks: collect_blocks(self.out.drain(start..)),
            }),
            NodeValue::TaskItem(task) => Built::Item(ListItem {
                checked: Some(task.symbol.is_some()),
                blocks: collect_blocks(self.out.drain(start..)),
            }),
            NodeValue::DescriptionList => block(BlockKind::DefinitionList(
                self.out
                    .drain(start..)
                    .filter_map(|built| match built {
                        Built::DefinitionItem(item) => Some(item),
                        _ => None,
                    })
                    .collect(),
            )),
            NodeValue::DescriptionItem(_) => {
                let mut item = DefinitionItem::default();
                for built in self.out.drain(start..) {
                    match built {
                        Built::Term(term) => {
                            if !item.term.is_empty() && !term.is_empty() {
                                item.term.push(Inline::SoftBreak);
                            }
                            item.term.extend(term);
                        }
                        Built::Details(blocks) => item.definitions.push(blocks),
                        _ => {}
                    }
                }
                Built::DefinitionItem(item)
            }
            NodeValue::DescriptionTerm => {
                // Each paragraph of a term arrives as spliced inlines; a line break joins them.
                let mut term = Vec::new();
                for built in self.out.drain(start..) {
                    if let Built::Inlines(inlines) = built {
                        if !term.is_empty() && !inlines.is_empty() {
                            term.push(Inline::SoftBreak);
                        }
                        for inline in inlines {
                            push_inline(&mut term, inline);
                        }
                    }
                }
                Built::Term(term)
            }
            NodeValue::DescriptionDetails => {
                Built::Details(collect_blocks(self.out.drain(start..)))
            }
            NodeValue::Paragraph => {
                let content = collect_inlines(self.out.drain(start..));
                match paragraph_role(node) {
                    ParagraphRole::Term => Built::Inlines(content),
                    ParagraphRole::Plain => block(BlockKind::Plain(content)),
                    ParagraphRole::Para => block(BlockKind::Para(content)),
                }
            }
            NodeValue::Subtext => block(BlockKind::Para(collect_inlines(self.out.drain(start..)))),
            NodeValue::Heading(heading) => block(BlockKind::Heading {
                level: heading.level,
                attr: Attr::default(),
                content: collect_inlines(self.out.drain(start..)),
            }),
            NodeValue::Table(table) => {
                let mut model = Table {
                    aligns: table.alignments.iter().map(|a| alignment(*a)).collect(),
                    ..Table::default()
                };
                for built in self.out.drain(start..) {
                    if let Built::Row { header, cells } = built {
                        if header && model.head.is_empty() {
                            model.head = cells;
                        } else {
                            model.rows.push(cells);
                        }
                    }
                }
                block(BlockKind::Table(model))
            }
            NodeValue::TableRow(header) => Built::Row {
                header: *header,
                cells: self
                    .out
                    .drain(start..)
                    .filter_map(|built| match built {
                        Built::Cell(cell) => Some(cell),
                        _ => None,
                    })
                    .collect(),
            },
            NodeValue::TableCell => Built::Cell(collect_inlines(self.out.drain(start..))),
            NodeValue::Emph => {
                Built::Inline(Inline::Emph(collect_inlines(self.out.drain(start..))))
            }
            NodeValue::Strong => {
                Built::Inline(Inline::Strong(collect_inlines(self.out.drain(start..))))
            }
            NodeValue::Strikethrough => {
                Built::Inline(Inline::Strikeout(collect_inlines(self.out.drain(start..))))
            }
            // Extensions the reader leaves off; should one appear, its text is kept.
            NodeValue::Highlight
            | NodeValue::Insert
            | NodeValue::Superscript
            | NodeValue::Underline
            | NodeValue::Subscript
            | NodeValue::SpoileredText
            | NodeValue::EscapedTag(_)
            | NodeValue::Escaped => Built::Inlines(collect_inlines(self.out.drain(start..))),
            NodeValue::Link(link) => {
                let content = collect_inlines(self.out.drain(start..));
                let url = link.url.clone();
                let title = link.title.clone();
                self.link(url, title, content, frame_span)
            }
            NodeValue::WikiLink(link) => {
                let content = collect_inlines(self.out.drain(start..));
                let url = link.url.clone();
                self.link(url, String::new(), content, frame_span)
            }
            NodeValue::Image(link) => {
                let alt = collect_inlines(self.out.drain(start..));
                if let Some(scheme) = dangerous_scheme(&link.url) {
                    self.warn_dropped(scheme, "image", frame_span);
                    return Built::Inline(Inline::Text(plain_text(&alt)));
                }
                Built::Inline(Inline::Image {
                    target: Target {
                        url: link.url.clone(),
                        title: link.title.clone(),
                    },
                    alt,
                })
            }
            // Leaves never open a frame.
            NodeValue::FrontMatter(_)
            | NodeValue::CodeBlock(_)
            | NodeValue::HtmlBlock(_)
            | NodeValue::ThematicBreak
            | NodeValue::Text(_)
            | NodeValue::SoftBreak
            | NodeValue::LineBreak
            | NodeValue::Code(_)
            | NodeValue::HtmlInline(_)
            | NodeValue::Raw(_)
            | NodeValue::FootnoteReference(_)
            | NodeValue::Math(_)
            | NodeValue::CommentInline(_)
            | NodeValue::MultilineComment(_) => Built::Nothing,
        }
    }

    fn link(
        &mut self,
        url: String,
        title: String,
        content: Vec<Inline>,
        span: Option<Span>,
    ) -> Built {
        if let Some(scheme) = dangerous_scheme(&url) {
            self.warn_dropped(scheme, "link", span);
            return Built::Inlines(content);
        }
        let autolink = is_autolink(&url, &content);
        Built::Inline(Inline::Link {
            target: Target { url, title },
            content,
            autolink,
        })
    }

    fn warn_dropped(&mut self, scheme: &str, what: &str, span: Option<Span>) {
        let kept = if what == "image" {
            "its alt text"
        } else {
            "its text"
        };
        self.warn(
            format!("dropped a {scheme}: {what}, keeping {kept}"),
            span,
            Some("javascript:, vbscript:, file: and data: URLs (other than data:image/png, gif, jpeg and webp) are never linked"),
        );
    }
}

enum Entered<'a> {
    Leaf(Built),
    Open(Frame<'a>),
}

enum ParagraphRole {
    /// The text of a description term.
    Term,
    /// Directly in a tight list item or tight definition: pandoc's `Plain`.
    Plain,
    Para,
}

fn paragraph_role(paragraph: Node<'_>) -> ParagraphRole {
    let Some(parent) = paragraph.parent() else {
        return ParagraphRole::Para;
    };
    let grandparent_tight = || {
        parent
            .parent()
            .is_some_and(|grandparent| match &grandparent.data().value {
                NodeValue::List(list) => list.tight,
                NodeValue::DescriptionItem(item) => item.tight,
                _ => false,
            })
    };
    match &parent.data().value {
        NodeValue::DescriptionTerm => ParagraphRole::Term,
        NodeValue::Item(_) | NodeValue::TaskItem(_) | NodeValue::DescriptionDetails
            if grandparent_tight() =>
        {
            ParagraphRole::Plain
        }
        _ => ParagraphRole::Para,
    }
}

/// True for `<https://..>` autolinks and bare URLs or addresses, whose text is the URL itself.
fn is_autolink(url: &str, content: &[Inline]) -> bool {
    let [Inline::Text(text)] = content else {
        return false;
    };
    url == text
        || ["mailto:", "http://", "https://"]
            .iter()
            .any(|prefix| url.strip_prefix(prefix) == Some(text.as_str()))
}

/// Appends an inline, merging adjacent text runs.
fn push_inline(out: &mut Vec<Inline>, inline: Inline) {
    if let Inline::Text(text) = &inline {
        if text.is_empty() {
            return;
        }
        if let Some(Inline::Text(last)) = out.last_mut() {
            last.push_str(text);
            return;
        }
    }
    out.push(inline);
}

fn collect_inlines(out: impl ExactSizeIterator<Item = Built>) -> Vec<Inline> {
    let mut inlines = Vec::with_capacity(out.len());
    for built in out {
        match built {
            Built::Inline(inline) => push_inline(&mut inlines, inline),
            Built::Inlines(spliced) => {
                for inline in spliced {
                    push_inline(&mut inlines, inline);
                }
            }
            Built::Block(_)
            | Built::Blocks(_)
            | Built::Item(_)
            | Built::DefinitionItem(_)
            | Built::Term(_)
            | Built::Details(_)
            | Built::Row { .. }
            | Built::Cell(_)
            | Built::Nothing => {}
        }
    }
    inlines
}

fn collect_blocks(out: impl ExactSizeIterator<Item = Built>) -> Vec<Block> {
    let mut blocks = Vec::with_capacity(out.len());
    // Inline content directly in a block container should not happen; if it does, it is kept
    // as a `Plain` block rather than lost.
    let mut stray = Vec::new();
    let flush = |stray: &mut Vec<Inline>, blocks: &mut Vec<Block>| {
        if !stray.is_empty() {
            blocks.push(BlockKind::Plain(std::mem::take(stray)).into());
        }
    };
    for built in out {
        match built {
            Built::Block(block) => {
                flush(&mut stray, &mut blocks);
                blocks.push(block);
            }
            Built::Blocks(spliced) => {
                flush(&mut stray, &mut blocks);
                blocks.extend(spliced);
            }
            Built::Inline(inline) => push_inline(&mut stray, inline),
            Built::Inlines(spliced) => {
                for inline in spliced {
                    push_inline(&mut stray, inline);
                }
            }
            Built::Item(_)
            | Built::DefinitionItem(_)
            | Built::Term(_)
            | Built::Details(_)
            | Built::Row { .. }
            | Built::Cell(_)
            | Built::Nothing => {}
        }
    }
    flush(&mut stray, &mut blocks);
    blocks
}

fn alert_kind(alert: AlertType) -> AlertKind {
    match alert {
        AlertType::Note => AlertKind::Note,
        AlertType::Tip => AlertKind::Tip,
        AlertType::Important => AlertKind::Important,
        AlertType::Warning => AlertKind::Warning,
        AlertType::Caution => AlertKind::Caution,
    }
}

fn alignment(align: TableAlignment) -> Alignment {
    match align {
        TableAlignment::None => Alignment::Default,
        TableAlignment::Left => Alignment::Left,
        TableAlignment::Center => Alignment::Center,
        TableAlignment::Right => Alignment::Right,
    }
}
