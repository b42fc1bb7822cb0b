//! The page design: the Typst set and show rules that precede every document, the PDF metadata
//! and the title block. Fixed text except for values quoted through [`typst_syntax`].

use std::fmt::Write as _;

use bindery_model::Metadata;

use crate::code;
use crate::fonts::{MATH_FAMILY, MONO_FAMILY, Resources, SERIF_FAMILY};
use crate::typst_syntax::{language, quoted, region, string, text};
use crate::{Options, Paper};

/// Rules that do not depend on the document (except `START`, the side lines begin on: the
/// bars of quotes and alerts go there). Margins give a measure of about 70 characters at
/// 11 pt, which is what book designers aim for; headings are never hyphenated or justified.
const RULES: &str = r##"#set par(justify: true, leading: 0.62em, spacing: 0.95em)
#set block(spacing: 0.95em)
#show heading: set text(hyphenate: false)
#show heading: set par(justify: false)
#show heading: set block(above: 1.5em, below: 0.8em, sticky: true)
#show link: set text(fill: rgb("#1f4e79"))
#show raw.where(block: true): set par(justify: false)
#show raw: set text(hyphenate: false)
#show raw.where(block: true): it => block(width: 100%, breakable: true, fill: luma(246), stroke: 0.4pt + luma(215), inset: (x: 8pt, y: 6pt), radius: 2pt, it)
#show quote.where(block: true): it => block(width: 100%, breakable: true, inset: (START: 0.9em, y: 0.15em), stroke: (START: 1.2pt + luma(165)), it.body)
#set list(indent: 0.3em, body-indent: 0.5em)
#set enum(indent: 0.3em, body-indent: 0.5em)
#set terms(separator: linebreak(), hanging-indent: 1.5em)
#set table(stroke: none, inset: (x: 6pt, y: 4pt))
#show table: set text(size: 0.92em)
#show table: set par(justify: false)
#set footnote.entry(indent: 0em)
#show footnote.entry: set text(size: 0.85em)
#show footnote.entry: set par(justify: true)
#set outline(indent: auto)
#let bindery-alert(title, accent, body) = block(width: 100%, breakable: true, inset: (x: 10pt, y: 8pt), radius: 2pt, stroke: (START: 2.5pt + accent, rest: 0.5pt + accent.lighten(50%)))[#text(weight: "bold", fill: accent, title)#parbreak()#body]
#let bindery-code(lines, body) = { show raw.line: it => lines.at(it.number - 1, default: it.body); body }
#let bindery-long-code(body) = { show regex("\\S{24,}"): run => run.text.clusters().map(c => c + h(0.01pt)).join(); body }
#let bindery-display-math(body) = block(width: 100%, align(center, body))
"##;

/// Heading levels of the document listed in a table of contents.
pub(crate) const TOC_DEPTH: usize = 3;

/// Heading sizes for document levels 1 to 6 (then body size).
const HEADING_SIZES: [&str; 6] = ["1.55em", "1.3em", "1.15em", "1.05em", "1em", "1em"];

/// Everything before the body: metadata, page, fonts, rules, then the title block and the
/// table of contents. `offset` is 1 when a title heading sits above the document's headings.
pub(crate) fn preamble(
    meta: &Metadata,
    resources: &Resources,
    options: &Options,
    has_date: bool,
    offset: u8,
) -> String {
    let mut out = String::with_capacity(4096);
    document_metadata(&mut out, meta, has_date);
    let paper = match options.paper {
        Paper::A4 => "a4",
        Paper::Letter => "us-letter",
    };
    let _ = writeln!(
        out,
        "#set page(paper: \"{paper}\", margin: (x: 32mm, top: 28mm, bottom: 32mm), numbering: \"1\", number-align: center)"
    );
    let tag = meta.lang_or_default();
    let lang = language(tag);
    let region = region(tag).map_or_else(String::new, |r| format!(", region: \"{r}\""));
    let _ = writeln!(
        out,
        "#set text(font: {}, fallback: true, size: 11pt, lang: \"{lang}\"{region})",
        font_list(&body_families(&lang, tag), resources)
    );
    let _ = writeln!(
        out,
        "#show raw: set text(font: {})",
        font_list(&mono_families(&lang, tag), resources)
    );
    // Equations in the bundled math face; `\text{}` in a script it lacks falls back to the body's.
    let mut math_families = vec![MATH_FAMILY.to_string()];
    math_families.extend(body_families(&lang, tag));
    let _ = writeln!(
        out,
        "#show math.equation: set text(font: {})",
        font_list(&math_families, resources)
    );
    // Typst's strokes and insets know left and right but not start and end.
    out.push_str(&RULES.replace("START", if meta.is_rtl() { "right" } else { "left" }));
    for (n, size) in HEADING_SIZES.iter().enumerate() {
        let level = n + 1 + usize::from(offset);
        let style = if n >= 4 { ", style: \"italic\"" } else { "" };
        let _ = writeln!(
            out,
            "#show heading.where(level: {level}): set text(size: {size}{style})"
        );
    }
    if options.chapter_pages {
        // A weak break: none when the chapter already starts a page.
        let _ = writeln!(
            out,
            "#show heading.where(level: {}): it => {{ pagebreak(weak: true); it }}",
            1 + offset
        );
    }
    code::palette_definitions(&mut out);
    let _ = writeln!(
        out,
        "#let bindery-task(done) = box(text(font: \"{MONO_FAMILY}\", if done {{ \"\u{2611}\" }} else {{ \"\u{2610}\" }}))"
    );
    out
}

