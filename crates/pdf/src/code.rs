//! Code blocks, highlighted here rather than by Typst.
//!
//! Typst highlights a `raw` element itself, but gives every token its own style (a colour and
//! the token's offset in the line), so no two tokens share a text run: a line of code is shaped
//! and laid out as a dozen separate pieces. In a book where a third of the text is code that
//! was most of the typesetting time. Here the same syntaxes and theme Typst would use (its
//! `RAW_SYNTAXES`, `RAW_THEME`) colour each line, neighbouring tokens of one style are merged
//! into one run, and the runs replace the lines of a `raw` element whose own highlighting is
//! off (`theme: none`). The element stays a `raw`, so the page rules for code and the PDF's
//! code tags still apply.
//!
//! The same pass gives long unbroken runs (`\S{24,}`, a URL or a hash) a break opportunity
//! between characters, so they wrap instead of running off the page; other `raw` elements
//! (inline code, math) that contain one are wrapped in `bindery-long-code`, which does it with a
//! show rule.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::LazyLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, FontStyle, Style};
use typst::syntax::{is_newline, split_newlines};
use typst::text::{RAW_SYNTAXES, RAW_THEME};
use unicode_segmentation::UnicodeSegmentation;

use crate::typst_syntax::{string, text};

/// Non-space characters in a row from which a run may break anywhere (what the show rule in
/// `bindery-long-code` matches).
const LONG_RUN: usize = 24;

/// Clusters of a long run up to which it may break after every one of them.
const FINE_RUN: usize = 1000;

/// In a run longer than [`FINE_RUN`], a break opportunity after every this many clusters.
const COARSE_STEP: usize = 8;

/// Typst's default `raw.tab-size`: code is shown with tabs expanded to this many columns.
const TAB_SIZE: usize = 2;

/// Whether `text` has a run of [`LONG_RUN`] or more non-space characters.
pub(crate) fn has_long_run(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        if run >= LONG_RUN {
            return true;
        }
    }
    false
}

/// Appends a code block: a `raw` block, with its lines highlighted for `lang` and long runs made
/// breakable when there is anything to do, else a plain one.
pub(crate) fn code_block(out: &mut String, lang: Option<&str>, code: &str) {
    let lang = lang.filter(|l| !l.is_empty());
    let token = lang.map(str::to_lowercase);
    // Typst highlights its own languages with its own parser, not syntect: those stay Typst's.
    let typst_language = token
        .as_deref()
        .is_some_and(|t| matches!(t, "typ" | "typst" | "typc" | "typm"));
    let syntax = token
        .filter(|_| !typst_language)
        .and_then(|token| RAW_SYNTAXES.find_syntax_by_token(&token))
        .filter(|syntax| syntax.name != "Plain Text");
    let long = has_long_run(code);
    if typst_language || (syntax.is_none() && !long) {
        if long {
            out.push_str("#bindery-long-code(");
        } else {
            out.push('#');
        }
        raw_block(out, lang, code, typst_language);
        if long {
            out.push(')');
        }
        out.push_str("\n\n");
        return;
    }

    out.push_str("#bindery-code(");
    lines(out, syntax, code);
    raw_block(out, lang, code, false);
    out.push_str(")\n\n");
}

/// Appends an inline `raw` showing `code` (inline code, or a formula's TeX source with `lang`
/// `latex`) as an expression without the leading `#`: highlighted here and with its long runs
/// made breakable here when there is anything to do, else a plain `raw`.
///
/// Typst's own highlighting gives every token its own text run, and breaking long runs with a
/// regex show rule grew with the square of the run (50,000 characters of inline code: 33 s);
/// written out here both are linear.
pub(crate) fn inline_raw(out: &mut String, lang: Option<&str>, code: &str) {
    let lang = lang.filter(|l| !l.is_empty());
    let syntax = lang
        .map(str::to_lowercase)
        .and_then(|token| RAW_SYNTAXES.find_syntax_by_token(&token))
        .filter(|syntax| syntax.name != "Plain Text");
    let long = has_long_run(code);
    let plain = syntax.is_none() && !long;
    if !plain {
        out.push_str("bindery-code(");
        lines(out, syntax, code);
    }
    out.push_str("raw(");
    if !plain || lang.is_some() {
        out.push_str("theme: none, ");
    }
    if let Some(lang) = lang {
        out.push_str("lang: ");
        string(out, lang);
        out.push_str(", ");
    }
    string(out, code);
    out.push(')');
    if !plain {
        out.push(')');
    }
}

