//! A book as an HTML site (after mdBook): `index.html` with the title block, the book's
//! `README.md` chapter if it has one, and the table of contents; one page per chapter at the
//! chapter's path with previous/next links; one shared `style.css`. The pipeline writes the
//! files, and the images beside them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use bindery_model::{
    Assets, Block, BlockKind, Document, Inline, ListItem, Warned, build, is_local_url,
    walk_block_lists_mut, walk_own_inline_lists_mut,
};

use crate::{Chapter, NavLink, Options, PageNav, Resources};

/// The site's files: paths relative to the site directory, with their bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// One entry of a book's chapter list, as a page of its site.
#[derive(Debug, Clone)]
pub struct SiteChapter {
    /// The chapter file relative to the book (`formats/pdf.md`); `None` for a part heading.
    pub file: Option<String>,
    /// The heading text, number included.
    pub title: String,
    /// Nesting depth in the chapter list, from 1.
    pub depth: u8,
    /// The id of the chapter's heading.
    pub id: String,
    /// The blocks of the book's document the chapter owns (its sub-chapters not included).
    pub blocks: Range<usize>,
    /// The page's `<title>` when the chapter sets one (mdBook's `{{#title ...}}`).
    pub head_title: Option<String>,
}

/// The page a chapter file is written to: `formats/pdf.md` -> `formats/pdf.html`, and a
/// `README.md` -> its folder's `index.html`, as mdBook does (the book's own `README.md` is
/// the front page).
fn page_path(file: &str) -> String {
    if is_readme(file) {
        let folder = file.rsplit_once('/').map_or("", |(d, _)| d);
        return if folder.is_empty() {
            "index.html".into()
        } else {
            format!("{folder}/index.html")
        };
    }
    let stem = file
        .rsplit_once('.')
        .filter(|(stem, _)| !stem.is_empty() && !stem.ends_with('/'))
        .map_or(file, |(stem, _)| stem);
    format!("{stem}.html")
}

/// Whether a chapter file is a `README.md` (any case, any Markdown extension).
fn is_readme(file: &str) -> bool {
    let name = file.rsplit_once('/').map_or(file, |(_, n)| n);
    name.rsplit_once('.')
        .is_some_and(|(stem, _)| stem.eq_ignore_ascii_case("readme"))
}

/// Each chapter's page, named after its file; a name the site already uses (the book's own
/// `index.html` for a chapter `index.md`, or `a.html` for both `a.md` and `a.markdown`) gets
/// a number instead, so no chapter's page is replaced by another.
fn page_paths(chapters: &[SiteChapter]) -> Vec<(&SiteChapter, String)> {
    let mut used: BTreeSet<String> = ["index.html".to_string()].into();
    let mut pages = Vec::new();
    let mut front = false;
    for chapter in chapters {
        let Some(file) = chapter.file.as_deref() else {
            continue;
        };
        let path = page_path(file);
        if path == "index.html" && !front && is_readme(file) {
            // The book's README is the front page.
            front = true;
            pages.push((chapter, path));
            continue;
        }
        let stem = path.strip_suffix(".html").unwrap_or(&path).to_string();
        let mut candidate = path;
        let mut n = 2;
        while used.contains(&candidate) {
            candidate = format!("{stem}-{n}.html");
            n += 1;
        }
        used.insert(candidate.clone());
        pages.push((chapter, candidate));
    }
    pages
}

