//! Rosters kept as workbooks (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), read with
//! calamine: the first sheet unless `--sheet`, the header on the first non-empty row,
//! every cell turned into the text a clerk sees in Excel. The rows then go through
//! exactly the same rules as CSV rows; `source` is `<path>:<sheet row>`.

use calamine::{open_workbook_auto, Data, Reader};

use super::columns::{ColumnMap, HeaderSearch};
use super::profile::RosterProfile;
use crate::core::column::Column;
use crate::csvsplit::RawRow;
use crate::error::{Fatal, FatalKind};

/// True when the file name says it is a workbook.
pub fn is_workbook(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"].iter().any(|e| lower.ends_with(e))
}

/// A sheet read into memory: its columns, data rows and blank rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub columns: ColumnMap,
    pub rows: Vec<RawRow>,
    pub blank_rows: u64,
    /// Sheet rows above the header.
    pub preamble_rows: u64,
}

fn fatal(path: &str, message: impl Into<String>, fix: &str) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix).in_file(path)
}

/// Reads the roster sheet of a workbook.
pub fn read_sheet(path: &str, sheet: Option<&str>, profile: &RosterProfile) -> Result<Sheet, Fatal> {
    let mut book = open_workbook_auto(path).map_err(|e| {
        fatal(
            path,
            format!("cannot read the workbook: {e}"),
            "open it in Excel, save it again (or as CSV), and run again",
        )
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| {
            fatal(
                path,
                format!("the workbook has no sheet {wanted:?} (it has: {})", names.join(", ")),
                "give --sheet one of those names",
            )
        })?,
        None => {
            names.first().cloned().ok_or_else(|| fatal(path, "the workbook has no sheet", "export the roster again"))?
        }
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        fatal(path, format!("cannot read sheet {name:?}: {e}"), "open it in Excel, save it again, and run again")
    })?;
    let first_row = range.start().map_or(0, |(r, _)| r) as u64;
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    let mut rows = range.rows().enumerate().map(|(i, cells)| (first_row + i as u64 + 1, cells));
    // The header: among the first rows, the first naming every required column.
    let mut search = HeaderSearch::new(&profile.columns, profile.header_row);
    let mut any = false;
    let (header_line, columns, width) = loop {
        let Some((line, cells)) = rows.next() else {
            if !any {
                return Err(fatal(
                    path,
                    format!("sheet {name:?} is empty: there is no header row"),
                    "put the roster with its header row on the first sheet, or give --sheet",
                ));
            }
            let (p, at) = search.give_up(first_row + 1);
            return Err(super::reader::header_fatal(&format!("{path} sheet {name}"), &p, at, true));
        };
        // Cells left of the used range are empty columns of the sheet.
        let header: Vec<String> =
            std::iter::repeat_n(String::new(), first_col).chain(cells.iter().map(|c| text(c, false))).collect();
        let width = header.iter().rposition(|h| !h.trim().is_empty()).map_or(0, |i| i + 1);
        any |= width > 0;
        match search.offer(line, line, Some(&header[..width])) {
            None => continue,
            Some(Ok(columns)) => break (line, columns.with_categories(&profile.categories), width),
            Some(Err((p, at))) => {
                return Err(super::reader::header_fatal(&format!("{path} sheet {name}"), &p, at, true))
            }
        }
    };
    let months: Vec<bool> =
        (0..width).map(|i| matches!(columns.column_at(i), Some(Column::ApprovedFrom | Column::EndedAfter))).collect();
    let mut out = Vec::new();
    let mut blank_rows = 0;
    for (line, cells) in rows {
        let texts: Vec<String> = std::iter::repeat_n(String::new(), first_col)
            .chain(cells.iter().enumerate().map(|(i, c)| text(c, months.get(first_col + i).copied().unwrap_or(false))))
            .collect();
        if texts.iter().all(|t| crate::core::text::trim(t).is_empty()) {
            blank_rows += 1;
            continue;
        }
        // Anything right of the header's last column makes the row malformed, as in CSV.
        let used = texts.iter().rposition(|t| !crate::core::text::trim(t).is_empty()).map_or(0, |i| i + 1);
        let keep = if used > width { used } else { width };
        let fields: Vec<&str> = (0..keep).map(|i| texts.get(i).map_or("", String::as_str)).collect();
        out.push(RawRow::from_fields(line, &fields));
    }
    Ok(Sheet { name, columns, rows: out, blank_rows, preamble_rows: header_line - 1 })
}

/// The text Excel shows for a cell (General format); dates in month columns as
/// `YYYY-MM`, elsewhere as `YYYY-MM-DD`.
pub fn text(cell: &Data, month_column: bool) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => general(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            if month_column {
                format!("{y:04}-{m:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}")
            }
        }
        Data::DateTimeIso(s) if month_column && s.len() >= 7 => s[..7].to_owned(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number as Excel's General format shows it: up to 11 digits plainly, larger
/// numbers in scientific notation with six significant digits (`4.30102E+17`).
pub fn general(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let abs = f.abs();
    if abs >= 1e11 || (abs != 0.0 && abs < 1e-9) {
        let s = format!("{f:.5E}");
        let (mantissa, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!("{mantissa}E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let int_digits = if abs < 1.0 { 1 } else { abs.log10().floor() as usize + 1 };
    let decimals = 10usize.saturating_sub(int_digits);
    let s = format!("{f:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_excel_shows_them() {
        assert_eq!(general(800.0), "800");
        assert_eq!(general(850.5), "850.5");
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(201806.0), "201806");
        assert_eq!(general(430102201003120016.0), "4.30102E+17");
        assert_eq!(general(6222021001000000011.0), "6.22202E+18");
        assert_eq!(general(12345678901.0), "12345678901");
        assert_eq!(general(-5.0), "-5");
    }

    #[test]
    fn workbook_names() {
        assert!(is_workbook("roster.XLSX") && is_workbook("a.ods") && is_workbook("b.xls"));
        assert!(!is_workbook("roster.csv"));
    }
}
