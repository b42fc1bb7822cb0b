//! A book laid out a few chapters at a time, on several threads, and assembled into one PDF.
//!
//! Typst lays a document out on one core: a 600-page book took 9 s whatever `--jobs`. But a
//! book's chapters each start on a new page (`Options::chapter_pages`), so what one chapter's
//! pages look like does not depend on the chapters before it, except through three things
//! Typst counts across the document, and each is settled here without laying them out together:
//!
//! - **Page numbers.** Chapters are laid out without them. Then one more layout, the *front*,
//!   runs with the book's real page numbering: the title block, the table of contents and any
//!   text before the first chapter, followed by one page for each page of the chapters, holding
//!   only the headings that are on that page (shown as nothing). Its pages after the front
//!   matter are therefore numbered as the book's are; each one's footer (the page number, with
//!   the page's logical number for the PDF's page labels) is laid onto the chapter page it
//!   stands for.
//! - **The table of contents.** It is laid out in the front by Typst's own `outline`, which
//!   finds every heading on the page it has in the book: the entries, their page numbers and
//!   their leaders are Typst's, exactly as in one layout.
//! - **Links and figure numbers.** An internal link is written as a placeholder URL
//!   ([`LINK_PREFIX`] and the label), and pointed at the position of its target's label once
//!   every chapter's pages are known; the table of contents' links to the front's copies of the
//!   headings are pointed at the headings themselves. Footnotes carry their numbers already; the
//!   emitter sets the figure counters at each chapter's start.
//!
//! The pages are then one `PagedDocument`, exported once: one subset per font, the metadata once,
//! the bookmarks from the headings in order. The chapters are grouped by size into layouts
//! ([`GROUP_BYTES`]), a choice that depends on the book only, never on the number of threads:
//! the same assembly, the same bytes, at `-j 1` and `-j 16`.
//!
//! Why threads of its own and not jobs of the run's queue: a layout's pages are Typst frames,
//! which exist only in the process that made them, and a book's PDF is rendered in one render
//! worker process (`crate::render` runs there when isolation is on); the layouts of one book
//! must therefore run in that process. [`run_flat`] runs them flat: each thread lays out one
//! group at a time to its end and takes the next, and the thread that asked waits in a plain
//! `join`, which runs nothing else on its stack (unlike a rayon `join`, which would run stolen
//! work there). Nothing here nests: a group never waits for another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bindery_model::{Warned, Warning};
use typst::diag::Severity;
use typst::foundations::{Bytes, Datetime};
use typst::introspection::{Location, PagedPosition};
use typst::layout::{Frame, FrameItem, Point};
use typst::model::{Destination, Document as _, DocumentInfo};
use typst_layout::{Page, PagedDocument};

use crate::emit::{Body, HeadingMark};
use crate::fonts::Resources;
use crate::world::DocumentWorld;

/// The start of a placeholder link's URL; the label follows. A NUL can come from no source:
/// Markdown readers replace it, and no URL holds one.
pub(crate) const LINK_PREFIX: &str = "\u{0}bindery-label:";

/// Chapters are laid out together until their markup reaches this size. Measured on the
/// benchmark book in 129 chapter files (`bench/book_pdf.py`, 2 threads): 64 KiB made 43
/// layouts and cost more than it saved (each layout evaluates the preamble and starts with
/// cold caches); 128 KiB (26 layouts) laid out in 3.8 s, 384 KiB (9 layouts) in 4.2 s with
/// more memory, and fewer groups keep fewer threads busy.
pub(crate) const GROUP_BYTES: usize = 128 * 1024;

/// What a layout (a chapter group's, or the front's) leaves for the assembly; the laid-out
/// document itself is dropped.
struct Laid {
    pages: Vec<Page>,
    /// Each label's position, its page counted from the layout's first.
    labels: HashMap<String, PagedPosition>,
    /// Each labelled element's label, by location: in the front, its copies of the chapter
    /// headings, where the contents' links go.
    by_location: HashMap<Location, String>,
    info: DocumentInfo,
    warnings: Vec<Warning>,
}

