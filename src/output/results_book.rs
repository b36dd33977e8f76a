//! The workbooks of `reconcile` and `audit` (SPEC section 17): their results for
//! people who live in Excel, in the style of `report.xlsx`.
//!
//! The CSV files stay the machine contract; the workbook shows the same rows with
//! the sheet names, headings and values in `--lang` (values from the glossary),
//! amounts and counts as numbers, the header row bold, coloured and frozen, and each
//! sheet printing landscape on A4, one page wide, header repeated. The file is the
//! same bytes every time: its creation date is the period's first day, never the
//! clock's.

use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::sink::OutputInfo;
use super::staged::StagedDir;
use crate::core::detail::Lang;
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};

/// Excel's paper size code for A4.
const A4: u8 = 9;

/// One cell: text, an amount (a number shown with two decimals) or a count.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Money(Decimal),
    Count(u64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// One sheet: a table under a bold, frozen header row, then a bold total row and
/// a few labelled facts, if any.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    /// Column headings and widths.
    pub columns: Vec<(String, u16)>,
    pub rows: Vec<Vec<Cell>>,
    /// Written bold under the rows.
    pub total: Option<Vec<Cell>>,
    /// Label and value pairs under the table, after a blank row.
    pub facts: Vec<(String, Cell)>,
}

/// A whole workbook.
#[derive(Debug, Clone)]
pub struct Book {
    /// The document title (`disburse 2018-06 reconcile`).
    pub title: String,
    /// The period its results are for: the creation date and the page footer.
    pub period: Month,
    pub lang: Lang,
    pub sheets: Vec<Sheet>,
}

struct Formats {
    header: Format,
    money: Format,
    bold: Format,
    bold_money: Format,
}

fn xlsx(e: XlsxError, shown: &Path) -> Fatal {
    Fatal::new(FatalKind::Io, format!("writing the workbook failed: {e}"), "check the disk and run again")
        .zh(format!("写入工作簿失败：{e}"), "请检查磁盘后重新运行")
        .in_file(shown.display().to_string())
}

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell, bold: bool, f: &Formats) -> Result<(), XlsxError> {
    match (cell, bold) {
        (Cell::Text(t), false) => ws.write_string(r, c, t).map(|_| ()),
        (Cell::Text(t), true) => ws.write_string_with_format(r, c, t, &f.bold).map(|_| ()),
        (Cell::Money(d), b) => ws
            .write_number_with_format(r, c, d.to_f64().unwrap_or(0.0), if b { &f.bold_money } else { &f.money })
            .map(|_| ()),
        (Cell::Count(n), false) => ws.write_number(r, c, *n as f64).map(|_| ()),
        (Cell::Count(n), true) => ws.write_number_with_format(r, c, *n as f64, &f.bold).map(|_| ()),
        (Cell::Empty, _) => Ok(()),
    }
}

fn page_setup(ws: &mut Worksheet, book: &Book) -> Result<(), XlsxError> {
    let l = book.lang;
    ws.set_landscape();
    ws.set_paper_size(A4);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_header("&R&A");
    ws.set_footer(format!(
        "&L{} {}&C{}",
        l.pick("Period", "发放年月"),
        crate::core::glossary::month(book.period, l),
        l.pick("Page &P of &N", "第 &P 页 共 &N 页")
    ));
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

fn lay_out(ws: &mut Worksheet, sheet: &Sheet, book: &Book, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    for (c, (h, w)) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.header)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    page_setup(ws, book)?;
    let mut r = 1u32;
    for row in &sheet.rows {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, r, c as u16, cell, false, f)?;
        }
        r += 1;
    }
    if let Some(total) = &sheet.total {
        for (c, cell) in total.iter().enumerate() {
            write_cell(ws, r, c as u16, cell, true, f)?;
        }
        r += 1;
    }
    if !sheet.facts.is_empty() {
        r += 1;
        for (label, value) in &sheet.facts {
            ws.write_string_with_format(r, 0, label, &f.bold)?;
            write_cell(ws, r, 1, value, false, f)?;
            r += 1;
        }
    }
    Ok(())
}

/// The workbook's bytes.
pub fn render(book: &Book, shown: &Path) -> Result<Vec<u8>, Fatal> {
    let f = Formats {
        header: Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)),
        money: Format::new().set_num_format("0.00"),
        bold: Format::new().set_bold(),
        bold_money: Format::new().set_bold().set_num_format("0.00"),
    };
    let mut wb = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(book.period.year() as u16, book.period.month() as u8, 1).map_err(|e| xlsx(e, shown))?;
    wb.set_properties(&DocProperties::new().set_title(&book.title).set_creation_datetime(&created));
    for sheet in &book.sheets {
        let ws = wb.add_worksheet();
        lay_out(ws, sheet, book, &f).map_err(|e| xlsx(e, shown))?;
    }
    wb.save_to_buffer().map_err(|e| xlsx(e, shown))
}

/// Writes `book` as `file` in the staged directory (owner-only, like every output);
/// `out` is where it will be once committed. Returns its manifest entry (rows: the
/// data rows of its sheets).
pub fn write(staged: &StagedDir, out: &Path, file: &str, book: &Book) -> Result<OutputInfo, Fatal> {
    let shown = out.join(file);
    let bytes = render(book, &shown)?;
    let mut f = staged.create(file)?;
    std::io::Write::write_all(&mut f, &bytes).map_err(|e| Fatal::io(&shown, "writing the workbook", &e))?;
    f.sync_all().map_err(|e| Fatal::io(&shown, "writing the workbook", &e))?;
    Ok(OutputInfo {
        file: file.to_owned(),
        sha256: crate::sha256_hex(&bytes),
        rows: book.sheets.iter().map(|s| s.rows.len() as u64).sum(),
        control_total: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(lang: Lang) -> Book {
        Book {
            title: "disburse 2018-06 audit".into(),
            period: Month::parse("2018-06").unwrap(),
            lang,
            sheets: vec![Sheet {
                name: lang.pick("Summary", "汇总").into(),
                columns: vec![("状态".into(), 16), ("人数".into(), 10), ("金额".into(), 14)],
                rows: vec![vec![Cell::text("相符"), Cell::Count(3), Cell::Money("2400.00".parse().unwrap())]],
                total: Some(vec![Cell::text("合计"), Cell::Count(3), Cell::Money("2400".parse().unwrap())]),
                facts: vec![("台账校验值".into(), Cell::text("abc"))],
            }],
        }
    }

    #[test]
    fn the_same_book_is_the_same_bytes() {
        let a = render(&book(Lang::Zh), Path::new("x.xlsx")).unwrap();
        let b = render(&book(Lang::Zh), Path::new("x.xlsx")).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, render(&book(Lang::En), Path::new("x.xlsx")).unwrap());
    }
}
