//! Before `bindery build` opens its output directory: is there anything to build at all?
//!
//! A run with nothing to build is a usage error (exit 2) that writes nothing: it used to say
//! `content: No such file or directory` and leave `dist/manifest.json` behind, an output tree
//! for no outputs.

use std::path::{Path, PathBuf};

/// Why there is nothing to build under `inputs`, or `None` when there is something.
///
/// `defaulted`: the inputs are the default `content/`, not named by the user. The search stops
/// at the first document, so a large tree costs one directory listing or so; the pipeline's
/// plan decides the rest (a path that is missing beside others that exist is still that
/// path's own failure, and the others are built).
pub fn nothing_to_build(inputs: &[PathBuf], defaulted: bool) -> Option<String> {
    let mut missing = Vec::new();
    let mut empty = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Err(_) => missing.push(input),
            Ok(meta) if meta.is_dir() => {
                if has_document(input) {
                    return None;
                }
                empty.push(input);
            }
            // A file argument is built as given, whatever its extension.
            Ok(_) => return None,
        }
    }
    if defaulted && !missing.is_empty() {
        return Some(
            "nothing to build: there is no `content/` directory here, which `bindery build` \
             builds when given no PATHS. Name the files and directories to build \
             (`bindery build notes.md docs/`), or write a starter project with `bindery init`"
                .into(),
        );
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{} not found", quoted(&missing)));
    }
    if !empty.is_empty() {
        parts.push(format!(
            "no Markdown files (*.md, *.markdown) or books under {}",
            quoted(&empty)
        ));
    }
    Some(format!("nothing to build: {}", parts.join("; ")))
}

fn quoted(paths: &[&PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            format!(
                "`{}`",
                bindery_pipeline::escape_for_terminal(&p.display().to_string())
            )
        })
        .collect();
    names.join(", ")
}

/// Whether `dir` holds a document the plan would find: a Markdown file (or a symbolic link
/// named like one) or a book directory, outside hidden directories, without following
/// symbolic links to directories, as the plan searches.
fn has_document(dir: &Path) -> bool {
    if bindery_pipeline::is_book_dir(dir) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        // Unreadable: let the plan report it as that directory's failure.
        return true;
    };
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                subdirs.push(path);
            }
        } else if path.extension().is_some_and(|ext| {
            ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown")
        }) {
            return true;
        }
    }
    subdirs.iter().any(|sub| has_document(sub))
}
