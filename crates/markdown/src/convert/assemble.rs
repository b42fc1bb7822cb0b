//! Building model nodes from their converted children, once a comrak node's children are done.

use bindery_model::{
    AlertKind, Alignment, Attr, Block, BlockKind, DefinitionItem, Inline, ListDelim, ListItem,
    Span, Table, Target, plain_text,
};
use comrak::Node;
use comrak::nodes::{AlertType, ListDelimType, ListType, NodeValue, TableAlignment};

use super::{Converter, Frame};
use bindery_model::dangerous_scheme;

/// What a converted node contributes to its parent.
pub(super) enum Built {
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

impl<'a> Converter<'a> {
    /// Builds a container from its converted children.
    pub(super) fn finish(&mut self, frame: Frame<'a>) -> Built {
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
                let span = self.inline_span(node);
                self.link(url, title, content, span.or(frame_span))
            }
            NodeValue::WikiLink(link) => {
                let content = collect_inlines(self.out.drain(start..));
                let url = link.url.clone();
                let span = self.inline_span(node);
                self.link(url, String::new(), content, span.or(frame_span))
            }
            NodeValue::Image(link) => {
                let alt = collect_inlines(self.out.drain(start..));
                let span = self.inline_span(node);
                if let Some(scheme) = dangerous_scheme(&link.url) {
                    self.warn_dropped(scheme, "image", span.or(frame_span));
                    return Built::Inline(Inline::Text(plain_text(&alt)));
                }
                Built::Inline(Inline::Image {
                    target: Target {
                        url: link.url.clone(),
                        title: link.title.clone(),
                        span,
                        attr: None,
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
            target: Target {
                url,
                title,
                span,
                attr: None,
            },
            content,
            autolink,
        })
    }

    /// Where an inline node is written, when the parser knows: links and images carry it, so
    /// that warnings about them point at them rather than at their paragraph.
    fn inline_span(&self, node: Node<'a>) -> Option<Span> {
        let pos = node.data().sourcepos;
        (pos.start.line > 0).then(|| self.span(pos))
    }

    fn warn_dropped(&mut self, scheme: &str, what: &str, span: Option<Span>) {
        let kept = if what == "image" {
            "its alt text"
        } else {
            "its text"
        };
        self.warn(
            bindery_model::WarningKind::DangerousUrl,
            format!("dropped a {scheme}: {what}, keeping {kept}"),
            span,
            Some("javascript:, vbscript:, file: and data: URLs (other than data:image/png, gif, jpeg and webp) are never linked"),
        );
    }
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

pub(super) fn collect_inlines(out: impl ExactSizeIterator<Item = Built>) -> Vec<Inline> {
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

pub(super) fn collect_blocks(out: impl ExactSizeIterator<Item = Built>) -> Vec<Block> {
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
