//! Times `render` on a Markdown file: `cargo run --release -p bindery-pdf --example timing -- FILE [N]`.
//! Prints pages, bytes, the first render's time and the mean of N more (warm caches).

use std::time::Instant;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::Assets;
use bindery_pdf::{Options, Resources, render};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: timing FILE [N]");
    let n: u32 = args
        .next()
        .map_or(20, |n| n.parse().expect("N is a number"));
    let source = std::fs::read_to_string(&path).expect("readable file");
    let document = bindery_markdown::parse(
        &source,
        &ReadOptions {
            dialect: Dialect::Markdown,
            file_name: Some(path.clone()),
        },
    )
    .expect("parsable Markdown")
    .output;
    let options = Options::default();
    let start = Instant::now();
    let resources = Resources::new(&options);
    println!("fonts loaded in {:?}", start.elapsed());
    let start = Instant::now();
    let first = render(&document, &Assets::new(), &resources, &options).expect("renders");
    println!(
        "first render {:?}, {} bytes, {} warnings",
        start.elapsed(),
        first.output.len(),
        first.warnings.len()
    );
    let start = Instant::now();
    for _ in 0..n {
        render(&document, &Assets::new(), &resources, &options).expect("renders");
    }
    println!("mean of {n} more: {:?}", start.elapsed() / n.max(1));
}
