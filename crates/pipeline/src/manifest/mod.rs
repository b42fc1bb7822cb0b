//! `manifest.json`: what a run wrote, in a stable order, byte-identical for identical inputs
//! (no timings, no cache flags), so sites can diff and checksum their downloads.
//!
//! A run writes it as it goes ([`Journal`]): one JSON line per finished output or failure in
//! `manifest.partial.jsonl`, folded into `manifest.json` at the end, so a killed run still
//! says what it finished. A sharded run writes `manifest.shard-INDEX-of-COUNT.json` (and its
//! own journal), and [`merge`] joins the shards' manifests into the `manifest.json` one
//! unsharded run would have written. [`Journal::finish`] can also delete the outputs the
//! previous manifest lists and this run no longer makes (`--delete-stale`).

mod journal;
mod merge;
mod stale;

pub use journal::{Finished, Journal};
pub use merge::{MergeError, Merged, merge};

use std::path::Path;

use bindery_model::Warning;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Build, Error, Report, Settings, Shard};

/// The file name of an unsharded run's manifest.
pub const MANIFEST_FILE: &str = "manifest.json";

/// A manifest: what one run (or one shard of it) made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// The version of bindery that made the outputs.
    pub bindery: String,
    /// Set in a shard's manifest only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardEntry>,
    /// Every output, sorted by source, format and path.
    pub outputs: Vec<OutputEntry>,
    /// Every failure, sorted by source, format and error.
    pub failures: Vec<FailureEntry>,
}

/// Which shard a shard's manifest is, and of which run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShardEntry {
    /// 0-based.
    pub index: u64,
    /// The number of shards.
    pub count: u64,
    /// [`run_fingerprint`] of the run: every shard of one build has the same.
    pub run: String,
}

/// One output, as the manifest (and each line of the journal) records it.
///
/// TODO(lead): images copied beside HTML pages are not listed, because `run::Output` does
/// not carry them (`copy_images` writes them unrecorded), so `--delete-stale` cannot remove
/// them. Once `Output` lists its copied assets (path + SHA-256, after the safety work names
/// them by content hash), add `assets: Vec<AssetEntry>` here, fill it in `output_entry`,
/// and let `stale::delete` consider asset paths no output of this run still uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OutputEntry {
    /// The input, as found from the arguments, `/`-separated.
    pub source: String,
    /// The format's name.
    pub format: String,
    /// The output, relative to the output directory, `/`-separated.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Hex SHA-256 of the output.
    pub sha256: String,
    /// Hex SHA-256 of the source.
    pub source_sha256: String,
    /// Reading warnings, then the renderer's.
    pub warnings: Vec<Warning>,
}

/// One failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FailureEntry {
    /// The input.
    pub source: String,
    /// The format; `None` when the document itself failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The error message.
    pub error: String,
}

impl Manifest {
    /// An unsharded manifest of `outputs` and `failures`, in the manifest's order.
    pub fn new(mut outputs: Vec<OutputEntry>, mut failures: Vec<FailureEntry>) -> Self {
        outputs
            .sort_by(|a, b| (&a.source, &a.format, &a.path).cmp(&(&b.source, &b.format, &b.path)));
        failures.sort_by(|a, b| {
            (&a.source, &a.format, &a.error).cmp(&(&b.source, &b.format, &b.error))
        });
        Self {
            bindery: env!("CARGO_PKG_VERSION").to_string(),
            shard: None,
            outputs,
            failures,
        }
    }

    /// The JSON text: pretty-printed with a final newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("the manifest serialises");
        json.push('\n');
        json
    }

    /// Writes the JSON text to `path` atomically, without holding all of it in memory.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        crate::write::write_atomic_with(path, |out| {
            serde_json::to_writer_pretty(&mut *out, self)?;
            out.write_all(b"\n")
        })
    }
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The entry of one written output; `read_warnings` are the document's reading warnings.
pub(crate) fn output_entry(
    output: &crate::Output,
    read_warnings: &[Warning],
    out_dir: &Path,
) -> OutputEntry {
    OutputEntry {
        source: slash(&output.source),
        format: output.format.name().to_string(),
        path: slash(output.path.strip_prefix(out_dir).unwrap_or(&output.path)),
        bytes: output.bytes,
        sha256: output.sha256.clone(),
        source_sha256: output.source_sha256.clone(),
        // Reading warnings belong to every output of the document.
        warnings: read_warnings
            .iter()
            .chain(&output.warnings)
            .cloned()
            .collect(),
    }
}

