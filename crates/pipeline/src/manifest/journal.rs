//! The manifest written as the run goes: one JSON line per finished output or failure,
//! appended to `OUT/manifest.partial.jsonl` (a shard: `manifest.shard-I-of-N.partial.jsonl`)
//! and flushed to the file at once, so a run that is killed, or aborts, leaves a record of
//! every output it finished. [`Journal::finish`] folds the lines into the manifest and removes
//! the journal; a later run that finds a journal reads it (its outputs are stale candidates
//! for `--delete-stale`, and their renders are in the cache) and appends after it.
//!
//! The journal is driven by the build's events ([`Journal::observe`]), so the scheduler needs
//! to know nothing about it, and it keeps no output in memory: only the reading warnings of
//! documents that have some, until the end.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bindery_model::Warning;
use serde::{Deserialize, Serialize};

use super::{
    FailureEntry, Manifest, OutputEntry, ShardEntry, failure_entry, journal_name, manifest_name,
    output_entry, stale,
};
use crate::{Error, Event, Shard};

/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Record {
    /// An output was written: its manifest entry.
    Output(OutputEntry),
    /// A document or output failed: its manifest entry.
    Failure(FailureEntry),
}

/// The manifest of a run in progress.
pub struct Journal {
    out_dir: PathBuf,
    manifest: PathBuf,
    path: PathBuf,
    shard: Option<ShardEntry>,
    /// Where this run's lines start: what is before is an earlier, interrupted run's.
    start: u64,
    /// Lines an earlier, interrupted run left.
    interrupted: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    file: Option<File>,
    /// The first write that failed: the journal, and so the manifest, is incomplete.
    error: Option<std::io::Error>,
    /// Reading warnings by source, for the entries of its outputs.
    read_warnings: BTreeMap<PathBuf, Vec<Warning>>,
}

/// What [`Journal::finish`] did.
#[derive(Debug, Default)]
pub struct Finished {
    /// The manifest written.
    pub manifest: PathBuf,
    /// Outputs in the manifest.
    pub outputs: usize,
    /// Failures in the manifest.
    pub failures: usize,
    /// Stale outputs deleted (with `--delete-stale`), relative to the output directory.
    pub deleted: Vec<String>,
    /// Why listed stale outputs were left alone, one line each.
    pub notes: Vec<String>,
}

impl Journal {
    /// Opens the journal of `shard` (of the run `run`, a [`super::run_fingerprint`]) in
    /// `out_dir`, creating the directory; appends after the lines of an interrupted run.
    pub fn open(out_dir: &Path, shard: Option<Shard>, run: &str) -> Result<Self, Error> {
        let path = out_dir.join(journal_name(shard));
        let io = |e| Error::Io {
            path: path.clone(),
            source: e,
        };
        std::fs::create_dir_all(out_dir).map_err(io)?;
        let mut file = File::options()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        let mut start = file.seek(SeekFrom::End(0)).map_err(io)?;
        let mut interrupted = 0;
        if start > 0 {
            // A run killed mid-line left a torn last line: end it, so this run's first line
            // stays whole.
            file.seek(SeekFrom::Start(start - 1)).map_err(io)?;
            let mut last = [0u8];
            file.read_exact(&mut last).map_err(io)?;
            if last != *b"\n" {
                file.write_all(b"\n").map_err(io)?;
                start += 1;
            }
            interrupted = read_records(&path, 0, start)
                .map_err(io)?
                .iter()
                .filter(|r| matches!(r, Record::Output(_)))
                .count();
        }
        Ok(Self {
            out_dir: out_dir.to_path_buf(),
            manifest: out_dir.join(manifest_name(shard)),
            shard: shard.map(|s| ShardEntry {
                index: s.index(),
                count: s.count(),
                run: run.to_string(),
            }),
            path,
            start,
            interrupted,
            state: Mutex::new(State {
                file: Some(file),
                ..State::default()
            }),
        })
    }

