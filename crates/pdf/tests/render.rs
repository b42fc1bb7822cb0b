//! End-to-end checks of `bindery_pdf::render` with the PDF tools CI installs (qpdf,
//! poppler-utils): text extraction, link annotations, fonts, outline, determinism, depth.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::build::*;
use bindery_model::{Asset, Assets, Block, BlockKind, Document, Inline, ListItem, Warned};
use bindery_pdf::{Options, Paper, Resources, render};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn parse(source: &str, name: &str) -> Document {
    bindery_markdown::parse(
        source,
        &ReadOptions {
            dialect: Dialect::Markdown,
            file_name: Some(name.to_string()),
        },
    )
    .unwrap()
    .output
}

/// One set of fonts per process, as the pipeline does.
fn with_system_fonts() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(|| Resources::new(&Options::default()))
}

fn bundled_only() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(|| {
        Resources::new(&Options {
            system_fonts: false,
            ..Options::default()
        })
    })
}

fn pdf(document: &Document, resources: &Resources, options: &Options) -> Warned<Vec<u8>> {
    render(document, &Assets::new(), resources, options).unwrap()
}

/// Writes `bytes` to a file named after the test, for the command-line tools.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    // Cargo's per-package scratch directory: kept for inspection, overwritten by the next run.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bindery-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn tool(program: &str, args: &[&str], path: &PathBuf) -> String {
    let output = Command::new(program)
        .args(args)
        .arg(path)
        .args(if program == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed (poppler-utils/qpdf): {e}"));
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Extracted text with whitespace collapsed and hyphenation undone, so line breaks from
/// justification do not matter. Typst marks its hyphens as soft (U+00AD).
fn text_of(path: &PathBuf) -> String {
    tool("pdftotext", &["-enc", "UTF-8"], path)
        .replace("\u{AD}\n", "")
        .replace("\u{AD} ", "")
        .replace('\u{AD}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every font embedded and with a ToUnicode map, per `pdffonts`.
fn assert_fonts_embedded(path: &PathBuf) {
    let listing = tool("pdffonts", &[], path);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts in {listing}");
    for row in rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID: the flags are the 5th..3rd from the end.
        let n = columns.len();
        assert_eq!(columns[n - 5], "yes", "not embedded: {row}");
        assert_eq!(columns[n - 3], "yes", "no ToUnicode: {row}");
    }
}

fn assert_qpdf_check(path: &PathBuf) {
    let out = tool("qpdf", &["--check"], path);
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

#[test]
fn seed_article_is_small_with_exact_link_annotations() {
    let document = parse(&data("seed.md"), "000_e4f0220eb1f8b319.txt");
    let out = pdf(&document, with_system_fonts(), &Options::default());
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(
        out.output.len() <= 40 * 1024,
        "seed PDF is {} bytes",
        out.output.len()
    );
    let path = file("seed", &out.output);
    assert_qpdf_check(&path);
    assert_fonts_embedded(&path);

    let qdf = path.with_extension("qdf.pdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&path)
        .arg(&qdf)
        .status()
        .unwrap();
    assert!(status.success());
    let raw = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    let uris: Vec<&str> = raw
        .match_indices("/URI (")
        .map(|(i, _)| {
            let rest = &raw[i + 6..];
            &rest[..rest.find(')').unwrap()]
        })
        .collect();
    let mut unique = uris.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique,
        [
            "https://en.wikipedia.org/wiki/Dissolution_of_the_Soviet_Union",
            "https://www.youngpioneertours.com/cuba-and-north-korea/",
        ]
    );
    assert!(raw.contains("/Subtype /Link"));

    let text = text_of(&path);
    assert!(text.contains("Foreign Relations of the DPRK"));
    assert!(text.contains("pursuit of a more independent foreign policy"));
}

#[test]
fn hostile_text_prints_literally() {
    let mut document = parse(&data("hostile.md"), "hostile.md");
    // The reader may turn `$..$` into math; state the raw strings in the model too.
    document.blocks.push(para(vec![
        text("Model: #read(\"/etc/passwd\") $x$ # ] * _ \\ <label> @ref `tick` \"quoted\""),
        strong(vec![text("]]) #{panic()}")]),
    ]));
    document
        .blocks
        .push(code_block(Some("rust\"); #read(\"x"), "let s = \"]\";\n"));
    let out = pdf(&document, bundled_only(), &Options::default());
    let path = file("hostile", &out.output);
    assert_qpdf_check(&path);
    let text = text_of(&path);
    for needle in [
        "#read(\"/etc/passwd\")",
        // `<label>` in the Markdown is an HTML tag by CommonMark, shown as the HTML it is (an
        // unknown element with no text); the model's text below holds a literal `<label>`.
        "#set page(width: 1pt) and",
        "#let x = 1",
        "@ref",
        "// not a comment and /* nor this */",
        "#strong[x]",
        "#read(\"/etc/hostname\") in a note",
        "$x$ # ] * _ \\ <label> @ref `tick` \"quoted\"",
        "]]) #{panic()}",
        "let s = \"]\";",
        "#col",
        "]cell[",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

#[test]
fn same_input_same_bytes() {
    let document = parse(&data("seed.md"), "seed.md");
    let resources = with_system_fonts();
    let options = Options {
        timestamp: Some(1_700_000_000),
        toc: true,
        ..Options::default()
    };
    let a = pdf(&document, resources, &options).output;
    let b = pdf(&document, resources, &options).output;
    assert!(a == b, "two renders differ");
    let path = file("dated", &a);
    let info = tool("pdfinfo", &[], &path);
    assert!(info.contains("2023"), "{info}");
}

#[test]
fn no_date_without_timestamp_or_front_matter() {
    let document = parse(&data("seed.md"), "seed.md");
    let out = pdf(&document, with_system_fonts(), &Options::default());
    let info = tool("pdfinfo", &[], &file("undated", &out.output));
    assert!(!info.contains("CreationDate"), "{info}");
}

#[test]
fn missing_glyphs_are_listed_without_system_fonts() {
    let document = parse(&data("korean-arabic.md"), "korean-arabic.md");
    let out = pdf(&document, bundled_only(), &Options::default());
    let warning = out
        .warnings
        .iter()
        .find(|w| w.message.contains("no available font"))
        .unwrap_or_else(|| panic!("no missing-glyph warning in {:?}", out.warnings));
    assert!(warning.message.contains("U+D55C 한"), "{}", warning.message);
    // Arabic is not listed: the bundled DejaVu Sans Mono covers it.
    assert!(!warning.message.contains("U+0627"), "{}", warning.message);
    assert!(
        warning.message.contains("first at line"),
        "{}",
        warning.message
    );
}

#[test]
fn system_fonts_render_korean_and_arabic() {
    // CI installs these (fonts-noto-cjk, fonts-noto-core); a missing font fails, never skips.
    for font in [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    ] {
        assert!(
            std::path::Path::new(font).exists(),
            "{font} is missing: apt-get install fonts-noto-cjk fonts-noto-core (or run .ci/run)"
        );
    }
    let document = parse(&data("korean-arabic.md"), "korean-arabic.md");
    let out = pdf(&document, with_system_fonts(), &Options::default());
    assert!(
        out.warnings
            .iter()
            .all(|w| !w.message.contains("no available font")),
        "{:?}",
        out.warnings
    );
    let path = file("korean", &out.output);
    assert_fonts_embedded(&path);
    let text = text_of(&path);
    assert!(
        text.contains("한국어 도서관은 매일 열려 있습니다."),
        "{text}"
    );
    // pdftotext gives right-to-left words in visual or logical order depending on version;
    // the words themselves must be there.
    for word in ["المكتبة", "مفتوحة"] {
        assert!(text.contains(word), "missing {word} in {text}");
    }
}

fn nested(depth: usize, wrap: impl Fn(Vec<Block>) -> Block) -> Block {
    let mut block = para(vec![text("innermost")]);
    for _ in 1..depth {
        block = wrap(vec![para(vec![text("level")]), block]);
    }
    block
}

#[test]
fn thirty_two_levels_of_nesting_render() {
    let mut emphasis = vec![text("deep")];
    for n in 0..31 {
        emphasis = vec![if n % 2 == 0 {
            Inline::Emph(emphasis)
        } else {
            Inline::Strong(emphasis)
        }];
    }
    let document = Document {
        meta: Default::default(),
        blocks: vec![
            nested(32, block_quote),
            nested(32, |blocks| bullet_list(vec![blocks])),
            nested(32, |blocks| {
                BlockKind::OrderedList {
                    start: 1,
                    delim: Default::default(),
                    items: vec![ListItem {
                        checked: Some(true),
                        blocks,
                    }],
                }
                .into()
            }),
            nested(32, |blocks| {
                BlockKind::Alert {
                    kind: bindery_model::AlertKind::Note,
                    title: None,
                    blocks,
                }
                .into()
            }),
            para(emphasis),
        ],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    let extracted = text_of(&file("deep", &out.output));
    assert_eq!(extracted.matches("innermost").count(), 4, "{extracted}");
    assert!(extracted.contains("deep"));

    // Deeper than the model allows (built by hand, not by the reader): flattened, with a warning.
    let mut emphasis = vec![text("deepest words")];
    for _ in 0..300 {
        emphasis = vec![Inline::Strong(emphasis)];
    }
    let document = Document {
        meta: Default::default(),
        blocks: vec![nested(200, block_quote), para(emphasis)],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    assert!(out.warnings.iter().any(|w| w.message.contains("flattened")));
    let text = text_of(&file("deeper", &out.output));
    assert!(
        text.contains("innermost") && text.contains("deepest words"),
        "{text}"
    );
}

#[test]
fn reader_flattened_depth_renders() {
    let source = format!("{}deep quote\n\n{}- deep list\n", "> ".repeat(60), {
        let mut s = String::new();
        for level in 0..60 {
            s.push_str(&"  ".repeat(level));
            s.push_str("- item\n");
        }
        s
    });
    let document = parse(&source, "deep.md");
    let out = pdf(&document, bundled_only(), &Options::default());
    let text = text_of(&file("reader-deep", &out.output));
    assert!(text.contains("deep quote"), "{text}");
}

fn every_construct() -> (Document, Assets) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/reference");
    let source = std::fs::read_to_string(root.join("every-construct.md")).unwrap();
    let document = parse(&source, "every-construct.md");
    let mut assets = Assets::new();
    for (url, media_type) in [
        ("images/red.png", "image/png"),
        ("images/circle.svg", "image/svg+xml"),
    ] {
        let data = std::fs::read(root.join(url)).unwrap();
        assets.insert(
            url.to_string(),
            Asset {
                media_type: media_type.to_string(),
                data: data.into(),
                size: None,
            },
        );
    }
    (document, assets)
}

#[test]
fn every_construct_has_outline_toc_and_no_surprises() {
    let (document, assets) = every_construct();
    let options = Options {
        toc: true,
        ..Options::default()
    };
    let out = render(&document, &assets, with_system_fonts(), &options).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let path = file("every-construct", &out.output);
    assert_qpdf_check(&path);
    assert_fonts_embedded(&path);
    let text = text_of(&path);
    for needle in [
        "Every Construct",
        "Ada Quillfeather, Bruno Folio",
        "Contents",
        "Block Structures",
        "fn main()",
        "println!",
        "333.75",
        "Definition of term one.",
        "Useful information.",
        "A short numbered footnote.",
        // Math is typeset: its symbols are text, the TeX source is not.
        "∫",
        "𝑒𝑖𝜋 + 1 = 0",
        "☐",
        "☑",
        "Raw block",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }

    // The PDF outline: the title at the top, the document's chapters beneath it.
    let json = tool("qpdf", &["--json", "--json-key=outlines"], &path);
    let title_at = json.find("\"title\": \"Every Construct\"").expect(&json);
    let chapter_at = json.find("\"title\": \"Inline Text\"").expect(&json);
    assert!(title_at < chapter_at);
    let kids = json[title_at..].find("\"kids\"").map(|i| i + title_at);
    assert!(kids.is_some_and(|k| k > title_at));
}

#[test]
fn dangling_internal_link_is_text_with_warning() {
    let document = Document {
        meta: Default::default(),
        blocks: vec![
            heading(1, "here", vec![text("Here")]),
            para(vec![
                link("#here", vec![text("works")]),
                text(" and "),
                link("#nowhere", vec![text("dangles")]),
            ]),
        ],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].message.contains("#nowhere"));
    assert!(text_of(&file("dangling", &out.output)).contains("works and dangles"));
}

#[test]
fn letter_paper_and_page_limit() {
    let document = parse(&data("seed.md"), "seed.md");
    let letter = Options {
        paper: Paper::Letter,
        ..Options::default()
    };
    let out = pdf(&document, bundled_only(), &letter);
    let info = tool("pdfinfo", &[], &file("letter", &out.output));
    assert!(info.contains("612 x 792"), "{info}");

    let limited = Options {
        max_pages: 0,
        ..Options::default()
    };
    let error = render(&document, &Assets::new(), bundled_only(), &limited).unwrap_err();
    assert!(
        error.to_string().contains("more than the limit of 0"),
        "{error}"
    );
}

#[test]
fn missing_image_shows_its_description() {
    let document = Document {
        meta: Default::default(),
        blocks: vec![para(vec![image("nowhere.png", vec![text("a lost map")])])],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("nowhere.png"))
    );
    assert!(text_of(&file("no-image", &out.output)).contains("[a lost map]"));
}

#[test]
fn long_code_lines_wrap_and_inline_code_stays_inline() {
    let long = "x".repeat(200);
    let document = Document {
        meta: Default::default(),
        blocks: vec![
            code_block(Some("rust"), format!("let s = \"{long}\";\n")),
            para(vec![text("Inline "), code("code"), text(" here.")]),
        ],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    let raw = tool(
        "pdftotext",
        &["-enc", "UTF-8"],
        &file("long-code", &out.output),
    );
    let widest = raw.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        widest < 100,
        "a line of {widest} characters was not wrapped:\n{raw}"
    );
    assert_eq!(raw.matches('x').count(), 200, "{raw}");
    assert!(
        raw.lines().any(|l| l.trim() == "Inline code here."),
        "{raw}"
    );
}

#[test]
fn long_runs_wrap_in_plain_code_inline_code_and_math() {
    let document = Document {
        meta: Default::default(),
        blocks: vec![
            code_block(None, format!("{}\n\tindented", "y".repeat(150))),
            para(vec![text("See "), code("z".repeat(150)), text(" here.")]),
            // Math that cannot be typeset (an unknown command) is shown as its source, which
            // wraps like code; typeset math breaks where Typst breaks equations.
            para(vec![Inline::Math {
                display: true,
                tex: format!("\\bad{}", "w".repeat(150)),
                span: None,
            }]),
        ],
    };
    let out = pdf(&document, bundled_only(), &Options::default());
    let raw = tool(
        "pdftotext",
        &["-enc", "UTF-8"],
        &file("long-runs", &out.output),
    );
    let widest = raw.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        widest < 100,
        "a line of {widest} characters was not wrapped:\n{raw}"
    );
    for c in ['y', 'z', 'w'] {
        assert_eq!(raw.matches(c).count(), 150, "{c}: {raw}");
    }
    assert!(raw.contains("indented"), "{raw}");
}

/// The words of every paragraph, in document order (notes and tables aside).
fn body_words(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Para(content) | BlockKind::Plain(content) => out.extend(
                bindery_model::plain_text(content)
                    .split_whitespace()
                    .map(String::from),
            ),
            BlockKind::BlockQuote(children) => body_words(children, out),
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                for item in items {
                    body_words(&item.blocks, out);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_word_of_the_body_is_extracted_in_order() {
    for name in ["seed.md", "hostile.md"] {
        let document = parse(&data(name), name);
        let out = pdf(&document, with_system_fonts(), &Options::default());
        // Lines break inside URLs without a hyphen, so compare with all spaces removed.
        let text: String = text_of(&file(&format!("words-{name}"), &out.output))
            .split_whitespace()
            .collect();
        let mut words = Vec::new();
        body_words(&document.blocks, &mut words);
        assert!(words.len() > 10);
        let mut at = 0;
        for word in words {
            match text[at..].find(&word) {
                Some(found) => at += found + word.len(),
                None => panic!("{name}: {word:?} missing after byte {at} of {text}"),
            }
        }
    }
}

#[test]
fn parallel_renders_match_sequential_ones() {
    let names = ["seed.md", "hostile.md", "korean-arabic.md"];
    let documents: Vec<Document> = names.iter().map(|n| parse(&data(n), n)).collect();
    let resources = with_system_fonts();
    let options = Options::default();
    let sequential: Vec<Vec<u8>> = documents
        .iter()
        .map(|d| pdf(d, resources, &options).output)
        .collect();
    let parallel: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = documents
            .iter()
            .map(|d| scope.spawn(|| pdf(d, resources, &options).output))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        sequential == parallel,
        "a render depends on what runs beside it"
    );
}

#[test]
fn font_dirs_are_used_without_system_fonts() {
    let dir = PathBuf::from("/usr/share/fonts/opentype/noto");
    if !dir.join("NotoSerifCJK-Regular.ttc").exists() {
        eprintln!("skipped: fonts-noto-cjk is not installed");
        return;
    }
    let options = Options {
        system_fonts: false,
        font_dirs: vec![dir],
        ..Options::default()
    };
    let resources = Resources::new(&options);
    let document = parse(&data("korean-arabic.md"), "korean-arabic.md");
    let out = pdf(&document, &resources, &options);
    assert!(
        out.warnings
            .iter()
            .all(|w| !w.message.contains("no available font")),
        "{:?}",
        out.warnings
    );
    assert!(text_of(&file("font-dir", &out.output)).contains("한국어"));
}

#[test]
fn long_tables_break_across_pages_and_repeat_their_header() {
    let mut source = String::from("| Headerword | Value |\n| --- | ---: |\n");
    for n in 0..150 {
        source.push_str(&format!("| row {n} | {} |\n", n * 7));
    }
    let document = parse(&source, "table.md");
    let out = pdf(&document, bundled_only(), &Options::default());
    let path = file("long-table", &out.output);
    let info = tool("pdfinfo", &[], &path);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(pages >= 3, "{info}");
    let text = text_of(&path);
    assert_eq!(text.matches("Headerword").count(), pages, "{text}");
    assert!(text.contains("row 149 1043"));
}

#[test]
fn documents_reusing_image_paths_get_their_own_images() {
    let (_, assets) = every_construct();
    let document = Document {
        meta: Default::default(),
        blocks: vec![para(vec![image("pic", vec![text("picture")])])],
    };
    let with = |url: &str| {
        let mut own = Assets::new();
        own.insert("pic".to_string(), assets[url].clone());
        render(&document, &own, bundled_only(), &Options::default())
            .unwrap()
            .output
    };
    let raster = |bytes: &[u8], name: &str| {
        tool("pdfimages", &["-list"], &file(name, bytes))
            .lines()
            .skip(2)
            .count()
    };
    // Both documents serve their image at the same virtual path, /img/0.
    let png = with("images/red.png");
    let svg = with("images/circle.svg");
    assert_eq!(raster(&png, "reuse-png"), 1);
    assert_eq!(
        raster(&svg, "reuse-svg"),
        0,
        "the PNG of the previous render leaked in"
    );
    assert!(with("images/red.png") == png);
}

#[test]
fn an_image_typst_cannot_decode_is_shown_as_its_description_alone() {
    let (_, assets) = every_construct();
    let mut broken = Assets::new();
    let png = &assets["images/red.png"];
    broken.insert(
        "broken.png".to_string(),
        Asset {
            data: png.data[..png.data.len() / 2].into(),
            ..png.clone()
        },
    );
    broken.insert("red.png".to_string(), png.clone());
    let document = Document {
        meta: Default::default(),
        blocks: vec![
            para(vec![image("broken.png", vec![text("half a square")])]),
            para(vec![image("red.png", vec![text("a whole square")])]),
        ],
    };
    let out = render(&document, &broken, bundled_only(), &Options::default()).unwrap();
    let messages: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("image `broken.png` cannot be decoded")),
        "{messages:?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("every image")),
        "{messages:?}"
    );
    let extracted = text_of(&file("broken-image", &out.output));
    assert!(extracted.contains("[half a square]"), "{extracted}");
    // The good image is still an image, not its description.
    assert!(!extracted.contains("[a whole square]"), "{extracted}");
}
