//! Assembling the package: epub-builder writes the manifest, spine, navigation document, NCX
//! and archive; the archive is then re-written with the fixes `opf` makes and with fixed
//! timestamps, so the bytes depend on the document alone.

use std::io::{Cursor, Read, Write};

use bindery_html::{Chapter as HtmlChapter, Resources, render_chapter};
use bindery_model::{Assets, Document, Metadata, Warned};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, PageDirection, ReferenceType, TocElement,
    ZipLibrary,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::opf::{Accessibility, Dates, Identifier, fix_nav, fix_ncx, fix_opf, mark_mathml};
use crate::pages::{self, EPUB_CSS};
use crate::prepare::prepare;
use crate::split::{TocEntry, fragment_files, split};
use crate::{Error, Options};

/// The directory epub-builder puts every content file in.
const CONTENT_DIR: &str = "OEBPS";
/// The stylesheet's path inside the content directory (epub-builder's fixed name, which its
/// navigation document links to).
const STYLESHEET: &str = "stylesheet.css";
/// The start of the HTML writer's warning about raw HTML in XHTML.
const RAW_HTML_COPIED: &str = "raw HTML was copied into XHTML";
/// The heading of the navigation document and of the visible contents page.
const CONTENTS: &str = "Contents";

/// The whole render: prepare, split, write chapters, package, fix up.
pub(crate) fn build(
    document: &Document,
    assets: &Assets,
    resources: &Resources,
    options: &Options,
) -> Result<Warned<Vec<u8>>, Error> {
    let mut prepared = prepare(document, assets);
    let mut warnings = std::mem::take(&mut prepared.warnings);
    let meta = &prepared.document.meta;
    let title = meta
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Untitled")
        .to_string();
    let identifier = Identifier::new(document);
    let dates = Dates::new(meta, options.timestamp, &mut warnings)?;

    let mut builder = EpubBuilder::new(ZipLibrary::new()?)?;
    builder.epub_version(EpubVersion::V30);
    // `epub_direction` sets a field the template never reads; the `direction` metadata key
    // is what reaches the spine's `page-progression-direction`.
    let direction = if meta.is_rtl() {
        PageDirection::Rtl
    } else {
        PageDirection::Ltr
    };
    builder.epub_direction(direction);
    builder.metadata("direction", direction.to_string())?;
    describe(&mut builder, meta, &title, &identifier, &dates)?;
    let accessibility = Accessibility {
        images: !prepared.images.is_empty(),
        all_alt: prepared.missing_alt == 0,
    };
    for (property, value) in accessibility.properties() {
        builder.add_metadata_opf(Box::new(MetadataOpfV3::new(
            property.to_string(),
            crate::opf::xml_escape(&value),
        )));
    }

    let html = chapter_options(&options.html);
    builder.stylesheet(stylesheet(resources, &options.html).as_bytes())?;
    for image in &prepared.images {
        if prepared.cover.as_deref() == Some(image.path.as_str()) {
            builder.add_cover_image(&image.path, &*image.data, image.media_type.as_str())?;
        } else {
            builder.add_resource(&image.path, &*image.data, image.media_type.as_str())?;
        }
    }

    if let Some(cover) = &prepared.cover {
        let page = pages::cover(meta, &title, cover, STYLESHEET);
        builder.add_content(
            EpubContent::new("cover.xhtml", page.as_bytes())
                .title("Cover")
                .reftype(ReferenceType::Cover),
        )?;
    }
    let title_page = pages::title_page(meta, &title, STYLESHEET);
    builder.add_content(
        EpubContent::new("title.xhtml", title_page.as_bytes())
            .title(title.as_str())
            .reftype(ReferenceType::TitlePage),
    )?;

    let chapters = split(&prepared.document.blocks, options.split_level, &title);
    if options.toc && !chapters.is_empty() {
        let mut root = TocEntry {
            level: 0,
            href: String::new(),
            title: String::new(),
            children: Vec::new(),
        };
        for chapter in &chapters {
            root.add(chapter.toc.clone());
        }
        let page = pages::contents(meta, CONTENTS, &root.children, STYLESHEET);
        builder.add_content(
            EpubContent::new("contents.xhtml", page.as_bytes())
                .title(CONTENTS)
                .reftype(ReferenceType::Toc),
        )?;
    }

    let fragments = fragment_files(&chapters);
    let mut with_math = Vec::new();
    for (n, chapter) in chapters.iter().enumerate() {
        let written = render_chapter(
            &HtmlChapter {
                title: &chapter.title,
                blocks: chapter.blocks,
                meta,
                stylesheet_href: Some(STYLESHEET),
                fragment_files: Some(&fragments),
                title_block: false,
                nav: None,
            },
            &prepared.assets,
            resources,
            &html,
        );
        // The writer warns whenever raw HTML goes into XHTML as it is; here `prepare` has
        // already kept only raw HTML it checked to be well-formed and safe.
        warnings.extend(
            written
                .warnings
                .into_iter()
                .filter(|w| !w.message.starts_with(RAW_HTML_COPIED)),
        );
        // The HTML writer escapes `<` in text and attributes, so the tag only occurs as MathML.
        if written.output.contains("<math ") {
            with_math.push(chapter.file.as_str());
        }
        let content = EpubContent {
            toc: toc_element(&chapter.toc),
            content: written.output.as_bytes(),
            // The first chapter is where the body begins (the `bodymatter` landmark).
            reftype: (n == 0).then_some(ReferenceType::Text),
        };
        builder.add_content(content)?;
    }

    let toc_depth = chapters
        .iter()
        .map(|chapter| depth(&chapter.toc))
        .max()
        .unwrap_or(1);
    let mut archive = Vec::new();
    builder.generate(&mut archive)?;
    let opf_path = format!("{CONTENT_DIR}/content.opf");
    let nav_path = format!("{CONTENT_DIR}/nav.xhtml");
    let ncx_path = format!("{CONTENT_DIR}/toc.ncx");
    let output = rewrite(&archive, |name, data| {
        let fix = if name == opf_path {
            mark_mathml(&fix_opf(&utf8(name, &data)?, &identifier)?, &with_math)?
        } else if name == nav_path {
            fix_nav(&utf8(name, &data)?, meta)?
        } else if name == ncx_path {
            fix_ncx(&utf8(name, &data)?, &identifier, &title, toc_depth)?
        } else {
            return Ok(data);
        };
        Ok(fix.into_bytes())
    })?;
    Ok(Warned { output, warnings })
}

