//! Tables on the terminal whose columns line up whatever the cells hold.
//!
//! `format!("{:<8}")` pads by characters, but a terminal shows a Chinese character
//! two columns wide, so a table of 已到账 and 相符 drifts right under its header. Here
//! every cell is measured by its display width (`unicode-width`) and padded to the
//! widest cell of its column. The last column is never padded, so no line ends in
//! spaces.

use unicode_width::UnicodeWidthStr;

/// How a column's cells sit in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table being built: a header row, then data rows, then `render`.
#[derive(Debug, Clone)]
pub struct TextTable {
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
    /// Lines under a row that span the table (`notes[i]` follow row `i`), not measured.
    notes: Vec<(usize, String)>,
    indent: usize,
    gap: usize,
}

/// How many terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `columns` terminal columns.
pub fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

impl TextTable {
    /// A table with these column headings, aligned as `aligns` says (a column past
    /// the end of `aligns` is left-aligned).
    pub fn new<S: AsRef<str>>(headers: &[S], aligns: &[Align]) -> TextTable {
        TextTable {
            aligns: aligns.to_vec(),
            rows: vec![headers.iter().map(|h| h.as_ref().to_owned()).collect()],
            notes: Vec::new(),
            indent: 0,
            gap: 2,
        }
    }

    /// Every line starts with `n` spaces.
    pub fn indent(mut self, n: usize) -> TextTable {
        self.indent = n;
        self
    }

    /// Adds a data row (missing cells are empty, extra ones are kept).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// A line under the last row, indented `by` more than the table, that does not
    /// widen any column (a void run's reason under its row).
    pub fn note(&mut self, by: usize, text: impl Into<String>) {
        self.notes.push((self.rows.len() - 1, format!("{}{}", " ".repeat(by), text.into())));
    }

    /// The table as lines, each ending in `\n`.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in &self.rows {
            for (c, cell) in row.iter().enumerate() {
                widths[c] = widths[c].max(width(cell));
            }
        }
        let mut out = String::new();
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = " ".repeat(self.indent);
            for (c, w) in widths.iter().enumerate() {
                let cell = row.get(c).map(String::as_str).unwrap_or("");
                let pad = w - width(cell);
                if c > 0 {
                    line.push_str(&" ".repeat(self.gap));
                }
                match self.aligns.get(c).copied().unwrap_or(Align::Left) {
                    Align::Right => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(cell);
                    }
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for (_, note) in self.notes.iter().filter(|(row, _)| *row == i) {
                out.push_str(&" ".repeat(self.indent));
                out.push_str(note.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_cells_count_two_columns_each() {
        let mut t = TextTable::new(&["结论", "人数", "金额"], &[Align::Left, Align::Right, Align::Right]).indent(2);
        t.row(["相符", "12", "9600.00元"]);
        t.row(["低于最低标准", "1", "600.00元"]);
        t.row(["match", "3", "0.00元"]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  结论          人数       金额");
        assert_eq!(lines[1], "  相符            12  9600.00元");
        assert_eq!(lines[2], "  低于最低标准     1   600.00元");
        assert_eq!(lines[3], "  match            3     0.00元");
        // Every line is as wide on screen as the header; the right-aligned column ends
        // at the same place on every line.
        for l in &lines {
            assert_eq!(width(l), width(lines[0]), "{l}");
        }
    }

    #[test]
    fn the_last_column_is_not_padded_and_short_rows_are_filled() {
        let mut t = TextTable::new(&["run", "output"], &[Align::Right]);
        t.row(["1", "/tmp/2018-06"]);
        t.row(["12"]);
        t.row(["3", "-"]);
        t.note(5, "作废原因：一段很长的说明，不会撑宽任何一列");
        assert_eq!(
            t.render(),
            "run  output\n  1  /tmp/2018-06\n 12\n  3  -\n     作废原因：一段很长的说明，不会撑宽任何一列\n"
        );
    }

    #[test]
    fn mixed_widths_in_one_cell() {
        assert_eq!(width("批次12（2018年7月）"), 2 * 2 + 2 + 2 + 4 + 2 + 1 + 2 + 2);
        let mut t = TextTable::new(&["a", "b"], &[Align::Left, Align::Left]);
        t.row(["已作废x", "y"]);
        assert_eq!(t.render(), "a        b\n已作废x  y\n");
    }
}
