//! Cutting the body into chapter files, and the table of contents over them.
//!
//! A chapter starts at each top-level heading of level <= the split level; content before
//! the first such heading becomes a first chapter titled after the book. Every heading id,
//! at any depth, is mapped to the file that holds it, so the HTML writer can turn `#id` into
//! `file#id` across chapters.

use std::collections::BTreeMap;

use bindery_model::{Block, BlockKind, Inline, plain_text};

/// One chapter file.
#[derive(Debug, Clone)]
pub(crate) struct Chapter<'a> {
    /// The file name inside the content directory (`ch001.xhtml`).
    pub(crate) file: String,
    /// Its title: the heading text, or the book's title for the opening content.
    pub(crate) title: String,
    /// The blocks, starting with the heading that opened the chapter.
    pub(crate) blocks: &'a [Block],
    /// The chapter's place in the table of contents, with its sections below it.
    pub(crate) toc: TocEntry,
}

/// An entry of the table of contents and the entries below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TocEntry {
    /// 1 for a top-level entry; deeper entries have higher levels (gaps allowed).
    pub(crate) level: u8,
    /// `file` or `file#id`.
    pub(crate) href: String,
    /// The entry's text.
    pub(crate) title: String,
    /// Entries nested under this one.
    pub(crate) children: Vec<TocEntry>,
}

impl TocEntry {
    /// Adds `entry` under the last child deep enough to hold it (epub-builder's rule, so the
    /// visible contents page and the navigation document nest alike).
    pub(crate) fn add(&mut self, entry: TocEntry) {
        match self.children.last_mut() {
            Some(last) if entry.level > last.level => last.add(entry),
            _ => self.children.push(entry),
        }
    }
}

/// The deepest heading level listed in the table of contents.
pub(crate) const TOC_DEPTH: u8 = 3;

/// Splits `blocks` at top-level headings of level <= `split_level` (`0`: never).
pub(crate) fn split<'a>(
    blocks: &'a [Block],
    split_level: u8,
    book_title: &str,
) -> Vec<Chapter<'a>> {
    let starts_chapter = |block: &Block| matches!(&block.kind, BlockKind::Heading { level, .. } if *level <= split_level);
    let mut bounds: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, block)| starts_chapter(block))
        .map(|(i, _)| i)
        .collect();
    if bounds.first() != Some(&0) && !blocks.is_empty() {
        bounds.insert(0, 0);
    }
    // Chapter levels are relative to the shallowest split heading, so a document whose
    // top headings are `##` still gets a flat table of contents.
    let base = blocks
        .iter()
        .filter(|block| starts_chapter(block))
        .filter_map(|block| match &block.kind {
            BlockKind::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let relative = |level: u8| level.saturating_sub(base).saturating_add(1);
    let mut chapters = Vec::with_capacity(bounds.len());
    for (n, &start) in bounds.iter().enumerate() {
        let end = bounds.get(n + 1).copied().unwrap_or(blocks.len());
        let chapter_blocks = &blocks[start..end];
        let file = format!("ch{:03}.xhtml", n + 1);
        let (title, level, body) = match chapter_blocks.first().map(|b| &b.kind) {
            Some(BlockKind::Heading { level, content, .. }) if *level <= split_level => (
                heading_title(content, n),
                relative(*level),
                &chapter_blocks[1..],
            ),
            _ => (book_title.to_string(), 1, chapter_blocks),
        };
        let mut toc = TocEntry {
            level,
            href: file.clone(),
            title: title.clone(),
            children: Vec::new(),
        };
        for block in body {
            if let BlockKind::Heading {
                level: heading_level,
                attr,
                content,
            } = &block.kind
                && *heading_level <= TOC_DEPTH
                && !attr.id.is_empty()
            {
                toc.add(TocEntry {
                    level: relative(*heading_level).max(level + 1),
                    href: format!("{file}#{}", attr.id),
                    title: heading_title(content, n),
                    children: Vec::new(),
                });
            }
        }
        chapters.push(Chapter {
            file,
            title,
            blocks: chapter_blocks,
            toc,
        });
    }
    chapters
}

/// A heading's text for titles and the table of contents; never empty.
fn heading_title(content: &[Inline], index: usize) -> String {
    let text = plain_text(content);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        format!("Chapter {}", index + 1)
    } else {
        text
    }
}

/// Which file holds each heading id, for links between chapters.
pub(crate) fn fragment_files(chapters: &[Chapter]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for chapter in chapters {
        heading_ids(chapter.blocks, &mut |id| {
            map.entry(id.to_string())
                .or_insert_with(|| chapter.file.clone());
        });
    }
    map
}

/// Calls `f` with each heading id in `blocks`, at any depth (footnotes included).
fn heading_ids<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a str)) {
    bindery_model::for_each_anchor_id(blocks, f);
}

#[cfg(test)]
mod tests {
    use bindery_model::build::*;

    use super::*;

    fn sample() -> Vec<Block> {
        vec![
            para(vec![text("preface")]),
            heading(1, "one", vec![text("One")]),
            heading(2, "one-a", vec![text("One A")]),
            heading(3, "one-a-i", vec![text("One A i")]),
            heading(4, "deep", vec![text("Deep")]),
            heading(1, "two", vec![text("Two")]),
            block_quote(vec![heading(2, "quoted", vec![text("Quoted")])]),
        ]
    }

    #[test]
    fn opening_content_is_a_chapter_titled_after_the_book() {
        let blocks = sample();
        let chapters = split(&blocks, 1, "Book");
        let titles: Vec<_> = chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, vec!["Book", "One", "Two"]);
        assert_eq!(chapters[1].blocks.len(), 4);
        let one = &chapters[1].toc;
        assert_eq!(one.children.len(), 1);
        assert_eq!(one.children[0].href, "ch002.xhtml#one-a");
        assert_eq!(one.children[0].children[0].title, "One A i");
        assert!(one.children[0].children[0].children.is_empty());
    }

    #[test]
    fn split_level_two_and_zero() {
        let blocks = sample();
        let chapters = split(&blocks, 2, "Book");
        assert_eq!(chapters.len(), 4);
        assert_eq!(chapters[2].toc.level, 2);
        assert_eq!(split(&blocks, 0, "Book").len(), 1);
        assert!(split(&[], 1, "Book").is_empty());
    }

    #[test]
    fn every_heading_id_maps_to_its_file() {
        let blocks = sample();
        let chapters = split(&blocks, 1, "Book");
        let map = fragment_files(&chapters);
        assert_eq!(map["deep"], "ch002.xhtml");
        assert_eq!(map["quoted"], "ch003.xhtml");
        assert_eq!(map.len(), 6);
    }

    #[test]
    fn headings_below_the_top_start_flat() {
        let blocks = vec![
            heading(2, "a", vec![text("A")]),
            heading(3, "a1", vec![text("A1")]),
            heading(2, "b", vec![text("B")]),
        ];
        let chapters = split(&blocks, 2, "Book");
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[0].toc.level, 1);
        assert_eq!(chapters[0].toc.children[0].level, 2);
    }
}
