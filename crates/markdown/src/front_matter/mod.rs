//! Front matter: YAML between `---` lines or TOML between `+++` lines at the very start of the
//! file, split off before the Markdown parser sees the body.
//!
//! The front matter's lines are replaced by empty lines in the body handed to the parser, so
//! every block span still names the real file line. Errors are reported at file positions too.

mod value;

use std::borrow::Cow;

use bindery_model::{Metadata, Warning};
use serde::de::DeserializeSeed;
use serde_json::Value as Json;

use crate::ReadError;
use value::{Bounded, MAX_DEPTH, toml_depth, too_deep};

const YAML_HINT: &str = "front matter is YAML between --- lines; quote values that contain ': ' \
                         or start with a special character such as [ { * & ! | > ' \" % @ `";
const TOML_HINT: &str = "front matter is TOML between +++ lines: key = \"value\", with strings \
                         in double quotes";

/// The document split into its metadata and the Markdown body.
pub(crate) struct Split<'s> {
    /// The parsed front matter, or the default when there is none.
    pub meta: Metadata,
    /// The Markdown to parse, with the front matter lines blanked out.
    pub body: Cow<'s, str>,
    /// Set when something looked like front matter but was not closed.
    pub warning: Option<Warning>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Toml,
}

impl Format {
    fn hint(self) -> &'static str {
        match self {
            Format::Yaml => YAML_HINT,
            Format::Toml => TOML_HINT,
        }
    }
}

/// One line of the source with its byte range (the range excludes the line ending).
struct Line<'s> {
    text: &'s str,
    end_with_newline: usize,
}

fn lines(source: &str) -> impl Iterator<Item = Line<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= source.len() {
            return None;
        }
        let rest = &source[pos..];
        let (text, len) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        pos += len;
        Some(Line {
            text: text.strip_suffix('\r').unwrap_or(text),
            end_with_newline: pos,
        })
    })
}

fn is_delimiter(line: &str, delimiter: &str) -> bool {
    line.strip_prefix(delimiter)
        .is_some_and(|rest| rest.trim_end_matches([' ', '\t']).is_empty())
}

/// Splits off and parses the front matter, if the source starts with one.
pub(crate) fn split(source: &str) -> Result<Split<'_>, ReadError> {
    let no_front_matter = |warning| Split {
        meta: Metadata::default(),
        body: Cow::Borrowed(source),
        warning,
    };
    let mut all = lines(source);
    let Some(first) = all.next() else {
        return Ok(no_front_matter(None));
    };
    let opening = first.text.strip_prefix('\u{feff}').unwrap_or(first.text);
    let format = if is_delimiter(opening, "---") {
        Format::Yaml
    } else if is_delimiter(opening, "+++") {
        Format::Toml
    } else {
        return Ok(no_front_matter(None));
    };

    let content_start = first.end_with_newline;
    let mut content_end = content_start;
    // Lines of the file consumed by the front matter, delimiters included.
    let mut line_count = 1;
    let mut closed_at = None;
    for line in all {
        line_count += 1;
        let closes = match format {
            Format::Yaml => is_delimiter(line.text, "---") || is_delimiter(line.text, "..."),
            Format::Toml => is_delimiter(line.text, "+++"),
        };
        if closes {
            closed_at = Some(line.end_with_newline);
            break;
        }
        content_end = line.end_with_newline;
    }
    let Some(body_start) = closed_at else {
        // A document may well open with a thematic break (`---`); only warn when the next line
        // reads like a key, which is what an unclosed front matter looks like.
        let second = lines(source).nth(1).map(|l| l.text).unwrap_or("");
        let looks_like_key = match format {
            Format::Yaml => second.contains(':'),
            Format::Toml => second.contains('='),
        };
        let warning = looks_like_key.then(|| {
            let delimiter = if format == Format::Yaml { "---" } else { "+++" };
            Warning::new(
                "the front matter opened on line 1 is never closed, so it was read as Markdown",
                Some(bindery_model::Span::point(1, 1)),
            )
            .of_kind(bindery_model::WarningKind::Metadata)
            .with_hint(format!(
                "end the front matter with a line holding only {delimiter}"
            ))
        });
        return Ok(no_front_matter(warning));
    };

    let content = &source[content_start..content_end];
    // The content's first line is the file's second.
    let meta = match format {
        Format::Yaml => yaml_metadata(content, 1)?,
        Format::Toml => toml_metadata(content, 1)?,
    };
    let mut body = String::with_capacity(line_count + source.len() - body_start);
    body.extend(std::iter::repeat_n('\n', line_count));
    body.push_str(&source[body_start..]);
    Ok(Split {
        meta,
        body: Cow::Owned(body),
        warning: None,
    })
}

