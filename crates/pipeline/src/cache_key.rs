//! What one cached output depends on, as explicit fields ([`CacheKey`]).
//!
//! Every field is written by name, with its length, in a fixed order, so a key never depends
//! on `Debug` output, and each format is keyed on its own options only: changing `--columns`
//! re-renders the text outputs and nothing else. The option structs are destructured without
//! `..`, so a field added to one of them does not compile until it is placed here (in the key,
//! or named as not shaping the output, with the reason); add a test below with it that
//! changing it misses the cache of exactly the formats it shapes.

use sha2::{Digest, Sha256};

use crate::assets::Resolved;
use crate::plan::{Source, SourceKind};
use crate::read::InputFormat;
use crate::{Format, Settings};

/// Everything one output depends on. [`CacheKey::digest`] is the key of its cache entry.
#[derive(Clone)]
pub struct CacheKey<'a> {
    /// The format of the output.
    pub format: Format,
    /// An article or a book (a book's PDF is typeset with its own contents and chapter pages).
    pub kind: SourceKind,
    /// The name a missing title falls back to: an article's file name, a book's directory
    /// name. Two documents with the same text and no heading are different outputs.
    pub name: String,
    /// The source bytes (a book: its configuration and every chapter with its path).
    pub source: &'a [u8],
    /// The resources the document uses, resolved.
    pub resolved: &'a Resolved,
    /// The run's settings; only what shapes `format` is read.
    pub settings: &'a Settings,
}

impl<'a> CacheKey<'a> {
    /// The key of `source`'s output in `format`, read into `bytes` and `resolved`.
    pub fn new(
        source: &Source,
        bytes: &'a [u8],
        resolved: &'a Resolved,
        settings: &'a Settings,
        format: Format,
    ) -> Self {
        Self {
            format,
            kind: source.kind,
            name: title_fallback(source),
            source: bytes,
            resolved,
            settings,
        }
    }

    /// The hex SHA-256 of every field.
    pub fn digest(&self) -> String {
        self.digest_as(env!("CARGO_PKG_VERSION"))
    }

    fn digest_as(&self, version: &str) -> String {
        let mut fields = Fields::default();
        fields.text("bindery", version);
        fields.text("format", self.format.name());
        fields.text(
            "kind",
            match self.kind {
                SourceKind::Article => "article",
                SourceKind::Book => "book",
            },
        );
        fields.text("name", &self.name);
        fields.bytes("source", self.source);
        let Resolved { assets, links } = self.resolved;
        for (url, target) in links.key_fields() {
            fields.text("link.url", url);
            fields.text("link.target", target.unwrap_or("\0missing"));
        }
        fields.number("assets", assets.len() as u64);
        for (url, asset) in assets {
            let bindery_model::Asset {
                media_type,
                data,
                size,
            } = asset;
            fields.text("asset.url", url);
            fields.text("asset.media_type", media_type);
            fields.bytes("asset.data", data);
            fields.optional(
                "asset.size",
                size.map(|(w, h)| (u64::from(w) << 32) | u64::from(h)),
            );
        }
        reading_fields(&mut fields, self.settings);
        format_fields(&mut fields, self.settings, self.format);
        if self.format == Format::Pdf {
            // The fonts on disk, not only the --font-dir paths: a replaced or newly installed
            // font can change the glyphs a PDF draws. Loads the font list on a cache hit too.
            fields.text("pdf.fonts", self.settings.pdf_resources().fingerprint());
        }
        fields.finish()
    }
}

/// The name `source`'s title falls back to without a title or heading, as the reader and the
/// book loader choose it: an article's file name, a book directory's own name.
fn title_fallback(source: &Source) -> String {
    let name = match source.kind {
        SourceKind::Article => source.path.file_name().map(|n| n.to_os_string()),
        // `bindery build .` inside a book: the directory's real name.
        SourceKind::Book => source
            .path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_os_string())),
    };
    name.map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What shapes the document every format renders: the dialect, `-M` overrides and the
