//! The `bindery` command: clap + the pipeline + exit codes, nothing else.
//!
//! Exit codes: 0 when every output was written, 1 when some document or output failed (the
//! others are still written), 2 for a usage error, and for `build` with nothing to build (no
//! `content/`, or no Markdown file under the PATHS given: nothing is written, not even the
//! output directory). `manifest merge`: 0 when merged and every
//! output was made, 1 when a shard is missing, unfinished or in conflict (nothing is written)
//! or the merged manifest lists failures, 2 for a usage error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use bindery_model::RawHtml;
use bindery_pipeline::{
    Build, Cache, Event, Format, InputFormat, Isolation, Journal, Paper, Report, Settings, Shard,
    escape_for_terminal, format_error, format_warning, format_warnings,
};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// `eprintln!` that never panics. A closed standard error (`bindery build 2>&1 | head`) must
/// not stop a batch, whose outputs and manifest are what it is for: once no one reads the
/// messages, they are dropped and the build goes on (`eprintln!` panicked on the broken pipe,
/// inside a job, and the run lost its other outputs and its manifest).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod completions;
mod defaults;
mod init;
mod messages;
mod preflight;
mod suggest;
mod watch;

const EXAMPLES: &str = "\
Examples:
  bindery build                              content/ -> dist/, every format
  bindery build docs/ -o site --to html,txt  only HTML and text
  bindery build a.md b.md --toc -j 4         two files, with a table of contents
  bindery build docs/ --shard 0/4            one of four shards (then: bindery manifest merge dist)
  bindery watch --to html                    build, then rebuild on every change
  bindery init notes                         a starter project in notes/
  bindery convert post.md -o post.html       one file, format from the extension
  cat post.md | bindery convert - --to txt   standard input to standard output
  bindery ast post.md > post.json            the document model as JSON
  bindery convert post.json --from json -o post.txt
  bindery serve content/ --listen 127.0.0.1:8080
                                             GET /post.pdf renders content/post.md";