fn error(format: Format, line: usize, col: usize, message: impl Into<String>) -> ReadError {
    ReadError::FrontMatter {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
        message: message.into(),
        hint: format.hint().to_string(),
    }
}

/// A field of the right syntax but the wrong shape, such as a list for the title.
fn type_error(line: usize, message: String) -> ReadError {
    ReadError::FrontMatter {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: 1,
        message,
        hint: "title, subtitle, date, lang, identifier, description and cover take one value; \
               author (or authors) and keywords take a string or a list of strings"
            .to_string(),
    }
}

/// Opening brackets above which YAML front matter is pre-scanned for its depth; with at most
/// this many, libyaml's cost per token is bounded by it whatever the structure.
const PRESCAN_ABOVE: usize = MAX_DEPTH;

/// With more `[`/`{` than this, front matter that the pre-scan cannot read is refused rather
/// than handed to libyaml (which could nest that deep and slow down with every level).
const UNSCANNED_BRACKETS: usize = 64;

/// Refuses YAML front matter that nests collections deeper than [`MAX_DEPTH`] before libyaml
/// reads it: its scanner revisits every open flow level on each token (quadratic: 100 K levels
/// of `[` took 18.7 s, 1 MB about 8 minutes). yaml-rust's event parser is stopped at the first
/// collection too deep, after reading little more than that collection.
fn yaml_depth_check(content: &str, offset: usize) -> Result<(), ReadError> {
    let brackets = bracket_count(content);
    if brackets <= PRESCAN_ABOVE {
        return Ok(());
    }
    let mut parser = yaml_rust::parser::Parser::new(content.chars());
    let mut depth = 0usize;
    loop {
        match parser.next() {
            Ok((event, mark)) => match event {
                yaml_rust::Event::SequenceStart(_) | yaml_rust::Event::MappingStart(_) => {
                    depth += 1;
                    // The root mapping is one level more than the values the seed counts.
                    if depth > MAX_DEPTH + 1 {
                        return Err(error(
                            Format::Yaml,
                            mark.line() + offset,
                            mark.col() + 1,
                            too_deep(),
                        ));
                    }
                }
                yaml_rust::Event::SequenceEnd | yaml_rust::Event::MappingEnd => {
                    depth = depth.saturating_sub(1);
                }
                yaml_rust::Event::StreamEnd => return Ok(()),
                _ => {}
            },
            // Where the two readers disagree, libyaml gives the error message, but only when
            // few brackets bound what it could do with the rest.
            Err(_) if brackets <= UNSCANNED_BRACKETS => return Ok(()),
            Err(e) => {
                let mark = e.marker();
                // yaml-rust counts flow levels in a byte: 256 open brackets on one line stop
                // its look-ahead before the parser reaches level 17.
                let message = if e.to_string().starts_with("recursion limit exceeded") {
                    too_deep()
                } else {
                    format!("invalid YAML front matter: {e}")
                };
                return Err(error(
                    Format::Yaml,
                    mark.line() + offset,
                    mark.col() + 1,
                    message,
                ));
            }
        }
    }
}

/// The number of `[` and `{` in `text`.
fn bracket_count(text: &str) -> usize {
    text.bytes().filter(|b| matches!(b, b'[' | b'{')).count()
}

/// Parses YAML front matter; `offset` is the number of file lines before `content`.
fn yaml_metadata(content: &str, offset: usize) -> Result<Metadata, ReadError> {
    yaml_depth_check(content, offset)?;
    let value = Bounded::root()
        .deserialize(serde_yaml_ng::Deserializer::from_str(content))
        .map_err(|e| {
            let (line, col) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            // serde_yaml_ng's message repeats the position at its end; the error carries it.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_string();
            error(
                Format::Yaml,
                line + offset,
                col,
                format!("invalid YAML front matter: {message}"),
            )
        })?;
    let json = match value {
        Json::Null => return Ok(Metadata::default()),
        Json::Object(map) => map,
        _ => {
            return Err(error(
                Format::Yaml,
                offset + 1,
                1,
                "the front matter must be a mapping of keys to values",
            ));
        }
    };
    typed_metadata(json, content, offset, Format::Yaml)
}

