//! The node types: a closed set of block and inline variants (after pandoc-types).

use serde::{Deserialize, Serialize};

use crate::{Metadata, Span};

/// A whole document: metadata and a sequence of blocks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Document {
    /// Title, authors, language and the rest of the front matter.
    #[serde(default)]
    pub meta: Metadata,
    /// The body.
    #[serde(default)]
    pub blocks: Vec<Block>,
}

impl Document {
    /// Removes every source span (blocks', links' and images', notes included), so two
    /// documents can be compared by content alone.
    pub fn strip_spans(&mut self) {
        crate::walk_spans_mut(&mut self.blocks, &mut |span| *span = None);
    }
}

/// Identifier, classes and key-value attributes (pandoc's `Attr`): of a heading, a container
/// (`Div`, `Span`, `Figure`) and, since model 2.0, a code block, a table, a link or an image.
///
/// An id is an anchor that links may point at (see [`for_each_anchor_id`](crate::for_each_anchor_id)):
/// headings, code blocks and tables may hold one; containers, links and images may not, so
/// every writer can make each anchor a link target (a PDF label, an EPUB fragment) by walking
/// blocks alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attr {
    /// The element id (a heading's anchor); empty when there is none. Unique in the
    /// document and never a footnote's (see [`Ids`](crate::Ids)).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Classes, in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Other attributes, in source order. [`sanitize`](crate::sanitize) keeps only an
    /// allow-list (`title`, `lang`, `dir`, `translate`, `data-*`), each name once (the first),
    /// in lower case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
}

impl Attr {
    /// No id, no classes, no attributes.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty() && self.classes.is_empty() && self.attrs.is_empty()
    }

    /// An attribute set with only an id.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

/// A block-level node with its optional source position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// What the block is.
    #[serde(flatten)]
    pub kind: BlockKind,
    /// Where it starts and ends in the source, when it came from a source file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl From<BlockKind> for Block {
    fn from(kind: BlockKind) -> Self {
        Self { kind, span: None }
    }
}

/// Calls `$f` with each inline list `$kind` holds itself (its text, a heading's content, a
/// figure's caption, a table's cells, definition terms; not the blocks inside it), each
/// reached with `$iter` (`iter` or `iter_mut`): the one list of which blocks hold inlines,
/// exhaustive, so a new variant must be placed here.
macro_rules! for_each_own_inline_list {
    ($kind:expr, $f:expr, $iter:ident) => {
        match $kind {
            BlockKind::Plain(c)
            | BlockKind::Para(c)
            | BlockKind::Heading { content: c, .. }
            | BlockKind::Figure { caption: c, .. } => $f(c),
            BlockKind::Table(t) => {
                for cell in t.head.$iter().chain(t.rows.$iter().flatten()) {
                    $f(cell);
                }
            }
            BlockKind::DefinitionList(items) => {
                for DefinitionItem { term, .. } in items.$iter() {
                    $f(term);
                }
            }
            BlockKind::CodeBlock { .. }
            | BlockKind::RawBlock { .. }
            | BlockKind::BlockQuote(_)
            | BlockKind::Alert { .. }
            | BlockKind::Div { .. }
            | BlockKind::BulletList(_)
            | BlockKind::OrderedList { .. }
            | BlockKind::ThematicBreak => {}
        }
    };
}

impl Block {
    /// Calls `f` with each inline list this block holds itself (not those of the blocks
    /// inside it, nor those nested in its inlines).
    pub fn for_each_own_inlines<'a>(&'a self, f: &mut impl FnMut(&'a Vec<Inline>)) {
        for_each_own_inline_list!(&self.kind, f, iter)
    }

    /// [`Block::for_each_own_inlines`], to change them.
    pub fn for_each_own_inlines_mut(&mut self, f: &mut impl FnMut(&mut Vec<Inline>)) {
        for_each_own_inline_list!(&mut self.kind, f, iter_mut)
    }

    /// The block's anchor id (a heading's, a code block's or a table's), when it has one.
    pub fn anchor_id(&self) -> Option<&str> {
        let id = match &self.kind {
            BlockKind::Heading { attr, .. } => &attr.id,
            BlockKind::CodeBlock {
                attr: Some(attr), ..
            } => &attr.id,
            BlockKind::Table(Table {
                attr: Some(attr), ..
            }) => &attr.id,
            _ => return None,
        };
        (!id.is_empty()).then_some(id.as_str())
    }

