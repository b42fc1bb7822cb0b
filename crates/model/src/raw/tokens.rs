//! Raw HTML as tokens: what the WHATWG tokenizer (html5gum) reads in one raw piece, reduced to
//! what the model can say. Character references are decoded here, by the tokenizer, so
//! `jav&#x61;script:` is `javascript:` by the time a URL is checked.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// One token of raw HTML.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A start tag: lower-case name, attributes (lower-case names, decoded values, first of
    /// each name), and whether it closed itself (`<br/>`).
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    /// An end tag's lower-case name.
    End(String),
    /// Text, character references decoded.
    Text(String),
}

/// The tokens of `html`. Comments, doctypes, processing instructions and CDATA sections
/// (which HTML reads as comments) vanish here, silently; so do parse errors, from which the
/// tokenizer recovers as a browser does. After `script`, `style`, `textarea`, `title` and the
/// like the tokenizer reads raw text up to the matching end tag, as a browser would.
pub(crate) fn tokens(html: &str) -> Vec<Tok> {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut out = Vec::new();
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => out.push(Tok::Start {
                name: lossy(&tag.name).to_ascii_lowercase(),
                attrs: tag
                    .attributes
                    .iter()
                    .map(|(name, value)| (lossy(name).to_ascii_lowercase(), lossy(value)))
                    .collect(),
                self_closing: tag.self_closing,
            }),
            Token::EndTag(tag) => out.push(Tok::End(lossy(&tag.name).to_ascii_lowercase())),
            Token::String(text) => match out.last_mut() {
                Some(Tok::Text(last)) => last.push_str(&lossy(&text)),
                _ => out.push(Tok::Text(lossy(&text))),
            },
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    out
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_vanish_and_references_are_decoded() {
        assert_eq!(tokens("<!-- ignore -->"), []);
        assert_eq!(tokens("<?php x ?><![CDATA[y]]><!doctype html>"), []);
        assert_eq!(
            tokens(r#"<A HREF="jav&#x61;script:x" href="second">a&amp;b</a>"#),
            [
                Tok::Start {
                    name: "a".into(),
                    attrs: vec![("href".into(), "javascript:x".into())],
                    self_closing: false
                },
                Tok::Text("a&b".into()),
                Tok::End("a".into()),
            ]
        );
    }

    #[test]
    fn script_content_is_text_not_tags() {
        assert_eq!(
            tokens("<script>if (a<b) x('</p>')</script>"),
            [
                Tok::Start {
                    name: "script".into(),
                    attrs: vec![],
                    self_closing: false
                },
                Tok::Text("if (a<b) x('</p>')".into()),
                Tok::End("script".into()),
            ]
        );
    }
}
