//! One document at a time, on request, for a long-running caller such as `bindery serve`:
//! the same reading, limits, cache keys, cache and render isolation as [`crate::build`], with
//! the render workers kept warm between requests.
//!
//! [`find_document`] turns a path a client asked for into a [`Source`] only inside the root
//! (by canonical path); [`Renderer::prepare`] reads it (articles through the confined
//! [`crate::read`] opening, books through [`crate::book::load`]), [`Renderer::key`] names the
//! cache entry of one format of it, and [`Renderer::render`] copies that entry or renders and
//! stores it. Text posted by a client goes through [`Renderer::read_posted`], which reads no
//! file at all, and [`Renderer::render_posted`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use bindery_model::{Assets, Document, Warned, Warning};

use crate::assets::{refuse_local_images, resolve_uploaded_images};
use crate::book::CONFIG_FILE;
use crate::cache::Cache;
use crate::plan::{Source, SourceKind};
use crate::read::{InputFormat, read_document_as, read_inside};
use crate::run::{Loaded, guarded, load_book_dir, load_bytes, render_isolated, render_loaded};
use crate::worker::{Isolation, Workers};
use crate::{CacheKey, Error, Format, Settings};

/// The document `relative` names under `root`: the article `root/relative.md`, or the book
/// in the directory `root/relative` (one holding `bindery.toml`).
///
/// `relative` must be made of plain names only (no `..`, `.`, root or prefix), and the
/// document must be inside `root` once symbolic links are followed; a book's chapter is no
/// document of its own (as in `bindery build`). Anything else is an [`Error::Io`] of kind
/// `NotFound`, saying why, and no file is opened.
pub fn find_document(root: &Path, relative: &Path) -> Result<Source, Error> {
    let not_found = |why: &str| Error::Io {
        path: relative.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, why.to_string()),
    };
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(not_found("not a plain relative path"));
    }
    let canonical_root = root
        .canonicalize()
        .map_err(|_| not_found("the root cannot be read"))?;
    // A document inside a book is one of its chapters, built only as part of it.
    let mut dir = root.to_path_buf();
    for part in relative.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        if dir.join(CONFIG_FILE).exists() {
            return Err(not_found("a chapter of a book, served only as part of it"));
        }
    }
    let inside = |path: &Path| {
        path.canonicalize()
            .ok()
            .filter(|canonical| canonical.starts_with(&canonical_root))
    };
    let book = root.join(relative);
    if let Some(canonical) = inside(&book)
        && canonical.is_dir()
    {
        if inside(&book.join(CONFIG_FILE)).is_some_and(|c| c.is_file()) {
            return Ok(Source {
                path: book,
                kind: SourceKind::Book,
                root: root.to_path_buf(),
                stem: relative.to_path_buf(),
            });
        }
        return Err(not_found("a directory, not a book"));
    }
    let mut name = relative.as_os_str().to_owned();
    name.push(".md");
    let article = root.join(&name);
    match inside(&article) {
        Some(canonical) if canonical.is_file() => Ok(Source {
            path: article,
            kind: SourceKind::Article,
            root: root.to_path_buf(),
            stem: relative.to_path_buf(),
        }),
        Some(_) => Err(not_found("not a regular file")),
        None => Err(not_found("no such document inside the root")),
    }
}

/// Renders documents on request; shared by every thread of a service.
pub struct Renderer {
    settings: Settings,
    cache: Option<Cache>,
    isolation: Isolation,
    workers: Workers,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("cache", &self.cache)
            .field("isolation", &self.isolation)
            .finish_non_exhaustive()
    }
}

/// A document read and resolved, ready to render in any format.
pub struct Prepared {
    source: Source,
    loaded: Loaded,
}

impl Prepared {
    /// The source it was read from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The warnings from reading it.
    pub fn warnings(&self) -> &[Warning] {
        &self.loaded.warnings
    }
}

