//! The code behind bindery's fuzz targets, shared with the replay test.
//!
//! Each entry point takes raw bytes, reads them the way the pipeline does and renders the
//! result to every format. Reader and renderer errors (`Err`) are expected; a panic anywhere
//! is a bug, and this code never catches one: libFuzzer (or the replay test) reports it.

use std::io::Read as _;
use std::sync::OnceLock;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::{Assets, Document, RawHtml, apply_raw_html, drop_dangerous_urls};

mod html_check;
mod svg_oracle;

pub use html_check::script_problem;
pub use svg_oracle::svg_violation;

/// Inputs at or above this many bytes skip the PDF writer: Typst costs 10 ms and more per
/// document, which would cut the fuzzer's speed a hundredfold on large inputs.
pub const PDF_MAX_INPUT: usize = 2048;

/// Shared, expensive-to-build renderer state, made once per process.
struct Shared {
    html: bindery_html::Resources,
    #[cfg(feature = "pdf")]
    pdf: bindery_pdf::Resources,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| Shared {
        html: bindery_html::Resources::new(),
        #[cfg(feature = "pdf")]
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

/// Renders `document` as HTML, plain text, EPUB and (when `pdf`, and built with the `pdf`
/// feature) PDF, with default options and no loaded images. Results are dropped: only panics
/// matter.
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
    #[cfg(not(feature = "pdf"))]
    let _ = pdf;
    #[cfg(feature = "pdf")]
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

/// One input byte, then Markdown meant to be full of raw HTML. The byte chooses the dialect
/// (bit 0) and the `--raw-html` policy (bits 1-2), so each execution reads once and applies
/// one policy (the first version did all eight combinations and ran at 3 executions a
/// second); the rest is read and rendered to HTML, to the XHTML an EPUB chapter is, and to
/// an EPUB.
///
/// Beyond "no panic": with `sanitize` (the default), `escape` and `strip` no HTML or XHTML
/// output holds a `script` element, an event handler attribute or a `javascript:`/`vbscript:`
/// link ([`script_problem`]); with `keep` the HTML writer passes raw HTML through (trusted
/// input, nothing promised), but what PDF and text show of it ([`raw_html_as_nodes`]) must be
/// as clean as `sanitize`, and the EPUB keeps only what its own check finds safe, so no EPUB
/// content document may hold one either.
///
/// [`raw_html_as_nodes`]: bindery_model::raw_html_as_nodes
pub fn raw_html(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(rest) else {
        return;
    };
    let dialect = [Dialect::Markdown, Dialect::CommonMark][usize::from(choice & 1)];
    let policy = [
        RawHtml::Sanitize,
        RawHtml::Escape,
        RawHtml::Strip,
        RawHtml::Keep,
    ][usize::from((choice >> 1) & 3)];
    let options = ReadOptions {
        dialect,
        file_name: Some("fuzz.md".into()),
    };
    let Ok(warned) = bindery_markdown::parse(source, &options) else {
        return;
    };
    let mut document = warned.output;
    let _ = apply_raw_html(&mut document, policy);
    let shared = shared();
    let assets = Assets::new();
    let check_html = |document: &Document, what: &str| {
        for xhtml in [false, true] {
            let options = bindery_html::Options {
                xhtml,
                ..Default::default()
            };
            let page = bindery_html::render(document, &assets, &shared.html, &options);
            if let Some(problem) = script_problem(&page.output) {
                panic!(
                    "{dialect:?}, raw HTML {policy:?}, {what}, xhtml {xhtml}: {problem}\n{}",
                    page.output
                );
            }
        }
    };
    if policy == RawHtml::Keep {
        // HTML keeps the raw markup as written; PDF and text read the sanitized subset.
        if let Some(shown) = bindery_model::raw_html_as_nodes(&document) {
            check_html(&shown, "as PDF and text read it");
            let _ = bindery_text::render(&shown, &bindery_text::Options::default());
        }
    } else {
        check_html(&document, "the document");
        let _ = bindery_text::render(&document, &bindery_text::Options::default());
    }
    let Ok(epub) = bindery_epub::render(
        &document,
        &assets,
        &shared.html,
        &bindery_epub::Options::default(),
    ) else {
        return;
    };
    for (name, content) in epub_content_documents(&epub.output) {
        if let Some(problem) = script_problem(&content) {
            panic!("{dialect:?}, raw HTML {policy:?}, EPUB {name}: {problem}\n{content}");
        }
    }
}

/// The XHTML files in an EPUB, by name. A package bindery wrote must be a readable zip.
fn epub_content_documents(epub: &[u8]) -> Vec<(String, String)> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("the EPUB is a zip archive");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .expect("the EPUB's entries are readable");
        let name = file.name().to_string();
        if name.ends_with(".xhtml") || name.ends_with(".html") {
            let mut content = String::new();
            file.read_to_string(&mut content)
                .expect("an EPUB content document is UTF-8");
            out.push((name, content));
        }
    }
    out
}

/// Any bytes, as an SVG image: [`bindery_model::svg_problem`] must not panic, and what it
/// accepts must keep its promises when read again by an independent check
/// ([`svg_violation`]).
pub fn svg(data: &[u8]) {
    if bindery_model::svg_problem(data).is_none()
        && let Some(violation) = svg_violation(data)
    {
        panic!(
            "svg_problem accepted an SVG that {violation}:\n{}",
            String::from_utf8_lossy(data)
        );
    }
}

/// The deepest nesting of lists and maps that front matter may produce; the Markdown
/// reader's `front_matter::value::MAX_DEPTH` (private there).
pub const FRONT_MATTER_MAX_DEPTH: usize = 16;

/// Any text as front matter: as YAML after `---`, as TOML after `+++` (each closed after it),
/// and as a whole TOML file (`bindery.toml`). Beyond "no panic" (and, under libFuzzer's
/// `-timeout`, no slow input: the depth pre-scan runs before libyaml), no value it accepts
/// nests deeper than [`FRONT_MATTER_MAX_DEPTH`].
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = ReadOptions {
        dialect: Dialect::Markdown,
        file_name: Some("fuzz.md".into()),
    };
    for delimiter in ["---", "+++"] {
        let source = format!("{delimiter}\n{text}\n{delimiter}\nBody.\n");
        if let Ok(warned) = bindery_markdown::parse(&source, &options) {
            check_front_matter_depth(&warned.output.meta, &source);
        }
    }
    if let Ok(meta) = bindery_markdown::parse_toml_metadata(text) {
        check_front_matter_depth(&meta, text);
    }
}

fn check_front_matter_depth(meta: &bindery_model::Metadata, source: &str) {
    for (key, value) in &meta.extra {
        let depth = json_depth(value);
        assert!(
            depth <= FRONT_MATTER_MAX_DEPTH,
            "front matter key `{key}` nests {depth} levels deep, over {FRONT_MATTER_MAX_DEPTH}:\n{source}"
        );
    }
}

/// Lists and maps around the deepest scalar (a scalar is 0), without recursion.
fn json_depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        match value {
            serde_json::Value::Array(items) => {
                stack.extend(items.iter().map(|child| (child, depth + 1)));
            }
            serde_json::Value::Object(map) => {
                stack.extend(map.values().map(|child| (child, depth + 1)));
            }
            _ => {
                deepest = deepest.max(depth);
                continue;
            }
        }
        deepest = deepest.max(depth + 1);
    }
    deepest
}