    /// The block's anchor id, to change it, when the block may hold one.
    pub fn anchor_id_mut(&mut self) -> Option<&mut String> {
        match &mut self.kind {
            BlockKind::Heading { attr, .. } => Some(&mut attr.id),
            BlockKind::CodeBlock {
                attr: Some(attr), ..
            } => Some(&mut attr.id),
            BlockKind::Table(Table {
                attr: Some(attr), ..
            }) => Some(&mut attr.id),
            _ => None,
        }
    }

    /// Calls `f` with each list of child blocks held directly by this block.
    pub fn for_each_child_blocks_mut(&mut self, f: &mut impl FnMut(&mut Vec<Block>)) {
        match &mut self.kind {
            BlockKind::BlockQuote(blocks)
            | BlockKind::Alert { blocks, .. }
            | BlockKind::Div { blocks, .. }
            | BlockKind::Figure { blocks, .. } => f(blocks),
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    f(&mut item.blocks);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    for def in &mut item.definitions {
                        f(def);
                    }
                }
            }
            BlockKind::Plain(_)
            | BlockKind::Para(_)
            | BlockKind::Heading { .. }
            | BlockKind::CodeBlock { .. }
            | BlockKind::RawBlock { .. }
            | BlockKind::Table(_)
            | BlockKind::ThematicBreak => {}
        }
    }
}

/// Block-level content. Serialised as `{"t": variant, "c": content}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c")]
pub enum BlockKind {
    /// Inline content not wrapped in a paragraph: the text of a tight list item.
    Plain(Vec<Inline>),
    /// A paragraph.
    Para(Vec<Inline>),
    /// A heading of level 1 to 6.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Anchor id (unique in the document) and attributes.
        attr: Attr,
        /// The heading text.
        content: Vec<Inline>,
    },
    /// Preformatted code, fenced or indented.
    CodeBlock {
        /// The language: the first word of the info string, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// The whole info string as written (empty for indented code).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        info: String,
        /// The code, with its final newline.
        text: String,
        /// Id, classes and attributes from the info string's `{#id .class key=value}`
        /// (pandoc's fenced code attributes), since model 2.0. Boxed: most code has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attr: Option<Box<Attr>>,
    },
    /// Raw content for one output format, e.g. `format: "html"`.
    RawBlock {
        /// The format the text is written in.
        format: String,
        /// The raw text.
        text: String,
    },
    /// A block quote.
    BlockQuote(Vec<Block>),
    /// A GitHub alert (`> [!NOTE]`).
    ///
    /// It stays a node of its own rather than a [`BlockKind::Div`] with a class: its kind is
    /// a closed set every writer must render (a titled box in PDF, an `aside` with the right
    /// role in HTML, a labelled paragraph in text), and a `Div` class is an open string a
    /// writer may ignore. As a variant, a new kind fails to compile in every writer instead of
    /// silently becoming a plain container.
    Alert {
        /// Which alert.
        kind: AlertKind,
        /// A custom title, when the source gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// The alert's body.
        blocks: Vec<Block>,
    },
    /// An unordered list.
    BulletList(Vec<ListItem>),
    /// A numbered list.
    OrderedList {
        /// The first item's number.
        start: u64,
        /// `1.` or `1)`.
        delim: ListDelim,
        /// The items.
        items: Vec<ListItem>,
    },
    /// Terms with their definitions.
    DefinitionList(Vec<DefinitionItem>),
    /// A table with one header row.
    Table(Table),
    /// A horizontal rule.
    ThematicBreak,
    /// A generic container with attributes (pandoc's `Div`), since model 2.0: what raw HTML's
    /// `div`, `details`, `summary`, `section`... become under `--raw-html sanitize`
    /// (see [`RawHtml`](crate::RawHtml)). The element's name is the first class when it is not
    /// `div` (`details`, `summary`, ...); writers without containers show the blocks.
    Div {
        /// Classes and allow-listed attributes (never an id: ids come from headings).
        #[serde(default)]
        attr: Attr,
        /// The content.
        blocks: Vec<Block>,
    },
    /// A figure: content (an image, usually) with a caption (pandoc's `Figure`), since model
    /// 2.0. Made from raw HTML's `<figure>` with its `<figcaption>`, and from an image that
    /// stands alone in its paragraph with a title (`![alt](a.png "Caption")`).
    Figure {
        /// Classes and allow-listed attributes.
        #[serde(default)]
        attr: Attr,
        /// The figure's content.
        blocks: Vec<Block>,
        /// The caption; empty when there is none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        caption: Vec<Inline>,
    },
}

