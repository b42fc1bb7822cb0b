//! How a build reports as it goes: a progress bar for people, JSON lines for scripts.

use std::io::Write;
use std::time::Instant;

use bindery_pipeline::{Event, Report};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// Prints one event as a JSON line on stdout (cargo's `--message-format json` style).
pub fn json_event(event: Event<'_>) {
    let value = match event {
        Event::Planned { outputs } => json!({"reason": "build-planned", "outputs": outputs}),
        Event::Read { source, warnings } => json!({
            "reason": "document-read",
            "source": shown(source),
            "warnings": warnings,
        }),
        Event::Written(output) => json!({
            "reason": "output-written",
            "source": shown(&output.source),
            "format": output.format.name(),
            "path": shown(&output.path),
            "bytes": output.bytes,
            "sha256": output.sha256,
            "cached": output.cached,
            "render_ms": output.elapsed.as_secs_f64() * 1000.0,
            "warnings": output.warnings,
            "images": output.images.iter().map(|image| json!({
                "path": shown(&image.path),
                "sha256": image.sha256,
            })).collect::<Vec<_>>(),
        }),
        Event::Failed(failure) => json!({
            "reason": "failure",
            "source": shown(&failure.source),
            "format": failure.format.map(|f| f.name()),
            "error": failure.error.to_string(),
            "hint": failure.error.hint(),
        }),
        Event::Warning { path, warning } => json!({
            "reason": "warning",
            "path": shown(path),
            "warning": warning,
        }),
        Event::Done { .. } => return,
    };
    print_line(&value);
}

/// A stale output deleted by `--delete-stale` (its path relative to the output directory).
pub fn json_deleted(path: &str) {
    print_line(&json!({"reason": "output-deleted", "path": path}));
}

/// A path as a JSON string. serde refuses a path that is not UTF-8 (and `json!` would panic
/// on the refusal), so such a name is shown with U+FFFD in place of its invalid bytes.
fn shown(path: &std::path::Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The closing JSON line.
pub fn json_finished(report: &Report, started: Instant) {
    print_line(&json!({
        "reason": "build-finished",
        "success": report.failures.is_empty(),
        "documents": report.documents,
        "outputs": report.outputs,
        "cached": report.cached,
        "failures": report.failures.len(),
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
    }));
}

fn print_line(value: &serde_json::Value) {
    let json = value.to_string();
    let line = ascii_controls(&json);
    let mut out = std::io::stdout().lock();
    // A closed pipe must not kill the build; the outputs are still written.
    let _ = writeln!(out, "{line}");
}

/// serde_json escapes the C0 controls but writes DEL, the C1 controls and the bidirectional
/// overrides as they are (valid JSON); a file name can hold them, and a person may read the
/// stream on a terminal, so they are written as `\uXXXX` too. They can only occur inside
/// strings (JSON's own syntax is ASCII), where that escape means the same character.
fn ascii_controls(json: &str) -> std::borrow::Cow<'_, str> {
    use bindery_pipeline::is_terminal_control as escaped;
    if !json.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 12);
    for c in json.chars() {
        if escaped(c) {
            // Every such character is in the Basic Multilingual Plane: one \u escape.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A progress bar on stderr: outputs done/total, the current file, elapsed time and ETA.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A hidden-until-planned bar.
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30.cyan/blue} {pos}/{len} outputs  {elapsed_precise} (ETA {eta})  {wide_msg}",
            )
            .expect("the template is valid"),
        );
        Self { bar }
    }

    /// Advances the bar.
    pub fn event(&self, event: Event<'_>) {
        match event {
            Event::Planned { outputs } => self.bar.set_length(outputs as u64),
            Event::Read { source, .. } => {
                let shown = source.display().to_string();
                self.bar
                    .set_message(bindery_pipeline::escape_for_terminal(&shown).into_owned());
            }
            Event::Written(_) | Event::Failed(_) => self.bar.inc(1),
            Event::Done { .. } | Event::Warning { .. } => {}
        }
    }

    /// Prints a line above the bar.
    pub fn println(&self, line: &str) {
        self.bar.println(line);
    }

    /// Clears the bar before the summary is printed.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
