//! From a request's path to a document under the root and a format, refusing every path that
//! could mean something else: the server answers 404 for all of them, and opens no file.
//!
//! The path is split on `/` before anything is decoded, so an encoded slash (`%2f`) or
//! backslash can never make a separator; each segment is then decoded alone and must be a
//! plain name (not empty, `.` or `..`, no NUL or other control character, no `/` or `\`).
//! Whatever passes is still confined by canonical path in [`bindery_pipeline::find_document`]
//! (symbolic links out of the root).

use std::path::PathBuf;

use bindery_pipeline::Format;
use percent_encoding::percent_decode_str;

/// The longest request path looked at, in bytes (longer is a 404 without a file system call).
pub const MAX_PATH: usize = 1024;

/// The formats served from the root, by extension.
const SERVED: [Format; 4] = [Format::Html, Format::Txt, Format::Epub, Format::Pdf];

/// The document stem (relative to the root) and format that `path` (a request's path, still
/// percent-encoded, without the query) asks for; `None` for any path that is not plainly one.
pub fn document(path: &str) -> Option<(PathBuf, Format)> {
    if path.len() > MAX_PATH {
        return None;
    }
    let rest = path.strip_prefix('/')?;
    let mut relative = PathBuf::new();
    let mut segments = rest.split('/').peekable();
    let mut format = None;
    while let Some(raw) = segments.next() {
        let mut name = percent_decode_str(raw).decode_utf8().ok()?.into_owned();
        if segments.peek().is_none() {
            let (stem, extension) = name.rsplit_once('.')?;
            format = SERVED
                .into_iter()
                .find(|f| f.extension() == extension.to_ascii_lowercase());
            name = stem.to_string();
        }
        if !plain(&name) {
            return None;
        }
        relative.push(name);
    }
    Some((relative, format?))
}

/// A name that is one path component and nothing else.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// The file name a download of `stem` in `format` gets, as a `Content-Disposition` value:
/// an ASCII `filename` (other characters replaced) and the exact name as `filename*`.
pub fn disposition(stem: &std::path::Path, format: Format, inline: bool) -> String {
    let name = format!(
        "{}.{}",
        stem.file_name()
            .map_or_else(|| "document".into(), |n| n.to_string_lossy().into_owned()),
        format.extension()
    );
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.+ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_name_a_document_and_a_format() {
        assert_eq!(
            document("/a.html"),
            Some((PathBuf::from("a"), Format::Html))
        );
        assert_eq!(
            document("/guide/intro.PDF"),
            Some((PathBuf::from("guide/intro"), Format::Pdf))
        );
        assert_eq!(
            document("/caf%C3%A9.txt"),
            Some((PathBuf::from("café"), Format::Txt))
        );
        assert_eq!(
            document("/v1.2.epub"),
            Some((PathBuf::from("v1.2"), Format::Epub))
        );
    }

    #[test]
    fn everything_else_is_refused() {
        for path in [
            "/../Cargo.toml.txt",
            "/%2e%2e/x.txt",
            "/%2E%2E/x.txt",
            "/a/../b.txt",
            "/./a.txt",
            "/a%2fb.txt",
            "/a%2Fb.txt",
            "/a%5cb.txt",
            "/a\\b.txt",
            "//etc/passwd.txt",
            "/a//b.txt",
            "/%00.txt",
            "/a%00b.txt",
            "/a%0ab.txt",
            "/%ff.txt",
            "/a.md",
            "/a.json",
            "/a",
            "/.txt",
            "/a/.txt",
            "a.txt",
            "/",
        ] {
            assert_eq!(document(path), None, "{path}");
        }
        let long = format!("/{}.txt", "a".repeat(MAX_PATH));
        assert_eq!(document(&long), None);
    }

    #[test]
    fn download_names_are_quoted_safely() {
        assert_eq!(
            disposition(std::path::Path::new("guide/intro"), Format::Pdf, false),
            "attachment; filename=\"intro.pdf\"; filename*=UTF-8''intro%2Epdf"
        );
        assert_eq!(
            disposition(std::path::Path::new("a\"b;é"), Format::Txt, true),
            "inline; filename=\"a_b__.txt\"; filename*=UTF-8''a%22b%3B%C3%A9%2Etxt"
        );
    }
}
