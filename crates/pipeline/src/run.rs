//! The parallel run: each document read once, every format of it rendered on the pool, each
//! output written as soon as it is made, every failure contained to its own output.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bindery_model::{Document, Warning};
use rayon::prelude::*;

use crate::assets::{Resolved, resolve_images, resolve_images_keeping_urls};
use crate::book::{self, Layout};
use crate::cache::{Cache, sha256_hex};
use crate::copy::copy_images;
use crate::plan::{Source, SourceKind, find_collisions, plan};
use crate::read::{read_document, read_input};
use crate::write::write_atomic;
use crate::{Error, Format, Settings};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Build {
    /// Files and directories (searched recursively for Markdown).
    pub inputs: Vec<PathBuf>,
    /// The output directory; its tree mirrors each input's tree.
    pub out_dir: PathBuf,
    /// The formats to write for every document.
    pub formats: Vec<Format>,
    /// Resources resolve inside this directory; default: each argument (or a file's directory).
    pub root: Option<PathBuf>,
    /// Worker threads; `None` or 0: one per core.
    pub jobs: Option<usize>,
    /// Stop starting new work after the first failure.
    pub fail_fast: bool,
    /// The output cache directory; `None` renders everything.
    pub cache: Option<PathBuf>,
    /// The most bytes the cache may hold once the run is over: least recently used entries
    /// beyond it are removed ([`Cache::prune`]).
    pub cache_limit: u64,
}

/// What happened, as it happens (for progress bars and `--message-format json`).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Planning is done: this many outputs will be attempted.
    Planned {
        /// Documents x formats.
        outputs: usize,
    },
    /// A document was read; its reading warnings.
    Read {
        /// The input.
        source: &'a Path,
        /// Warnings from reading it.
        warnings: &'a [Warning],
    },
    /// An output was written.
    Written(&'a Output),
    /// A document or an output failed.
    Failed(&'a Failure),
}

/// One written output.
#[derive(Debug, Clone)]
pub struct Output {
    /// The input it was made from.
    pub source: PathBuf,
    /// Its format.
    pub format: Format,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Hex SHA-256 of the output.
    pub sha256: String,
    /// Hex SHA-256 of the source file.
    pub source_sha256: String,
    /// The renderer's warnings.
    pub warnings: Vec<Warning>,
    /// True when copied from the cache instead of rendered.
    pub cached: bool,
    /// Time spent rendering (or copying from the cache).
    pub elapsed: Duration,
}

/// One document or output that could not be made.
#[derive(Debug)]
pub struct Failure {
    /// The input.
    pub source: PathBuf,
    /// The format, or `None` when the document itself could not be read.
    pub format: Option<Format>,
    /// Why.
    pub error: Error,
}

/// Everything a run did, in a stable order (inputs sorted as planned, formats as requested).
#[derive(Debug, Default)]
pub struct Report {
    /// Documents attempted.
    pub documents: usize,
    /// Outputs written.
    pub outputs: Vec<Output>,
    /// Documents or outputs that failed.
    pub failures: Vec<Failure>,
    /// Warnings from reading each document (once per document, not per format).
    pub warnings: Vec<(PathBuf, Warning)>,
}

#[derive(Default)]
struct DocumentResult {
    outputs: Vec<Output>,
    failures: Vec<Failure>,
    warnings: Vec<(PathBuf, Warning)>,
}

/// Builds every document under `request.inputs` into every requested format.
///
/// Never stops at a failing document (unless `fail_fast`): failures are collected in the
/// report, and all other outputs are written.
pub fn build(request: &Build, settings: &Settings, observe: &(dyn Fn(Event<'_>) + Sync)) -> Report {
    let mut report = Report::default();
    let planned = plan(&request.inputs, request.root.as_deref());
    let sources = planned.sources;
    for (source, error) in planned.failures {
        report.failures.push(Failure {
            source,
            format: None,
            error,
        });
    }
    report.warnings.extend(planned.skipped);
    let (sources, collisions) = find_collisions(sources);
    for (source, first) in collisions {
        report.failures.push(Failure {
            source: source.path.clone(),
            format: None,
            error: Error::Collision {
                path: source.path,
                first,
            },
        });
    }
    report.documents = sources.len() + report.failures.len();
    for failure in &report.failures {
        observe(Event::Failed(failure));
    }
    observe(Event::Planned {
        outputs: sources.len() * request.formats.len(),
    });
    let cache = request.cache.as_ref().map(Cache::new);
    let context = Context {
        request,
        settings,
        cache: cache.as_ref(),
        observe,
        stop: AtomicBool::new(false),
        copied: Mutex::new(BTreeSet::new()),
    };

    let run = || {
        sources
            .par_iter()
            .map(|source| build_document(source, &context))
            .collect::<Vec<_>>()
    };
    let results = match pool(request.jobs) {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    for result in results {
        report.outputs.extend(result.outputs);
        report.failures.extend(result.failures);
        report.warnings.extend(result.warnings);
    }
    if let Some(cache) = &cache {
        cache.prune(request.cache_limit);
    }
    report
}

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new()
        // comrak's parser recurses on some inputs; give workers the main thread's stack size.
        .stack_size(16 * 1024 * 1024)
        .thread_name(|i| format!("bindery-{i}"));
    // rayon's own meaning of 0: one thread per core, as when no number is given.
    if let Some(jobs) = jobs {
        builder = builder.num_threads(jobs);
    }
    builder.build()
}

/// What every job of a run shares.
struct Context<'a> {
    request: &'a Build,
    settings: &'a Settings,
    cache: Option<&'a Cache>,
    observe: &'a (dyn Fn(Event<'_>) + Sync),
    stop: AtomicBool,
    copied: Mutex<BTreeSet<PathBuf>>,
}