/// raw-HTML policy.
fn reading_fields(fields: &mut Fields, settings: &Settings) {
    let Settings {
        input,
        metadata,
        raw_html,
        // A file over the limit is refused before it is read, so never reaches a key.
        max_input: _,
        // What the limits let through is in the key as the resolved resources.
        asset_limits: _,
        html: _,
        // Syntax definitions and themes are bindery's own: the version keys them.
        html_resources: _,
        text: _,
        epub: _,
        pdf: _,
        // Keyed by the fonts' fingerprint, for PDF.
        pdf_resources: _,
        // Only EPUB links with it: keyed there.
        base_url: _,
    } = settings;
    fields.text(
        "input",
        match input {
            InputFormat::Markdown => "markdown",
            InputFormat::CommonMark => "commonmark",
            InputFormat::Json => "json",
        },
    );
    // In order: a later `-M` for the same key wins.
    fields.number("metadata", metadata.len() as u64);
    for (key, value) in metadata {
        fields.text("metadata.key", key);
        fields.text("metadata.value", value);
    }
    fields.text(
        "raw_html",
        match raw_html {
            bindery_model::RawHtml::Sanitize => "sanitize",
            bindery_model::RawHtml::Escape => "escape",
            bindery_model::RawHtml::Strip => "strip",
            bindery_model::RawHtml::Keep => "keep",
        },
    );
}

/// The options of `format` alone.
fn format_fields(fields: &mut Fields, settings: &Settings, format: Format) {
    match format {
        Format::Html => html_fields(fields, "html", &settings.html),
        Format::Txt => {
            let bindery_text::Options { columns } = &settings.text;
            fields.number("txt.columns", *columns as u64);
        }
        Format::Epub => {
            let bindery_epub::Options {
                split_level,
                toc,
                timestamp,
                html,
            } = &settings.epub;
            fields.text(
                "epub.base_url",
                settings.base_url.as_deref().unwrap_or("\0none"),
            );
            fields.number("epub.split_level", u64::from(*split_level));
            fields.flag("epub.toc", *toc);
            fields.optional("epub.timestamp", timestamp.map(|t| t as u64));
            html_fields(fields, "epub.html", html);
        }
        Format::Pdf => {
            let bindery_pdf::Options {
                paper,
                toc,
                chapter_pages,
                system_fonts,
                font_dirs,
                // A limit is keyed too: a cache hit must not let through what the limit now
                // refuses.
                max_pages,
                limits,
                timestamp,
                // Not keyed: a book's PDF is the same bytes at any number of layout threads.
                layout_threads: _,
            } = &settings.pdf;
            fields.text(
                "pdf.paper",
                match paper {
                    bindery_pdf::Paper::A4 => "a4",
                    bindery_pdf::Paper::Letter => "letter",
                },
            );
            fields.flag("pdf.toc", *toc);
            fields.flag("pdf.chapter_pages", *chapter_pages);
            fields.flag("pdf.system_fonts", *system_fonts);
            fields.number("pdf.font_dirs", font_dirs.len() as u64);
            for dir in font_dirs {
                fields.bytes("pdf.font_dir", dir.as_os_str().as_encoded_bytes());
            }
            fields.number("pdf.max_pages", *max_pages as u64);
            let bindery_pdf::Limits {
                table_cells,
                paragraph_chars,
                math_chars,
                toc_headings,
                footnotes,
            } = limits;
            fields.number("pdf.limits.table_cells", *table_cells);
            fields.number("pdf.limits.paragraph_chars", *paragraph_chars);
            fields.number("pdf.limits.math_chars", *math_chars);
            fields.number("pdf.limits.toc_headings", *toc_headings);
            fields.number("pdf.limits.footnotes", *footnotes);
            fields.optional("pdf.timestamp", timestamp.map(|t| t as u64));
        }
        Format::Json => {}
    }
}