/// `../` once per folder the page is in, to reach the site's top.
fn up(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// Renders every page of a book's site and its stylesheet; `chapters` place the book's
/// chapters in `document`. Images keep their URLs, which the pipeline writes beside the pages
/// (or, with [`Options::embed_resources`], they are embedded).
pub fn render_site(
    document: &Document,
    assets: &Assets,
    chapters: &[SiteChapter],
    resources: &Resources,
    options: &Options,
) -> Warned<Files> {
    let mut options = options.clone();
    options.standalone = true;
    let meta = &document.meta;
    let book_title = meta.title.as_deref().unwrap_or("Untitled");
    let mut files: Files = Vec::new();
    let mut warnings = Vec::new();

    let pages = page_paths(chapters);
    // Which page holds each heading id.
    let mut homes: BTreeMap<&str, &str> = BTreeMap::new();
    for (chapter, path) in &pages {
        for block in &document.blocks[chapter.blocks.clone()] {
            if let BlockKind::Heading { attr, .. } = &block.kind
                && !attr.id.is_empty()
            {
                homes.insert(&attr.id, path);
            }
        }
    }

    files.push((
        "style.css".into(),
        crate::stylesheet(resources, &options).into_bytes(),
    ));

    // Links from a page to the headings of others: `#id` on the same page, else a path
    // from the page's folder up to the top, then down.
    let fragment_files_of = |path: &str| -> BTreeMap<String, String> {
        let prefix = up(path);
        homes
            .iter()
            .map(|(id, home)| {
                let href = if *home == path {
                    String::new()
                } else {
                    format!("{prefix}{home}")
                };
                (id.to_string(), href)
            })
            .collect()
    };
    // The front page: the book's title block and description, its README (if a chapter is
    // one), then the table of contents; the other chapters are pages of their own.
    let front = pages.iter().position(|(_, path)| path == "index.html");
    let mut index_blocks = contents(document, chapters, &pages);
    if let Some(i) = front {
        let after_description = usize::from(document.meta.description.is_some());
        index_blocks.splice(
            after_description..after_description,
            document.blocks[pages[i].0.blocks.clone()].iter().cloned(),
        );
    }
    let index_fragments = front.map(|_| fragment_files_of("index.html"));
    let pages: Vec<(&SiteChapter, String)> = pages
        .iter()
        .filter(|(_, path)| path != "index.html")
        .cloned()
        .collect();
    let first = pages.first().map(|(c, path)| NavLink {
        href: path,
        title: &c.title,
    });
    let index_nav = PageNav {
        contents: None,
        prev: None,
        next: first,
    };
    let index = crate::render_chapter(
        &Chapter {
            title: book_title,
            blocks: &index_blocks,
            meta,
            stylesheet_href: Some("style.css"),
            fragment_files: index_fragments.as_ref(),
            title_block: true,
            nav: Some(&index_nav),
        },
        assets,
        resources,
        &options,
    );
    warnings.extend(index.warnings);
    files.push(("index.html".into(), index.output.into_bytes()));

    for (i, (chapter, path)) in pages.iter().enumerate() {
        let prefix = up(path);
        let fragment_files = fragment_files_of(path);
        let mut blocks = document.blocks[chapter.blocks.clone()].to_vec();
        if !prefix.is_empty() && !options.embed_resources {
            prefix_images(&mut blocks, &prefix);
        }
        let contents_href = format!("{prefix}index.html");
        let prev_href = i.checked_sub(1).map(|j| format!("{prefix}{}", pages[j].1));
        let next_href = pages.get(i + 1).map(|(_, p)| format!("{prefix}{p}"));
        let nav = PageNav {
            contents: Some(NavLink {
                href: &contents_href,
                title: book_title,
            }),
            prev: prev_href.as_deref().map(|href| NavLink {
                href,
                title: &pages[i - 1].0.title,
            }),
            next: next_href.as_deref().map(|href| NavLink {
                href,
                title: &pages[i + 1].0.title,
            }),
        };
        let head_title = match &chapter.head_title {
            Some(title) => title.clone(),
            None => format!("{} \u{2013} {book_title}", chapter.title),
        };
        let stylesheet = format!("{prefix}style.css");
        let page = crate::render_chapter(
            &Chapter {
                title: &head_title,
                blocks: &blocks,
                meta,
                stylesheet_href: Some(&stylesheet),
                fragment_files: Some(&fragment_files),
                title_block: false,
                nav: Some(&nav),
            },
            assets,
            resources,
            &options,
        );
        warnings.extend(page.warnings);
        files.push((path.clone(), page.output.into_bytes()));
    }

    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Warned {
        output: files,
        warnings,
    }
}

/// The index page's body: the description, then the chapters as a nested list of links
/// (parts as unlinked items holding their chapters).
fn contents(
    document: &Document,
    chapters: &[SiteChapter],
    pages: &[(&SiteChapter, String)],
) -> Vec<Block> {
    let mut blocks = Vec::new();
    if let Some(description) = document.meta.description.as_deref() {
        blocks.push(build::para(vec![build::text(description)]));
    }
    let hrefs: BTreeMap<&str, &str> = pages
        .iter()
        .map(|(c, path)| (c.id.as_str(), path.as_str()))
        .collect();
    let entries: Vec<(u8, Vec<Inline>)> = chapters
        .iter()
        .map(|c| {
            let label = match hrefs.get(c.id.as_str()) {
                Some(href) => build::link(*href, vec![build::text(&c.title)]),
                None => build::strong(vec![build::text(&c.title)]),
            };
            (c.depth, vec![label])
        })
        .collect();
    blocks.push(build::heading(2, "contents", vec![build::text("Contents")]));
    blocks.push(Block::from(BlockKind::BulletList(nest(&entries, 1).0)));
    blocks
}

/// Builds nested list items from `(depth, label)` entries starting at `entries[0]`, for the
/// items at `depth`; returns them and how many entries were used.
fn nest(entries: &[(u8, Vec<Inline>)], depth: u8) -> (Vec<ListItem>, usize) {
    let mut items: Vec<ListItem> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let (d, label) = &entries[i];
        if *d < depth {
            break;
        }
        if *d > depth {
            // A deeper entry with no parent at this depth: nest it under the last item (or a
            // new empty one).
            let (children, used) = nest(&entries[i..], depth + 1);
            if items.is_empty() {
                items.push(ListItem::default());
            }
            let last = items.last_mut().expect("an item was just ensured");
            last.blocks
                .push(Block::from(BlockKind::BulletList(children)));
            i += used;
            continue;
        }
        items.push(ListItem {
            checked: None,
            blocks: vec![build::plain(label.clone())],
        });
        i += 1;
    }
    (items, i)
}

