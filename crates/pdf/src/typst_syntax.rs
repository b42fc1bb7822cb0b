//! The few pieces of Typst syntax the emitter writes user data into. Everything from the
//! document goes through [`string`], so no user text is ever parsed as Typst markup or code.

use std::fmt::Write as _;

/// Appends `s` as a Typst string literal. Only `\`, `"` and control characters need escaping
/// inside a string literal; everything else (`#`, `$`, `]`, `<`, `@`, `//`...) is inert there.
pub(crate) fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends text in markup mode: an embedded string literal closed by `;`, so that whatever
/// follows (`.`, `(`, `[`) cannot extend the expression.
pub(crate) fn text(out: &mut String, s: &str) {
    if s.is_empty() {
        return;
    }
    out.push('#');
    string(out, s);
    out.push(';');
}

/// `s` as a string literal, for building argument lists.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::new();
    string(&mut out, s);
    out
}

/// An ISO 639 language code Typst accepts (two or three ASCII letters), from a BCP 47 tag;
/// `en` when the tag has none.
pub(crate) fn language(tag: &str) -> String {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    if (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        primary.to_ascii_lowercase()
    } else {
        "en".to_string()
    }
}

/// An ISO 3166 region (two ASCII letters) from a BCP 47 tag such as `pt-BR` or `zh-Hant-TW`.
pub(crate) fn region(tag: &str) -> Option<String> {
    tag.split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_only_what_strings_need() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\n#read(\"/x\") $x$ ] <l> @r \u{7}");
        assert_eq!(out, r#""a\"b\\c\n#read(\"/x\") $x$ ] <l> @r \u{7}""#);
    }

    #[test]
    fn languages_and_regions() {
        assert_eq!(language("ar-EG"), "ar");
        assert_eq!(language("EN"), "en");
        assert_eq!(language("x"), "en");
        assert_eq!(language("de\"); #read("), "en");
        assert_eq!(region("zh-Hant-TW").as_deref(), Some("TW"));
        assert_eq!(region("en"), None);
    }
}
