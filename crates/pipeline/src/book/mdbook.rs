//! mdBook books as they are: a directory holding `book.toml` is a book whose chapters are
//! listed by `src/SUMMARY.md` (mdBook's grammar, read by [`super::config`]), whose metadata
//! comes from `[book]` and whose bindery options come from `[output.bindery]`; its chapters
//! go through mdBook's link preprocessor ([`super::include`]) and its Rust code blocks hide
//! their `# ` lines, as mdBook's HTML does.
//!
//! The same table is read from `book.toml` by `bindery build` and from the render context
//! mdBook gives its backends (`bindery mdbook`, [`super::backend`]), so both read a book's
//! settings alike.

use std::collections::BTreeMap;
use std::path::Path;

use bindery_model::{Block, BlockKind, Metadata, Warning, walk_block_lists_mut};

use super::config::{self, BookConfig};
use crate::Error;

/// The file that makes a directory an mdBook.
pub const BOOK_TOML: &str = "book.toml";

/// What an mdBook's configuration says beyond its metadata.
#[derive(Debug, Clone, Default)]
pub struct Mdbook {
    /// Hidden-line prefixes by language, from `[output.html.code.hidelines]`.
    pub hidelines: BTreeMap<String, String>,
    /// `[output.bindery] to`: the formats the `bindery mdbook` backend writes.
    pub formats: Option<Vec<String>>,
}

/// Keys of `[output.bindery]` that mdBook itself reads (the backend's command, whether it is
/// optional) or that name formats, not metadata.
const NOT_METADATA: [&str; 4] = ["command", "optional", "renderers", "to"];

/// A book's settings from mdBook's configuration table.
pub(crate) struct Settings {
    pub meta: Metadata,
    pub numbered: bool,
    /// The chapters' directory, relative to the book (`src`).
    pub src: String,
    pub mdbook: Mdbook,
}

/// The 1-based line and column of byte `at` in `text`.
fn line_col(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, col as u32)
}

/// The line of `text` where the table `[header]` starts (1 when not found).
fn header_line(text: &str, header: &str) -> u32 {
    text.lines()
        .position(|l| l.trim() == header)
        .map_or(1, |i| i as u32 + 1)
}

