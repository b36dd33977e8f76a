//! The workbook form of a bank template (`format = "xlsx"`): the sheet the bank's
//! template names, the preamble rows, the column headers and one row per transfer,
//! each cell with its column's type (accounts text, amounts numbers shown `0.00`).
//! Empty cells are left out (some banks' systems refuse empty text cells). The
//! creation date is the first of the period, so the bytes repeat run to run.

use std::path::Path;

use super::cells::{Cell, Lines};
use super::names::Values;
use super::profile::BankProfile;
use crate::error::{Fatal, FatalKind};

/// The bytes of one batch as a workbook.
pub(super) fn render(
    profile: &BankProfile,
    lines: &Lines<'_>,
    v: &Values<'_>,
    out: &Path,
    rel: &str,
) -> Result<Vec<u8>, Fatal> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};
    let e = |e: rust_xlsxwriter::XlsxError| {
        Fatal::new(FatalKind::Io, format!("writing a bank workbook: {e}"), "run again")
            .zh("写入银行工作簿失败", "请重新运行")
            .in_file(out.join(rel).display().to_string())
    };
    let period = v.period;
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(period.year() as u16, period.month() as u8, 1).map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = book.add_worksheet();
    if let Some(name) = &profile.sheet_name {
        ws.set_name(name).map_err(e)?;
    }
    let money = Format::new().set_num_format("0.00");
    let put = |ws: &mut Worksheet, row: u32, col: u16, cell: &Cell| -> Result<(), Fatal> {
        match cell {
            Cell::Text(t) if t.is_empty() => Ok(()),
            Cell::Text(t) => ws.write_string(row, col, t).map(|_| ()).map_err(e),
            Cell::Number { value, money: true, .. } => {
                ws.write_number_with_format(row, col, *value, &money).map(|_| ()).map_err(e)
            }
            Cell::Number { value, .. } => ws.write_number(row, col, *value).map(|_| ()).map_err(e),
        }
    };
    let mut row = 0u32;
    if let Some(h) = &lines.header_line {
        put(ws, row, 0, &Cell::Text(h.clone()))?;
        row += 1;
    }
    for cells in &lines.preamble {
        for (c, cell) in cells.iter().enumerate() {
            put(ws, row, c as u16, cell)?;
        }
        row += 1;
    }
    if let Some(headers) = &lines.headers {
        for (c, h) in headers.iter().enumerate() {
            put(ws, row, c as u16, &Cell::Text(h.clone()))?;
        }
        row += 1;
    }
    for (i, t) in lines.batch.iter().enumerate() {
        for (c, cell) in (lines.row)(i + 1, t)?.iter().enumerate() {
            put(ws, row, c as u16, cell)?;
        }
        row += 1;
    }
    if let Some(tr) = &lines.trailer_line {
        put(ws, row, 0, &Cell::Text(tr.clone()))?;
    }
    book.save_to_buffer().map_err(e)
}