/// The lines of `code` as the first argument of `bindery-code`: `(([..], [..], ), `, each line
/// highlighted with `syntax` (when given) and its long runs made breakable.
fn lines(out: &mut String, syntax: Option<&syntect::parsing::SyntaxReference>, code: &str) {
    let expanded = if code.contains('\t') {
        expand_tabs(code)
    } else {
        code.to_string()
    };
    let mut highlighter = syntax.map(|syntax| HighlightLines::new(syntax, &RAW_THEME));
    let foreground = RAW_THEME.settings.foreground.unwrap_or(Color::BLACK);
    out.push('(');
    for line in split_newlines(&expanded) {
        let pieces = match &mut highlighter {
            Some(h) => h
                .highlight_line(line, &RAW_SYNTAXES)
                .unwrap_or_else(|_| vec![(plain(foreground), line)]),
            None => vec![(plain(foreground), line)],
        };
        out.push('[');
        write_line(out, &runs(&pieces, foreground), line);
        out.push_str("], ");
    }
    out.push_str("), ");
}

/// `raw(block: true, ..)` with Typst's highlighting on or off.
fn raw_block(out: &mut String, lang: Option<&str>, code: &str, highlight: bool) {
    out.push_str("raw(block: true, ");
    if !highlight {
        out.push_str("theme: none, ");
    }
    if let Some(lang) = lang {
        out.push_str("lang: ");
        string(out, lang);
        out.push_str(", ");
    }
    string(out, code);
    out.push(')');
}

fn plain(foreground: Color) -> Style {
    Style {
        foreground,
        ..Style::default()
    }
}

/// How a run of code is drawn: what Typst's own highlighting would apply to a token.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Look {
    /// `None` for the theme's foreground, which the text already has.
    fill: Option<Color>,
    bold: bool,
    italic: bool,
    underline: bool,
}

/// The highlighted pieces of `line` (consecutive slices covering it) as byte ranges of one look
/// each. Spaces take the look of the run before them (their colour does not show), so most
/// lines come to a few runs.
fn runs(pieces: &[(Style, &str)], foreground: Color) -> Vec<(Look, Range<usize>)> {
    let mut runs: Vec<(Look, Range<usize>)> = Vec::new();
    let mut offset = 0;
    for (style, piece) in pieces {
        let look = Look {
            fill: (style.foreground != foreground).then_some(style.foreground),
            bold: style.font_style.contains(FontStyle::BOLD),
            italic: style.font_style.contains(FontStyle::ITALIC),
            underline: style.font_style.contains(FontStyle::UNDERLINE),
        };
        let range = offset..offset + piece.len();
        offset = range.end;
        match runs.last_mut() {
            Some((last, last_range))
                if *last == look
                    || (piece.trim().is_empty() && !look.underline && !last.underline) =>
            {
                last_range.end = range.end;
            }
            _ => runs.push((look, range)),
        }
    }
    runs
}