impl Context<'_> {
    fn fail(
        &self,
        result: &mut DocumentResult,
        source: &Source,
        format: Option<Format>,
        error: Error,
    ) {
        if self.request.fail_fast {
            self.stop.store(true, Ordering::Relaxed);
        }
        let failure = Failure {
            source: source.path.clone(),
            format,
            error,
        };
        (self.observe)(Event::Failed(&failure));
        result.failures.push(failure);
    }
}

fn build_document(source: &Source, cx: &Context) -> DocumentResult {
    let mut result = DocumentResult::default();
    if cx.stop.load(Ordering::Relaxed) {
        return result;
    }
    let loaded = guarded(&source.path, "reading", || match source.kind {
        SourceKind::Article => load(source, cx.settings),
        SourceKind::Book => load_book(source, cx.settings),
    });
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            cx.fail(&mut result, source, None, error);
            return result;
        }
    };
    (cx.observe)(Event::Read {
        source: &source.path,
        warnings: &loaded.warnings,
    });
    let source_sha256 = sha256_hex(&loaded.bytes);
    // Each output's cache key, hashed once: deciding what to highlight ahead needs them too.
    let keys: Vec<(Format, Option<String>)> = cx
        .request
        .formats
        .iter()
        .map(|&format| (format, cache_key(&loaded, format, cx)))
        .collect();
    highlight_ahead(&loaded, &keys, cx);
    // `None`: not attempted because --fail-fast saw a failure elsewhere.
    let rendered: Vec<Option<FormatResult>> = keys
        .par_iter()
        .map(|(format, key)| {
            let format = *format;
            if cx.stop.load(Ordering::Relaxed) {
                return None;
            }
            let made = make_output(source, &loaded, format, key.as_deref(), &source_sha256, cx);
            for output in made.iter().flatten() {
                (cx.observe)(Event::Written(output));
            }
            Some(made.map_err(|e| (format, e)))
        })
        .collect();
    for item in rendered.into_iter().flatten() {
        match item {
            Ok(outputs) => result.outputs.extend(outputs),
            Err((format, error)) => cx.fail(&mut result, source, Some(format), error),
        }
    }
    result.warnings.extend(
        loaded
            .warnings
            .into_iter()
            .map(|w| (source.path.clone(), w)),
    );
    result
}

/// The key an output is cached under; `None` without a cache, and for a book's HTML site,
/// which is never cached.
fn cache_key(loaded: &Loaded, format: Format, cx: &Context) -> Option<String> {
    if format == Format::Html && loaded.layout.is_some() {
        return None;
    }
    cx.cache
        .map(|_| Cache::key(&loaded.bytes, &loaded.resolved, cx.settings, format))
}

/// When this run renders the document as both HTML and EPUB, highlights its code once for
/// both before they start: side by side they would reach the same blocks together and each
/// highlight them (measured: no saving at all from the shared memo alone).
fn highlight_ahead(loaded: &Loaded, keys: &[(Format, Option<String>)], cx: &Context) {
    let settings = cx.settings;
    // Requested and not a cache hit.
    let renders = |format: Format| {
        keys.iter().any(|(f, key)| {
            *f == format
                && key
                    .as_deref()
                    .zip(cx.cache)
                    .is_none_or(|(key, cache)| !cache.contains(key))
        })
    };
    if settings.html.highlight
        && settings.epub.html.highlight
        && renders(Format::Html)
        && renders(Format::Epub)
    {
        bindery_html::highlight_ahead(&loaded.document, &settings.html_resources, &settings.html);
    }
}

