//! `bindery serve`: the pipeline over HTTP, for sites that offer "download as PDF / EPUB /
//! TXT" and render on request.
//!
//! [`serve`] binds [`Config::listen`] and answers, until SIGTERM or SIGINT:
//!
//! - `GET /{path}.{html,txt,epub,pdf}`: `ROOT/{path}.md` (or the book in `ROOT/{path}/`) in
//!   that format, as a download (`?inline` to view), with an `ETag` that is the output's
//!   content-addressed cache key (`If-None-Match` answers 304 without rendering) and outputs
//!   shared with `bindery build` through the same cache. Only documents inside ROOT by
//!   canonical path are served ([`paths`], [`bindery_pipeline::find_document`]).
//! - `POST /convert`: text sent by the client, as pandoc-server's JSON or as a raw Markdown
//!   body ([`convert`]); it reads no file of the server's.
//! - `GET /healthz`, `GET /metrics` (Prometheus text).
//!
//! Every read and render runs on the bounded [`pool::Pool`] (`--jobs` threads, a queue of
//! `--queue` behind them, 503 past it), never on the async threads; PDFs are typeset in render
//! worker processes when the [`Renderer`] isolates them, so a render that aborts costs one
//! request. Connections are capped, headers must arrive within [`HEADER_TIMEOUT`] and fit in
//! [`MAX_HEADER_BYTES`], bodies within the deadline and `--max-body`.

mod convert;
mod documents;
mod metrics;
pub mod paths;
mod pool;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bindery_pipeline::{Error, RenderFailure, Renderer};
use hyper_util::rt::{TokioIo, TokioTimer};

use crate::metrics::Metrics;
use crate::pool::Pool;

/// How long a client may take to send a request's headers (also how long an idle
/// keep-alive connection stays open): a slowloris client is cut off after it.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes of request line and headers read for one request (hyper answers 431 past
/// them).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// What the server does and within which limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory documents are served from.
    pub root: PathBuf,
    /// The address to listen on (port 0: any free port, reported to `on_bound`).
    pub listen: SocketAddr,
    /// Render threads.
    pub jobs: usize,
    /// Requests that may wait for a render thread; past it, 503.
    pub queue: usize,
    /// The largest request body, in bytes; past it, 413.
    pub max_body: usize,
    /// How long one request may take, from its headers to its output; past it, 504 (the
    /// body must arrive within it too).
    pub timeout: Duration,
    /// After SIGTERM or SIGINT, how long requests in flight may take to finish.
    pub grace: Duration,
    /// The most connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long one write to a client may wait for it to read: a client that stops reading
    /// its response is cut off after it, so it cannot hold a connection (and its output in
    /// memory) for ever.
    pub write_timeout: Duration,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// One JSON object per request on stderr, instead of a line of text.
    pub log_json: bool,
    /// The bearer token `POST /convert` requires, if any.
    pub token: Option<String>,
}

impl Config {
    /// The defaults `bindery serve` documents, for ROOT and the address.
    pub fn new(root: PathBuf, listen: SocketAddr) -> Self {
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            root,
            listen,
            jobs,
            queue: 4 * jobs,
            max_body: 16 << 20,
            timeout: Duration::from_secs(60),
            grace: Duration::from_secs(30),
            max_connections: 1024,
            write_timeout: Duration::from_secs(30),
            log_requests: true,
            log_json: false,
            token: None,
        }
    }
}

/// What every request handler shares.
struct Shared {
    config: Config,
    renderer: Renderer,
    pool: Pool,
    /// The bytes of request bodies being received, one permit a byte: (jobs + queue) x
    /// `--max-body` in all, so that bodies in memory never pass about twice that, however
    /// many connections are open. Counted by the byte, not by the body, so that clients that
    /// trickle a few bytes hold a few permits, not every place (which turned every other
    /// upload away with 503 for as long as they kept sending).
    bodies: Arc<tokio::sync::Semaphore>,
    metrics: Metrics,
}

type AppState = Arc<Shared>;

/// Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish
/// within [`Config::grace`] and returns. `on_bound` is told the address once it is bound.
pub fn serve(
    config: Config,
    renderer: Renderer,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // The async threads only move bytes; renders have their own pool.
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(config, renderer, on_bound))
}