fn html_fields(fields: &mut Fields, prefix: &str, options: &bindery_html::Options) {
    let bindery_html::Options {
        standalone,
        toc,
        highlight,
        heading_anchors,
        embed_resources,
        css,
        xhtml,
        raw_html_checked,
    } = options;
    let name = |field: &str| format!("{prefix}.{field}");
    fields.flag(&name("standalone"), *standalone);
    fields.flag(&name("toc"), *toc);
    fields.flag(&name("highlight"), *highlight);
    fields.flag(&name("heading_anchors"), *heading_anchors);
    fields.flag(&name("embed_resources"), *embed_resources);
    fields.number(&name("css"), css.len() as u64);
    for sheet in css {
        fields.text(&name("css.sheet"), sheet);
    }
    fields.flag(&name("xhtml"), *xhtml);
    fields.flag(&name("raw_html_checked"), *raw_html_checked);
}

/// Every option of a run, for checking that the shards of one build were run alike (the
/// font files are not read: shards may run on machines that differ only in where fonts live).
pub(crate) fn settings_fingerprint(settings: &Settings) -> String {
    let mut fields = Fields::default();
    reading_fields(&mut fields, settings);
    let Settings {
        max_input,
        asset_limits,
        ..
    } = settings;
    let crate::AssetLimits {
        max_bytes,
        max_pixels,
        max_decoded_bytes,
        max_document_bytes,
    } = asset_limits;
    fields.number("max_input", *max_input);
    fields.number("asset_limits.max_bytes", *max_bytes);
    fields.number("asset_limits.max_pixels", *max_pixels);
    fields.number("asset_limits.max_decoded_bytes", *max_decoded_bytes);
    fields.number("asset_limits.max_document_bytes", *max_document_bytes);
    for format in Format::all() {
        format_fields(&mut fields, settings, format);
    }
    fields.finish()
}

/// A SHA-256 over named, length-prefixed fields: no two different field lists hash alike by
/// running into each other.
#[derive(Default)]
struct Fields(Sha256);