/// Parses TOML front matter; `offset` is the number of file lines before `content`.
pub(crate) fn toml_metadata(content: &str, offset: usize) -> Result<Metadata, ReadError> {
    let (depth, at) = toml_depth(content);
    if depth > MAX_DEPTH {
        let (line, col) = line_col(content, at);
        return Err(error(Format::Toml, line + offset, col, too_deep()));
    }
    let table: toml::Table = toml::from_str(content).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|span| line_col(content, span.start))
            .unwrap_or((1, 1));
        let message = e.message().trim_end().to_string();
        error(
            Format::Toml,
            line + offset,
            col,
            format!("invalid TOML front matter: {message}"),
        )
    })?;
    let json = table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect();
    typed_metadata(json, content, offset, Format::Toml)
}

/// The 1-based line and byte column of `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, before.len() - line_start + 1)
}

/// Deserialises the generic value into typed metadata; a type error names the key and its line.
fn typed_metadata(
    json: serde_json::Map<String, Json>,
    content: &str,
    offset: usize,
    format: Format,
) -> Result<Metadata, ReadError> {
    let json = Json::Object(json);
    match serde_json::from_value::<Metadata>(json.clone()) {
        Ok(meta) => Ok(meta),
        Err(whole) => {
            // serde_json's error from a `Value` has no position: find the key at fault by
            // deserialising each key alone, then its line in the front matter.
            let Json::Object(map) = json else {
                unreachable!("built as an object above")
            };
            for (key, value) in map {
                let single = Json::Object([(key.clone(), value)].into_iter().collect());
                if let Err(e) = serde_json::from_value::<Metadata>(single) {
                    let line = key_line(content, &key, format).unwrap_or(1);
                    return Err(type_error(line + offset, format!("`{key}`: {e}")));
                }
            }
            Err(type_error(offset + 1, whole.to_string()))
        }
    }
}

/// The 1-based line of `content` where the top-level `key` is written, if it can be found.
fn key_line(content: &str, key: &str, format: Format) -> Option<usize> {
    let separator = match format {
        Format::Yaml => ':',
        Format::Toml => '=',
    };
    content
        .lines()
        .position(|line| {
            let line = line.trim_start_matches(['"', '\'']);
            line.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\'', ' ', '\t'])
                    .starts_with(separator)
            })
        })
        .map(|i| i + 1)
}

/// TOML's data model into JSON's; dates and times become their TOML text. The input was
/// measured by `toml_depth` first, so the recursion here is bounded.
fn toml_to_json(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Json::String(f.to_string()), Json::Number),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Json::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_yaml_is_refused_before_libyaml_reads_it() {
        for (text, line) in [
            (
                format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
                1,
            ),
            (format!("a: 1\nx: {}\n", "{a: ".repeat(30)), 2),
            (format!("x:\n{}\n", "  [\n".repeat(40)), 18),
        ] {
            let Err(ReadError::FrontMatter {
                message, line: at, ..
            }) = yaml_depth_check(&text, 0)
            else {
                panic!("accepted: {}", &text[..40]);
            };
            assert!(message.contains("deeper than 16"), "{message}");
            assert_eq!(at as usize, line, "{message}");
        }
        // Brackets in strings, block scalars and balanced lists are not nesting.
        let fine = format!(
            "title: \"{}\"\nd: |\n  {}\ntags: [a, [b], {{c: [d]}}]\n",
            "[".repeat(40),
            "{".repeat(40)
        );
        assert!(yaml_depth_check(&fine, 0).is_ok());
        assert!(yaml_metadata(&fine, 0).is_ok());
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn key_lines_are_found() {
        assert_eq!(
            key_line("a: 1\ntitle: [1]\n", "title", Format::Yaml),
            Some(2)
        );
        assert_eq!(
            key_line("a = 1\n\"title\" = 2\n", "title", Format::Toml),
            Some(2)
        );
        assert_eq!(key_line("subtitle: x\n", "title", Format::Yaml), None);
    }
}
