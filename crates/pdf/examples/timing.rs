//! Times `render`: `cargo run --release -p bindery-pdf --example timing -- [--phases] [--toc] [--typst DIR] FILE...`.
//!
//! Loads fonts once, then renders each Markdown file cold (the first render of that document,
//! after the process-wide warm-up the first file pays) and again warm (Typst's caches hit),
//! printing bytes and both times, and writing the PDF to the temp dir for `pdfinfo`.
//!
//! `--phases` also prints where the cold render spent its time according to Typst's own timing
//! scopes (evaluation, each layout iteration, PDF export): more than one `iter` means the
//! document's introspection did not converge at once. `--typst DIR` writes the generated markup
//! to `DIR/NAME.typ`, to compare with the `typst` command-line tool.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::Assets;
use bindery_pdf::{Options, Resources, render, typst_markup};

fn main() {
    let mut phases = false;
    let mut toc = false;
    let mut typst_dir = None;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--phases" => phases = true,
            "--toc" => toc = true,
            "--typst" => typst_dir = Some(PathBuf::from(args.next().expect("--typst DIR"))),
            _ => paths.push(arg),
        }
    }
    let options = Options {
        toc,
        ..Options::default()
    };
    let start = Instant::now();
    let resources = Resources::new(&options);
    println!("fonts loaded in {:?}", start.elapsed());
    for path in paths {
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
        if let Some(dir) = &typst_dir {
            let name = PathBuf::from(&path);
            let name = name.file_stem().expect("a file name").to_string_lossy();
            let out = dir.join(format!("{name}.typ"));
            let start = Instant::now();
            let markup = typst_markup(&document, &Assets::new(), &resources, &options);
            println!("{path}: markup written in {:?}", start.elapsed());
            std::fs::write(&out, markup).expect("writable --typst directory");
            println!("{path}: markup -> {}", out.display());
        }
        if phases {
            typst_timing::enable();
        }
        let start = Instant::now();
        let cold = render(&document, &Assets::new(), &resources, &options).expect("renders");
        let cold_time = start.elapsed();
        if phases {
            typst_timing::disable();
            print_phases();
        }
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

/// Typst's timing scopes: the top two levels (evaluation, each layout iteration, export), then
/// the twenty costliest scopes at any depth, each counted once where it nests in itself.
fn print_phases() {
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |_| (String::new(), 0)).expect("timing export");
    let events: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("timing JSON");
    // Events of all threads, stacked per thread.
    let mut stacks: BTreeMap<u64, Vec<(String, f64)>> = BTreeMap::new();
    let mut top: BTreeMap<(usize, String), (f64, usize)> = BTreeMap::new();
    let mut any: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for event in &events {
        let name = event["name"].as_str().unwrap_or("?").to_string();
        let ts = event["ts"].as_f64().unwrap_or(0.0);
        let stack = stacks
            .entry(event["tid"].as_u64().unwrap_or(0))
            .or_default();
        if event["ph"] == "B" {
            stack.push((name, ts));
        } else if let Some((name, start)) = stack.pop() {
            let ms = (ts - start) / 1000.0;
            if stack.len() <= 1 {
                let entry = top.entry((stack.len(), name.clone())).or_default();
                entry.0 += ms;
                entry.1 += 1;
            }
            if !stack.iter().any(|(outer, _)| *outer == name) {
                let entry = any.entry(name).or_default();
                entry.0 += ms;
                entry.1 += 1;
            }
        }
    }
    for ((depth, name), (ms, count)) in top {
        println!("  {}{name}: {ms:.0} ms ({count}x)", "  ".repeat(depth));
    }
    let mut any: Vec<_> = any.into_iter().collect();
    any.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    println!("  costliest scopes (inclusive):");
    for (name, (ms, count)) in any.into_iter().take(20) {
        println!("    {name}: {ms:.0} ms ({count}x)");
    }
}
