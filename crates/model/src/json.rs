//! The JSON form of a document: an envelope carrying the API version.

use serde::{Deserialize, Serialize};

use crate::{Document, Warned, limit_depth, sanitize};

/// The version of the JSON form; [`from_json`] accepts this major version and the ones in
/// [`READS_MAJOR`].
///
/// 2.0 added variants only (inline `Subscript`, `Superscript`, `Mark`, `Underline`,
/// `Keyboard`, `Span`; block `Div`), so every 1.0 document is a 2.0 document and is read as
/// one.
pub const API_VERSION: &str = "2.0";

/// The major versions [`from_json`] reads.
const READS_MAJOR: [&str; 2] = ["1", "2"];

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    #[serde(rename = "bindery-api-version")]
    api_version: &'a str,
    #[serde(flatten)]
    document: &'a Document,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    #[serde(rename = "bindery-api-version")]
    api_version: String,
    #[serde(flatten)]
    document: Document,
}

/// Why a JSON document could not be loaded.
#[derive(Debug)]
pub enum JsonError {
    /// Not valid JSON for the model; carries serde's message with line and column.
    Syntax(serde_json::Error),
    /// Written by an incompatible version of the model.
    Version {
        /// The version found in the file.
        found: String,
    },
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Syntax(e) => write!(f, "{}:{}: {e}", e.line(), e.column()),
            JsonError::Version { found } => write!(
                f,
                "the document model is API version {found}; this bindery reads 1.x and 2.x"
            ),
        }
    }
}

impl std::error::Error for JsonError {}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// Serialises a document with its API version, pretty-printed.
pub fn to_json(document: &Document) -> String {
    let envelope = EnvelopeOut {
        api_version: API_VERSION,
        document,
    };
    // The model has only string keys and no non-finite floats, so this cannot fail.
    serde_json::to_string_pretty(&envelope).expect("the model always serialises")
}

/// Loads a document, checks its API version, flattens nesting deeper than [`crate::MAX_DEPTH`]
/// and applies [`sanitize`]: the JSON form can be written by anyone, so it gets every check
/// a Markdown document gets (URLs, control characters, language, attributes, ids).
///
/// serde_json refuses input nested deeper than 128 JSON levels with an error, so the loader
/// never recurses without bound.
pub fn from_json(json: &str) -> Result<Warned<Document>, JsonError> {
    let envelope: EnvelopeIn = serde_json::from_str(json).map_err(JsonError::Syntax)?;
    if !READS_MAJOR.contains(&major(&envelope.api_version)) {
        return Err(JsonError::Version {
            found: envelope.api_version,
        });
    }
    let mut document = envelope.document;
    let mut warnings: Vec<_> = limit_depth(&mut document).into_iter().collect();
    warnings.extend(sanitize(&mut document));
    Ok(Warned {
        output: document,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::*;
    use crate::{BlockKind, Inline};

    #[test]
    fn round_trip_keeps_everything() {
        let mut doc = Document {
            blocks: vec![
                heading(1, "intro", vec![text("Intro")]),
                para(vec![
                    text("a"),
                    link("https://example.org", vec![text("b")]),
                    Inline::Note(vec![para(vec![text("n")])]),
                ]),
            ],
            ..Document::default()
        };
        doc.meta.title = Some("T".into());
        doc.blocks[0].span = Some(crate::Span::point(1, 1));
        let back = from_json(&to_json(&doc)).unwrap();
        assert!(back.warnings.is_empty());
        assert_eq!(back.output, doc);
    }

    #[test]
    fn wrong_major_version_is_refused() {
        for version in ["3.0", "0.9", "x"] {
            let json = format!(r#"{{"bindery-api-version": "{version}", "blocks": []}}"#);
            let err = from_json(&json).unwrap_err();
            assert!(matches!(err, JsonError::Version { .. }), "{err}");
        }
    }

    #[test]
    fn version_1_documents_are_read() {
        let json = r#"{"bindery-api-version": "1.0", "blocks": [{"t": "Para", "c": [{"t": "Text", "c": "a"}]}]}"#;
        let doc = from_json(json).unwrap().output;
        assert_eq!(doc.blocks, vec![para(vec![text("a")])]);
    }

    #[test]
    fn the_new_variants_round_trip() {
        let doc = Document {
            blocks: vec![
                BlockKind::Div {
                    attr: crate::Attr {
                        classes: vec!["details".into()],
                        ..crate::Attr::default()
                    },
                    blocks: vec![para(vec![
                        Inline::Subscript(vec![text("2")]),
                        Inline::Superscript(vec![text("2")]),
                        Inline::Mark(vec![text("m")]),
                        Inline::Underline(vec![text("u")]),
                        Inline::Keyboard(vec![text("Ctrl")]),
                        Inline::Span {
                            attr: crate::Attr {
                                classes: vec!["abbr".into()],
                                attrs: vec![("title".into(), "World Health Organization".into())],
                                ..crate::Attr::default()
                            },
                            content: vec![text("WHO")],
                        },
                    ])],
                }
                .into(),
            ],
            ..Document::default()
        };
        let json = to_json(&doc);
        assert!(json.contains(r#""bindery-api-version": "2.0""#), "{json}");
        assert!(json.contains(r#""t": "Keyboard""#), "{json}");
        let back = from_json(&json).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.output, doc);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = from_json("{\n  \"bindery-api-version\": \"1.0\",\n  oops").unwrap_err();
        assert!(err.to_string().starts_with("3:"), "{err}");
    }

    #[test]
    fn absurd_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(from_json(&deep).is_err());
    }
}