/// Reads `[book]`, `[output.bindery]` and `[output.html.code.hidelines]` of `table`;
/// `path` and `text` place errors (`text` is `None` for a render context's JSON).
pub(crate) fn settings(
    table: &toml::Table,
    path: &Path,
    text: Option<&str>,
) -> Result<Settings, Error> {
    let at_header = |header: &str, message: String, hint: &str| Error::Syntax {
        path: path.to_path_buf(),
        line: text.map_or(1, |t| header_line(t, header)),
        col: 1,
        message,
        hint: Some(hint.to_string()),
    };
    let book = table.get("book").and_then(toml::Value::as_table);
    let output = table.get("output").and_then(toml::Value::as_table);
    let bindery = output
        .and_then(|o| o.get("bindery"))
        .and_then(toml::Value::as_table);

    let mut meta = toml::Table::new();
    if let Some(book) = book {
        for (from, to) in [
            ("title", "title"),
            ("authors", "authors"),
            ("description", "description"),
            ("language", "lang"),
        ] {
            if let Some(value) = book.get(from) {
                meta.insert(to.to_string(), value.clone());
            }
        }
    }
    let mut formats = None;
    if let Some(bindery) = bindery {
        for (key, value) in bindery {
            if !NOT_METADATA.contains(&key.as_str()) {
                meta.insert(key.clone(), value.clone());
            }
        }
        if let Some(to) = bindery.get("to") {
            let list = match to {
                toml::Value::String(s) => Some(vec![s.clone()]),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>(),
                _ => None,
            };
            formats = Some(list.ok_or_else(|| {
                at_header(
                    "[output.bindery]",
                    "`to` must be a format or a list of formats".into(),
                    "write to = [\"epub\", \"pdf\", \"txt\"]",
                )
            })?);
        }
    }
    let source = toml::to_string(&meta).unwrap_or_default();
    let mut meta = bindery_markdown::parse_toml_metadata(&source).map_err(|e| match e {
        bindery_markdown::ReadError::FrontMatter { message, .. } => at_header(
            if bindery.is_some() {
                "[output.bindery]"
            } else {
                "[book]"
            },
            message.replace("invalid TOML front matter", "invalid book settings"),
            "[book] takes title, authors, description and language; [output.bindery] the \
             keys of a bindery.toml book",
        ),
    })?;
    let numbered = match meta.extra.remove("numbered") {
        None => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(_) => {
            return Err(at_header(
                "[output.bindery]",
                "`numbered` must be true or false".into(),
                "write numbered = true",
            ));
        }
    };
    if let Some(chapters) = meta.extra.remove("chapters") {
        let _ = chapters;
        return Err(at_header(
            "[output.bindery]",
            "an mdBook's chapters come from src/SUMMARY.md, not from `chapters`".into(),
            "remove `chapters` from [output.bindery]",
        ));
    }
    let src = match book.and_then(|b| b.get("src")) {
        None => "src".to_string(),
        Some(toml::Value::String(s)) if config::is_inside(s) => s.trim_end_matches('/').to_string(),
        Some(_) => {
            return Err(at_header(
                "[book]",
                "`src` must be a folder inside the book".into(),
                "write src = \"src\"",
            ));
        }
    };
    let hidelines = output
        .and_then(|o| o.get("html"))
        .and_then(|h| h.get("code"))
        .and_then(|c| c.get("hidelines"))
        .and_then(toml::Value::as_table)
        .map(|t| {
            t.iter()
                .filter_map(|(lang, prefix)| Some((lang.clone(), prefix.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Settings {
        meta,
        numbered,
        src,
        mdbook: Mdbook { hidelines, formats },
    })
}

/// Reads `dir/book.toml` and `dir/<src>/SUMMARY.md`.
pub(super) fn load_config(dir: &Path, max_input: u64) -> Result<BookConfig, Error> {
    let path = dir.join(BOOK_TOML);
    let bytes = crate::read::read_inside(dir, &path, &path, max_input)?;
    let text = config::utf8(&path, &bytes)?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        Error::Syntax {
            path: path.clone(),
            line,
            col,
            message: format!("invalid TOML: {}", e.message()),
            hint: Some("book.toml is mdBook's configuration, in TOML".into()),
        }
    })?;
    let found = settings(&table, &path, Some(text))?;
    let mut warnings = Vec::new();
    let beside = dir.join(config::CONFIG_FILE);
    if beside.is_file()
        && !std::fs::read_to_string(&beside).is_ok_and(|t| config::is_project_defaults(&t))
    {
        warnings.push(
            Warning::new(
                "bindery.toml beside book.toml is not read for this book: book.toml makes it \
                 an mdBook",
                None,
            )
            .with_hint("put bindery's options for the book under [output.bindery] in book.toml")
            .in_file(beside.display().to_string()),
        );
    }
    let src_dir = config::on_disk(dir, &found.src);
    let summary_path = src_dir.join(config::SUMMARY_FILE);
    if !summary_path.is_file() {
        return Err(Error::Syntax {
            path,
            line: 1,
            col: 1,
            message: format!(
                "the mdBook has no chapter list: {} is missing",
                summary_path.display()
            ),
            hint: Some("write the chapter list in SUMMARY.md in the book's `src` folder".into()),
        });
    }
    let summary = crate::read::read_inside(dir, &summary_path, &summary_path, max_input)?;
    let summary_text = config::utf8(&summary_path, &summary)?;
    let (chapters, summary_warnings) = config::summary_chapters(&summary_path, summary_text)?;
    warnings.extend(summary_warnings);
    let mut all = bytes.clone();
    all.extend_from_slice(&summary);
    config::finish(
        dir,
        config::Parts {
            meta: found.meta,
            numbered: found.numbered,
            chapters,
            bytes: all,
            warnings,
            src: found.src,
            mdbook: Some(found.mdbook),
            errors_in: (path.clone(), text.to_string()),
            summary: Some((summary_path.clone(), summary_text.to_string())),
        },
    )
}

/// Hides the lines mdBook hides in code blocks: in Rust, `# ` lines and a lone `#` (`##`
/// shows as `#`; `#!` and `#[` stay); in another language, lines starting with the prefix
/// `[output.html.code.hidelines]` gives it, or `hidelines=PREFIX` in the info string. The
/// language becomes the info string's first word before a comma (`rust,editable`).
pub(crate) fn hide_lines(blocks: &mut Vec<Block>, hidelines: &BTreeMap<String, String>) {
    walk_block_lists_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            let BlockKind::CodeBlock {
                lang, info, text, ..
            } = &mut block.kind
            else {
                continue;
            };
            let mut words = info
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty());
            let Some(first) = words.next().filter(|w| !w.starts_with('{')) else {
                continue;
            };
            let given = words
                .find_map(|w| w.strip_prefix("hidelines="))
                .map(str::to_string);
            *lang = Some(first.to_string());
            let prefix = given.or_else(|| hidelines.get(first).cloned());
            let kept: String = match (prefix, first) {
                (Some(prefix), _) => text
                    .split_inclusive('\n')
                    .filter(|l| !l.trim_start().starts_with(prefix.as_str()))
                    .collect(),
                (None, "rust") => text.split_inclusive('\n').filter_map(rust_line).collect(),
                (None, _) => continue,
            };
            *text = kept;
        }
    });
}

