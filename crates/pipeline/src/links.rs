//! Links between the articles of one build.
//!
//! `[see](other.md#part)` in an article is written for the Markdown sources. In a build, the
//! reader of the HTML page wants `other.html#part`, the reader of the PDF `other.pdf#part`, and
//! so on: a relative link to another Markdown source that is part of the build is pointed at
//! that document's output of the same format. EPUB cannot link outside itself, so it links to
//! the HTML page when the build knows where the pages are published (`--base-url`); otherwise
//! the link's text stays, without the link, with a warning. A link to a Markdown file that is
//! not part of the build keeps its text, loses its link and is reported at its own line:col,
//! as a book does with a link to a missing chapter. JSON keeps every URL as written: it is the
//! source's model.
//!
//! What a link resolves to depends on the other documents of the build, not only on the
//! document's own bytes, so the resolutions are part of each output's cache key
//! ([`ArticleLinks::key_fields`]).
//!
//! A link with a fragment (`other.md#part`) is checked against the other article's heading
//! ids, the ids every writer gives its headings ([`for_each_anchor_id`]): a fragment that
//! names none is reported at the link's line:col, and the link is kept (the document exists;
//! pandoc and mdBook keep such links too). Articles are read one at a time (see
//! [`crate::schedule`]), so the linked article is read again for its ids, once per build:
//! [`Articles`] remembers each one's ids, which costs a parse of each article some other
//! article links into with a fragment, and memory for those articles' ids only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bindery_model::{
    Document, Inline, Warning, for_each_anchor_id, for_each_inline, walk_inline_lists_mut,
};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::assets::{is_local, percent_decode};
use crate::plan::{Source, SourceKind};
use crate::read::{read_document, read_input};
use crate::{Format, Settings};

/// The articles of a build, by their normalised source path: where links between them point.
/// One entry per planned article (about a hundred bytes each), plus the heading ids of the
/// articles that links with a fragment point into, read on first use.
#[derive(Debug, Default)]
pub(crate) struct Articles {
    stems: HashMap<PathBuf, (PathBuf, PathBuf)>,
    /// Heading ids by normalised source path; `None` for an article that could not be read
    /// (its own job reports why), whose fragments are then not checked.
    anchors: Mutex<HashMap<PathBuf, Arc<Option<HashSet<String>>>>>,
}

impl Articles {
    /// Every article of the plan (all shards: a link may point into another shard's part).
    pub(crate) fn new<'a>(sources: impl IntoIterator<Item = &'a Source>) -> Self {
        let stems = sources
            .into_iter()
            .filter(|s| s.kind == SourceKind::Article)
            .map(|s| (normalise(&s.path), (s.stem.clone(), s.path.clone())))
            .collect();
        Self {
            stems,
            anchors: Mutex::default(),
        }
    }

    /// The heading ids of the article at `key` (its source `path`), read once per build. Two
    /// jobs asking at once may both read it; the lock is never held while reading.
    fn anchors(
        &self,
        key: &Path,
        path: &Path,
        settings: &Settings,
    ) -> Arc<Option<HashSet<String>>> {
        let memo = || self.anchors.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = memo().get(key) {
            return Arc::clone(known);
        }
        let ids = read_input(Some(path), path, settings.max_input)
            .ok()
            .and_then(|bytes| read_document(path, &bytes, settings).ok())
            .map(|warned| {
                let mut ids = HashSet::new();
                for_each_anchor_id(&warned.output.blocks, &mut |id| {
                    ids.insert(id.to_string());
                });
                ids
            });
        let ids = Arc::new(ids);
        memo().insert(key.to_path_buf(), Arc::clone(&ids));
        ids
    }
}

/// How the links of one article to other Markdown sources resolve in this build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ArticleLinks {
    /// The URL as written -> the target's output stem relative to the build's output
    /// directory (`/`-separated), with the fragment (`#part`, or empty); `None` for a source
    /// that is not part of the build.
    targets: BTreeMap<String, Option<(String, String)>>,
    /// This article's own stem, `/`-separated: relative links are made from its folder.
    from: String,
}

