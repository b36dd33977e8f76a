//! Rosters kept as workbooks (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), read with
//! calamine: the first sheet unless `--sheet`, the header among the first rows (below
//! any title rows), every cell turned into the text a clerk sees in Excel. The rows
//! then go through
//! exactly the same rules as CSV rows; `source` is `<path>:<sheet row>`. Only the
//! cells present are read, so a stray cell far away costs one cell.

use calamine::Data;

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

/// The first sheet names none of the roster's columns (an instructions sheet, 说明),
/// and the workbook has others: the clerk is told their names and the flag.
fn not_the_roster_sheet(path: &str, first: &str, others: &[String]) -> Fatal {
    let quoted: Vec<String> = others.iter().map(|n| format!("“{n}”")).collect();
    Fatal::new(
        FatalKind::MissingColumn,
        format!(
            "the first sheet {first:?} names none of the roster's columns, so it is not the roster (the workbook also has: {})",
            others.join(", ")
        ),
        format!("name the roster's sheet with --sheet, e.g. --sheet {:?}", others[0]),
    )
    .zh(
        format!(
            "第一个工作表“{first}”中找不到花名册的任何列，它不是花名册（该工作簿还有：{}）",
            quoted.join("、")
        ),
        format!("请用 --sheet 指定花名册所在的工作表，例如 --sheet {}", others[0]),
    )
    .in_file(path)
}

/// Reads the roster sheet of a workbook.
///
/// Only the cells present are read ([`super::sparse`]). The header is the first of
/// the sheet's first rows that names every required column (the rows above it are
/// its preamble), or the profile's `header_row`. A data row keeps the values of the
/// roster's columns, at compact positions, and counts its other fields without
/// storing them: memory follows the cells, never the width of the sheet.
pub fn read_sheet(path: &str, sheet: Option<&str>, profile: &RosterProfile) -> Result<Sheet, Fatal> {
    let sparse = super::sparse::read_sparse(path, sheet, "workbook")?;
    let name = sparse.name.clone();
    let mut rows = sparse.rows();
    let mut search = HeaderSearch::new(&profile.columns, profile.header_row);
    let mut any = false;
    // (0-based header row, its texts by column, the map found, the header's width)
    let (header_row, header, full, width) = loop {
        let Some((row, cells)) = rows.next() else {
            if !any {
                return Err(Fatal::new(
                    FatalKind::Input,
                    format!("sheet {name:?} is empty: there is no header row"),
                    "put the roster with its header row on the first sheet, or give --sheet",
                )
                .zh(
                    format!("工作表“{name}”是空的，没有表头行"),
                    "请把花名册连同表头放在第一个工作表，或用 --sheet 指定花名册所在的工作表",
                )
                .in_file(path));
            }
            let (p, at) = search.give_up(1);
            if sheet.is_none() && !sparse.others.is_empty() && p.found_nothing() {
                return Err(not_the_roster_sheet(path, &name, &sparse.others));
            }
            return Err(super::columns::header_fatal(path, &p, at, true).in_sheet(path, &name));
        };
        let texts: Vec<(usize, String)> = cells.iter().map(|c| (c.1 as usize, text(&c.2, false))).collect();
        let width = texts.iter().rev().find(|(_, h)| !h.trim().is_empty()).map_or(0, |(col, _)| col + 1);
        if width == 0 {
            continue;
        }
        any = true;
        let mut header = vec![String::new(); width];
        for (col, h) in texts {
            if let Some(slot) = header.get_mut(col) {
                *slot = h;
            }
        }
        let line = u64::from(row) + 1;
        match search.offer(line, line, Some(&header)) {
            None => continue,
            Some(Ok(full)) => break (row, header, full, width),
            Some(Err((p, at))) => return Err(super::columns::header_fatal(path, &p, at, true).in_sheet(path, &name)),
        }
    };
    let header_line = u64::from(header_row) + 1;
    // The roster's columns in sheet order, then empty names up to the sheet's width:
    // the same columns and width, at positions 0..k.
    let known: Vec<usize> = (0..width).filter(|&i| full.column_at(i).is_some()).collect();
    let compact: Vec<&str> =
        known.iter().map(|&i| header[i].as_str()).chain(std::iter::repeat_n("", width - known.len())).collect();
    let columns = ColumnMap::from_header_with(compact, &profile.columns)
        .map_err(|p| super::columns::header_fatal(path, &p, header_line, true).in_sheet(path, &name))?
        .with_categories(&profile.categories);
    drop(header);
    let months: Vec<bool> = (0..known.len())
        .map(|i| matches!(columns.column_at(i), Some(Column::ApprovedFrom | Column::EndedAfter)))
        .collect();
    let mut out = Vec::new();
    let mut last_row = header_row;
    let mut fields: Vec<String> = vec![String::new(); known.len()];
    for (row, cells) in rows {
        fields.truncate(known.len());
        fields.iter_mut().for_each(String::clear);
        // The first value outside the roster's columns: kept (at a position no column
        // reads) so that the row is not mistaken for a blank one.
        let mut other = None;
        let mut used = 0;
        for (_, col, value) in cells {
            let col = *col as usize;
            let slot = known.binary_search(&col).ok();
            let t = text(value, slot.is_some_and(|k| months[k]));
            let blank = crate::core::text::trim(&t).is_empty();
            if !blank {
                used = used.max(col + 1);
            }
            match slot {
                Some(k) => fields[k] = t,
                None if !blank && other.is_none() => other = Some(t),
                None => {}
            }
        }
        last_row = row;
        if used == 0 {
            continue;
        }
        fields.extend(other);
        // Anything right of the header's last column makes the row malformed, as in CSV.
        out.push(RawRow::from_fields_padded(u64::from(row) + 1, &fields, used.max(width)));
    }
    // Rows between the header and the last data row that hold nothing are blank.
    let blank_rows = u64::from(last_row - header_row) - out.len() as u64;
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
        // Byte 7 may fall inside a character of a hostile file: never slice there.
        Data::DateTimeIso(s) if month_column => s.get(..7).unwrap_or(s).to_owned(),
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
    fn cell_text_never_cuts_a_character() {
        // Fuzz-style: strings of mixed 1- to 4-byte characters at every length, in
        // every text-carrying cell type, month column or not.
        let alphabet = ['2', '-', '0', '年', '月', 'é', '😀', ' ', 'T', '\u{3000}'];
        let mut x: u32 = 7;
        for len in 0..40 {
            for _ in 0..50 {
                let s: String = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        alphabet[(x >> 16) as usize % alphabet.len()]
                    })
                    .collect();
                for cell in [Data::String(s.clone()), Data::DateTimeIso(s.clone()), Data::DurationIso(s.clone())] {
                    for month in [false, true] {
                        let t = text(&cell, month);
                        assert!(s.starts_with(&t), "{s:?} gave {t:?}");
                    }
                }
            }
        }
        assert_eq!(text(&Data::DateTimeIso("2018-06-01T00:00:00".into()), true), "2018-06");
        assert_eq!(text(&Data::DateTimeIso("2018-0年".into()), true), "2018-0年");
    }

    #[test]
    fn workbook_names() {
        assert!(is_workbook("roster.XLSX") && is_workbook("a.ods") && is_workbook("b.xls"));
        assert!(!is_workbook("roster.csv"));
    }
}