impl Fields {
    fn bytes(&mut self, name: &str, value: &[u8]) {
        self.0.update((name.len() as u64).to_le_bytes());
        self.0.update(name.as_bytes());
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value);
    }

    fn text(&mut self, name: &str, value: &str) {
        self.bytes(name, value.as_bytes());
    }

    fn number(&mut self, name: &str, value: u64) {
        self.bytes(name, &value.to_le_bytes());
    }

    fn flag(&mut self, name: &str, value: bool) {
        self.bytes(name, &[u8::from(value)]);
    }

    /// `None` and every `Some` differ (an empty value against nine bytes).
    fn optional(&mut self, name: &str, value: Option<u64>) {
        match value {
            None => self.bytes(name, &[]),
            Some(value) => {
                let mut bytes = [1u8; 9];
                bytes[1..].copy_from_slice(&value.to_le_bytes());
                self.bytes(name, &bytes);
            }
        }
    }

    fn finish(self) -> String {
        crate::cache::hex(&self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use std::sync::Arc;

    use bindery_model::Asset;

    use super::*;

    /// The settings every case starts from; system fonts off so that PDF keys load only the
    /// bundled fonts.
    fn base() -> Settings {
        let mut settings = Settings::default();
        settings.pdf.system_fonts = false;
        settings
    }

    fn resolved() -> Resolved {
        let mut resolved = Resolved::default();
        resolved.assets.insert(
            "img/a.png".into(),
            Asset {
                media_type: "image/png".into(),
                data: Arc::from(&b"\x89PNG fake"[..]),
                size: Some((3, 2)),
            },
        );
        resolved
    }

    fn source(kind: SourceKind) -> Source {
        Source {
            path: PathBuf::from("in/alpha.md"),
            kind,
            root: PathBuf::from("in"),
            stem: PathBuf::from("alpha"),
        }
    }

    /// One document's inputs, which each case may change.
    struct Case {
        kind: SourceKind,
        name: String,
        bytes: Vec<u8>,
        resolved: Resolved,
        settings: Settings,
        version: &'static str,
    }

    impl Case {
        fn new() -> Self {
            Self {
                kind: SourceKind::Article,
                name: "alpha.md".into(),
                bytes: b"Some text without a heading.\n".to_vec(),
                resolved: resolved(),
                settings: base(),
                version: "0.1.0",
            }
        }

        fn key(&self, format: Format) -> String {
            let mut key = CacheKey::new(
                &source(self.kind),
                &self.bytes,
                &self.resolved,
                &self.settings,
                format,
            );
            key.name.clone_from(&self.name);
            key.digest_as(self.version)
        }
    }

    /// The formats whose key changes when `change` is applied to a document.
    fn missed(change: impl FnOnce(&mut Case)) -> BTreeSet<Format> {
        let before = Case::new();
        let mut after = Case::new();
        change(&mut after);
        Format::all()
            .filter(|&f| before.key(f) != after.key(f))
            .collect()
    }

    fn formats(list: &[Format]) -> BTreeSet<Format> {
        list.iter().copied().collect()
    }

    fn all() -> BTreeSet<Format> {
        Format::all().collect()
    }

    #[test]
    fn the_key_is_stable_and_differs_per_format() {
        let case = Case::new();
        let keys: BTreeSet<String> = Format::all().map(|f| case.key(f)).collect();
        assert_eq!(keys.len(), Format::all().count());
        assert_eq!(case.key(Format::Txt), Case::new().key(Format::Txt));
        assert!(missed(|_| {}).is_empty());
    }

    // The document and bindery: every format.

    #[test]
    fn the_bindery_version_is_in_every_key() {
        assert_eq!(missed(|c| c.version = "0.1.1"), all());
    }

    #[test]
    fn the_source_bytes_are_in_every_key() {
        assert_eq!(missed(|c| c.bytes.push(b'x')), all());
    }

    /// Issue 17, item 6: `omega.md` must not get the output of `alpha.md`, whose title came
    /// from its file name.
    #[test]
    fn the_title_fallback_name_is_in_every_key() {
        assert_eq!(missed(|c| c.name = "omega.md".into()), all());
    }

    #[test]
    fn article_or_book_is_in_every_key() {
        assert_eq!(missed(|c| c.kind = SourceKind::Book), all());
    }

    #[test]
    fn resolved_resources_are_in_every_key() {
        let change_asset =
            |f: fn(&mut Asset)| missed(move |c| f(c.resolved.assets.get_mut("img/a.png").unwrap()));
        assert_eq!(change_asset(|a| a.data = Arc::from(&b"other"[..])), all());
        assert_eq!(change_asset(|a| a.media_type = "image/gif".into()), all());
        assert_eq!(change_asset(|a| a.size = Some((2, 3))), all());
        assert_eq!(
            missed(|c| {
                let asset = c.resolved.assets.remove("img/a.png").unwrap();
                c.resolved.assets.insert("img/b.png".into(), asset);
            }),
            all()
        );
        assert_eq!(missed(|c| c.resolved = Resolved::default()), all());
    }

    #[test]
    fn the_input_dialect_is_in_every_key() {
        assert_eq!(
            missed(|c| c.settings.input = InputFormat::CommonMark),
            all()
        );
    }

    #[test]
    fn metadata_overrides_are_in_every_key() {
        assert_eq!(
            missed(|c| c.settings.metadata.push(("title".into(), "T".into()))),
            all()
        );
        // The order decides which of two values for one key wins.
        let two = |first: &str, second: &str| {
            vec![
                ("title".to_string(), first.to_string()),
                ("title".to_string(), second.to_string()),
            ]
        };
        let before = {
            let mut case = Case::new();
            case.settings.metadata = two("A", "B");
            case.key(Format::Html)
        };
        let mut swapped = Case::new();
        swapped.settings.metadata = two("B", "A");
        assert_ne!(before, swapped.key(Format::Html));
    }

    #[test]
    fn the_raw_html_policy_is_in_every_key() {
        assert_eq!(
            missed(|c| c.settings.raw_html = bindery_model::RawHtml::Keep),
            all()
        );
    }

    /// A too-large input never reaches a key, and what the image limits let through is
    /// keyed as the resolved resources.
    #[test]
    fn limits_applied_before_rendering_are_not_in_the_key() {
        assert!(missed(|c| c.settings.max_input = 5).is_empty());
        assert!(missed(|c| c.settings.asset_limits.max_pixels = 5).is_empty());
    }

    // Each format's own options: that format only.

    #[test]
    fn html_standalone_is_in_the_html_key_only() {
        let expected = formats(&[Format::Html]);
        assert_eq!(missed(|c| c.settings.html.standalone = false), expected);
    }

    #[test]
    fn html_toc_is_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.toc = true),
            formats(&[Format::Html])
        );
    }

    #[test]
    fn html_highlight_is_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.highlight = false),
            formats(&[Format::Html])
        );
    }

    #[test]
    fn html_heading_anchors_are_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.heading_anchors = !c.settings.html.heading_anchors),
            formats(&[Format::Html])
        );
    }

    #[test]
    fn html_embed_resources_is_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.embed_resources = true),
            formats(&[Format::Html])
        );
    }

    #[test]
    fn html_css_is_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.css.push("p { color: red }".into())),
            formats(&[Format::Html])
        );
        // Two sheets are not their concatenation.
        let mut one = Case::new();
        one.settings.html.css = vec!["ab".into()];
        let mut two = Case::new();
        two.settings.html.css = vec!["a".into(), "b".into()];
        assert_ne!(one.key(Format::Html), two.key(Format::Html));
    }

    #[test]
    fn html_xhtml_is_in_the_html_key_only() {
        assert_eq!(
            missed(|c| c.settings.html.xhtml = true),
            formats(&[Format::Html])
        );
    }

    #[test]
    fn base_url_is_in_the_epub_key_only() {
        assert_eq!(
            missed(|c| c.settings.base_url = Some("https://example.org/a".into())),
            formats(&[Format::Epub])
        );
    }

    #[test]
    fn where_a_link_to_another_article_points_is_in_every_key() {
        // The same source bytes: only the rest of the build differs (`b.md` is built or not,
        // or has another output path).
        fn linked(articles: &'static [(&'static str, &'static str)]) -> impl Fn(&mut Case) {
            move |c: &mut Case| {
                let sources: Vec<Source> = articles
                    .iter()
                    .map(|(path, stem)| Source {
                        path: PathBuf::from(path),
                        kind: SourceKind::Article,
                        root: PathBuf::from("in"),
                        stem: PathBuf::from(stem),
                    })
                    .collect();
                let document = bindery_model::Document {
                    blocks: vec![bindery_model::build::para(vec![
                        bindery_model::build::link("b.md", vec![bindery_model::build::text("b")]),
                    ])],
                    ..Default::default()
                };
                c.resolved.links = crate::links::ArticleLinks::resolve(
                    &document,
                    &source(SourceKind::Article),
                    &crate::links::Articles::new(&sources),
                    &Settings::default(),
                    &mut Vec::new(),
                );
            }
        }
        let built = linked(&[("in/b.md", "b")]);
        assert_eq!(missed(linked(&[])), all());
        assert_eq!(missed(&built), all());
        let mut a = Case::new();
        built(&mut a);
        let mut b = Case::new();
        linked(&[("in/b.md", "elsewhere/b")])(&mut b);
        assert!(Format::all().all(|f| a.key(f) != b.key(f)));
    }

    #[test]
    fn text_columns_are_in_the_text_key_only() {
        assert_eq!(
            missed(|c| c.settings.text.columns = 60),
            formats(&[Format::Txt])
        );
    }

    #[test]
    fn epub_split_level_is_in_the_epub_key_only() {
        assert_eq!(
            missed(|c| c.settings.epub.split_level = 2),
            formats(&[Format::Epub])
        );
    }

    #[test]
    fn epub_toc_is_in_the_epub_key_only() {
        assert_eq!(
            missed(|c| c.settings.epub.toc = true),
            formats(&[Format::Epub])
        );
    }

    #[test]
    fn epub_timestamp_is_in_the_epub_key_only() {
        assert_eq!(
            missed(|c| c.settings.epub.timestamp = Some(1)),
            formats(&[Format::Epub])
        );
        assert_eq!(
            missed(|c| c.settings.epub.timestamp = Some(0)),
            formats(&[Format::Epub]),
            "an epoch of 0 is not the same as none"
        );
    }

    #[test]
    fn epub_chapter_html_options_are_in_the_epub_key_only() {
        assert_eq!(
            missed(|c| c.settings.epub.html.css.push("p {}".into())),
            formats(&[Format::Epub])
        );
        assert_eq!(
            missed(|c| c.settings.epub.html.highlight = false),
            formats(&[Format::Epub])
        );
    }

    #[test]
    fn pdf_paper_is_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.paper = bindery_pdf::Paper::Letter),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_toc_is_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.toc = true),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_chapter_pages_are_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.chapter_pages = true),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_system_fonts_are_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.system_fonts = true),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_font_dirs_are_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c
                .settings
                .pdf
                .font_dirs
                .push(PathBuf::from("/nonexistent/fonts"))),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_max_pages_is_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.max_pages = 3),
            formats(&[Format::Pdf])
        );
    }

    #[test]
    fn pdf_limits_are_in_the_pdf_key_only() {
        let changes: [fn(&mut bindery_pdf::Limits); 5] = [
            |l| l.table_cells = 1,
            |l| l.paragraph_chars = 1,
            |l| l.math_chars = 1,
            |l| l.toc_headings = 1,
            |l| l.footnotes = 1,
        ];
        for (i, change) in changes.into_iter().enumerate() {
            assert_eq!(
                missed(|c| change(&mut c.settings.pdf.limits)),
                formats(&[Format::Pdf]),
                "change {i}"
            );
        }
    }

    #[test]
    fn pdf_timestamp_is_in_the_pdf_key_only() {
        assert_eq!(
            missed(|c| c.settings.pdf.timestamp = Some(1)),
            formats(&[Format::Pdf])
        );
    }

    /// `SOURCE_DATE_EPOCH` sets the EPUB and PDF dates, and nothing else.
    #[test]
    fn source_date_epoch_is_in_the_epub_and_pdf_keys_only() {
        assert_eq!(
            missed(|c| {
                c.settings.epub.timestamp = Some(1_700_000_000);
                c.settings.pdf.timestamp = Some(1_700_000_000);
            }),
            formats(&[Format::Epub, Format::Pdf])
        );
    }

    #[test]
    fn the_settings_fingerprint_covers_every_format_and_limit() {
        let before = settings_fingerprint(&base());
        let changes: [fn(&mut Settings); 7] = [
            |s| s.text.columns = 60,
            |s| s.html.toc = true,
            |s| s.epub.split_level = 0,
            |s| s.pdf.max_pages = 1,
            |s| s.pdf.limits.table_cells = 1,
            |s| s.max_input = 1,
            |s| s.asset_limits.max_bytes = 1,
        ];
        for (i, change) in changes.into_iter().enumerate() {
            let mut settings = base();
            change(&mut settings);
            assert_ne!(settings_fingerprint(&settings), before, "change {i}");
        }
    }

    #[test]
    fn the_fallback_name_is_the_file_name_or_the_book_directory() {
        assert_eq!(title_fallback(&source(SourceKind::Article)), "alpha.md");
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("my-book");
        std::fs::create_dir(&book).unwrap();
        let source = Source {
            path: book.join("."),
            kind: SourceKind::Book,
            root: book.clone(),
            stem: PathBuf::from("my-book"),
        };
        assert_eq!(title_fallback(&source), "my-book");
    }
}