/// Characters escaped in a path segment of a rewritten link (RFC 3986 `pchar` keeps the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl ArticleLinks {
    /// Finds the links of `document` (the article `source`) to Markdown sources and resolves
    /// each against `articles`; a link to a source outside the build, or to a heading the
    /// other article does not have, is reported once per place it is written.
    pub(crate) fn resolve(
        document: &Document,
        source: &Source,
        articles: &Articles,
        settings: &Settings,
        warnings: &mut Vec<Warning>,
    ) -> Self {
        let mut links = Self {
            targets: BTreeMap::new(),
            from: slash_path(&source.stem),
        };
        let dir = source.path.parent().unwrap_or(Path::new(""));
        for_each_inline(&document.blocks, &mut |inline| {
            let Inline::Link { target, .. } = inline else {
                return;
            };
            let Some((path, fragment)) = markdown_link(&target.url) else {
                return;
            };
            let key = normalise(&dir.join(percent_decode(path)));
            let found = articles.stems.get(&key);
            let stem = found.map(|(stem, _)| (slash_path(stem), fragment.to_string()));
            if let Some((_, other)) = found
                && let Some(id) = fragment.strip_prefix('#').filter(|id| !id.is_empty())
                && let Some(ids) = articles.anchors(&key, other, settings).as_ref()
                && !ids.contains(percent_decode(id).as_str())
            {
                warnings.push(
                    Warning::new(
                        format!(
                            "link to `{}`: `{path}` has no heading with the id `{id}`",
                            target.url
                        ),
                        target.span,
                    )
                    .of_kind(bindery_model::WarningKind::BrokenLink)
                    .with_hint(
                        "the link leads to the top of that document; a heading's id is its \
                         text in lower case, with hyphens for spaces",
                    ),
                );
            }
            if stem.is_none() {
                warnings.push(
                    Warning::new(
                        format!("link to `{}`: no such document in this build", target.url),
                        target.span,
                    )
                    .of_kind(bindery_model::WarningKind::BrokenLink)
                    .with_hint(
                        "the link text is kept without the link; build the linked file too, \
                         or link to its published address",
                    ),
                );
            }
            links.targets.insert(target.url.clone(), stem);
        });
        links
    }

    /// True when the article links to no other Markdown source.
    pub(crate) fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// What the cache key must cover: each URL and where it resolved.
    pub(crate) fn key_fields(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.targets
            .iter()
            .map(|(url, target)| (url.as_str(), target.as_ref().map(|(stem, _)| stem.as_str())))
    }

    /// `document` with its links to other articles pointed at their `format` outputs, or
    /// `None` when nothing changes (no such link, or JSON). EPUB links to the published HTML
    /// page under `base_url`, or keeps the text with a warning when there is none.
    pub(crate) fn apply(
        &self,
        document: &Document,
        format: Format,
        base_url: Option<&str>,
    ) -> Option<(Document, Vec<Warning>)> {
        if self.is_empty() || format == Format::Json {
            return None;
        }
        let mut document = document.clone();
        let mut warnings = Vec::new();
        walk_inline_lists_mut(&mut document.blocks, &mut |inlines| {
            let mut i = 0;
            while i < inlines.len() {
                if let Inline::Link { target, .. } = &mut inlines[i]
                    && let Some(resolved) = self.targets.get(&target.url)
                {
                    let url = match (resolved, format) {
                        (None, _) => None,
                        // A link to a part of this very document stays inside it.
                        (Some((stem, fragment)), _)
                            if *stem == self.from && !fragment.is_empty() =>
                        {
                            Some(fragment.clone())
                        }
                        (Some((stem, _)), Format::Epub) if *stem == self.from => None,
                        (Some((stem, fragment)), Format::Epub) => match base_url {
                            Some(base) => Some(format!(
                                "{}/{}.html{fragment}",
                                base.trim_end_matches('/'),
                                encode(stem)
                            )),
                            None => {
                                warnings.push(
                                    Warning::new(
                                        format!(
                                            "link to `{}`: an EPUB cannot link to another \
                                             document of the build",
                                            target.url
                                        ),
                                        target.span,
                                    )
                                    .of_kind(bindery_model::WarningKind::UnsupportedLink)
                                    .with_hint(
                                        "give --base-url with the address the HTML pages are \
                                         published at, and the EPUB links to them",
                                    ),
                                );
                                None
                            }
                        },
                        (Some((stem, fragment)), _) => Some(format!(
                            "{}.{}{fragment}",
                            encode(&relative(&self.from, stem)),
                            format.extension()
                        )),
                    };
                    match url {
                        Some(url) => target.url = url,
                        None => {
                            if let Inline::Link { content, .. } = inlines.remove(i) {
                                let n = content.len();
                                inlines.splice(i..i, content);
                                i += n;
                            }
                            continue;
                        }
                    }
                }
                i += 1;
            }
        });
        Some((document, warnings))
    }
}

/// The path and fragment (with its `#`) of a relative link to a Markdown file.
fn markdown_link(url: &str) -> Option<(&str, &str)> {
    let (path, fragment) = match url.find('#') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let path = path.split('?').next().unwrap_or(path);
    let lower = path.to_ascii_lowercase();
    let markdown = lower.ends_with(".md") || lower.ends_with(".markdown");
    (markdown && is_local(path) && !path.starts_with('/')).then_some((path, fragment))
}

/// `path` without `.` and with `..` applied, as far as the path itself says (no file system
/// access: a link names a source the plan found, by the same spelling rules).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A relative path as `/`-separated text.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The path from the folder of the output `from` to the output `to` (both stems relative to
/// the output directory, `/`-separated).
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// Each segment of a `/`-separated path percent-encoded for a URL.
fn encode(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(relative("a", "b"), "b");
        assert_eq!(relative("x/a", "x/b"), "b");
        assert_eq!(relative("x/a", "b"), "../b");
        assert_eq!(relative("a", "y/b"), "y/b");
        assert_eq!(relative("x/y/a", "x/z/b"), "../z/b");
        assert_eq!(relative("x/a", "x/x"), "x");
    }

    #[test]
    fn only_relative_markdown_links_are_between_articles() {
        assert_eq!(markdown_link("b.md#part"), Some(("b.md", "#part")));
        assert_eq!(markdown_link("../x/B.MD"), Some(("../x/B.MD", "")));
        assert_eq!(markdown_link("b.markdown?x=1"), Some(("b.markdown", "")));
        assert_eq!(markdown_link("https://example.org/b.md"), None);
        assert_eq!(markdown_link("/b.md"), None);
        assert_eq!(markdown_link("#b.md"), None);
        assert_eq!(markdown_link("b.txt"), None);
    }

    #[test]
    fn segments_are_encoded_and_slashes_kept() {
        assert_eq!(encode("a b/c#d"), "a%20b/c%23d");
    }
}
