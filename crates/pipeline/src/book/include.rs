//! mdBook's link preprocessor, for books with a `book.toml`: `{{#include path}}` (with
//! `:ANCHOR`, `:LINE`, `:START:END` and open ranges), `{{#rustdoc_include ...}}`,
//! `{{#playground path attrs}}`, `{{#title text}}`, and `\{{#...}}` escaped.
//!
//! Only mdBook books get it: in a bindery book or an article the same braces are text (a
//! page documenting Handlebars' `{{#each}}` must keep it).
//!
//! The semantics follow mdBook's `preprocess/links.rs` and `utils/string.rs` as of 0.4/0.5:
//! line numbers count from 1 and a range's end is inclusive; `:N` alone is that one line;
//! anchor lines (`ANCHOR: name`, `ANCHOR_END: name`) are dropped from an anchored include;
//! `rustdoc_include` keeps every line and hides those outside the range or anchor with `# `;
//! includes are expanded inside included files, relative to the included file, at most
//! [`MAX_DEPTH`] deep. What mdBook only logs (a missing file, an unknown directive) is a
//! warning at the directive's file:line:col here, and the directive is kept as written, as
//! mdBook keeps it.
//!
//! Every file is read through the book's confined opening ([`read_inside`]): an include
//! never reads outside the book's root (by `..`, an absolute path or a symbolic link), nor
//! blocks on a FIFO; and the expanded text of a chapter is bounded by `--max-input`, so a
//! file included ten times, ten levels deep, is an error, not 10^10 copies.

use std::path::{Component, Path, PathBuf};

use bindery_model::{Span, Warning, WarningKind};

use crate::Error;
use crate::read::read_inside;

/// How deep includes nest (mdBook's `MAX_LINK_NESTED_DEPTH`).
pub(crate) const MAX_DEPTH: usize = 10;

/// Where a run of the expanded text's lines came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    /// The segment's first line in the expanded text, from 1.
    pub start: u32,
    /// The file its lines are from, as shown in messages.
    pub file: String,
    /// That first line's number in `file`.
    pub origin: u32,
}

/// A chapter after its directives were expanded.
#[derive(Debug, Default)]
pub(crate) struct Expanded {
    pub text: String,
    /// Line origins, in order of `start`; the first starts at line 1.
    pub segments: Vec<Segment>,
    /// The last `{{#title ...}}`, for the chapter page's `<title>`.
    pub title: Option<String>,
    /// Problems, each naming its file, line and column.
    pub warnings: Vec<Warning>,
    /// Every included file's path and bytes, for the cache key.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Expands the directives of `text`, the chapter at `path` (shown as `shown`); includes are
/// read inside `root`, and the result may hold at most `limit` bytes.
pub(crate) fn expand(
    text: &str,
    path: &Path,
    shown: &str,
    root: &Path,
    limit: u64,
) -> Result<Expanded, Error> {
    let mut expander = Expander {
        out: Expanded::default(),
        line: 1,
        root,
        limit,
        chapter: path,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    expander.run(text, dir, shown, 1, 0)?;
    Ok(expander.out)
}

struct Expander<'a> {
    out: Expanded,
    /// The current line of `out.text`, from 1.
    line: u32,
    root: &'a Path,
    limit: u64,
    chapter: &'a Path,
}

/// An included file: its path on disk, as shown, and the number of its first line taken.
type Source = (PathBuf, String, u32);

/// One directive as written.
struct Directive<'t> {
    name: &'t str,
    args: &'t str,
    /// Its byte length, braces included.
    len: usize,
}

/// The longest arguments a directive may have, in bytes.
const MAX_ARGS: usize = 4096;

