//! A book's chapter list: from `bindery.toml` (`chapters = [...]`), else from an mdBook-style
//! `SUMMARY.md` beside it.

use std::path::{Component, Path, PathBuf};

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::{Block, BlockKind, Inline, ListItem, Metadata, Warning, plain_text};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::Error;

/// The file that makes a directory a book.
pub const CONFIG_FILE: &str = "bindery.toml";
/// The chapter list used when `bindery.toml` has no `chapters`.
pub const SUMMARY_FILE: &str = "SUMMARY.md";

/// Whether the `bindery.toml` text is project defaults for `bindery build` rather than a
/// book: it holds only a `[build]` table (a book has a title, chapters or other metadata,
/// or a `SUMMARY.md` beside it, which the caller checks). Text that is not TOML is left to the
/// book loader, which reports where it breaks.
pub fn is_project_defaults(text: &str) -> bool {
    text.parse::<toml::Table>().is_ok_and(|table| {
        table.len() == 1 && table.get("build").is_some_and(toml::Value::is_table)
    })
}

/// Deeper chapter lists than this are refused (a heading has six levels).
const MAX_CHAPTER_DEPTH: u8 = 6;

/// One entry of the chapter list, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterRef {
    /// The chapter file, relative to the book directory with `/` separators; `None` for a part
    /// heading that has no file of its own.
    pub file: Option<String>,
    /// The title the list gives (a part's title, or a `SUMMARY.md` link's text).
    pub title: Option<String>,
    /// 1 for a top-level chapter, 2 for its sub-chapters, and so on.
    pub depth: u8,
    /// Whether it takes a number in a `numbered` book (not parts, nor `SUMMARY.md`'s prefix
    /// and suffix chapters).
    pub numbered: bool,
    /// `1.`, `2.1.`: set when the book is `numbered` and the entry is a numbered chapter.
    pub number: Option<String>,
}

/// What `bindery.toml` (and `SUMMARY.md`) say about a book.
#[derive(Debug, Clone)]
pub struct BookConfig {
    /// The book's metadata (title defaults to the directory name).
    pub meta: Metadata,
    /// The chapters in reading order.
    pub chapters: Vec<ChapterRef>,
    /// The bytes of `bindery.toml` and `SUMMARY.md` (when read), for cache keys.
    pub bytes: Vec<u8>,
    /// Problems that did not stop the book (draft chapters skipped).
    pub warnings: Vec<Warning>,
    /// The chapters' folder relative to the book, `/`-separated: empty for a bindery
    /// book, `src` (or `[book] src`) for an mdBook.
    pub src: String,
    /// Set for an mdBook (a `book.toml`): its chapters take mdBook's preprocessing.
    pub mdbook: Option<super::mdbook::Mdbook>,
}

/// What a book's configuration gave, for [`finish`] to check.
pub(super) struct Parts {
    pub meta: Metadata,
    pub numbered: bool,
    pub chapters: Vec<ChapterRef>,
    pub bytes: Vec<u8>,
    pub warnings: Vec<Warning>,
    pub src: String,
    pub mdbook: Option<super::mdbook::Mdbook>,
    /// The configuration file and its text, where errors about `chapters` point.
    pub errors_in: (PathBuf, String),
    /// `SUMMARY.md` and its text, when the chapters come from it.
    pub summary: Option<(PathBuf, String)>,
}

/// One `chapters` entry as written in TOML.
#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    File(String),
    Node(Node),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Node {
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    chapters: Vec<Entry>,
}

const CHAPTERS_HINT: &str = "each entry is \"file.md\", { file = \"file.md\", chapters = [...] } \
                             or { title = \"Part title\", chapters = [...] }";