/// The parts of a book's markup, as [`crate::render`] writes them.
pub(crate) struct Parts<'a> {
    /// Page setup, rules and definitions: every layout's start.
    pub(crate) preamble: &'a str,
    /// The title block and the table of contents.
    pub(crate) front: &'a str,
    /// The body, written with `split` (see [`crate::emit::body`]).
    pub(crate) body: &'a Body,
    /// The deepest heading level the table of contents lists; `None` without one.
    pub(crate) toc_level: Option<u8>,
    /// Markup per group of chapters ([`GROUP_BYTES`] but in tests).
    pub(crate) group_bytes: usize,
}

/// Lays out the book in chapter groups on `threads` threads and assembles the pages; `None`
/// when it has fewer than two groups, a layout fails or a check of the assembly does not hold
/// (the caller lays it out whole).
pub(crate) fn typeset(
    resources: &Resources,
    parts: &Parts<'_>,
    date: Option<Datetime>,
    threads: usize,
) -> Option<Warned<PagedDocument>> {
    let body = parts.body;
    let markup = body.markup.as_str();
    let groups = groups(markup, &body.chapters, parts.group_bytes);
    if groups.len() < 2 {
        return None;
    }
    let chapter_group = |chapter: usize| groups.partition_point(|g| g.first_chapter <= chapter) - 1;

    let sources: Vec<String> = groups
        .iter()
        .map(|group| {
            let mut source = String::with_capacity(parts.preamble.len() + group.range.len() + 32);
            source.push_str(parts.preamble);
            source.push_str("#set page(numbering: none)\n");
            source.push_str(&markup[group.range.clone()]);
            source
        })
        .collect();
    let laid = run_flat(sources.len(), threads, |i| {
        let laid = layout(resources, sources[i].clone(), body.images.clone(), date);
        // Typst's memo caches hold what every layout so far computed; emptied after each
        // group, the book's peak memory is that of the layouts in flight and the pages made,
        // not of the whole book's layout (1.2 GB -> 0.5 GB for the benchmark book, and faster).
        // Another thread's layout only loses cached results it then computes again.
        comemo::evict(0);
        laid
    });
    drop(sources);
    let laid: Vec<Laid> = laid.into_iter().collect::<Option<_>>()?;

    // Each group's first page, counted from the first chapter page.
    let mut starts = Vec::with_capacity(laid.len());
    let mut chapter_pages = 0;
    for group in &laid {
        starts.push(chapter_pages);
        chapter_pages += group.pages.len();
    }

    // The front: title, contents and what precedes the first chapter, then a page per chapter
    // page with its headings, numbered as the book's.
    let pre = &markup[..body.chapters[0]];
    let mut source = String::with_capacity(markup.len() / 8);
    source.push_str(parts.preamble);
    source.push_str(parts.front);
    source.push_str(pre);
    source.push_str("\n#pagebreak(weak: true)\n#show heading: none\n");
    let mut expected = Vec::new();
    let mut on_page: Vec<Vec<&HeadingMark>> = vec![Vec::new(); chapter_pages];
    for mark in body.headings.iter().filter(|m| m.chapter > 0) {
        if parts.toc_level.is_none_or(|level| mark.level > level) {
            continue;
        }
        let g = chapter_group(mark.chapter - 1);
        let label = mark.label.as_deref()?;
        let at = laid[g].labels.get(label)?;
        let page = starts[g] + at.page.get() - 1;
        on_page[page].push(mark);
        expected.push((label, page));
    }
    for (page, marks) in on_page.iter().enumerate() {
        if page > 0 {
            source.push_str("#pagebreak()\n");
        }
        for mark in marks {
            source.push_str(&mark.markup);
            source.push('\n');
        }
        // Something on every page, or Typst drops a last page with no heading.
        source.push_str("#box()\n");
    }
    let front = layout(resources, source, body.images.clone(), date)?;
    let front_pages = front.pages.len().checked_sub(chapter_pages)?;
    // Every heading's copy landed on its page, or the numbers in the contents would be wrong.
    for (label, page) in expected {
        let at = front.labels.get(label)?;
        if at.page.get() - 1 != front_pages + page {
            return None;
        }
    }

    // Where every label is in the book.
    let mut labels: HashMap<String, PagedPosition> = HashMap::new();
    for (name, at) in &front.labels {
        if at.page.get() <= front_pages {
            labels.insert(name.clone(), *at);
        }
    }
    for (group, start) in laid.iter().zip(&starts) {
        for (name, at) in &group.labels {
            let page = at.page.saturating_add(front_pages + start);
            labels.insert(name.clone(), PagedPosition { page, ..*at });
        }
    }

    let mut warnings = Vec::new();
    let mut pages = Vec::with_capacity(front_pages + chapter_pages);
    let mut front_iter = front.pages.into_iter();
    for mut page in front_iter.by_ref().take(front_pages) {
        point_links(&mut page.frame, &labels, &front.by_location);
        pages.push(page);
    }
    warnings.extend(front.warnings);
    let no_copies = HashMap::new();
    for group in laid {
        warnings.extend(group.warnings);
        for page in group.pages {
            let numbered = front_iter.next()?;
            let mut frame = page.frame;
            point_links(&mut frame, &labels, &no_copies);
            let mut footer = numbered.frame;
            strip_tags(&mut footer);
            frame.push_frame(Point::zero(), footer);
            pages.push(Page {
                frame,
                bleed: page.bleed,
                fill: page.fill,
                numbering: numbered.numbering,
                supplement: numbered.supplement,
                number: numbered.number,
            });
        }
    }
    if pages.len() != front_pages + chapter_pages {
        return None;
    }
    dedup_warnings(&mut warnings);
    Some(Warned {
        output: PagedDocument::new(pages.into_iter().collect(), front.info),
        warnings,
    })
}

