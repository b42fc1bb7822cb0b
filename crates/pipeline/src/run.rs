//! The parallel run: each document read once, every format of it rendered on the pool, each
//! output written as soon as it is made, every failure contained to its own output.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bindery_model::{Assets, Document, Warned, Warning};

use crate::assets::{Resolved, resolve_images, resolve_images_keeping_urls};
use crate::book::{self, Layout};
use crate::cache::{Cache, sha256_hex};
use crate::copy::copy_images;
use crate::plan::{Source, SourceKind, find_collisions, plan};
use crate::read::{read_document, read_input};
use crate::schedule;
use crate::worker::{Isolation, Workers};
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
    /// Where PDFs are typeset: in this process, or in worker processes so that one that
    /// exhausts memory or aborts fails its own document alone.
    pub isolation: Isolation,
    /// With [`Isolation::Worker`], how long one document's PDF may take before its worker is
    /// stopped and the document fails ([`crate::DEFAULT_RENDER_TIMEOUT`]).
    pub render_timeout: Duration,
    /// Build only this shard's documents ([`Shard`]); `None` builds them all.
    pub shard: Option<crate::Shard>,
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
    /// Every output and failure of this document has been reported: nothing more will be
    /// said of it (an observer can drop what it kept about the document).
    Done {
        /// The input.
        source: &'a Path,
    },
    /// A warning about an input that is not a document's: a file skipped while planning.
    Warning {
        /// The file.
        path: &'a Path,
        /// What is wrong with it.
        warning: &'a Warning,
    },
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
    /// The images copied beside an HTML page for it (every image it shows, whichever page
    /// copied it first).
    pub images: Vec<CopiedImage>,
    /// True when copied from the cache instead of rendered.
    pub cached: bool,
    /// Time spent rendering (or copying from the cache).
    pub elapsed: Duration,
}

/// An image file written beside an HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedImage {
    /// Where it was written.
    pub path: PathBuf,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
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

/// What a run did, in counts, and its failures in a stable order (inputs sorted as planned,
/// formats as requested).
///
/// Outputs and warnings are only counted: each is reported once, as it happens, through
/// [`Event`]s (a [`crate::Journal`] turns them into the manifest), so that a run of a
/// million documents does not keep a record of each in memory. Failures are kept: they are
/// few, and a caller needs them at the end.
#[derive(Debug, Default)]
pub struct Report {
    /// Documents attempted.
    pub documents: usize,
    /// Outputs written (a book's HTML site counts each of its files).
    pub outputs: usize,
    /// Of those, outputs copied from the cache.
    pub cached: usize,
    /// Warnings reported: planning and reading warnings (once per document) and each
    /// output's.
    pub warnings: usize,
    /// Documents or outputs that failed.
    pub failures: Vec<Failure>,
}

/// The counts and failures of the documents finished so far.
#[derive(Default)]
struct Tally {
    outputs: usize,
    cached: usize,
    warnings: usize,
    /// Each failure with its document's place in the plan.
    failures: Vec<(usize, Failure)>,
}

/// Builds every document under `request.inputs` into every requested format.
///
/// Never stops at a failing document (unless `fail_fast`): failures are collected in the
/// report, and all other outputs are written. Documents are read one at a time as workers
/// free up ([`crate::schedule`]), so memory does not grow with the number of documents.
pub fn build(request: &Build, settings: &Settings, observe: &(dyn Fn(Event<'_>) + Sync)) -> Report {
    let mut report = Report::default();
    let planned = plan(&request.inputs, request.root.as_deref());
    let mut sources = planned.sources;
    for (source, error) in planned.failures {
        report.failures.push(Failure {
            source,
            format: None,
            error,
        });
    }
    for (path, warning) in &planned.skipped {
        observe(Event::Warning { path, warning });
    }
    report.warnings = planned.skipped.len();
    drop(planned.skipped);
    // Before sharding: a link may point at an article another shard builds.
    let articles = crate::links::Articles::new(&sources);
    sources.retain(|source| request.shard.is_none_or(|shard| shard.owns(source)));
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
        copied: Mutex::new(BTreeMap::new()),
        workers: Workers::new(request.render_timeout),
        tally: Mutex::new(Tally::default()),
        articles,
    };

    let next_document = AtomicUsize::new(0);
    let next = || {
        if context.stop.load(Ordering::Relaxed) {
            return None;
        }
        let index = next_document.fetch_add(1, Ordering::Relaxed);
        sources.get(index).map(|source| Job::Read(index, source))
    };
    let pool = pool(request.jobs).ok();
    schedule::run(pool.as_ref(), &next, &|job, queue| {
        run_job(job, queue, &context)
    });

    let mut tally = context
        .tally
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    // Stable: a document's failures stay in the order they were recorded.
    tally.failures.sort_by_key(|(index, _)| *index);
    report.outputs = tally.outputs;
    report.cached = tally.cached;
    report.warnings += tally.warnings;
    report
        .failures
        .extend(tally.failures.into_iter().map(|(_, failure)| failure));
    if let Some(cache) = &cache {
        cache.prune(request.cache_limit);
    }
    report
}

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new()
        // comrak's parser recurses on some inputs; give workers the main thread's stack size.
        // A worker's stack holds one job at a time (see crate::schedule), so this is enough
        // however many documents the batch has.
        .stack_size(worker_stack())
        .thread_name(|i| format!("bindery-{i}"));
    // rayon's own meaning of 0: one thread per core, as when no number is given.
    if let Some(jobs) = jobs {
        builder = builder.num_threads(jobs);
    }
    builder.build()
}