/// Reads `dir/bindery.toml` and the chapter list; each file holds at most `max_input` bytes.
pub fn load(dir: &Path, max_input: u64) -> Result<BookConfig, Error> {
    if dir.join(super::mdbook::BOOK_TOML).is_file() {
        return super::mdbook::load_config(dir, max_input);
    }
    let config_path = dir.join(CONFIG_FILE);
    let read = |path: &Path| crate::read::read_inside(dir, path, path, max_input);
    let bytes = read(&config_path)?;
    let text = utf8(&config_path, &bytes)?;
    let mut meta = bindery_markdown::parse_toml_metadata(text).map_err(|e| match e {
        bindery_markdown::ReadError::FrontMatter {
            line,
            col,
            message,
            hint,
        } => Error::Syntax {
            path: config_path.clone(),
            line,
            col,
            message: message.replace("invalid TOML front matter", "invalid TOML"),
            hint: Some(hint.replace("front matter is TOML between +++ lines: ", "")),
        },
    })?;
    let numbered = match meta.extra.remove("numbered") {
        None => false,
        Some(Json::Bool(b)) => b,
        Some(_) => {
            return Err(syntax(
                &config_path,
                text,
                "numbered",
                "`numbered` must be true or false".into(),
                None,
            ));
        }
    };
    let mut all_bytes = bytes.clone();
    let mut warnings = Vec::new();
    // SUMMARY.md and its text when the chapter list comes from it, for error lines.
    let mut summary_text: Option<(PathBuf, String)> = None;
    let chapters = match meta.extra.remove("chapters") {
        Some(value) => {
            let entries: Vec<Entry> = serde_json::from_value(value).map_err(|e| {
                syntax(
                    &config_path,
                    text,
                    "chapters",
                    format!("invalid `chapters` list: {e}"),
                    Some(CHAPTERS_HINT),
                )
            })?;
            let mut out = Vec::new();
            flatten(&entries, 1, &mut out).map_err(|message| {
                syntax(&config_path, text, "chapters", message, Some(CHAPTERS_HINT))
            })?;
            out
        }
        None => {
            let summary_path = dir.join(SUMMARY_FILE);
            if !summary_path.is_file() {
                return Err(Error::Syntax {
                    path: config_path,
                    line: 1,
                    col: 1,
                    message: "the book has no chapter list".into(),
                    hint: Some(format!(
                        "add `chapters = [\"intro.md\", ...]` to {CONFIG_FILE}, or write a \
                         {SUMMARY_FILE} beside it"
                    )),
                });
            }
            let summary = read(&summary_path)?;
            let text = utf8(&summary_path, &summary)?;
            let found = summary_chapters(&summary_path, text)?;
            warnings.extend(found.1);
            summary_text = Some((summary_path.clone(), text.to_string()));
            all_bytes.extend_from_slice(&summary);
            found.0
        }
    };
    finish(
        dir,
        Parts {
            meta,
            numbered,
            chapters,
            bytes: all_bytes,
            warnings,
            src: String::new(),
            mdbook: None,
            errors_in: (config_path, text.to_string()),
            summary: summary_text,
        },
    )
}

/// Checks the chapter list (paths inside the book, each listed once), numbers it, and
/// names an untitled book after its directory.
pub(super) fn finish(dir: &Path, parts: Parts) -> Result<BookConfig, Error> {
    let Parts {
        mut meta,
        numbered,
        mut chapters,
        bytes: all_bytes,
        warnings,
        src,
        mdbook,
        errors_in: (config_path, text),
        summary: summary_text,
    } = parts;
    let text = text.as_str();
    // An mdBook's chapters come from SUMMARY.md or mdBook's render context, not `chapters`.
    let hint = if mdbook.is_some() {
        "an mdBook's chapter paths are relative to its `src` folder and stay inside it"
    } else {
        CHAPTERS_HINT
    };
    for chapter in &chapters {
        if let Some(file) = &chapter.file {
            check_relative(file)
                .map_err(|message| syntax(&config_path, text, "chapters", message, Some(hint)))?;
        }
    }
    // A chapter listed twice would be read, stored and rendered twice (a 1 MB chapter listed
    // 300 times made a 300 MB text file), and its two site pages would be one file.
    let mut seen = std::collections::BTreeSet::new();
    for chapter in &chapters {
        if let Some(file) = &chapter.file
            && !seen.insert(file.as_str())
        {
            let message = format!("chapter `{file}` is listed more than once");
            let hint = Some("list each chapter file once");
            return Err(match &summary_text {
                None => syntax(&config_path, text, "chapters", message, hint),
                Some((summary_path, summary)) => {
                    let line = summary
                        .lines()
                        .enumerate()
                        .filter(|(_, l)| l.contains(file.as_str()))
                        .nth(1)
                        .map_or(1, |(i, _)| i + 1);
                    Error::Syntax {
                        path: summary_path.clone(),
                        line: line as u32,
                        col: 1,
                        message,
                        hint: hint.map(str::to_string),
                    }
                }
            });
        }
    }
    if numbered {
        number(&mut chapters);
    }
    if meta.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        meta.title = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    }
    Ok(BookConfig {
        meta,
        chapters,
        bytes: all_bytes,
        warnings,
        src,
        mdbook,
    })
}