/// The largest char boundary of `s` at or below `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// Parses `{{ #name args}}` at the start of `s` (mdBook's
/// `\{\{\s*#([a-zA-Z0-9_]+)\s*([^}]+)\}\}`).
fn directive(s: &str) -> Option<Directive<'_>> {
    let rest = s.strip_prefix("{{")?;
    let trimmed = rest.trim_start();
    let rest = trimmed.strip_prefix('#')?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after = &rest[name_len..];
    let args_start = after.len() - after.trim_start().len();
    let body = &after[args_start..];
    // Arguments are a path and a range, or a title: a brace further than this is not the
    // end of a directive, and an unclosed `{{#x` is not searched to the end of the text
    // each time (which made `{{#a ` repeated quadratic).
    let window = &body[..floor_char_boundary(body, MAX_ARGS)];
    let args_len = window.find('}').filter(|&n| n > 0)?;
    if !body[args_len..].starts_with("}}") {
        return None;
    }
    let len = s.len() - rest.len() + name_len + args_start + args_len + 2;
    Some(Directive {
        name,
        args: &body[..args_len],
        len,
    })
}

/// Which lines an include takes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lines {
    /// 0-based start, exclusive end.
    Range(Option<usize>, Option<usize>),
    Anchor(String),
}

/// mdBook's `parse_range_or_anchor`: `""` is the whole file, `N` line N only, `N:` from N,
/// `:M` up to M, `N:M` both (1-based, inclusive), anything else an anchor's name.
fn lines_spec(spec: Option<&str>) -> Lines {
    let mut parts = spec.unwrap_or("").splitn(3, ':');
    let first = parts.next();
    let start = match first.map(|s| (s, s.parse::<usize>())) {
        Some((_, Ok(n))) => Some(n.saturating_sub(1)),
        Some(("", _)) | None => None,
        Some((anchor, Err(_))) => return Lines::Anchor(anchor.to_string()),
    };
    match (start, parts.next().map(str::parse::<usize>)) {
        (start, Some(Ok(end))) => Lines::Range(start, Some(end)),
        (start, Some(Err(_))) => Lines::Range(start, None),
        (Some(start), None) => Lines::Range(Some(start), Some(start + 1)),
        (None, None) => Lines::Range(None, None),
    }
}

fn in_range(index: usize, start: Option<usize>, end: Option<usize>) -> bool {
    start.is_none_or(|s| index >= s) && end.is_none_or(|e| index < e)
}

/// `ANCHOR: name` / `ANCHOR_END: name` anywhere in a line (mdBook's regexes,
/// `ANCHOR(_END)?:\s*([\w_-]+)`): the name, if the line holds one.
fn anchor_name<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    let mut from = 0;
    while let Some(at) = line[from..].find(marker) {
        let start = from + at;
        // `ANCHOR:` must not be the tail of `ANCHOR_END:` (that one is its own marker).
        let rest = line[start + marker.len()..].trim_start();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if len > 0 {
            return Some(&rest[..len]);
        }
        from = start + marker.len();
    }
    None
}

fn anchor_start(line: &str) -> Option<&str> {
    // `ANCHOR_END: x` contains no `ANCHOR:`, so one search tells them apart.
    anchor_name(line, "ANCHOR:")
}

fn anchor_end(line: &str) -> Option<&str> {
    anchor_name(line, "ANCHOR_END:")
}

/// The lines an `{{#include}}` takes (anchor marker lines dropped from an anchored one), and
/// the 1-based number of the first line taken in the file.
fn take(text: &str, lines: &Lines) -> (String, u32) {
    match lines {
        Lines::Range(start, end) => {
            let taken: Vec<&str> = text
                .lines()
                .enumerate()
                .filter(|(i, _)| in_range(*i, *start, *end))
                .map(|(_, l)| l)
                .collect();
            (taken.join("\n"), start.map_or(1, |s| s as u32 + 1))
        }
        Lines::Anchor(name) => {
            let mut taken = Vec::new();
            let mut first = None;
            let mut inside = false;
            for (i, line) in text.lines().enumerate() {
                if inside {
                    match anchor_end(line) {
                        Some(end) if end == name => break,
                        Some(_) => {}
                        None if anchor_start(line).is_none() => {
                            first.get_or_insert(i as u32 + 1);
                            taken.push(line);
                        }
                        None => {}
                    }
                } else if anchor_start(line) == Some(name.as_str()) {
                    inside = true;
                }
            }
            (taken.join("\n"), first.unwrap_or(1))
        }
    }
}

