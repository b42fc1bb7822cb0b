//! comrak's arena tree into the owned model, without recursion.
//!
//! The walk keeps its own stack of open nodes, so input nested 10,000 levels deep converts on a
//! small thread stack; `limit_depth` then bounds the result. Footnote definitions are converted
//! at each reference (pandoc's inline `Note`), so a definition referenced twice is copied.

mod alerts;
mod assemble;
mod autolinks;
mod footnotes;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bindery_model::{Block, BlockKind, Inline, Span, Warning};
use comrak::nodes::{NodeValue, Sourcepos};
use comrak::{Arena, Node, Options, parse_document};

use crate::Dialect;
use crate::references::Definitions;
use assemble::{Built, collect_blocks};
use footnotes::FootnoteDefinition;

/// A code block from its info string and text. pandoc's attributes after the language or
/// alone (```` ```rust {#main .numberLines} ````, ```` ```{.python #id} ````) become the
/// block's [`Attr`](bindery_model::Attr): the language is the first word, else the first
/// class. An info string that only looks like attributes stays the language and info.
fn code_block(info: String, text: String) -> BlockKind {
    let trimmed = info.trim();
    let attributes = trimmed
        .strip_suffix('}')
        .and_then(|rest| {
            rest.rfind('{')
                .map(|open| (&rest[..open], &rest[open + 1..]))
        })
        .and_then(|(before, inner)| Some((before, bindery_model::parse_attributes(inner)?)));
    let (lang, attr) = match attributes {
        Some((before, mut attr)) => {
            let lang = match before.split_whitespace().next() {
                Some(word) => Some(word.to_string()),
                None if !attr.classes.is_empty() => Some(attr.classes.remove(0)),
                None => None,
            };
            (lang, (!attr.is_empty()).then(|| Box::new(attr)))
        }
        None => (trimmed.split_whitespace().next().map(String::from), None),
    };
    BlockKind::CodeBlock {
        lang,
        info,
        text,
        attr,
    }
}

/// The converted body with the warnings found on the way.
pub(crate) struct Converted {
    pub blocks: Vec<Block>,
    pub warnings: Vec<Warning>,
}

/// Parses `body` with comrak and converts the tree into model blocks.
pub(crate) fn convert(body: &str, dialect: Dialect) -> Converted {
    let (alerts, alerts_warning) = match dialect {
        Dialect::Markdown => alerts::guard(body),
        Dialect::CommonMark => (false, None),
    };
    convert_with(body, dialect, alerts, alerts_warning)
}

/// [`convert`] with comrak's `alerts` extension on or off, as [`alerts::guard`] decided, and
/// its warning.
fn convert_with(
    body: &str,
    dialect: Dialect,
    alerts: bool,
    alerts_warning: Option<Warning>,
) -> Converted {
    let definitions = Definitions::scan(body);
    let options = comrak_options(dialect, &definitions, alerts);
    let arena = Arena::new();
    let root = parse_document(&arena, body, &options);
    if dialect == Dialect::Markdown {
        autolinks::split_footnote_references(&arena, root, body);
    }

    let mut converter = Converter::new(root, body);
    let blocks = converter.run(root);
    let mut warnings = converter.warnings;
    warnings.extend(alerts_warning);
    // Unreferenced footnotes are found before the walk; report everything in source order.
    warnings.sort_by_key(|w| w.span.map_or((u32::MAX, u32::MAX), |s| (s.line, s.col)));
    warnings.extend(definitions.cap_warning(body.len(), converter.link_bytes));
    Converted { blocks, warnings }
}

/// The parser options for a dialect; see [`Dialect`] for what each turns on. `alerts` is
/// false when [`alerts::guard`] found the document would make comrak's alert scan quadratic.
fn comrak_options(
    dialect: Dialect,
    definitions: &Arc<Definitions>,
    alerts: bool,
) -> Options<'static> {
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
            ext.alerts = alerts;
            ext.math_dollars = true;
            // Definitions stay where they are written: unreferenced ones can then be reported,
            // and referenced ones are skipped in the flow and converted at each reference.
            options.parse.leave_footnote_definitions = true;
        }
        Dialect::CommonMark => {}
    }
    options
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
                            bindery_model::WarningKind::Dropped,
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
                            .or_insert(FootnoteDefinition::new(node));
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

    fn warn(
        &mut self,
        kind: bindery_model::WarningKind,
        message: String,
        span: Option<Span>,
        hint: Option<&str>,
    ) {
        // A footnote copied at two references would report its problems twice.
        if self.seen_warnings.insert((span, message.clone())) {
            let mut warning = Warning::new(message, span).of_kind(kind);
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
                self.close_note(name);
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
                kind: code_block(
                    std::mem::take(&mut code.info),
                    std::mem::take(&mut code.literal),
                ),
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
                    span: own_span,
                }))
            }
            NodeValue::Math(math) => leaf(Built::Inline(Inline::Math {
                display: math.display_math,
                tex: math.literal.clone(),
                span: own_span,
            })),
            NodeValue::CodeBlock(code) => {
                block(code_block(code.info.clone(), code.literal.clone()))
            }
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
}

enum Entered<'a> {
    Leaf(Built),
    Open(Frame<'a>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guard relies on this: without `> [!` in the body, comrak's alert extension changes
    /// nothing, so turning it off for long `>` runs loses nothing.
    #[test]
    fn without_an_alert_marker_alerts_off_parses_the_same() {
        let run = ">".repeat(alerts::MAX_MARKER_RUN + 10);
        let cases = [
            format!("{run}{}", "a*".repeat(200)),
            format!("{run} [NOTE] text\n{run}> more\n\n> [!\n"),
            format!("```\n{run}\n```\n\n>>[!NOTE]\n>  [!TIP]\n"),
            format!("- {run} a\n  {run} b\n\n[^1]: {run} note\n\nx[^1]\n"),
            ">>[!NOTE] tight\n>\t[!TIP] tab\n> \\[!NOTE] escaped\n".to_string(),
        ];
        for body in cases {
            let on = convert_with(&body, Dialect::Markdown, true, None);
            let off = convert_with(&body, Dialect::Markdown, false, None);
            assert_eq!(on.blocks, off.blocks, "{body:?}");
            assert_eq!(on.warnings, off.warnings, "{body:?}");
        }
    }

    #[test]
    fn the_quote_emphasis_pattern_is_parsed_without_alerts() {
        // cmark's pathological `">" * n + "a*" * n`: with alerts on, comrak's scan is n²/2.
        let body = ">".repeat(1000) + &"a*".repeat(1000);
        assert_eq!(alerts::guard(&body), (false, None));
        let with_alert = format!("> [!NOTE]\n> hi\n\n{body}");
        let (on, warning) = alerts::guard(&with_alert);
        assert!(!on && warning.is_some());
    }
}