/// A run of chapters laid out together.
struct Group {
    /// Its markup in the body.
    range: std::ops::Range<usize>,
    /// Its first chapter, counted from 0.
    first_chapter: usize,
}

/// The chapters (starting at `chapters` in `markup`) in runs of at least `size` bytes, the
/// last run taking what is left.
fn groups(markup: &str, chapters: &[usize], size: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (n, &start) in chapters.iter().enumerate() {
        let end = chapters.get(n + 1).copied().unwrap_or(markup.len());
        match groups.last_mut() {
            Some(group) if group.range.len() < size => group.range.end = end,
            _ => groups.push(Group {
                range: start..end,
                first_chapter: n,
            }),
        }
    }
    // A small last run joins the one before rather than costing a layout of its own.
    if groups.len() >= 2 && groups.last().is_some_and(|g| g.range.len() < size / 4) {
        let last = groups.pop().expect("two groups");
        groups.last_mut().expect("one group").range.end = last.range.end;
    }
    groups
}

/// Lays out one source; `None` when Typst fails (the whole layout then reports why).
fn layout(
    resources: &Resources,
    source: String,
    images: Vec<Bytes>,
    date: Option<Datetime>,
) -> Option<Laid> {
    let world = DocumentWorld::new(resources, source, images, date);
    resources.count_render();
    let compiled = typst::compile::<PagedDocument>(&world);
    let warnings = compiled
        .warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| Warning::new(format!("typesetting: {}", d.message), None))
        .collect();
    let document = compiled.output.ok()?;
    let introspector = document.introspector();
    let mut labels = HashMap::new();
    let mut by_location = HashMap::new();
    for element in introspector.elements().query_labelled() {
        let (Some(label), Some(location)) = (element.label(), element.location()) else {
            continue;
        };
        let name = label.resolve().as_str().to_string();
        if let Some(at) = introspector.position(location) {
            labels.entry(name.clone()).or_insert(at);
        }
        by_location.insert(location, name);
    }
    Some(Laid {
        pages: document.pages().to_vec(),
        labels,
        by_location,
        info: document.info().clone(),
        warnings,
    })
}

