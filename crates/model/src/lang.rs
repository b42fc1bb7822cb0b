//! Language tags: `lang` reaches the HTML page's `<html lang>`, every EPUB chapter and the
//! package's `dc:language`, so only a checked BCP 47 tag may get there.

use crate::{Metadata, Warning};

/// `tag` as a valid BCP 47 language tag in canonical case (`en-us` -> `en-US`), or `None`.
///
/// Valid means well-formed by RFC 5646 with every subtag in the IANA Language Subtag
/// Registry (the `language-tags` crate's copy), which is what the Nu HTML checker asks of
/// `lang`; `_` is read as `-`, since `en_US` is a common way to write `en-US`.
pub fn valid_language_tag(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let parsed = language_tags::LanguageTag::parse(&tag).ok()?;
    parsed.is_valid().then(|| parsed.into_string())
}

/// Checks the document's `lang`: a valid tag is kept (in canonical case), an empty one is
/// removed, anything else is removed with a warning, so writers fall back to `en`.
pub(crate) fn check_language(meta: &mut Metadata) -> Option<Warning> {
    let written = meta.lang.take()?;
    if written.trim().is_empty() {
        return None;
    }
    match valid_language_tag(&written) {
        Some(tag) => {
            meta.lang = Some(tag);
            None
        }
        None => Some(
            Warning::new(
                format!(
                    "the language `{written}` is not a valid BCP 47 language tag; `{}` is used",
                    meta.lang_or_default()
                ),
                None,
            )
            .of_kind(crate::WarningKind::Repaired)
            .with_hint("write a tag such as en, en-GB, pt-BR or zh-Hant"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_put_in_canonical_case() {
        assert_eq!(valid_language_tag("en").as_deref(), Some("en"));
        assert_eq!(valid_language_tag(" en-us ").as_deref(), Some("en-US"));
        assert_eq!(valid_language_tag("pt_BR").as_deref(), Some("pt-BR"));
        assert_eq!(
            valid_language_tag("zh-Hant-TW").as_deref(),
            Some("zh-Hant-TW")
        );
        assert_eq!(valid_language_tag("sr-Latn").as_deref(), Some("sr-Latn"));
        for bad in [
            "en\"><script>",
            "en\" onload=\"x",
            "english",
            "xx-YY",
            "en-",
            "",
            "e n",
            "en-\u{1b}",
        ] {
            assert_eq!(valid_language_tag(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_bad_language_falls_back_with_a_warning() {
        let mut meta = Metadata {
            lang: Some("en\"><script>".into()),
            ..Metadata::default()
        };
        let warning = check_language(&mut meta).unwrap();
        assert_eq!(meta.lang, None);
        assert_eq!(meta.lang_or_default(), "en");
        assert!(warning.message.contains("`en\"><script>`"), "{warning:?}");
        let mut meta = Metadata {
            lang: Some("AR-eg".into()),
            ..Metadata::default()
        };
        assert!(check_language(&mut meta).is_none());
        assert_eq!(meta.lang.as_deref(), Some("ar-EG"));
        assert!(meta.is_rtl());
    }
}
