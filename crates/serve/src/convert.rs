//! `POST /convert`: text sent by a client, in one of two forms.
//!
//! - `Content-Type: application/json`, pandoc-server's shape: `{"text": "...", "from":
//!   "markdown", "to": "pdf", "standalone": true, "metadata": {"title": "..."}}` (`from`
//!   defaults to markdown, `to` to html, `standalone` to false as in pandoc-server: an HTML
//!   fragment). Other pandoc-server fields are ignored.
//! - `Content-Type: text/markdown` with the Markdown as the body, and `?to=pdf` (also
//!   `from`, `standalone=false`) in the query; standalone by default.
//! - `Content-Type: multipart/form-data`, as an HTML form or `curl -F` sends it: the
//!   Markdown in a part named `text`, its images as file parts (`-F image=@red.png`) that
//!   `![](red.png)` names by file name, and `to`, `from`, `standalone` as fields or in the
//!   query. At most [`MAX_PARTS`] parts; the whole body is under `--max-body`.
//!
//! With `Accept: application/json` the reply is pandoc-server's JSON, `{"output": ...,
//! "base64": bool, "messages": [...]}` (binary formats in base64); otherwise the output's
//! bytes with its media type. A posted document reads no file of the server's: its local
//! images are the request's parts or their alt text
//! ([`bindery_pipeline::Renderer::read_posted`]), and raw HTML
//! follows the server's policy (sanitize by default). Any other content type is refused
//! (415), so a `text/plain` form from any web page never reaches the renderer.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bindery_pipeline::{Format, InputFormat};
use http_body_util::BodyExt;
use serde::Deserialize;

use crate::{AppState, body, error, failure, output_headers, refused};

/// The name a posted document goes by in messages.
const POSTED: &str = "posted";

#[derive(Deserialize)]
struct ConvertRequest {
    text: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    standalone: bool,
    #[serde(default)]
    metadata: BTreeMap<String, serde_json::Value>,
}

/// The most parts a multipart request may have: a document and its images.
pub(crate) const MAX_PARTS: usize = 256;

/// A request, read and checked, ready for the pool.
struct Job {
    text: Vec<u8>,
    from: InputFormat,
    to: Format,
    standalone: bool,
    metadata: Vec<(String, String)>,
    /// The images that came as parts of a multipart request, by file name.
    images: BTreeMap<String, Vec<u8>>,
}

/// How the body is written.
enum BodyForm {
    Json,
    Markdown,
    Multipart(String),
}