/// Each worker thread's stack: 16 MiB, or `BINDERY_WORKER_STACK` bytes. The variable is for
/// the scale test, which runs thousands of documents on small stacks to show that a worker's
/// stack never holds more than one job.
fn worker_stack() -> usize {
    std::env::var("BINDERY_WORKER_STACK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16 * 1024 * 1024)
}

/// Code of one document above this many bytes is highlighted ahead in jobs of about this size,
/// spread over the workers; below it, the writers highlight it as they go.
const HIGHLIGHT_CHUNK: usize = 32 * 1024;

/// What every job of a run shares.
struct Context<'a> {
    request: &'a Build,
    settings: &'a Settings,
    cache: Option<&'a Cache>,
    observe: &'a (dyn Fn(Event<'_>) + Sync),
    stop: AtomicBool,
    /// The images this run copied, with their SHA-256: one entry per distinct image file.
    copied: Mutex<BTreeMap<PathBuf, String>>,
    /// Render worker processes, when PDFs are isolated.
    workers: Workers,
    /// Counts and failures of the finished documents: no record of each output is kept.
    tally: Mutex<Tally>,
    /// Every article of the plan, for links between them.
    articles: crate::links::Articles,
}

impl Context<'_> {
    /// Reports and records a failure of the document at `index` in the plan.
    fn fail(&self, index: usize, source: &Source, format: Option<Format>, error: Error) {
        if self.request.fail_fast {
            self.stop.store(true, Ordering::Relaxed);
        }
        let failure = Failure {
            source: source.path.clone(),
            format,
            error,
        };
        (self.observe)(Event::Failed(&failure));
        self.tally
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .failures
            .push((index, failure));
    }
}

/// One unit of work. No job waits for another (see [`crate::schedule`]): a document's reading
/// job pushes its highlighting jobs, the last of those pushes its renders.
enum Job<'s> {
    /// Read, parse and resolve the document at this place in the plan.
    Read(usize, &'s Source),
    /// Highlight these code blocks of a document into the shared memo.
    Highlight(Arc<InFlight<'s>>, std::ops::Range<usize>),
    /// Render (or copy from the cache) and write the document's format at this index.
    Render(Arc<InFlight<'s>>, usize),
}

/// A document that was read and is being written: dropped (with its model) once its last
/// output is written.
struct InFlight<'s> {
    index: usize,
    source: &'s Source,
    loaded: Loaded,
    source_sha256: String,
    /// Each requested format with its cache key.
    keys: Vec<(Format, Option<String>)>,
    /// The code blocks the HTML and EPUB writers highlight, dropped from the memo at the end.
    code: Vec<(String, String)>,
    highlights_left: AtomicUsize,
    renders_left: AtomicUsize,
    /// Each format's result, in the order requested; `None` until done or when skipped.
    rendered: Mutex<Vec<Option<FormatResult>>>,
}

fn run_job<'s>(job: Job<'s>, queue: &schedule::Queue<Job<'s>>, cx: &Context) {
    match job {
        Job::Read(index, source) => {
            if let Some(doc) = read_job(index, source, cx) {
                let doc = Arc::new(doc);
                if doc.keys.is_empty() {
                    finish_document(&doc, cx);
                    return;
                }
                let chunks = highlight_chunks(&doc.code);
                if chunks.is_empty() {
                    queue.push_first(render_jobs(&doc));
                } else {
                    doc.highlights_left.store(chunks.len(), Ordering::Release);
                    queue.push_first(
                        chunks
                            .into_iter()
                            .map(|range| Job::Highlight(Arc::clone(&doc), range)),
                    );
                }
            }
        }
        Job::Highlight(doc, range) => {
            let resources = &cx.settings.html_resources;
            for (lang, code) in &doc.code[range] {
                resources.prepare(lang, code);
            }
            if doc.highlights_left.fetch_sub(1, Ordering::AcqRel) == 1 {
                queue.push_first(render_jobs(&doc));
            }
        }
        Job::Render(doc, at) => {
            let (format, key) = &doc.keys[at];
            let made = if cx.stop.load(Ordering::Relaxed) {
                None
            } else {
                let made = make_output(
                    doc.source,
                    &doc.loaded,
                    *format,
                    key.as_deref(),
                    &doc.source_sha256,
                    cx,
                );
                for output in made.iter().flatten() {
                    (cx.observe)(Event::Written(output));
                }
                Some(made.map_err(|e| (*format, e)))
            };
            doc.rendered.lock().unwrap_or_else(|e| e.into_inner())[at] = made;
            if doc.renders_left.fetch_sub(1, Ordering::AcqRel) == 1 {
                finish_document(&doc, cx);
            }
        }
    }
}