/// Runs `f(0)`, ..., `f(n - 1)` on up to `threads` threads (the caller's among them), each
/// taking the next index when it is done with one; the results in index order.
///
/// Flat by construction: a thread runs one `f` at a time, to its end, and the caller waits for
/// the others with `std::thread::scope`'s join, which runs nothing else on its stack.
fn run_flat<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let result = f(i);
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
        }
    };
    let helpers = threads.clamp(1, n.max(1)) - 1;
    std::thread::scope(|scope| {
        let spawned: Vec<_> = (0..helpers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    // Typst's layout recurses with the document's nesting, as on the run's
                    // workers (`BINDERY_WORKER_STACK`, 16 MiB by default).
                    .stack_size(16 * 1024 * 1024)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        work();
        for handle in spawned {
            if let Err(payload) = handle.join() {
                std::panic::resume_unwind(payload);
            }
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every index was run"))
        .collect()
}

/// Points every placeholder link at its label's position in the book, and every link to one of
/// the front's copies of a heading at the heading; a placeholder whose label is not in the book
/// loses its link (the emitter only writes labels that exist, so this is a safeguard).
fn point_links(
    frame: &mut Frame,
    labels: &HashMap<String, PagedPosition>,
    copies: &HashMap<Location, String>,
) {
    if !has_links(frame) {
        return;
    }
    frame.retain(|item| match item {
        FrameItem::Link(destination, _) => {
            let label = match destination {
                Destination::Url(url) => match url.strip_prefix(LINK_PREFIX) {
                    Some(label) => label,
                    None => return true,
                },
                Destination::Location(location) => match copies.get(location) {
                    Some(label) => label.as_str(),
                    None => return true,
                },
                Destination::Position(_) => return true,
            };
            match labels.get(label) {
                Some(at) => {
                    *destination = Destination::Position(*at);
                    true
                }
                None => false,
            }
        }
        FrameItem::Group(group) => {
            point_links(&mut group.frame, labels, copies);
            true
        }
        _ => true,
    });
}

fn has_links(frame: &Frame) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Link(..) => true,
        FrameItem::Group(group) => has_links(&group.frame),
        _ => false,
    })
}

/// The page number's frame without the front's introspection tags (its copies of the headings
/// must not be found in the book).
fn strip_tags(frame: &mut Frame) {
    frame.retain(|item| match item {
        FrameItem::Tag(_) => false,
        FrameItem::Group(group) => {
            group.parent = None;
            strip_tags(&mut group.frame);
            true
        }
        _ => true,
    });
}

/// Drops repeats of a warning: every layout reports the same missing font.
fn dedup_warnings(warnings: &mut Vec<Warning>) {
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert(w.message.clone()));
}

#[cfg(test)]
mod tests {
    use bindery_markdown::{Dialect, ReadOptions};
    use bindery_model::Assets;

    use super::*;
    use crate::{Options, Resources, lay_out};

    /// A book of eight chapters with sub-headings, footnotes, a table and links between them.
    fn book() -> bindery_model::Document {
        let mut source = String::from("---\ntitle: Split\n---\n\nBefore the first chapter.\n\n");
        for n in 1..=8 {
            source.push_str(&format!(
                "# Chapter {n}\n\nOpening of chapter {n}.[^n{n}]\n\n"
            ));
            source.push_str(&format!("[^n{n}]: Note of chapter {n}.\n\n"));
            for section in 1..=3 {
                source.push_str(&format!("## Section {n}.{section}\n\n"));
                for _ in 0..(n % 3 + 2) {
                    source.push_str("Words that fill a paragraph of the chapter, long enough to wrap over several lines of the page and to make the chapters differ in length. ");
                    source.push_str("More words follow, so that a section takes some room.\n\n");
                }
            }
            let other = 9 - n;
            source.push_str(&format!(
                "See [chapter {other}](#chapter-{other}) and [its second section](#section-{other}2).\n\n| a | b |\n|---|---|\n| {n} | x |\n\n"
            ));
        }
        bindery_markdown::parse(
            &source,
            &ReadOptions {
                dialect: Dialect::Markdown,
                file_name: None,
            },
        )
        .expect("parses")
        .output
    }

