//! Assembling the package: epub-builder (vendored with a patch, see vendor/README.md) writes
//! the manifest, spine, navigation document, NCX and a reproducible archive; nothing it writes
//! is edited afterwards.

use bindery_html::{Chapter as HtmlChapter, Resources, render_chapter};
use bindery_model::{Assets, Document, Metadata, Warned};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, PageDirection, ReferenceType, TocElement,
    ZipLibrary,
};

use crate::opf::{Accessibility, Dates, Identifier};
use crate::pages::{self, EPUB_CSS};
use crate::prepare::prepare;
use crate::split::{TocEntry, fragment_files, split};
use crate::{Error, Options};

/// The stylesheet's path inside the content directory (epub-builder's fixed name, which its
/// navigation document links to).
const STYLESHEET: &str = "stylesheet.css";
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

    let mut builder = EpubBuilder::new(ZipLibrary::reproducible()?)?;
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

    // `prepare` has kept only raw HTML it checked to be well-formed and safe, so the HTML
    // writer need not warn that it copies raw HTML into XHTML unchecked.
    let html = bindery_html::Options {
        raw_html_checked: true,
        ..chapter_options(&options.html)
    };
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
    let title_page = pages::title_page(meta, &title, STYLESHEET, resources, &html);
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
        warnings.extend(written.warnings);
        // EPUB 3 requires a content document holding MathML to say so in the manifest; a
        // formula the writer could not convert is TeX source, not MathML.
        let properties = written.mathml.then(|| "mathml".to_string());
        let content = EpubContent {
            toc: toc_element(&chapter.toc),
            content: written.output.as_bytes(),
            // The first chapter is where the body begins (the `bodymatter` landmark).
            reftype: (n == 0).then_some(ReferenceType::Text),
            properties,
        };
        builder.add_content(content)?;
    }

    let mut output = Vec::new();
    builder.generate(&mut output)?;
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
    builder.set_identifier(identifier.value());
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

fn toc_element(entry: &TocEntry) -> TocElement {
    let mut element =
        TocElement::new(entry.href.as_str(), entry.title.as_str()).level(i32::from(entry.level));
    for child in &entry.children {
        element = element.child(toc_element(child));
    }
    element
}
