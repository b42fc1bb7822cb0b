//! Tables as aligned columns of flattened cell text, measured by display width.
//!
//! A table wider than the line is still drawn whole: breaking its rows would make it
//! unreadable, and a reader scrolls sideways more easily than they rebuild a table.

use bindery_model::{Alignment, Inline, Table};

use crate::Writer;
use crate::wrap::{Flow, display_width};

/// Columns are separated by this many spaces.
const GUTTER: usize = 2;

impl<'a> Writer<'a> {
    /// The header row (unless it is empty), a rule of `-` under each column, then the body rows.
    pub(crate) fn table(&mut self, table: &'a Table) -> Vec<String> {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.aligns.len(), table.head.len()])
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return Vec::new();
        }
        let mut rows: Vec<Vec<String>> = Vec::with_capacity(table.rows.len() + 1);
        for row in std::iter::once(&table.head).chain(&table.rows) {
            let mut cells: Vec<String> = row.iter().map(|cell| self.cell(cell)).collect();
            cells.resize(columns, String::new());
            rows.push(cells);
        }
        let mut widths = vec![1; columns];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(display_width(cell));
            }
        }
        let aligns: Vec<Alignment> = (0..columns)
            .map(|i| table.aligns.get(i).copied().unwrap_or_default())
            .collect();

        let gutter = " ".repeat(GUTTER);
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .zip(&aligns)
                .map(|((cell, &width), &align)| aligned(cell, width, align))
                .collect::<Vec<_>>()
                .join(&gutter)
        };
        let mut out = Vec::with_capacity(rows.len() + 1);
        // A table read from JSON may have no header text; a blank header line would read as
        // the end of the table.
        if rows[0].iter().any(|cell| !cell.is_empty()) {
            out.push(line(&rows[0]));
        }
        out.push(
            widths
                .iter()
                .map(|&w| "-".repeat(w))
                .collect::<Vec<_>>()
                .join(&gutter),
        );
        out.extend(rows[1..].iter().map(|row| line(row)));
        out
    }

    fn cell(&mut self, content: &'a [Inline]) -> String {
        let mut flow = Flow::default();
        self.inlines(content, &mut flow);
        flow.single_line()
    }
}

/// A cell padded to `width` display columns; default alignment is left, as in pandoc.
fn aligned(cell: &str, width: usize, align: Alignment) -> String {
    let room = width.saturating_sub(display_width(cell));
    let (left, right) = match align {
        Alignment::Default | Alignment::Left => (0, room),
        Alignment::Center => (room / 2, room - room / 2),
        Alignment::Right => (room, 0),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
}