/// Markdown in; PDF, EPUB 3, HTML and plain text out, for many documents in one parallel run.
#[derive(Parser)]
#[command(name = "bindery", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every Markdown file under PATHs into every requested format.
    #[command(after_help = EXAMPLES)]
    Build(BuildArgs),
    /// Build like `build`, then again whenever a file under PATHs changes (Ctrl-C to stop):
    /// unchanged documents come from the cache, so only the changed ones are rendered.
    Watch(BuildArgs),
    /// Convert one input into one output.
    #[command(after_help = EXAMPLES)]
    Convert(ConvertArgs),
    /// Print the document model of one input as JSON.
    Ast(AstArgs),
    /// Serve the documents under ROOT over HTTP, rendered on request (GET /PATH.pdf), and
    /// convert posted text (POST /convert).
    Serve(ServeArgs),
    /// Internal: typeset PDFs sent on standard input, for `build` (see bindery-pipeline's
    /// worker module). Not for direct use.
    #[command(name = "__render-worker", hide = true)]
    RenderWorker {
        /// The most bytes of address space this process may use.
        #[arg(long, value_name = "BYTES")]
        memory_limit: u64,
    },
    /// Work with build manifests (`manifest merge` joins the shards of a sharded build).
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Print the completion script for SHELL: `bindery completions bash >
    /// ~/.local/share/bash-completion/completions/bindery`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
    /// Write a starter project into DIR: project defaults, an article and a book, with
    /// comments; refuses (writing nothing) if any of its files exists.
    Init {
        /// Where to write it; created when missing.
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Run as an mdBook backend: read mdBook's render context on standard input and write
    /// the book into mdBook's output folder (EPUB, PDF and text unless --to or
    /// `[output.bindery] to` says otherwise). Name it in book.toml: `[output.bindery]`
    /// with `command = "bindery mdbook"`, then `mdbook build`.
    Mdbook(MdbookArgs),
    /// Print the manual page (roff) on standard output: `bindery man | man -l -`.
    Man {
        /// Write one page per command into DIR instead (bindery.1, bindery-build.1, ...).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ManifestCommand {
    /// Join DIR/manifest.shard-INDEX-of-COUNT.json of every shard into DIR/manifest.json,
    /// the manifest one unsharded run writes. Exit 1 (writing nothing) when a shard is
    /// missing or unfinished or two shards disagree, or when the merged manifest lists failures.
    Merge(MergeArgs),
}

#[derive(Args)]
struct MergeArgs {
    /// The output directory the shards wrote into (their manifests collected there).
    dir: PathBuf,
    /// Merge the shards of a run with COUNT shards, when manifests of several counts are there.
    #[arg(long, value_name = "COUNT")]
    count: Option<u64>,
}

#[derive(Args, Clone)]
struct BuildArgs {
    /// Files and directories (searched recursively for *.md) [default: content/]
    paths: Vec<PathBuf>,
    /// Output directory; its tree mirrors each input's tree.
    #[arg(short, long, value_name = "DIR", default_value = "dist")]
    output: PathBuf,
    /// Comma-separated output formats [default: html,txt,epub,pdf]
    #[arg(short, long, value_name = "FORMATS", value_delimiter = ',', value_parser = completions::FormatParser)]
    to: Vec<Format>,
    /// Worker threads; 0 means one per core, as when it is not given [default: one per core]
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Stop starting new documents after the first failure.
    #[arg(long)]
    fail_fast: bool,
    /// Render everything; do not read or write the output cache.
    #[arg(long)]
    no_cache: bool,
    /// The output cache [default: $XDG_CACHE_HOME/bindery, else ~/.cache/bindery]
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// The most bytes the cache keeps after a run; the least recently used entries go first.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    cache_limit: u64,
    /// Where PDFs are typeset: in worker processes, so that one that runs out of memory or
    /// aborts fails only its own document, or in this process.
    #[arg(long, value_enum, ignore_case = true, value_name = "WHERE", default_value_t = IsolationArg::Worker)]
    isolation: IsolationArg,
    /// The most memory (address space) one PDF worker may use; a document that needs more
    /// fails alone.
    #[arg(long, value_name = "BYTES", default_value_t = bindery_pipeline::DEFAULT_WORKER_MEMORY)]
    worker_memory: u64,
    /// The most seconds one document's PDF may take in its worker; a document that takes
    /// longer fails alone.
    #[arg(long, value_name = "SECONDS", default_value_t = bindery_pipeline::DEFAULT_RENDER_TIMEOUT.as_secs())]
    render_timeout: u64,
    /// How to report progress: human (a bar on a terminal, a summary otherwise) or json
    /// (one JSON object per line on stdout, cargo style).
    #[arg(long, value_enum, ignore_case = true, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Build only shard INDEX of COUNT (0-based, such as 0/4), chosen by a stable hash of each
    /// document's path; `auto` reads the index from a Kubernetes Indexed Job or a Slurm array.
    /// Writes DIR/manifest.shard-INDEX-of-COUNT.json; join them with `bindery manifest merge`.
    #[arg(long, value_name = "INDEX/COUNT|auto", value_parser = parse_shard)]
    shard: Option<ShardArg>,
    /// The number of shards for --shard auto on Kubernetes [default: $BINDERY_SHARD_COUNT]
    #[arg(long, value_name = "COUNT", requires = "shard")]
    shard_count: Option<u64>,
    /// Delete the outputs the previous manifest (of this shard) lists and this run no longer
    /// makes; nothing else, and nothing outside DIR.
    #[arg(long)]
    delete_stale: bool,
    /// The address this build's HTML pages are published at (http or https): EPUBs link
    /// other articles of the build there, since an EPUB cannot link to files beside it.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    base_url: Option<String>,
    /// Print the effective settings (command line, ./bindery.toml's [build] table, defaults)
    /// and where each comes from, and build nothing.
    #[arg(long)]
    print_config: bool,
    #[command(flatten)]
    render: RenderArgs,
}

/// `--shard`: a given shard, or one to read from the array job's environment.
#[derive(Clone, Copy)]
enum ShardArg {
    Given(Shard),
    Auto,
}

fn parse_shard(s: &str) -> Result<ShardArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        Ok(ShardArg::Auto)
    } else {
        Shard::parse(s).map(ShardArg::Given)
    }
}

