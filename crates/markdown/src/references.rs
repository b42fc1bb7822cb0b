//! Detecting reference links comrak silently left unexpanded.
//!
//! comrak bounds the text produced by reference links to the input's size or 100 KB, whichever
//! is smaller (`max_ref_size` in its parser): past that budget a reference to a defined label
//! is treated as undefined and comes out as literal `[text]`, with no signal. It does call the
//! broken-link callback for every reference it did not resolve, so the reader finds the
//! definitions itself (a cheap scan of the source) and records when the callback is asked
//! about a label that is defined: that only happens once the budget is spent.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bindery_model::Warning;
use comrak::options::{BrokenLinkCallback, BrokenLinkReference};

/// comrak's fixed ceiling on reference expansion, in bytes of URL and title.
const COMRAK_MAX_REF_SIZE: usize = 100_000;

/// Reference definitions found in the source, shared with comrak's broken-link callback.
pub(crate) struct Definitions {
    /// Normalised label -> an upper bound on the bytes its URL and title can take.
    sizes: HashMap<String, usize>,
    /// The largest bound among defined labels comrak reported as unresolved; 0 for none.
    unresolved_defined: AtomicUsize,
}

impl Definitions {
    /// Scans `source` for lines that look like link reference definitions (`[label]: url`),
    /// inside block quotes and list items too.
    pub(crate) fn scan(source: &str) -> Arc<Self> {
        let mut sizes = HashMap::new();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(label) = definition_label(line) else {
                continue;
            };
            // The URL and title may continue on the next lines; three lines bound them.
            let bound = lines[i..].iter().take(3).map(|l| l.len() + 1).sum();
            let entry = sizes.entry(normalize(label)).or_insert(0);
            *entry = (*entry).max(bound);
        }
        Arc::new(Self {
            sizes,
            unresolved_defined: AtomicUsize::new(0),
        })
    }

    /// The callback comrak calls for each reference it could not resolve; it never resolves
    /// one itself, it only takes note.
    pub(crate) fn callback(self: &Arc<Self>) -> Arc<dyn BrokenLinkCallback + 'static> {
        let definitions = Arc::clone(self);
        Arc::new(move |reference: BrokenLinkReference| {
            if let Some(&size) = definitions.sizes.get(&normalize(reference.normalized)) {
                definitions
                    .unresolved_defined
                    .fetch_max(size, Ordering::Relaxed);
            }
            None
        })
    }

    /// A warning when comrak's expansion budget was spent: a defined label was reported as
    /// unresolved, and the links in the document are large enough to have used up the budget.
    /// `link_bytes` is the total URL and title length of every link and image comrak built.
    pub(crate) fn cap_warning(&self, input_len: usize, link_bytes: usize) -> Option<Warning> {
        let size = self.unresolved_defined.load(Ordering::Relaxed);
        let budget = input_len.min(COMRAK_MAX_REF_SIZE);
        (size > 0 && link_bytes + size > budget).then(|| {
            Warning::new(
                format!(
                    "some reference links were left as plain text: the parser expands at most \
                     {budget} bytes of link destinations from reference definitions"
                ),
                None,
            )
            .of_kind(bindery_model::WarningKind::Dropped)
            .with_hint(
                "use inline links ([text](url)) for destinations repeated many times, or \
                 shorten the reference definitions",
            )
        })
    }
}

/// The label of a line that looks like a link reference definition, after any block quote
/// markers, list markers and indentation.
fn definition_label(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix('>') {
            rest = r.trim_start();
        } else if let Some(r) = strip_list_marker(rest) {
            rest = r.trim_start();
        } else {
            break;
        }
    }
    let inner = rest.strip_prefix('[')?;
    if inner.starts_with('^') {
        return None; // a footnote definition
    }
    let close = inner.find(']')?;
    let label = &inner[..close];
    (inner[close + 1..].starts_with(':') && !label.contains('[') && !label.trim().is_empty())
        .then_some(label)
}

fn strip_list_marker(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    match bytes.first()? {
        b'-' | b'*' | b'+' if bytes.get(1).is_some_and(|b| *b == b' ' || *b == b'\t') => {
            Some(&line[1..])
        }
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let after = bytes.get(digits)?;
            let space = bytes.get(digits + 1)?;
            (digits <= 9 && matches!(after, b'.' | b')') && (*space == b' ' || *space == b'\t'))
                .then(|| &line[digits + 1..])
        }
        _ => None,
    }
}

/// Trimmed, whitespace runs collapsed, lower-cased: close enough to comrak's case folding for
/// the labels documents use.
fn normalize(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_lines_are_recognised() {
        assert_eq!(definition_label("[foo]: https://x"), Some("foo"));
        assert_eq!(definition_label("   [Foo Bar]:"), Some("Foo Bar"));
        assert_eq!(definition_label("> - [q]: /url"), Some("q"));
        assert_eq!(definition_label("1. [n]: /url"), Some("n"));
        assert_eq!(definition_label("[^note]: text"), None);
        assert_eq!(definition_label("[foo] bar"), None);
        assert_eq!(definition_label("text [foo]: x"), None);
    }

    #[test]
    fn labels_normalise_like_comrak() {
        assert_eq!(normalize("  Foo \t Bar "), "foo bar");
    }
}
