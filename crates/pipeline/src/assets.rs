//! Local images: resolved inside the document's root, checked from their headers, and loaded
//! once for every format. Nothing outside the root is read and nothing is fetched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bindery_model::{
    Asset, Assets, Block, Document, Inline, Span, Warning, walk_block_lists_mut,
    walk_own_inline_lists_mut,
};

/// Limits on what a document may pull in.
#[derive(Debug, Clone, Copy)]
pub struct AssetLimits {
    /// Largest image file read, in bytes.
    pub max_bytes: u64,
    /// Largest image, in pixels (width x height from the header), so a small file cannot
    /// decode to gigabytes later.
    pub max_pixels: u64,
}

impl Default for AssetLimits {
    fn default() -> Self {
        Self {
            max_bytes: 32 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

/// The images of one document: loaded bytes by URL, and where each file lives relative to the
/// root (so HTML can copy it beside the page).
#[derive(Debug, Default)]
pub struct Resolved {
    /// By URL as written in the document.
    pub assets: Assets,
    /// By URL: the file's path relative to the root.
    pub relative: BTreeMap<String, PathBuf>,
}

/// True for URLs that name a remote resource or carry their data; those are never loaded.
pub(crate) fn is_local(url: &str) -> bool {
    let scheme_end = url.find(':');
    let has_scheme = scheme_end.is_some_and(|i| {
        i > 1
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    !has_scheme && !url.starts_with("//") && !url.is_empty() && !url.starts_with('#')
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if bytes[i] == b'%'
            && let Some(v) = hex
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves every local image of `document` (found beside `doc_path`) inside `root`.
///
/// An image that is missing, outside the root (by `..`, an absolute path or a symlink), too
/// large or not an image becomes its alt text, with a warning.
pub fn resolve_images(
    document: &mut Document,
    doc_path: &Path,
    root: &Path,
    limits: AssetLimits,
    warnings: &mut Vec<Warning>,
) -> Resolved {
    let mut resolved = Resolved::default();
    let doc_dir = doc_path.parent().unwrap_or(Path::new(""));
    let root = match root.canonicalize() {
        Ok(root) => root,
        Err(_) => return resolved,
    };
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    // First pass: every distinct local image URL, in document order.
    let mut urls: Vec<(String, Option<Span>)> = Vec::new();
    visit_images(document, &mut |url, span| {
        if is_local(url) && !urls.iter().any(|(u, _)| u == url) {
            urls.push((url.to_string(), span));
        }
    });
    if let Some(cover) = document.meta.cover.clone().filter(|c| is_local(c))
        && !urls.iter().any(|(u, _)| *u == cover)
    {
        urls.push((cover, None));
    }
    for (url, span) in urls {
        match load(&url, doc_dir, &root, limits) {
            Ok((asset, rel)) => {
                resolved.assets.insert(url.clone(), asset);
                resolved.relative.insert(url, rel);
            }
            Err(reason) => {
                warnings.push(
                    Warning::new(format!("image `{url}` not included: {reason}"), span)
                        .with_hint("the image is replaced by its alt text"),
                );
                refused.insert(url, reason);
            }
        }
    }
    if document
        .meta
        .cover
        .as_ref()
        .is_some_and(|c| refused.contains_key(c))
    {
        document.meta.cover = None;
    }
    if !refused.is_empty() {
        replace_images_with_alt(document, &|url| refused.contains_key(url));
    }
    resolved
}

fn load(
    url: &str,
    doc_dir: &Path,
    root: &Path,
    limits: AssetLimits,
) -> Result<(Asset, PathBuf), String> {
    let path_part = url.split(['?', '#']).next().unwrap_or(url);
    let decoded = percent_decode(path_part);
    let candidate = Path::new(&decoded);
    if candidate.is_absolute() {
        return Err("absolute paths are not read".into());
    }
    let full = doc_dir.join(candidate);
    let canonical = full
        .canonicalize()
        .map_err(|_| "file not found".to_string())?;
    let rel = canonical
        .strip_prefix(root)
        .map_err(|_| format!("it is outside the root `{}`", root.display()))?
        .to_path_buf();
    let meta = std::fs::metadata(&canonical).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a file".into());
    }
    if meta.len() > limits.max_bytes {
        return Err(format!(
            "{} bytes is over the limit of {}",
            meta.len(),
            limits.max_bytes
        ));
    }
    let data = std::fs::read(&canonical).map_err(|e| e.to_string())?;
    let media_type = sniff(&data).ok_or("not a PNG, JPEG, GIF, WebP or SVG image")?;
    let size = if media_type == "image/svg+xml" {
        check_svg(&data)?;
        None
    } else {
        let dim = imagesize::blob_size(&data).map_err(|e| format!("unreadable header: {e}"))?;
        let (w, h) = (dim.width as u64, dim.height as u64);
        if w.saturating_mul(h) > limits.max_pixels {
            return Err(format!(
                "{w}x{h} pixels is over the limit of {} megapixels",
                limits.max_pixels / 1_000_000
            ));
        }
        Some((w as u32, h as u32))
    };
    Ok((
        Asset {
            media_type: media_type.to_string(),
            data: Arc::from(data),
            size,
        },
        rel,
    ))
}

/// The media type from the file's first bytes, never from its name.
fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let head = String::from_utf8_lossy(&data[..data.len().min(4096)]).to_ascii_lowercase();
        head.contains("<svg").then_some("image/svg+xml")
    }
}

/// SVG is a document that can run script and pull in other files; only inert SVG is used.
fn check_svg(data: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|_| "SVG that is not UTF-8".to_string())?;
    let lower = text.to_ascii_lowercase();
    if lower.contains("<script") {
        return Err("SVG with script".into());
    }
    if lower.contains("<!entity") || lower.contains("<!doctype") {
        return Err("SVG with a DOCTYPE or entities".into());
    }
    if lower.contains("<foreignobject") {
        return Err("SVG with foreignObject".into());
    }
    // Event handlers (onload=...) and references to other resources.
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices("on") {
        let before_ok = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let rest = &lower[i + 2..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if before_ok && name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
            return Err("SVG with an event handler".into());
        }
    }
    for attr in ["href=", "href ="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            if !value.starts_with('#') {
                return Err("SVG that references another resource".into());
            }
        }
    }
    if lower.contains("url(") && !lower.contains("url(#") {
        return Err("SVG that references another resource".into());
    }
    Ok(())
}

fn visit_images(document: &mut Document, f: &mut impl FnMut(&str, Option<Span>)) {
    // Spans live on blocks: walk every block list (notes included), then each block's inlines.
    walk_block_lists_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                for inline in inlines.iter() {
                    if let Inline::Image { target, .. } = inline {
                        f(&target.url, span);
                    }
                }
            });
        }
    });
}

