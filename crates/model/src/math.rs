//! What every writer refuses to hand a TeX math parser, decided once so that all formats show
//! such a formula the same way (as its source, with a warning).

/// Formulas longer than this many bytes are not converted. Measured on math-core 0.7 (HTML) and
/// pulldown-latex 0.8 (PDF): both parsers recurse once per argument, and 8,000 bytes of chained
/// commands (`\sqrt\sqrt…x`) overflowed a 2 MB stack while 4,000 bytes of every chain
/// measured stayed within it, in about a millisecond.
pub const MAX_MATH_BYTES: usize = 4_000;

/// The deepest brace nesting converted: no real formula comes near it.
pub const MAX_MATH_BRACE_DEPTH: usize = 64;

/// Why a formula is not converted at all, before any parser sees it: too long, or braces
/// nested too deep.
pub fn math_bounds(tex: &str) -> Result<(), String> {
    if tex.len() > MAX_MATH_BYTES {
        return Err(format!(
            "math formula of {} bytes is longer than the {MAX_MATH_BYTES} bytes typeset",
            tex.len()
        ));
    }
    let mut depth = 0usize;
    let mut escaped = false;
    for b in tex.bytes() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => {
                depth += 1;
                if depth > MAX_MATH_BRACE_DEPTH {
                    return Err(format!(
                        "math braces nest deeper than {MAX_MATH_BRACE_DEPTH} levels"
                    ));
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
