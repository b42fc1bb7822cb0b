//! The code behind bindery's fuzz targets, shared with the replay test.
//!
//! Each entry point takes raw bytes, reads them the way the pipeline does and renders the
//! result to every format. Reader and renderer errors (`Err`) are expected; a panic anywhere
//! is a bug, and this code never catches one: libFuzzer (or the replay test) reports it.

use std::sync::OnceLock;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::{Assets, Document, RawHtml, apply_raw_html, drop_dangerous_urls};

/// Inputs at or above this many bytes skip the PDF writer: Typst costs 10 ms and more per
/// document, which would cut the fuzzer's speed a hundredfold on large inputs.
pub const PDF_MAX_INPUT: usize = 2048;

/// Shared, expensive-to-build renderer state, made once per process.
struct Shared {
    html: bindery_html::Resources,
    pdf: bindery_pdf::Resources,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| Shared {
        html: bindery_html::Resources::new(),
        // Bundled fonts only: the machine's fonts would make runs differ between machines.
        pdf: bindery_pdf::Resources::new(&bindery_pdf::Options {
            system_fonts: false,
            ..Default::default()
        }),
    })
}

/// Markdown bytes: both dialects, then every format.
pub fn markdown_to_all(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in [Dialect::Markdown, Dialect::CommonMark] {
        let options = ReadOptions {
            dialect,
            file_name: Some("fuzz.md".into()),
        };
        if let Ok(warned) = bindery_markdown::parse(source, &options) {
            let mut document = warned.output;
            apply_raw_html(&mut document, RawHtml::Escape);
            render_all(&document, data.len() < PDF_MAX_INPUT);
        }
    }
}

/// The JSON model (`bindery ast` output) bytes: read, made safe as the pipeline does, then
/// every format.
pub fn json_to_all(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(warned) = bindery_model::from_json(source) {
        let mut document = warned.output;
        drop_dangerous_urls(&mut document.blocks);
        apply_raw_html(&mut document, RawHtml::Escape);
        render_all(&document, data.len() < PDF_MAX_INPUT);
    }
}

/// Renders `document` as HTML, plain text, EPUB and (when `pdf`) PDF, with default options
/// and no loaded images. Results are dropped: only panics matter.
pub fn render_all(document: &Document, pdf: bool) {
    let shared = shared();
    let assets = Assets::new();
    let _ = bindery_html::render(
        document,
        &assets,
        &shared.html,
        &bindery_html::Options::default(),
    );
    let _ = bindery_text::render(document, &bindery_text::Options::default());
    let _ = bindery_epub::render(
        document,
        &assets,
        &shared.html,
        &bindery_epub::Options::default(),
    );
    if pdf {
        let _ = bindery_pdf::render(
            document,
            &assets,
            &shared.pdf,
            &bindery_pdf::Options {
                system_fonts: false,
                ..Default::default()
            },
        );
    }
}
