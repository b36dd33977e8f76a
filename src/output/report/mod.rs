//! `report.xlsx`: the run for people who live in Excel (SPEC section 10).
//!
//! A summary sheet (counts and amounts by county and category, with a chart), then
//! the payroll list an office signs and files (`payroll_list`, first after the
//! summary: SPEC section 16), the changes since last month (变动, when the run wrote
//! `changes.csv`), the entitlements, the exceptions
//! (reasons in words, problem rows coloured) and the transfers, read back from the
//! CSV files just written so the workbook can never disagree with them. Every sheet
//! prints on A4 as it is (`print`). Sheet names, headers and values follow
//! `--lang` (`columns`: under `zh` the glossary's words and county names). The file
//! is the same bytes on every run: its creation date is the period's first day, and
//! the zip entries carry a fixed time.

mod cells;
mod columns;
mod package;
mod payroll_list;
mod print;
mod summary;

use std::path::Path;

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::changes::CHANGES;
use super::manifest::Totals;
use super::monthly::{ENTITLEMENTS, EXCEPTIONS, TRANSFERS};
use super::sink::OutputInfo;
use super::staged::StagedDir;
use crate::core::detail::Lang;
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};
use package::{DataSheet, Rows};
use payroll_list::COLUMNS;
use print::PageSetup;

/// The report's options for paper (SPEC section 16).
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The office's name, at the top of every printed page (`--office`).
    pub office: Option<String>,
    /// Mask IDs and accounts in the payroll list (`--mask-ids`), for posting.
    pub mask_ids: bool,
}

pub const REPORT: &str = "report.xlsx";

/// Data rows a sheet holds (Excel's limit, less the header).
const SHEET_ROWS: usize = 1_048_575;

/// Writing the workbook failed (`what` went wrong, in English).
fn write_failed(what: &dyn std::fmt::Display, out: &Path) -> Fatal {
    Fatal::new(FatalKind::Io, format!("writing the report workbook failed: {what}"), "check the disk and run again")
        .zh(format!("写入 {REPORT} 失败：{what}"), "请检查磁盘空间和输出目录是否可写，然后重新运行")
        .in_file(out.join(REPORT).display().to_string())
}

fn xlsx(e: XlsxError, out: &Path) -> Fatal {
    write_failed(&e, out)
}

/// A CSV file just written could not be read back for the workbook.
fn read_back_failed(file: &str, out: &Path, e: &dyn std::fmt::Display) -> Fatal {
    Fatal::new(FatalKind::Io, format!("reading back {file}: {e}"), "run again")
        .zh(format!("生成 {REPORT} 时无法读回刚写出的 {file}：{e}"), "请重新运行")
        .in_file(out.join(file).display().to_string())
}

/// Lays out the sheets for one CSV output (split at Excel's row limit): header,
/// widths, frozen pane and the probe row `package` reads the styles from. Returns
/// the data sheets, numbered from `next_sheet`.
#[allow(clippy::too_many_arguments)]
fn layout_sheets(
    book: &mut Workbook,
    staged: &StagedDir,
    file: &str,
    rows: u64,
    title: &str,
    lang: Lang,
    out: &Path,
    formats: &Formats,
    page: &PageSetup,
    next_sheet: &mut usize,
) -> Result<Vec<DataSheet>, Fatal> {
    let path = staged.path().join(file);
    let read_err = |e: &dyn std::fmt::Display| read_back_failed(file, out, e);
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| read_err(&e))?;
    let headers = rdr.byte_headers().map_err(|e| read_err(&e))?.clone();
    let columns = columns::plan(&headers, lang);
    let csv_bytes = std::fs::metadata(&path).map_err(|e| read_err(&e))?.len();
    let count = rows.div_ceil(SHEET_ROWS as u64).max(1);
    let mut sheets = Vec::new();
    for k in 0..count {
        let name = if k == 0 { title.to_owned() } else { format!("{title} ({})", k + 1) };
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(|e| xlsx(e, out))?;
        for (c, col) in columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, &col.heading, &formats.header).map_err(|e| xlsx(e, out))?;
            ws.set_column_width(c as u16, col.width).map_err(|e| xlsx(e, out))?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| xlsx(e, out))?;
        page.apply(ws, Some(0)).map_err(|e| xlsx(e, out))?;
        package::write_probe(ws, &[&formats.money, &formats.rejected, &formats.held, &formats.excluded])
            .map_err(|e| xlsx(e, out))?;
        *next_sheet += 1;
        sheets.push(DataSheet {
            entry: format!("xl/worksheets/sheet{next_sheet}.xml"),
            rows: Rows::Csv {
                csv: path.clone(),
                rows: (rows - k * SHEET_ROWS as u64).min(SHEET_ROWS as u64),
                csv_bytes,
                lang,
            },
        });
    }
    Ok(sheets)
}

