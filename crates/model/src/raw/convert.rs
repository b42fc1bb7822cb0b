//! Raw HTML into model nodes (`--raw-html sanitize`): tokens from each raw piece, paired across
//! the Markdown between them, and built into the model's nodes.
//!
//! comrak hands inline HTML over in pieces (`<kbd>`, text, `</kbd>`) with Markdown possibly
//! between them, and block HTML as blocks that a blank line ends (`<div>`, a paragraph,
//! `</div>`). So pairing works on a list of siblings: the tokens of every raw piece, in order,
//! with the Markdown nodes between them kept as they are. Like an HTML parser, an end tag
//! closes the nearest open element of its name (and those opened inside it), an element left
//! open runs to the end of its list (HTML closes it at the end of the paragraph), and an end
//! tag with nothing open to close is ignored.

use std::mem::take;

use super::elements::{Role, container_attr, inline_node, is_void, role, void_node};
use super::tokens::{Tok, tokens};
use crate::{Attr, Block, BlockKind, Inline, Span};

/// What the conversion removed: how many elements, and the first one with its place.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) removed: usize,
    pub(crate) first: Option<(String, Option<Span>)>,
}

impl Report {
    /// Records a removed element; the first in the source is kept, whatever order the walk
    /// met them in (it converts a list's inlines before the list's raw blocks).
    fn removed(&mut self, name: &str, span: Option<Span>) {
        self.removed += 1;
        let at = |span: Option<Span>| span.map(|s| (s.line, s.col));
        let earlier = match &self.first {
            None => true,
            Some((_, first)) => {
                at(span).is_some() && (at(*first).is_none() || at(span) < at(*first))
            }
        };
        if earlier {
            self.first = Some((name.to_string(), span));
        }
    }
}

/// One sibling: a token of a raw piece, or a node the Markdown made.
pub(crate) enum Item {
    Tok(Tok),
    Node(Inline),
    /// The tokens that follow come from raw HTML written here.
    At(Span),
}

pub(crate) fn is_raw_html(inline: &Inline) -> bool {
    matches!(inline, Inline::Raw { format, .. } if format == "html")
}

pub(crate) fn is_raw_html_block(block: &Block) -> bool {
    matches!(&block.kind, BlockKind::RawBlock { format, .. } if format == "html")
}

/// Converts the raw HTML among `inlines` (siblings in one list); `span` is the enclosing
/// block's, which a report of removed elements names.
pub(crate) fn convert_inlines(
    inlines: Vec<Inline>,
    span: Option<Span>,
    report: &mut Report,
) -> Vec<Inline> {
    let raw_at_ends = (
        inlines.first().is_some_and(is_raw_html),
        inlines.last().is_some_and(is_raw_html),
    );
    let mut items = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match inline {
            Inline::Raw { format, text, span } if format == "html" => {
                items.extend(span.map(Item::At));
                items.extend(tokens(&text).into_iter().map(Item::Tok))
            }
            other => items.push(Item::Node(other)),
        }
    }
    let mut out = build_inlines(items, span, report);
    // A space left before a comment at the end of a paragraph (or after one at its start)
    // is no longer between anything.
    if raw_at_ends.1
        && let Some(Inline::Text(last)) = out.last_mut()
    {
        last.truncate(last.trim_end_matches(' ').len());
    }
    if raw_at_ends.0
        && let Some(Inline::Text(first)) = out.first_mut()
    {
        *first = first.trim_start_matches(' ').to_string();
    }
    out.retain(|inline| !matches!(inline, Inline::Text(t) if t.is_empty()));
    out
}

struct Frame<T> {
    name: String,
    attrs: Vec<(String, String)>,
    /// A removed element (`script`...): everything up to its end tag is dropped.
    removed: bool,
    /// Elements of the same name open inside a removed one, so the right end tag ends it.
    depth: usize,
    content: T,
}

/// Inside a removed element: follows its own name only; true when `tok` ended it.
fn ends_removed<T>(frame: &mut Frame<T>, tok: &Tok) -> bool {
    match tok {
        Tok::Start {
            name, self_closing, ..
        } if *name == frame.name && !self_closing => frame.depth += 1,
        Tok::End(name) if *name == frame.name => {
            if frame.depth == 0 {
                return true;
            }
            frame.depth -= 1;
        }
        _ => {}
    }
    false
}

