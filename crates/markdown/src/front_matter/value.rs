//! Front matter values with bounded nesting.
//!
//! serde_yaml_ng allows 128 levels and the TOML crates have no limit; building a value that
//! deep overflows a 256 KiB thread stack at about 40 levels. Metadata has no business being
//! deeper than [`MAX_DEPTH`], so YAML is read through a seed that refuses to descend further
//! (the deserializer recurses only when the seed asks it to), and TOML, whose parser builds its
//! own tree first, is measured by [`toml_depth`] before it is parsed.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

/// The deepest nesting of lists and maps accepted in front matter.
pub(super) const MAX_DEPTH: usize = 16;

/// The message for front matter nested deeper than [`MAX_DEPTH`].
pub(super) fn too_deep() -> String {
    format!("front matter nests lists and maps deeper than {MAX_DEPTH} levels")
}

/// Deserialises any self-describing value into JSON, refusing to nest deeper than
/// [`MAX_DEPTH`]; map keys become strings.
#[derive(Clone, Copy)]
pub(super) struct Bounded {
    depth: usize,
}

impl Bounded {
    /// A seed for a whole document.
    pub(super) fn root() -> Self {
        Self { depth: 0 }
    }

    fn child(self) -> Self {
        Self {
            depth: self.depth + 1,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Bounded {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(too_deep()));
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a front matter value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // JSON has no infinities or NaN; YAML's `.inf` is kept as its text.
        Ok(serde_json::Number::from_f64(v)
            .map_or_else(|| Json::String(v.to_string()), Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child())? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            let value = map.next_value_seed(self.child())?;
            // The TOML crates hand a date or time to `deserialize_any` as a one-entry map
            // under this private key; the metadata wants its text.
            if key == "$__toml_private_datetime" {
                return Ok(value);
            }
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Json, A::Error> {
        // A YAML tag (`!name value`): the tag is dropped, the value kept.
        use de::VariantAccess;
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant_seed(self.child())
    }
}

/// A map key as a string: YAML allows numbers and booleans as keys.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key that is a string, number or boolean")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_string())
    }
}

/// The deepest nesting TOML `content` can produce, with the 0-based byte offset where it is
/// reached: table headers and dotted keys count one level per segment, arrays and inline
/// tables one per bracket. Strings and comments are skipped, so brackets and dots inside them
/// do not count; the estimate errs high, never low.
pub(super) fn toml_depth(content: &str) -> (usize, usize) {
    #[derive(PartialEq)]
    enum State {
        Normal,
        Comment,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let bytes = content.as_bytes();
    let mut state = State::Normal;
    // Open brackets, innermost last: b'[' or b'{'.
    let mut brackets: Vec<u8> = Vec::new();
    let mut header_depth = 0;
    let mut key_dots = 0;
    let mut at_line_start = true;
    let mut in_header = false;
    let mut max = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &bytes[i..];
        match state {
            State::Comment => {
                if b == b'\n' {
                    state = State::Normal;
                    at_line_start = brackets.is_empty();
                }
            }
            State::Basic => match b {
                b'\\' => i += 1,
                b'"' | b'\n' => state = State::Normal,
                _ => {}
            },
            State::Literal => {
                if b == b'\'' || b == b'\n' {
                    state = State::Normal;
                }
            }
            State::MultiBasic => {
                if b == b'\\' {
                    i += 1;
                } else if rest.starts_with(b"\"\"\"") {
                    state = State::Normal;
                    i += 2;
                }
            }
            State::MultiLiteral => {
                if rest.starts_with(b"'''") {
                    state = State::Normal;
                    i += 2;
                }
            }
            State::Normal => match b {
                b'#' => state = State::Comment,
                b'"' if rest.starts_with(b"\"\"\"") => {
                    state = State::MultiBasic;
                    i += 2;
                }
                b'"' => state = State::Basic,
                b'\'' if rest.starts_with(b"'''") => {
                    state = State::MultiLiteral;
                    i += 2;
                }
                b'\'' => state = State::Literal,
                b'\n' => {
                    if brackets.is_empty() {
                        at_line_start = true;
                        key_dots = 0;
                    }
                }
                b' ' | b'\t' | b'\r' => {}
                b'[' if at_line_start => {
                    // A table header: `[a.b]` or `[[a.b]]`.
                    in_header = true;
                    header_depth = if rest.starts_with(b"[[") { 2 } else { 1 };
                    at_line_start = false;
                    if rest.starts_with(b"[[") {
                        i += 1;
                    }
                }
                b']' if in_header => {
                    in_header = false;
                    if rest.starts_with(b"]]") {
                        i += 1;
                    }
                }
                b'.' if in_header => header_depth += 1,
                b'[' | b'{' => {
                    brackets.push(b);
                    at_line_start = false;
                    key_dots = 0;
                }
                b']' | b'}' => {
                    brackets.pop();
                }
                b'.' => key_dots += 1,
                b'=' => {
                    let depth = header_depth + brackets.len() + key_dots + 1;
                    if depth > max.0 {
                        max = (depth, i);
                    }
                    key_dots = 0;
                    at_line_start = false;
                }
                b',' => key_dots = 0,
                _ => at_line_start = false,
            },
        }
        if state == State::Normal {
            let depth = header_depth + brackets.len() + 1;
            if depth > max.0 {
                max = (depth, i);
            }
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_depth_counts_brackets_headers_and_dotted_keys() {
        assert_eq!(toml_depth("a = 1\n").0, 1);
        assert_eq!(toml_depth("a = [[1], [2]]\n").0, 3);
        assert_eq!(toml_depth("[a.b]\nc.d = 1\n").0, 4);
        assert_eq!(toml_depth("x = { a = { b = 1 } }\n").0, 3);
        assert_eq!(toml_depth("x = 1.5\ny = 2.5\n").0, 1);
    }

    #[test]
    fn toml_depth_skips_strings_and_comments() {
        assert_eq!(toml_depth("a = \"[[[[.]]\" # [[[[\n").0, 1);
        assert_eq!(toml_depth("a = '''\n[[[[\n'''\n").0, 1);
        assert_eq!(toml_depth("a = \"\\\"[[[\"\n").0, 1);
    }
}
