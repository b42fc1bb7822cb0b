//! Renders in a separate process, so that one that runs out of memory or aborts costs its own
//! output and nothing else.
//!
//! A panic is caught in-process ([`crate::run`]), but an allocation failure, a stack overflow
//! or an abort inside Typst's layout ends the whole process, and with it every output still
//! being rendered and the manifest. The pipeline therefore hands each PDF (a book counts as
//! one) to `bindery __render-worker`, a hidden subcommand that limits its own address space
//! ([`limit_memory`]) and renders document after document read from its standard input. A
//! worker is kept alive across documents (fonts and Typst's caches stay warm) and replaced when
//! one dies. A library caller chooses: [`Isolation::InProcess`] (a web server linking the
//! crates has no bindery executable unless it says so) or [`Isolation::Worker`].
//!
//! The protocol is private to one build of bindery (the parent starts its own executable):
//! frames of a little-endian `u64` length and that many bytes. A request is a JSON header, the
//! document as JSON, then each asset's bytes; a reply is a JSON header and the output's bytes.

use std::ffi::OsString;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use bindery_model::{Asset, Assets, Document, Warned, Warning};
use serde::{Deserialize, Serialize};

use crate::{Error, Format, RenderFailure, Settings};

/// Where renders that can exhaust memory run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Isolation {
    /// In the calling process: an abort in a render ends the process.
    #[default]
    InProcess,
    /// In worker processes started as `program args...`, which must run [`serve_worker`]
    /// (for the bindery binary: `bindery __render-worker --memory-limit BYTES`).
    Worker {
        /// The executable.
        program: PathBuf,
        /// Its arguments.
        args: Vec<OsString>,
    },
}

/// The most address space a worker may use unless told otherwise: a PDF of the 1.5 MB
/// benchmark book peaks at about 1.1 GB of resident memory.
pub const DEFAULT_WORKER_MEMORY: u64 = 4 << 30;

/// How long one document's PDF may take in a worker unless told otherwise: the 1.5 MB
/// benchmark book takes about 10 s in a release build.
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Serialize, Deserialize)]
struct RequestHeader {
    /// For messages: the input's path.
    path: PathBuf,
    /// The run's PDF options.
    options: bindery_pdf::Options,
    /// A book's PDF: a table of contents and each chapter on a new page.
    book: bool,
    /// Threads the book's chapters may be laid out on: the parent run's `--jobs`.
    layout_threads: usize,
    assets: Vec<AssetHeader>,
}

#[derive(Serialize, Deserialize)]
struct AssetHeader {
    url: String,
    media_type: String,
    size: Option<(u32, u32)>,
    len: u64,
}

#[derive(Serialize, Deserialize)]
struct ReplyHeader {
    /// The render's error message, or `None` with the output following.
    error: Option<String>,
    warnings: Vec<Warning>,
}

/// Sets this process's address-space limit (for the worker itself, at its start: the
/// workspace forbids `unsafe`, so the parent cannot set it between fork and exec).
pub fn limit_memory(bytes: u64) -> std::io::Result<()> {
    rlimit::setrlimit(rlimit::Resource::AS, bytes, bytes)
}

/// The worker's loop: renders each request read from standard input until it closes.
///
/// A request that cannot be understood, a render that fails or one that panics gets an error
/// reply; only a broken stream or the end of the process's memory ends the worker.
pub fn serve_worker() -> std::io::Result<()> {
    // A panic becomes the request's error reply; printing it (with a backtrace, which
    // allocates) is noise at best, and after a failed allocation it could hang the worker.
    std::panic::set_hook(Box::new(|_| {}));
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    let mut settings = Settings::default();
    while let Some(header) = read_frame(&mut input)? {
        let header: RequestHeader = serde_json::from_slice(&header).map_err(invalid)?;
        let document = read_frame(&mut input)?.ok_or_else(truncated)?;
        let mut assets = Assets::new();
        for asset in header.assets {
            let mut data = vec![0; usize::try_from(asset.len).map_err(invalid)?];
            input.read_exact(&mut data)?;
            assets.insert(
                asset.url,
                Asset {
                    media_type: asset.media_type,
                    data: data.into(),
                    size: asset.size,
                },
            );
        }
        if header.options != settings.pdf {
            // Fonts are loaded once per worker, again only if a request asks for others.
            let fonts_changed = header.options.system_fonts != settings.pdf.system_fonts
                || header.options.font_dirs != settings.pdf.font_dirs;
            settings.pdf = header.options;
            if fonts_changed {
                settings.pdf_resources = std::sync::OnceLock::new();
            }
        }
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let document = parse_document(&document)?;
            crate::run::render_pdf(
                &header.path,
                &document,
                &assets,
                header.book,
                header.layout_threads,
                &settings,
            )
            .map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|payload| Err(crate::run::panic_message(payload.as_ref())));
        let (reply, bytes) = match rendered {
            Ok(Warned { output, warnings }) => (
                ReplyHeader {
                    error: None,
                    warnings,
                },
                output,
            ),
            Err(error) => (
                ReplyHeader {
                    error: Some(error),
                    warnings: Vec::new(),
                },
                Vec::new(),
            ),
        };
        write_frame(&mut output, &serde_json::to_vec(&reply).map_err(invalid)?)?;
        write_frame(&mut output, &bytes)?;
        output.flush()?;
    }
    Ok(())
}

