//! Typed document metadata, from front matter or `-M key=value`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// Metadata with typed fields for what exporters use and a map for the rest.
///
/// Deserialises from front matter: `author` and `authors` are both accepted, each as a string
/// or a list; `keywords` as a list or a comma-separated string; unknown keys land in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// The title; the reader falls back to the first level-1 heading, then the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Authors, in order.
    #[serde(
        default,
        alias = "author",
        deserialize_with = "string_or_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub authors: Vec<String>,
    /// The date as written (ISO 8601 `YYYY-MM-DD` is what exporters understand).
    #[serde(
        default,
        deserialize_with = "scalar_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    /// BCP 47 language tag, e.g. `en`, `ar`, `ko`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// A stable identifier (ISBN, URN, URL...).
    #[serde(
        default,
        deserialize_with = "scalar_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub identifier: Option<String>,
    /// A one-paragraph summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Subject keywords.
    #[serde(
        default,
        deserialize_with = "keywords",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub keywords: Vec<String>,
    /// Path of a cover image, relative to the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Every other key, in sorted order.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A calendar date read from `date` metadata: the one reading every writer uses (the PDF and
/// EPUB writers each had their own, and disagreed on `2025-01-15x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate {
    /// The year, 0 to 9999.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, valid for the month and year.
    pub day: u8,
}

impl CalendarDate {
    /// `YYYY-MM-DD`, alone or followed by a time (`T12:00:00Z`, ` 12:00`), which is ignored;
    /// `None` for anything else, and for days that do not exist (`2025-02-30`).
    pub fn parse(date: &str) -> Option<Self> {
        let date = date.trim();
        let (day, rest) = (date.get(..10)?, &date[10..]);
        if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
            return None;
        }
        let b = day.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let digits = day.get(range)?;
            digits
                .bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| digits.parse().ok())?
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Self {
            year,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl Metadata {
    /// The `date` as a calendar date, when it is one ([`CalendarDate::parse`]).
    pub fn calendar_date(&self) -> Option<CalendarDate> {
        self.date.as_deref().and_then(CalendarDate::parse)
    }

    /// The language tag, `en` when none is set.
    pub fn lang_or_default(&self) -> &str {
        self.lang
            .as_deref()
            .filter(|l| !l.is_empty())
            .unwrap_or("en")
    }

    /// True when the language is written right to left (Arabic, Hebrew, Persian, Urdu, ...).
    pub fn is_rtl(&self) -> bool {
        let primary = self
            .lang_or_default()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        matches!(
            primary.as_str(),
            "ar" | "he" | "iw" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug" | "dv" | "ckb" | "syr"
        )
    }

    /// Sets one key from a `key=value` pair (the CLI's `-M`); typed keys are parsed as such.
    pub fn set(&mut self, key: &str, value: &str) {
        let value = value.to_string();
        match key {
            "title" => self.title = Some(value),
            "subtitle" => self.subtitle = Some(value),
            "author" | "authors" => self.authors = vec![value],
            "date" => self.date = Some(value),
            "lang" => self.lang = Some(value),
            "identifier" => self.identifier = Some(value),
            "description" => self.description = Some(value),
            "keywords" => self.keywords = split_keywords(&value),
            "cover" => self.cover = Some(value),
            _ => {
                self.extra
                    .insert(key.to_string(), serde_json::Value::String(value));
            }
        }
    }
}

fn split_keywords(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect()
}

/// A scalar written as a string, number or boolean, as YAML and TOML allow for dates and ids.
fn scalar_to_string(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    match value {
        serde_json::Value::Null => Ok(None),
        other => scalar_to_string(other)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected a string, number or date")),
    }
}

/// A front-matter value given as one string or a list of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
    Null(()),
}

fn one_or_many<'de, D: Deserializer<'de>>(
    d: D,
    one: impl FnOnce(String) -> Vec<String>,
    expected: &str,
) -> Result<Vec<String>, D::Error> {
    Ok(
        match OneOrMany::deserialize(d).map_err(|_| serde::de::Error::custom(expected))? {
            OneOrMany::One(s) => one(s),
            OneOrMany::Many(v) => v,
            OneOrMany::Null(()) => Vec::new(),
        },
    )
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    one_or_many(
        d,
        |s| vec![s],
        "expected a name or a list of names for author/authors",
    )
}

fn keywords<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    one_or_many(
        d,
        |s| split_keywords(&s),
        "expected a list of keywords or a comma-separated string",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Metadata {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn author_as_string_or_list() {
        assert_eq!(parse(r#"{"author": "Ada"}"#).authors, vec!["Ada"]);
        assert_eq!(
            parse(r#"{"authors": ["Ada", "Grace"]}"#).authors,
            vec!["Ada", "Grace"]
        );
        assert_eq!(parse(r#"{"author": ["Ada"]}"#).authors, vec!["Ada"]);
    }

    #[test]
    fn unknown_keys_are_kept_sorted() {
        let m = parse(r#"{"zeta": 1, "alpha": "x", "title": "T"}"#);
        assert_eq!(m.title.as_deref(), Some("T"));
        let keys: Vec<_> = m.extra.keys().cloned().collect();
        assert_eq!(keys, vec!["alpha", "zeta"]);
    }

    #[test]
    fn keywords_and_numeric_scalars() {
        let m = parse(r#"{"keywords": "a, b ,c", "identifier": 978, "date": "2024-01-02"}"#);
        assert_eq!(m.keywords, vec!["a", "b", "c"]);
        assert_eq!(m.identifier.as_deref(), Some("978"));
        assert_eq!(m.date.as_deref(), Some("2024-01-02"));
    }

    #[test]
    fn rtl_languages() {
        let mut m = Metadata::default();
        assert!(!m.is_rtl());
        m.lang = Some("ar-EG".into());
        assert!(m.is_rtl());
        m.lang = Some("he".into());
        assert!(m.is_rtl());
    }
}

#[cfg(test)]
mod date_tests {
    use super::CalendarDate;

    #[test]
    fn one_reading_of_dates() {
        let ymd = |y, m, d| {
            Some(CalendarDate {
                year: y,
                month: m,
                day: d,
            })
        };
        assert_eq!(CalendarDate::parse("2025-01-15"), ymd(2025, 1, 15));
        assert_eq!(
            CalendarDate::parse(" 2024-02-29T10:00:00Z "),
            ymd(2024, 2, 29)
        );
        assert_eq!(CalendarDate::parse("2025-01-15 12:00"), ymd(2025, 1, 15));
        for bad in [
            "2025-01-15x",
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-15",
            "+202-01-15",
            "2025/01/15",
            "January 2025",
            "",
        ] {
            assert_eq!(CalendarDate::parse(bad), None, "{bad}");
        }
    }
}
