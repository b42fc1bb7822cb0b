//! `bindery manifest merge DIR`: the shards' manifests joined into the `manifest.json` one
//! unsharded run over the same inputs writes, byte for byte, or an error that names what is
//! missing or in conflict. Nothing is written unless every shard is there and they agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{FailureEntry, MANIFEST_FILE, Manifest, OutputEntry, journal_name};
use crate::Shard;

/// What a merge wrote.
#[derive(Debug)]
pub struct Merged {
    /// `DIR/manifest.json`.
    pub manifest: PathBuf,
    /// The number of shards joined.
    pub shards: u64,
    /// Outputs listed.
    pub outputs: usize,
    /// Failures listed.
    pub failures: usize,
}

/// Why shards could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// No shard manifest was found.
    #[error("{}: no shard manifests (manifest.shard-INDEX-of-COUNT.json) to merge", dir.display())]
    NoShards {
        /// The directory.
        dir: PathBuf,
    },
    /// Manifests of runs with different shard counts are in the directory.
    #[error(
        "{}: shard manifests of runs with different shard counts ({counts}); choose one with --count N, or remove the old ones",
        dir.display()
    )]
    Counts {
        /// The directory.
        dir: PathBuf,
        /// The counts found.
        counts: String,
    },
    /// Some shards have no manifest, or did not finish.
    #[error("{}", missing.join("\n"))]
    Missing {
        /// One line per missing or unfinished shard.
        missing: Vec<String>,
    },
    /// A manifest is not a valid shard manifest.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two shards disagree.
    #[error("the shards disagree: {0}")]
    Disagree(String),
}

/// Joins `dir/manifest.shard-I-of-N.json` for every I in 0..N into `dir/manifest.json`. With
/// `count`, only the manifests of N = `count` are read; without it, every shard manifest in
/// `dir` must have the same N.
pub fn merge(dir: &Path, count: Option<u64>) -> Result<Merged, MergeError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MergeError::Io { path, source }
    };
    let mut found: BTreeMap<u64, BTreeMap<u64, PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        if let Some((index, n)) = parse_name(&name.to_string_lossy()) {
            found.entry(n).or_default().insert(index, entry.path());
        }
    }
    let (count, files) = match count {
        Some(count) => (count, found.remove(&count).unwrap_or_default()),
        None if found.len() > 1 => {
            let counts: Vec<String> = found.keys().map(u64::to_string).collect();
            return Err(MergeError::Counts {
                dir: dir.to_path_buf(),
                counts: counts.join(", "),
            });
        }
        None => match found.pop_first() {
            Some(only) => only,
            None => {
                return Err(MergeError::NoShards {
                    dir: dir.to_path_buf(),
                });
            }
        },
    };
    if count == 0 {
        return Err(MergeError::NoShards {
            dir: dir.to_path_buf(),
        });
    }
    let mut missing = Vec::new();
    for index in 0..count {
        let shard = Shard::new(index, count).expect("index < count");
        let journal = dir.join(journal_name(Some(shard)));
        if journal.exists() {
            missing.push(format!(
                "shard {shard} did not finish: {} is still there; run that shard again",
                journal.display()
            ));
        } else if !files.contains_key(&index) {
            missing.push(format!(
                "shard {shard} is missing: no {}",
                dir.join(shard.manifest_name()).display()
            ));
        }
    }
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing });
    }

    let mut bindery: Option<(String, u64)> = None;
    let mut run: Option<(String, u64)> = None;
    let mut outputs: BTreeMap<String, (OutputEntry, u64)> = BTreeMap::new();
    let mut failures: BTreeMap<(String, Option<String>), (FailureEntry, u64)> = BTreeMap::new();
    for (index, path) in &files {
        let bytes = std::fs::read(path).map_err(io(path))?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| MergeError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let Some(shard) = &manifest.shard else {
            return Err(MergeError::Invalid {
                path: path.clone(),
                message: "not a shard's manifest (it has no `shard` field)".into(),
            });
        };
        if (shard.index, shard.count) != (*index, count) {
            return Err(MergeError::Invalid {
                path: path.clone(),
                message: format!(
                    "it says it is shard {}/{}, not {index}/{count}",
                    shard.index, shard.count
                ),
            });
        }
        agree(&mut bindery, &manifest.bindery, *index, "bindery version")?;
        agree(&mut run, &shard.run, *index, "inputs, formats or options")?;
        for output in manifest.outputs {
            match outputs.get(&output.path) {
                Some((other, _)) if *other == output => {}
                Some((_, first)) => {
                    return Err(MergeError::Disagree(format!(
                        "shards {first} and {index} both list {} with different contents",
                        output.path
                    )));
                }
                None => {
                    outputs.insert(output.path.clone(), (output, *index));
                }
            }
        }
        // A failure of planning (an argument that does not exist) is in every shard.
        for failure in manifest.failures {
            let key = (failure.source.clone(), failure.format.clone());
            match failures.get(&key) {
                Some((other, _)) if *other == failure => {}
                Some((_, first)) => {
                    return Err(MergeError::Disagree(format!(
                        "shards {first} and {index} report different failures of {}",
                        failure.source
                    )));
                }
                None => {
                    failures.insert(key, (failure, *index));
                }
            }
        }
    }
    let manifest = Manifest::new(
        outputs.into_values().map(|(o, _)| o).collect(),
        failures.into_values().map(|(f, _)| f).collect(),
    );
    let target = dir.join(MANIFEST_FILE);
    manifest.write(&target).map_err(|e| match e {
        crate::Error::Io { path, source } => MergeError::Io { path, source },
        other => MergeError::Invalid {
            path: target.clone(),
            message: other.to_string(),
        },
    })?;
    Ok(Merged {
        manifest: target,
        shards: count,
        outputs: manifest.outputs.len(),
        failures: manifest.failures.len(),
    })
}