#[derive(Args)]
struct ConvertArgs {
    /// Input file, or - for standard input.
    input: PathBuf,
    /// Output file, or - for standard output [default: standard output]
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format [default: from the output file's extension, else html]
    #[arg(short, long, value_name = "FORMAT", value_parser = completions::FormatParser)]
    to: Option<Format>,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(Args)]
struct MdbookArgs {
    /// Formats to write, comma-separated [default: `[output.bindery] to`, else epub,pdf,txt]
    #[arg(short, long, value_name = "FORMATS", value_delimiter = ',', value_parser = completions::FormatParser)]
    to: Vec<Format>,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(Args)]
struct ServeArgs {
    /// The directory whose documents are served [default: content/]
    #[arg(value_name = "ROOT")]
    directory: Option<PathBuf>,
    /// The address to listen on; port 0 takes any free port (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Listen on a non-loopback address without --token-file (POST /convert open to all).
    #[arg(long)]
    public: bool,
    /// A file holding the bearer token POST /convert requires.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Render threads [default: one per core]
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Requests that may wait for a render thread; past it, 503 [default: 4 x jobs]
    #[arg(long, value_name = "N")]
    queue: Option<usize>,
    /// The largest request body, in bytes; past it, 413.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// The most seconds one request may take (reading its body, waiting and rendering);
    /// past it, 504. PDF workers are stopped at it too.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
    /// After SIGTERM or SIGINT, the most seconds requests in flight may take to finish.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    grace: u64,
    /// The most connections open at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,
    /// The most seconds one write may wait for the client to read; a client that stops
    /// reading its response is cut off after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    write_timeout: u64,
    /// Render everything; do not read or write the output cache.
    #[arg(long)]
    no_cache: bool,
    /// The output cache, shared with `bindery build` [default: $XDG_CACHE_HOME/bindery, else
    /// ~/.cache/bindery]
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// The most bytes the cache keeps; pruned (least recently used first) every ten minutes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    cache_limit: u64,
    /// Where PDFs are typeset: in worker processes, so that one that runs out of memory or
    /// aborts fails only its own request, or in this process.
    #[arg(long, value_enum, ignore_case = true, value_name = "WHERE", default_value_t = IsolationArg::Worker)]
    isolation: IsolationArg,
    /// The most memory (address space) one PDF worker may use.
    #[arg(long, value_name = "BYTES", default_value_t = bindery_pipeline::DEFAULT_WORKER_MEMORY)]
    worker_memory: u64,
    /// One line per request on stderr (none with --quiet): human (text) or json.
    #[arg(long, value_enum, ignore_case = true, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
    log_format: MessageFormat,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(Args)]
struct AstArgs {
    /// Input file, or - for standard input.
    input: PathBuf,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(Args, Clone)]
struct RenderArgs {
    /// Input format: markdown (CommonMark + GFM + footnotes + front matter), commonmark, json.
    #[arg(
        short,
        long,
        value_name = "FORMAT",
        default_value = "markdown",
        value_parser = suggest::parse_input_format,
        global = true
    )]
    from: InputFormat,
    /// Set metadata, overriding front matter (repeatable): -M title="A title"
    #[arg(short = 'M', long = "metadata", value_name = "KEY=VALUE", value_parser = parse_key_value, global = true)]
    metadata: Vec<(String, String)>,
    /// Raw HTML in the input: sanitize (allowed elements become formatting, comments vanish,
    /// scripts and forms are removed), escape (show as text), strip, or keep (trusted input
    /// only; PDF and text show it as sanitize would).
    #[arg(long, value_enum, ignore_case = true, value_name = "POLICY", default_value_t = RawHtmlArg::Sanitize, global = true)]
    raw_html: RawHtmlArg,
    /// Add a table of contents.
    #[arg(long, global = true)]
    toc: bool,
    /// Add a stylesheet to HTML pages after the default one (repeatable).
    #[arg(long, value_name = "FILE", global = true)]
    css: Vec<PathBuf>,
    /// Inline images into HTML pages as data: URLs instead of copying them beside the page.
    #[arg(long, global = true)]
    embed_resources: bool,
    /// Write only the HTML body content, without the page around it.
    #[arg(long, global = true)]
    fragment: bool,
    /// Do not highlight code blocks.
    #[arg(long, global = true)]
    no_highlight: bool,
    /// Wrap plain text at N columns; 0 turns wrapping off.
    #[arg(long, value_name = "N", default_value_t = 72, global = true)]
    columns: usize,
    /// Images and other resources are read only inside DIR [default: each input directory]
    #[arg(long, value_name = "DIR", global = true, value_parser = existing_dir)]
    root: Option<PathBuf>,
    /// EPUB: start a new chapter file at each heading of level N or above (0: one file).
    #[arg(long, value_name = "N", default_value_t = 1, global = true)]
    epub_split_level: u8,
    /// PDF paper size.
    #[arg(long, value_enum, ignore_case = true, value_name = "SIZE", default_value_t = PaperArg::A4, global = true)]
    paper: PaperArg,
    /// PDF: also use the fonts in DIR (repeatable); bundled fonts come first.
    #[arg(long, value_name = "DIR", global = true)]
    font_dir: Vec<PathBuf>,
    /// PDF: use only the bundled fonts and --font-dir, not the system's.
    #[arg(long, global = true)]
    no_system_fonts: bool,
    /// PDF: refuse documents longer than N pages.
    #[arg(long, value_name = "N", default_value_t = 5000, global = true)]
    max_pages: usize,
    /// PDF: raise (or lower) a limit checked before layout (repeatable): table-cells (50000
    /// per table), paragraph-chars (100000), math-chars (20000 per formula), toc-headings
    /// (20000), footnotes (20000).
    #[arg(long, value_name = "NAME=N", value_parser = parse_pdf_limit, global = true)]
    pdf_limit: Vec<(String, u64)>,
    /// Largest input file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    max_input: u64,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print every output written, and every warning (not one per kind and document).
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Treat warnings as errors: the outputs are still written, but the exit code is 1 when
    /// there was any warning (for CI).
    #[arg(long, global = true)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum IsolationArg {
    Worker,
    InProcess,
}

