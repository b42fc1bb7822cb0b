//! A footnote reference written right after a bare URL, as in `(https://example.org)[^1]`.
//!
//! comrak matches bare URLs while it parses inlines and runs each to the next space, so the URL
//! above swallows `)[^1]`: the link points at `https://example.org)%5B%5E1%5D` and the note is
//! lost ("never referenced"). GitHub (cmark-gfm) finds bare URLs after inline parsing, in text
//! that no longer holds the reference, so there the URL ends before `[^1]` and its trailing `)`
//! is dropped as unbalanced. This pass gives comrak's tree the GitHub reading: a link whose text
//! holds `[^label]` for a defined footnote is cut before it, trimmed by the GFM rules, and
//! followed by the trimmed characters, the footnote reference and whatever came after it.

use std::collections::HashMap;

use comrak::nodes::{Ast, NodeFootnoteReference, NodeValue};
use comrak::{Arena, Node};

/// Splits footnote references out of bare-URL links, counting them on their definitions so
/// they are neither reported as unreferenced nor left out. `body` is the parsed source: a link
/// written `<https://..>` starts with `<` there and is left as written.
pub(super) fn split_footnote_references<'a>(arena: &'a Arena<'a>, root: Node<'a>, body: &str) {
    let mut definitions: HashMap<String, Node<'a>> = HashMap::new();
    let mut candidates = Vec::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::FootnoteDefinition(definition) => {
                definitions
                    .entry(definition.name.to_lowercase())
                    .or_insert(node);
            }
            NodeValue::Link(link) if link.url.contains("[^") => candidates.push(node),
            _ => {}
        }
    }
    if definitions.is_empty() || candidates.is_empty() {
        return;
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    for link in candidates {
        let start = link.data().sourcepos.start;
        let offset = line_starts
            .get(start.line.wrapping_sub(1))
            .map(|line| line + start.column.saturating_sub(1));
        if offset.and_then(|at| body.as_bytes().get(at)) != Some(&b'<') {
            split_link(arena, link, &definitions);
        }
    }
}

/// The text of a bare-URL link: its only child is a text node that is its URL (`www.` links
/// gain `http://`, e-mail links `mailto:`).
fn bare_url_text(link: Node<'_>) -> Option<String> {
    let child = link.first_child()?;
    if child.next_sibling().is_some() {
        return None;
    }
    let NodeValue::Text(text) = &child.data().value else {
        return None;
    };
    let NodeValue::Link(target) = &link.data().value else {
        return None;
    };
    let bare = target.url == text.as_ref()
        || target.url.strip_prefix("http://") == Some(text.as_ref())
        || target.url.strip_prefix("mailto:") == Some(text.as_ref());
    bare.then(|| text.to_string())
}

/// The first `[^label]` in `text` whose label names a definition: its byte range and node.
fn find_reference<'a>(
    text: &str,
    definitions: &HashMap<String, Node<'a>>,
) -> Option<(usize, usize, Node<'a>)> {
    let mut from = 0;
    while let Some(found) = text[from..].find("[^") {
        let start = from + found;
        let label_start = start + 2;
        // A label ends at the first `]`, holds no `[` and, as a link label, at most 999
        // characters: the scan stops there, so `[^[^[^..` stays linear.
        let label_len = text[label_start..]
            .bytes()
            .take(1000)
            .position(|b| b == b']' || b == b'[');
        if let Some(len) = label_len.filter(|&len| text.as_bytes()[label_start + len] == b']') {
            let label = &text[label_start..label_start + len];
            if let Some(definition) = definitions.get(&label.to_lowercase()) {
                return Some((start, label_start + len + 1, definition));
            }
        }
        from = label_start;
    }
    None
}

/// Where a bare URL ends once GFM's trailing rules are applied: final `?!.,:*_~'"` go, and so
/// does a final `)` with more `)` than `(` before it.
fn gfm_url_end(url: &str) -> usize {
    let bytes = url.as_bytes();
    let mut end = bytes.len();
    let (mut open, mut close) = (0usize, 0usize);
    for &b in bytes {
        match b {
            b'(' => open += 1,
            b')' => close += 1,
            _ => {}
        }
    }
    while end > 0 {
        match bytes[end - 1] {
            b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"' => end -= 1,
            b')' if close > open => {
                close -= 1;
                end -= 1;
            }
            _ => break,
        }
    }
    end
}

fn split_link<'a>(arena: &'a Arena<'a>, link: Node<'a>, definitions: &HashMap<String, Node<'a>>) {
    let Some(text) = bare_url_text(link) else {
        return;
    };
    let Some((start, end, definition)) = find_reference(&text, definitions) else {
        return;
    };
    let sourcepos = link.data().sourcepos;
    let new_node = |value| arena.alloc(Ast::new_with_sourcepos(value, sourcepos).into());

    let url_end = gfm_url_end(&text[..start]);
    // What is left must still look like a URL: a scheme or `www.` and something after it.
    let keeps_link = text[..url_end]
        .find("://")
        .map_or(url_end > 4, |scheme| url_end > scheme + 3);
    let mut last = link;
    let mut after = |node: Node<'a>| {
        last.insert_after(node);
        last = node;
    };
    if keeps_link {
        let mut data = link.data_mut();
        if let NodeValue::Link(target) = &mut data.value {
            let prefix_len = target.url.len() - text.len();
            target.url.truncate(prefix_len + url_end);
        }
        drop(data);
        if let Some(child) = link.first_child() {
            child.data_mut().value = NodeValue::Text(text[..url_end].to_string().into());
        }
        if url_end < start {
            after(new_node(NodeValue::Text(
                text[url_end..start].to_string().into(),
            )));
        }
    } else {
        after(new_node(NodeValue::Text(text[..start].to_string().into())));
    }

    let mut rest = &text[end..];
    let mut definition = definition;
    loop {
        let name = match &mut definition.data_mut().value {
            NodeValue::FootnoteDefinition(def) => {
                def.total_references += 1;
                def.name.clone()
            }
            _ => unreachable!("only definitions are indexed"),
        };
        after(new_node(NodeValue::FootnoteReference(Box::new(
            NodeFootnoteReference {
                name,
                ..Default::default()
            },
        ))));
        let Some((next_start, next_end, next)) = find_reference(rest, definitions) else {
            break;
        };
        if next_start > 0 {
            after(new_node(NodeValue::Text(
                rest[..next_start].to_string().into(),
            )));
        }
        rest = &rest[next_end..];
        definition = next;
    }
    if !rest.is_empty() {
        after(new_node(NodeValue::Text(rest.to_string().into())));
    }
    if !keeps_link {
        link.detach();
    }
}

#[cfg(test)]
mod tests {
    use super::gfm_url_end;

    #[test]
    fn trailing_punctuation_and_unbalanced_parentheses_end_the_url() {
        assert_eq!(gfm_url_end("https://a.org/x)"), "https://a.org/x".len());
        assert_eq!(gfm_url_end("https://a.org/(x)"), "https://a.org/(x)".len());
        assert_eq!(gfm_url_end("https://a.org/x)."), "https://a.org/x".len());
        assert_eq!(gfm_url_end("https://a.org/x"), "https://a.org/x".len());
    }
}
