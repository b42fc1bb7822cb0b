//! Sharding a build across processes or machines (array jobs): `--shard INDEX/COUNT` builds
//! only the documents whose stable hash falls in shard INDEX, so COUNT runs over the same
//! inputs together make every output exactly once, and `bindery manifest merge` joins their
//! manifests into the one an unsharded run writes.
//!
//! The hash is part of bindery's interface (a script may want to know where a document goes),
//! so it is fixed by a test: SHA-256 of the document's path relative to its build root, with
//! `/` between components and without the file's extension (a book: its directory), the
//! first 8 bytes of the digest read as a big-endian `u64`, modulo COUNT. That path is the
//! document's output path without extension, so two inputs that would write the same outputs
//! (`a.md` and `a.markdown`, or `x.md` under two arguments) always meet in one shard, which
//! reports the collision exactly as an unsharded run does. A book is one unit: its chapters
//! are never hashed on their own.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::plan::Source;

/// One shard of a build: the documents whose [`Shard::of`] is `index`, out of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// The environment variable that gives the shard count to `--shard auto` on Kubernetes
/// (an Indexed Job sets only the index).
pub const COUNT_VARIABLE: &str = "BINDERY_SHARD_COUNT";

impl Shard {
    /// Shard `index` (0-based) of `count`; an error unless `index < count`.
    pub fn new(index: u64, count: u64) -> Result<Self, String> {
        if count == 0 {
            return Err("the shard count must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is out of range for {count} shards (indices are 0-based: 0 to {})",
                count - 1
            ));
        }
        Ok(Self { index, count })
    }

    /// Parses `INDEX/COUNT` (0-based index), as `--shard` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("expected INDEX/COUNT (such as 0/4) or auto, got `{text}`"))?;
        let number = |s: &str, what: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|e| format!("the shard {what} in `{text}` is not a number: {e}"))
        };
        Self::new(number(index, "index")?, number(count, "count")?)
    }

    /// The shard an array-job engine gives this process (`--shard auto`), read through `var`
    /// (the process environment in the CLI):
    ///
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, with the count from `count`
    ///   (`--shard-count`) or `BINDERY_SHARD_COUNT`;
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`, out of
    ///   `SLURM_ARRAY_TASK_COUNT`; an array with a step (`--array=0-9:2`) or with gaps
    ///   (`--array=1,4,7`) is refused, since some shards would never run.
    ///
    /// GitHub Actions has no such variables: pass the matrix values as `--shard I/N`.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<u64>,
    ) -> Result<Self, String> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let number = |name: &str| -> Result<Option<u64>, String> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|e| format!("{name} is not a whole number (`{v}`): {e}"))
                })
                .transpose()
        };
        let kubernetes = number("JOB_COMPLETION_INDEX")?;
        let slurm = number("SLURM_ARRAY_TASK_ID")?;
        match (kubernetes, slurm) {
            (Some(_), Some(_)) => Err(
                "--shard auto found both JOB_COMPLETION_INDEX (Kubernetes) and \
                 SLURM_ARRAY_TASK_ID (Slurm); give the shard as --shard INDEX/COUNT"
                    .into(),
            ),
            (Some(index), None) => {
                let count = match count {
                    Some(count) => count,
                    None => number(COUNT_VARIABLE)?.ok_or_else(|| {
                        format!(
                            "--shard auto on a Kubernetes Indexed Job needs the number of \
                             shards: pass --shard-count N or set {COUNT_VARIABLE} (the Job's \
                             `completions`)"
                        )
                    })?,
                };
                Self::new(index, count).map_err(|e| format!("JOB_COMPLETION_INDEX={index}: {e}"))
            }
            (None, Some(id)) => {
                if let Some(step) = number("SLURM_ARRAY_TASK_STEP")?
                    && step != 1
                {
                    return Err(format!(
                        "the Slurm array has a step of {step} (SLURM_ARRAY_TASK_STEP); \
                         sharding needs every index from the first to the last: use \
                         --array=0-{{N-1}} with no step"
                    ));
                }
                let min = number("SLURM_ARRAY_TASK_MIN")?.ok_or(
                    "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not: is this a Slurm job array?",
                )?;
                let slurm_count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(
                    "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: is this a Slurm job array?",
                )?;
                if let Some(count) = count
                    && count != slurm_count
                {
                    return Err(format!(
                        "--shard-count {count} disagrees with SLURM_ARRAY_TASK_COUNT={slurm_count}"
                    ));
                }
                if let Some(max) = number("SLURM_ARRAY_TASK_MAX")?
                    && max.checked_sub(min).and_then(|d| d.checked_add(1)) != Some(slurm_count)
                {
                    return Err(format!(
                        "the Slurm array {min}-{max} has {slurm_count} tasks, not one per index \
                         (a list with gaps, or a step); sharding needs every index from the \
                         first to the last: use --array={min}-{}",
                        min + slurm_count.saturating_sub(1)
                    ));
                }
                let index = id.checked_sub(min).ok_or_else(|| {
                    format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
                })?;
                Self::new(index, slurm_count).map_err(|e| {
                    format!("SLURM_ARRAY_TASK_ID={id} (from SLURM_ARRAY_TASK_MIN={min}): {e}")
                })
            }
            (None, None) => Err(
                "--shard auto found neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor \
                 SLURM_ARRAY_TASK_ID (a Slurm job array); elsewhere, such as in a GitHub \
                 Actions matrix, give the shard as --shard INDEX/COUNT"
                    .into(),
            ),
        }
    }

    /// The 0-based index.
    pub fn index(self) -> u64 {
        self.index
    }

    /// The number of shards.
    pub fn count(self) -> u64 {
        self.count
    }

    /// The shard of the document at `relative` (its output path without extension, `/`
    /// between components), out of `count` shards: the first 8 bytes of its SHA-256 as a
    /// big-endian number, modulo `count`.
    pub fn of(relative: &str, count: u64) -> u64 {
        let digest = Sha256::digest(relative.as_bytes());
        let first: [u8; 8] = digest[..8].try_into().expect("a SHA-256 has 32 bytes");
        u64::from_be_bytes(first) % count.max(1)
    }

    /// Whether this shard builds `source`.
    pub fn owns(self, source: &Source) -> bool {
        Self::of(&relative_path(&source.stem), self.count) == self.index
    }

    /// The file name of this shard's manifest: `manifest.shard-INDEX-of-COUNT.json`.
    pub fn manifest_name(self) -> String {
        format!("manifest.shard-{}-of-{}.json", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A planned document's path as the hash sees it: its components joined by `/`. A component
/// that is not UTF-8 (possible on Unix) is read lossily, the same on every machine.
fn relative_path(stem: &Path) -> String {
    stem.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::plan::SourceKind;

    /// The documented function, on values computed independently (Python's hashlib:
    /// `int.from_bytes(sha256(p.encode()).digest()[:8], "big") % n`). Changing the function
    /// moves documents between shards of a running array job: this test must not be edited
    /// to pass.
    #[test]
    fn the_shard_hash_is_the_documented_function() {
        // sha256("a") starts ca978112ca1bbdca = 14598278634844962250, below u64::MAX.
        assert_eq!(Shard::of("a", u64::MAX), 14598278634844962250);
        assert_eq!(Shard::of("a", 4), 2);
        assert_eq!(Shard::of("a", 7), 4);
        assert_eq!(Shard::of("guide", 4), 3);
        assert_eq!(Shard::of("guide", 7), 6);
        assert_eq!(Shard::of("part0/article-000", 4), 3);
        assert_eq!(Shard::of("part0/article-000", 7), 1);
        assert_eq!(Shard::of("articles/0001", 4), 2);
        assert_eq!(Shard::of("articles/0001", 7), 1);
        assert_eq!(Shard::of("anything", 1), 0);
    }

    #[test]
    fn a_source_is_hashed_by_its_output_path_without_extension() {
        let source = |path: &str, stem: &str, kind| Source {
            path: PathBuf::from(path),
            kind,
            root: PathBuf::from("in"),
            stem: PathBuf::from(stem),
        };
        let article = source(
            "in/part0/article-000.md",
            "part0/article-000",
            SourceKind::Article,
        );
        let owner = Shard::of("part0/article-000", 4);
        for index in 0..4 {
            assert_eq!(Shard::new(index, 4).unwrap().owns(&article), index == owner);
        }
        // Inputs that would collide always meet in one shard.
        let other = source(
            "in/part0/article-000.markdown",
            "part0/article-000",
            SourceKind::Article,
        );
        assert!(Shard::new(owner, 4).unwrap().owns(&other));
        // A book is one unit, hashed by its directory.
        let book = source("in/guide", "guide", SourceKind::Book);
        assert!(Shard::new(3, 4).unwrap().owns(&book));
    }

    #[test]
    fn every_document_lands_in_exactly_one_shard() {
        for count in 1..6 {
            for i in 0..50 {
                let path = format!("dir/{i}");
                let owners = (0..count)
                    .filter(|&index| Shard::of(&path, count) == index)
                    .count();
                assert_eq!(owners, 1);
            }
        }
    }

    #[test]
    fn parsing_index_and_count() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse("3/4"), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "5/4", "0/0", "1", "a/4", "1/b", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad} was accepted");
        }
        assert!(Shard::parse("4/4").unwrap_err().contains("out of range"));
        assert_eq!(
            Shard::new(2, 5).unwrap().manifest_name(),
            "manifest.shard-2-of-5.json"
        );
    }

    fn auto(vars: &[(&str, &str)], count: Option<u64>) -> Result<Shard, String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::from_env(|name| vars.get(name).cloned(), count)
    }

    #[test]
    fn auto_reads_a_kubernetes_indexed_job() {
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "2")], Some(4)),
            Shard::new(2, 4)
        );
        assert_eq!(
            auto(
                &[("JOB_COMPLETION_INDEX", "2"), (COUNT_VARIABLE, "3")],
                None
            ),
            Shard::new(2, 3)
        );
        // --shard-count wins over the variable.
        assert_eq!(
            auto(
                &[("JOB_COMPLETION_INDEX", "2"), (COUNT_VARIABLE, "3")],
                Some(8)
            ),
            Shard::new(2, 8)
        );
        let err = auto(&[("JOB_COMPLETION_INDEX", "2")], None).unwrap_err();
        assert!(
            err.contains("--shard-count") && err.contains(COUNT_VARIABLE),
            "{err}"
        );
        let err = auto(&[("JOB_COMPLETION_INDEX", "4")], Some(4)).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn auto_reads_a_slurm_array_relative_to_its_first_index() {
        let array = |id: &str| {
            auto(
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_MIN", "1"),
                    ("SLURM_ARRAY_TASK_MAX", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_STEP", "1"),
                ],
                None,
            )
        };
        assert_eq!(array("1"), Shard::new(0, 4));
        assert_eq!(array("4"), Shard::new(3, 4));
        assert!(array("5").unwrap_err().contains("out of range"));
        assert!(array("0").unwrap_err().contains("below"));
    }

    #[test]
    fn auto_refuses_slurm_arrays_with_a_step_or_gaps() {
        let err = auto(
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "6"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
            ],
            None,
        )
        .unwrap_err();
        assert!(err.contains("step of 2"), "{err}");
        // --array=1,4,7: three tasks spread over seven indices.
        let err = auto(
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            None,
        )
        .unwrap_err();
        assert!(err.contains("not one per index"), "{err}");
        let err = auto(
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            Some(3),
        )
        .unwrap_err();
        assert!(err.contains("disagrees"), "{err}");
    }

    #[test]
    fn auto_without_an_engine_says_what_to_do() {
        let err = auto(&[], Some(4)).unwrap_err();
        assert!(err.contains("--shard INDEX/COUNT"), "{err}");
        let err = auto(
            &[("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0")],
            Some(4),
        )
        .unwrap_err();
        assert!(err.contains("both"), "{err}");
        let err = auto(&[("JOB_COMPLETION_INDEX", "x")], Some(4)).unwrap_err();
        assert!(err.contains("not a whole number"), "{err}");
    }
}