    /// How many outputs an earlier run recorded before it was interrupted (0 when the last
    /// run finished).
    pub fn interrupted(&self) -> usize {
        self.interrupted
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records an event of the build: pass every event the build reports.
    pub fn observe(&self, event: Event<'_>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let record = match event {
            Event::Planned { .. } => return,
            Event::Read { source, warnings } => {
                if !warnings.is_empty() {
                    state
                        .read_warnings
                        .insert(source.to_path_buf(), warnings.to_vec());
                }
                return;
            }
            Event::Written(output) => {
                let read = state
                    .read_warnings
                    .get(&output.source)
                    .map_or(&[][..], Vec::as_slice);
                Record::Output(output_entry(output, read, &self.out_dir))
            }
            Event::Failed(failure) => Record::Failure(failure_entry(failure)),
        };
        let mut line = serde_json::to_vec(&record).expect("a record serialises");
        line.push(b'\n');
        if state.error.is_some() {
            return;
        }
        // One write per line, straight to the file (no buffer to lose on a kill).
        let written = match state.file.as_mut() {
            Some(file) => file.write_all(&line),
            None => return,
        };
        if let Err(error) = written {
            state.error = Some(error);
        }
    }

    /// Folds this run's lines into the manifest and removes the journal. With
    /// `delete_stale`, first deletes the outputs that the previous manifest and any
    /// interrupted run's lines list and this run did not make (see [`stale`]); outputs of a
    /// document that failed in this run are kept.
    pub fn finish(self, delete_stale: bool) -> Result<Finished, Error> {
        let io = |e| Error::Io {
            path: self.path.clone(),
            source: e,
        };
        let state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(error) = state.error {
            return Err(io(error));
        }
        drop(state.file);
        let mut outputs = Vec::new();
        let mut failures = Vec::new();
        for record in read_records(&self.path, self.start, u64::MAX).map_err(io)? {
            match record {
                Record::Output(entry) => outputs.push(entry),
                Record::Failure(entry) => failures.push(entry),
            }
        }
        let mut finished = Finished::default();
        if delete_stale {
            let made: BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
            let failed: BTreeSet<&str> = failures.iter().map(|f| f.source.as_str()).collect();
            let mut previous = Vec::new();
            match std::fs::read(&self.manifest) {
                Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
                    Ok(manifest) => previous.extend(manifest.outputs),
                    Err(e) => finished.notes.push(format!(
                        "{}: not read, so nothing it lists is deleted: {e}",
                        self.manifest.display()
                    )),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => finished
                    .notes
                    .push(format!("{}: not read: {e}", self.manifest.display())),
            }
            for record in read_records(&self.path, 0, self.start).map_err(io)? {
                if let Record::Output(entry) = record {
                    previous.push(entry);
                }
            }
            let stale: Vec<&OutputEntry> = previous
                .iter()
                .filter(|o| !made.contains(o.path.as_str()) && !failed.contains(o.source.as_str()))
                .collect();
            let removed = stale::delete(&self.out_dir, &stale);
            finished.deleted = removed.deleted;
            finished.notes.extend(removed.notes);
        }
        let mut manifest = Manifest::new(outputs, failures);
        manifest.shard = self.shard;
        finished.outputs = manifest.outputs.len();
        finished.failures = manifest.failures.len();
        manifest.write(&self.manifest)?;
        drop(manifest);
        std::fs::remove_file(&self.path).map_err(io)?;
        finished.manifest = self.manifest;
        Ok(finished)
    }
}