/// Writes one line's runs as markup, each long unbroken run with break opportunities (see
/// [`break_points`]), as `bindery-long-code` does.
fn write_line(out: &mut String, runs: &[(Look, Range<usize>)], line: &str) {
    let points = break_points(line);
    let mut next = 0;
    for (look, range) in runs {
        let mut closers = 0;
        if look.underline {
            out.push_str("#underline[");
            closers += 1;
        }
        if look.italic {
            out.push_str("#emph[");
            closers += 1;
        }
        if look.bold {
            out.push_str("#strong[");
            closers += 1;
        }
        if let Some(colour) = look.fill {
            // The theme's colours have short names in the preamble: a book's code has a
            // hundred thousand coloured runs, and each `rgb(..)` is one more call to evaluate.
            match palette().iter().position(|c| *c == colour) {
                Some(n) => {
                    let _ = write!(out, "#bindery-c{n}[");
                }
                None => {
                    let _ = write!(out, "#text(fill: {})[", rgb(colour));
                }
            }
            closers += 1;
        }
        // The points are in order, as are the runs: one pass over both.
        let mut at = range.start;
        while let Some(&(point, breaks)) = points.get(next) {
            if point > range.end || (point == range.end && !breaks) {
                break;
            }
            text(out, &line[at..point]);
            if breaks {
                out.push_str("#h(0.01pt)");
            }
            at = point;
            next += 1;
        }
        text(out, &line[at..range.end]);
        for _ in 0..closers {
            out.push(']');
        }
    }
}

/// How many break opportunities [`write_line`] gives the long runs of `text`.
pub(crate) fn break_count(text: &str) -> u64 {
    if !has_long_run(text) {
        return 0;
    }
    split_newlines(text)
        .into_iter()
        .map(|line| break_points(line).iter().filter(|(_, b)| *b).count() as u64)
        .sum()
}

/// Where the text of `line` is cut, in order: `(offset, true)` where a long run may break
/// (after each of its clusters; in a run longer than [`FINE_RUN`] clusters, after every
/// [`COARSE_STEP`]th), `(offset, false)` where a long run starts.
///
/// A break opportunity costs Typst an element and a line-breaking candidate: a 100,000-
/// character line broken after every character took 3.5 s to set. Past [`FINE_RUN`] the
/// line's right edge may fall up to `COARSE_STEP - 1` characters short, which nobody reads
/// in a blob that long, and the cost falls with the number of breaks.
fn break_points(line: &str) -> Vec<(usize, bool)> {
    let mut points = Vec::new();
    for run in long_runs(line) {
        let text = &line[run.clone()];
        let step = if text.graphemes(true).nth(FINE_RUN).is_some() {
            COARSE_STEP
        } else {
            1
        };
        points.push((run.start, false));
        let mut clusters = 0;
        for (i, cluster) in text.grapheme_indices(true) {
            clusters += 1;
            let end = i + cluster.len();
            if clusters % step == 0 || end == text.len() {
                points.push((run.start + end, true));
            }
        }
    }
    points
}

/// The distinct foreground colours of Typst's highlighting theme, in theme order.
fn palette() -> &'static [Color] {
    static PALETTE: LazyLock<Vec<Color>> = LazyLock::new(|| {
        let mut colours: Vec<Color> = Vec::new();
        for item in &RAW_THEME.scopes {
            if let Some(colour) = item.style.foreground
                && !colours.contains(&colour)
            {
                colours.push(colour);
            }
        }
        colours
    });
    &PALETTE
}

/// `rgb("#rrggbbaa")`.
fn rgb(Color { r, g, b, a }: Color) -> String {
    format!("rgb(\"#{r:02x}{g:02x}{b:02x}{a:02x}\")")
}

/// Preamble definitions of the functions code runs are coloured with: `bindery-cN` is text in
/// the theme's `N`th colour.
pub(crate) fn palette_definitions(out: &mut String) {
    for (n, colour) in palette().iter().enumerate() {
        let _ = writeln!(out, "#let bindery-c{n} = text.with(fill: {})", rgb(*colour));
    }
}

/// Byte ranges of the runs of [`LONG_RUN`] or more non-space characters in `line`.
fn long_runs(line: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    let mut chars = 0;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if chars >= LONG_RUN {
                found.push(start..i);
            }
            chars = 0;
        } else {
            if chars == 0 {
                start = i;
            }
            chars += 1;
        }
    }
    if chars >= LONG_RUN {
        found.push(start..line.len());
    }
    found
}

