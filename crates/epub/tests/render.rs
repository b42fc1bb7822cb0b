//! Behaviour of whole renders: reproducible bytes, live links in the seed, the container's
//! required shape, and the warnings for what a package cannot hold.

mod common;

use bindery_model::Warning;
use common::*;

#[test]
fn two_renders_are_byte_identical_on_any_thread() {
    let (document, assets) = every_construct();
    let options = bindery_epub::Options {
        toc: true,
        ..bindery_epub::Options::default()
    };
    let first = render(&document, &assets, &options);
    assert_eq!(first, render(&document, &assets, &options));
    // As the pipeline's workers would (`--jobs 4`): same bytes from other threads at once.
    let others: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| render(&document, &assets, &options)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for other in others {
        assert!(other == first, "a render on another thread differs");
    }
}

#[test]
fn the_seed_keeps_both_urls_as_live_links() {
    let (document, assets) = seed();
    let epub = render(&document, &assets, &bindery_epub::Options::default());
    let chapter = entry_text(&epub, "OEBPS/ch001.xhtml");
    for url in [
        "https://en.wikipedia.org/wiki/Dissolution_of_the_Soviet_Union",
        "https://www.youngpioneertours.com/cuba-and-north-korea/",
    ] {
        assert!(
            chapter.contains(&format!("<a href=\"{url}\">")),
            "{url} is not a live link"
        );
    }
}

#[test]
fn the_container_starts_with_a_stored_mimetype_and_fixed_times() {
    let (document, assets) = every_construct();
    let epub = render(&document, &assets, &bindery_epub::Options::default());
    // The OCF rules: `mimetype` is the first local file header, stored, with no extra field,
    // so its bytes sit at offset 38.
    assert_eq!(&epub[..4], b"PK\x03\x04");
    assert_eq!(&epub[8..10], &[0, 0], "mimetype is not stored");
    assert_eq!(&epub[30..38], b"mimetype");
    assert_eq!(&epub[38..58], b"application/epub+zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&epub)).unwrap();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let time = entry.last_modified().unwrap();
        assert_eq!(
            (time.year(), time.month(), time.day(), time.hour()),
            (1980, 1, 1, 0),
            "{}",
            entry.name()
        );
    }
}

