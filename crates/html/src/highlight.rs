//! Syntax highlighting at build time: syntect scopes become `hl-` CSS classes, and the theme
//! colours travel in the page's stylesheet, so the page needs no JavaScript.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Class prefix for highlighted tokens, so theme rules cannot collide with the page's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Token colours on the light page background.
const LIGHT_THEME: &str = "InspiredGitHub";
/// Token colours under `prefers-color-scheme: dark`.
const DARK_THEME: &str = "base16-ocean.dark";

/// What the HTML writer needs from outside the document: syntect's syntax definitions and the
/// theme CSS derived from them.
///
/// Loading takes tens of milliseconds, so the pipeline builds one per process and shares it
/// between its worker threads (it is `Send + Sync`).
///
/// It also remembers the code it highlighted: a run writing HTML and EPUB renders each code
/// block twice, and highlighting is most of either writer's time. Up to [`MEMO_BYTES`] of
/// source are remembered, then the memo starts again; it changes how fast a page is written,
/// never what is written.
pub struct Resources {
    syntaxes: SyntaxSet,
    theme_css: String,
    memo: Mutex<Memo>,
    /// [`MEMO_BYTES`], smaller in tests.
    memo_limit: usize,
}

/// Source bytes of code the memo holds before it is emptied (its highlighted HTML is a few
/// times more).
pub const MEMO_BYTES: usize = 16 << 20;

/// Highlighted code by language and text. Each entry is a cell that the first writer to need it
/// fills while any other waits, so two formats rendered at once highlight a block once.
#[derive(Default)]
struct Memo {
    entries: HashMap<(String, String), Arc<Cell>>,
    bytes: usize,
}

/// One block's highlighting: empty until done, then the HTML, or `None` if it cannot be.
type Cell = OnceLock<Option<Arc<str>>>;

impl Resources {
    /// Loads syntect's bundled syntaxes and renders the light and dark theme CSS.
    pub fn new() -> Self {
        let themes = ThemeSet::load_defaults();
        // Each theme applies under its own media query, so no rule of the light theme that
        // the dark one lacks can leak dark-on-dark colours; paper always gets the light one.
        let mut theme_css = String::new();
        for (name, media) in [
            (LIGHT_THEME, "print, (prefers-color-scheme: light)"),
            (DARK_THEME, "screen and (prefers-color-scheme: dark)"),
        ] {
            // Both themes ship with syntect: a failure here is a broken build, not bad input.
            if let Some(css) = themes
                .themes
                .get(name)
                .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            {
                theme_css.push_str(&format!("@media {media} {{\n{css}}}\n"));
            }
        }
        Self {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            theme_css,
            memo: Mutex::default(),
            memo_limit: MEMO_BYTES,
        }
    }

    /// The CSS giving highlighted tokens their colours: a light theme for light screens and
    /// print, a dark one for dark screens.
    pub fn theme_css(&self) -> &str {
        &self.theme_css
    }

    /// Whether `lang` names a syntax [`Resources::highlight`] knows.
    pub(crate) fn knows(&self, lang: &str) -> bool {
        self.syntaxes.find_syntax_by_token(lang).is_some()
    }

    /// `code` as classed `<span>`s when `lang` names a known syntax; `None` for an unknown
    /// language, or when the grammar fails on this input, so the caller falls back to plain text.
    pub(crate) fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        let cell = {
            // A panic elsewhere while the lock was held leaves the map usable.
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            let key = (lang.to_owned(), code.to_owned());
            if let Some(cell) = memo.entries.get(&key) {
                Arc::clone(cell)
            } else {
                if memo.bytes + code.len() > self.memo_limit {
                    memo.entries.clear();
                    memo.bytes = 0;
                }
                memo.bytes += code.len();
                Arc::clone(memo.entries.entry(key).or_default())
            }
        };
        cell.get_or_init(|| self.highlight_uncached(lang, code).map(Arc::from))
            .as_deref()
            .map(str::to_owned)
    }

    /// Highlights `code` into the memo now, so the writers that need it next find it done.
    pub fn prepare(&self, lang: &str, code: &str) {
        let _ = self.highlight(lang, code);
    }

    /// Drops `code` from the memo: the pipeline calls it once every writer of a document is
    /// done, so the memo holds only the documents being written, however long the batch.
    pub fn forget(&self, lang: &str, code: &str) {
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        // The key is owned; a lookup by borrowed parts would need a custom key type.
        if memo
            .entries
            .remove(&(lang.to_owned(), code.to_owned()))
            .is_some()
        {
            memo.bytes = memo.bytes.saturating_sub(code.len());
        }
    }

    fn highlight_uncached(&self, lang: &str, code: &str) -> Option<String> {
        let syntax = self.syntaxes.find_syntax_by_token(lang)?;
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }
}

impl Default for Resources {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resources")
            .field("syntaxes", &self.syntaxes.syntaxes().len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Resources>();
    }

    #[test]
    fn known_languages_get_classes_and_unknown_ones_none() {
        let resources = Resources::new();
        let html = resources.highlight("rust", "fn main() {}\n").unwrap();
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(resources.highlight("no-such-language", "x\n").is_none());
        assert!(resources.theme_css().contains(".hl-"));
        assert!(resources.theme_css().contains("prefers-color-scheme: dark"));
    }

    #[test]
    fn preparing_ahead_fills_the_memo_with_every_block_once() {
        use bindery_model::build::{code_block, para, text};
        use bindery_model::{Document, Inline};
        let resources = Resources::new();
        let document = Document {
            blocks: vec![
                code_block(Some("rust"), "fn a() {}\n"),
                para(vec![
                    text("note"),
                    Inline::Note(vec![code_block(Some("sql"), "SELECT 1;\n")]),
                ]),
                code_block(Some("rust"), "fn a() {}\n"),
                code_block(Some("no-such-language"), "x\n"),
                code_block(None, "y\n"),
            ],
            ..Document::default()
        };
        for (lang, code) in
            crate::code_to_highlight(&document, &resources, &crate::Options::default())
        {
            resources.prepare(&lang, &code);
        }
        let memo = resources.memo.lock().unwrap();
        let mut done: Vec<&str> = memo
            .entries
            .iter()
            .filter(|(_, cell)| cell.get().is_some_and(Option::is_some))
            .map(|((lang, _), _)| lang.as_str())
            .collect();
        done.sort();
        assert_eq!(done, ["rust", "sql"]);
    }

    #[test]
    fn the_memo_gives_what_highlighting_gives_and_stays_bounded() {
        let resources = Resources {
            memo_limit: 100,
            ..Resources::new()
        };
        let code = "SELECT 1;\n";
        let first = resources.highlight("sql", code);
        assert_eq!(first, resources.highlight_uncached("sql", code));
        assert_eq!(resources.highlight("sql", code), first);
        // Another language for the same text is another entry.
        assert_ne!(resources.highlight("rust", code), first);
        assert_eq!(resources.highlight("no-such-language", code), None);
        // Past the bound the memo starts again rather than growing.
        let big = "x = 1\n".repeat(8);
        for lang in ["python", "ruby", "c"] {
            assert!(resources.highlight(lang, &big).is_some());
        }
        let memo = resources.memo.lock().unwrap();
        assert!(memo.bytes <= 100, "{}", memo.bytes);
        assert!(memo.entries.len() < 6, "{}", memo.entries.len());
    }
}