pub(super) fn utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Error> {
    std::str::from_utf8(bytes).map_err(|_| Error::Syntax {
        path: path.to_path_buf(),
        line: 1,
        col: 1,
        message: "the file is not valid UTF-8".into(),
        hint: Some("save the file as UTF-8".into()),
    })
}

/// An error located at the line where `key` is set (TOML values carry no position once
/// converted; the key's line is where the user looks).
fn syntax(path: &Path, text: &str, key: &str, message: String, hint: Option<&str>) -> Error {
    let line = text
        .lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1);
    Error::Syntax {
        path: path.to_path_buf(),
        line: line as u32,
        col: 1,
        message,
        hint: hint.map(str::to_string),
    }
}

fn flatten(entries: &[Entry], depth: u8, out: &mut Vec<ChapterRef>) -> Result<(), String> {
    if depth > MAX_CHAPTER_DEPTH {
        return Err(format!(
            "chapters are nested more than {MAX_CHAPTER_DEPTH} levels deep"
        ));
    }
    for entry in entries {
        match entry {
            Entry::File(file) => out.push(ChapterRef {
                file: Some(file.clone()),
                title: None,
                depth,
                numbered: true,
                number: None,
            }),
            Entry::Node(node) => {
                if node.file.is_none() && node.title.is_none() {
                    return Err("a chapter entry needs a `file` or a `title`".into());
                }
                out.push(ChapterRef {
                    file: node.file.clone(),
                    title: node.title.clone(),
                    depth,
                    numbered: node.file.is_some(),
                    number: None,
                });
                flatten(&node.chapters, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

/// Whether the relative path `file` stays inside the directory it is relative to.
pub(super) fn is_inside(file: &str) -> bool {
    let path = Path::new(file);
    !(path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_))))
}

/// A chapter path must name a Markdown file inside the book directory.
fn check_relative(file: &str) -> Result<(), String> {
    if !is_inside(file) {
        return Err(format!(
            "chapter `{file}` is outside the book directory; chapter paths are relative to it"
        ));
    }
    let markdown = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown"));
    if !markdown {
        return Err(format!("chapter `{file}` is not a Markdown (.md) file"));
    }
    Ok(())
}

/// Numbers the chapters that take a number, `1.`, `1.1.`, ...: a part's chapters are numbered
/// as if the part were not there, counting on across parts as mdBook does.
fn number(chapters: &mut [ChapterRef]) {
    let mut counters: Vec<u32> = Vec::new();
    // Depths of the parts (unnumbered entries) enclosing the current entry.
    let mut enclosing: Vec<u8> = Vec::new();
    for chapter in chapters {
        while enclosing.last().is_some_and(|&d| d >= chapter.depth) {
            enclosing.pop();
        }
        if !chapter.numbered {
            enclosing.push(chapter.depth);
            continue;
        }
        let level = (chapter.depth as usize)
            .saturating_sub(enclosing.len())
            .max(1);
        counters.resize(level, 0);
        counters[level - 1] += 1;
        chapter.number = Some(counters.iter().map(|n| format!("{n}.")).collect());
    }
}

/// Reads mdBook's `SUMMARY.md`: a first `# Title` (ignored), prefix chapters as links before
/// the first list, numbered chapters as nested list items, `# Part` headings between lists,
/// suffix chapters after; `[Draft]()` links are skipped with a warning.
pub(super) fn summary_chapters(
    path: &Path,
    text: &str,
) -> Result<(Vec<ChapterRef>, Vec<Warning>), Error> {
    let options = ReadOptions {
        dialect: Dialect::Markdown,
        file_name: Some(SUMMARY_FILE.into()),
    };
    let parsed = bindery_markdown::parse(text, &options).map_err(|e| match e {
        bindery_markdown::ReadError::FrontMatter {
            line,
            col,
            message,
            hint,
        } => Error::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message,
            hint: Some(hint),
        },
    })?;
    let file = path.display().to_string();
    let mut found = Summary {
        chapters: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, block) in parsed.output.blocks.iter().enumerate() {
        match &block.kind {
            BlockKind::Heading { content, .. } if i > 0 || !found.chapters.is_empty() => {
                found.chapters.push(ChapterRef {
                    file: None,
                    title: Some(plain_text(content)),
                    depth: 1,
                    numbered: false,
                    number: None,
                });
            }
            BlockKind::Para(inlines) | BlockKind::Plain(inlines) => {
                found.links(inlines, 1, block, false);
            }
            BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                found.list(items, 1, block)
            }
            _ => {}
        }
    }
    let warnings = found
        .warnings
        .into_iter()
        .map(|w| w.in_file(file.clone()))
        .collect();
    Ok((found.chapters, warnings))
}

