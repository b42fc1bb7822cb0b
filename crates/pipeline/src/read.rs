//! Reading one input into a document: size limit, UTF-8, dialect, `-M` overrides and the
//! raw-HTML policy, so every format renders the same checked model.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use bindery_markdown::{Dialect, ReadError, ReadOptions};
use bindery_model::{Document, Warned, apply_raw_html};

use crate::{Error, Settings};

/// The input dialect (`--from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// CommonMark + GFM + footnotes + front matter (the default).
    #[default]
    Markdown,
    /// The CommonMark spec alone, extensions off.
    CommonMark,
    /// bindery's JSON document model.
    Json,
}

impl FromStr for InputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "markdown" | "md" | "gfm" => Ok(InputFormat::Markdown),
            "commonmark" | "cm" => Ok(InputFormat::CommonMark),
            "json" => Ok(InputFormat::Json),
            other => Err(format!(
                "unknown input format `{other}` (known: markdown, commonmark, json)"
            )),
        }
    }
}

/// Opens `path` for reading if it is a regular file, without ever blocking: a FIFO, socket or
/// device (a `b.md` that is a named pipe would block `open()` until a writer comes) is refused
/// from its type before it is opened, and the file is opened non-blocking and checked again,
/// in case it was swapped in between. Returns the file and its size.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let not_regular = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO, socket or device); it is not read",
        )
    };
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK makes no difference to reading a regular file; it only keeps `open()`
        // from waiting on a FIFO put in the file's place after the check above.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    Ok((file, meta.len()))
}

/// Reads `path` (`name` in errors) within `limit` bytes, if it is a regular file inside the
/// directory `inside` once symbolic links are followed: a book's `bindery.toml`, `SUMMARY.md`
/// and chapters may not point out of the book.
pub(crate) fn read_inside(
    inside: &Path,
    path: &Path,
    name: &Path,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        path: name.to_path_buf(),
        source,
    };
    let canonical = path.canonicalize().map_err(io)?;
    let dir = inside.canonicalize().map_err(|source| Error::Io {
        path: inside.to_path_buf(),
        source,
    })?;
    if !canonical.starts_with(&dir) {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "it is outside {} (a symbolic link out of it); it is not read",
                inside.display()
            ),
        )));
    }
    read_input(Some(&canonical), name, limit)
}

/// The bytes of an input file, or of standard input when `path` is `None` (`name` is what
/// errors call it), never reading more than `limit` + 1 bytes: a file over the limit is
/// refused from its size before it is read, and a stream (or a file that grows) is cut off one
/// byte past the limit, so `yes | bindery convert -` ends. Only regular files are opened
/// ([`open_regular`]).
pub(crate) fn read_input(path: Option<&Path>, name: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        path: name.to_path_buf(),
        source,
    };
    let too_large = |size| Error::TooLarge {
        path: name.to_path_buf(),
        size,
        limit,
    };
    let mut bytes = Vec::new();
    match path {
        Some(path) => {
            let (file, size) = open_regular(path).map_err(io)?;
            if size > limit {
                return Err(too_large(Some(size)));
            }
            file.take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(io)?;
        }
        None => {
            std::io::stdin()
                .lock()
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(io)?;
        }
    }
    if bytes.len() as u64 > limit {
        // A stream, or a file that grew while it was read: its size is not known.
        return Err(too_large(None));
    }
    Ok(bytes)
}

/// Reads `bytes` (the contents of `path`) into a checked document.
pub fn read_document(
    path: &Path,
    bytes: &[u8],
    settings: &Settings,
) -> Result<Warned<Document>, Error> {
    read_document_as(path, bytes, settings.input, &settings.metadata, settings)
}