    /// Every glyph and shape of a page where it is drawn, and every link with the page it goes to.
    fn page_content(frame: &Frame, at: Point, document: &PagedDocument, out: &mut Vec<String>) {
        for (pos, item) in frame.items() {
            let pos = at + *pos;
            match item {
                FrameItem::Group(group) => page_content(&group.frame, pos, document, out),
                FrameItem::Text(text) => out.push(format!(
                    "text {:.2},{:.2} {:?}",
                    pos.x.to_pt(),
                    pos.y.to_pt(),
                    text.glyphs.iter().map(|g| g.id).collect::<Vec<_>>()
                )),
                FrameItem::Shape(shape, _) => out.push(format!(
                    "shape {:.2},{:.2} {:?}",
                    pos.x.to_pt(),
                    pos.y.to_pt(),
                    shape.geometry
                )),
                FrameItem::Link(destination, size) => {
                    let page = match destination {
                        Destination::Position(p) => Some(p.page.get()),
                        Destination::Location(l) => {
                            document.introspector().position(*l).map(|p| p.page.get())
                        }
                        Destination::Url(url) => {
                            out.push(format!("url {}", url.as_str()));
                            None
                        }
                    };
                    out.push(format!(
                        "link {:.2},{:.2} {:.2}x{:.2} to page {page:?}",
                        pos.x.to_pt(),
                        pos.y.to_pt(),
                        size.x.to_pt(),
                        size.y.to_pt()
                    ));
                }
                FrameItem::Image(..) | FrameItem::Tag(_) => {}
            }
        }
    }

    fn pages(document: &PagedDocument) -> Vec<Vec<String>> {
        document
            .pages()
            .iter()
            .map(|page| {
                let mut out = Vec::new();
                page_content(&page.frame, Point::zero(), document, &mut out);
                out.sort();
                out.push(format!(
                    "number {} {:?}",
                    page.number,
                    page.numbering.is_some()
                ));
                out
            })
            .collect()
    }

    /// Every label's page.
    fn headings(document: &PagedDocument) -> Vec<(String, usize)> {
        let introspector = document.introspector();
        let mut found: Vec<(String, usize)> = introspector
            .elements()
            .query_labelled()
            .iter()
            .filter_map(|e| {
                let at = introspector.position(e.location()?)?;
                Some((e.label()?.resolve().as_str().to_string(), at.page.get()))
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn chapters_laid_out_apart_make_the_pages_of_one_layout() {
        let document = book();
        let resources = Resources::new(&Options::default());
        let options = Options {
            toc: true,
            chapter_pages: true,
            ..Options::default()
        };
        let lay = |group_bytes, threads| {
            let options = Options {
                layout_threads: threads,
                ..options.clone()
            };
            lay_out(
                &document,
                &Assets::new(),
                &resources,
                &options,
                None,
                group_bytes,
                &mut Vec::new(),
            )
            .expect("lays out")
        };
        let whole = lay(None, 1);
        // Small groups: the eight chapters make several layouts.
        let markup_groups = {
            let headings = crate::targets::Headings::new(&document);
            let body = crate::emit::body(&document, &headings, &Assets::new(), 1, true, true);
            groups(&body.markup, &body.chapters, 4096).len()
        };
        assert!(markup_groups >= 3, "{markup_groups} groups");
        let split = lay(Some(4096), 1);
        let split_threads = lay(Some(4096), 3);

        assert!(whole.pages().len() >= 10, "{} pages", whole.pages().len());
        let (whole_pages, split_pages) = (pages(&whole), pages(&split));
        assert_eq!(whole_pages.len(), split_pages.len());
        for (n, (a, b)) in whole_pages.iter().zip(&split_pages).enumerate() {
            assert_eq!(a, b, "page {}", n + 1);
        }
        // Links between chapters land on their targets' pages; none is left a placeholder.
        let links: Vec<&String> = split_pages
            .iter()
            .flatten()
            .filter(|l| l.starts_with("link"))
            .collect();
        assert!(links.len() >= 16 + 8 * 4, "{} links", links.len());
        assert!(links.iter().all(|l| !l.ends_with("None")), "{links:?}");
        assert_eq!(headings(&whole), headings(&split));
        assert_eq!(pages(&split_threads), split_pages);
    }

    #[test]
    fn a_book_of_one_chapter_group_is_laid_out_whole() {
        let markup = "aaaa";
        assert_eq!(groups(markup, &[0, 2], 4096).len(), 1);
        let markup = "a".repeat(10_000);
        assert_eq!(groups(&markup, &[0, 5000], 4096).len(), 2);
        // A small last chapter joins the group before.
        assert_eq!(groups(&markup, &[0, 5000, 9900], 4096).len(), 2);
    }
}
