//! Local images: resolved inside the document's root, checked from their bytes, loaded once
//! for every format, and given names bindery chooses. Nothing outside the root is read and
//! nothing is fetched.
//!
//! A loaded image is renamed `images/<hash>.<ext>`: the first 32 hex digits of its SHA-256
//! and the extension of the type its bytes show (never the name or extension it was written
//! with), and the document's URLs are rewritten to that name before any renderer runs. A copy
//! beside an HTML page can therefore never replace a page (`![x](self.html)`), never land in
//! a directory an odd URL made up (`%2e%2e/`), and two different images never share a path
//! while the same image shared by many documents is one file, whatever the order of the jobs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use bindery_model::{
    Asset, Assets, Block, Document, Inline, Span, Warning, walk_block_lists_mut,
    walk_own_inline_lists_mut,
};

use crate::cache::sha256_hex;

/// Limits on what a document may pull in.
///
/// Decoded sizes are estimated from each image's header (width x height x channels x bytes
/// per channel) before anything is decoded, so a small file that would decode to gigabytes in
/// the PDF writer is refused while it is still a few bytes; SVG counts its file size.
#[derive(Debug, Clone, Copy)]
pub struct AssetLimits {
    /// Largest image file read, in bytes (default 32 MiB).
    pub max_bytes: u64,
    /// Largest image, in pixels (width x height from the header; default 40 million).
    pub max_pixels: u64,
    /// Largest image once decoded, in bytes (default 256 MiB: a 16-bit RGBA image of 40
    /// megapixels is 320 MB and is refused).
    pub max_decoded_bytes: u64,
    /// Most bytes all of one document's images may decode to together (each counted once,
    /// by the larger of its file and decoded size; default 512 MiB). Images past it are
    /// refused in document order.
    pub max_document_bytes: u64,
}

impl Default for AssetLimits {
    fn default() -> Self {
        Self {
            max_bytes: 32 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_decoded_bytes: 256 * 1024 * 1024,
            max_document_bytes: 512 * 1024 * 1024,
        }
    }
}

/// The images of one document, by the URL the document now writes for each
/// (`images/<hash>.<ext>`, or the URL as written for [`resolve_images_keeping_urls`]).
#[derive(Debug, Default)]
pub struct Resolved {
    /// The loaded images.
    pub assets: Assets,
    /// Where the document's links to other articles of the build point (an article in a
    /// build only; empty otherwise).
    pub(crate) links: crate::links::ArticleLinks,
}

/// The folder, beside an HTML page, that copied images go to.
pub(crate) const IMAGE_DIR: &str = "images";

/// True for URLs that name a remote resource or carry their data; those are never loaded.
pub(crate) fn is_local(url: &str) -> bool {
    bindery_model::is_local_url(url)
}

pub(crate) fn percent_decode(s: &str) -> String {
    bindery_model::percent_decode(s).into_owned()
}

/// Resolves every local image of `document` (found beside `doc_path`) inside `root`, and
/// renames each to `images/<hash>.<ext>` in the document.
///
/// An image that is missing, outside the root (by `..`, an absolute path or a symlink), not a
/// regular file, too large or not an image becomes its alt text, with a warning; so does every
/// image when `root` cannot be read.
pub fn resolve_images(
    document: &mut Document,
    doc_path: &Path,
    root: &Path,
    limits: AssetLimits,
    warnings: &mut Vec<Warning>,
) -> Resolved {
    let resolved = resolve_images_keeping_urls(document, doc_path, root, limits, warnings);
    rename(document, resolved)
}

/// [`resolve_images`] without renaming: the assets stay under the URLs the document writes,
/// for output that is not written beside its images (HTML on standard output).
pub fn resolve_images_keeping_urls(
    document: &mut Document,
    doc_path: &Path,
    root: &Path,
    limits: AssetLimits,
    warnings: &mut Vec<Warning>,
) -> Resolved {
    let doc_dir = doc_path.parent().unwrap_or(Path::new(""));
    let root = root.canonicalize().map_err(|e| {
        format!(
            "the resource root `{}` cannot be read ({e})",
            root.display()
        )
    });
    resolve_with(document, limits, warnings, &mut |url| {
        let root = root.as_deref().map_err(Clone::clone)?;
        read_image_file(url, doc_dir, root, limits)
    })
}

