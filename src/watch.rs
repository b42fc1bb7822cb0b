//! `bindery watch [PATHS]`: build, then build again whenever something under PATHS changes.
//!
//! Each rebuild is an ordinary `build` run over the same inputs with the output cache, so an
//! unchanged document is copied from the cache and only the changed ones are rendered again
//! (a changed chapter or image changes its document's cache key, and only that document's).
//! A document that fails keeps the outputs of its last good build: outputs are only ever
//! replaced by a finished new one. Changes are debounced (notify-debouncer-full, over inotify
//! and the other platforms' watchers) so that an editor's save, often several writes and a
//! rename, is one rebuild. Only changes count: reading a file (as the build itself does) is
//! an access event, which would otherwise rebuild forever; changes inside the output directory
//! are not the author's and are ignored too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};

/// How long the tree must be quiet before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Runs `rebuild` once, then after every change under `inputs` (outside `out_dir`), until
/// the process is stopped.
pub fn watch(
    inputs: &[PathBuf],
    out_dir: &Path,
    mut rebuild: impl FnMut() -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)
        .context("cannot watch for changes")?;
    let mut shown = Vec::new();
    for input in inputs {
        let input = input
            .canonicalize()
            .with_context(|| format!("cannot watch `{}`", input.display()))?;
        // A file is watched through its directory: editors save by writing a new file and
        // renaming it over the old one, which a watch on the file itself would lose.
        let (target, mode) = if input.is_dir() {
            (input.clone(), RecursiveMode::Recursive)
        } else {
            let parent = input.parent().unwrap_or(Path::new("/")).to_path_buf();
            (parent, RecursiveMode::NonRecursive)
        };
        debouncer
            .watch(&target, mode)
            .with_context(|| format!("cannot watch `{}`", target.display()))?;
        shown.push(target.display().to_string());
    }
    report(rebuild());
    eprintln!(
        "watching {} for changes (Ctrl-C to stop)",
        bindery_pipeline::escape_for_terminal(&shown.join(", "))
    );
    for result in rx {
        let events = match result {
            Ok(events) => events,
            Err(errors) => {
                for error in errors {
                    eprintln!("warning: watching for changes: {error}");
                }
                continue;
            }
        };
        // The output directory may appear with the first build: resolved on each change.
        let out = out_dir.canonicalize().ok();
        let mut changed: Vec<PathBuf> = events
            .into_iter()
            .filter(|event| !matches!(event.event.kind, EventKind::Access(_)))
            .flat_map(|event| event.event.paths)
            .filter(|path| !out.as_deref().is_some_and(|out| path.starts_with(out)))
            .collect();
        changed.sort();
        changed.dedup();
        let Some(first) = changed.first() else {
            continue;
        };
        let more = match changed.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        eprintln!(
            "changed: {}{more}; rebuilding",
            bindery_pipeline::escape_for_terminal(&first.display().to_string())
        );
        report(rebuild());
    }
    Ok(ExitCode::SUCCESS)
}

/// A rebuild's own error (such as nothing left to build) is shown, and watching goes on.
fn report(result: anyhow::Result<ExitCode>) {
    if let Err(error) = result {
        eprintln!(
            "error: {}",
            bindery_pipeline::escape_for_terminal(&format!("{error:#}"))
        );
    }
}