pub(crate) async fn convert(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    request_body: Body,
) -> Response {
    if let Some(token) = &state.config.token
        && !authorized(&headers, token)
    {
        let mut response = error(StatusCode::UNAUTHORIZED, "a bearer token is required");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
        return response;
    }
    // A web page on another site can send a multipart form here without asking first (no
    // CORS preflight), and browsers name that page in `Origin`: only the server's own pages
    // may post from a browser. Clients that are not browsers send no `Origin`.
    if !same_origin(&headers) {
        return error(
            StatusCode::FORBIDDEN,
            "a request from a page of another site (its Origin header) is refused",
        );
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let form = match media_type.as_str() {
        "application/json" => BodyForm::Json,
        "text/markdown" | "text/x-markdown" => BodyForm::Markdown,
        "multipart/form-data" => {
            let boundary = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| multer::parse_boundary(v).ok());
            match boundary {
                Some(boundary) => BodyForm::Multipart(boundary),
                None => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "multipart/form-data without a boundary",
                    );
                }
            }
        }
        _ => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send application/json (pandoc-server's shape), text/markdown or \
                 multipart/form-data",
            );
        }
    };
    let max_body = state.config.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return too_large(max_body);
    }
    // The body must arrive within the request's deadline: a client that trickles it in holds
    // a connection, never a render thread. Each byte received holds a permit of the shared
    // budget until the body is in a render job (which the pool bounds) or refused: a thousand
    // connections uploading at once cannot hold a thousand bodies in memory.
    let started = Instant::now();
    let received = receive(request_body, max_body, &state.bodies);
    let (bytes, receiving) = match tokio::time::timeout(state.config.timeout, received).await {
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive within the server's time limit",
            );
        }
        Ok(Err(Receive::TooLarge)) => return too_large(max_body),
        Ok(Err(Receive::Full)) => return refused(&state.config, crate::pool::Refused::Full),
        Ok(Err(Receive::Cut)) => {
            return error(StatusCode::BAD_REQUEST, "the request body was cut off");
        }
        Ok(Ok(received)) => received,
    };
    let query = uri.query().unwrap_or("");
    let job = match form {
        BodyForm::Json => from_json(&bytes),
        BodyForm::Markdown => query_pairs(query).and_then(|pairs| from_pairs(pairs, bytes)),
        BodyForm::Multipart(boundary) => from_multipart(bytes.into(), boundary, query).await,
    };
    let job = match job {
        Ok(job) => job,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    drop(receiving);
    let to = job.to;
    let shared = Arc::clone(&state);
    let work = move || {
        let name = Path::new(POSTED);
        let renderer = &shared.renderer;
        let read = renderer.read_posted(name, &job.text, job.from, &job.metadata, &job.images)?;
        let started = Instant::now();
        let mut rendered = renderer.render_posted(name, &read.output, job.to, job.standalone)?;
        shared
            .metrics
            .render(job.to.name(), started.elapsed(), false);
        let mut warnings = read.warnings;
        warnings.append(&mut rendered.warnings);
        Ok::<_, bindery_pipeline::Error>((rendered.output, warnings))
    };
    let remaining = state.config.timeout.saturating_sub(started.elapsed());
    let (output, warnings) = match state.pool.run(remaining, work).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return failure(&state.config, &e),
        Err(e) => return refused(&state.config, e),
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        let binary = matches!(to, Format::Epub | Format::Pdf);
        let output = if binary {
            base64::engine::general_purpose::STANDARD.encode(&output)
        } else {
            String::from_utf8_lossy(&output).into_owned()
        };
        let messages: Vec<_> = warnings
            .iter()
            .map(|w| {
                let place = w
                    .span
                    .map(|s| format!("{POSTED}:{}:{}: ", s.line, s.col))
                    .unwrap_or_default();
                serde_json::json!({"verbosity": "WARNING", "message": format!("{place}{}", w.message)})
            })
            .collect();
        let reply = serde_json::json!({"output": output, "base64": binary, "messages": messages});
        return axum::Json(reply).into_response();
    }
    let mut response = body(output).into_response();
    output_headers(&mut response, to.media_type(), to == Format::Html);
    response
}

/// Why a body was not received.
enum Receive {
    TooLarge,
    /// The bodies being received hold the whole budget.
    Full,
    Cut,
}

/// Reads a body of at most `max_body` bytes, taking one permit of `budget` per byte as it
/// arrives; the permits are held until the caller drops them.
async fn receive(
    mut body: Body,
    max_body: usize,
    budget: &Arc<tokio::sync::Semaphore>,
) -> Result<(Vec<u8>, Option<tokio::sync::OwnedSemaphorePermit>), Receive> {
    let mut data = Vec::new();
    let mut held: Option<tokio::sync::OwnedSemaphorePermit> = None;
    while let Some(frame) = body.frame().await {
        let Ok(chunk) = frame.map_err(|_| Receive::Cut)?.into_data() else {
            continue;
        };
        if data.len() + chunk.len() > max_body {
            return Err(Receive::TooLarge);
        }
        let n = u32::try_from(chunk.len()).map_err(|_| Receive::TooLarge)?;
        let permit = Arc::clone(budget)
            .try_acquire_many_owned(n)
            .map_err(|_| Receive::Full)?;
        match &mut held {
            Some(held) => held.merge(permit),
            None => held = Some(permit),
        }
        data.extend_from_slice(&chunk);
    }
    Ok((data, held))
}

fn too_large(limit: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the request body is over the server's limit of {limit} bytes (--max-body)"),
    )
}

/// No `Origin` header, or one naming the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host);
    matches!((origin_host, host), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// Compares the `Authorization: Bearer` token in constant time.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn parse_from(from: Option<&str>) -> Result<InputFormat, String> {
    from.map_or(Ok(InputFormat::Markdown), str::parse)
}

fn parse_to(to: Option<&str>) -> Result<Format, String> {
    match to.map(str::to_ascii_lowercase).as_deref() {
        None | Some("html5") => Ok(Format::Html),
        Some(other) => other.parse(),
    }
}