/// The package metadata epub-builder writes itself.
fn describe(
    builder: &mut EpubBuilder<ZipLibrary>,
    meta: &Metadata,
    title: &str,
    identifier: &Identifier,
    dates: &Dates,
) -> Result<(), Error> {
    builder.set_title(title);
    for author in meta.authors.iter().filter(|a| !a.trim().is_empty()) {
        builder.add_author(author.trim());
    }
    builder.add_language(meta.lang_or_default());
    if let Some(description) = meta.description.as_deref().filter(|d| !d.trim().is_empty()) {
        builder.add_description(description.trim());
    }
    for keyword in meta.keywords.iter().filter(|k| !k.trim().is_empty()) {
        builder.add_subject(keyword.trim());
    }
    builder.set_generator("bindery");
    builder.set_toc_name(CONTENTS);
    builder.set_uuid(identifier.uuid);
    builder.set_modified_date(dates.modified);
    if let Some(published) = dates.published {
        builder.set_publication_date(published);
    }
    Ok(())
}

/// The HTML writer's options for a chapter: XHTML pages, with the package's own navigation
/// and images instead of the page's.
fn chapter_options(user: &bindery_html::Options) -> bindery_html::Options {
    bindery_html::Options {
        standalone: true,
        xhtml: true,
        toc: false,
        heading_anchors: false,
        embed_resources: false,
        ..user.clone()
    }
}

/// The HTML stylesheet, the e-reader adjustments, then the user's stylesheets, which may
/// override both.
fn stylesheet(resources: &Resources, user: &bindery_html::Options) -> String {
    let base = bindery_html::Options {
        css: Vec::new(),
        ..user.clone()
    };
    let mut css = bindery_html::stylesheet(resources, &base);
    css.push_str(EPUB_CSS);
    for extra in &user.css {
        css.push('\n');
        css.push_str(extra);
        if !extra.ends_with('\n') {
            css.push('\n');
        }
    }
    css
}

/// How many levels an entry's subtree spans (1 for a leaf).
fn depth(entry: &TocEntry) -> usize {
    1 + entry.children.iter().map(depth).max().unwrap_or(0)
}

fn toc_element(entry: &TocEntry) -> TocElement {
    let mut element =
        TocElement::new(entry.href.as_str(), entry.title.as_str()).level(i32::from(entry.level));
    for child in &entry.children {
        element = element.child(toc_element(child));
    }
    element
}

fn utf8(name: &str, data: &[u8]) -> Result<String, Error> {
    String::from_utf8(data.to_vec()).map_err(|_| Error::Unexpected(format!("{name} is not UTF-8")))
}

/// Copies every entry of `archive` in order through `fix` into a new archive with fixed
/// timestamps and permissions: `mimetype` first and stored, as the OCF format requires, and
/// already-compressed images stored rather than deflated again.
fn rewrite(
    archive: &[u8],
    mut fix: impl FnMut(&str, Vec<u8>) -> Result<Vec<u8>, Error>,
) -> Result<Vec<u8>, Error> {
    let mut input = ZipArchive::new(Cursor::new(archive))?;
    let mut output = ZipWriter::new(Cursor::new(Vec::with_capacity(archive.len())));
    for index in 0..input.len() {
        let mut entry = input.by_index(index)?;
        let name = entry.name().to_string();
        if index == 0 && name != "mimetype" {
            return Err(Error::Unexpected(format!(
                "the archive starts with {name}, not mimetype"
            )));
        }
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .read_to_end(&mut data)
            .map_err(|e| Error::Zip(e.into()))?;
        drop(entry);
        let data = fix(&name, data)?;
        let compressed = [".png", ".jpg", ".gif", ".webp"]
            .iter()
            .any(|ext| name.ends_with(ext));
        let method = if name == "mimetype" || compressed {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let file_options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644);
        output.start_file(name, file_options)?;
        output.write_all(&data).map_err(|e| Error::Zip(e.into()))?;
    }
    Ok(output.finish()?.into_inner())
}
