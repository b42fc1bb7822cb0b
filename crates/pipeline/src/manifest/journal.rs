//! The manifest written as the run goes: one JSON line per finished output or failure,
//! appended to `OUT/manifest.partial.jsonl` (a shard: `manifest.shard-I-of-N.partial.jsonl`)
//! and flushed to the file at once, so a run that is killed, or aborts, leaves a record of
//! every output it finished. [`Journal::finish`] folds the lines into the manifest and removes
//! the journal; a later run that finds a journal reads it (its outputs are stale candidates
//! for `--delete-stale`, and their renders are in the cache) and appends after it.
//!
//! The journal is driven by the build's events ([`Journal::observe`]), so the scheduler needs
//! to know nothing about it, and it keeps no output in memory: only the reading warnings of
//! the documents in flight. The fold sorts the lines into the manifest's order in runs of
//! [`SORT_RUN`] entries spilled to anonymous temporary files and merged as the manifest is
//! written, so its memory does not grow with the number of outputs either (`--delete-stale`
//! aside: it holds every output path of the run to know what is stale).

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
            for_each_record(&path, 0, start, |record| {
                if matches!(record, Record::Output(_)) {
                    interrupted += 1;
                }
                Ok(())
            })
            .map_err(io)?;
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
            Event::Planned { .. } | Event::Warning { .. } => return,
            Event::Done { source } => {
                state.read_warnings.remove(source);
                return;
            }
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
        let state = std::mem::take(&mut *self.state.lock().unwrap_or_else(|p| p.into_inner()));
        if let Some(error) = state.error {
            return Err(io(error));
        }
        drop(state.file);
        let mut failures = Vec::new();
        // With --delete-stale, every path this run made (outputs and their images).
        let mut made: BTreeSet<String> = BTreeSet::new();
        let mut sorter = Sorter::new(&self.out_dir, SORT_RUN);
        for_each_record(&self.path, self.start, u64::MAX, |record| {
            match record {
                Record::Output(entry) => {
                    if delete_stale {
                        made.extend(entry.files().map(|f| f.path.to_string()));
                    }
                    sorter.push(entry)?;
                }
                Record::Failure(entry) => failures.push(entry),
            }
            Ok(())
        })
        .map_err(io)?;
        let mut finished = Finished::default();
        if delete_stale {
            self.delete_stale(&made, &failures, &mut finished)
                .map_err(io)?;
        }
        drop(made);
        finished.outputs = sorter.len();
        finished.failures = failures.len();
        let outputs = sorter.finish().map_err(io)?;
        super::write_streamed(&self.manifest, self.shard.as_ref(), outputs, failures)?;
        std::fs::remove_file(&self.path).map_err(io)?;
        finished.manifest = self.manifest;
        Ok(finished)
    }

    /// Deletes the outputs and images that the previous manifest and any interrupted run's
    /// lines list and this run did not make (`made`); a document that failed in this run
    /// keeps its earlier files.
    fn delete_stale(
        &self,
        made: &BTreeSet<String>,
        failures: &[FailureEntry],
        finished: &mut Finished,
    ) -> std::io::Result<()> {
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
        for_each_record(&self.path, 0, self.start, |record| {
            if let Record::Output(entry) = record {
                previous.push(entry);
            }
            Ok(())
        })?;
        let stale: Vec<stale::Listed<'_>> = previous
            .iter()
            .filter(|o| !failed.contains(o.source.as_str()))
            .flat_map(OutputEntry::files)
            .filter(|file| !made.contains(file.path))
            .collect();
        let removed = stale::delete(&self.out_dir, &stale);
        finished.deleted = removed.deleted;
        finished.notes.extend(removed.notes);
        Ok(())
    }
}

/// Entries in the manifest's order per run of the fold ([`Sorter`]): about 300 bytes each in
/// memory, so about a MB at a time (16,384 made 10,000 documents' peak 1.3× 1,000's).
const SORT_RUN: usize = 4 * 1024;

/// An external merge sort of output entries: runs of `run` entries are sorted in memory and
/// spilled to anonymous temporary files in the output directory (deleted when closed, even
/// on a crash); [`Sorter::finish`] merges them as they are read.
struct Sorter {
    dir: PathBuf,
    run: usize,
    pending: Vec<OutputEntry>,
    spilled: Vec<File>,
    len: usize,
}

impl Sorter {
    fn new(dir: &Path, run: usize) -> Self {
        Self {
            dir: dir.to_path_buf(),
            run: run.max(1),
            pending: Vec::new(),
            spilled: Vec::new(),
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, entry: OutputEntry) -> std::io::Result<()> {
        self.pending.push(entry);
        self.len += 1;
        if self.pending.len() >= self.run {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> std::io::Result<()> {
        self.pending
            .sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut out = std::io::BufWriter::new(tempfile::tempfile_in(&self.dir)?);
        for entry in self.pending.drain(..) {
            serde_json::to_writer(&mut out, &entry)?;
            out.write_all(b"\n")?;
        }
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        self.spilled.push(file);
        Ok(())
    }

    /// Every entry pushed, in the manifest's order.
    fn finish(mut self) -> std::io::Result<Merged> {
        self.pending
            .sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut runs: Vec<Run> = self
            .spilled
            .into_iter()
            .map(|file| Run::Spilled(BufReader::new(file).lines()))
            .collect();
        runs.push(Run::Memory(std::mem::take(&mut self.pending).into_iter()));
        let mut heads = Vec::with_capacity(runs.len());
        for run in &mut runs {
            heads.push(run.next().transpose()?);
        }
        Ok(Merged { runs, heads })
    }
}

/// One sorted run of a [`Sorter`].
enum Run {
    Spilled(std::io::Lines<BufReader<File>>),
    Memory(std::vec::IntoIter<OutputEntry>),
}

impl Iterator for Run {
    type Item = std::io::Result<OutputEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Run::Spilled(lines) => lines
                .next()
                .map(|line| serde_json::from_str(&line?).map_err(std::io::Error::from)),
            Run::Memory(entries) => entries.next().map(Ok),
        }
    }
}

/// The merge of a [`Sorter`]'s runs: each step takes the least of the runs' first entries
/// (the runs are few: one per [`SORT_RUN`] outputs).
struct Merged {
    runs: Vec<Run>,
    heads: Vec<Option<OutputEntry>>,
}

impl Iterator for Merged {
    type Item = std::io::Result<OutputEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        let least = self
            .heads
            .iter()
            .enumerate()
            .filter_map(|(i, head)| head.as_ref().map(|entry| (i, entry)))
            .min_by(|(_, a), (_, b)| a.order_key().cmp(&b.order_key()))
            .map(|(i, _)| i)?;
        let next = match self.runs[least].next().transpose() {
            Ok(next) => next,
            Err(error) => return Some(Err(error)),
        };
        std::mem::replace(&mut self.heads[least], next).map(Ok)
    }
}

