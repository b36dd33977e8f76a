//! The workbook form of a bank template (`format = "xlsx"`): the same lines as the
//! CSV form, amounts as numbers a bank portal can add up, everything else as text.
//! The creation date is the first of the period, so the bytes repeat run to run.

use std::path::Path;

use super::{BankProfile, Transfer};
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};

/// The bytes of one batch as a workbook.
pub(super) fn render(
    profile: &BankProfile,
    batch: &[Transfer],
    values: &dyn Fn(&Transfer) -> Vec<String>,
    fill: &dyn Fn(&str) -> String,
    period: Month,
    out: &Path,
    rel: &str,
) -> Result<Vec<u8>, Fatal> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| {
        Fatal::new(FatalKind::Io, format!("writing a bank workbook: {e}"), "run again")
            .in_file(out.join(rel).display().to_string())
    };
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(period.year() as u16, period.month() as u8, 1).map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = book.add_worksheet();
    let mut row = 0u32;
    if let Some(h) = &profile.header_line {
        ws.write_string(row, 0, fill(h)).map_err(e)?;
        row += 1;
    }
    if profile.column_headers {
        for (c, col) in profile.columns.iter().enumerate() {
            ws.write_string(row, c as u16, &col.header).map_err(e)?;
        }
        row += 1;
    }
    for t in batch {
        for (c, v) in values(t).iter().enumerate() {
            // Amounts as numbers a bank portal can add up; everything else as text.
            let is_amount = profile.columns[c].field.as_deref() == Some("amount");
            match (is_amount, v.parse::<f64>()) {
                (true, Ok(n)) => ws.write_number(row, c as u16, n).map(|_| ()).map_err(e)?,
                _ => ws.write_string(row, c as u16, v).map(|_| ()).map_err(e)?,
            }
        }
        row += 1;
    }
    if let Some(tr) = &profile.trailer_line {
        ws.write_string(row, 0, fill(tr)).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}