/// What `{{#rustdoc_include}}` takes: every line, those outside the range or anchor behind
/// `# ` (hidden in a Rust code block, kept for rustdoc).
fn take_rustdoc(text: &str, lines: &Lines) -> String {
    let mut out: Vec<String> = Vec::new();
    match lines {
        Lines::Range(start, end) => {
            for (i, line) in text.lines().enumerate() {
                if in_range(i, *start, *end) {
                    out.push(line.to_string());
                } else {
                    out.push(format!("# {line}"));
                }
            }
        }
        Lines::Anchor(name) => {
            let mut inside = false;
            for line in text.lines() {
                if inside {
                    match anchor_end(line) {
                        Some(end) if end == name => inside = false,
                        Some(_) => {}
                        None if anchor_start(line).is_none() => out.push(line.to_string()),
                        None => {}
                    }
                } else if let Some(start) = anchor_start(line) {
                    // Another anchor's start line is dropped, as mdBook drops it.
                    inside = start == name;
                } else if anchor_end(line).is_none() {
                    out.push(format!("# {line}"));
                }
            }
        }
    }
    out.join("\n")
}

/// `a/./b/../c` -> `a/c`, lexically, for the paths shown in messages.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Expander<'_> {
    fn push(&mut self, s: &str) -> Result<(), Error> {
        self.line = self
            .line
            .saturating_add(s.bytes().filter(|&b| b == b'\n').count() as u32);
        self.out.text.push_str(s);
        if self.out.text.len() as u64 > self.limit {
            return Err(Error::TooLarge {
                path: self.chapter.to_path_buf(),
                size: Some(self.out.text.len() as u64),
                limit: self.limit,
            });
        }
        Ok(())
    }

    /// Lines of the output from here on come from `file`, from its line `origin`.
    /// A line that holds both the end of an include and the rest of the directive's line
    /// counts as the directive's; a segment that continues the one before is not recorded.
    fn mark(&mut self, file: &str, origin: u32) {
        if self
            .out
            .segments
            .last()
            .is_some_and(|last| last.start == self.line)
        {
            self.out.segments.pop();
        }
        if let Some(last) = self.out.segments.last()
            && last.file == file
            && last.origin + (self.line - last.start) == origin
        {
            return;
        }
        self.out.segments.push(Segment {
            start: self.line,
            file: file.to_string(),
            origin,
        });
    }

    fn warn(&mut self, file: &str, line: u32, col: u32, message: String, hint: &str) {
        self.out.warnings.push(
            Warning::new(message, Some(Span::point(line, col)))
                .of_kind(WarningKind::Dropped)
                .with_hint(hint)
                .in_file(file.to_string()),
        );
    }

    /// Reads an included file relative to `dir`; `None` (and a warning) when it cannot be.
    fn read(
        &mut self,
        dir: &Path,
        rel: &str,
        at: (&str, u32, u32),
    ) -> Option<(String, PathBuf, String)> {
        let path = dir.join(rel.trim());
        let shown = tidy(&path).display().to_string();
        let (file, line, col) = at;
        let problem = match read_inside(self.root, &path, &path, self.limit) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    self.out
                        .files
                        .push((shown.clone(), text.as_bytes().to_vec()));
                    return Some((text, path, shown));
                }
                Err(_) => "it is not valid UTF-8".to_string(),
            },
            Err(e) => e.to_string(),
        };
        self.warn(
            file,
            line,
            col,
            format!("cannot include `{}`: {problem}", rel.trim()),
            "the directive is kept as written; include files are read relative to the \
             file that includes them, inside the book",
        );
        None
    }

    /// Copies `text` (from `file`, its first line numbered `origin`) with its directives
    /// expanded; `dir` is where its relative includes are read from.
    fn run(
        &mut self,
        text: &str,
        dir: &Path,
        file: &str,
        origin: u32,
        depth: usize,
    ) -> Result<(), Error> {
        self.mark(file, origin);
        let mut line = origin;
        let mut line_start = 0;
        // (byte offset, characters from `line_start` to it), for columns.
        let mut counted = (0usize, 0u32);
        let mut copied = 0;
        let mut search = 0;
        while let Some(found) = text[search..].find("{{") {
            let at = search + found;
            for (i, b) in text[search..at].bytes().enumerate() {
                if b == b'\n' {
                    line += 1;
                    line_start = search + i + 1;
                }
            }
            search = at + 2;
            // Columns are counted on from the last directive of the line, not from its
            // start each time (a 1 MB line of `{{` would make that quadratic).
            if counted.0 < line_start {
                counted = (line_start, 0);
            }
            counted.1 += text[counted.0..at].chars().count() as u32;
            counted.0 = at;
            let col = counted.1 + 1;
            let escaped = at > 0 && text.as_bytes()[at - 1] == b'\\';
            let Some(d) = directive(&text[at..]) else {
                continue;
            };
            let end = at + d.len;
            let count_lines = |s: &str| s.bytes().filter(|&b| b == b'\n').count() as u32;
            if escaped {
                // `\{{#include x}}` is the directive as text, without its backslash.
                self.push(&text[copied..at - 1])?;
                self.push(&text[at..end])?;
                copied = end;
                search = end;
                continue;
            }
            let here = (file, line, col);
            let replacement: Option<(String, Option<Source>)> = match d.name {
                "include" | "rustdoc_include" => {
                    let (rel, spec) = match d.args.split_once(':') {
                        Some((rel, spec)) => (rel, Some(spec.trim())),
                        None => (d.args, None),
                    };
                    let lines = lines_spec(spec);
                    self.read(dir, rel, here).map(|(content, path, shown)| {
                        if d.name == "include" {
                            let (taken, first) = take(&content, &lines);
                            (taken, Some((path, shown, first)))
                        } else {
                            (take_rustdoc(&content, &lines), Some((path, shown, 1)))
                        }
                    })
                }
                "playground" | "playpen" => {
                    let mut words = d.args.split_whitespace();
                    let rel = words.next().unwrap_or("");
                    let attrs: String = words.map(|w| format!(",{w}")).collect();
                    self.read(dir, rel, here).map(|(content, _, shown)| {
                        // The fence is written here, so its code is not expanded again.
                        let _ = shown;
                        (format!("```rust{attrs}\n{content}\n```\n"), None)
                    })
                }
                "title" => {
                    self.out.title = Some(d.args.trim().to_string());
                    Some((String::new(), None))
                }
                other => {
                    self.warn(
                        file,
                        line,
                        col,
                        format!("unknown mdBook directive `{{{{#{other}}}}}`"),
                        "it is kept as written; bindery expands include, rustdoc_include, \
                         playground and title",
                    );
                    None
                }
            };
            let Some((content, from)) = replacement else {
                continue;
            };
            self.push(&text[copied..at])?;
            match from {
                Some((path, shown, first)) if depth + 1 < MAX_DEPTH => {
                    let inner_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                    self.run(&content, &inner_dir, &shown, first, depth + 1)?;
                }
                Some((_, shown, first)) => {
                    if depth + 1 == MAX_DEPTH {
                        self.warn(
                            file,
                            line,
                            col,
                            format!(
                                "includes nest more than {MAX_DEPTH} deep; the directives of \
                                 `{shown}` are not expanded"
                            ),
                            "check for a file that includes itself",
                        );
                    }
                    self.mark(&shown, first);
                    self.push(&content)?;
                }
                None => self.push(&content)?,
            }
            line += count_lines(&text[at..end]);
            if let Some(nl) = text[at..end].rfind('\n') {
                line_start = at + nl + 1;
            }
            copied = end;
            search = end;
            // A directive alone on its line: the line ends with the included text, and this
            // file's lines resume on the next. Otherwise the line holding both the end of the
            // include and the rest of the directive's line counts as the directive's.
            let rest = &text[end..];
            if let Some(nl) = rest.find('\n')
                && rest[..nl].trim().is_empty()
            {
                self.push(&rest[..=nl])?;
                copied = end + nl + 1;
                search = copied;
                line += 1;
                line_start = copied;
            }
            self.mark(file, line);
        }
        self.push(&text[copied..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in list {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn run(dir: &Path, chapter: &str, text: &str) -> Expanded {
        let path = dir.join(chapter);
        expand(text, &path, chapter, dir, 1 << 20).unwrap()
    }

    const LISTING: &str = "use std::io;\n// ANCHOR: main\nfn main() {\n    // ANCHOR: body\n    \
                           println!(\"hi\");\n    // ANCHOR_END: body\n}\n// ANCHOR_END: main\n";

    #[test]
    fn ranges_follow_mdbook() {
        assert_eq!(lines_spec(None), Lines::Range(None, None));
        assert_eq!(lines_spec(Some("2")), Lines::Range(Some(1), Some(2)));
        assert_eq!(lines_spec(Some("2:")), Lines::Range(Some(1), None));
        assert_eq!(lines_spec(Some(":3")), Lines::Range(None, Some(3)));
        assert_eq!(lines_spec(Some("2:3")), Lines::Range(Some(1), Some(3)));
        assert_eq!(lines_spec(Some("main")), Lines::Anchor("main".into()));
        let s = "Lorem\nipsum\ndolor\nsit\namet";
        assert_eq!(take(s, &lines_spec(Some("2:3"))).0, "ipsum\ndolor");
        assert_eq!(take(s, &lines_spec(Some("4:"))).0, "sit\namet");
        assert_eq!(take(s, &lines_spec(Some(":3"))).0, "Lorem\nipsum\ndolor");
        assert_eq!(take(s, &lines_spec(Some("2"))), ("ipsum".into(), 2));
        assert_eq!(take(s, &lines_spec(Some("5:4"))).0, "");
        assert_eq!(take(s, &lines_spec(Some(":100"))).0, s);
        assert_eq!(
            take_rustdoc(s, &lines_spec(Some("2:3"))),
            "# Lorem\nipsum\ndolor\n# sit\n# amet"
        );
    }

    #[test]
    fn anchors_drop_their_markers_and_nested_ones() {
        assert_eq!(
            take(LISTING, &Lines::Anchor("main".into())),
            ("fn main() {\n    println!(\"hi\");\n}".into(), 3)
        );
        assert_eq!(
            take(LISTING, &Lines::Anchor("body".into())).0,
            "    println!(\"hi\");"
        );
        assert_eq!(take(LISTING, &Lines::Anchor("none".into())).0, "");
        assert_eq!(
            take_rustdoc(LISTING, &Lines::Anchor("body".into())),
            "# use std::io;\n# fn main() {\n    println!(\"hi\");\n# }"
        );
        // `ANCHOR_END` is not mistaken for a start of the same name.
        assert_eq!(anchor_start("// ANCHOR_END: x"), None);
        assert_eq!(anchor_end("// ANCHOR_END:x-y"), Some("x-y"));
    }

    #[test]
    fn includes_resolve_beside_the_including_file_and_nest() {
        let dir = files(&[
            ("listings/main.rs", LISTING),
            ("listings/part.md", "Part says {{#include main.rs:2}}.\n"),
            ("src/one.md", ""),
        ]);
        let text = "# One\n\n```rust\n{{#include ../listings/main.rs:main}}\n```\n\n\
                    {{#include ../listings/part.md}}\nEnd {{#title Custom}}\n";
        let out = run(dir.path(), "src/one.md", text);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            out.text,
            "# One\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\n\
             Part says // ANCHOR: main.\nEnd \n"
        );
        assert_eq!(out.title.as_deref(), Some("Custom"));
        assert_eq!(out.files.len(), 3);
        let at = |s: &Segment| (s.start, s.file.clone(), s.origin);
        let listing = dir.path().join("listings/main.rs").display().to_string();
        let part = dir.path().join("listings/part.md").display().to_string();
        assert_eq!(
            out.segments.iter().map(at).collect::<Vec<_>>(),
            [
                (1, "src/one.md".to_string(), 1),
                (4, listing, 3),
                (7, "src/one.md".to_string(), 5),
                (9, part, 1),
                (10, "src/one.md".to_string(), 8),
            ]
        );
    }

    #[test]
    fn escapes_unknown_directives_and_missing_files() {
        let dir = files(&[("x.rs", "fn x() {}\n")]);
        let text = "Write \\{{#include x.rs}} to include.\n\nA {{#each items}} and {{#include nope.rs}}.\n";
        let out = run(dir.path(), "c.md", text);
        assert_eq!(
            out.text,
            "Write {{#include x.rs}} to include.\n\nA {{#each items}} and {{#include nope.rs}}.\n"
        );
        let found: Vec<(u32, u32, bool)> = out
            .warnings
            .iter()
            .map(|w| {
                let s = w.span.unwrap();
                (s.line, s.col, w.file.as_deref() == Some("c.md"))
            })
            .collect();
        assert_eq!(found, [(3, 3, true), (3, 23, true)]);
        assert!(
            out.warnings[0]
                .message
                .contains("unknown mdBook directive `{{#each}}`")
        );
        assert!(out.warnings[1].message.contains("cannot include `nope.rs`"));
    }

    #[test]
    fn includes_stay_inside_the_root_and_the_size_limit() {
        let outside = files(&[("secret.txt", "secret\n")]);
        let dir = files(&[("c.md", "")]);
        let secret = outside.path().join("secret.txt");
        let text = format!(
            "{{{{#include {}}}}}\n{{{{#include ../{}/secret.txt}}}}\n",
            secret.display(),
            outside.path().file_name().unwrap().to_string_lossy()
        );
        let out = run(dir.path(), "c.md", &text);
        assert!(!out.text.contains("secret\n"), "{}", out.text);
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&secret, dir.path().join("link.txt")).unwrap();
            let out = run(dir.path(), "c.md", "{{#include link.txt}}\n");
            assert_eq!(out.text, "{{#include link.txt}}\n");
            assert_eq!(out.warnings.len(), 1);
        }
        // Ten copies ten levels deep is 10^10 lines; the limit stops it.
        let mut list = vec![("f9.md".to_string(), "x".repeat(1000))];
        for level in (0..9).rev() {
            let line = format!("{{{{#include f{}.md}}}}\n", level + 1);
            list.push((format!("f{level}.md"), line.repeat(10)));
        }
        let refs: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let dir = files(&refs);
        let path = dir.path().join("c.md");
        let err = expand("{{#include f0.md}}", &path, "c.md", dir.path(), 1 << 20).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    }

    #[test]
    fn a_file_including_itself_stops_at_the_depth_limit() {
        let dir = files(&[("loop.md", "again {{#include loop.md}}\n")]);
        let out = run(dir.path(), "c.md", "{{#include loop.md}}");
        assert_eq!(out.text.matches("again").count(), MAX_DEPTH);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("nest more than"));
    }

    #[test]
    fn unclosed_and_crowded_directives_stay_linear() {
        let dir = files(&[]);
        // 100,000 unclosed directive starts on one 0.5 MB line, and as many unknown ones.
        let open = "{{#a ".repeat(100_000);
        let started = std::time::Instant::now();
        let out = run(dir.path(), "c.md", &open);
        assert_eq!(out.text, open);
        assert!(out.warnings.is_empty());
        let unknown = "{{#x y}}".repeat(100_000);
        let out = run(dir.path(), "c.md", &unknown);
        assert_eq!(out.warnings.len(), 100_000);
        let last = out.warnings.last().unwrap().span.unwrap();
        assert_eq!((last.line, last.col), (1, 8 * 99_999 + 1));
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn playground_writes_a_rust_fence() {
        let dir = files(&[("ex.rs", "fn main() {}")]);
        let out = run(dir.path(), "c.md", "{{#playground ex.rs editable}}");
        assert_eq!(out.text, "```rust,editable\nfn main() {}\n```\n");
    }
}
