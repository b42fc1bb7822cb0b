//! `GET /{path}.{html,txt,epub,pdf}`: a document under the root, as a download.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bindery_pipeline::{Error, Format, find_document};

use crate::{AppState, body, error, failure, output_headers, paths, refused};

/// What the pool's job found.
enum Answer {
    /// The client's copy is current.
    NotModified(String),
    /// The output, its cache key, and whether it came from the cache.
    Output {
        bytes: Vec<u8>,
        key: String,
        cached: bool,
    },
}

pub(crate) async fn document(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "documents are read with GET",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some((stem, format)) = paths::document(uri.path()) else {
        return error(StatusCode::NOT_FOUND, "no such document");
    };
    let inline = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|p| p == "inline" || p.starts_with("inline="))
    });
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let shared = Arc::clone(&state);
    let job_stem = stem.clone();
    let job = move || -> Result<Answer, Error> {
        let renderer = &shared.renderer;
        let source = find_document(&shared.config.root, &job_stem)?;
        let prepared = renderer.prepare(&source)?;
        let key = renderer.key(&prepared, format);
        if if_none_match.as_deref().is_some_and(|v| matches(v, &key)) {
            return Ok(Answer::NotModified(key));
        }
        let started = Instant::now();
        let rendered = renderer.render(&prepared, format, &key)?;
        shared
            .metrics
            .render(format.name(), started.elapsed(), rendered.cached);
        Ok(Answer::Output {
            bytes: rendered.bytes,
            key,
            cached: rendered.cached,
        })
    };
    let answer = match state.pool.run(state.config.timeout, job).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => return failure(&state.config, &e),
        Err(e) => return refused(&state.config, e),
    };
    match answer {
        Answer::NotModified(key) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            validators(&mut response, &key);
            response
        }
        Answer::Output { bytes, key, cached } => {
            let mut response = body(bytes).into_response();
            output_headers(&mut response, format.media_type(), format == Format::Html);
            validators(&mut response, &key);
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&paths::disposition(&stem, format, inline)) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(
                "x-cache",
                HeaderValue::from_static(if cached { "hit" } else { "miss" }),
            );
            response
        }
    }
}

/// `ETag` (the cache key: equal keys are equal outputs) and `Cache-Control`: a copy may be
/// kept but must be checked, since the file under the root may change.
fn validators(response: &mut Response, key: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{key}\"")) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

/// Whether an `If-None-Match` value names `key` (weak comparison, as RFC 9110 asks for
/// `If-None-Match`), or is `*`.
fn matches(if_none_match: &str, key: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"') == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(matches("\"abc\"", "abc"));
        assert!(matches("\"x\", W/\"abc\"", "abc"));
        assert!(matches("*", "abc"));
        assert!(!matches("\"abcd\"", "abc"));
        assert!(!matches("", "abc"));
    }
}