fn render_jobs<'s>(doc: &Arc<InFlight<'s>>) -> Vec<Job<'s>> {
    (0..doc.keys.len())
        .map(|at| Job::Render(Arc::clone(doc), at))
        .collect()
}

/// The code split into runs of about [`HIGHLIGHT_CHUNK`] bytes; none when it is smaller than
/// one chunk.
fn highlight_chunks(code: &[(String, String)]) -> Vec<std::ops::Range<usize>> {
    let total: usize = code.iter().map(|(_, c)| c.len()).sum();
    if total < HIGHLIGHT_CHUNK {
        return Vec::new();
    }
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, (_, c)) in code.iter().enumerate() {
        bytes += c.len();
        if bytes >= HIGHLIGHT_CHUNK {
            chunks.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < code.len() {
        chunks.push(start..code.len());
    }
    chunks
}

/// Reads a document and prepares its jobs; `None` (with the failure recorded) when it
/// cannot be read.
fn read_job<'s>(index: usize, source: &'s Source, cx: &Context) -> Option<InFlight<'s>> {
    let loaded = guarded(&source.path, "reading", || match source.kind {
        SourceKind::Article => load(source, cx.settings, &cx.articles),
        SourceKind::Book => load_book(source, cx.settings),
    });
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            cx.fail(index, source, None, error);
            (cx.observe)(Event::Done {
                source: &source.path,
            });
            return None;
        }
    };
    (cx.observe)(Event::Read {
        source: &source.path,
        warnings: &loaded.warnings,
    });
    let source_sha256 = sha256_hex(&loaded.bytes);
    let keys: Vec<(Format, Option<String>)> = cx
        .request
        .formats
        .iter()
        .map(|&format| (format, cache_key(source, &loaded, format, cx)))
        .collect();
    let code = code_to_highlight(&loaded, &keys, cx);
    let formats = keys.len();
    Some(InFlight {
        index,
        source,
        loaded,
        source_sha256,
        keys,
        code,
        highlights_left: AtomicUsize::new(0),
        renders_left: AtomicUsize::new(formats),
        rendered: Mutex::new((0..formats).map(|_| None).collect()),
    })
}

/// Counts a document whose every format is done and records its failures, in the order the
/// formats were asked for; drops its code from the highlighting memo.
fn finish_document(doc: &InFlight, cx: &Context) {
    for (lang, code) in &doc.code {
        cx.settings.html_resources.forget(lang, code);
    }
    let rendered = std::mem::take(&mut *doc.rendered.lock().unwrap_or_else(|e| e.into_inner()));
    let (mut outputs, mut cached, mut warnings) = (0, 0, doc.loaded.warnings.len());
    for item in rendered.into_iter().flatten() {
        match item {
            Ok(made) => {
                outputs += made.len();
                cached += made.iter().filter(|o| o.cached).count();
                warnings += made.iter().map(|o| o.warnings.len()).sum::<usize>();
            }
            Err((format, error)) => cx.fail(doc.index, doc.source, Some(format), error),
        }
    }
    {
        let mut tally = cx.tally.lock().unwrap_or_else(|e| e.into_inner());
        tally.outputs += outputs;
        tally.cached += cached;
        tally.warnings += warnings;
    }
    (cx.observe)(Event::Done {
        source: &doc.source.path,
    });
}