#[test]
fn metadata_follows_the_front_matter_and_the_timestamp() {
    let (mut document, assets) = every_construct();
    let opf = |document: &bindery_model::Document, timestamp: Option<i64>| {
        let epub = render(
            document,
            &assets,
            &bindery_epub::Options {
                timestamp,
                ..bindery_epub::Options::default()
            },
        );
        entry_text(&epub, "OEBPS/content.opf")
    };
    let with_date = opf(&document, None);
    assert!(with_date.contains("<meta property=\"dcterms:modified\">2025-01-15T00:00:00Z</meta>"));
    assert!(with_date.contains("<dc:date>2025-01-15T00:00:00Z</dc:date>"));
    assert!(with_date.contains("<dc:identifier id=\"epub-id-1\">bindery-every-construct<"));
    assert_eq!(with_date.matches("<dc:creator").count(), 2);
    assert_eq!(with_date.matches("<dc:subject>").count(), 4);
    assert_eq!(with_date.matches("id=\"epub-creator-0\"").count(), 1);
    let epoch = opf(&document, Some(1_700_000_000));
    assert!(epoch.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    document.meta.date = None;
    document.meta.identifier = None;
    let bare = opf(&document, None);
    assert!(bare.contains("<meta property=\"dcterms:modified\">1980-01-01T00:00:00Z</meta>"));
    assert!(!bare.contains("<dc:date>"));
    assert!(bare.contains("<dc:identifier id=\"epub-id-1\">urn:uuid:"));
    assert_eq!(
        bare,
        opf(&document, None),
        "the derived identifier is stable"
    );
}

#[test]
fn right_to_left_books_progress_right_to_left() {
    let (mut document, assets) = seed();
    document.meta.lang = Some("he".into());
    let epub = render(&document, &assets, &bindery_epub::Options::default());
    let opf = entry_text(&epub, "OEBPS/content.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""));
    assert!(opf.contains("<dc:language id=\"epub-lang-0\">he</dc:language>"));
    // The language's id is its own, not the first author's (EPUBCheck rejects duplicates).
    assert!(!opf.contains("id=\"epub-creator-0\">he<"));
    for page in ["OEBPS/nav.xhtml", "OEBPS/title.xhtml", "OEBPS/ch001.xhtml"] {
        assert!(entry_text(&epub, page).contains("dir=\"rtl\""), "{page}");
    }
}

#[test]
fn a_cover_is_declared_and_shown_first() {
    let (mut document, assets) = every_construct();
    document.meta.cover = Some("images/red.png".into());
    let epub = render(&document, &assets, &bindery_epub::Options::default());
    let opf = entry_text(&epub, "OEBPS/content.opf");
    assert!(
        opf.contains("properties=\"cover-image\" id=\"cover-image\" href=\"images/img-1.png\"")
    );
    assert_eq!(opf.matches("href=\"images/img-1.png\"").count(), 1);
    let spine = &opf[opf.find("<spine").unwrap()..];
    assert!(spine.find("cover.xhtml") < spine.find("title.xhtml"));
    assert!(entry_text(&epub, "OEBPS/nav.xhtml").contains("epub:type=\"cover\""));
}

fn warnings_for(source: &str) -> Vec<Warning> {
    let document = bindery_markdown::parse(
        source,
        &bindery_markdown::ReadOptions {
            dialect: bindery_markdown::Dialect::Markdown,
            file_name: None,
        },
    )
    .unwrap()
    .output;
    bindery_epub::render(
        &document,
        &Default::default(),
        resources(),
        &bindery_epub::Options::default(),
    )
    .unwrap()
    .warnings
}

#[test]
fn what_the_package_cannot_hold_is_a_warning() {
    let warnings = warnings_for(
        "# A\n\n![remote](https://example.org/x.png) ![gone](gone.png) [nowhere](#nowhere) \
         [file](other.md) <b>open\n\n<div onclick=\"x\">raw</div>\n",
    );
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    for expected in [
        "remote image `https://example.org/x.png` is not embedded",
        "image `gone.png` was not loaded",
        "link to `#nowhere` has no target",
        "link to `other.md` points outside the book",
        "raw HTML shown as text in the EPUB (2 places)",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "no warning `{expected}` in {messages:#?}"
        );
    }
    assert_eq!(messages.len(), 5, "{messages:#?}");
    assert!(warnings.iter().all(|w| w.span.is_some()), "{warnings:#?}");
}

#[test]
fn kept_raw_html_brings_no_warning() {
    let warnings = warnings_for("# A\n\nPress <kbd>Ctrl</kbd>.\n\n<div class=\"x\">ok</div>\n");
    assert!(warnings.is_empty(), "{warnings:#?}");
}

/// Prints render times for the largest content file and a long book. Run in release:
/// `cargo test --release -p bindery-epub --test render -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, meaningful only in release builds"]
fn timing() {
    let (document, assets) = every_construct();
    let _ = resources();
    let runs = 20;
    let start = std::time::Instant::now();
    let mut size = 0;
    for _ in 0..runs {
        size = render(&document, &assets, &bindery_epub::Options::default()).len();
    }
    println!(
        "every-construct.md: {:.2} ms per EPUB, {size} bytes",
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
    let (seed, seed_assets) = seed();
    let seed_size = render(&seed, &seed_assets, &bindery_epub::Options::default()).len();
    println!("seed: {seed_size} bytes");
}

#[test]
fn only_chapters_with_mathml_declare_it_in_the_manifest() {
    let markdown =
        "# One\n\n$x^2$\n\n# Two\n\nNo formula.\n\n# Three\n\n$\\frac{1$ cannot be set.\n";
    let document = bindery_markdown::parse(markdown, &bindery_markdown::ReadOptions::default())
        .unwrap()
        .output;
    let epub = render(
        &document,
        &bindery_model::Assets::new(),
        &bindery_epub::Options::default(),
    );
    let opf = entry_text(&epub, "OEBPS/content.opf");
    let item = |file: &str| {
        opf.lines()
            .find(|line| line.contains(&format!("href=\"{file}\"")))
            .unwrap_or_else(|| panic!("no item for {file} in {opf}"))
            .to_string()
    };
    assert!(
        item("ch001.xhtml").contains("properties=\"mathml\""),
        "{opf}"
    );
    assert!(!item("ch002.xhtml").contains("properties"), "{opf}");
    // The third chapter's formula stays TeX source: no MathML, so nothing to declare.
    assert!(!entry_text(&epub, "OEBPS/ch003.xhtml").contains("<math"));
    assert!(!item("ch003.xhtml").contains("properties"), "{opf}");
}
