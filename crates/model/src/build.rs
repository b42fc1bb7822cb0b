//! Builders for readable construction of documents in tests and library code
//! (after pandoc's `Builder.hs`): `para(vec![strong(vec![text("x")])])`.

use crate::{Attr, Block, BlockKind, Inline, ListItem, Target};

/// A text run.
pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Emphasis.
pub fn emph(content: Vec<Inline>) -> Inline {
    Inline::Emph(content)
}

/// Strong emphasis.
pub fn strong(content: Vec<Inline>) -> Inline {
    Inline::Strong(content)
}

/// Inline code.
pub fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// A link without a title.
pub fn link(url: impl Into<String>, content: Vec<Inline>) -> Inline {
    Inline::Link {
        target: Target {
            url: url.into(),
            title: String::new(),
            span: None,
            attr: None,
        },
        content,
        autolink: false,
    }
}

/// An image without a title.
pub fn image(url: impl Into<String>, alt: Vec<Inline>) -> Inline {
    Inline::Image {
        target: Target {
            url: url.into(),
            title: String::new(),
            span: None,
            attr: None,
        },
        alt,
    }
}

/// A paragraph.
pub fn para(content: Vec<Inline>) -> Block {
    BlockKind::Para(content).into()
}

/// Inline content outside a paragraph (tight list items).
pub fn plain(content: Vec<Inline>) -> Block {
    BlockKind::Plain(content).into()
}

/// A heading with an id.
pub fn heading(level: u8, id: &str, content: Vec<Inline>) -> Block {
    BlockKind::Heading {
        level,
        attr: Attr::with_id(id),
        content,
    }
    .into()
}

/// A code block.
pub fn code_block(lang: Option<&str>, code: impl Into<String>) -> Block {
    BlockKind::CodeBlock {
        lang: lang.map(String::from),
        info: lang.unwrap_or_default().to_string(),
        text: code.into(),
        attr: None,
    }
    .into()
}

/// A block quote.
pub fn block_quote(blocks: Vec<Block>) -> Block {
    BlockKind::BlockQuote(blocks).into()
}

/// A bullet list of items, each given as its blocks.
pub fn bullet_list(items: Vec<Vec<Block>>) -> Block {
    BlockKind::BulletList(
        items
            .into_iter()
            .map(|blocks| ListItem {
                checked: None,
                blocks,
            })
            .collect(),
    )
    .into()
}
