//! `manifest.json`: what a run wrote, in a stable order, byte-identical for identical inputs
//! (no timings, no cache flags), so sites can diff and checksum their downloads.

use std::path::Path;

use bindery_model::Warning;
use serde::Serialize;

use crate::write::write_atomic;
use crate::{Error, Report};

#[derive(Serialize)]
struct Manifest<'a> {
    bindery: &'static str,
    outputs: Vec<OutputEntry<'a>>,
    failures: Vec<FailureEntry>,
}

#[derive(Serialize)]
struct OutputEntry<'a> {
    source: String,
    format: &'static str,
    path: String,
    bytes: u64,
    sha256: &'a str,
    source_sha256: &'a str,
    warnings: Vec<&'a Warning>,
}

#[derive(Serialize)]
struct FailureEntry {
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    error: String,
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The manifest's JSON text for `report`; output paths are relative to `out_dir`.
pub fn manifest_json(report: &Report, out_dir: &Path) -> String {
    let mut outputs: Vec<OutputEntry> = report
        .outputs
        .iter()
        .map(|o| OutputEntry {
            source: slash(&o.source),
            format: o.format.name(),
            path: slash(o.path.strip_prefix(out_dir).unwrap_or(&o.path)),
            bytes: o.bytes,
            sha256: &o.sha256,
            source_sha256: &o.source_sha256,
            // Reading warnings belong to every output of the document.
            warnings: report
                .warnings
                .iter()
                .filter(|(p, _)| p == &o.source)
                .map(|(_, w)| w)
                .chain(&o.warnings)
                .collect(),
        })
        .collect();
    outputs.sort_by(|a, b| (&a.source, a.format).cmp(&(&b.source, b.format)));
    let mut failures: Vec<FailureEntry> = report
        .failures
        .iter()
        .map(|f| FailureEntry {
            source: slash(&f.source),
            format: f.format.map(|f| f.name()),
            error: f.error.to_string(),
        })
        .collect();
    failures.sort_by(|a, b| (&a.source, a.format).cmp(&(&b.source, b.format)));
    let manifest = Manifest {
        bindery: env!("CARGO_PKG_VERSION"),
        outputs,
        failures,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("the manifest serialises");
    json.push('\n');
    json
}

/// Writes `out_dir/manifest.json` atomically.
pub fn write_manifest(report: &Report, out_dir: &Path) -> Result<(), Error> {
    write_atomic(
        &out_dir.join("manifest.json"),
        manifest_json(report, out_dir).as_bytes(),
    )
}
