//! A render's cost, estimated from the model before Typst lays anything out.

use bindery_model::Inline;

use crate::code;

/// A paragraph with at least this many separately set pieces may be dense (see [`is_dense`]).
const DENSE_PIECES: u64 = 16;

/// A paragraph with a piece per this many characters or fewer is dense.
const DENSE_CHARS_PER_PIECE: u64 = 8;

/// Whether a paragraph has so many separately set pieces per line (links, emphasis, code,
/// formulas, each character of a breakable long run) that Typst's optimal line breaking costs
/// more than the paragraph is worth.
///
/// The optimal (Knuth-Plass) breaker builds a trial line from every earlier breakpoint within
/// a line's width to every breakpoint, so each breakpoint costs (breakpoints per line) ×
/// (pieces per line): 5,000 one-letter emphases (`*i* `) in a paragraph took 6.8 s and 250 MB,
/// and 200,000 characters of inline code with no space ran out of memory. Such a paragraph is
/// broken first-fit, which builds one trial line per breakpoint: 0.56 s for the emphases.
/// Ordinary prose (a link or a code span every sentence or so) keeps the optimal breaker.
pub(crate) fn is_dense(content: &[Inline]) -> bool {
    let (pieces, chars) = pieces(content);
    pieces >= DENSE_PIECES && pieces.saturating_mul(DENSE_CHARS_PER_PIECE) >= chars
}

/// Separately set pieces and characters in `content` (notes aside: their text is set apart).
fn pieces(content: &[Inline]) -> (u64, u64) {
    let mut pieces: u64 = 0;
    let mut chars: u64 = 0;
    let mut stack: Vec<&Inline> = content.iter().collect();
    while let Some(inline) = stack.pop() {
        match inline {
            Inline::Text(s) => chars += s.chars().count() as u64,
            Inline::SoftBreak => chars += 1,
            Inline::LineBreak | Inline::Raw { .. } | Inline::Note(_) => pieces += 1,
            Inline::Code(s) => {
                let n = s.chars().count() as u64;
                chars += n;
                pieces += 1 + code::break_count(s);
            }
            Inline::Math { tex, .. } => {
                let n = tex.chars().count() as u64;
                chars += n;
                // Highlighted TeX: a token about every other character.
                pieces += 1 + n / 2 + code::break_count(tex);
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strikeout(c) => {
                pieces += 1;
                stack.extend(c);
            }
            Inline::Link { content, .. } => {
                pieces += 1;
                stack.extend(content);
            }
            Inline::Image { alt, .. } => {
                pieces += 1;
                stack.extend(alt);
            }
        }
    }
    (pieces, chars)
}
