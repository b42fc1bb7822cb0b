//! Which documents to build and where each output goes: the output tree mirrors each
//! argument's tree, and two inputs that would write one path are an error, not an overwrite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// Finds every document under `inputs` (files as given, directories searched recursively for
/// Markdown files, sorted), with `root` overriding each argument's resource root.
///
/// A directory holding `bindery.toml` is one book: its files are not articles of their own.
pub fn plan(inputs: &[PathBuf], root: Option<&Path>) -> Result<Vec<Source>, Error> {
    let mut sources = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::Io {
            path: input.clone(),
            source: e,
        })?;
        if meta.is_dir() && is_book(input) {
            let name = input
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("book"));
            sources.push(Source {
                path: input.clone(),
                kind: SourceKind::Book,
                root: input.clone(),
                stem: name,
            });
        } else if meta.is_dir() {
            let mut found = Vec::new();
            find_markdown(input, &mut found)?;
            found.sort();
            for (path, kind) in found {
                let rel = path.strip_prefix(input).unwrap_or(&path);
                let stem = match kind {
                    SourceKind::Article => rel.with_extension(""),
                    SourceKind::Book => rel.to_path_buf(),
                };
                sources.push(Source {
                    root: match kind {
                        SourceKind::Article => {
                            root.map_or_else(|| input.clone(), Path::to_path_buf)
                        }
                        SourceKind::Book => path.clone(),
                    },
                    kind,
                    stem,
                    path,
                });
            }
        } else {
            let dir = input.parent().map(Path::to_path_buf).unwrap_or_default();
            let name = input.file_name().map(PathBuf::from).unwrap_or_default();
            sources.push(Source {
                kind: SourceKind::Article,
                root: root.map_or_else(|| dir_or_dot(&dir), Path::to_path_buf),
                stem: name.with_extension(""),
                path: input.clone(),
            });
        }
    }
    Ok(sources)
}

fn dir_or_dot(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

fn is_book(dir: &Path) -> bool {
    dir.join(crate::book::CONFIG_FILE).is_file()
}

fn find_markdown(dir: &Path, found: &mut Vec<(PathBuf, SourceKind)>) -> Result<(), Error> {
    let io = |e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        // Symlinked directories are not followed: a loop or an escape from the tree is refused.
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if is_book(&path) {
                found.push((path, SourceKind::Book));
            } else {
                find_markdown(&path, found)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| MARKDOWN_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            found.push((path, SourceKind::Article));
        }
    }
    Ok(())
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
        let sources = plan(&[root.to_path_buf()], None).unwrap();
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
        let sources = plan(&[root.to_path_buf()], None).unwrap();
        let found: Vec<_> = sources.iter().map(|s| (s.stem.clone(), s.kind)).collect();
        assert_eq!(
            found,
            vec![
                (PathBuf::from("article"), SourceKind::Article),
                (PathBuf::from("guide"), SourceKind::Book),
            ]
        );
        let book = plan(&[root.join("guide")], None).unwrap();
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
