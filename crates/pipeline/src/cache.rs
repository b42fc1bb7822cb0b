//! The content-addressed output cache: an unchanged output is copied, not rendered again.
//!
//! The key hashes everything an output depends on: the source bytes, every resolved resource,
//! the options (with the date inputs from `SOURCE_DATE_EPOCH`), bindery's version and the format. An
//! entry is the output's bytes plus its warnings, written atomically, so a killed run leaves
//! no torn entry.

use std::path::{Path, PathBuf};

use bindery_model::Warning;
use sha2::{Digest, Sha256};

use crate::assets::Resolved;
use crate::write::write_atomic;
use crate::{Format, Settings};

/// A cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
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

    /// The key of one output.
    pub fn key(source: &[u8], resolved: &Resolved, settings: &Settings, format: Format) -> String {
        let mut h = Sha256::new();
        let mut field = |name: &str, value: &[u8]| {
            h.update((name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update((value.len() as u64).to_le_bytes());
            h.update(value);
        };
        field("bindery", env!("CARGO_PKG_VERSION").as_bytes());
        field("format", format.name().as_bytes());
        field("source", source);
        for (url, asset) in &resolved.assets {
            field("asset-url", url.as_bytes());
            field("asset", &asset.data);
        }
        field("settings", settings.fingerprint().as_bytes());
        if format == Format::Pdf {
            // The fonts on disk, not only the --font-dir paths: a replaced or newly installed
            // font can change the glyphs a PDF draws. Loads the font list on a cache hit too.
            field("fonts", settings.pdf_resources().fingerprint().as_bytes());
        }
        hex(&h.finalize())
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

    /// The cached output and its warnings, if present and intact.
    pub fn get(&self, key: &str) -> Option<(Vec<u8>, Vec<Warning>)> {
        let (out, warnings) = self.paths(key);
        let warnings: Vec<Warning> = serde_json::from_slice(&std::fs::read(warnings).ok()?).ok()?;
        let bytes = std::fs::read(out).ok()?;
        Some((bytes, warnings))
    }

    /// Stores an output; failures to write the cache are not errors of the build.
    pub fn put(&self, key: &str, bytes: &[u8], warnings: &[Warning]) {
        let (out, warnings_path) = self.paths(key);
        // The output first: an entry counts only once its warnings file exists.
        if write_atomic(&out, bytes).is_ok() {
            let json = serde_json::to_vec(warnings).unwrap_or_default();
            let _ = write_atomic(&warnings_path, &json);
        }
    }
}