struct Formats {
    header: Format,
    money: Format,
    rejected: Format,
    held: Format,
    excluded: Format,
    bold: Format,
    bold_money: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)),
            money: Format::new().set_num_format("0.00"),
            rejected: Format::new().set_background_color(Color::RGB(0xF8CBAD)).set_num_format("0.00"),
            held: Format::new().set_background_color(Color::RGB(0xFFE699)).set_num_format("0.00"),
            excluded: Format::new().set_background_color(Color::RGB(0xEDEDED)).set_num_format("0.00"),
            bold: Format::new().set_bold(),
            bold_money: Format::new().set_bold().set_num_format("0.00"),
        }
    }
}

/// Lays out the payroll list's sheets (split at Excel's row limit): header, widths,
/// frozen pane, print setup and the probe row.
fn layout_list(
    book: &mut Workbook,
    parts: Vec<payroll_list::Part>,
    lang: Lang,
    out: &Path,
    formats: &Formats,
    page: &PageSetup,
    next_sheet: &mut usize,
) -> Result<Vec<DataSheet>, Fatal> {
    let title = lang.pick("Payroll list", "发放花名册");
    let mut sheets = Vec::new();
    for (k, part) in parts.into_iter().enumerate() {
        let name = if k == 0 { title.to_owned() } else { format!("{title} ({})", k + 1) };
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(|e| xlsx(e, out))?;
        for (c, (en, zh, width)) in COLUMNS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, lang.pick(en, zh), &formats.header).map_err(|e| xlsx(e, out))?;
            ws.set_column_width(c as u16, *width).map_err(|e| xlsx(e, out))?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| xlsx(e, out))?;
        page.apply(ws, Some(0)).map_err(|e| xlsx(e, out))?;
        package::write_probe(ws, &[&formats.money, &formats.bold, &formats.bold_money]).map_err(|e| xlsx(e, out))?;
        *next_sheet += 1;
        sheets.push(DataSheet { entry: format!("xl/worksheets/sheet{next_sheet}.xml"), rows: Rows::List(part) });
    }
    Ok(sheets)
}

/// Writes `report.xlsx` into the staged directory from the CSV files there.
/// `audit_head` is the finished audit chain's head, printed on every page.
#[allow(clippy::too_many_arguments)]
pub fn write_report(
    staged: &StagedDir,
    out: &Path,
    period: Month,
    mode: &str,
    totals: &Totals,
    outputs: &[OutputInfo],
    lang: Lang,
    audit_head: &str,
    options: &ReportOptions,
) -> Result<OutputInfo, Fatal> {
    let page = PageSetup::new(lang, period, audit_head, options.office.as_deref());
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(period.year() as u16, period.month() as u8, 1).map_err(|e| xlsx(e, out))?;
    book.set_properties(
        &DocProperties::new().set_title(format!("disburse {period} {mode}")).set_creation_datetime(&created),
    );
    let formats = Formats::new();

    let ent_path = staged.path().join(ENTITLEMENTS);
    let (tally, list) = summary::read(&ent_path, out, lang, options.mask_ids)?;
    let summary_name = lang.pick("Summary", "汇总");
    summary::write(&mut book, &tally, summary_name, (period, mode), totals, lang, &page, &formats, out)?;
    drop(tally);

    let mut next_sheet = 1;
    let mut sheets = Vec::new();
    let data = |file: &str, en: &'static str, zh: &'static str| {
        outputs.iter().find(|o| o.file == file).map(|info| (info.file.clone(), info.rows, lang.pick(en, zh)))
    };
    // The payroll list first after the summary (SPEC section 16), then what changed
    // since last month, then the data sheets.
    sheets.extend(layout_list(&mut book, list.parts(SHEET_ROWS), lang, out, &formats, &page, &mut next_sheet)?);
    let rest = [
        data(CHANGES, "Changes", "变动"),
        data(ENTITLEMENTS, "Entitlements", "发放明细"),
        data(EXCEPTIONS, "Exceptions", "异常"),
        data(TRANSFERS, "Transfers", "转账"),
    ];
    for (file, rows, title) in rest.iter().flatten() {
        sheets.extend(layout_sheets(
            &mut book,
            staged,
            file,
            *rows,
            title,
            lang,
            out,
            &formats,
            &page,
            &mut next_sheet,
        )?);
    }
    let skeleton = book.save_to_buffer().map_err(|e| xlsx(e, out))?;
    let file = staged.create(REPORT)?;
    let file = package::assemble(&skeleton, &sheets, file).map_err(|e| write_failed(&e.0, out))?;
    file.sync_all().map_err(|e| write_failed(&e, out))?;
    drop(file);
    let sha256 = crate::sha256_file(&staged.path().join(REPORT)).map_err(|e| read_back_failed(REPORT, out, &e))?;
    // The manifest counts the rows the workbook shows from the CSV files.
    let rows = sheets.iter().filter(|s| matches!(s.rows, Rows::Csv { .. })).map(DataSheet::rows).sum();
    Ok(OutputInfo { file: REPORT.to_owned(), sha256, rows, control_total: None })
}
