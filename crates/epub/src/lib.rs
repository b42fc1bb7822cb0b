//! bindery's EPUB 3 writer: the last step of the pipeline for `.epub` output.
//!
//! `bindery-markdown` reads a [`Document`]; [`render`] turns it into the bytes of an EPUB 3
//! package that passes EPUBCheck and is byte-for-byte reproducible. The steps:
//!
//! 1. `prepare`: a clone of the document is made fit for a closed package — local images
//!    get package paths, remote images become links, links that would point outside the
//!    book lose their target, raw HTML survives only when it is safe, well-formed XHTML.
//! 2. `split`: the body is cut into chapter files at headings of level
//!    <= [`Options::split_level`], and every heading id is mapped to the file that holds it.
//! 3. Each chapter is written by the HTML writer in XHTML mode
//!    ([`bindery_html::render_chapter`]): one writer, two serialisations, as pandoc does.
//! 4. `package`: epub-builder assembles the manifest, spine, `nav.xhtml`, `toc.ncx` and a
//!    reproducible archive. It is vendored with a documented patch (vendor/README.md) so that
//!    everything EPUBCheck and reproducibility need is said through its API, and nothing it
//!    writes is edited afterwards.
//!
//! Rendering is pure: no file system, network, threads or clock. Images come in [`Assets`],
//! loaded by the pipeline; the modification date comes from [`Options::timestamp`].

mod opf;
mod package;
mod pages;
mod prepare;
mod safe_xml;
mod split;

use bindery_model::{Assets, Document, Warned};

/// How the EPUB is written.
#[derive(Debug, Clone)]
pub struct Options {
    /// A new chapter file starts at each top-level heading of level `<= split_level`
    /// (`--epub-split-level N`); `0` keeps the whole body in one file. Default 1.
    pub split_level: u8,
    /// Adds a visible contents page to the reading order, after the title page. The
    /// navigation document (`nav.xhtml`) is always there; this is for readers who page.
    pub toc: bool,
    /// The modification date as Unix seconds (the pipeline sets it from
    /// `SOURCE_DATE_EPOCH`). Without it the front matter `date` is used, else
    /// 1980-01-01T00:00:00Z: never the clock, so two builds give the same bytes.
    pub timestamp: Option<i64>,
    /// How chapters are written (highlighting, extra CSS...). `xhtml` and `standalone` are
    /// forced on, `toc`, `heading_anchors` and `embed_resources` off: the package has its own
    /// navigation and images.
    pub html: bindery_html::Options,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            split_level: 1,
            toc: false,
            timestamp: None,
            html: bindery_html::Options::default(),
        }
    }
}

/// Why an EPUB could not be made. Problems with the document itself are warnings, not
/// errors: these are failures of the packaging.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `Options::timestamp` is outside the range an EPUB date can express.
    #[error("the timestamp {0} is outside the years 0 to 9999 that an EPUB date can express")]
    Timestamp(i64),
    /// epub-builder refused the package.
    #[error("could not assemble the EPUB package: {0}")]
    Package(#[from] epub_builder::Error),
}

/// Renders a document as the bytes of an EPUB 3 file.
///
/// Warnings report what the package could not hold as written: images that were not loaded
/// or not safe, remote images shown as links, links whose target is not in the book, raw HTML
/// shown as text, a front matter date that is not ISO 8601, and whatever the HTML writer says.
pub fn render(
    document: &Document,
    assets: &Assets,
    resources: &bindery_html::Resources,
    options: &Options,
) -> Result<Warned<Vec<u8>>, Error> {
    package::build(document, assets, resources, options)
}