/// Resolves the local images of a document that came with its images, as the parts of a
/// `multipart/form-data` request: `![](red.png)` is the part whose file name is `red.png`
/// (a leading `./` aside). Nothing is read from disk; an image with no part becomes its alt
/// text with a warning, and each part passes the checks a file does ([`AssetLimits`]).
pub fn resolve_uploaded_images(
    document: &mut Document,
    images: &BTreeMap<String, Vec<u8>>,
    limits: AssetLimits,
    warnings: &mut Vec<Warning>,
) -> Resolved {
    resolve_with(document, limits, warnings, &mut |url| {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let name = percent_decode(path);
        let name = name.strip_prefix("./").unwrap_or(&name);
        let data = images
            .get(name)
            .ok_or_else(|| format!("the request has no part named `{name}`"))?;
        if data.len() as u64 > limits.max_bytes {
            return Err(format!(
                "{} bytes is over the limit of {}",
                data.len(),
                limits.max_bytes
            ));
        }
        Ok(data.clone())
    })
}

/// The loop both sources share: every distinct local image URL in document order, its bytes
/// from `fetch`, checked as an image, within the document's decoded-bytes budget.
fn resolve_with(
    document: &mut Document,
    limits: AssetLimits,
    warnings: &mut Vec<Warning>,
    fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, String>,
) -> Resolved {
    let mut resolved = Resolved::default();
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
    let mut document_bytes: u64 = 0;
    for (url, span) in urls {
        let loaded = fetch(&url)
            .and_then(|data| check_image(data, limits))
            .and_then(|(asset, cost)| {
                let total = document_bytes.saturating_add(cost);
                if total > limits.max_document_bytes {
                    return Err(format!(
                        "the document's images would take {} MiB decoded, over the limit of {} MiB",
                        total.div_ceil(1 << 20),
                        limits.max_document_bytes >> 20
                    ));
                }
                document_bytes = total;
                Ok(asset)
            });
        match loaded {
            Ok(asset) => {
                resolved.assets.insert(url, asset);
            }
            Err(reason) => {
                warnings.push(
                    Warning::new(format!("image `{url}` not included: {reason}"), span)
                        .of_kind(bindery_model::WarningKind::Image)
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

/// Replaces every local image of `document` (and a local cover) with its alt text, reading
/// nothing: for documents that come with no files of their own, such as one posted to a
/// service, whose relative URLs must not reach the server's files. Remote and `data:` images
/// stay as they are.
pub fn refuse_local_images(document: &mut Document, warnings: &mut Vec<Warning>) {
    let mut refused: Vec<String> = Vec::new();
    visit_images(document, &mut |url, span| {
        if is_local(url) && !refused.iter().any(|u| u == url) {
            warnings.push(
                Warning::new(
                    format!("image `{url}` not included: a posted document reads no files"),
                    span,
                )
                .with_hint("the image is replaced by its alt text; use a data: URL"),
            );
            refused.push(url.to_string());
        }
    });
    if document.meta.cover.as_deref().is_some_and(is_local) {
        document.meta.cover = None;
    }
    if !refused.is_empty() {
        replace_images_with_alt(document, &|url| refused.iter().any(|u| u == url));
    }
}

/// The name bindery gives an image: `images/<first 32 hex digits of SHA-256>.<ext>`.
fn chosen_name(asset: &Asset) -> String {
    let hash = sha256_hex(&asset.data);
    format!(
        "{IMAGE_DIR}/{}.{}",
        &hash[..32],
        extension(&asset.media_type)
    )
}

/// True for a URL [`chosen_name`] made, the only kind of image file ever written.
pub(crate) fn is_chosen_name(url: &str) -> bool {
    url.strip_prefix(IMAGE_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|file| file.split_once('.'))
        .is_some_and(|(hash, ext)| {
            hash.len() == 32
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
                && MEDIA_TYPES.iter().any(|(_, e)| *e == ext)
        })
}

/// Points the document's images and cover at their chosen names, and keys the assets by them.
fn rename(document: &mut Document, resolved: Resolved) -> Resolved {
    if resolved.assets.is_empty() {
        return resolved;
    }
    let names: BTreeMap<String, String> = resolved
        .assets
        .iter()
        .map(|(url, asset)| (url.clone(), chosen_name(asset)))
        .collect();
    bindery_model::walk_inline_lists_mut(&mut document.blocks, &mut |list: &mut Vec<Inline>| {
        for inline in list.iter_mut() {
            if let Inline::Image { target, .. } = inline
                && let Some(name) = names.get(&target.url)
            {
                target.url = name.clone();
            }
        }
    });
    if let Some(cover) = &mut document.meta.cover
        && let Some(name) = names.get(cover.as_str())
    {
        *cover = name.clone();
    }
    let mut assets = Assets::new();
    for (url, asset) in resolved.assets {
        assets.insert(names[&url].clone(), asset);
    }
    Resolved {
        assets,
        ..Default::default()
    }
}

/// Loads one image; returns it with what it counts against the document's limit.
/// The bytes of the image file `url` names beside the document, inside `root`.
fn read_image_file(
    url: &str,
    doc_dir: &Path,
    root: &Path,
    limits: AssetLimits,
) -> Result<Vec<u8>, String> {
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
    if !canonical.starts_with(root) {
        return Err(format!("it is outside the root `{}`", root.display()));
    }
    read_limited(&canonical, limits.max_bytes)
}

/// Checks that `data` is an image within `limits` (its format by its bytes, its pixels, its
/// decoded size; an SVG inert): the asset, and what it costs decoded.
fn check_image(data: Vec<u8>, limits: AssetLimits) -> Result<(Asset, u64), String> {
    let media_type = sniff(&data).ok_or("its bytes are not a PNG, JPEG, GIF, WebP or SVG image")?;
    let (size, decoded) = if media_type == "image/svg+xml" {
        if let Some(why) = bindery_model::svg_problem(&data) {
            return Err(format!("SVG that is not inert: {why}"));
        }
        (None, data.len() as u64)
    } else {
        let dim = imagesize::blob_size(&data).map_err(|e| format!("unreadable header: {e}"))?;
        let (w, h) = (dim.width as u64, dim.height as u64);
        if w == 0 || h == 0 || w > u32::MAX as u64 || h > u32::MAX as u64 {
            return Err(format!("{w}x{h} pixels is not an image size"));
        }
        if w.saturating_mul(h) > limits.max_pixels {
            return Err(format!(
                "{w}x{h} pixels is over the limit of {} megapixels",
                limits.max_pixels / 1_000_000
            ));
        }
        let decoded = w
            .saturating_mul(h)
            .saturating_mul(bytes_per_pixel(media_type, &data));
        if decoded > limits.max_decoded_bytes {
            return Err(format!(
                "{w}x{h} pixels decode to {} MiB, over the limit of {} MiB per image",
                decoded.div_ceil(1 << 20),
                limits.max_decoded_bytes >> 20
            ));
        }
        (Some((w as u32, h as u32)), decoded.max(data.len() as u64))
    };
    Ok((
        Asset {
            media_type: media_type.to_string(),
            data: Arc::from(data),
            size,
        },
        decoded,
    ))
}

/// Reads an image file of at most `limit` bytes, never opening anything but a regular file.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let (file, size) = crate::read::open_regular(path).map_err(|e| e.to_string())?;
    let over = |size: u64| format!("{size} bytes is over the limit of {limit}");
    if size > limit {
        return Err(over(size));
    }
    let mut data = Vec::with_capacity(size as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    if data.len() as u64 > limit {
        return Err(over(data.len() as u64));
    }
    Ok(data)
}

/// Bytes per pixel once decoded: from the PNG header (channels x bit depth, 16-bit samples
/// staying 16-bit); 4 (8-bit RGBA, the most a decoder makes of them) for JPEG, GIF and WebP.
fn bytes_per_pixel(media_type: &str, data: &[u8]) -> u64 {
    if media_type != "image/png" {
        return 4;
    }
    let (Some(&depth), Some(&color)) = (data.get(24), data.get(25)) else {
        return 8;
    };
    let channels = match color {
        0 => 1,
        2 => 3,
        4 => 2,
        // Palette (expanded to RGB or RGBA) and anything unknown: the most.
        _ => 4,
    };
    channels * if depth == 16 { 2 } else { 1 }
}

/// The image types bindery reads, with the extension a copy is given.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/svg+xml", "svg"),
];

fn extension(media_type: &str) -> &'static str {
    MEDIA_TYPES
        .iter()
        .find(|(t, _)| *t == media_type)
        .map_or("bin", |(_, e)| e)
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
        // `<svg` or a prefixed root (`<s:svg xmlns:s=...>`), which the SVG check then reads.
        (head.contains("<svg") || head.contains("http://www.w3.org/2000/svg"))
            .then_some("image/svg+xml")
    }
}

fn visit_images(document: &mut Document, f: &mut impl FnMut(&str, Option<Span>)) {
    // An image read from Markdown has its own span; one from JSON may have only its block's.
    walk_block_lists_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter_mut() {
            let span = block.span;
            walk_own_inline_lists_mut(block, &mut |inlines: &mut Vec<Inline>| {
                for inline in inlines.iter() {
                    if let Inline::Image { target, .. } = inline {
                        f(&target.url, target.span.or(span));
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
}