#[derive(Clone, Copy, ValueEnum)]
enum PaperArg {
    A4,
    Letter,
}

#[derive(Clone, Copy, ValueEnum)]
enum RawHtmlArg {
    Sanitize,
    Escape,
    Strip,
    Keep,
}

/// `--root` must name a directory: one that does not exist would confine nothing.
/// `--base-url`: an absolute http(s) address with a host, which EPUB links are made under.
fn parse_base_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("`{s}` is not an http:// or https:// address"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{s}` is not an address with a host"));
    }
    Ok(s.to_string())
}

fn existing_dir(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    if path.is_dir() {
        Ok(path)
    } else {
        Err(format!("`{s}` is not a directory"))
    }
}

fn parse_pdf_limit(s: &str) -> Result<(String, u64), String> {
    let (name, value) = parse_key_value(s)?;
    let value = value
        .trim()
        .parse::<u64>()
        .map_err(|e| format!("`{value}` is not a count: {e}"))?;
    bindery_pipeline::PdfLimits::default().set(&name, value)?;
    Ok((name, value))
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))?;
    if key.is_empty() {
        return Err("the key before `=` is empty".into());
    }
    Ok((key.trim().to_string(), value.to_string()))
}

impl RenderArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        let mut settings = Settings {
            input: self.from,
            metadata: self.metadata.clone(),
            raw_html: match self.raw_html {
                RawHtmlArg::Sanitize => RawHtml::Sanitize,
                RawHtmlArg::Escape => RawHtml::Escape,
                RawHtmlArg::Strip => RawHtml::Strip,
                RawHtmlArg::Keep => RawHtml::Keep,
            },
            max_input: self.max_input,
            ..Settings::default()
        };
        settings.html.toc = self.toc;
        settings.html.standalone = !self.fragment;
        settings.html.embed_resources = self.embed_resources;
        settings.html.highlight = !self.no_highlight;
        for css in &self.css {
            let text = std::fs::read_to_string(css)
                .with_context(|| format!("cannot read stylesheet {}", css.display()))?;
            settings.html.css.push(text);
        }
        settings.text.columns = self.columns;
        // Reproducible builds: dates come from SOURCE_DATE_EPOCH or the front matter, never
        // from the clock.
        let timestamp = match std::env::var("SOURCE_DATE_EPOCH") {
            // Like a bad option value, a bad variable is the caller's to fix: exit 2.
            Ok(v) if !v.trim().is_empty() => Some(v.trim().parse::<i64>().unwrap_or_else(|e| {
                usage_error(format!(
                    "SOURCE_DATE_EPOCH must be a number of seconds, not `{v}`: {e}"
                ))
            })),
            _ => None,
        };
        settings.epub.split_level = self.epub_split_level;
        settings.epub.toc = self.toc;
        settings.epub.timestamp = timestamp;
        settings.epub.html = settings.html.clone();
        settings.pdf.paper = match self.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        };
        settings.pdf.toc = self.toc;
        settings.pdf.system_fonts = !self.no_system_fonts;
        settings.pdf.font_dirs = self.font_dir.clone();
        settings.pdf.max_pages = self.max_pages;
        for (name, value) in &self.pdf_limit {
            settings
                .pdf
                .limits
                .set(name, *value)
                .map_err(anyhow::Error::msg)?;
        }
        settings.pdf.timestamp = timestamp;
        Ok(settings)
    }
}

fn main() -> ExitCode {
    // With `build`: the project defaults of ./bindery.toml, and `--print-config`.
    let cli: Cli = defaults::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            say!("error: {}", escape_for_terminal(&format!("{error:#}")));
            ExitCode::from(1)
        }
    }
}

/// Prints a usage error the way clap does and exits with code 2.
fn usage_error(message: String) -> ! {
    use clap::CommandFactory;
    Cli::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .exit()
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<bindery_pipeline::Error>()
                .is_some_and(|e| {
                    matches!(e, bindery_pipeline::Error::Io { source, .. }
                        if source.kind() == std::io::ErrorKind::BrokenPipe)
                })
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build(args),
        Command::Watch(args) => {
            let inputs = if args.paths.is_empty() {
                vec![PathBuf::from("content")]
            } else {
                args.paths.clone()
            };
            if let Some(message) = preflight::nothing_to_build(&inputs, args.paths.is_empty()) {
                say!("error: {message}");
                return Ok(ExitCode::from(2));
            }
            let out_dir = args.output.clone();
            watch::watch(&inputs, &out_dir, || build(args.clone()))
        }
        Command::Convert(args) => {
            let settings = args.render.settings()?;
            let output = args.output.filter(|p| p.as_os_str() != "-");
            if let Some(path) = output.as_deref() {
                // Writing over the input would lose it, and an unknown extension (`-o post.md`)
                // guessed as HTML could be exactly that: both are usage errors (exit 2).
                let same = path.canonicalize().ok().is_some_and(|out| {
                    args.input
                        .canonicalize()
                        .ok()
                        .is_some_and(|input| input == out)
                });
                if same {
                    usage_error(format!(
                        "the output `{}` is the input file; choose another output",
                        path.display()
                    ));
                }
                if args.to.is_none() && Format::from_extension(path).is_none() {
                    usage_error(format!(
                        "cannot tell the output format from `{}`; name it with --to",
                        path.display()
                    ));
                }
            }
            let format = args
                .to
                .or_else(|| output.as_deref().and_then(Format::from_extension))
                .unwrap_or(Format::Html);
            convert(
                &args.input,
                output.as_deref(),
                format,
                &args.render,
                &settings,
            )
        }
        Command::Ast(args) => {
            let settings = args.render.settings()?;
            convert(&args.input, None, Format::Json, &args.render, &settings)
        }
        Command::Serve(args) => serve(args),
        Command::RenderWorker { memory_limit } => {
            bindery_pipeline::limit_memory(memory_limit)
                .context("cannot set the render worker's memory limit")?;
            bindery_pipeline::serve_worker().context("render worker")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Manifest(ManifestCommand::Merge(args)) => merge(&args),
        Command::Completions { shell } => {
            completions::completions::<Cli>(shell)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mdbook(args) => mdbook(args),
        Command::Init { dir } => match init::init(&dir) {
            Ok(written) => {
                for path in &written {
                    say!("wrote {}", escape_for_terminal(&path.display().to_string()));
                }
                say!(
                    "next: cd {} && bindery build (writes dist/)",
                    escape_for_terminal(&dir.display().to_string())
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(message) => {
                say!("error: {}", escape_for_terminal(&message));
                Ok(ExitCode::from(1))
            }
        },
        Command::Man { out_dir } => {
            for path in completions::man::<Cli>(out_dir.as_deref())? {
                say!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `bindery mdbook`: mdBook's render context in, the book's files out.
fn mdbook(args: MdbookArgs) -> anyhow::Result<ExitCode> {
    use std::io::Read;
    let settings = args.render.settings()?;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        usage_error(
            "`bindery mdbook` reads mdBook's render context on standard input: mdBook runs it \
             for `[output.bindery]` with `command = \"bindery mdbook\"` in book.toml"
                .into(),
        );
    }
    // The context holds every chapter, escaped as JSON: twice the input limit, and a
    // little for the configuration.
    let limit = settings.max_input.saturating_mul(2).saturating_add(1 << 20);
    let mut json = Vec::new();
    stdin
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut json)
        .context("cannot read mdBook's render context from standard input")?;
    if json.len() as u64 > limit {
        say!(
            "error: mdBook's render context is larger than {limit} bytes\n  hint: raise the \
             limit with --max-input BYTES"
        );
        return Ok(ExitCode::from(1));
    }
    let formats = (!args.to.is_empty()).then_some(args.to.as_slice());
    let report = match bindery_pipeline::mdbook_backend(&json, formats, &settings) {
        Ok(report) => report,
        Err(error) => {
            print_error(&error);
            return Ok(ExitCode::from(1));
        }
    };
    let name = std::path::Path::new("book");
    if !args.render.quiet {
        for line in format_warnings(name, &report.warnings, args.render.verbose) {
            say!("{line}");
        }
        for path in &report.written {
            say!("wrote {}", path.display());
        }
    }
    for error in &report.failures {
        print_error(error);
    }
    if !report.failures.is_empty() {
        return Ok(ExitCode::from(1));
    }
    if args.render.deny_warnings && !report.warnings.is_empty() {
        say!("{}", denied(report.warnings.len()));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let root = args.directory.unwrap_or_else(|| PathBuf::from("content"));
    if !root.is_dir() {
        usage_error(format!("`{}` is not a directory", root.display()));
    }
    if !args.listen.ip().is_loopback() && args.token_file.is_none() && !args.public {
        usage_error(format!(
            "{} is not a loopback address: give --token-file FILE (POST /convert then needs \
             the token) or --public",
            args.listen
        ));
    }
    let token = match &args.token_file {
        Some(path) => {
            let token = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the token file {}", path.display()))?;
            let token = token.trim().to_string();
            if token.is_empty() {
                usage_error(format!("the token file {} is empty", path.display()));
            }
            Some(token)
        }
        None => None,
    };
    if args.render.root.is_some() {
        usage_error(
            "--root is not for serve: images are read only inside ROOT, the directory served"
                .into(),
        );
    }
    let mut settings = args.render.settings()?;
    // A served HTML page is one file: its images travel inside it as data: URLs.
    settings.html.embed_resources = true;
    let timeout = std::time::Duration::from_secs(args.timeout.max(1));
    let isolation = match args.isolation {
        IsolationArg::InProcess => Isolation::InProcess,
        IsolationArg::Worker => Isolation::Worker {
            program: std::env::current_exe()
                .context("cannot find bindery's own executable for its render workers")?,
            args: vec![
                "__render-worker".into(),
                "--memory-limit".into(),
                args.worker_memory.to_string().into(),
            ],
        },
    };
    let cache = if args.no_cache {
        None
    } else {
        args.cache_dir.or_else(Cache::default_dir)
    };
    if let Some(dir) = cache.clone() {
        // A server never reaches the end of a run, where `build` prunes: prune as it goes.
        let limit = args.cache_limit;
        std::thread::spawn(move || {
            let cache = Cache::new(dir);
            loop {
                cache.prune(limit);
                std::thread::sleep(std::time::Duration::from_secs(600));
            }
        });
    }
    let renderer = bindery_pipeline::Renderer::new(settings, cache, isolation, timeout);
    let mut config = bindery_serve::Config::new(root, args.listen);
    if let Some(jobs) = args.jobs.filter(|&j| j > 0) {
        config.jobs = jobs;
        config.queue = 4 * jobs;
    }
    if let Some(queue) = args.queue {
        config.queue = queue;
    }
    config.max_body = args.max_body;
    config.timeout = timeout;
    config.grace = std::time::Duration::from_secs(args.grace);
    config.max_connections = args.max_connections;
    config.write_timeout = std::time::Duration::from_secs(args.write_timeout.max(1));
    config.log_json = args.log_format == MessageFormat::Json;
    config.log_requests = !args.render.quiet;
    config.token = token;
    let root_shown = config.root.display().to_string();
    bindery_serve::serve(config, renderer, |addr| {
        eprintln!(
            "bindery serve: serving {} on http://{addr}",
            escape_for_terminal(&root_shown)
        );
    })
    .context("bindery serve")?;
    Ok(ExitCode::SUCCESS)
}

fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    if !args.dir.is_dir() {
        usage_error(format!("`{}` is not a directory", args.dir.display()));
    }
    if args.count == Some(0) {
        usage_error("--count must be at least 1".into());
    }
    match bindery_pipeline::merge(&args.dir, args.count) {
        Ok(merged) => {
            say!(
                "merged {} shards into {}: {} outputs, {} failed",
                merged.shards,
                merged.manifest.display(),
                merged.outputs,
                merged.failures
            );
            Ok(ExitCode::from(u8::from(merged.failures > 0)))
        }
        Err(error) => {
            say!("error: {error}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The shard `--shard` asks for, from the environment for `auto`; a usage error (exit 2)
/// when it cannot be had.
fn shard(args: &BuildArgs) -> Option<Shard> {
    match args.shard? {
        ShardArg::Given(shard) => {
            if args.shard_count.is_some() {
                usage_error(
                    "--shard-count is for --shard auto; --shard INDEX/COUNT gives the count".into(),
                );
            }
            Some(shard)
        }
        ShardArg::Auto => Some(
            Shard::from_env(|name| std::env::var(name).ok(), args.shard_count)
                .unwrap_or_else(|e| usage_error(e)),
        ),
    }
}

fn convert(
    input: &std::path::Path,
    output: Option<&std::path::Path>,
    format: Format,
    render: &RenderArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let input = (input.as_os_str() != "-").then_some(input);
    let name = input.unwrap_or(std::path::Path::new("<stdin>"));
    match bindery_pipeline::convert(input, output, format, render.root.as_deref(), settings) {
        Ok(warnings) => {
            if !render.quiet {
                for line in format_warnings(name, &warnings, render.verbose) {
                    say!("{line}");
                }
            }
            if render.deny_warnings && !warnings.is_empty() {
                say!("{}", denied(warnings.len()));
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            if let bindery_pipeline::Error::Io { source, .. } = &error
                && source.kind() == std::io::ErrorKind::BrokenPipe
            {
                return Ok(ExitCode::SUCCESS);
            }
            print_error(&error);
            Ok(ExitCode::from(1))
        }
    }
}

fn print_error(error: &bindery_pipeline::Error) {
    say!("{}", format_error(error));
}

fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let shard = shard(&args);
    let mut settings = args.render.settings()?;
    settings.base_url.clone_from(&args.base_url);
    let defaulted = args.paths.is_empty();
    let inputs = if defaulted {
        vec![PathBuf::from("content")]
    } else {
        args.paths
    };
    if let Some(message) = preflight::nothing_to_build(&inputs, defaulted) {
        // Before the output directory is opened: nothing to build writes nothing.
        say!("error: {message}");
        return Ok(ExitCode::from(2));
    }
    let formats = if args.to.is_empty() {
        Format::defaults()
    } else {
        // A format named twice (`--to html,txt,html`) is rendered once.
        let mut formats = Vec::with_capacity(args.to.len());
        for format in args.to {
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        formats
    };
    let request = Build {
        inputs,
        out_dir: args.output,
        formats,
        root: args.render.root.clone(),
        jobs: args.jobs,
        fail_fast: args.fail_fast,
        cache: if args.no_cache {
            None
        } else {
            args.cache_dir.or_else(Cache::default_dir)
        },
        cache_limit: args.cache_limit,
        render_timeout: std::time::Duration::from_secs(args.render_timeout),
        isolation: match args.isolation {
            IsolationArg::InProcess => Isolation::InProcess,
            IsolationArg::Worker => Isolation::Worker {
                program: std::env::current_exe()
                    .context("cannot find bindery's own executable for its render workers")?,
                args: vec![
                    "__render-worker".into(),
                    "--memory-limit".into(),
                    args.worker_memory.to_string().into(),
                ],
            },
        },
        shard,
    };
    let started = Instant::now();
    // The manifest is written as outputs finish, so a killed run says what it finished.
    let run = bindery_pipeline::run_fingerprint(&request, &settings);
    let journal = match Journal::open(&request.out_dir, shard, &run) {
        Ok(journal) => journal,
        Err(error) => {
            print_error(&error);
            return Ok(ExitCode::from(1));
        }
    };
    let human = args.message_format == MessageFormat::Human && !args.render.quiet;
    if human && journal.interrupted() > 0 {
        say!(
            "note: an earlier run into {} stopped after {} outputs; they are listed in {} and, \
             with the cache, are copied rather than rendered again",
            request.out_dir.display(),
            journal.interrupted(),
            journal.path().display()
        );
    }
    let report = match args.message_format {
        MessageFormat::Json => {
            let observe = |event: Event<'_>| {
                journal.observe(event);
                messages::json_event(event);
            };
            bindery_pipeline::build(&request, &settings, &observe)
        }
        MessageFormat::Human => {
            let progress = (!args.render.quiet && std::io::stderr().is_terminal())
                .then(messages::Progress::new);
            // Warnings are printed as they happen: the report only counts them.
            let observe = |event: Event<'_>| {
                journal.observe(event);
                if let Some(progress) = &progress {
                    progress.event(event);
                }
                for line in human_lines(event, &args.render) {
                    match &progress {
                        Some(progress) => progress.println(&line),
                        None => say!("{line}"),
                    }
                }
            };
            let report = bindery_pipeline::build(&request, &settings, &observe);
            if let Some(progress) = progress {
                progress.finish();
            }
            print_report(&report, &args.render, started);
            report
        }
    };
    // After --fail-fast stopped the run, what it did not make is not known to be stale.
    let stopped = request.fail_fast && !report.failures.is_empty();
    if args.delete_stale && stopped {
        say!("note: --delete-stale skipped: --fail-fast stopped the run early");
    }
    let json = args.message_format == MessageFormat::Json;
    let finished = match journal.finish(args.delete_stale && !stopped) {
        Ok(finished) => finished,
        Err(error) => {
            print_error(&error);
            if json {
                messages::json_finished(&report, started);
            }
            return Ok(ExitCode::from(1));
        }
    };
    for path in &finished.deleted {
        if json {
            messages::json_deleted(path);
        } else if args.render.verbose {
            say!("deleted stale {path}");
        }
    }
    if !args.render.quiet {
        if !json && !args.render.verbose && !finished.deleted.is_empty() {
            say!(
                "deleted {} stale outputs (-v lists them)",
                finished.deleted.len()
            );
        }
        for note in &finished.notes {
            say!("note: --delete-stale: {note}");
        }
    }
    if json {
        messages::json_finished(&report, started);
    }
    if args.render.deny_warnings && report.warnings > 0 {
        say!("{}", denied(report.warnings));
        return Ok(ExitCode::from(1));
    }
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The error `--deny-warnings` ends a run with.
fn denied(warnings: usize) -> String {
    format!(
        "error: {warnings} warning{} denied by --deny-warnings (every output was still written)",
        if warnings == 1 { "" } else { "s" }
    )
}

/// What a person sees of one event on stderr: warnings (unless `--quiet`) and, with
/// `--verbose`, each file written. Failures are printed together at the end.
fn human_lines(event: Event<'_>, render: &RenderArgs) -> Vec<String> {
    let mut lines = Vec::new();
    match event {
        Event::Read { source, warnings } if !render.quiet => {
            lines.extend(format_warnings(source, warnings, render.verbose));
        }
        Event::Warning { path, warning } if !render.quiet => {
            lines.push(format_warning(path, warning));
        }
        Event::Written(output) => {
            if !render.quiet {
                lines.extend(
                    format_warnings(&output.source, &output.warnings, render.verbose)
                        .into_iter()
                        .map(|line| format!("{line} [{}]", output.format)),
                );
            }
            if render.verbose {
                let path = output.path.display().to_string();
                lines.push(format!(
                    "wrote {} ({} bytes)",
                    escape_for_terminal(&path),
                    output.bytes
                ));
            }
        }
        _ => {}
    }
    lines
}

fn print_report(report: &Report, render: &RenderArgs, started: Instant) {
    for failure in &report.failures {
        print_error(&failure.error);
    }
    if !render.quiet {
        let elapsed = started.elapsed().as_secs_f64();
        let tty = std::io::stderr().is_terminal();
        let summary = format!(
            "{} outputs from {} documents in {elapsed:.2}s; {} failed, {} warnings",
            report.outputs,
            report.documents,
            report.failures.len(),
            report.warnings,
        );
        if tty {
            say!("\x1b[1m{summary}\x1b[0m");
        } else {
            say!("{summary}");
        }
    }
}
