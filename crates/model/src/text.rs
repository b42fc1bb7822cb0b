//! Plain-text views of inline content (alt text, titles, slugs), and splicing text into text.

use crate::Inline;

/// The text of inline content without markup, as used for alt text, titles and slugs.
///
/// Iterative, so it is safe on content of any depth. Notes are left out; breaks become spaces.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    let mut stack: Vec<&Inline> = inlines.iter().rev().collect();
    while let Some(inline) = stack.pop() {
        match inline {
            Inline::Text(s) | Inline::Code(s) => out.push_str(s),
            Inline::Math { tex, .. } => out.push_str(tex),
            Inline::Raw { .. } | Inline::Note(_) => {}
            Inline::SoftBreak | Inline::LineBreak => out.push(' '),
            nested => stack.extend(nested.children().into_iter().flatten().rev()),
        }
    }
    out
}

/// A GitHub-style slug: lower-case, punctuation removed, spaces to hyphens.
///
/// Letters and digits of every script are kept, as GitHub does, so non-Latin headings get ids.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c == ' ' {
            slug.push('-');
        }
    }
    slug
}

/// `base` with each piece inserted at its byte offset (ascending, on char boundaries): how the
/// writers put back the code blocks they left out while writing and highlighted in parallel.
pub fn splice(base: &str, pieces: &[(usize, String)]) -> String {
    let extra: usize = pieces.iter().map(|(_, piece)| piece.len()).sum();
    let mut out = String::with_capacity(base.len() + extra);
    let mut from = 0;
    for (at, piece) in pieces {
        out.push_str(&base[from..*at]);
        out.push_str(piece);
        from = *at;
    }
    out.push_str(&base[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;

    #[test]
    fn slugs_match_github() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  Tables & lists "), "tables--lists");
        assert_eq!(slugify("Über Straße"), "über-straße");
        assert_eq!(slugify("snake_case-and-kebab"), "snake_case-and-kebab");
    }

    #[test]
    fn plain_text_drops_markup_and_notes() {
        let inl = vec![
            text("a "),
            strong(vec![emph(vec![text("b")])]),
            Inline::Note(vec![para(vec![text("note")])]),
            Inline::SoftBreak,
            code("c"),
        ];
        assert_eq!(plain_text(&inl), "a b c");
    }

    #[test]
    fn pieces_go_in_at_their_offsets() {
        let pieces = [
            (0, "<".to_string()),
            (2, "é".to_string()),
            (2, "!".to_string()),
            (4, ">".to_string()),
        ];
        assert_eq!(super::splice("abcd", &pieces), "<abé!cd>");
        assert_eq!(super::splice("abc", &[]), "abc");
    }
}