/// Renders (or copies from the cache) and writes one output: one file, or a book's HTML
/// site.
fn make_output(
    source: &Source,
    loaded: &Loaded,
    format: Format,
    key: Option<&str>,
    source_sha256: &str,
    cx: &Context,
) -> Result<Vec<Output>, Error> {
    if let (Format::Html, Some(layout)) = (format, &loaded.layout) {
        return write_site(source, loaded, layout, source_sha256, cx);
    }
    let started = Instant::now();
    let path = source.output(&cx.request.out_dir, format);
    let hit = cx.cache.zip(key).and_then(|(c, k)| c.get(k));
    let cached = hit.is_some();
    let (bytes, warnings) = match hit {
        Some(hit) => hit,
        None => {
            let warned = guarded(&source.path, format.name(), || {
                render(
                    &source.path,
                    format,
                    &loaded.document,
                    &loaded.resolved,
                    loaded.layout.is_some(),
                    cx.settings,
                )
            })?;
            if let (Some(cache), Some(key)) = (cx.cache, key) {
                cache.put(key, &warned.output, &warned.warnings);
            }
            (warned.output, warned.warnings)
        }
    };
    write_atomic(&path, &bytes)?;
    if format == Format::Html && !cx.settings.html.embed_resources {
        copy_images(&loaded.resolved, &path, &cx.copied)?;
    }
    let warnings = match &loaded.layout {
        Some(layout) => warnings.into_iter().map(|w| layout.locate(w)).collect(),
        None => warnings,
    };
    Ok(vec![Output {
        source: source.path.clone(),
        format,
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        source_sha256: source_sha256.to_string(),
        path,
        warnings,
        cached,
        elapsed: started.elapsed(),
    }])
}

/// Writes a book's HTML site into `OUT/<book>/`: every page, the stylesheet and the images.
/// Not cached: the site is many files, and HTML is the cheapest format to render.
fn write_site(
    source: &Source,
    loaded: &Loaded,
    layout: &Layout,
    source_sha256: &str,
    cx: &Context,
) -> Result<Vec<Output>, Error> {
    let started = Instant::now();
    let site = guarded(&source.path, Format::Html.name(), || {
        Ok(book::site::render(
            &loaded.document,
            &loaded.resolved.assets,
            layout,
            cx.settings,
        ))
    })?;
    let dir = cx.request.out_dir.join(&source.stem);
    let mut warnings: Vec<Warning> = site
        .warnings
        .into_iter()
        .map(|w| layout.locate(w))
        .collect();
    let mut outputs = Vec::with_capacity(site.output.len());
    for (file, bytes) in site.output {
        let path = file.split('/').fold(dir.clone(), |p, part| p.join(part));
        write_atomic(&path, &bytes)?;
        outputs.push(Output {
            source: source.path.clone(),
            format: Format::Html,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            source_sha256: source_sha256.to_string(),
            // The site's warnings go with its index page.
            warnings: if file == "index.html" {
                std::mem::take(&mut warnings)
            } else {
                Vec::new()
            },
            path,
            cached: false,
            elapsed: started.elapsed(),
        });
    }
    Ok(outputs)
}

/// The outputs one format made of a document (several for a book's site), or its failure.
type FormatResult = Result<Vec<Output>, (Format, Error)>;

/// A document read once and shared by all its formats.
struct Loaded {
    bytes: Vec<u8>,
    document: Document,
    resolved: Resolved,
    warnings: Vec<Warning>,
    /// Set for a book: where its chapters are.
    layout: Option<Layout>,
}

fn load_book(source: &Source, settings: &Settings) -> Result<Loaded, Error> {
    load_book_dir(&source.path, &source.root, settings)
}

fn load_book_dir(dir: &Path, root: &Path, settings: &Settings) -> Result<Loaded, Error> {
    let book = book::load(dir, root, settings)?;
    Ok(Loaded {
        bytes: book.bytes,
        document: book.document,
        resolved: book.resolved,
        warnings: book.warnings,
        layout: Some(book.layout),
    })
}