/// `span` is the enclosing block's, which stands for raw HTML without a span of its own.
fn build_inlines(items: Vec<Item>, span: Option<Span>, report: &mut Report) -> Vec<Inline> {
    let mut span = span;
    let mut root: Vec<Inline> = Vec::new();
    let mut stack: Vec<Frame<Vec<Inline>>> = Vec::new();
    fn out<'a>(
        stack: &'a mut [Frame<Vec<Inline>>],
        root: &'a mut Vec<Inline>,
    ) -> &'a mut Vec<Inline> {
        match stack.last_mut() {
            Some(frame) => &mut frame.content,
            None => root,
        }
    }
    fn close(stack: &mut Vec<Frame<Vec<Inline>>>, root: &mut Vec<Inline>) {
        if let Some(frame) = stack.pop()
            && !frame.removed
        {
            let nodes = inline_node(&frame.name, &frame.attrs, merge_texts(frame.content));
            out(stack, root).extend(nodes);
        }
    }
    for item in items {
        if let Item::At(here) = item {
            span = Some(here);
            continue;
        }
        if let Some(top) = stack.last_mut()
            && top.removed
        {
            if let Item::Tok(tok) = &item
                && ends_removed(top, tok)
            {
                stack.pop();
            }
            continue;
        }
        match item {
            Item::At(_) => {}
            Item::Node(node) => out(&mut stack, &mut root).push(node),
            Item::Tok(Tok::Text(text)) => out(&mut stack, &mut root).push(Inline::Text(text)),
            Item::Tok(Tok::Start {
                name,
                attrs,
                self_closing,
            }) => match role(&name) {
                Role::Removed => {
                    report.removed(&name, span);
                    if !self_closing && !is_void(&name) {
                        stack.push(Frame {
                            name,
                            attrs: Vec::new(),
                            removed: true,
                            depth: 0,
                            content: Vec::new(),
                        });
                    }
                }
                Role::Void => out(&mut stack, &mut root).extend(void_node(&name, &attrs)),
                Role::Inline if !self_closing => stack.push(Frame {
                    name,
                    attrs,
                    removed: false,
                    depth: 0,
                    content: Vec::new(),
                }),
                Role::Inline | Role::Container | Role::Boundary | Role::Transparent => {}
            },
            Item::Tok(Tok::End(name)) => {
                if let Some(at) = stack.iter().rposition(|frame| frame.name == name) {
                    while stack.len() > at {
                        close(&mut stack, &mut root);
                    }
                }
            }
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut root);
    }
    merge_texts(root)
}

/// Adjacent texts as one, as the reader gives them; where a comment or a removed element
/// stood between two spaces, one space stays (as HTML shows it).
fn merge_texts(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Text(last)), Inline::Text(text)) => {
                let text = match last.ends_with(' ') {
                    true => text.strip_prefix(' ').unwrap_or(&text),
                    false => &text,
                };
                last.push_str(text)
            }
            (_, Inline::Text(text)) if text.is_empty() => {}
            (_, inline) => out.push(inline),
        }
    }
    out
}

/// A block container being built: its blocks, and the inline tokens of a paragraph not yet
/// ended, with the span of the raw block it started in.
#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    pending: Vec<Item>,
    pending_span: Option<Span>,
    span: Option<Span>,
}

/// A `<figure>`: its `<figcaption>` (first or last child, as HTML allows) becomes the caption,
/// the rest the content.
fn figure(attr: Attr, mut blocks: Vec<Block>) -> BlockKind {
    let is_caption = |block: &Block| {
        matches!(&block.kind, BlockKind::Div { attr, .. }
            if attr.classes.first().is_some_and(|c| c == "figcaption"))
    };
    let at = match (blocks.first(), blocks.last()) {
        (_, Some(last)) if is_caption(last) => Some(blocks.len() - 1),
        (Some(first), _) if is_caption(first) => Some(0),
        _ => None,
    };
    let mut caption = Vec::new();
    if let Some(at) = at
        && let BlockKind::Div { blocks: inside, .. } = blocks.remove(at).kind
    {
        for block in inside {
            match block.kind {
                BlockKind::Plain(c) | BlockKind::Para(c) => {
                    if !caption.is_empty() {
                        caption.push(Inline::LineBreak);
                    }
                    caption.extend(c);
                }
                // A caption holds phrasing content: anything else stays in the figure.
                other => blocks.push(Block {
                    kind: other,
                    span: block.span,
                }),
            }
        }
    }
    BlockKind::Figure {
        attr,
        blocks,
        caption,
    }
}