/// The document the pipeline sent. Its depth is already bounded to the model's 32 levels, but
/// as JSON that is deeper than serde_json's default cap, so the cap is lifted here only.
fn parse_document(json: &[u8]) -> Result<Document, String> {
    use serde::Deserialize;
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    deserializer.disable_recursion_limit();
    Document::deserialize(&mut deserializer).map_err(|e| format!("a bad request: {e}"))
}

/// Worker processes kept between renders, one per render running at a time.
#[derive(Debug)]
pub(crate) struct Workers {
    idle: Mutex<Vec<Worker>>,
    /// How long one render may take before its worker is killed.
    timeout: Duration,
}

impl Workers {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            timeout,
        }
    }
}

#[derive(Debug)]
struct Worker {
    /// Shared with the watchdog of the render in progress, which kills it when time is up.
    child: Arc<Mutex<Child>>,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing its input ends a healthy worker; one that is stuck is ended here.
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Kills `child` unless the returned sender is dropped within `timeout`: a render that hangs
/// (a worker that deadlocked while failing to allocate, say) costs its document, not the run.
fn watchdog(child: &Arc<Mutex<Child>>, timeout: Duration) -> mpsc::Sender<()> {
    let (done, finished) = mpsc::channel::<()>();
    let child = Arc::clone(child);
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(timeout) {
            let _ = child.lock().unwrap_or_else(|e| e.into_inner()).kill();
        }
    });
    done
}

impl Workers {
    /// Renders `document` as PDF in a worker: an idle one, or a new one. A worker that dies
    /// mid-render fails this document alone and is not reused.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn render_pdf(
        &self,
        program: &Path,
        args: &[OsString],
        options: &bindery_pdf::Options,
        path: &Path,
        document: &Document,
        assets: &Assets,
        book: bool,
    ) -> Result<Warned<Vec<u8>>, Error> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => spawn(program, args).map_err(|e| Error::Render {
                path: path.to_path_buf(),
                format: Format::Pdf,
                message: format!("cannot start a render worker ({}): {e}", program.display()),
                failure: RenderFailure::WorkerLost,
            })?,
        };
        let started = Instant::now();
        let watch = watchdog(&worker.child, self.timeout);
        let exchanged = exchange(&mut worker, options, path, document, assets, book);
        drop(watch);
        match exchanged {
            Ok(reply) => {
                self.idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(worker);
                reply.map_err(|message| Error::Render {
                    path: path.to_path_buf(),
                    format: Format::Pdf,
                    message,
                    failure: RenderFailure::Refused,
                })
            }
            Err(_) => {
                let status = worker
                    .child
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .wait()
                    .ok();
                let timed_out = started.elapsed() >= self.timeout;
                Err(Error::Render {
                    path: path.to_path_buf(),
                    format: Format::Pdf,
                    message: died(status, timed_out.then_some(self.timeout)),
                    failure: if timed_out {
                        RenderFailure::TimedOut
                    } else {
                        RenderFailure::WorkerLost
                    },
                })
            }
        }
    }
}

/// Why a worker that stopped answering stopped.
fn died(status: Option<std::process::ExitStatus>, timed_out: Option<Duration>) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(limit) = timed_out {
        return format!(
            "typesetting took longer than the limit of {} s, so its worker was stopped; the \
             other documents are not affected",
            limit.as_secs()
        );
    }
    let how = match status {
        Some(status) => match status.signal() {
            Some(signal) => format!("was killed by signal {signal}"),
            None => format!("exited with {status}"),
        },
        None => "stopped".to_string(),
    };
    format!(
        "the PDF render worker {how} while typesetting this document (most often: it ran out of \
         its memory limit, --worker-memory); the other documents are not affected"
    )
}