fn load(source: &Source, settings: &Settings) -> Result<Loaded, Error> {
    // Refused before reading, so a huge file is never loaded into memory.
    let bytes = read_input(Some(&source.path), &source.path, settings.max_input)?;
    let warned = read_document(&source.path, &bytes, settings)?;
    let mut document = warned.output;
    let mut warnings = warned.warnings;
    let resolved = resolve_images(
        &mut document,
        &source.path,
        &source.root,
        settings.asset_limits,
        &mut warnings,
    );
    Ok(Loaded {
        bytes,
        document,
        resolved,
        warnings,
        layout: None,
    })
}

fn render(
    path: &Path,
    format: Format,
    document: &Document,
    resolved: &Resolved,
    is_book: bool,
    settings: &Settings,
) -> Result<bindery_model::Warned<Vec<u8>>, Error> {
    let rendered = if is_book && format == Format::Pdf {
        // A book's PDF always has its table of contents, and each chapter starts a page.
        let options = bindery_pdf::Options {
            toc: true,
            chapter_pages: true,
            ..settings.pdf.clone()
        };
        bindery_pdf::render(
            document,
            &resolved.assets,
            settings.pdf_resources(),
            &options,
        )
        .map_err(|e| e.to_string())
    } else {
        format.render(document, &resolved.assets, settings)
    };
    rendered.map_err(|message| Error::Render {
        path: path.to_path_buf(),
        format,
        message,
    })
}

/// Runs `f`, turning a panic into an error for this document and format only.
fn guarded<T>(path: &Path, what: &str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Panic {
            path: path.to_path_buf(),
            format: what.to_string(),
            message,
        })
    })
}

/// Converts one input (`None`: standard input) to one output (`None`: standard output).
///
/// A book directory (holding `bindery.toml`) converts to one file of the whole book; HTML
/// is then a single page (`bindery build` makes the site).
pub fn convert(
    input: Option<&Path>,
    output: Option<&Path>,
    format: Format,
    root: Option<&Path>,
    settings: &Settings,
) -> Result<Vec<Warning>, Error> {
    if let Some(dir) = input.filter(|p| p.is_dir()) {
        return convert_book(dir, output, format, root.unwrap_or(dir), settings);
    }
    let name = input.unwrap_or(Path::new("<stdin>"));
    let bytes = read_input(input, name, settings.max_input)?;
    let warned = guarded(name, "reading", || read_document(name, &bytes, settings))?;
    let mut document = warned.output;
    let mut warnings = warned.warnings;
    let default_root = input
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Written to a file, an HTML page gets its images copied beside it under the names
    // bindery chooses; on standard output it keeps the URLs as written.
    let resolve = if output.is_some() {
        resolve_images
    } else {
        resolve_images_keeping_urls
    };
    let resolved = resolve(
        &mut document,
        input.unwrap_or(Path::new("./stdin")),
        root.unwrap_or(default_root),
        settings.asset_limits,
        &mut warnings,
    );
    let rendered = guarded(name, format.name(), || {
        render(name, format, &document, &resolved, false, settings)
    })?;
    warnings.extend(rendered.warnings);
    write_converted(output, &rendered.output, format, &resolved, settings)?;
    Ok(warnings)
}

fn convert_book(
    dir: &Path,
    output: Option<&Path>,
    format: Format,
    root: &Path,
    settings: &Settings,
) -> Result<Vec<Warning>, Error> {
    let loaded = guarded(dir, "reading", || load_book_dir(dir, root, settings))?;
    let layout = loaded.layout.as_ref().expect("a book has a layout");
    let rendered = guarded(dir, format.name(), || {
        render(
            dir,
            format,
            &loaded.document,
            &loaded.resolved,
            true,
            settings,
        )
    })?;
    let mut warnings = loaded.warnings.clone();
    warnings.extend(rendered.warnings.into_iter().map(|w| layout.locate(w)));
    write_converted(output, &rendered.output, format, &loaded.resolved, settings)?;
    Ok(warnings)
}

/// Writes a converted output to its file (with the images an HTML page links beside it) or
/// to standard output.
fn write_converted(
    output: Option<&Path>,
    bytes: &[u8],
    format: Format,
    resolved: &Resolved,
    settings: &Settings,
) -> Result<(), Error> {
    match output {
        Some(path) => {
            write_atomic(path, bytes)?;
            if format == Format::Html && !settings.html.embed_resources {
                copy_images(resolved, path, &Mutex::new(BTreeSet::new()))?;
            }
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::Io {
                    path: PathBuf::from("<stdout>"),
                    source: e,
                })?;
        }
    }
    Ok(())
}
