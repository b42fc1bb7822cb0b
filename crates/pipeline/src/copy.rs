//! Copying a page's images beside it: only the files bindery named (`images/<hash>.<ext>`,
//! see [`crate::assets`]), into `images/` next to the page, once per run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Error;
use crate::assets::{Resolved, is_chosen_name};
use crate::write::write_atomic;

/// Copies the images an HTML page references into `images/` beside it, each file once per run
/// (`copied` holds what this run wrote).
///
/// The destination is the page's own directory joined with a name bindery chose, so it is
/// inside the output directory however that was written (`-o ../site`), cannot be a page, and
/// holds the same bytes whichever document wrote it first.
pub(crate) fn copy_images(
    resolved: &Resolved,
    page: &Path,
    copied: &Mutex<BTreeSet<PathBuf>>,
) -> Result<(), Error> {
    let page_dir = page.parent().unwrap_or(Path::new(""));
    for (url, asset) in &resolved.assets {
        // Assets under the URL as written (standard output) are never copied.
        if !is_chosen_name(url) {
            continue;
        }
        let dest = url
            .split('/')
            .fold(page_dir.to_path_buf(), |path, part| path.join(part));
        let first_time = copied
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(dest.clone());
        if first_time {
            write_atomic(&dest, &asset.data)?;
        }
    }
    Ok(())
}