/// One line of a Rust block as mdBook shows it (`^(\s*)#(.?)(.*)$`): `None` when hidden.
fn rust_line(line: &str) -> Option<std::borrow::Cow<'_, str>> {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let Some(after) = body.strip_prefix('#') else {
        return Some(line.into());
    };
    match after.chars().next() {
        Some('#') => Some(format!("{indent}{after}").into()),
        Some('!') | Some('[') => Some(line.into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(info: &str, text: &str) -> Block {
        Block::from(BlockKind::CodeBlock {
            lang: info.split_whitespace().next().map(str::to_string),
            info: info.into(),
            text: text.into(),
            attr: None,
        })
    }

    fn shown(block: &Block) -> (&str, &str) {
        match &block.kind {
            BlockKind::CodeBlock { lang, text, .. } => (lang.as_deref().unwrap_or(""), text),
            _ => unreachable!(),
        }
    }

    #[test]
    fn rust_blocks_hide_lines_as_mdbook_does() {
        let mut blocks = vec![
            code(
                "rust,editable",
                "# use std::io;\n#\n#![allow(x)]\n#[derive(Debug)]\nfn main() {\n    # let hidden = 1;\n    ## not hidden\n}\n",
            ),
            code("python", "~import os\nprint(1)\n"),
            code("console hidelines=$", "$ hidden\nshown\n"),
            code("text", "# kept\n"),
        ];
        let map = BTreeMap::from([("python".to_string(), "~".to_string())]);
        hide_lines(&mut blocks, &map);
        assert_eq!(
            shown(&blocks[0]),
            (
                "rust",
                "#![allow(x)]\n#[derive(Debug)]\nfn main() {\n    # not hidden\n}\n"
            )
        );
        assert_eq!(shown(&blocks[1]), ("python", "print(1)\n"));
        assert_eq!(shown(&blocks[2]), ("console", "shown\n"));
        assert_eq!(shown(&blocks[3]), ("text", "# kept\n"));
    }

    #[test]
    fn book_toml_gives_metadata_and_options() {
        let text = "[book]\ntitle = \"Guide\"\nauthors = [\"A\", \"B\"]\nlanguage = \"fr\"\n\
                    description = \"D\"\n\n[output.html.code.hidelines]\npython = \"~\"\n\n\
                    [output.bindery]\nsubtitle = \"S\"\nnumbered = true\nto = [\"epub\"]\n\
                    command = \"bindery mdbook\"\n";
        let table: toml::Table = text.parse().unwrap();
        let found = settings(&table, Path::new("book.toml"), Some(text)).unwrap();
        assert_eq!(found.meta.title.as_deref(), Some("Guide"));
        assert_eq!(found.meta.authors, ["A", "B"]);
        assert_eq!(found.meta.lang.as_deref(), Some("fr"));
        assert_eq!(found.meta.subtitle.as_deref(), Some("S"));
        assert!(found.meta.extra.is_empty(), "{:?}", found.meta.extra);
        assert!(found.numbered);
        assert_eq!(found.src, "src");
        assert_eq!(found.mdbook.formats, Some(vec!["epub".to_string()]));
        assert_eq!(
            found.mdbook.hidelines.get("python").map(String::as_str),
            Some("~")
        );

        let text = "[book]\nsrc = \"../elsewhere\"\n";
        let table: toml::Table = text.parse().unwrap();
        let err = settings(&table, Path::new("book.toml"), Some(text))
            .err()
            .unwrap();
        assert!(matches!(&err, Error::Syntax { line: 1, .. }), "{err}");
        let text = "[book]\ntitle = \"T\"\n\n[output.bindery]\nnumbered = \"yes\"\n";
        let table: toml::Table = text.parse().unwrap();
        let err = settings(&table, Path::new("book.toml"), Some(text))
            .err()
            .unwrap();
        assert!(matches!(&err, Error::Syntax { line: 4, .. }), "{err}");
    }
}
