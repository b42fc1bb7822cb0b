//! TeX math as MathML Core, converted at build time (no JavaScript in the page).
//!
//! A formula is converted by `math-core`; one it cannot convert (an unknown command, an
//! unbalanced brace) or one past the limits below is shown as its TeX source in `code`, with a
//! warning, and the rest of the page is written as usual.

use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

/// One converter for HTML (no namespace needed) and one for XHTML (namespace required), built
/// once per process.
fn converter(xhtml: bool) -> &'static LatexToMathML {
    static HTML: OnceLock<LatexToMathML> = OnceLock::new();
    static XHTML: OnceLock<LatexToMathML> = OnceLock::new();
    let cell = if xhtml { &XHTML } else { &HTML };
    cell.get_or_init(|| {
        LatexToMathML::new(MathCoreConfig {
            // The TeX source stays in the page for copying and for screen readers.
            annotation: true,
            xml_namespace: xhtml,
            ..MathCoreConfig::default()
        })
        .expect("no macros are configured, so none can fail to parse")
    })
}

/// `tex` as a MathML `<math>` element, or why it cannot be.
pub(crate) fn to_mathml(tex: &str, display: bool, xhtml: bool) -> Result<String, String> {
    // Very long formulas and very deep braces: the model's one check, for every writer.
    bindery_model::math_bounds(tex)?;
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    converter(xhtml)
        .convert_with_local_state(tex, mode)
        .map(|converted| scriptlevel_on_mstyle(&converted.mathml))
        .map_err(|error| {
            let at = tex[..tex.floor_char_boundary(error.0.start)]
                .chars()
                .count()
                + 1;
            format!(
                "math not typeset, at character {at} of the formula: {}",
                error.error_message().trim_end_matches('.')
            )
        })
}

/// Moves every `scriptlevel` attribute onto an `mstyle`. math-core writes it on `mtable` and
/// `mrow`, which MathML Core allows but the Nu checker's and EPUBCheck's MathML schemas do not
/// (they allow it on `mstyle`, which MathML Core renders as an `mrow`): an `mrow` becomes an
/// `mstyle`, any other element is wrapped in one. The scan is one pass over the tags with a
/// stack of what each open element's end tag becomes; text is escaped by math-core, so every
/// `<` starts a tag.
fn scriptlevel_on_mstyle(mathml: &str) -> String {
    const ATTRIBUTE: &str = " scriptlevel=\"";
    if !mathml.contains(ATTRIBUTE) {
        return mathml.to_string();
    }
    let mut out = String::with_capacity(mathml.len() + 64);
    // For each open element, what its end tag is written as (None: as it is).
    let mut open: Vec<Option<String>> = Vec::new();
    let mut rest = mathml;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with("</") {
            match open.pop().flatten() {
                Some(end) => out.push_str(&end),
                None => out.push_str(tag),
            }
            continue;
        }
        let self_closing = tag.ends_with("/>");
        let name_end = tag[1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(tag.len() - 1, |i| i + 1);
        let name = &tag[1..name_end];
        let level = tag.find(ATTRIBUTE).and_then(|at| {
            let value_start = at + ATTRIBUTE.len();
            let value_end = value_start + tag[value_start..].find('"')?;
            Some((at, value_end + 1, &tag[value_start..value_end]))
        });
        match level {
            Some((start, end, value)) if name != "mstyle" && name != "math" => {
                let without = format!("{}{}", &tag[..start], &tag[end..]);
                if name == "mrow" {
                    out.push_str(&format!(
                        "<mstyle scriptlevel=\"{value}\"{}",
                        &without[name_end..]
                    ));
                    if !self_closing {
                        open.push(Some("</mstyle>".to_string()));
                    }
                } else {
                    out.push_str(&format!("<mstyle scriptlevel=\"{value}\">"));
                    out.push_str(&without);
                    if self_closing {
                        out.push_str("</mstyle>");
                    } else {
                        open.push(Some(format!("</{name}></mstyle>")));
                    }
                }
            }
            _ => {
                out.push_str(tag);
                if !self_closing {
                    open.push(None);
                }
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery_model::MAX_MATH_BYTES as MAX_BYTES;

    #[test]
    fn scriptlevel_moves_onto_mstyle() {
        assert_eq!(
            scriptlevel_on_mstyle(
                "<math><mtable displaystyle=\"false\" scriptlevel=\"0\"><mtr><mtd><mi>a</mi></mtd></mtr></mtable>\
                 <mrow displaystyle=\"true\" scriptlevel=\"1\"><mi>x</mi><mrow><mi>y</mi></mrow></mrow><mspace/></math>"
            ),
            "<math><mstyle scriptlevel=\"0\"><mtable displaystyle=\"false\"><mtr><mtd><mi>a</mi></mtd></mtr></mtable></mstyle>\
             <mstyle scriptlevel=\"1\" displaystyle=\"true\"><mi>x</mi><mrow><mi>y</mi></mrow></mstyle><mspace/></math>"
        );
    }

    #[test]
    fn formulas_past_the_limits_are_refused_before_parsing() {
        assert!(to_mathml(&"{".repeat(100_000), false, false).is_err());
        let nested = r"\frac{".repeat(65) + &"}{x}".repeat(65);
        assert!(to_mathml(&nested, true, false).unwrap_err().contains("64"));
        let at_limit = r"\frac{".repeat(64) + &"}{x}".repeat(64);
        assert!(to_mathml(&at_limit, true, false).is_ok());
    }

    #[test]
    fn bad_math_says_what_and_where() {
        let error = to_mathml(r"a + \unknowncommand{x}", false, false).unwrap_err();
        assert!(error.contains("character 5"), "{error}");
        assert!(error.contains("unknowncommand"), "{error}");
    }

    /// The worst chains measured, at the length limit, on a thread with a 2 MB stack (what a
    /// test thread or a small worker has): each returns, quickly, whatever it returns.
    #[test]
    fn the_longest_formulas_fit_a_small_stack_and_stay_fast() {
        let fill = |unit: &str, tail: &str| {
            let mut tex = unit.repeat((MAX_BYTES - tail.len()) / unit.len());
            tex.push_str(tail);
            tex
        };
        let half = |open: &str, close: &str| {
            let n = MAX_BYTES / (open.len() + close.len());
            open.repeat(n) + &close.repeat(n)
        };
        let cases = [
            fill(r"\sqrt", "x"),
            fill(r"\frac", "ab"),
            fill(r"\hat", "x"),
            fill("x^", "x"),
            fill(r"a+\frac{b}{c}", ""),
            half(r"\left(", r"\right)"),
            half(r"\sqrt[", "]x"),
            half(r"\begin{matrix}", r"\end{matrix}"),
        ];
        for tex in cases {
            assert!(tex.len() <= MAX_BYTES);
            let started = std::time::Instant::now();
            std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || {
                    let _ = to_mathml(&tex, true, true);
                })
                .unwrap()
                .join()
                .unwrap();
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
}
