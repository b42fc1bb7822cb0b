//! "Did you mean" for option values clap does not know the spelling of: formats are parsed by
//! their own `FromStr`, so clap's built-in suggestions (for options, subcommands and
//! `ValueEnum` values) do not reach them.

/// The candidate closest to `input`, when it is close enough to be a likely typo.
///
/// Damerau-Levenshtein distance (a swap of two neighbours is one edit): at most one edit, or
/// two for names of four letters or more. Clap's own measure (Jaro at 0.7) misses the typo
/// these names get most: `pfd` for `pdf` scores 0.56, since short names leave it no window
/// to see a transposition in.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.trim().to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&input, candidate), candidate))
        .filter(|(distance, candidate)| {
            *distance <= 1 || (*distance == 2 && candidate.chars().count() >= 4)
        })
        // On a tie, the name as long as the input: `tco` is `toc` swapped, not `to` plus one.
        .min_by_key(|(distance, candidate)| {
            (
                *distance,
                candidate.chars().count().abs_diff(input.chars().count()),
            )
        })
        .map(|(_, candidate)| candidate)
}

/// `message`, with "did you mean `x`?" when one of `candidates` is close to `input`.
pub fn with_suggestion<'a>(
    message: String,
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match closest(input, candidates) {
        Some(near) => format!("{message}; did you mean `{near}`?"),
        None => message,
    }
}

/// `--to`: an output format, with a suggestion for a misspelt one.
pub fn parse_format(s: &str) -> Result<bindery_pipeline::Format, String> {
    s.parse::<bindery_pipeline::Format>().map_err(|message| {
        let names: Vec<&str> = bindery_pipeline::Format::all().map(|f| f.name()).collect();
        with_suggestion(message, s, names)
    })
}

/// `--from`: an input format, with a suggestion for a misspelt one.
pub fn parse_input_format(s: &str) -> Result<bindery_pipeline::InputFormat, String> {
    s.parse::<bindery_pipeline::InputFormat>()
        .map_err(|message| with_suggestion(message, s, ["markdown", "commonmark", "json"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_strangers_are_not() {
        let formats = ["html", "txt", "epub", "pdf", "json"];
        assert_eq!(closest("pfd", formats), Some("pdf"));
        assert_eq!(closest("PDF ", formats), Some("pdf"));
        assert_eq!(closest("ebup", formats), Some("epub"));
        assert_eq!(closest("htlm", formats), Some("html"));
        assert_eq!(closest("tx", formats), Some("txt"));
        assert_eq!(closest("docx", formats), None);
        assert_eq!(closest("md", formats), None);
        assert_eq!(closest("tco", ["to", "toc"]), Some("toc"));
        assert!(
            parse_format("pfd")
                .unwrap_err()
                .ends_with("did you mean `pdf`?")
        );
        assert!(!parse_format("docx").unwrap_err().contains("did you mean"));
        assert!(
            parse_input_format("markdwn")
                .unwrap_err()
                .contains("`markdown`")
        );
    }
}
