//! Package metadata: the identifier, the dates and the accessibility metadata.

use bindery_model::{Document, Metadata, Warning, to_json};
use chrono::{DateTime, NaiveDate, Utc};

use crate::Error;

/// `dc:identifier`: the front matter's, else a UUID derived from the content, so two builds
/// of one document agree and two documents differ.
#[derive(Debug, Clone)]
pub(crate) struct Identifier {
    /// The UUID derived from the content (written as `urn:uuid:` + this).
    pub(crate) uuid: uuid::Uuid,
    /// The identifier to write instead, when the front matter has one.
    pub(crate) explicit: Option<String>,
}

impl Identifier {
    pub(crate) fn new(document: &Document) -> Self {
        // The JSON form is the model's canonical serialisation: same content, same UUID.
        let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, to_json(document).as_bytes());
        let explicit = document
            .meta
            .identifier
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(String::from);
        Self { uuid, explicit }
    }

    /// The identifier as it appears in the package.
    pub(crate) fn value(&self) -> String {
        match &self.explicit {
            Some(id) => id.clone(),
            None => uuid::fmt::Urn::from_uuid(self.uuid).to_string(),
        }
    }
}

/// `dcterms:modified` and `dc:date`.
#[derive(Debug, Clone)]
pub(crate) struct Dates {
    pub(crate) modified: DateTime<Utc>,
    pub(crate) published: Option<DateTime<Utc>>,
}

/// When nothing else gives a date: the zip format's own epoch, never the clock.
const FALLBACK_SECONDS: i64 = 315_532_800; // 1980-01-01T00:00:00Z

impl Dates {
    /// From the pipeline's timestamp (`SOURCE_DATE_EPOCH`), else the front matter date at
    /// midnight UTC, else 1980-01-01T00:00:00Z. A front matter date that is not ISO 8601 is
    /// left out of the package with a warning, since EPUBCheck would flag it.
    pub(crate) fn new(
        meta: &Metadata,
        timestamp: Option<i64>,
        warnings: &mut Vec<Warning>,
    ) -> Result<Self, Error> {
        let written = meta
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let published = written.and_then(|date| {
            let parsed = parse_date(date);
            if parsed.is_none() {
                warnings.push(
                    Warning::new(
                        format!(
                            "the date `{date}` is not an ISO 8601 date; the EPUB leaves it out"
                        ),
                        None,
                    )
                    .of_kind(bindery_model::WarningKind::Metadata)
                    .with_hint("write the date as YYYY-MM-DD"),
                );
            }
            parsed
        });
        let modified = match timestamp {
            Some(seconds) => DateTime::from_timestamp(seconds, 0)
                .filter(|date| (0..=9999).contains(&chrono::Datelike::year(date)))
                .ok_or(Error::Timestamp(seconds))?,
            None => match published {
                Some(date) => date,
                None => DateTime::from_timestamp(FALLBACK_SECONDS, 0).unwrap_or_default(),
            },
        };
        Ok(Self {
            modified,
            published,
        })
    }
}

/// `YYYY-MM-DD`, optionally followed by a time, which is ignored: the model's reading
/// ([`bindery_model::CalendarDate`]), shared with the PDF writer.
fn parse_date(date: &str) -> Option<DateTime<Utc>> {
    let date = bindery_model::CalendarDate::parse(date)?;
    let day = NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// What the accessibility metadata can truthfully claim about the book.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accessibility {
    /// The book holds images.
    pub(crate) images: bool,
    /// Every image in the text has a non-empty alt text.
    pub(crate) all_alt: bool,
}

impl Accessibility {
    /// `(property, value)` pairs for `<meta property>` in the package (schema.org's
    /// accessibility vocabulary, as EPUB Accessibility 1.1 asks).
    pub(crate) fn properties(self) -> Vec<(&'static str, String)> {
        let mut properties = vec![("schema:accessMode", "textual".to_string())];
        if self.images {
            properties.push(("schema:accessMode", "visual".to_string()));
        }
        properties.push(("schema:accessModeSufficient", "textual".to_string()));
        for feature in ["structuralNavigation", "tableOfContents", "readingOrder"] {
            properties.push(("schema:accessibilityFeature", feature.to_string()));
        }
        if self.images && self.all_alt {
            properties.push(("schema:accessibilityFeature", "alternativeText".to_string()));
        }
        properties.push(("schema:accessibilityHazard", "none".to_string()));
        let mut summary = String::from(
            "This publication has a table of contents, headings for structural navigation \
             and a single logical reading order.",
        );
        if self.images {
            summary.push_str(if self.all_alt {
                " Every image has a text alternative."
            } else {
                " Some images have no text alternative."
            });
        }
        properties.push(("schema:accessibilitySummary", summary));
        properties
    }
}

/// Escapes text for XML content or a double-quoted attribute.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_from_the_timestamp_then_the_front_matter_then_1980() {
        let mut meta = Metadata::default();
        let mut warnings = Vec::new();
        let fallback = Dates::new(&meta, None, &mut warnings).unwrap();
        assert_eq!(fallback.modified.to_rfc3339(), "1980-01-01T00:00:00+00:00");
        assert!(fallback.published.is_none());
        meta.date = Some("2025-01-15".into());
        let from_meta = Dates::new(&meta, None, &mut warnings).unwrap();
        assert_eq!(from_meta.modified.to_rfc3339(), "2025-01-15T00:00:00+00:00");
        let from_epoch = Dates::new(&meta, Some(1_700_000_000), &mut warnings).unwrap();
        assert_eq!(
            from_epoch.modified.to_rfc3339(),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(from_epoch.published, from_meta.published);
        assert!(warnings.is_empty());
        assert!(matches!(
            Dates::new(&meta, Some(i64::MAX), &mut warnings),
            Err(Error::Timestamp(_))
        ));
    }

    #[test]
    fn unreadable_dates_are_left_out_with_a_warning() {
        let mut warnings = Vec::new();
        for date in ["Spring 2024", "2024-1-5", "2024-02-30", "2024-01-05x"] {
            let meta = Metadata {
                date: Some(date.into()),
                ..Metadata::default()
            };
            let dates = Dates::new(&meta, None, &mut warnings).unwrap();
            assert!(dates.published.is_none(), "{date}");
        }
        assert_eq!(warnings.len(), 4);
        assert!(parse_date("2024-01-05T10:00:00Z").is_some());
    }

    #[test]
    fn identifiers_follow_the_content() {
        let mut doc = Document::default();
        let a = Identifier::new(&doc);
        assert_eq!(a.uuid, Identifier::new(&doc).uuid);
        assert!(a.value().starts_with("urn:uuid:"));
        doc.meta.title = Some("Other".into());
        assert_ne!(a.uuid, Identifier::new(&doc).uuid);
        doc.meta.identifier = Some(" isbn:123 ".into());
        assert_eq!(Identifier::new(&doc).value(), "isbn:123");
    }
}
