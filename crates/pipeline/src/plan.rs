//! Which documents to build and where each output goes: the output tree mirrors each
//! argument's tree, and two inputs that would write one path are an error, not an overwrite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bindery_model::Warning;

use crate::{Error, Format};

/// What a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum SourceKind {
    /// One Markdown (or JSON) file.
    #[default]
    Article,
    /// A directory holding `bindery.toml`: one document made of its chapters.
    Book,
}

/// One input document and where its outputs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file as the user named it or as found under a directory argument (a book's
    /// directory).
    pub path: PathBuf,
    /// An article or a book.
    pub kind: SourceKind,
    /// The directory resources may be read from (the argument directory, or the file's own).
    pub root: PathBuf,
    /// The output path relative to the output directory, without extension.
    pub stem: PathBuf,
}

impl Source {
    /// The output path for `format` under `out_dir`.
    pub fn output(&self, out_dir: &Path, format: Format) -> PathBuf {
        let mut name = self.stem.as_os_str().to_owned();
        name.push(".");
        name.push(format.extension());
        out_dir.join(name)
    }
}

/// File extensions read as Markdown when a directory is searched.
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown"];

/// What [`plan`] found: the documents to build, and what it could not take.
#[derive(Debug, Default)]
pub struct Plan {
    /// The documents, each argument's sorted.
    pub sources: Vec<Source>,
    /// Paths that cannot be built, each a failure of its own: an argument that does not
    /// exist, a directory that cannot be read, a Markdown file that is a symbolic link out of
    /// the directory searched. The rest of the tree is still planned.
    pub failures: Vec<(PathBuf, Error)>,
    /// Markdown files that are not files (FIFOs, sockets, devices): passed over, with a
    /// warning each, since opening one could block the build.
    pub skipped: Vec<(PathBuf, Warning)>,
}

/// Finds every document under `inputs` (files as given, directories searched recursively for
/// Markdown files, sorted), with `root` overriding each argument's resource root.
///
/// A directory holding `bindery.toml` is one book: its files are not articles of their own.
/// A document is read only where it is: a Markdown file that is a symbolic link to a file
/// outside the directory searched (or, for a file argument, outside its own directory) is
/// refused unless it lies inside `root`. A `root` that is not a directory fails the plan.
pub fn plan(inputs: &[PathBuf], root: Option<&Path>) -> Plan {
    let mut planned = Plan::default();
    let root_dir = match root.map(Path::canonicalize) {
        None => None,
        Some(Ok(dir)) if dir.is_dir() => Some(dir),
        Some(result) => {
            let root = root.expect("matched Some").to_path_buf();
            let source = result.err().unwrap_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory")
            });
            planned
                .failures
                .push((root.clone(), root_error(root, source)));
            return planned;
        }
    };
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(meta) => meta,
            Err(e) => {
                planned.failures.push((input.clone(), io(input, e)));
                continue;
            }
        };
        if meta.is_dir() && is_book(input) {
            let name = input
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("book"));
            planned.sources.push(Source {
                path: input.clone(),
                kind: SourceKind::Book,
                root: root.map_or_else(|| input.clone(), Path::to_path_buf),
                stem: name,
            });
        } else if meta.is_dir() {
            let Ok(searched) = input.canonicalize() else {
                continue;
            };
            let mut search = Search {
                confine: [Some(searched), root_dir.clone()],
                found: Vec::new(),
                planned: &mut planned,
            };
            search.directory(input);
            let mut found = search.found;
            found.sort();
            for (path, kind) in found {
                let rel = path.strip_prefix(input).unwrap_or(&path);
                let stem = match kind {
                    SourceKind::Article => rel.with_extension(""),
                    SourceKind::Book => rel.to_path_buf(),
                };
                planned.sources.push(Source {
                    root: match kind {
                        SourceKind::Article => {
                            root.map_or_else(|| input.clone(), Path::to_path_buf)
                        }
                        SourceKind::Book => root.map_or_else(|| path.clone(), Path::to_path_buf),
                    },
                    kind,
                    stem,
                    path,
                });
            }
        } else {
            let dir = dir_or_dot(input.parent().unwrap_or(Path::new("")));
            let confine = [dir.canonicalize().ok(), root_dir.clone()];
            if let Err(error) = check_document(input, &confine) {
                planned.failures.push((input.clone(), error));
                continue;
            }
            let name = input.file_name().map(PathBuf::from).unwrap_or_default();
            planned.sources.push(Source {
                kind: SourceKind::Article,
                root: root.map_or_else(|| dir.clone(), Path::to_path_buf),
                stem: name.with_extension(""),
                path: input.clone(),
            });
        }
    }
    planned
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn root_error(root: PathBuf, source: std::io::Error) -> Error {
    let message = format!("the resource root (--root) is not a directory: {source}");
    Error::Io {
        path: root,
        source: std::io::Error::new(source.kind(), message),
    }
}

/// Whether the document at `path` may be read: it must be a regular file (after following
/// symbolic links) inside one of the `confine` directories.
fn check_document(path: &Path, confine: &[Option<PathBuf>]) -> Result<(), Error> {
    let canonical = path.canonicalize().map_err(|e| io(path, e))?;
    if !confine
        .iter()
        .flatten()
        .any(|dir| canonical.starts_with(dir))
    {
        return Err(io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "a symbolic link to a file outside the input directory; it is not read",
            ),
        ));
    }
    let meta = std::fs::metadata(&canonical).map_err(|e| io(path, e))?;
    if !meta.is_file() {
        return Err(io(path, not_a_file()));
    }
    Ok(())
}

fn not_a_file() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "not a regular file (a FIFO, socket or device); it is not read",
    )
}