/// Converts the raw HTML blocks among `blocks` (siblings in one list).
pub(crate) fn convert_blocks(blocks: Vec<Block>, report: &mut Report) -> Vec<Block> {
    let mut root = Blocks::default();
    let mut stack: Vec<Frame<Blocks>> = Vec::new();
    fn top<'a>(stack: &'a mut [Frame<Blocks>], root: &'a mut Blocks) -> &'a mut Blocks {
        match stack.last_mut() {
            Some(frame) => &mut frame.content,
            None => root,
        }
    }
    fn close(stack: &mut Vec<Frame<Blocks>>, root: &mut Blocks, report: &mut Report) {
        let Some(mut frame) = stack.pop() else {
            return;
        };
        if frame.removed {
            return;
        }
        flush(&mut frame.content, report);
        if frame.content.blocks.is_empty() {
            return;
        }
        let kind = if frame.name == "blockquote" {
            BlockKind::BlockQuote(frame.content.blocks)
        } else if frame.name == "figure" {
            figure(container_attr(None, &frame.attrs), frame.content.blocks)
        } else {
            let first_class = (frame.name != "div").then_some(frame.name.as_str());
            BlockKind::Div {
                attr: container_attr(first_class, &frame.attrs),
                blocks: frame.content.blocks,
            }
        };
        top(stack, root).blocks.push(Block {
            kind,
            span: frame.content.span,
        });
    }
    for block in blocks {
        let (text, span) = match block {
            Block {
                kind: BlockKind::RawBlock { format, text },
                span,
            } if format == "html" => (text, span),
            other => {
                if !stack.last().is_some_and(|frame| frame.removed) {
                    let here = top(&mut stack, &mut root);
                    flush(here, report);
                    here.blocks.push(other);
                }
                continue;
            }
        };
        for tok in tokens(&text) {
            if let Some(frame) = stack.last_mut()
                && frame.removed
            {
                if ends_removed(frame, &tok) {
                    stack.pop();
                }
                continue;
            }
            let here = top(&mut stack, &mut root);
            match tok {
                Tok::Start {
                    name,
                    attrs,
                    self_closing,
                } => match role(&name) {
                    Role::Removed => {
                        report.removed(&name, span);
                        if !self_closing && !is_void(&name) {
                            stack.push(Frame {
                                name,
                                attrs: Vec::new(),
                                removed: true,
                                depth: 0,
                                content: Blocks::default(),
                            });
                        }
                    }
                    Role::Container => {
                        flush(here, report);
                        if !self_closing {
                            stack.push(Frame {
                                name,
                                attrs,
                                removed: false,
                                depth: 0,
                                content: Blocks {
                                    span,
                                    ..Blocks::default()
                                },
                            });
                        }
                    }
                    Role::Boundary => boundary(here, &name, span, report),
                    Role::Inline | Role::Void | Role::Transparent => pend(
                        here,
                        Tok::Start {
                            name,
                            attrs,
                            self_closing,
                        },
                        span,
                    ),
                },
                Tok::End(name) => match role(&name) {
                    Role::Container => {
                        let at = stack
                            .iter()
                            .rposition(|frame| frame.name == name && !frame.removed);
                        if let Some(at) = at {
                            while stack.len() > at {
                                close(&mut stack, &mut root, report);
                            }
                        }
                    }
                    Role::Boundary if name != "hr" => boundary(here, &name, span, report),
                    Role::Boundary | Role::Removed => {}
                    Role::Inline | Role::Void | Role::Transparent => {
                        pend(here, Tok::End(name), span)
                    }
                },
                Tok::Text(text) => pend(here, Tok::Text(text), span),
            }
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut root, report);
    }
    flush(&mut root, report);
    root.blocks
}

fn pend(here: &mut Blocks, tok: Tok, span: Option<Span>) {
    if here.pending.is_empty() {
        here.pending_span = span;
    }
    here.pending.push(Item::Tok(tok));
}

/// A block element's tag: ends the paragraph (a rule for `hr`), or puts a space between
/// table cells.
fn boundary(here: &mut Blocks, name: &str, span: Option<Span>, report: &mut Report) {
    match name {
        "td" | "th" => {
            if !here.pending.is_empty() {
                here.pending.push(Item::Tok(Tok::Text(" ".into())));
            }
        }
        "hr" => {
            flush(here, report);
            here.blocks.push(Block {
                kind: BlockKind::ThematicBreak,
                span,
            });
        }
        _ => flush(here, report),
    }
}

/// Ends the pending paragraph: HTML's white space collapses to single spaces, and a
/// paragraph with nothing but white space is no paragraph.
fn flush(here: &mut Blocks, report: &mut Report) {
    if here.pending.is_empty() {
        return;
    }
    let items = take(&mut here.pending)
        .into_iter()
        .map(|item| match item {
            Item::Tok(Tok::Text(text)) => Item::Tok(Tok::Text(collapse_space(&text))),
            other => other,
        })
        .collect();
    let span = here.pending_span.take();
    let mut inlines = build_inlines(items, span, report);
    trim(&mut inlines);
    if !inlines.is_empty() {
        here.blocks.push(Block {
            kind: BlockKind::Para(inlines),
            span,
        });
    }
}

fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Removes the white space at both ends of a paragraph, and its spaces between breaks.
fn trim(inlines: &mut Vec<Inline>) {
    if let Some(Inline::Text(first)) = inlines.first_mut() {
        *first = first.trim_start().to_string();
    }
    if let Some(Inline::Text(last)) = inlines.last_mut() {
        *last = last.trim_end().to_string();
    }
    inlines.retain(|inline| !matches!(inline, Inline::Text(t) if t.is_empty()));
    if inlines.iter().all(|i| matches!(i, Inline::LineBreak)) {
        inlines.clear();
    }
}
