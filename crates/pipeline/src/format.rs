//! The one table of output formats (after pandoc's `writers` list and mdBook's renderers):
//! adding a format is one row here and one arm in [`Format::render`].

use std::str::FromStr;

use bindery_model::{Assets, Document, Warned};

use crate::Settings;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// A standalone HTML5 page (or a fragment with `--fragment`).
    Html,
    /// Wrapped UTF-8 plain text.
    Txt,
    /// An EPUB 3 book.
    Epub,
    /// A PDF typeset with Typst's engine.
    Pdf,
    /// The document model as JSON (what `bindery ast` prints).
    Json,
}

/// Name, extension, media type and whether `build` makes it by default, one row per format.
struct Row {
    format: Format,
    name: &'static str,
    extension: &'static str,
    aliases: &'static [&'static str],
    media_type: &'static str,
    default: bool,
}

const FORMATS: &[Row] = &[
    Row {
        format: Format::Html,
        name: "html",
        extension: "html",
        aliases: &["htm", "xhtml"],
        media_type: "text/html",
        default: true,
    },
    Row {
        format: Format::Txt,
        name: "txt",
        extension: "txt",
        aliases: &["text", "plain"],
        media_type: "text/plain",
        default: true,
    },
    Row {
        format: Format::Epub,
        name: "epub",
        extension: "epub",
        aliases: &["epub3"],
        media_type: "application/epub+zip",
        default: true,
    },
    Row {
        format: Format::Pdf,
        name: "pdf",
        extension: "pdf",
        aliases: &[],
        media_type: "application/pdf",
        default: true,
    },
    Row {
        format: Format::Json,
        name: "json",
        extension: "json",
        aliases: &["ast"],
        media_type: "application/json",
        default: false,
    },
];

impl Format {
    fn row(self) -> &'static Row {
        FORMATS
            .iter()
            .find(|row| row.format == self)
            .expect("every format has a row")
    }

    /// Every format, in table order.
    pub fn all() -> impl Iterator<Item = Format> {
        FORMATS.iter().map(|row| row.format)
    }

    /// The formats `bindery build` writes when `--to` is not given.
    pub fn defaults() -> Vec<Format> {
        FORMATS
            .iter()
            .filter(|row| row.default)
            .map(|row| row.format)
            .collect()
    }

    /// The name used by `--to`.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The output file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.row().extension
    }

    /// The IANA media type.
    pub fn media_type(self) -> &'static str {
        self.row().media_type
    }

    /// The format a file name's extension implies, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|row| row.extension == ext || row.aliases.contains(&ext.as_str()))
            .map(|row| row.format)
    }

    /// Renders one document. Pure: no file system access, no threads; an `Err` is the
    /// renderer's message (a page limit, a typesetting error).
    pub fn render(
        self,
        document: &Document,
        assets: &Assets,
        settings: &Settings,
    ) -> Result<Warned<Vec<u8>>, String> {
        match self {
            Format::Html => Ok(bindery_html::render(
                document,
                assets,
                &settings.html_resources,
                &settings.html,
            )
            .map(String::into_bytes)),
            Format::Txt => {
                Ok(bindery_text::render(document, &settings.text).map(String::into_bytes))
            }
            Format::Epub => {
                bindery_epub::render(document, assets, &settings.html_resources, &settings.epub)
                    .map_err(|e| e.to_string())
            }
            Format::Pdf => {
                bindery_pdf::render(document, assets, settings.pdf_resources(), &settings.pdf)
                    .map_err(|e| e.to_string())
            }
            Format::Json => {
                let mut json = bindery_model::to_json(document);
                json.push('\n');
                Ok(Warned::clean(json.into_bytes()))
            }
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|row| row.name == s || row.aliases.contains(&s.as_str()))
            .map(|row| row.format)
            .ok_or_else(|| {
                let names: Vec<_> = FORMATS.iter().map(|row| row.name).collect();
                format!("unknown format `{s}` (known: {})", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_round_trip() {
        for format in Format::all() {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            let path = std::path::PathBuf::from(format!("x.{}", format.extension()));
            assert_eq!(Format::from_extension(&path), Some(format));
        }
        assert_eq!("HTM".parse::<Format>(), Ok(Format::Html));
        assert!("docx".parse::<Format>().is_err());
    }

    #[test]
    fn json_is_not_built_by_default() {
        assert!(!Format::defaults().contains(&Format::Json));
    }
}