struct Summary {
    chapters: Vec<ChapterRef>,
    warnings: Vec<Warning>,
}

impl Summary {
    fn list(&mut self, items: &[ListItem], depth: u8, parent: &Block) {
        if depth > MAX_CHAPTER_DEPTH {
            self.warnings.push(
                Warning::new(
                    format!(
                        "chapters nested more than {MAX_CHAPTER_DEPTH} levels deep are skipped"
                    ),
                    parent.span,
                )
                .of_kind(bindery_model::WarningKind::Dropped),
            );
            return;
        }
        for item in items {
            for block in &item.blocks {
                match &block.kind {
                    BlockKind::Para(inlines) | BlockKind::Plain(inlines) => {
                        self.links(inlines, depth, block, true)
                    }
                    BlockKind::BulletList(items) | BlockKind::OrderedList { items, .. } => {
                        self.list(items, depth + 1, block)
                    }
                    _ => {}
                }
            }
        }
    }

    /// Chapters from the links in `inlines`: numbered inside a list, prefix or suffix
    /// chapters outside one.
    fn links(&mut self, inlines: &[Inline], depth: u8, block: &Block, numbered: bool) {
        for inline in inlines {
            if let Inline::Link {
                target, content, ..
            } = inline
            {
                let title = plain_text(content);
                if target.url.trim().is_empty() {
                    self.warnings.push(
                        Warning::new(format!("draft chapter `{title}` is skipped"), block.span)
                            .of_kind(bindery_model::WarningKind::Dropped)
                            .with_hint("give the link a target file to include the chapter"),
                    );
                    continue;
                }
                let url = target.url.split('#').next().unwrap_or("");
                self.chapters.push(ChapterRef {
                    file: Some(crate::assets::percent_decode(url)),
                    title: Some(title),
                    depth,
                    numbered,
                    number: None,
                });
            }
        }
    }
}

