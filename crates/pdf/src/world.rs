//! The Typst `World` of one render: the generated source, this document's images and the shared
//! fonts. Nothing else exists in it: no file system, no packages, no clock.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::fonts::Resources;

/// The most images one document may embed. File ids are interned for the life of the process
/// (at most 65,536 in all), so every document reuses the same `/img/N` paths and this bounds them.
pub(crate) const MAX_IMAGES: usize = 4096;

static MAIN: LazyLock<FileId> = LazyLock::new(|| virtual_file("/main.typ"));

fn virtual_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The virtual path the `n`th image of a document is served at (the same for every document).
pub(crate) fn image_path(n: usize) -> String {
    format!("/img/{n}")
}

/// One document's view of the world.
pub(crate) struct DocumentWorld<'a> {
    resources: &'a Resources,
    main: Source,
    /// Image `n` is served at [`image_path`]`(n)`.
    images: Vec<(FileId, Bytes)>,
    today: Option<Datetime>,
}

impl<'a> DocumentWorld<'a> {
    pub(crate) fn new(
        resources: &'a Resources,
        source: String,
        images: Vec<Bytes>,
        today: Option<Datetime>,
    ) -> Self {
        let images = images
            .into_iter()
            .enumerate()
            .map(|(n, bytes)| (virtual_file(&image_path(n)), bytes))
            .collect();
        Self {
            resources,
            main: Source::new(*MAIN, source),
            images,
            today,
        }
    }

    /// The generated source (to map error spans back to text).
    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.resources.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.resources.book
    }

    fn main(&self) -> FileId {
        *MAIN
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *MAIN {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.images
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.resources.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
