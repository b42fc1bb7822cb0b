//! CommonMark conformance: all 655 examples of spec 0.31.2, read by `bindery-markdown` in its
//! CommonMark dialect and written by this crate as a fragment, compared after the spec
//! runner's normalisation (`normalize/mod.rs`).
//!
//! The test fails when fewer than 650 pass, and whenever the set of misses differs from
//! [`KNOWN_MISSES`]: a new miss is a regression, and a fixed one must be taken off the list.

mod normalize;

use std::panic::{AssertUnwindSafe, catch_unwind};

use bindery_html::{Options, Resources, render};
use bindery_markdown::{Dialect, ReadOptions, parse};
use bindery_model::Assets;

use crate::normalize::normalize_html;

/// Examples that do not pass, with the reason. Keep sorted.
const KNOWN_MISSES: &[(u64, &str)] = &[];

struct Example {
    number: u64,
    section: String,
    markdown: String,
    html: String,
}

fn examples() -> Vec<Example> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("data/commonmark-0.31.2.json")).expect("valid JSON");
    let field =
        |e: &serde_json::Value, name: &str| e[name].as_str().unwrap_or_default().to_string();
    json.as_array()
        .expect("a list of examples")
        .iter()
        .map(|e| Example {
            number: e["example"].as_u64().expect("an example number"),
            section: field(e, "section"),
            markdown: field(e, "markdown"),
            html: field(e, "html"),
        })
        .collect()
}

/// Converts one example, or says why it could not be.
fn convert(markdown: &str, resources: &Resources, options: &Options) -> Result<String, String> {
    let read = ReadOptions {
        dialect: Dialect::CommonMark,
        ..ReadOptions::default()
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        parse(markdown, &read).map(|doc| render(&doc.output, &Assets::new(), resources, options))
    }));
    match result {
        Ok(Ok(html)) => Ok(html.output),
        Ok(Err(e)) => Err(format!("reader error: {e}")),
        Err(_) => Err("panicked".to_string()),
    }
}

/// The first difference between two normalised outputs, on one line.
fn first_difference(expected: &str, actual: &str) -> String {
    let at = expected
        .char_indices()
        .zip(actual.chars())
        .find(|((_, e), a)| e != a)
        .map_or(expected.len().min(actual.len()), |((i, _), _)| i);
    let at = (0..=at)
        .rev()
        .find(|i| expected.is_char_boundary(*i) && actual.is_char_boundary(*i))
        .unwrap_or(0);
    let context = |s: &str| {
        let start = (0..=at.saturating_sub(20))
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        s[start..].chars().take(60).collect::<String>()
    };
    format!(
        "expected {:?}, got {:?}",
        context(expected),
        context(actual)
    )
}

#[test]
fn commonmark_spec_examples() {
    let resources = Resources::new();
    let options = Options {
        standalone: false,
        highlight: false,
        heading_anchors: false,
        ..Options::default()
    };
    let examples = examples();
    assert_eq!(examples.len(), 655, "the spec has 655 examples");

    let mut misses = Vec::new();
    for example in &examples {
        let outcome = convert(&example.markdown, &resources, &options);
        let reason = match outcome {
            Ok(html) => {
                let (expected, actual) = (normalize_html(&example.html), normalize_html(&html));
                (expected != actual).then(|| first_difference(&expected, &actual))
            }
            Err(reason) => Some(reason),
        };
        if let Some(reason) = reason {
            misses.push((example.number, example.section.clone(), reason));
        }
    }

    let passed = examples.len() - misses.len();
    println!(
        "CommonMark 0.31.2: {passed}/{} examples pass",
        examples.len()
    );
    for (number, section, reason) in &misses {
        let known = KNOWN_MISSES.iter().any(|(n, _)| n == number);
        let tag = if known { "known" } else { "NEW" };
        println!("  miss {number} ({section}) [{tag}]: {reason}");
    }

    let missed: Vec<u64> = misses.iter().map(|m| m.0).collect();
    let known: Vec<u64> = KNOWN_MISSES.iter().map(|k| k.0).collect();
    assert!(passed >= 650, "only {passed}/655 CommonMark examples pass");
    assert_eq!(
        missed, known,
        "the misses differ from KNOWN_MISSES (left: now, right: listed)"
    );
}