fn from_json(bytes: &[u8]) -> Result<Job, String> {
    let request: ConvertRequest =
        serde_json::from_slice(bytes).map_err(|e| format!("the JSON body is not valid: {e}"))?;
    let mut metadata = Vec::with_capacity(request.metadata.len());
    for (key, value) in request.metadata {
        let value = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                return Err(format!(
                    "metadata `{key}` must be a string, number or boolean"
                ));
            }
        };
        metadata.push((key, value));
    }
    Ok(Job {
        text: request.text.into_bytes(),
        from: parse_from(request.from.as_deref())?,
        to: parse_to(request.to.as_deref())?,
        standalone: request.standalone,
        metadata,
        images: BTreeMap::new(),
    })
}

/// The query's `key=value` pairs, decoded.
fn query_pairs(query: &str) -> Result<Vec<(String, String)>, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| format!("`{key}` is not UTF-8"))?
                .into_owned();
            Ok((key.to_string(), value))
        })
        .collect()
}

/// A raw body's job from its options (`to`, `from`, `standalone`; a later pair wins).
fn from_pairs(pairs: Vec<(String, String)>, text: Vec<u8>) -> Result<Job, String> {
    let (mut from, mut to, mut standalone) = (None, None, true);
    for (key, value) in pairs {
        match key.as_str() {
            "from" => from = Some(value),
            "to" => to = Some(value),
            "standalone" => standalone = !matches!(value.as_str(), "false" | "0" | "no"),
            _ => {}
        }
    }
    Ok(Job {
        text,
        from: parse_from(from.as_deref())?,
        to: parse_to(to.as_deref())?,
        standalone,
        metadata: Vec::new(),
        images: BTreeMap::new(),
    })
}

/// A multipart body's job: the `text` part, the file parts as images, the other fields as
/// options (after the query's). An unknown field, a second `text` or a part past
/// [`MAX_PARTS`] is refused.
async fn from_multipart(
    bytes: axum::body::Bytes,
    boundary: String,
    query: &str,
) -> Result<Job, String> {
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut pairs = query_pairs(query)?;
    let mut text = None;
    let mut images = BTreeMap::new();
    let mut parts = 0usize;
    let malformed = |e: multer::Error| format!("the multipart body is malformed: {e}");
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(malformed)?;
        match (name.as_str(), file_name) {
            ("text", _) if text.is_some() => return Err("two parts named `text`".into()),
            ("text", _) => text = Some(data.to_vec()),
            (_, Some(file_name)) => {
                if images.insert(file_name.clone(), data.to_vec()).is_some() {
                    return Err(format!("two files named `{file_name}`"));
                }
            }
            ("to" | "from" | "standalone", None) => {
                let value = String::from_utf8(data.to_vec())
                    .map_err(|_| format!("`{name}` is not UTF-8"))?;
                pairs.push((name, value));
            }
            (other, None) => return Err(format!("unknown field `{other}`")),
        }
    }
    let text = text.ok_or("no part named `text` holding the document")?;
    let mut job = from_pairs(pairs, text)?;
    job.images = images;
    Ok(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_requests_take_pandoc_servers_shape() {
        let job = from_json(
            br##"{"text": "# Hi", "to": "pdf", "standalone": true, "metadata": {"title": "T", "year": 2024}, "wrap": "auto"}"##,
        )
        .unwrap();
        assert_eq!(job.to, Format::Pdf);
        assert!(job.standalone);
        assert_eq!(job.from, InputFormat::Markdown);
        assert_eq!(
            job.metadata,
            [("title".into(), "T".into()), ("year".into(), "2024".into())]
        );
        assert!(from_json(br#"{"text": "x", "to": "docx"}"#).is_err());
        assert!(from_json(br#"{"to": "html"}"#).is_err());
        assert!(from_json(br#"{"text": "x", "metadata": {"a": [1]}}"#).is_err());
    }

    #[test]
    fn raw_requests_take_the_query() {
        let from_query = |query: &str| from_pairs(query_pairs(query).unwrap(), b"x".to_vec());
        let job = from_query("to=txt&standalone=false&from=commonmark").unwrap();
        assert_eq!(job.to, Format::Txt);
        assert_eq!(job.from, InputFormat::CommonMark);
        assert!(!job.standalone);
        assert_eq!(from_query("").unwrap().to, Format::Html);
    }
}