/// The key an output is cached under; `None` without a cache, and for a book's HTML site,
/// which is never cached.
fn cache_key(source: &Source, loaded: &Loaded, format: Format, cx: &Context) -> Option<String> {
    if format == Format::Html && loaded.layout.is_some() {
        return None;
    }
    cx.cache.map(|_| {
        crate::CacheKey::new(source, &loaded.bytes, &loaded.resolved, cx.settings, format).digest()
    })
}

/// The code blocks the HTML or EPUB writer will highlight for this document (none when
/// both come from the cache or are not requested): highlighted ahead in jobs when there is a
/// lot of it, shared by the two writers through the memo, and dropped from it at the end.
fn code_to_highlight(
    loaded: &Loaded,
    keys: &[(Format, Option<String>)],
    cx: &Context,
) -> Vec<(String, String)> {
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
    let options = if renders(Format::Html) {
        &settings.html
    } else if renders(Format::Epub) {
        &settings.epub.html
    } else {
        return Vec::new();
    };
    bindery_html::code_to_highlight(&loaded.document, &settings.html_resources, options)
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
            let warned = render_loaded(
                &source.path,
                loaded,
                format,
                cx.settings,
                &cx.request.isolation,
                &cx.workers,
            )?;
            if let (Some(cache), Some(key)) = (cx.cache, key) {
                cache.put(key, &warned.output, &warned.warnings);
            }
            (warned.output, warned.warnings)
        }
    };
    write_atomic(&path, &bytes)?;
    let images = if format == Format::Html && !cx.settings.html.embed_resources {
        copy_images(&loaded.resolved, &path, &cx.copied)?
    } else {
        Vec::new()
    };
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
        images,
        cached,
        elapsed: started.elapsed(),
    }])
}

/// Renders one format of a loaded document (a book's HTML as one page), checked against the
/// PDF limits first, with PDFs in a render worker when `isolation` says so; a panic is this
/// output's error.
pub(crate) fn render_loaded(
    path: &Path,
    loaded: &Loaded,
    format: Format,
    settings: &Settings,
    isolation: &Isolation,
    workers: &Workers,
) -> Result<Warned<Vec<u8>>, Error> {
    // Links to other articles of a build point at their outputs of this format.
    let linked =
        loaded
            .resolved
            .links
            .apply(&loaded.document, format, settings.base_url.as_deref());
    let (document, link_warnings) = match &linked {
        Some((document, warnings)) => (document, warnings.as_slice()),
        None => (&loaded.document, &[][..]),
    };
    let mut warned = render_isolated(
        path,
        format,
        document,
        &loaded.resolved.assets,
        loaded.layout.as_ref(),
        settings,
        isolation,
        workers,
    )?;
    warned.warnings.splice(0..0, link_warnings.iter().cloned());
    Ok(warned)
}

/// [`render_loaded`] for a document and its assets.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_isolated(
    path: &Path,
    format: Format,
    document: &Document,
    assets: &Assets,
    layout: Option<&Layout>,
    settings: &Settings,
    isolation: &Isolation,
    workers: &Workers,
) -> Result<Warned<Vec<u8>>, Error> {
    guarded(path, format.name(), || {
        check_budget(format, path, document, layout, settings)?;
        match isolation {
            Isolation::Worker { program, args } if format == Format::Pdf => workers.render_pdf(
                program,
                args,
                &settings.pdf,
                path,
                document,
                assets,
                layout.is_some(),
            ),
            _ => render(path, format, document, assets, layout.is_some(), settings),
        }
    })
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
        Ok(book_site(
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
            images: Vec::new(),
            cached: false,
            elapsed: started.elapsed(),
        });
    }
    Ok(outputs)
}