/// Normalises `base/rel` lexically (`.` and `..` resolved), `None` when `..` climbs out.
pub(crate) fn join_relative(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The directory part of a book-relative file path (`a/b.md` -> `a`).
pub(crate) fn parent_dir(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dir` joined with a book-relative `/` path.
pub(crate) fn on_disk(dir: &Path, file: &str) -> PathBuf {
    file.split('/')
        .fold(dir.to_path_buf(), |p, part| p.join(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn listing(config: &BookConfig) -> Vec<String> {
        config
            .chapters
            .iter()
            .map(|c| {
                format!(
                    "{}{} {}{}",
                    "  ".repeat(c.depth as usize - 1),
                    c.number.as_deref().unwrap_or("-"),
                    c.file.as_deref().unwrap_or("(part)"),
                    c.title
                        .as_deref()
                        .map(|t| format!(" \"{t}\""))
                        .unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn only_a_build_table_is_project_defaults() {
        assert!(is_project_defaults("[build]\nto = [\"html\"]\n"));
        assert!(is_project_defaults("# defaults\n[build]\n"));
        assert!(!is_project_defaults(
            "title = \"T\"\n[build]\nto = \"pdf\"\n"
        ));
        assert!(!is_project_defaults(
            "title = \"T\"\nchapters = [\"a.md\"]\n"
        ));
        assert!(!is_project_defaults(""));
        assert!(!is_project_defaults("build = 1\n"));
        assert!(!is_project_defaults("[build\n"));
    }

    #[test]
    fn nested_chapters_and_parts_are_numbered_in_order() {
        let dir = book(&[(
            CONFIG_FILE,
            "title = \"T\"\nnumbered = true\nchapters = [\n  \"intro.md\",\n  { file = \"a.md\", chapters = [\"a/one.md\", \"a/two.md\"] },\n  { title = \"Reference\", chapters = [\"ref.md\"] },\n]\n",
        )]);
        let config = load(dir.path(), 1 << 20).unwrap();
        assert_eq!(config.meta.title.as_deref(), Some("T"));
        assert!(config.meta.extra.is_empty(), "{:?}", config.meta.extra);
        assert_eq!(
            listing(&config),
            [
                "1. intro.md",
                "2. a.md",
                "  2.1. a/one.md",
                "  2.2. a/two.md",
                "- (part) \"Reference\"",
                "  3. ref.md",
            ]
        );
    }

    #[test]
    fn summary_md_gives_prefix_numbered_parts_and_drafts() {
        let dir = book(&[
            (CONFIG_FILE, "title = \"T\"\nnumbered = true\n"),
            (
                SUMMARY_FILE,
                "# Summary\n\n[Preface](preface.md)\n\n- [One](one.md)\n  - [One A](one/a.md)\n- [Draft]()\n\n# Part Two\n\n- [Two](two%20words.md#x)\n\n[Appendix](appendix.md)\n",
            ),
        ]);
        let config = load(dir.path(), 1 << 20).unwrap();
        assert_eq!(
            listing(&config),
            [
                "- preface.md \"Preface\"",
                "1. one.md \"One\"",
                "  1.1. one/a.md \"One A\"",
                "- (part) \"Part Two\"",
                "2. two words.md \"Two\"",
                "- appendix.md \"Appendix\"",
            ]
        );
        assert_eq!(config.warnings.len(), 1);
        assert!(config.warnings[0].message.contains("draft chapter `Draft`"));
        assert_eq!(config.warnings[0].span.map(|s| s.line), Some(7));
    }

    #[test]
    fn errors_point_at_the_line() {
        let dir = book(&[(
            CONFIG_FILE,
            "title = \"T\"\nchapters = [\"../outside.md\"]\n",
        )]);
        let err = load(dir.path(), 1 << 20).unwrap_err();
        assert!(
            matches!(&err, Error::Syntax { line: 2, message, .. } if message.contains("outside the book")),
            "{err}"
        );
        let dir = book(&[(CONFIG_FILE, "title = \"T\"\nnumbered = \"yes\"\n")]);
        assert!(matches!(
            load(dir.path(), 1 << 20),
            Err(Error::Syntax { line: 2, .. })
        ));
        let dir = book(&[(
            CONFIG_FILE,
            "title = \"T\"\nchapters = [{ name = \"x.md\" }]\n",
        )]);
        assert!(matches!(
            load(dir.path(), 1 << 20),
            Err(Error::Syntax { line: 2, .. })
        ));
        let dir = book(&[(CONFIG_FILE, "title = \"T\n")]);
        assert!(matches!(
            load(dir.path(), 1 << 20),
            Err(Error::Syntax { line: 1, .. })
        ));
        let dir = book(&[(CONFIG_FILE, "title = \"T\"\n")]);
        let err = load(dir.path(), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("no chapter list"), "{err}");
    }

    #[test]
    fn relative_paths_join_lexically() {
        assert_eq!(join_relative("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join_relative("", "./x/y.md").as_deref(), Some("x/y.md"));
        assert_eq!(join_relative("a", "../../x.md"), None);
        assert_eq!(parent_dir("a/b/c.md"), "a/b");
        assert_eq!(parent_dir("c.md"), "");
    }
}