fn spawn(program: &Path, args: &[OsString]) -> std::io::Result<Worker> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Its own messages (an abort's) reach the user's terminal.
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = BufWriter::new(child.stdin.take().expect("piped"));
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    Ok(Worker {
        child: Arc::new(Mutex::new(child)),
        stdin,
        stdout,
    })
}

/// Sends one request and reads its reply; an I/O error means the worker died.
fn exchange(
    worker: &mut Worker,
    options: &bindery_pdf::Options,
    path: &Path,
    document: &Document,
    assets: &Assets,
    book: bool,
) -> std::io::Result<Result<Warned<Vec<u8>>, String>> {
    let header = RequestHeader {
        path: path.to_path_buf(),
        options: options.clone(),
        book,
        layout_threads: crate::run::layout_threads(),
        assets: assets
            .iter()
            .map(|(url, asset)| AssetHeader {
                url: url.clone(),
                media_type: asset.media_type.clone(),
                size: asset.size,
                len: asset.data.len() as u64,
            })
            .collect(),
    };
    write_frame(
        &mut worker.stdin,
        &serde_json::to_vec(&header).map_err(invalid)?,
    )?;
    write_frame(
        &mut worker.stdin,
        &serde_json::to_vec(document).map_err(invalid)?,
    )?;
    for asset in assets.values() {
        worker.stdin.write_all(&asset.data)?;
    }
    worker.stdin.flush()?;
    let reply = read_frame(&mut worker.stdout)?.ok_or_else(truncated)?;
    let reply: ReplyHeader = serde_json::from_slice(&reply).map_err(invalid)?;
    let bytes = read_frame(&mut worker.stdout)?.ok_or_else(truncated)?;
    Ok(match reply.error {
        Some(message) => Err(message),
        None => Ok(Warned {
            output: bytes,
            warnings: reply.warnings,
        }),
    })
}

fn write_frame(to: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    to.write_all(&(bytes.len() as u64).to_le_bytes())?;
    to.write_all(bytes)
}

/// One frame, or `None` at a clean end of input (before its length); an input that ends
/// inside a frame is an error.
fn read_frame(from: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0; 8];
    let mut got = 0;
    while got < len.len() {
        match from.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(truncated()),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = usize::try_from(u64::from_le_bytes(len)).map_err(invalid)?;
    let mut bytes = vec![0; len];
    from.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

fn invalid(error: impl std::error::Error + Send + Sync + 'static) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error)
}

fn truncated() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a truncated frame")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_with(
        program: &str,
        script: &str,
        timeout: Duration,
    ) -> Result<Warned<Vec<u8>>, Error> {
        let workers = Workers::new(timeout);
        workers.render_pdf(
            Path::new(program),
            &["-c".into(), script.into()],
            &bindery_pdf::Options::default(),
            Path::new("doc.md"),
            &Document::default(),
            &Assets::new(),
            false,
        )
    }

    /// A worker that reads its request and never answers is stopped at the timeout, and the
    /// document fails saying so.
    #[test]
    fn a_hung_worker_is_stopped_at_the_timeout() {
        let started = Instant::now();
        let error = render_with("sh", "cat > /dev/null", Duration::from_millis(500)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(30));
        let message = error.to_string();
        assert!(message.contains("longer than the limit"), "{message}");
        assert!(message.starts_with("doc.md: pdf: "), "{message}");
    }

    /// A worker that dies fails its document with how it died; the error is the document's.
    #[test]
    fn a_dead_worker_fails_its_document() {
        let message = render_with("sh", "kill -ABRT $$", Duration::from_secs(60))
            .unwrap_err()
            .to_string();
        assert!(message.contains("killed by signal 6"), "{message}");
        let message = render_with("sh", "exit 3", Duration::from_secs(60))
            .unwrap_err()
            .to_string();
        assert!(message.contains("exited with exit status: 3"), "{message}");
    }

    /// Frames round-trip, and a clean end of input before a frame is not an error.
    #[test]
    fn frames_round_trip() {
        let mut buffer = Vec::new();
        write_frame(&mut buffer, b"hello").unwrap();
        write_frame(&mut buffer, b"").unwrap();
        let mut reader = &buffer[..];
        assert_eq!(read_frame(&mut reader).unwrap().unwrap(), b"hello");
        assert_eq!(read_frame(&mut reader).unwrap().unwrap(), b"");
        assert!(read_frame(&mut reader).unwrap().is_none());
        for cut in [6, 10] {
            let mut short = &buffer[..cut];
            assert!(read_frame(&mut short).is_err(), "cut at {cut}");
        }
    }
}