/// One list item; `checked` is set for task-list items.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ListItem {
    /// `Some(true)` for `[x]`, `Some(false)` for `[ ]`, `None` for an ordinary item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<bool>,
    /// The item's content (`Plain` in tight lists, `Para` in loose ones).
    pub blocks: Vec<Block>,
}

/// The punctuation after an ordered list's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ListDelim {
    /// `1.`
    #[default]
    Period,
    /// `1)`
    Paren,
}

/// A term and its definitions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DefinitionItem {
    /// The term being defined.
    pub term: Vec<Inline>,
    /// One or more definitions, each a sequence of blocks.
    pub definitions: Vec<Vec<Block>>,
}

/// GitHub's five alert kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertKind {
    /// `[!NOTE]`
    Note,
    /// `[!TIP]`
    Tip,
    /// `[!IMPORTANT]`
    Important,
    /// `[!WARNING]`
    Warning,
    /// `[!CAUTION]`
    Caution,
}

impl AlertKind {
    /// The title shown when the source gives none ("Note", "Tip", ...).
    pub fn default_title(self) -> &'static str {
        match self {
            AlertKind::Note => "Note",
            AlertKind::Tip => "Tip",
            AlertKind::Important => "Important",
            AlertKind::Warning => "Warning",
            AlertKind::Caution => "Caution",
        }
    }

    /// Lower-case name, for CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::Note => "note",
            AlertKind::Tip => "tip",
            AlertKind::Important => "important",
            AlertKind::Warning => "warning",
            AlertKind::Caution => "caution",
        }
    }
}

/// Column alignment of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Alignment {
    /// No alignment given.
    #[default]
    Default,
    /// `:--`
    Left,
    /// `:-:`
    Center,
    /// `--:`
    Right,
}

/// A GFM table: alignments, one header row and body rows; each cell is inline content.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// One entry per column.
    pub aligns: Vec<Alignment>,
    /// The header row's cells.
    pub head: Vec<Vec<Inline>>,
    /// The body rows.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Id, classes and attributes, since model 2.0 (from the JSON model: Markdown tables have
    /// no attribute syntax). A captioned table is a [`BlockKind::Figure`] holding the table,
    /// as `Table: caption` makes it, so there is one way to say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attr: Option<Box<Attr>>,
}

/// Where a link or image points.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Target {
    /// The destination as written (already checked against the URL allow-list).
    pub url: String,
    /// The optional title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Where the link or image is written in the source, when it was read from Markdown
    /// (since model 2.0): warnings about it (a dropped URL, a link to a missing document)
    /// name its own line and column, not its paragraph's. Free in memory: a link is not the
    /// largest inline variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<crate::Span>,
    /// Classes and attributes (raw HTML's `<a class>`, `<img width>`), since model 2.0;
    /// never an id (see [`Attr`]). Boxed: most links and images have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attr: Option<Box<Attr>>,
}

/// `match` on an inline with the nesting variants in one arm (their list bound to `$c`) and
/// every other variant in the other (bound to `$leaf`): the one list of which inlines nest,
/// exhaustive, so a new variant must be placed here.
macro_rules! match_children {
    ($inline:expr, $c:ident => $nested:expr, $leaf:ident => $other:expr) => {
        match $inline {
            Inline::Emph($c)
            | Inline::Strong($c)
            | Inline::Strikeout($c)
            | Inline::Subscript($c)
            | Inline::Superscript($c)
            | Inline::Mark($c)
            | Inline::Underline($c)
            | Inline::Keyboard($c)
            | Inline::Span { content: $c, .. }
            | Inline::Link { content: $c, .. }
            | Inline::Image { alt: $c, .. } => $nested,
            $leaf @ (Inline::Note(_)
            | Inline::Text(_)
            | Inline::SoftBreak
            | Inline::LineBreak
            | Inline::Code(_)
            | Inline::Raw { .. }
            | Inline::Math { .. }) => $other,
        }
    };
}