/// One output, rendered or copied from the cache.
#[derive(Debug)]
pub struct Rendered {
    /// The output's bytes.
    pub bytes: Vec<u8>,
    /// The renderer's warnings.
    pub warnings: Vec<Warning>,
    /// True when copied from the cache.
    pub cached: bool,
}

impl Renderer {
    /// A renderer with these settings, reading and writing the cache in `cache` (`None`:
    /// none), with PDFs typeset as `isolation` says, each within `render_timeout` when in a
    /// worker.
    pub fn new(
        settings: Settings,
        cache: Option<PathBuf>,
        isolation: Isolation,
        render_timeout: Duration,
    ) -> Self {
        Self {
            settings,
            cache: cache.map(Cache::new),
            isolation,
            workers: Workers::new(render_timeout),
        }
    }

    /// The settings every document is read and rendered with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The output cache, if there is one.
    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// Reads `source` (found by [`find_document`]) and resolves its images inside its root.
    /// An article is opened only inside its root once links are followed, and only if it is a
    /// regular file; a panic while reading is this document's error.
    pub fn prepare(&self, source: &Source) -> Result<Prepared, Error> {
        let loaded = guarded(&source.path, "reading", || match source.kind {
            SourceKind::Article => {
                let bytes = read_inside(
                    &source.root,
                    &source.path,
                    &source.path,
                    self.settings.max_input,
                )?;
                load_bytes(source, bytes, &self.settings)
            }
            SourceKind::Book => load_book_dir(&source.path, &source.root, &self.settings),
        })?;
        Ok(Prepared {
            source: source.clone(),
            loaded,
        })
    }

    /// The content-addressed key of `prepared`'s output in `format`: the key `bindery build`
    /// stores it under with the same settings (a book's HTML is one page here, which `build`
    /// does not cache).
    pub fn key(&self, prepared: &Prepared, format: Format) -> String {
        CacheKey::new(
            &prepared.source,
            &prepared.loaded.bytes,
            &prepared.loaded.resolved,
            &self.settings,
            format,
        )
        .digest()
    }

    /// `prepared` in `format`: copied from the cache under `key` (from [`Renderer::key`])
    /// when it is there, else rendered (PDFs in a worker when isolated) and stored.
    pub fn render(
        &self,
        prepared: &Prepared,
        format: Format,
        key: &str,
    ) -> Result<Rendered, Error> {
        if let Some((bytes, warnings)) = self.cache.as_ref().and_then(|c| c.get(key)) {
            return Ok(Rendered {
                bytes,
                warnings: self.locate(prepared, warnings),
                cached: true,
            });
        }
        let warned = render_loaded(
            &prepared.source.path,
            &prepared.loaded,
            format,
            &self.settings,
            &self.isolation,
            &self.workers,
        )?;
        if let Some(cache) = &self.cache {
            cache.put(key, &warned.output, &warned.warnings);
        }
        Ok(Rendered {
            bytes: warned.output,
            warnings: self.locate(prepared, warned.warnings),
            cached: false,
        })
    }

    fn locate(&self, prepared: &Prepared, warnings: Vec<Warning>) -> Vec<Warning> {
        match &prepared.loaded.layout {
            Some(layout) => warnings.into_iter().map(|w| layout.locate(w)).collect(),
            None => warnings,
        }
    }