/// Calls `f` with each record in bytes `from..to` of the journal, read as a stream; a line
/// that does not parse (torn by a kill) is skipped.
fn for_each_record(
    path: &Path,
    from: u64,
    to: u64,
    mut f: impl FnMut(Record) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let reader = BufReader::new(file.take(to.saturating_sub(from)));
    for line in reader.split(b'\n') {
        if let Ok(record) = serde_json::from_slice::<Record>(&line?) {
            f(record)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{CopiedImage, Failure, Format, Output};

    fn output(out: &Path, name: &str, format: Format, warnings: Vec<Warning>) -> Output {
        Output {
            source: PathBuf::from(format!("in/{name}.md")),
            format,
            path: out.join(format!("{name}.{}", format.extension())),
            bytes: 1,
            sha256: "00".into(),
            source_sha256: "11".into(),
            warnings,
            images: Vec::new(),
            cached: false,
            elapsed: Duration::ZERO,
        }
    }

    /// Feeds the events of a small run to `journal`; returns the manifest they make.
    fn run(out: &Path, journal: &Journal) -> String {
        let read = vec![Warning::new("read", None)];
        let mut a_html = output(out, "a", Format::Html, vec![Warning::new("html", None)]);
        a_html.images = vec![CopiedImage {
            path: out.join("images/0a1b.png"),
            sha256: "0a1b".into(),
        }];
        let a_txt = output(out, "a", Format::Txt, Vec::new());
        let b_txt = output(out, "b", Format::Txt, Vec::new());
        let failure = Failure {
            source: PathBuf::from("in/c.md"),
            format: Some(Format::Pdf),
            error: Error::Render {
                path: PathBuf::from("in/c.md"),
                format: Format::Pdf,
                message: "too long".into(),
                failure: crate::RenderFailure::Refused,
            },
        };
        journal.observe(Event::Planned { outputs: 4 });
        journal.observe(Event::Read {
            source: Path::new("in/b.md"),
            warnings: &[],
        });
        journal.observe(Event::Written(&b_txt));
        journal.observe(Event::Done {
            source: Path::new("in/b.md"),
        });
        journal.observe(Event::Failed(&failure));
        journal.observe(Event::Read {
            source: Path::new("in/a.md"),
            warnings: &read,
        });
        journal.observe(Event::Written(&a_txt));
        journal.observe(Event::Written(&a_html));
        journal.observe(Event::Done {
            source: Path::new("in/a.md"),
        });
        let entries = vec![
            output_entry(&b_txt, &[], out),
            output_entry(&a_html, &read, out),
            output_entry(&a_txt, &read, out),
        ];
        Manifest::new(entries, vec![failure_entry(&failure)]).to_json()
    }

    #[test]
    fn a_finished_document_leaves_nothing_in_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), None, "run").unwrap();
        run(dir.path(), &journal);
        let state = journal.state.lock().unwrap();
        assert!(state.read_warnings.is_empty(), "{:?}", state.read_warnings);
    }

    #[test]
    fn the_fold_sorts_through_spilled_runs() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |i: usize| OutputEntry {
            source: format!("in/{:03}.md", (i * 37) % 101),
            format: "txt".into(),
            path: format!("{i}.txt"),
            bytes: i as u64,
            sha256: String::new(),
            source_sha256: String::new(),
            warnings: Vec::new(),
            images: Vec::new(),
        };
        let mut sorter = Sorter::new(dir.path(), 7);
        for i in 0..101 {
            sorter.push(entry(i)).unwrap();
        }
        assert_eq!(sorter.spilled.len(), 14, "runs of 7 went to disk");
        assert_eq!(sorter.len(), 101);
        let merged: Vec<OutputEntry> = sorter.finish().unwrap().map(Result::unwrap).collect();
        let expected = Manifest::new((0..101).map(entry).collect(), Vec::new()).outputs;
        assert_eq!(merged, expected);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "spilled runs are anonymous files");
    }

    #[test]
    fn the_folded_journal_is_the_manifest_of_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let journal = Journal::open(out, None, "run").unwrap();
        let expected = run(out, &journal);
        let lines = std::fs::read_to_string(journal.path()).unwrap();
        assert_eq!(lines.lines().count(), 4, "one line per output or failure");
        assert!(lines.lines().next().unwrap().starts_with("{\"output\":{"));
        let finished = journal.finish(false).unwrap();
        assert_eq!((finished.outputs, finished.failures), (3, 1));
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            expected
        );
        assert!(expected.contains("images/0a1b.png"), "{expected}");
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
        let expected = run(out, &journal);
        journal.finish(false).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            expected,
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