/// [`read_document`] in the dialect `input` with the overrides `metadata` instead of the
/// settings' own (a service takes both from each request).
pub fn read_document_as(
    path: &Path,
    bytes: &[u8],
    input: InputFormat,
    metadata: &[(String, String)],
    settings: &Settings,
) -> Result<Warned<Document>, Error> {
    if bytes.len() as u64 > settings.max_input {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: Some(bytes.len() as u64),
            limit: settings.max_input,
        });
    }
    let source = std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(bytes, e.valid_up_to());
        Error::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message: "the file is not valid UTF-8".into(),
            hint: Some("save the file as UTF-8".into()),
        }
    })?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let mut warned = match input {
        InputFormat::Json => {
            let mut warned = bindery_model::from_json(source).map_err(|e| {
                let (line, col) = match &e {
                    bindery_model::JsonError::Syntax(s) => (s.line() as u32, s.column() as u32),
                    bindery_model::JsonError::Version { .. } => (1, 1),
                };
                Error::Syntax {
                    path: path.to_path_buf(),
                    line,
                    col,
                    message: match &e {
                        bindery_model::JsonError::Syntax(s) => s.to_string(),
                        other => other.to_string(),
                    },
                    hint: Some("the JSON form is what `bindery ast` prints".into()),
                }
            })?;
            if warned.output.meta.title.is_none() {
                warned.output.meta.title =
                    path.file_stem().map(|s| s.to_string_lossy().into_owned());
            }
            warned
        }
        InputFormat::Markdown | InputFormat::CommonMark => {
            let options = ReadOptions {
                dialect: if input == InputFormat::CommonMark {
                    Dialect::CommonMark
                } else {
                    Dialect::Markdown
                },
                file_name,
            };
            bindery_markdown::parse(source, &options).map_err(|e| read_error(path, e))?
        }
    };
    for (key, value) in metadata {
        warned.output.meta.set(key, value);
    }
    // The reader checked the document (`bindery_model::sanitize`); the metadata set since
    // (`-M`, a JSON document's title from its file name) gets the same checks.
    let checked = bindery_model::sanitize_metadata(&mut warned.output.meta);
    warned.warnings.extend(checked);
    let raw = apply_raw_html(&mut warned.output, settings.raw_html);
    warned.warnings.extend(raw);
    Ok(warned)
}

fn read_error(path: &Path, e: ReadError) -> Error {
    match e {
        ReadError::FrontMatter {
            line,
            col,
            message,
            hint,
        } => Error::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message,
            hint: Some(hint),
        },
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line as u32, col as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err =
            read_document(Path::new("x.md"), b"ok\nab\xffc", &Settings::default()).unwrap_err();
        assert_eq!(err.to_string(), "x.md:2:3: the file is not valid UTF-8");
    }

    #[test]
    fn oversized_input_is_refused() {
        let settings = Settings {
            max_input: 4,
            ..Settings::default()
        };
        let err = read_document(Path::new("x.md"), b"hello", &settings).unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooLarge {
                    size: Some(5),
                    limit: 4,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn metadata_set_after_reading_is_checked_too() {
        // A JSON document's title comes from its file name, and `-M` comes after the reader:
        // both get the model's checks.
        let settings = Settings {
            input: InputFormat::Json,
            metadata: vec![
                ("author".into(), "A\u{1b}[2J".into()),
                ("lang".into(), "en\"><script>".into()),
            ],
            ..Settings::default()
        };
        let doc = read_document(
            Path::new("in/t\u{7}.json"),
            br#"{"bindery-api-version": "1.0", "blocks": []}"#,
            &settings,
        )
        .unwrap();
        let meta = &doc.output.meta;
        assert_eq!(meta.title.as_deref(), Some("t\u{fffd}"));
        assert_eq!(meta.authors, ["A\u{fffd}[2J"]);
        assert_eq!(meta.lang, None);
        assert_eq!(doc.warnings.len(), 2, "{:?}", doc.warnings);
    }

    #[test]
    fn metadata_overrides_front_matter() {
        let settings = Settings {
            metadata: vec![("title".into(), "From CLI".into())],
            ..Settings::default()
        };
        let doc = read_document(
            Path::new("x.md"),
            b"---\ntitle: From file\n---\nbody\n",
            &settings,
        )
        .unwrap();
        assert_eq!(doc.output.meta.title.as_deref(), Some("From CLI"));
    }
}