/// The records in bytes `from..to` of the journal; a line that does not parse (torn by a
/// kill) is skipped.
fn read_records(path: &Path, from: u64, to: u64) -> std::io::Result<Vec<Record>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let reader = BufReader::new(file.take(to.saturating_sub(from)));
    let mut records = Vec::new();
    for line in reader.split(b'\n') {
        if let Ok(record) = serde_json::from_slice::<Record>(&line?) {
            records.push(record);
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Failure, Format, Output, Report};

    fn output(out: &Path, name: &str, format: Format, warnings: Vec<Warning>) -> Output {
        Output {
            source: PathBuf::from(format!("in/{name}.md")),
            format,
            path: out.join(format!("{name}.{}", format.extension())),
            bytes: 1,
            sha256: "00".into(),
            source_sha256: "11".into(),
            warnings,
            cached: false,
            elapsed: Duration::ZERO,
        }
    }

    /// The events of a small run, and the report the scheduler keeps of them.
    fn run(out: &Path, journal: &Journal) -> Report {
        let read = vec![Warning::new("read", None)];
        let a_html = output(out, "a", Format::Html, vec![Warning::new("html", None)]);
        let a_txt = output(out, "a", Format::Txt, Vec::new());
        let b_txt = output(out, "b", Format::Txt, Vec::new());
        let failure = Failure {
            source: PathBuf::from("in/c.md"),
            format: Some(Format::Pdf),
            error: Error::Render {
                path: PathBuf::from("in/c.md"),
                format: Format::Pdf,
                message: "too long".into(),
            },
        };
        journal.observe(Event::Planned { outputs: 4 });
        journal.observe(Event::Read {
            source: Path::new("in/b.md"),
            warnings: &[],
        });
        journal.observe(Event::Written(&b_txt));
        journal.observe(Event::Failed(&failure));
        journal.observe(Event::Read {
            source: Path::new("in/a.md"),
            warnings: &read,
        });
        journal.observe(Event::Written(&a_txt));
        journal.observe(Event::Written(&a_html));
        Report {
            documents: 3,
            outputs: vec![a_html, a_txt, b_txt],
            failures: vec![failure],
            warnings: vec![(PathBuf::from("in/a.md"), read[0].clone())],
        }
    }

    #[test]
    fn the_folded_journal_is_the_manifest_of_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let journal = Journal::open(out, None, "run").unwrap();
        let report = run(out, &journal);
        let lines = std::fs::read_to_string(journal.path()).unwrap();
        assert_eq!(lines.lines().count(), 4, "one line per output or failure");
        assert!(lines.lines().next().unwrap().starts_with("{\"output\":{"));
        let finished = journal.finish(false).unwrap();
        assert_eq!((finished.outputs, finished.failures), (3, 1));
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            super::super::manifest_json(&report, out)
        );
        assert!(!out.join("manifest.partial.jsonl").exists());
    }

    #[test]
    fn a_rerun_after_a_kill_appends_after_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let journal = Journal::open(out, None, "run").unwrap();
        journal.observe(Event::Written(&output(out, "old", Format::Txt, Vec::new())));
        drop(journal);
        // Killed in the middle of its second line.
        let path = out.join("manifest.partial.jsonl");
        let mut file = File::options().append(true).open(&path).unwrap();
        file.write_all(b"{\"output\":{\"sour").unwrap();
        // The second run is killed too, after one output.
        let journal = Journal::open(out, None, "run").unwrap();
        assert_eq!(journal.interrupted(), 1);
        journal.observe(Event::Written(&output(
            out,
            "second",
            Format::Txt,
            Vec::new(),
        )));
        drop(journal);
        // The third sees both outputs: the second run's line was not glued to the torn one.
        let journal = Journal::open(out, None, "run").unwrap();
        assert_eq!(journal.interrupted(), 2);
        let report = run(out, &journal);
        journal.finish(false).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            super::super::manifest_json(&report, out),
            "the interrupted run's lines are not this run's outputs"
        );
    }

    #[test]
    fn a_shard_writes_its_own_manifest_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let shard = Shard::new(1, 2).unwrap();
        let journal = Journal::open(out, Some(shard), "abc").unwrap();
        assert!(
            journal
                .path()
                .ends_with("manifest.shard-1-of-2.partial.jsonl")
        );
        run(out, &journal);
        journal.finish(false).unwrap();
        let manifest: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest.shard-1-of-2.json")).unwrap())
                .unwrap();
        assert_eq!(
            manifest.shard,
            Some(ShardEntry {
                index: 1,
                count: 2,
                run: "abc".into()
            })
        );
        assert!(!out.join("manifest.json").exists());
    }
}
