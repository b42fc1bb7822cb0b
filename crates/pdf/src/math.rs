//! TeX math as Typst math, typeset by the linked engine with the bundled math font.
//!
//! `pulldown-latex` parses the TeX into a stream of events (a real TeX math parser: groups,
//! fractions, scripts, environments, fonts, with every symbol already resolved to Unicode);
//! [`to_typst`] folds that stream into Typst math markup. The fold keeps an explicit stack of
//! the constructs still open, so nothing here recurses on the formula, and it refuses a formula
//! that nests deeper than Typst's parser allows. Everything from the source reaches Typst either
//! as a single escaped character or inside a string literal, so no TeX is read as Typst code.

use std::fmt::Write as _;

use pulldown_latex::event::{
    Content, DimensionUnit, EnvironmentFlow, Font, Grouping, RelationContent, ScriptPosition,
    ScriptType, StateChange, Visual,
};
use pulldown_latex::{Event, Parser, Storage};

use crate::typst_syntax::string;

/// The most constructs (groups, fractions, scripts) open at once in the output. Each opens one
/// or two Typst calls and Typst's parser stops at 256 levels; a test typesets a formula at
/// this limit.
const MAX_OPEN: usize = 96;

/// `tex` as the body of a Typst equation (what goes between the `$`), or why it cannot be.
/// `display` is true for `$$…$$`.
pub(crate) fn to_typst(tex: &str, display: bool) -> Result<String, String> {
    // Very long formulas and very deep braces: the model's one check, for every writer.
    bindery_model::math_bounds(tex)?;
    let storage = Storage::new();
    let mut fold = Fold {
        display,
        ..Fold::default()
    };
    for event in Parser::new(tex, &storage) {
        let event = event.map_err(|error| {
            // The parser's message ends with a drawing of the source; the warning shows the
            // source itself, so the first line is enough.
            let message = error.to_string();
            let first = message.lines().next().unwrap_or_default();
            format!(
                "math not typeset: {}",
                first.trim_start_matches("parsing error: ")
            )
        })?;
        fold.event(event)?;
    }
    fold.finish()
}

/// One finished piece of output, with what its parent needs to know about it.
#[derive(Debug, Clone)]
struct Piece {
    typst: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A single character (an accent mark when it stands above or below a base).
    Char(char),
    /// A large operator such as `∑` or `∫`.
    LargeOp(char),
    /// An operator name such as `lim` or `sin`.
    Function,
    /// Anything else.
    Other,
}

/// A construct whose parts are still being read.
#[derive(Debug)]
enum Frame {
    /// `{…}`, `\left…\right`, or an environment: rows of cells of pieces.
    Group {
        grouping: Grouping,
        font: Option<Font>,
        rows: Vec<Vec<Vec<Piece>>>,
    },
    /// A fraction, root or negation: waits for its arguments.
    Visual { visual: Visual, parts: Vec<Piece> },
    /// A base with scripts: waits for the base and then one or two scripts.
    Script {
        ty: ScriptType,
        position: ScriptPosition,
        parts: Vec<Piece>,
    },
}

impl Frame {
    fn group(grouping: Grouping, font: Option<Font>) -> Self {
        Frame::Group {
            grouping,
            font,
            rows: vec![vec![Vec::new()]],
        }
    }
}

#[derive(Debug)]
struct Fold {
    /// The formula itself is the bottom group.
    stack: Vec<Frame>,
    /// A display formula, whose integrals are the large ones.
    display: bool,
}

impl Default for Fold {
    fn default() -> Self {
        Self {
            stack: vec![Frame::group(Grouping::Normal, None)],
            display: false,
        }
    }
}

impl Fold {
    /// The font in force: that of the innermost group that sets one.
    fn font(&self) -> Option<Font> {
        self.stack.iter().rev().find_map(|frame| match frame {
            Frame::Group { font, .. } => *font,
            _ => None,
        })
    }

