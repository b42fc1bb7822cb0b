//! Times `render`: `cargo run --release -p bindery-pdf --example timing -- FILE...`.
//!
//! Loads fonts once, then renders each Markdown file cold (the first render of that document,
//! after the process-wide warm-up the first file pays) and again warm (Typst's caches hit),
//! printing bytes and both times, and writing the PDF to the temp dir for `pdfinfo`.

use std::time::Instant;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::Assets;
use bindery_pdf::{Options, Resources, render};

fn main() {
    let options = Options::default();
    let start = Instant::now();
    let resources = Resources::new(&options);
    println!("fonts loaded in {:?}", start.elapsed());
    for path in std::env::args().skip(1) {
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
        let start = Instant::now();
        let cold = render(&document, &Assets::new(), &resources, &options).expect("renders");
        let cold_time = start.elapsed();
        let start = Instant::now();
        render(&document, &Assets::new(), &resources, &options).expect("renders");
        let warm_time = start.elapsed();
        let out = std::env::temp_dir().join(format!("timing-{}.pdf", path.replace('/', "_")));
        std::fs::write(&out, &cold.output).expect("writable temp dir");
        println!(
            "{path}: cold {cold_time:?}, warm {warm_time:?}, {} bytes, {} warnings -> {}",
            cold.output.len(),
            cold.warnings.len(),
            out.display()
        );
    }
}