fn document_metadata(out: &mut String, meta: &Metadata, has_date: bool) {
    out.push_str("#set document(");
    if let Some(title) = meta.title.as_deref().filter(|t| !t.trim().is_empty()) {
        out.push_str("title: ");
        string(out, title);
        out.push_str(", ");
    }
    out.push_str("author: (");
    for author in &meta.authors {
        string(out, author);
        out.push_str(", ");
    }
    out.push_str("), keywords: (");
    for keyword in &meta.keywords {
        string(out, keyword);
        out.push_str(", ");
    }
    out.push(')');
    if let Some(description) = meta.description.as_deref().filter(|d| !d.trim().is_empty()) {
        out.push_str(", description: ");
        string(out, description);
    }
    // With a date, `auto` lets the exporter use the timestamp we hand it; without one, `none`
    // keeps Typst from reading the clock.
    if !has_date {
        out.push_str(", date: none");
    }
    out.push_str(")\n");
}

/// The title block: the title as a bookmarked level-1 heading (so the PDF outline shows the
/// document's headings under it), then subtitle, authors and date. `label` is the label of the
/// body's first heading when it repeated the title and was folded into it, so links to it land here.
pub(crate) fn title_block(out: &mut String, meta: &Metadata, label: Option<&str>) {
    let Some(title) = meta.title.as_deref().filter(|t| !t.trim().is_empty()) else {
        return;
    };
    // The title is the only heading left out of the table of contents but kept in the
    // bookmarks (the table of contents' own title is in neither).
    out.push_str(concat!(
        "#show heading.where(outlined: false, bookmarked: true): set align(center)\n",
        "#show heading.where(outlined: false, bookmarked: true): set text(size: 1.9em)\n",
        "#show heading.where(outlined: false, bookmarked: true): set block(above: 0pt, below: 0.9em)\n",
    ));
    out.push_str("#heading(level: 1, outlined: false, bookmarked: true)[");
    text(out, title);
    out.push(']');
    if let Some(label) = label {
        let _ = write!(out, "<{label}>");
    }
    out.push('\n');
    out.push_str("#align(center)[#set par(justify: false)\n");
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push_str("#text(size: 1.25em, style: \"italic\")[");
        text(out, subtitle);
        out.push_str("]#parbreak()\n");
    }
    if !meta.authors.is_empty() {
        out.push_str("#text(size: 1.1em)[");
        text(out, &meta.authors.join(", "));
        out.push_str("]#parbreak()\n");
    }
    if let Some(date) = meta.date.as_deref().filter(|d| !d.trim().is_empty()) {
        text(out, date);
        out.push_str("#parbreak()\n");
    }
    out.push_str("]\n#v(1.2em)\n");
}

/// The table of contents, on its own page after the title block.
pub(crate) fn table_of_contents(out: &mut String, offset: u8) {
    let _ = writeln!(
        out,
        "#outline(depth: {})\n#pagebreak(weak: true)",
        TOC_DEPTH + usize::from(offset)
    );
}

/// Preferred families for body text: the bundled serif, then the system's serif faces for
/// scripts it lacks, the document's own CJK variant first. Fallback still searches every font.
fn body_families(lang: &str, tag: &str) -> Vec<String> {
    let mut families = vec![SERIF_FAMILY.to_string()];
    for cjk in cjk_variants(lang, tag) {
        families.push(format!("Noto Serif CJK {cjk}"));
        families.push(format!("Noto Sans CJK {cjk}"));
    }
    for family in [
        "Noto Naskh Arabic",
        "Noto Sans Arabic",
        "Noto Serif Hebrew",
        "Noto Sans Hebrew",
        "Noto Serif Devanagari",
        "Noto Sans Devanagari",
        "Noto Serif Thai",
        "Noto Sans Thai",
        MONO_FAMILY,
    ] {
        families.push(family.to_string());
    }
    families
}

fn mono_families(lang: &str, tag: &str) -> Vec<String> {
    let mut families = vec![MONO_FAMILY.to_string()];
    for cjk in cjk_variants(lang, tag) {
        families.push(format!("Noto Sans Mono CJK {cjk}"));
    }
    families.push(SERIF_FAMILY.to_string());
    families
}

/// CJK regional variants in order of preference for the document's language: Han characters
/// are drawn differently in Japan, Korea, and Simplified or Traditional Chinese.
fn cjk_variants(lang: &str, tag: &str) -> [&'static str; 5] {
    let traditional = ["TW", "HK", "MO"]
        .iter()
        .any(|r| region(tag).as_deref() == Some(*r))
        || tag.to_ascii_lowercase().contains("hant");
    match lang {
        "ja" => ["JP", "KR", "SC", "TC", "HK"],
        "ko" => ["KR", "JP", "SC", "TC", "HK"],
        "zh" if traditional => ["TC", "HK", "SC", "JP", "KR"],
        _ => ["SC", "TC", "JP", "KR", "HK"],
    }
}

/// A Typst array of the families that exist in the book (Typst warns about unknown ones).
fn font_list(families: &[String], resources: &Resources) -> String {
    let mut out = String::from("(");
    for family in families.iter().filter(|f| resources.has_family(f)) {
        out.push_str(&quoted(family));
        out.push_str(", ");
    }
    out.push(')');
    out
}