    /// Reads text a client sent (`name` in messages) in the dialect `input` with the metadata
    /// overrides `metadata`, under the same limits and raw-HTML policy as a file. It reads no
    /// file: a local image is one of `images` (the request's parts, by file name), checked
    /// as a file would be, else its alt text, with a warning.
    pub fn read_posted(
        &self,
        name: &Path,
        bytes: &[u8],
        input: InputFormat,
        metadata: &[(String, String)],
        images: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Warned<Posted>, Error> {
        guarded(name, "reading", || {
            let Warned {
                output: mut document,
                mut warnings,
            } = read_document_as(name, bytes, input, metadata, &self.settings)?;
            let assets = if images.is_empty() {
                refuse_local_images(&mut document, &mut warnings);
                Assets::new()
            } else {
                resolve_uploaded_images(
                    &mut document,
                    images,
                    self.settings.asset_limits,
                    &mut warnings,
                )
                .assets
            };
            Ok(Warned {
                output: Posted { document, assets },
                warnings,
            })
        })
    }

    /// A posted document (from [`Renderer::read_posted`]) in `format`, never cached; HTML is
    /// a whole page when `standalone`, else only the body's content.
    pub fn render_posted(
        &self,
        name: &Path,
        posted: &Posted,
        format: Format,
        standalone: bool,
    ) -> Result<Warned<Vec<u8>>, Error> {
        let Posted { document, assets } = posted;
        if format == Format::Html && standalone != self.settings.html.standalone {
            let options = bindery_html::Options {
                standalone,
                ..self.settings.html.clone()
            };
            return guarded(name, format.name(), || {
                Ok(
                    bindery_html::render(document, assets, &self.settings.html_resources, &options)
                        .map(String::into_bytes),
                )
            });
        }
        render_isolated(
            name,
            format,
            document,
            assets,
            None,
            &self.settings,
            &self.isolation,
            &self.workers,
        )
    }
}

/// A document a client sent, with the images that came with it.
#[derive(Debug)]
pub struct Posted {
    /// The document; its local images keep the URLs it wrote.
    pub document: Document,
    /// The images it uses that the request carried, by the URL the document writes.
    pub assets: Assets,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("book")).unwrap();
        std::fs::write(root.join("a.md"), "# A\n").unwrap();
        std::fs::write(root.join("sub/b.md"), "# B\n").unwrap();
        std::fs::write(root.join("book/bindery.toml"), "title = \"B\"\n").unwrap();
        std::fs::write(root.join("book/ch.md"), "# C\n").unwrap();
        std::fs::write(dir.path().join("secret.md"), "# S\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.md"), root.join("out.md")).unwrap();
        dir
    }

    #[test]
    fn finds_articles_and_books_inside_the_root_only() {
        let dir = tree();
        let root = dir.path().join("root");
        let found = |rel: &str| find_document(&root, Path::new(rel)).map(|s| (s.kind, s.stem));
        assert_eq!(
            found("a").unwrap(),
            (SourceKind::Article, PathBuf::from("a"))
        );
        assert_eq!(
            found("sub/b").unwrap(),
            (SourceKind::Article, PathBuf::from("sub/b"))
        );
        assert_eq!(
            found("book").unwrap(),
            (SourceKind::Book, PathBuf::from("book"))
        );
        for refused in [
            "../secret",
            "sub/../a",
            "./a",
            "/a",
            "",
            "out",
            "book/ch",
            "sub",
            "none",
        ] {
            let error = found(refused).expect_err(refused);
            assert!(
                matches!(&error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
                "{refused}: {error}"
            );
        }
    }

    #[test]
    fn posted_documents_read_no_files() {
        let dir = tree();
        let renderer = Renderer::new(
            Settings::default(),
            None,
            Isolation::InProcess,
            Duration::from_secs(60),
        );
        let text = format!(
            "![alt text]({}/secret.md) ![remote](https://example.invalid/x.png)\n",
            dir.path().display()
        );
        let warned = renderer
            .read_posted(
                Path::new("posted"),
                text.as_bytes(),
                InputFormat::Markdown,
                &[],
                &BTreeMap::new(),
            )
            .unwrap();
        assert_eq!(warned.warnings.len(), 1, "{:?}", warned.warnings);
        let html = renderer
            .render_posted(Path::new("posted"), &warned.output, Format::Html, false)
            .unwrap();
        let html = String::from_utf8(html.output).unwrap();
        assert!(!html.contains("secret"), "{html}");
        assert!(html.contains("alt text"), "{html}");
        assert!(html.contains("https://example.invalid/x.png"), "{html}");
    }
}