impl Inline {
    /// The inline list nested in this inline (emphasis and the like, a span's or a link's
    /// content, an image's alt text); `None` for leaves and for a note, which holds blocks.
    /// The one place that says which variants nest, so a walk needs no list of its own.
    pub fn children(&self) -> Option<&Vec<Inline>> {
        match_children!(self, c => Some(c), _leaf => None)
    }

    /// [`Inline::children`], taken: `Err(self)` for a leaf or a note.
    pub fn into_children(self) -> Result<Vec<Inline>, Inline> {
        match_children!(self, c => Ok(c), leaf => Err(leaf))
    }

    /// [`Inline::children`], to change them.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match_children!(self, c => Some(c), _leaf => None)
    }
}

/// Inline content. Serialised as `{"t": variant, "c": content}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c")]
pub enum Inline {
    /// Text (with its spaces; no `Str`/`Space` split).
    Text(String),
    /// A line ending inside a paragraph.
    SoftBreak,
    /// A hard line break.
    LineBreak,
    /// Emphasis.
    Emph(Vec<Inline>),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Strikethrough.
    Strikeout(Vec<Inline>),
    /// Inline code.
    Code(String),
    /// A hyperlink.
    Link {
        /// Destination and title.
        target: Target,
        /// The link text.
        content: Vec<Inline>,
        /// True for `<https://...>` autolinks and bare URLs, whose text is the URL.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        autolink: bool,
    },
    /// An image.
    Image {
        /// Source and title.
        target: Target,
        /// The alternative text.
        alt: Vec<Inline>,
    },
    /// Raw inline content for one output format.
    Raw {
        /// The format, e.g. `html`.
        format: String,
        /// The raw text.
        text: String,
        /// Where it is written, when read from Markdown (since model 2.0): a removed
        /// `<script>` or raw HTML shown as text is reported at its own line:col.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        span: Option<crate::Span>,
    },
    /// TeX math, kept as source.
    Math {
        /// `$$...$$` when true, `$...$` when false.
        display: bool,
        /// The TeX source.
        tex: String,
        /// Where the formula is written, when read from Markdown (since model 2.0): a
        /// formula that cannot be typeset is reported at its own line:col.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        span: Option<crate::Span>,
    },
    /// A footnote, with its content in place (pandoc's `Note`).
    Note(Vec<Block>),
    /// Subscript (`H<sub>2</sub>O`), since model 2.0.
    Subscript(Vec<Inline>),
    /// Superscript (`x<sup>2</sup>`), since model 2.0.
    Superscript(Vec<Inline>),
    /// Highlighted text (HTML `mark`), since model 2.0.
    Mark(Vec<Inline>),
    /// Underlined or inserted text (HTML `u` and `ins`), since model 2.0.
    Underline(Vec<Inline>),
    /// Keyboard input (HTML `kbd`): one key or a key sequence, set as keys in PDF, since
    /// model 2.0.
    ///
    /// A variant of its own, not pandoc's `Span` with a `kbd` class: each writer must decide
    /// how a key looks (a boxed key in PDF, `<kbd>` in HTML), and an exhaustive `match` makes
    /// a new writer decide, where a class is a convention it could forget. `mark`, `sub` and
    /// `sup` are variants for the same reason.
    Keyboard(Vec<Inline>),
    /// A generic inline container with attributes (pandoc's `Span`), since model 2.0: HTML's
    /// `span`, `abbr` (class `abbr`, its `title` kept), `small` (class `small`) and the like.
    /// Writers without such containers show the content.
    Span {
        /// Classes and allow-listed attributes (`title`, `lang`, `dir`...; never an id).
        #[serde(default)]
        attr: Attr,
        /// The content.
        content: Vec<Inline>,
    },
}
