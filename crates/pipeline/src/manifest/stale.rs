//! `--delete-stale`: deleting the outputs an earlier run listed and this run no longer makes.
//!
//! The list comes from a file in the output directory, which anyone who can write there can
//! change, so every path is checked before anything is deleted: only a normalised relative
//! path (`a/b.html`: no `..`, no `.`, no empty or absolute part, no backslash) of a regular
//! file, whose directory really is inside the output directory (no symbolic link on the way
//! out), whose bytes still have the SHA-256 the manifest recorded (a file changed since is
//! someone else's), and never a manifest or journal. Directories left empty are removed too.

use std::path::{Component, Path, PathBuf};

use crate::cache::sha256_hex;

/// A file a manifest lists: an output, or an image copied beside an HTML page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listed<'a> {
    /// Relative to the output directory, `/`-separated.
    pub path: &'a str,
    /// Hex SHA-256 of the bytes bindery wrote there.
    pub sha256: &'a str,
}

/// What [`delete`] did.
#[derive(Debug, Default)]
pub(crate) struct Deleted {
    /// The paths deleted, as listed.
    pub deleted: Vec<String>,
    /// Why a listed path was left alone, one line each.
    pub notes: Vec<String>,
}

/// Deletes every `stale` output that passes the checks above.
pub(crate) fn delete(out_dir: &Path, stale: &[Listed<'_>]) -> Deleted {
    let mut result = Deleted::default();
    let Ok(root) = out_dir.canonicalize() else {
        return result;
    };
    let mut seen = std::collections::BTreeSet::new();
    for entry in stale {
        if !seen.insert(entry.path) {
            continue;
        }
        match check(&root, entry) {
            Ok(Some(path)) => match std::fs::remove_file(&path) {
                Ok(()) => {
                    result.deleted.push(entry.path.to_string());
                    remove_empty_parents(&root, &path);
                }
                Err(e) => result
                    .notes
                    .push(format!("{}: not deleted: {e}", entry.path)),
            },
            // Already gone.
            Ok(None) => {}
            Err(why) => result
                .notes
                .push(format!("{}: not deleted: {why}", escape(entry.path))),
        }
    }
    result
}

/// The file to delete for `entry`, `None` when it no longer exists, or why it must stay.
fn check(root: &Path, entry: &Listed<'_>) -> Result<Option<PathBuf>, String> {
    let relative =
        normalised(entry.path).ok_or("not a normalised path inside the output directory")?;
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if relative.parent() == Some(Path::new(""))
        && name.starts_with("manifest.")
        && (name.ends_with(".json") || name.ends_with(".jsonl"))
    {
        return Err("a manifest is never deleted".into());
    }
    let path = root.join(&relative);
    let parent = path.parent().unwrap_or(root);
    match parent.canonicalize() {
        Ok(real) if real.starts_with(root) => {}
        Ok(_) => return Err("its directory leads out of the output directory".into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if !meta.file_type().is_file() {
        return Err("not a regular file".into());
    }
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    if sha256_hex(&bytes) != entry.sha256 {
        return Err("changed since bindery wrote it (its SHA-256 differs)".into());
    }
    Ok(Some(path))
}

/// `path` as a relative path of plain components, or `None` if it is anything else.
fn normalised(path: &str) -> Option<PathBuf> {
    if path.is_empty() || path.contains('\\') || path.contains('\0') {
        return None;
    }
    let mut out = PathBuf::new();
    for part in path.split('/') {
        let mut components = Path::new(part).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(name)), None) if name == part => out.push(name),
            _ => return None,
        }
    }
    Some(out)
}

/// Removes the directories between `file` and `root` that are now empty.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// A path from a manifest, printable on a terminal.
fn escape(path: &str) -> String {
    path.chars().flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, bytes: &[u8]) -> (String, String) {
        (path.to_string(), sha256_hex(bytes))
    }

    fn listed(entries: &[(String, String)]) -> Vec<Listed<'_>> {
        entries
            .iter()
            .map(|(path, sha256)| Listed { path, sha256 })
            .collect()
    }

    #[test]
    fn only_plain_relative_paths_are_normalised() {
        assert_eq!(normalised("a/b.html"), Some(PathBuf::from("a/b.html")));
        assert_eq!(normalised("b.html"), Some(PathBuf::from("b.html")));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/../x",
            "./a",
            "a/./b",
            "a//b",
            "a/",
            "a\\..\\b",
            "..",
            ".",
            "a\0b",
        ] {
            assert_eq!(normalised(bad), None, "{bad:?} was accepted");
        }
    }

    /// A tampered manifest cannot make `--delete-stale` delete anything outside the output
    /// directory, a manifest, a directory, or a file bindery did not write.
    #[test]
    fn a_tampered_manifest_deletes_nothing_it_should_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), b"secret").unwrap();
        std::fs::write(out.join("manifest.json"), b"{}").unwrap();
        std::fs::write(out.join("sub/kept.html"), b"edited by hand").unwrap();
        std::fs::write(out.join("sub/stale.html"), b"stale").unwrap();
        std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
        let absolute = outside.join("secret.txt");
        let entries = [
            entry("../outside/secret.txt", b"secret"),
            entry(absolute.to_str().unwrap(), b"secret"),
            entry("sub/../../outside/secret.txt", b"secret"),
            entry("link/secret.txt", b"secret"),
            entry("link", b""),
            entry("manifest.json", b"{}"),
            entry("sub", b""),
            entry("sub/kept.html", b"what bindery wrote"),
            entry("sub/stale.html", b"stale"),
            entry("gone.html", b"x"),
        ];
        let result = delete(&out, &listed(&entries));
        assert_eq!(result.deleted, ["sub/stale.html"]);
        assert!(outside.join("secret.txt").exists());
        assert!(out.join("manifest.json").exists());
        assert!(out.join("sub/kept.html").exists());
        assert!(out.join("link").exists());
        assert_eq!(result.notes.len(), 8, "{:#?}", result.notes);
    }

    #[test]
    fn directories_left_empty_go_too() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("a/b")).unwrap();
        std::fs::write(out.join("a/b/x.txt"), b"x").unwrap();
        std::fs::write(out.join("keep.txt"), b"k").unwrap();
        let e = entry("a/b/x.txt", b"x");
        assert_eq!(delete(out, &listed(&[e])).deleted, ["a/b/x.txt"]);
        assert!(!out.join("a").exists());
        assert!(out.join("keep.txt").exists());
    }
}