    fn open(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_OPEN {
            return Err(format!("math nests deeper than {MAX_OPEN} constructs"));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn event(&mut self, event: Event<'_>) -> Result<(), String> {
        match event {
            Event::Content(content) => {
                let piece = self.content(content);
                self.piece(piece);
            }
            Event::Begin(grouping) => self.open(Frame::group(grouping, None))?,
            Event::End => {
                if self.stack.len() < 2 || !matches!(self.stack.last(), Some(Frame::Group { .. })) {
                    return Err("math not typeset: a group ends that was not open".into());
                }
                let Some(Frame::Group { grouping, rows, .. }) = self.stack.pop() else {
                    unreachable!("checked above");
                };
                let piece = group(&grouping, rows);
                self.piece(piece);
            }
            Event::Visual(visual) => self.open(Frame::Visual {
                visual,
                parts: Vec::new(),
            })?,
            Event::Script { ty, position } => self.open(Frame::Script {
                ty,
                position,
                parts: Vec::new(),
            })?,
            Event::Space { width, .. } => {
                let em = width.map_or(0.0, |w| match w.unit {
                    DimensionUnit::Em => w.value,
                    DimensionUnit::Mu => w.value / 18.0,
                    DimensionUnit::Ex => w.value * 0.43,
                    DimensionUnit::Pt | DimensionUnit::Bp | DimensionUnit::Dd => w.value / 10.0,
                    DimensionUnit::Pc => w.value * 1.2,
                    DimensionUnit::In => w.value * 7.2,
                    DimensionUnit::Cm => w.value * 2.85,
                    DimensionUnit::Mm => w.value * 0.285,
                    _ => 0.0,
                });
                let typst = if em.is_finite() && em != 0.0 {
                    format!("#h({:.4}em)", em.clamp(-100.0, 100.0))
                } else {
                    String::new()
                };
                self.piece(Piece {
                    typst,
                    kind: Kind::Other,
                });
            }
            Event::StateChange(StateChange::Font(font)) => {
                if let Some(Frame::Group { font: slot, .. }) = self.stack.last_mut() {
                    *slot = font;
                }
            }
            // Colour and explicit style changes are left to Typst's defaults.
            Event::StateChange(_) => {}
            Event::EnvironmentFlow(flow) => {
                if let Some(Frame::Group { rows, .. }) = self.stack.last_mut() {
                    match flow {
                        EnvironmentFlow::Alignment => {
                            if let Some(row) = rows.last_mut() {
                                row.push(Vec::new());
                            }
                        }
                        EnvironmentFlow::NewLine { .. } => rows.push(vec![Vec::new()]),
                        EnvironmentFlow::StartLines { .. } => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Hands a finished piece to the innermost open construct, closing every construct that
    /// it completes (a script's last part can complete a fraction's argument, and so on).
    fn piece(&mut self, mut piece: Piece) {
        loop {
            let Some(frame) = self.stack.last_mut() else {
                return;
            };
            match frame {
                Frame::Group { rows, .. } => {
                    if let Some(cell) = rows.last_mut().and_then(|row| row.last_mut()) {
                        cell.push(piece);
                    }
                    return;
                }
                Frame::Visual { visual, parts } => {
                    parts.push(piece);
                    let needed = match visual {
                        Visual::SquareRoot | Visual::Negation => 1,
                        Visual::Root | Visual::Fraction(_) => 2,
                    };
                    if parts.len() < needed {
                        return;
                    }
                    let Some(Frame::Visual { visual, parts }) = self.stack.pop() else {
                        unreachable!("the frame just matched");
                    };
                    piece = visual_piece(visual, parts);
                }
                Frame::Script { ty, parts, .. } => {
                    parts.push(piece);
                    let needed = match ty {
                        ScriptType::Subscript | ScriptType::Superscript => 2,
                        ScriptType::SubSuperscript => 3,
                    };
                    if parts.len() < needed {
                        return;
                    }
                    let Some(Frame::Script {
                        ty,
                        position,
                        parts,
                    }) = self.stack.pop()
                    else {
                        unreachable!("the frame just matched");
                    };
                    piece = script_piece(ty, position, parts, self.display);
                }
            }
        }
    }

    fn content(&self, content: Content<'_>) -> Piece {
        let font = self.font();
        match content {
            Content::Text(text) => {
                let mut typst = String::new();
                string(&mut typst, text);
                Piece {
                    typst,
                    kind: Kind::Other,
                }
            }
            Content::Number(number) => {
                let mut typst = String::new();
                for c in number.chars() {
                    push_char(&mut typst, c);
                }
                Piece {
                    typst: with_font(font, typst),
                    kind: Kind::Other,
                }
            }
            Content::Function(name) => {
                let mut typst = "op(".to_string();
                string(&mut typst, name);
                typst.push(')');
                Piece {
                    typst,
                    kind: Kind::Function,
                }
            }
            Content::Ordinary {
                content: c @ ('|' | '‖'),
                ..
            } => {
                // A bar on its own is ordinary, as in TeX (`|x|`); escaped alone, Typst would
                // space it as a fence.
                let mut typst = "class(\"normal\", ".to_string();
                push_char(&mut typst, c);
                typst.push(')');
                Piece {
                    typst,
                    kind: Kind::Char(c),
                }
            }
            Content::Ordinary { content: c, .. } => {
                let mut typst = String::new();
                push_char(&mut typst, c);
                Piece {
                    typst: with_font(font, typst),
                    kind: Kind::Char(c),
                }
            }
            Content::LargeOp { content: c, .. } => {
                let mut typst = String::new();
                push_char(&mut typst, c);
                Piece {
                    typst,
                    kind: Kind::LargeOp(c),
                }
            }
            Content::BinaryOp { content: c, .. }
            | Content::Delimiter { content: c, .. }
            | Content::Punctuation(c) => {
                let mut typst = String::new();
                push_char(&mut typst, c);
                Piece {
                    typst,
                    kind: Kind::Char(c),
                }
            }
            Content::Relation {
                content: RelationContent { .. },
                ..
            } => {
                let mut typst = String::new();
                let text = relation_text(&content);
                for c in text.chars() {
                    push_char(&mut typst, c);
                }
                let kind = match text.chars().count() {
                    1 => Kind::Char(text.chars().next().unwrap_or(' ')),
                    _ => Kind::Other,
                };
                Piece { typst, kind }
            }
        }
    }

    fn finish(mut self) -> Result<String, String> {
        if self.stack.len() != 1 {
            return Err("math not typeset: a construct is missing its arguments".into());
        }
        let Some(Frame::Group { rows, .. }) = self.stack.pop() else {
            return Err("math not typeset: a construct is missing its arguments".into());
        };
        Ok(lines(rows))
    }
}

/// The characters of a relation (`=`, or `≠` written as `=` with a combining mark).
fn relation_text(content: &Content<'_>) -> String {
    let Content::Relation { content, .. } = content else {
        return String::new();
    };
    let mut buf = [0u8; 8];
    String::from_utf8_lossy(content.encode_utf8_to_buf(&mut buf)).into_owned()
}

/// Appends one character as Typst math: letters and digits as they are, each separated from
/// its neighbours by the spaces [`join`] puts between pieces; every other ASCII character
/// escaped, so that none is read as Typst syntax (`(`, `,`, `$`, `#`, `/`, `"`...).
fn push_char(out: &mut String, c: char) {
    let after_digit = out.chars().last().is_some_and(|l| l.is_ascii_digit());
    if c.is_ascii_alphanumeric() || (c == '.' && after_digit) {
        out.push(c);
    } else if c.is_ascii_graphic() {
        out.push('\\');
        out.push(c);
    } else if !c.is_ascii() && !c.is_control() {
        out.push(c);
    }
}

fn with_font(font: Option<Font>, typst: String) -> String {
    let wrap = match font {
        None => return typst,
        Some(Font::DoubleStruck | Font::DoubleStruckItalic) => "bb",
        Some(Font::Script | Font::BoldScript) => "cal",
        Some(Font::Fraktur | Font::BoldFraktur) => "frak",
        Some(Font::Bold) => "bold(upright",
        Some(Font::BoldItalic | Font::BoldSymbol) => "bold",
        Some(Font::Italic) => "italic",
        Some(Font::UpRight) => "upright",
        Some(Font::Monospace) => "mono",
        Some(Font::SansSerif | Font::SansSerifItalic) => "sans",
        Some(Font::BoldSansSerif | Font::SansSerifBoldItalic) => "bold(sans",
    };
    let closing = if wrap.contains('(') { "))" } else { ")" };
    format!("{wrap}({typst}{closing}")
}

/// Pieces side by side. A space between two pieces separates them as Typst tokens (`x y`, not
/// the identifier `xy`) and adds no space to the output: Typst spaces math by atom classes.
fn join(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces.iter().filter(|p| !p.typst.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&piece.typst);
    }
    out
}

/// Rows of cells as Typst's own equation lines: `&` between cells (alignment points,
/// right/left alternating as in TeX's `aligned`), `\` between rows.
fn lines(rows: Vec<Vec<Vec<Piece>>>) -> String {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|cell| join(cell))
                .collect::<Vec<_>>()
                .join(" & ")
        })
        .collect::<Vec<_>>()
        .join(" \\\n")
}

/// A piece usable as one argument of a Typst function: never empty, and with no top-level
/// comma or semicolon (every ASCII comma from the source is escaped by [`push_char`]).
fn argument(typst: &str) -> String {
    if typst.trim().is_empty() {
        "\"\"".to_string()
    } else {
        typst.to_string()
    }
}

fn delimiter(c: Option<char>) -> String {
    let mut out = String::new();
    if let Some(c) = c {
        push_char(&mut out, c);
    }
    out
}

fn group(grouping: &Grouping, rows: Vec<Vec<Vec<Piece>>>) -> Piece {
    let mut typst = String::new();
    match grouping {
        Grouping::Normal => {
            let single = rows.len() == 1 && rows[0].len() == 1 && rows[0][0].len() == 1;
            if single {
                // `{x}` is `x`: an accent or a font keeps seeing one character.
                return rows[0][0][0].clone();
            }
            typst = lines(rows);
            if typst.is_empty() {
                typst.push_str("\"\"");
            }
        }
        Grouping::LeftRight(left, right) => {
            let (left, right) = (delimiter(*left), delimiter(*right));
            let _ = write!(typst, "lr({left} {} {right})", lines(rows));
        }
        Grouping::Matrix { .. } | Grouping::Array(_) | Grouping::SubArray { .. } => {
            typst.push_str("mat(delim: #none");
            for (n, row) in rows.iter().enumerate() {
                typst.push_str(if n == 0 { ", " } else { "; " });
                let cells: Vec<String> = row.iter().map(|cell| argument(&join(cell))).collect();
                typst.push_str(&cells.join(", "));
            }
            typst.push(')');
        }
        Grouping::Cases { left } => {
            typst.push_str("cases(");
            if !left {
                typst.push_str("reverse: #true, ");
            }
            let branches: Vec<String> = rows
                .iter()
                .map(|row| {
                    argument(
                        &row.iter()
                            .map(|cell| join(cell))
                            .collect::<Vec<_>>()
                            .join(" & "),
                    )
                })
                .collect();
            typst.push_str(&branches.join(", "));
            typst.push(')');
        }
        Grouping::Equation { .. }
        | Grouping::Align { .. }
        | Grouping::Aligned
        | Grouping::Alignat { .. }
        | Grouping::Alignedat { .. }
        | Grouping::Gather { .. }
        | Grouping::Gathered
        | Grouping::Multline
        | Grouping::Split => typst = lines(rows),
    }
    Piece {
        typst,
        kind: Kind::Other,
    }
}

fn visual_piece(visual: Visual, parts: Vec<Piece>) -> Piece {
    let arg = |n: usize| argument(&parts[n].typst);
    let typst = match visual {
        Visual::SquareRoot => format!("sqrt({})", arg(0)),
        // The radicand comes first in the event stream, the index second.
        Visual::Root => format!("root({}, {})", arg(1), arg(0)),
        Visual::Fraction(Some(width)) if width.value == 0.0 => {
            format!("mat(delim: #none, {}; {})", arg(0), arg(1))
        }
        Visual::Fraction(_) => format!("frac({}, {})", arg(0), arg(1)),
        Visual::Negation => format!("cancel({})", arg(0)),
    };
    Piece {
        typst,
        kind: Kind::Other,
    }
}

/// The Typst accent for a mark set above a base, if it is one.
fn accent_above(mark: char) -> Option<&'static str> {
    Some(match mark {
        '^' | 'ˆ' => "hat",
        '~' | '˜' => "tilde",
        '→' => "arrow",
        '←' => "arrow.l",
        '‾' | '¯' => return Some("overline"),
        '˙' => "dot",
        '¨' => "dot.double",
        '´' => "acute",
        '`' => "grave",
        'ˇ' => "caron",
        '˘' => "breve",
        '˚' => "circle",
        _ => return None,
    })
}

fn script_piece(
    ty: ScriptType,
    position: ScriptPosition,
    parts: Vec<Piece>,
    display: bool,
) -> Piece {
    let base = &parts[0];
    // STIX Math's slanted integrals reach past their advance width, where Typst sets the upper
    // limit, which then overlapped the sign's top (looked at in the rendered fixture): the
    // limit is moved right by about the overhang, in the script's own ems, with an empty box
    // (Typst drops an `h` at the start of an attachment).
    let upper = |typst: String| match base.kind {
        Kind::LargeOp(c) if ('∫'..='∳').contains(&c) => {
            format!(
                "#box(width: {}em) {typst}",
                if display { "0.4" } else { "0.2" }
            )
        }
        _ => typst,
    };
    let other = |n: usize| argument(&parts[n].typst);
    let single = |n: usize| match parts[n].kind {
        Kind::Char(c) => Some(c),
        _ => None,
    };
    let typst = match (ty, position) {
        (ScriptType::Superscript, ScriptPosition::AboveBelow)
            if single(1).and_then(accent_above).is_some() =>
        {
            let name = single(1).and_then(accent_above).unwrap_or("hat");
            if name == "overline" {
                format!("overline({})", argument(&base.typst))
            } else {
                format!("accent({}, {name})", argument(&base.typst))
            }
        }
        (ScriptType::Subscript, ScriptPosition::AboveBelow) if single(1) == Some('_') => {
            format!("underline({})", argument(&base.typst))
        }
        (ScriptType::Subscript, ScriptPosition::AboveBelow) if single(1) == Some('⏟') => {
            format!("underbrace({})", argument(&base.typst))
        }
        (ScriptType::Superscript, ScriptPosition::AboveBelow) if single(1) == Some('⏞') => {
            format!("overbrace({})", argument(&base.typst))
        }
        _ => {
            let base = match (position, base.kind) {
                (ScriptPosition::AboveBelow, _) => format!("limits({})", argument(&base.typst)),
                // `\sum\nolimits`; integrals take their scripts at the side already, and stay
                // bare so that Typst still sizes them as large operators in display.
                (ScriptPosition::Right, Kind::LargeOp(c)) if !('∫'..='∳').contains(&c) => {
                    format!("scripts({})", base.typst)
                }
                (ScriptPosition::Right, _) => argument(&base.typst),
                // `\lim`, `\max`: limits in display, scripts inline, as TeX does.
                (ScriptPosition::Movable, Kind::Function) => {
                    format!("{}, limits: #true)", base.typst.trim_end_matches(')'))
                }
                (ScriptPosition::Movable, _) => argument(&base.typst),
            };
            match ty {
                ScriptType::Subscript => format!("attach({base}, b: {})", other(1)),
                ScriptType::Superscript => format!("attach({base}, t: {})", upper(other(1))),
                ScriptType::SubSuperscript => {
                    format!("attach({base}, b: {}, t: {})", other(1), upper(other(2)))
                }
            }
        }
    };
    Piece {
        typst,
        kind: Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery_model::MAX_MATH_BYTES as MAX_BYTES;

    fn to_typst_inline(tex: &str) -> Result<String, String> {
        to_typst(tex, false)
    }

    #[test]
    fn common_constructs_become_typst_calls() {
        assert_eq!(to_typst_inline(r"\frac{1}{2}").unwrap(), "frac(1, 2)");
        assert_eq!(to_typst_inline(r"\sqrt[3]{x}").unwrap(), "root(3, x)");
        assert_eq!(to_typst_inline(r"x^2").unwrap(), "attach(x, t: 2)");
        assert_eq!(to_typst_inline(r"\hat{x}").unwrap(), "accent(x, hat)");
        // An integral's upper limit clears the sign's overhang.
        assert_eq!(
            to_typst(r"\int_0^1", true).unwrap(),
            "attach(∫, b: 0, t: #box(width: 0.4em) 1)"
        );
        assert_eq!(to_typst_inline(r"\mathbb{R}").unwrap(), "bb(R)");
        assert_eq!(to_typst_inline(r"\text{a $b}").unwrap(), "\"a $b\"");
        assert_eq!(
            to_typst_inline(r"\lim_{x \to 0} x").unwrap(),
            "attach(op(\"lim\", limits: #true), b: x → 0) x"
        );
        // Every ASCII symbol is escaped, so none is Typst syntax.
        assert_eq!(
            to_typst_inline(r"f(a, b) = \#").unwrap(),
            r"f \( a \, b \) \= \#"
        );
    }

    #[test]
    fn bad_and_deep_math_is_refused_with_a_reason() {
        assert!(
            to_typst_inline(r"\unknowncommand{x}")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(to_typst_inline(r"\frac{1}{2").is_err());
        assert!(
            to_typst_inline(&"{".repeat(100_000))
                .unwrap_err()
                .contains("longer")
        );
        let nested = r"\frac{".repeat(100) + &"}{x}".repeat(100);
        assert!(to_typst_inline(&nested).unwrap_err().contains("deeper"));
        // Nesting without braces is bounded by the fold's own depth limit.
        let chain = r"\left(".repeat(200) + "x" + &r"\right)".repeat(200);
        assert!(to_typst_inline(&chain).unwrap_err().contains("deeper"));
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
                    let _ = to_typst_inline(&tex);
                })
                .unwrap()
                .join()
                .unwrap();
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
}