fn replace_images_with_alt(document: &mut Document, refused: &impl Fn(&str) -> bool) {
    bindery_model::walk_inline_lists_mut(&mut document.blocks, &mut |list: &mut Vec<Inline>| {
        if !list
            .iter()
            .any(|i| matches!(i, Inline::Image { target, .. } if refused(&target.url)))
        {
            return;
        }
        let mut out = Vec::with_capacity(list.len());
        for inline in std::mem::take(list) {
            match inline {
                Inline::Image { target, alt } if refused(&target.url) => out.extend(alt),
                other => out.push(other),
            }
        }
        *list = out;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_remote_urls() {
        assert!(is_local("images/a.png"));
        assert!(is_local("../a.png"));
        assert!(!is_local("https://example.org/a.png"));
        assert!(!is_local("//example.org/a.png"));
        assert!(!is_local("data:image/png;base64,xx"));
        assert_eq!(percent_decode("a%20b.png"), "a b.png");
    }

    #[test]
    fn svg_checks() {
        assert!(
            check_svg(b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>").is_ok()
        );
        assert!(check_svg(b"<svg><script>alert(1)</script></svg>").is_err());
        assert!(check_svg(b"<svg onload=\"x()\"></svg>").is_err());
        assert!(check_svg(b"<svg><image href=\"http://evil/x.png\"/></svg>").is_err());
        assert!(check_svg(b"<svg><use href=\"#a\"/></svg>").is_ok());
    }
}