/// A book's site: the pages the HTML writer renders, and the images beside them (unless
/// they are embedded), by path relative to the site's folder.
fn book_site(
    document: &Document,
    assets: &Assets,
    layout: &Layout,
    settings: &Settings,
) -> Warned<bindery_html::SiteFiles> {
    let mut site = bindery_html::render_site(
        document,
        assets,
        &layout.chapters,
        &settings.html_resources,
        &settings.html,
    );
    if !settings.html.embed_resources {
        for (url, asset) in assets {
            if crate::assets::is_chosen_name(url) {
                site.output.push((url.clone(), asset.data.to_vec()));
            }
        }
    }
    site.output.sort_by(|a, b| a.0.cmp(&b.0));
    site.output.dedup_by(|a, b| a.0 == b.0);
    site
}

/// The outputs one format made of a document (several for a book's site), or its failure.
type FormatResult = Result<Vec<Output>, (Format, Error)>;

/// A document read once and shared by all its formats.
pub(crate) struct Loaded {
    pub(crate) bytes: Vec<u8>,
    pub(crate) document: Document,
    pub(crate) resolved: Resolved,
    pub(crate) warnings: Vec<Warning>,
    /// Set for a book: where its chapters are.
    pub(crate) layout: Option<Layout>,
}

fn load_book(source: &Source, settings: &Settings) -> Result<Loaded, Error> {
    load_book_dir(&source.path, &source.root, settings)
}

pub(crate) fn load_book_dir(dir: &Path, root: &Path, settings: &Settings) -> Result<Loaded, Error> {
    let book = book::load(dir, root, settings)?;
    Ok(Loaded {
        bytes: book.bytes,
        document: book.document,
        resolved: book.resolved,
        warnings: book.warnings,
        layout: Some(book.layout),
    })
}

/// Reads an article of a build; `articles` are the build's articles, which its links to
/// Markdown sources may point at (`convert` leaves such links as written).
fn load(
    source: &Source,
    settings: &Settings,
    articles: &crate::links::Articles,
) -> Result<Loaded, Error> {
    // Refused before reading, so a huge file is never loaded into memory.
    let bytes = read_input(Some(&source.path), &source.path, settings.max_input)?;
    let mut loaded = load_bytes(source, bytes, settings)?;
    loaded.resolved.links = crate::links::ArticleLinks::resolve(
        &loaded.document,
        source,
        articles,
        settings,
        &mut loaded.warnings,
    );
    Ok(loaded)
}

/// An article from its bytes: read, with its images resolved inside its root.
pub(crate) fn load_bytes(
    source: &Source,
    bytes: Vec<u8>,
    settings: &Settings,
) -> Result<Loaded, Error> {
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
    assets: &Assets,
    is_book: bool,
    settings: &Settings,
) -> Result<Warned<Vec<u8>>, Error> {
    if format == Format::Pdf {
        return render_pdf(path, document, assets, is_book, layout_threads(), settings);
    }
    format
        .render(document, assets, settings)
        .map_err(|message| Error::Render {
            path: path.to_path_buf(),
            format,
            message,
            failure: crate::RenderFailure::Refused,
        })
}

/// How many threads may lay out a book's chapters: the run's `--jobs` (the size of the pool
/// this is called on; in a render worker process, the parent's, sent with the request).
pub(crate) fn layout_threads() -> usize {
    rayon::current_num_threads()
}

/// A document's PDF, in this process (the render worker's side too: [`crate::serve_worker`]);
/// a book's chapters are laid out on up to `threads` threads.
pub(crate) fn render_pdf(
    path: &Path,
    document: &Document,
    assets: &Assets,
    is_book: bool,
    threads: usize,
    settings: &Settings,
) -> Result<Warned<Vec<u8>>, Error> {
    let rendered = if is_book {
        let options = bindery_pdf::Options {
            layout_threads: threads,
            ..pdf_options(settings, true)
        };
        bindery_pdf::render(document, assets, settings.pdf_resources(), &options)
            .map_err(|e| e.to_string())
    } else {
        Format::Pdf.render(document, assets, settings)
    };
    rendered.map_err(|message| Error::Render {
        path: path.to_path_buf(),
        format: Format::Pdf,
        message,
        failure: crate::RenderFailure::Refused,
    })
}

/// Refuses a PDF over its limits before layout, in this process (a refused document costs no
/// render worker a round trip); any other format passes.
fn check_budget(
    format: Format,
    path: &Path,
    document: &Document,
    layout: Option<&Layout>,
    settings: &Settings,
) -> Result<(), Error> {
    if format != Format::Pdf {
        return Ok(());
    }
    Error::pdf_budget(
        path,
        document,
        layout,
        &pdf_options(settings, layout.is_some()),
    )
}