/// Tabs expanded to the next multiple of [`TAB_SIZE`] columns, counting grapheme clusters as
/// Typst does for `raw`, so the lines shown match the lines Typst splits the text into.
fn expand_tabs(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 16);
    let mut column = 0;
    for grapheme in code.graphemes(true) {
        if grapheme == "\t" {
            let required = TAB_SIZE - column % TAB_SIZE;
            out.extend(std::iter::repeat_n(' ', required));
            column += required;
        } else if grapheme == "\r\n" || grapheme.chars().next().is_some_and(is_newline) {
            out.push_str(grapheme);
            column = 0;
        } else {
            out.push_str(grapheme);
            column += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(lang: Option<&str>, code: &str) -> String {
        let mut out = String::new();
        code_block(&mut out, lang, code);
        out
    }

    #[test]
    fn highlighted_lines_are_few_runs_over_a_raw_without_highlighting() {
        let out = block(Some("Rust"), "fn main() {\n    let x = 1;\n}");
        assert!(
            out.starts_with("#bindery-code(([#bindery-c5[#\"fn \";]"),
            "{out}"
        );
        // Three lines, then the element itself with Typst's highlighting off.
        assert_eq!(out.matches("], [").count(), 2, "{out}");
        assert!(
            out.ends_with(
                "raw(block: true, theme: none, lang: \"Rust\", \"fn main() {\\n    let x = 1;\\n}\"))\n\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn plain_code_and_typst_code_stay_plain_raw() {
        assert_eq!(
            block(None, "a\nb"),
            "#raw(block: true, theme: none, \"a\\nb\")\n\n"
        );
        assert_eq!(
            block(Some("no-such-language"), "a"),
            "#raw(block: true, theme: none, lang: \"no-such-language\", \"a\")\n\n"
        );
        assert_eq!(
            block(Some("typ"), "#x"),
            "#raw(block: true, lang: \"typ\", \"#x\")\n\n"
        );
        let long = "q".repeat(30);
        assert_eq!(
            block(Some("typ"), &long),
            format!("#bindery-long-code(raw(block: true, lang: \"typ\", \"{long}\"))\n\n")
        );
    }

    #[test]
    fn long_runs_break_after_every_character() {
        let long = "a".repeat(LONG_RUN);
        let out = block(None, &format!("x {long} y"));
        assert!(
            out.starts_with("#bindery-code(([#\"x \";#\"a\";#h(0.01pt)#\"a\";"),
            "{out}"
        );
        assert_eq!(out.matches("#h(0.01pt)").count(), LONG_RUN, "{out}");
        assert!(!has_long_run(&"a".repeat(LONG_RUN - 1)));
        assert_eq!(long_runs(&format!("é{long}")), vec![0..LONG_RUN + 2]);
    }

    #[test]
    fn lines_match_typst_s_lines() {
        // Every newline Typst splits on gives a line, and tabs are expanded as Typst does.
        let code = "a\r\nb\rc\u{2028}d\n\te\n";
        let out = block(Some("rust"), code);
        assert_eq!(
            out.matches("], ").count(),
            split_newlines(code).len(),
            "{out}"
        );
        assert_eq!(expand_tabs("\tx\n a\tb\n ab\tc"), "  x\n a  b\n ab c");
    }

    #[test]
    fn spaces_join_the_run_before_them() {
        let red = Style {
            foreground: Color {
                r: 255,
                g: 0,
                b: 0,
                a: 255,
            },
            ..Style::default()
        };
        let black = plain(Color::BLACK);
        let pieces = [(red, "let"), (black, " "), (red, "mut"), (black, " x")];
        let runs = runs(&pieces, Color::BLACK);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].1, 0..7);
        assert_eq!(runs[1].1, 7..9);
    }
}
