//! The content-addressed output cache: an unchanged output is copied, not rendered again.
//!
//! The key ([`CacheKey`]) hashes everything an output depends on, as explicit fields: the
//! source bytes, the name a title falls back to, every resolved resource, the options of that
//! format only (with the dates from `SOURCE_DATE_EPOCH`), the fonts for PDF, bindery's
//! version and the format. An entry is the output's bytes plus its warnings (which name no
//! file: the document's own path is added when they are reported), each written by a rename,
//! so a killed run leaves no torn entry.
//!
//! Any number of processes may share one cache directory, on a local disk or NFS: entries are
//! published by `rename(2)` within their directory and are never modified in place, and there
//! are no locks, so a process killed at any point leaves nothing that blocks another. Two
//! processes that make the same entry write the same bytes; the later rename wins.
//!
//! The cache is kept under a size limit, as ccache does: a hit marks its entry as used (its
//! modification time), and [`Cache::prune`] removes the least recently used entries once the
//! total is over the limit, down to 80 % of it, so a cache shared by many runs does not grow
//! without end.

use std::path::{Path, PathBuf};

use bindery_model::Warning;
use sha2::{Digest, Sha256};

use crate::write::write_atomic;

/// A cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl Cache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The user's cache directory: `$XDG_CACHE_HOME/bindery`, else `~/.cache/bindery`.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
            .map(|d| d.join("bindery"))
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        let dir = self.dir.join(&key[..2]);
        (
            dir.join(format!("{key}.out")),
            dir.join(format!("{key}.warnings.json")),
        )
    }

    /// Whether an output is cached under `key` (its file exists; [`Cache::get`] checks it).
    pub fn contains(&self, key: &str) -> bool {
        self.paths(key).0.is_file()
    }

    /// The cached output and its warnings, if present and intact; marks the entry as used.
    pub fn get(&self, key: &str) -> Option<(Vec<u8>, Vec<Warning>)> {
        let (out, warnings) = self.paths(key);
        let warnings: Vec<Warning> = serde_json::from_slice(&std::fs::read(warnings).ok()?).ok()?;
        let bytes = std::fs::read(&out).ok()?;
        // Recently used entries are the last to be pruned; failing to mark one is harmless.
        if let Ok(file) = std::fs::File::options().append(true).open(&out) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some((bytes, warnings))
    }

    /// Removes the least recently used entries while the cache holds more than `limit` bytes,
    /// down to 80 % of it; returns how many entries went. Files that are not entries (such as
    /// another run's temporary files) are left alone, and errors only mean less is removed.
    pub fn prune(&self, limit: u64) -> usize {
        struct Entry {
            used: std::time::SystemTime,
            size: u64,
            out: PathBuf,
            warnings: PathBuf,
        }
        let mut entries = Vec::new();
        let mut total = 0u64;
        let Ok(shards) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for file in files.flatten() {
                let out = file.path();
                if is_abandoned_temporary(&file) {
                    // Left by a process killed while writing an entry: no running process
                    // takes a day to write one file.
                    let _ = std::fs::remove_file(&out);
                    continue;
                }
                if out.extension().is_none_or(|e| e != "out") {
                    continue;
                }
                let warnings = out.with_extension("warnings.json");
                let (Ok(meta), warnings_size) = (
                    file.metadata(),
                    std::fs::metadata(&warnings).map_or(0, |m| m.len()),
                ) else {
                    continue;
                };
                let size = meta.len() + warnings_size;
                total += size;
                entries.push(Entry {
                    used: meta.modified().unwrap_or(std::time::UNIX_EPOCH),
                    size,
                    out,
                    warnings,
                });
            }
        }
        if total <= limit {
            return 0;
        }
        // Oldest use first; the path breaks ties so the order never depends on the directory.
        entries.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.out.cmp(&b.out)));
        let target = limit / 5 * 4;
        let mut removed = 0;
        for entry in entries {
            if total <= target {
                break;
            }
            // The warnings file first: without it the entry no longer counts (see `put`).
            let _ = std::fs::remove_file(&entry.warnings);
            if std::fs::remove_file(&entry.out).is_ok() {
                total = total.saturating_sub(entry.size);
                removed += 1;
            }
        }
        removed
    }

    /// Stores an output (safe while other processes read or write the same entry: each file
    /// is replaced by a rename); failures to write the cache are not errors of the build.
    pub fn put(&self, key: &str, bytes: &[u8], warnings: &[Warning]) {
        let (out, warnings_path) = self.paths(key);
        // The output first: an entry counts only once its warnings file exists.
        if write_atomic(&out, bytes).is_ok() {
            let json = serde_json::to_vec(warnings).unwrap_or_default();
            let _ = write_atomic(&warnings_path, &json);
        }
    }
}

/// How old a temporary file in the cache must be before [`Cache::prune`] takes it for one a
/// killed process left behind.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// A `write_atomic` temporary file not touched for [`ABANDONED_AFTER`].
fn is_abandoned_temporary(file: &std::fs::DirEntry) -> bool {
    let name = file.file_name();
    let name = name.to_string_lossy();
    name.starts_with(".bindery-")
        && name.ends_with(".tmp")
        && file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    /// Ten entries of 1,000 bytes, the n-th last used n minutes after the epoch.
    fn filled() -> (tempfile::TempDir, Cache, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let keys: Vec<String> = (0..10).map(|i| sha256_hex(&[i])).collect();
        for (i, key) in keys.iter().enumerate() {
            cache.put(key, &[b'x'; 1000], &[]);
            let file = std::fs::File::options()
                .append(true)
                .open(cache.paths(key).0)
                .unwrap();
            file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(60 * i as u64))
                .unwrap();
        }
        (dir, cache, keys)
    }

    #[test]
    fn pruning_removes_the_least_recently_used_entries_down_to_80_percent() {
        let (dir, cache, keys) = filled();
        // Another run's file being written is not an entry.
        let shard = cache.paths(&keys[0]).0.parent().unwrap().to_path_buf();
        std::fs::write(shard.join(".bindery-abc.tmp"), [0u8; 5000]).unwrap();
        // One that a killed process left two days ago goes.
        let abandoned = shard.join(".bindery-old.tmp");
        std::fs::write(&abandoned, [0u8; 10]).unwrap();
        std::fs::File::options()
            .append(true)
            .open(&abandoned)
            .unwrap()
            .set_modified(SystemTime::now() - 2 * ABANDONED_AFTER)
            .unwrap();
        assert_eq!(cache.prune(20_000), 0, "under the limit nothing goes");
        // The oldest entry is used again, so it is now the newest.
        assert!(cache.get(&keys[0]).is_some());
        // 10 x 1,002 bytes against a limit of 6,000: down to 4,800, so six entries go.
        assert_eq!(cache.prune(6_000), 6);
        let kept: Vec<usize> = (0..10).filter(|&i| cache.get(&keys[i]).is_some()).collect();
        assert_eq!(kept, [0, 7, 8, 9]);
        assert!(shard.join(".bindery-abc.tmp").exists());
        assert!(
            !abandoned.exists(),
            "an abandoned temporary file is removed"
        );
        // No half entry is left: every remaining output has its warnings.
        for file in std::fs::read_dir(&shard).unwrap().flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "out") {
                assert!(path.with_extension("warnings.json").exists());
            }
        }
        drop(dir);
    }

    #[test]
    fn a_missing_cache_directory_prunes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Cache::new(dir.path().join("none")).prune(0), 0);
    }
}