/// Points the local images of a page in a sub-folder back up to the site's top, where the
/// images are written.
fn prefix_images(blocks: &mut Vec<Block>, prefix: &str) {
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            walk_own_inline_lists_mut(block, &mut |inlines| {
                for inline in inlines.iter_mut() {
                    if let Inline::Image { target, .. } = inline
                        && is_local_url(&target.url)
                        && !target.url.starts_with('/')
                    {
                        target.url = format!("{prefix}{}", target.url);
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_sit_at_the_chapter_path() {
        assert_eq!(page_path("cli.md"), "cli.html");
        assert_eq!(page_path("formats/pdf.markdown"), "formats/pdf.html");
        assert_eq!(page_path("README.md"), "index.html");
        assert_eq!(page_path("guide/readme.md"), "guide/index.html");
        assert_eq!(page_path("readme-first.md"), "readme-first.html");
        assert_eq!(up("formats/pdf.html"), "../");
        assert_eq!(up("index.html"), "");
    }

    #[test]
    fn deeper_entries_nest_under_the_last_item() {
        let label = |s: &str| vec![build::text(s)];
        let entries = vec![
            (1, label("a")),
            (2, label("a1")),
            (2, label("a2")),
            (1, label("b")),
        ];
        let (items, used) = nest(&entries, 1);
        assert_eq!(used, 4);
        assert_eq!(items.len(), 2);
        assert!(
            matches!(&items[0].blocks[1].kind, BlockKind::BulletList(children) if children.len() == 2)
        );
    }
}
