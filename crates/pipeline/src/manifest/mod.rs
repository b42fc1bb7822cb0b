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

use crate::{Build, Error, Settings, Shard};

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
    /// The images copied beside an HTML page for it (several pages may list one image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageEntry>,
}

/// An image file copied beside an HTML page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImageEntry {
    /// Relative to the output directory, `/`-separated.
    pub path: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
}

impl OutputEntry {
    /// The output's own file and its images, for `--delete-stale`.
    fn files(&self) -> impl Iterator<Item = stale::Listed<'_>> {
        std::iter::once(stale::Listed {
            path: &self.path,
            sha256: &self.sha256,
        })
        .chain(self.images.iter().map(|image| stale::Listed {
            path: &image.path,
            sha256: &image.sha256,
        }))
    }

    /// The manifest's order of outputs.
    fn order_key(&self) -> (&str, &str, &str) {
        (&self.source, &self.format, &self.path)
    }
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
        outputs.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        sort_failures(&mut failures);
        Self {
            bindery: env!("CARGO_PKG_VERSION").to_string(),
            shard: None,
            outputs,
            failures,
        }
    }

    /// The JSON text: pretty-printed with a final newline.
    #[cfg(test)]
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

/// The manifest's order of failures.
fn sort_failures(failures: &mut [FailureEntry]) {
    failures
        .sort_by(|a, b| (&a.source, &a.format, &a.error).cmp(&(&b.source, &b.format, &b.error)));
}

/// Writes to `path` atomically the same text as [`Manifest::write`] of a manifest of these
/// `outputs` (already in the manifest's order: they are streamed, never all in memory) and
/// `failures` (sorted here).
pub(crate) fn write_streamed(
    path: &Path,
    shard: Option<&ShardEntry>,
    outputs: impl Iterator<Item = std::io::Result<OutputEntry>>,
    mut failures: Vec<FailureEntry>,
) -> Result<(), Error> {
    /// [`Manifest`]'s fields, in its order, with the outputs as a sequence read as it is
    /// written.
    #[derive(Serialize)]
    #[serde(bound(serialize = "Sequence<I>: Serialize"))]
    struct Streamed<'a, I> {
        bindery: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        shard: Option<&'a ShardEntry>,
        outputs: Sequence<I>,
        failures: &'a [FailureEntry],
    }
    struct Sequence<I>(std::cell::RefCell<Option<I>>);
    impl<I: Iterator<Item = std::io::Result<OutputEntry>>> Serialize for Sequence<I> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{Error as _, SerializeSeq};
            let items = self.0.borrow_mut().take();
            let mut seq = serializer.serialize_seq(None)?;
            for item in items.into_iter().flatten() {
                seq.serialize_element(&item.map_err(S::Error::custom)?)?;
            }
            seq.end()
        }
    }
    sort_failures(&mut failures);
    let streamed = Streamed {
        bindery: env!("CARGO_PKG_VERSION"),
        shard,
        outputs: Sequence(std::cell::RefCell::new(Some(outputs))),
        failures: &failures,
    };
    crate::write::write_atomic_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &streamed)?;
        out.write_all(b"\n")
    })
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The entry of one written output; `read_warnings` are the document's reading warnings.
/// Paths are made relative to `out_dir`.
pub(crate) fn output_entry(
    output: &crate::Output,
    read_warnings: &[Warning],
    out_dir: &Path,
) -> OutputEntry {
    OutputEntry {
        source: slash(&output.source),
        format: output.format.name().to_string(),
        path: relative(&output.path, out_dir),
        bytes: output.bytes,
        sha256: output.sha256.clone(),
        source_sha256: output.source_sha256.clone(),
        // Reading warnings belong to every output of the document.
        warnings: read_warnings
            .iter()
            .chain(&output.warnings)
            .cloned()
            .collect(),
        images: output
            .images
            .iter()
            .map(|image| ImageEntry {
                path: relative(&image.path, out_dir),
                sha256: image.sha256.clone(),
            })
            .collect(),
    }
}

fn relative(path: &Path, out_dir: &Path) -> String {
    slash(path.strip_prefix(out_dir).unwrap_or(path))
}

pub(crate) fn failure_entry(failure: &crate::Failure) -> FailureEntry {
    FailureEntry {
        source: slash(&failure.source),
        format: failure.format.map(|f| f.name().to_string()),
        error: failure.error.to_string(),
    }
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
                images: vec![ImageEntry {
                    path: "images/0123.png".into(),
                    sha256: "ef".into(),
                }],
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
        let streamed = |manifest: &Manifest| {
            write_streamed(
                &path,
                manifest.shard.as_ref(),
                manifest.outputs.clone().into_iter().map(Ok),
                manifest.failures.clone(),
            )
            .unwrap();
            std::fs::read_to_string(&path).unwrap()
        };
        assert_eq!(streamed(&manifest), manifest.to_json());
        let mut sharded = manifest.clone();
        sharded.shard = Some(ShardEntry {
            index: 0,
            count: 2,
            run: "r".into(),
        });
        assert_eq!(streamed(&sharded), sharded.to_json());
        let empty = Manifest::new(Vec::new(), Vec::new());
        empty.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), empty.to_json());
        assert_eq!(streamed(&empty), empty.to_json());
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
