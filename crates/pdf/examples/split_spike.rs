//! Issue 16's parallel-layout spike: does laying out a document's chapters as separate Typst
//! documents on threads, then assembling their pages into one `PagedDocument` and exporting
//! it once, work and pay? The experiment behind `src/split.rs` (which is how bindery now lays
//! out a book), kept to rerun; it splits a single file's markup, which `split.rs` never does.
//!
//! `cargo run --release -p bindery-pdf --example split_spike -- whole|split PARTS FILE.md`
//!
//! The chapters are the document's level-2 headings in the generated markup (a single-file
//! book: its title is the level-1 heading). `whole` lays the markup out once; `split` lays
//! PARTS groups of chapters out at once, each with the same preamble, on PARTS threads, and
//! assembles them with `PagedDocument::new`. Both export with `typst_pdf::pdf` and write
//! `/tmp/split-spike-{whole,split}.pdf`. Page numbers restart in each part (the spike leaves
//! out the numbering overlay the design in bench/book-pdf-profile.md needs).

use std::time::Instant;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::Assets;
use bindery_pdf::{Options, Resources, compile_markup, typst_markup};
use typst::model::Document as _;
use typst_layout::PagedDocument;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, parts, path] = args.as_slice() else {
        panic!("usage: split_spike whole|split PARTS FILE.md");
    };
    let parts: usize = parts.parse().expect("PARTS is a number");
    let options = Options::default();
    let resources = Resources::new(&options);
    let source = std::fs::read_to_string(path).expect("readable file");
    let document = bindery_markdown::parse(
        &source,
        &ReadOptions {
            dialect: Dialect::Markdown,
            file_name: Some(path.clone()),
        },
    )
    .expect("parsable Markdown")
    .output;
    let markup = typst_markup(&document, &Assets::new(), &resources, &options);

    let start = Instant::now();
    let paged = match mode.as_str() {
        "whole" => compile_markup(&resources, markup).expect("compiles"),
        "split" => split(&resources, &markup, parts),
        other => panic!("unknown mode {other}"),
    };
    let laid_out = start.elapsed();
    let pdf = typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default()).expect("exports");
    let out = format!("/tmp/split-spike-{mode}.pdf");
    std::fs::write(&out, &pdf).expect("writable /tmp");
    println!(
        "{mode} {parts}: layout {laid_out:?}, with export {:?}, {} pages, {} bytes -> {out}",
        start.elapsed(),
        paged.pages().len(),
        pdf.len()
    );
}

/// Lays out groups of chapters at once and assembles their pages in order.
fn split(resources: &Resources, markup: &str, parts: usize) -> PagedDocument {
    let starts: Vec<usize> = markup
        .match_indices("\n#heading(level: 2)")
        .map(|(at, _)| at + 1)
        .collect();
    let first = *starts.first().expect("level-2 chapters");
    // The setup (set and show rules, definitions) is every part's; the title only the first's.
    let title = markup
        .find("\n#heading(level: 1")
        .map_or(first, |at| at + 1);
    let setup = &markup[..title];
    let chunk = (markup.len() - first).div_ceil(parts);
    let mut bounds = vec![first];
    for &at in &starts {
        if at >= bounds.last().unwrap() + chunk {
            bounds.push(at);
        }
    }
    bounds.push(markup.len());
    let sources: Vec<String> = bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let front = if i == 0 { &markup[title..first] } else { "" };
            format!("{setup}{front}{}", &markup[w[0]..w[1]])
        })
        .collect();
    let laid_out: Vec<PagedDocument> = std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .into_iter()
            .map(|source| scope.spawn(move || compile_markup(resources, source).expect("compiles")))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    let info = laid_out[0].info().clone();
    let pages = laid_out
        .iter()
        .flat_map(|doc| doc.pages().iter().cloned())
        .collect();
    PagedDocument::new(pages, info)
}