/// Keeps the first shard's `value` of a field and checks every other shard's against it.
fn agree(
    first: &mut Option<(String, u64)>,
    value: &str,
    index: u64,
    what: &str,
) -> Result<(), MergeError> {
    match first {
        Some((seen, at)) if seen != value => Err(MergeError::Disagree(format!(
            "shards {at} and {index} were run with different {what}"
        ))),
        Some(_) => Ok(()),
        None => {
            *first = Some((value.to_string(), index));
            Ok(())
        }
    }
}

/// `(INDEX, COUNT)` from `manifest.shard-INDEX-of-COUNT.json`.
fn parse_name(name: &str) -> Option<(u64, u64)> {
    let rest = name
        .strip_prefix("manifest.shard-")?
        .strip_suffix(".json")?;
    let (index, count) = rest.split_once("-of-")?;
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (index, count) = (number(index)?, number(count)?);
    (index < count).then_some((index, count))
}

#[cfg(test)]
mod tests {
    use super::super::ShardEntry;
    use super::*;

    fn output(source: &str, path: &str) -> OutputEntry {
        OutputEntry {
            source: source.into(),
            format: "txt".into(),
            path: path.into(),
            bytes: 1,
            sha256: "aa".into(),
            source_sha256: "bb".into(),
            warnings: Vec::new(),
            images: Vec::new(),
        }
    }

    fn failure(source: &str) -> FailureEntry {
        FailureEntry {
            source: source.into(),
            format: None,
            error: format!("{source}: No such file or directory (os error 2)"),
        }
    }

    fn write_shard(
        dir: &Path,
        index: u64,
        count: u64,
        outputs: Vec<OutputEntry>,
        failures: Vec<FailureEntry>,
    ) {
        let mut manifest = Manifest::new(outputs, failures);
        manifest.shard = Some(ShardEntry {
            index,
            count,
            run: "run".into(),
        });
        manifest
            .write(&dir.join(Shard::new(index, count).unwrap().manifest_name()))
            .unwrap();
    }

    #[test]
    fn shards_join_into_the_unsharded_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let (a, b, c) = (
            output("a.md", "a.txt"),
            output("b.md", "b.txt"),
            output("c.md", "c.txt"),
        );
        write_shard(
            d,
            0,
            2,
            vec![c.clone(), a.clone()],
            vec![failure("missing")],
        );
        write_shard(d, 1, 2, vec![b.clone()], vec![failure("missing")]);
        let merged = merge(d, None).unwrap();
        assert_eq!((merged.shards, merged.outputs, merged.failures), (2, 3, 1));
        let unsharded = Manifest::new(vec![a, b, c], vec![failure("missing")]);
        assert_eq!(
            std::fs::read_to_string(d.join("manifest.json")).unwrap(),
            unsharded.to_json()
        );
    }

    #[test]
    fn a_missing_or_unfinished_shard_is_named_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_shard(d, 0, 3, vec![output("a.md", "a.txt")], Vec::new());
        std::fs::write(d.join("manifest.shard-1-of-3.partial.jsonl"), "").unwrap();
        let err = merge(d, None).unwrap_err().to_string();
        assert!(err.contains("shard 1/3 did not finish"), "{err}");
        assert!(err.contains("shard 2/3 is missing"), "{err}");
        assert!(!d.join("manifest.json").exists());
        assert!(matches!(
            merge(tempfile::tempdir().unwrap().path(), None),
            Err(MergeError::NoShards { .. })
        ));
    }

    #[test]
    fn shards_that_disagree_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut other = output("a.md", "a.txt");
        other.sha256 = "cc".into();
        write_shard(d, 0, 2, vec![output("a.md", "a.txt")], Vec::new());
        write_shard(d, 1, 2, vec![other], Vec::new());
        let err = merge(d, None).unwrap_err().to_string();
        assert!(err.contains("both list a.txt"), "{err}");
        assert!(!d.join("manifest.json").exists());

        // Run with other options.
        write_shard(d, 1, 2, Vec::new(), Vec::new());
        let path = d.join("manifest.shard-1-of-2.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("\"run\": \"run\"", "\"run\": \"other\""),
        )
        .unwrap();
        let err = merge(d, None).unwrap_err().to_string();
        assert!(
            err.contains("different inputs, formats or options"),
            "{err}"
        );
    }

    #[test]
    fn manifests_of_two_shard_counts_need_a_choice() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_shard(d, 0, 1, vec![output("a.md", "a.txt")], Vec::new());
        write_shard(d, 0, 2, vec![output("a.md", "a.txt")], Vec::new());
        assert!(matches!(merge(d, None), Err(MergeError::Counts { .. })));
        assert_eq!(merge(d, Some(1)).unwrap().outputs, 1);
        assert!(matches!(merge(d, Some(2)), Err(MergeError::Missing { .. })));
    }

    #[test]
    fn shard_manifest_names() {
        assert_eq!(parse_name("manifest.shard-0-of-4.json"), Some((0, 4)));
        assert_eq!(parse_name("manifest.shard-12-of-40.json"), Some((12, 40)));
        for bad in [
            "manifest.json",
            "manifest.shard-4-of-4.json",
            "manifest.shard--1-of-4.json",
            "manifest.shard-0-of-4.partial.jsonl",
            "manifest.shard-+1-of-4.json",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }
}
