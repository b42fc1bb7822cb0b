//! Syntax highlighting at build time: syntect scopes become `hl-` CSS classes, and the theme
//! colours travel in the page's stylesheet, so the page needs no JavaScript.

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
/// between its worker threads (it is `Send + Sync`); rendering only reads it.
pub struct Resources {
    syntaxes: SyntaxSet,
    theme_css: String,
}

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
}
