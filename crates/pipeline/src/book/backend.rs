//! bindery as an mdBook backend (`bindery mdbook`, named in `book.toml` as
//! `[output.bindery]`): mdBook runs it with its render context as JSON on standard input,
//! in the backend's output folder. The context carries the book's configuration and every
//! chapter's text after mdBook's preprocessors (includes are already expanded), so the
//! chapters are taken from it, not from disk; images are still read beside the chapters,
//! inside the book's root.
//!
//! mdBook 0.4 calls the chapter list `book.sections`, 0.5 `book.items`: both are read. Each
//! item is `{"Chapter": {...}}`, `"Separator"` or `{"PartTitle": "..."}` (serde's external
//! tagging, which mdBook uses); fields this reader does not need are ignored, so a newer
//! mdBook that adds some still works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bindery_model::{Warning, WarningKind};
use serde::Deserialize;

use super::config::{self, ChapterRef, Parts};
use super::{Book, ChapterSource, assemble, mdbook};
use crate::{Error, Settings};

#[derive(Deserialize)]
struct RenderContext {
    #[serde(default)]
    version: String,
    root: PathBuf,
    book: Items,
    config: serde_json::Value,
    destination: PathBuf,
}

#[derive(Deserialize)]
struct Items {
    #[serde(alias = "sections")]
    items: Vec<Item>,
}

#[derive(Deserialize)]
enum Item {
    Chapter(Chapter),
    Separator,
    PartTitle(String),
}

#[derive(Deserialize)]
struct Chapter {
    name: String,
    content: String,
    #[serde(default)]
    number: Option<Vec<u32>>,
    #[serde(default)]
    sub_items: Vec<Item>,
    /// `None` for a draft chapter. mdBook's index preprocessor renames a `README.md` to
    /// `index.md` here; `source_path` keeps the file's own name, which links use.
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    source_path: Option<PathBuf>,
}

/// A book read from mdBook's render context.
pub struct Backend {
    /// The book, assembled as `bindery build` assembles one.
    pub book: Book,
    /// The book's directory (mdBook's `root`).
    pub root: PathBuf,
    /// The book directory's name, which its outputs are named after.
    pub stem: String,
    /// mdBook's output folder for this backend.
    pub destination: PathBuf,
    /// `[output.bindery] to`, when given.
    pub formats: Option<Vec<String>>,
    /// The mdBook version that wrote the context.
    pub version: String,
}

/// Reads mdBook's render context (`json`) into a book.
pub fn read_render_context(json: &[u8], settings: &Settings) -> Result<Backend, Error> {
    let input = Path::new("<mdbook render context>");
    let context: RenderContext = serde_json::from_slice(json).map_err(|e| Error::Syntax {
        path: input.to_path_buf(),
        line: e.line() as u32,
        col: e.column() as u32,
        message: format!("not an mdBook render context: {e}"),
        hint: Some(
            "`bindery mdbook` is run by mdBook: add [output.bindery] to book.toml and run \
             `mdbook build`"
                .into(),
        ),
    })?;
    let root = context.root;
    let book_toml = root.join(mdbook::BOOK_TOML);
    // mdBook writes settings it leaves unset as null (`"text-direction": null`); TOML has
    // no null, and an unset key is what they mean.
    let mut config = context.config;
    drop_nulls(&mut config);
    let table: toml::Table = serde_json::from_value(config).map_err(|e| Error::Syntax {
        path: book_toml.clone(),
        line: 1,
        col: 1,
        message: format!("the render context's configuration is not a TOML table: {e}"),
        hint: None,
    })?;
    let found = mdbook::settings(&table, &book_toml, None)?;

    let mut chapters = Vec::new();
    let mut contents = BTreeMap::new();
    let mut warnings = Vec::new();
    flatten(
        context.book.items,
        1,
        &mut chapters,
        &mut contents,
        &mut warnings,
    );
    let config = config::finish(
        &root,
        Parts {
            meta: found.meta,
            numbered: found.numbered,
            chapters,
            bytes: serde_json::to_vec(&table).unwrap_or_default(),
            warnings,
            src: found.src,
            mdbook: Some(found.mdbook.clone()),
            errors_in: (book_toml, String::new()),
            summary: None,
        },
    )?;
    let book = assemble(config, &root, &root, settings, |file, _, shown| {
        let text = contents.remove(file).unwrap_or_default();
        Ok(ChapterSource::plain(text.into_bytes(), shown))
    })?;
    let stem = root
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(&root)
        .file_name()
        .map_or_else(|| "book".into(), |n| n.to_string_lossy().into_owned());
    Ok(Backend {
        book,
        root,
        stem,
        destination: context.destination,
        formats: found.mdbook.formats,
        version: context.version,
    })
}

fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The chapter list in reading order, with each chapter's text by its file.
fn flatten(
    items: Vec<Item>,
    depth: u8,
    chapters: &mut Vec<ChapterRef>,
    contents: &mut BTreeMap<String, String>,
    warnings: &mut Vec<Warning>,
) {
    for item in items {
        match item {
            Item::Separator => {}
            Item::PartTitle(title) => chapters.push(ChapterRef {
                file: None,
                title: Some(title),
                depth,
                numbered: false,
                number: None,
            }),
            Item::Chapter(chapter) => {
                match chapter.path {
                    None => warnings.push(
                        Warning::new(format!("draft chapter `{}` is skipped", chapter.name), None)
                            .of_kind(WarningKind::Dropped)
                            .with_hint("give its SUMMARY.md link a target file to include it"),
                    ),
                    Some(path) => {
                        let file = chapter
                            .source_path
                            .unwrap_or(path)
                            .components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/");
                        contents.insert(file.clone(), chapter.content);
                        chapters.push(ChapterRef {
                            file: Some(file),
                            title: Some(chapter.name),
                            depth,
                            numbered: chapter.number.is_some(),
                            number: None,
                        });
                    }
                }
                flatten(
                    chapter.sub_items,
                    depth.saturating_add(1),
                    chapters,
                    contents,
                    warnings,
                );
            }
        }
    }
}