fn dir_or_dot(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

/// Whether the directory `dir` is a book (and so one document, not a tree of articles): it
/// holds an mdBook's `book.toml`, or a `bindery.toml` that is not only project defaults.
pub fn is_book(dir: &Path) -> bool {
    let config = dir.join(crate::book::CONFIG_FILE);
    // A `bindery.toml` of project defaults (only `[build]`) does not make a book, unless a
    // SUMMARY.md beside it gives the chapters. Only a small file is read to tell: a large
    // one is a book's, whose loader reads it within the input limits and confinement.
    const DEFAULTS_MAX: u64 = 64 * 1024;
    // An mdBook is a book whatever sits beside its `book.toml`.
    if dir.join(crate::book::mdbook::BOOK_TOML).is_file() {
        return true;
    }
    config.is_file()
        && (dir.join(crate::book::SUMMARY_FILE).is_file()
            || std::fs::metadata(&config).map_or(true, |meta| meta.len() > DEFAULTS_MAX)
            || !std::fs::read_to_string(&config)
                .is_ok_and(|text| crate::book::is_project_defaults(&text)))
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MARKDOWN_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// One directory argument being searched.
struct Search<'a> {
    /// Where a symbolic link found in the tree may point: the argument and `--root`.
    confine: [Option<PathBuf>; 2],
    found: Vec<(PathBuf, SourceKind)>,
    planned: &'a mut Plan,
}

impl Search<'_> {
    /// Searches `dir`; a directory that cannot be read is a failure of its own and the rest of
    /// the tree is still searched.
    fn directory(&mut self, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.planned.failures.push((dir.to_path_buf(), io(dir, e)));
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.planned.failures.push((dir.to_path_buf(), io(dir, e)));
                    return;
                }
            };
            let path = entry.path();
            // The entry's own type: a symbolic link is not followed here.
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(e) => {
                    self.planned.failures.push((path.clone(), io(&path, e)));
                    continue;
                }
            };
            if kind.is_dir() {
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if is_book(&path) {
                    self.found.push((path, SourceKind::Book));
                } else {
                    self.directory(&path);
                }
            } else if !is_markdown(&path) {
                // Symlinked directories are not followed: a loop or an escape is refused.
            } else if kind.is_file() {
                self.found.push((path, SourceKind::Article));
            } else if kind.is_symlink() {
                match check_document(&path, &self.confine) {
                    Ok(()) => self.found.push((path, SourceKind::Article)),
                    Err(Error::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::InvalidInput =>
                    {
                        self.skip(path)
                    }
                    Err(error) => self.planned.failures.push((path, error)),
                }
            } else {
                self.skip(path);
            }
        }
    }

    fn skip(&mut self, path: PathBuf) {
        let warning = Warning::new(
            "skipped: not a regular file (a FIFO, socket or device), so it is not read",
            None,
        )
        .of_kind(bindery_model::WarningKind::Skipped)
        .with_hint("only regular files are built; reading a named pipe could block forever");
        self.planned.skipped.push((path, warning));
    }
}

/// Splits off sources whose outputs collide with an earlier source's: the first keeps its
/// outputs, each later one is reported.
pub fn find_collisions(sources: Vec<Source>) -> (Vec<Source>, Vec<(Source, PathBuf)>) {
    let mut owners: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for source in sources {
        match owners.get(&source.stem) {
            Some(first) => {
                let first = first.clone();
                refused.push((source, first));
            }
            None => {
                owners.insert(source.stem.clone(), source.path.clone());
                kept.push(source);
            }
        }
    }
    (kept, refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_mirrored_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("z.md"), "z").unwrap();
        std::fs::write(root.join("b/c/y.markdown"), "y").unwrap();
        std::fs::write(root.join("b/notes.txt"), "not markdown").unwrap();
        let sources = plan(&[root.to_path_buf()], None).sources;
        let stems: Vec<_> = sources.iter().map(|s| s.stem.clone()).collect();
        assert_eq!(stems, vec![PathBuf::from("b/c/y"), PathBuf::from("z")]);
        assert_eq!(
            sources[0].output(Path::new("dist"), Format::Html),
            PathBuf::from("dist/b/c/y.html")
        );
    }

    #[test]
    fn a_folder_with_bindery_toml_is_one_book() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("guide/part")).unwrap();
        std::fs::write(root.join("guide/bindery.toml"), "chapters = []").unwrap();
        std::fs::write(root.join("guide/intro.md"), "x").unwrap();
        std::fs::write(root.join("guide/part/one.md"), "x").unwrap();
        std::fs::write(root.join("article.md"), "x").unwrap();
        let sources = plan(&[root.to_path_buf()], None).sources;
        let found: Vec<_> = sources.iter().map(|s| (s.stem.clone(), s.kind)).collect();
        assert_eq!(
            found,
            vec![
                (PathBuf::from("article"), SourceKind::Article),
                (PathBuf::from("guide"), SourceKind::Book),
            ]
        );
        let book = plan(&[root.join("guide")], None).sources;
        assert_eq!(book.len(), 1);
        assert_eq!(
            (book[0].stem.clone(), book[0].kind),
            (PathBuf::from("guide"), SourceKind::Book)
        );
    }

    #[test]
    fn colliding_outputs_keep_the_first() {
        let a = Source {
            kind: SourceKind::Article,
            path: "a/x.md".into(),
            root: "a".into(),
            stem: "x".into(),
        };
        let b = Source {
            kind: SourceKind::Article,
            path: "b/x.md".into(),
            root: "b".into(),
            stem: "x".into(),
        };
        let (kept, refused) = find_collisions(vec![a.clone(), b.clone()]);
        assert_eq!(kept, vec![a]);
        assert_eq!(refused, vec![(b, PathBuf::from("a/x.md"))]);
    }
}