pub(crate) fn failure_entry(failure: &crate::Failure) -> FailureEntry {
    FailureEntry {
        source: slash(&failure.source),
        format: failure.format.map(|f| f.name().to_string()),
        error: failure.error.to_string(),
    }
}

/// The manifest's JSON text for `report`; output paths are relative to `out_dir`.
pub fn manifest_json(report: &Report, out_dir: &Path) -> String {
    let outputs = report
        .outputs
        .iter()
        .map(|o| {
            let read: Vec<Warning> = report
                .warnings
                .iter()
                .filter(|(p, _)| p == &o.source)
                .map(|(_, w)| w.clone())
                .collect();
            output_entry(o, &read, out_dir)
        })
        .collect();
    let failures = report.failures.iter().map(failure_entry).collect();
    Manifest::new(outputs, failures).to_json()
}

/// Writes `out_dir/manifest.json` atomically (for library callers that keep a [`Report`];
/// the CLI writes it through a [`Journal`] as outputs finish).
pub fn write_manifest(report: &Report, out_dir: &Path) -> Result<(), Error> {
    crate::write::write_atomic(
        &out_dir.join(MANIFEST_FILE),
        manifest_json(report, out_dir).as_bytes(),
    )
}

/// What the shards of one build must share: the inputs as given, the resource root, the
/// formats and every option ([`Settings::fingerprint`]), as a hex digest. Not the output
/// directory, the jobs or the cache, which change nothing in the outputs.
pub fn run_fingerprint(request: &Build, settings: &Settings) -> String {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    for input in &request.inputs {
        field("input", input.as_os_str().as_encoded_bytes());
    }
    if let Some(root) = &request.root {
        field("root", root.as_os_str().as_encoded_bytes());
    }
    for format in &request.formats {
        field("format", format.name().as_bytes());
    }
    field("settings", settings.fingerprint().as_bytes());
    crate::cache::hex(&h.finalize())
}

/// The manifest file of `shard` (`manifest.json` for an unsharded run).
pub fn manifest_name(shard: Option<Shard>) -> String {
    shard.map_or_else(|| MANIFEST_FILE.to_string(), Shard::manifest_name)
}

/// The journal file of `shard`: the manifest's name with `.partial.jsonl` for `.json`.
pub fn journal_name(shard: Option<Shard>) -> String {
    let manifest = manifest_name(shard);
    format!(
        "{}.partial.jsonl",
        manifest.strip_suffix(".json").unwrap_or(&manifest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_the_manifest_writes_the_same_bytes_as_the_text() {
        let manifest = Manifest::new(
            vec![OutputEntry {
                source: "in/a.md".into(),
                format: "html".into(),
                path: "a.html".into(),
                bytes: 3,
                sha256: "ab".into(),
                source_sha256: "cd".into(),
                warnings: vec![Warning::new("w", Some(bindery_model::Span::point(1, 2)))],
            }],
            vec![FailureEntry {
                source: "in/b.md".into(),
                format: None,
                error: "bad".into(),
            }],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        manifest.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), manifest.to_json());
        let empty = Manifest::new(Vec::new(), Vec::new());
        empty.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), empty.to_json());
        assert!(empty.to_json().contains("\"outputs\": []"));
    }

    #[test]
    fn file_names_per_shard() {
        assert_eq!(manifest_name(None), "manifest.json");
        assert_eq!(journal_name(None), "manifest.partial.jsonl");
        let shard = Shard::new(1, 3).unwrap();
        assert_eq!(manifest_name(Some(shard)), "manifest.shard-1-of-3.json");
        assert_eq!(
            journal_name(Some(shard)),
            "manifest.shard-1-of-3.partial.jsonl"
        );
    }
}