async fn run(
    config: Config,
    renderer: Renderer,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let bound = listener.local_addr()?;
    let pool = Pool::new(config.jobs, config.queue)?;
    let bodies = Arc::new(tokio::sync::Semaphore::new(
        (config.jobs.max(1) + config.queue).saturating_mul(config.max_body.max(1)),
    ));
    let connections = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let grace = config.grace;
    let write_timeout = config.write_timeout;
    let state: AppState = Arc::new(Shared {
        config,
        renderer,
        pool,
        bodies,
        metrics: Metrics::default(),
    });
    let app = router(Arc::clone(&state));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    on_bound(bound);
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, most often: wait rather than spin.
                    eprintln!("bindery serve: accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEADER_BYTES);
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(write_timeout));
        let stream = Box::pin(stream);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    eprintln!("bindery serve: stopping; finishing the requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            eprintln!("bindery serve: the grace period of {} s is over; closing", grace.as_secs());
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/convert", post(convert::convert))
        .fallback(documents::document)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            observe,
        ))
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let text = state
        .metrics
        .render_text(state.pool.queued(), state.pool.running());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Checks the `Host` header, then counts and logs every request.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = match path.as_str() {
        "/healthz" => "healthz",
        "/metrics" => "metrics",
        "/convert" => "convert",
        _ => "document",
    };
    let mut response = if allowed_host(&state.config, &request) {
        next.run(request).await
    } else {
        error(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to the names of its address (Host)",
        )
    };
    // Every answer, errors and JSON replies included (some echo what the client sent): a
    // browser must take it as the type it says, never sniff it into HTML.
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let status = response.status().as_u16();
    state.metrics.request(route, status);
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    if state.config.log_requests {
        log(&state.config, &method, &path, status, millis, &response);
    }
    response
}

/// One line on stderr for a request: text, or a JSON object with `--log-format json`.
fn log(
    config: &Config,
    method: &axum::http::Method,
    path: &str,
    status: u16,
    millis: f64,
    response: &Response,
) {
    if config.log_json {
        eprintln!(
            "{}",
            serde_json::json!({
                "method": method.as_str(),
                "path": path,
                "status": status,
                "ms": (millis * 1000.0).round() / 1000.0,
                "cache": response.headers().get("x-cache").and_then(|v| v.to_str().ok()),
            })
        );
    } else {
        // The path is the client's: it must not drive the operator's terminal.
        let shown = bindery_pipeline::escape_for_terminal(path);
        eprintln!("{method} {shown} {status} {millis:.1}ms");
    }
}

/// On loopback, only loopback names (against DNS rebinding: a page from another site that
/// resolves its name to 127.0.0.1 sends its own name); elsewhere, any (the operator's proxy
/// decides).
fn allowed_host(config: &Config, request: &Request) -> bool {
    if !config.listen.ip().is_loopback() {
        return true;
    }
    let Some(host) = request.headers().get(header::HOST) else {
        // HTTP/1.0 without a Host header: no browser sends one.
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1")
        || name.ends_with(".localhost")
        || name == config.listen.ip().to_string()
}

/// A plain-text error response.
fn error(status: StatusCode, message: &str) -> Response {
    let mut response = (status, format!("error: {message}\n")).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The status and message for a pipeline error; messages name documents relative to the
/// root, never by the server's own path.
fn failure(config: &Config, error: &Error) -> Response {
    use std::io::ErrorKind;
    let status = match error {
        Error::Io { source, .. }
            if matches!(
                source.kind(),
                ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::InvalidInput
            ) =>
        {
            return self::error(StatusCode::NOT_FOUND, "no such document");
        }
        Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Syntax { .. } | Error::OverLimit { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Render { failure, .. } => match failure {
            RenderFailure::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            // Stopped at its deadline.
            RenderFailure::TimedOut => StatusCode::GATEWAY_TIMEOUT,
            // Its worker died (out of its memory limit, an abort): this request only.
            RenderFailure::WorkerLost => StatusCode::INTERNAL_SERVER_ERROR,
        },
        Error::Io { .. } | Error::Panic { .. } | Error::Collision { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let text = bindery_pipeline::format_error(error);
    let root = format!("{}/", config.root.display());
    let text = text.replace(&root, "");
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    self::error(status, text)
}

/// The answer for a job the pool did not finish.
fn refused(config: &Config, refused: pool::Refused) -> Response {
    match refused {
        pool::Refused::Full => {
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "every render thread is busy and the queue is full; retry shortly",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        pool::Refused::Timeout => error(
            StatusCode::GATEWAY_TIMEOUT,
            &format!(
                "the render did not finish within the server's limit of {} s (--timeout)",
                config.timeout.as_secs_f64()
            ),
        ),
        pool::Refused::Panicked(message) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("internal error while rendering (a bug in bindery): {message}"),
        ),
    }
}

/// Headers every rendered output carries: its type, and for HTML a policy that lets the page
/// run nothing and load nothing but its own styles and inline images.
fn output_headers(response: &mut Response, media_type: &str, html: bool) {
    let headers = response.headers_mut();
    let content_type = if media_type.starts_with("text/") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; \
                 font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ),
        );
    }
}

/// A body of bytes.
fn body(bytes: Vec<u8>) -> Body {
    Body::from(bytes)
}
