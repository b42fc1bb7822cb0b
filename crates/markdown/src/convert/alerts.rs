//! Keeping comrak's alert detection linear on long runs of `>`.
//!
//! With the `alerts` extension on, comrak (0.59, and its main branch at the time of writing)
//! tries every block quote marker it opens as the start of an alert: its `alert_start` scanner
//! matches `>+ [!type]` from that marker, so on a line of R consecutive `>` it reads the rest
//! of the run for each of the R nested quotes, R²/2 bytes in all. cmark's pathological
//! `">" * 100_000 + "a*" * 100_000` spends 6 s there and under 50 ms in the rest of the
//! parse; comrak has no option to bound it.
//!
//! An alert starts only at `> [!`, so a body without that text parses the same with the
//! extension off. The reader turns it off when the body has a run of more than
//! [`MAX_MARKER_RUN`] `>`; the quadratic scan then never runs, and every byte of the source is
//! parsed as written. Only a document that has such a run *and* an alert loses something:
//! its alerts are read as plain block quotes that begin with `[!NOTE]`, and a warning says so.
//! Rewriting the long runs instead would keep those alerts but change the source (columns,
//! and the text of code blocks that happen to contain `>` runs).
//!
//! Below the threshold the scan costs at most [`MAX_MARKER_RUN`] bytes per byte of input.

use bindery_model::{Span, Warning};

/// The longest run of consecutive `>` with which alerts stay on: twice the model's nesting
/// limit, past which block quotes are flattened anyway.
pub(crate) const MAX_MARKER_RUN: usize = 2 * bindery_model::MAX_DEPTH;

/// Whether comrak's `alerts` extension may be on for `body`, with a warning when it is turned
/// off in a document that uses alerts.
pub(crate) fn guard(body: &str) -> (bool, Option<Warning>) {
    let Some(span) = first_long_run(body) else {
        return (true, None);
    };
    if !body.contains("> [!") {
        // No alert can start anywhere, so the extension would change nothing.
        return (false, None);
    }
    let warning = Warning::new(
        format!(
            "more than {MAX_MARKER_RUN} '>' in a row: GitHub alerts (> [!NOTE]) are not \
             recognised in this document and are read as plain block quotes"
        ),
        Some(span),
    )
    .with_hint(format!(
        "nest block quotes at most {} deep; deeper nesting is flattened anyway",
        bindery_model::MAX_DEPTH
    ));
    (false, Some(warning))
}

/// The span of the first run of more than [`MAX_MARKER_RUN`] consecutive `>`, anywhere: in a
/// code block such a run costs nothing, but telling it apart would take the parse itself.
fn first_long_run(body: &str) -> Option<Span> {
    let bytes = body.as_bytes();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'>' => {
                if i == 0 || bytes[i - 1] != b'>' {
                    run_start = i;
                }
                if i + 1 - run_start > MAX_MARKER_RUN {
                    let end = bytes[i..]
                        .iter()
                        .position(|&c| c != b'>')
                        .map_or(bytes.len(), |n| i + n);
                    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                    return Some(Span {
                        line: clamp(line),
                        col: clamp(run_start - line_start + 1),
                        end_line: clamp(line),
                        end_col: clamp(end - line_start),
                    });
                }
            }
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_runs_keep_alerts_on() {
        let body = "> [!NOTE]\n> >>> deep\n".to_string() + &">".repeat(MAX_MARKER_RUN);
        assert_eq!(guard(&body), (true, None));
    }

    #[test]
    fn a_long_run_without_alerts_turns_them_off_silently() {
        let body = ">".repeat(MAX_MARKER_RUN + 1) + " [NOTE]";
        assert_eq!(guard(&body), (false, None));
    }

    #[test]
    fn an_alert_in_a_nested_quote_counts() {
        // `>> [!NOTE]` opens an alert inside a quote: its marker is `> [!` too.
        let body = ">> [!NOTE]\n".to_string() + &">".repeat(MAX_MARKER_RUN + 1);
        assert!(matches!(guard(&body), (false, Some(_))));
    }

    #[test]
    fn a_long_run_with_an_alert_warns_at_the_run() {
        let body = "> [!TIP]\n> text\n\nab".to_string() + &">".repeat(100) + "c\n";
        let (on, warning) = guard(&body);
        assert!(!on);
        let warning = warning.expect("the document uses alerts");
        assert_eq!(
            warning.span,
            Some(Span {
                line: 4,
                col: 3,
                end_line: 4,
                end_col: 102
            })
        );
    }
}
