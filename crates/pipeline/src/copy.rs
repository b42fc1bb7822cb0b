//! Copying a page's images beside it: only the files bindery named (`images/<hash>.<ext>`,
//! see [`crate::assets`]), into `images/` next to the page, once per run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::assets::{Resolved, is_chosen_name};
use crate::cache::sha256_hex;
use crate::write::write_atomic;
use crate::{CopiedImage, Error};

/// Copies the images an HTML page references into `images/` beside it, each file once per run
/// (`copied` holds what this run wrote, with each file's SHA-256), and lists them all for the
/// page's manifest entry.
///
/// The destination is the page's own directory joined with a name bindery chose, so it is
/// inside the output directory however that was written (`-o ../site`), cannot be a page, and
/// holds the same bytes whichever document wrote it first.
pub(crate) fn copy_images(
    resolved: &Resolved,
    page: &Path,
    copied: &Mutex<BTreeMap<PathBuf, String>>,
) -> Result<Vec<CopiedImage>, Error> {
    let mut images = Vec::new();
    let page_dir = page.parent().unwrap_or(Path::new(""));
    for (url, asset) in &resolved.assets {
        // Assets under the URL as written (standard output) are never copied.
        if !is_chosen_name(url) {
            continue;
        }
        let dest = url
            .split('/')
            .fold(page_dir.to_path_buf(), |path, part| path.join(part));
        let known = copied
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&dest)
            .cloned();
        let sha256 = match known {
            Some(sha256) => sha256,
            None => {
                // Two pages may copy the same file at once: both write the same bytes.
                write_atomic(&dest, &asset.data)?;
                let sha256 = sha256_hex(&asset.data);
                copied
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(dest.clone(), sha256.clone());
                sha256
            }
        };
        images.push(CopiedImage { path: dest, sha256 });
    }
    Ok(images)
}