/// The PDF options of a document: a book's PDF always has its table of contents, and each
/// chapter starts a page.
fn pdf_options(settings: &Settings, is_book: bool) -> bindery_pdf::Options {
    if is_book {
        bindery_pdf::Options {
            toc: true,
            chapter_pages: true,
            ..settings.pdf.clone()
        }
    } else {
        settings.pdf.clone()
    }
}

/// Runs `f`, turning a panic into an error for this document and format only.
pub(crate) fn guarded<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::Panic {
            path: path.to_path_buf(),
            format: what.to_string(),
            message: panic_message(payload.as_ref()),
        })
    })
}

/// What a caught panic said.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
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
        check_budget(format, name, &document, None, settings)?;
        render(name, format, &document, &resolved.assets, false, settings)
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
        check_budget(format, dir, &loaded.document, Some(layout), settings)?;
        render(
            dir,
            format,
            &loaded.document,
            &loaded.resolved.assets,
            true,
            settings,
        )
    })?;
    let mut warnings = loaded.warnings.clone();
    warnings.extend(rendered.warnings.into_iter().map(|w| layout.locate(w)));
    write_converted(output, &rendered.output, format, &loaded.resolved, settings)?;
    Ok(warnings)
}

/// What `bindery mdbook` did with the book mdBook gave it.
#[derive(Debug)]
pub struct MdbookReport {
    /// The files written, one per format that rendered.
    pub written: Vec<PathBuf>,
    /// Warnings from reading and rendering the book, each naming its chapter file.
    pub warnings: Vec<Warning>,
    /// The formats that failed; the others were still written.
    pub failures: Vec<Error>,
    /// The mdBook version that ran the backend.
    pub version: String,
}

/// The formats `bindery mdbook` writes unless told otherwise: mdBook makes the HTML itself.
pub const MDBOOK_FORMATS: [Format; 3] = [Format::Epub, Format::Pdf, Format::Txt];

/// bindery as an mdBook backend: reads mdBook's render context (`json`), assembles its book
/// as `bindery build` assembles one, and writes `<book>.<ext>` for each format into mdBook's
/// output folder (`formats`, else `[output.bindery] to`, else EPUB, PDF and text). A format
/// that fails is reported and the others are still written; each file is written whole or
/// not at all.
pub fn mdbook_backend(
    json: &[u8],
    formats: Option<&[Format]>,
    settings: &Settings,
) -> Result<MdbookReport, Error> {
    let name = Path::new("<mdbook render context>");
    let backend = guarded(name, "reading", || {
        book::backend::read_render_context(json, settings)
    })?;
    let formats: Vec<Format> = match (formats, &backend.formats) {
        (Some(given), _) => given.to_vec(),
        (None, Some(names)) => names
            .iter()
            .map(|n| {
                n.parse::<Format>().map_err(|message| Error::Syntax {
                    path: backend.root.join(book::mdbook::BOOK_TOML),
                    line: 1,
                    col: 1,
                    message: format!("[output.bindery] to: {message}"),
                    hint: None,
                })
            })
            .collect::<Result<_, _>>()?,
        (None, None) => MDBOOK_FORMATS.to_vec(),
    };
    std::fs::create_dir_all(&backend.destination).map_err(|e| Error::Io {
        path: backend.destination.clone(),
        source: e,
    })?;
    let book = &backend.book;
    let dir = backend.root.as_path();
    let mut report = MdbookReport {
        written: Vec::new(),
        warnings: book.warnings.clone(),
        failures: Vec::new(),
        version: backend.version.clone(),
    };
    for format in formats {
        let path = backend
            .destination
            .join(format!("{}.{}", backend.stem, format.extension()));
        let rendered = guarded(&path, format.name(), || {
            check_budget(format, dir, &book.document, Some(&book.layout), settings)?;
            render(
                dir,
                format,
                &book.document,
                &book.resolved.assets,
                true,
                settings,
            )
        });
        match rendered.and_then(|rendered| {
            write_converted(
                Some(&path),
                &rendered.output,
                format,
                &book.resolved,
                settings,
            )
            .map(|()| rendered.warnings)
        }) {
            Ok(warnings) => {
                report
                    .warnings
                    .extend(warnings.into_iter().map(|w| book.layout.locate(w)));
                report.written.push(path);
            }
            Err(error) => report.failures.push(error),
        }
    }
    Ok(report)
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
                copy_images(resolved, path, &Mutex::new(BTreeMap::new()))?;
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
