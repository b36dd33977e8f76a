//! `report.xlsx`: the run for people who live in Excel (SPEC section 10).
//!
//! A summary sheet (counts and amounts by county and category, with a chart), then
//! the entitlements, the exceptions (reasons in words, problem rows coloured) and the
//! transfers, read back from the CSV files just written so the workbook can never
//! disagree with them. First after the summary comes the payroll list an office
//! signs and files (`payroll_list`); every sheet prints on A4 as it is (`print`). Sheet names and headers follow `--lang`. The file is the same
//! bytes on every run: its creation date is the period's first day, and the zip
//! entries carry a fixed time.

mod cells;
mod package;
mod payroll_list;
mod print;

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::manifest::Totals;
use super::monthly::{ENTITLEMENTS, EXCEPTIONS, TRANSFERS};
use super::sink::OutputInfo;
use super::staged::StagedDir;
use crate::core::detail::Lang;
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};
use package::{DataSheet, Rows};
use payroll_list::{ListBuilder, COLUMNS};
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

fn heading(lang: Lang, column: &str) -> String {
    let zh = match column {
        "period" => "期间",
        "kind" => "类型",
        "months" => "月份",
        "child_id" => "身份证号",
        "name" => "姓名",
        "category" => "供养方式",
        "region_code" => "行政区划代码",
        "payee_name" => "收款人",
        "payee_account" => "收款账号",
        "payee_bank" => "开户银行",
        "standard" => "标准",
        "recorded_amount" => "月发放金额",
        "amount" => "发放金额",
        "basis" => "依据",
        "source" => "来源",
        "decision" => "处理结果",
        "reason" => "原因代码",
        "detail" => "说明",
        "transfer_id" => "转账编号",
        "children" => "儿童人数",
        other => other,
    };
    lang.pick(column, zh).to_owned()
}

/// Wide enough that an 18-digit ID, a 19-digit account or a bank's name is seen
/// whole on screen and on paper.
fn column_width(header: &str) -> u16 {
    match header {
        "detail" => 60,
        "child_id" | "payee_account" | "payee_bank" | "source" => 24,
        _ => 16,
    }
}

fn xlsx(e: XlsxError, out: &Path) -> Fatal {
    Fatal::new(FatalKind::Io, format!("writing the report workbook failed: {e}"), "check the disk and run again")
        .in_file(out.join(REPORT).display().to_string())
}

/// A CSV file just written could not be read back for the workbook.
fn read_back_failed(file: &str, out: &Path, e: &dyn std::fmt::Display) -> Fatal {
    Fatal::new(FatalKind::Io, format!("reading back {file}: {e}"), "run again")
        .in_file(out.join(file).display().to_string())
}

/// A category's short Chinese name for the summary's columns.
fn category_zh(name: &str) -> &str {
    match name {
        "scattered" => "散居",
        "institutional" => "集中供养",
        "de_facto_unsupported" => "事实无人抚养",
        other => other,
    }
}

fn money(s: &str) -> Option<f64> {
    s.parse::<Decimal>().ok().and_then(|d| d.to_f64())
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
    let headers = rdr.headers().map_err(|e| read_err(&e))?.clone();
    let csv_bytes = std::fs::metadata(&path).map_err(|e| read_err(&e))?.len();
    let count = rows.div_ceil(SHEET_ROWS as u64).max(1);
    let mut sheets = Vec::new();
    for k in 0..count {
        let name = if k == 0 { title.to_owned() } else { format!("{title} ({})", k + 1) };
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(|e| xlsx(e, out))?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, heading(lang, h), &formats.header).map_err(|e| xlsx(e, out))?;
            ws.set_column_width(c as u16, column_width(h)).map_err(|e| xlsx(e, out))?;
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

    // The summary: by county and category, from the entitlements.
    // Columns for scattered and institutional always, then each other category in
    // the order the entitlements first name it (a policy may add categories).
    let mut cats: Vec<Vec<u8>> = vec![b"scattered".to_vec(), b"institutional".to_vec()];
    let mut by_region: BTreeMap<String, Vec<(u64, Decimal)>> = BTreeMap::new();
    let ent_path = staged.path().join(ENTITLEMENTS);
    let read_err = |e: &dyn std::fmt::Display| read_back_failed(ENTITLEMENTS, out, e);
    let mut rdr = csv::Reader::from_path(&ent_path).map_err(|e| read_err(&e))?;
    let headers = rdr.byte_headers().map_err(|e| read_err(&e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes()).ok_or_else(|| read_err(&name));
    let (category, amount, region, source) = (col("category")?, col("amount")?, col("region_code")?, col("source")?);
    let mut rec = csv::ByteRecord::new();
    let mut last_source = Vec::new();
    let mut list = ListBuilder::default();
    while rdr.read_byte_record(&mut rec).map_err(|e| read_err(&e))? {
        let k = match cats.iter().position(|c| c[..] == rec[category]) {
            Some(k) => k,
            None => {
                cats.push(rec[category].to_vec());
                cats.len() - 1
            }
        };
        // The printed list's sums are money: an amount that does not read back is fatal.
        let amount = std::str::from_utf8(&rec[amount])
            .ok()
            .and_then(|a| a.parse::<Decimal>().ok())
            .ok_or_else(|| read_err(&"an amount is not a number"))?;
        let new_child = rec[source] != last_source[..];
        let start = rec.position().map_or(0, |p| p.byte());
        list.push(&rec[region], start, rdr.position().byte(), new_child, amount);
        let region = String::from_utf8_lossy(&rec[region]);
        let v = match by_region.get_mut(region.as_ref()) {
            Some(v) => v,
            None => by_region.entry(region.into_owned()).or_default(),
        };
        if v.len() <= k {
            v.resize(k + 1, (0, Decimal::ZERO));
        }
        let g = &mut v[k];
        g.0 += u64::from(new_child);
        g.1 += amount;
        last_source.clear();
        last_source.extend_from_slice(&rec[source]);
    }
    let summary_name = lang.pick("Summary", "汇总");
    let list = list.finish(ent_path.clone(), &headers, lang, options.mask_ids).map_err(|e| read_err(&e))?;
    let ws = book.add_worksheet();
    ws.set_name(summary_name).map_err(|e| xlsx(e, out))?;
    page.apply(ws, None).map_err(|e| xlsx(e, out))?;
    let e = |r: Result<&mut Worksheet, XlsxError>| r.map(|_| ()).map_err(|e| xlsx(e, out));
    e(ws.write_string_with_format(
        0,
        0,
        format!("disburse {period} — {}", lang.pick(mode, if mode == "run" { "发放" } else { "试算" })),
        &formats.bold,
    ))?;
    let facts: [(&str, &str, String); 8] = [
        ("rows", "总行数", totals.rows.to_string()),
        ("paid", "发放", totals.paid.to_string()),
        ("held", "暂缓", totals.held.to_string()),
        ("excluded", "不予发放", totals.excluded.to_string()),
        ("rejected", "数据有误", totals.rejected.to_string()),
        ("amount", "金额", totals.amount.clone()),
        ("of which arrears", "其中补发", totals.arrears_amount.clone()),
        ("transfers", "转账笔数", totals.transfers.to_string()),
    ];
    for (i, (en, zh, v)) in facts.iter().enumerate() {
        let r = (i + 2) as u32;
        e(ws.write_string(r, 0, lang.pick(en, zh)))?;
        match money(v) {
            Some(n) if v.contains('.') => e(ws.write_number_with_format(r, 1, n, &formats.money))?,
            Some(n) => e(ws.write_number(r, 1, n))?,
            None => e(ws.write_string(r, 1, v))?,
        }
    }
    let top = 11u32;
    let names: Vec<String> = cats.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let n = names.len();
    let mut cols = vec![lang.pick("region_code", "行政区划代码").to_owned()];
    for name in &names {
        let zh = category_zh(name);
        cols.push(lang.pick(&format!("{name} children"), &format!("{zh}人数")).to_owned());
        cols.push(lang.pick(&format!("{name} amount"), &format!("{zh}金额")).to_owned());
    }
    cols.push(lang.pick("children", "合计人数").to_owned());
    cols.push(lang.pick("amount", "合计金额").to_owned());
    for (c, h) in cols.iter().enumerate() {
        e(ws.write_string_with_format(top, c as u16, h, &formats.header))?;
        e(ws.set_column_width(c as u16, 18))?;
    }
    let (total_n, total_a) = (1 + 2 * n as u16, 2 + 2 * n as u16);
    let mut sum = vec![(0u64, Decimal::ZERO); n];
    for (i, (region, g)) in by_region.iter().enumerate() {
        let r = top + 1 + i as u32;
        e(ws.write_string(r, 0, region))?;
        let mut all = (0u64, Decimal::ZERO);
        for (k, total) in sum.iter_mut().enumerate() {
            let g = g.get(k).copied().unwrap_or_default();
            e(ws.write_number(r, 1 + 2 * k as u16, g.0 as f64))?;
            e(ws.write_number_with_format(r, 2 + 2 * k as u16, g.1.to_f64().unwrap_or(0.0), &formats.money))?;
            total.0 += g.0;
            total.1 += g.1;
            all.0 += g.0;
            all.1 += g.1;
        }
        e(ws.write_number(r, total_n, all.0 as f64))?;
        e(ws.write_number_with_format(r, total_a, all.1.to_f64().unwrap_or(0.0), &formats.money))?;
    }
    let total_row = top + 1 + by_region.len() as u32;
    e(ws.write_string_with_format(total_row, 0, lang.pick("total", "合计"), &formats.bold))?;
    for (k, (n, amount)) in sum.iter().enumerate() {
        e(ws.write_number(total_row, 1 + 2 * k as u16, *n as f64))?;
        e(ws.write_number_with_format(total_row, 2 + 2 * k as u16, amount.to_f64().unwrap_or(0.0), &formats.money))?;
    }
    let all: (u64, Decimal) = sum.iter().fold((0, Decimal::ZERO), |a, s| (a.0 + s.0, a.1 + s.1));
    e(ws.write_number(total_row, total_n, all.0 as f64))?;
    e(ws.write_number_with_format(total_row, total_a, all.1.to_f64().unwrap_or(0.0), &formats.money))?;
    if !by_region.is_empty() {
        let mut chart = Chart::new(ChartType::Column);
        for (k, name) in names.iter().enumerate() {
            chart
                .add_series()
                .set_name(lang.pick(name, category_zh(name)))
                .set_categories((summary_name, top + 1, 0, total_row - 1, 0))
                .set_values((summary_name, top + 1, 2 + 2 * k as u16, total_row - 1, 2 + 2 * k as u16));
        }
        chart.title().set_name(lang.pick("Amount by county and category", "各区县分类发放金额"));
        ws.insert_chart(1, 8, &chart).map_err(|e| xlsx(e, out))?;
    }

    let mut next_sheet = 1;
    let mut sheets = layout_list(&mut book, list.parts(SHEET_ROWS), lang, out, &formats, &page, &mut next_sheet)?;
    for (file, en, zh) in [
        (ENTITLEMENTS, "Entitlements", "发放明细"),
        (EXCEPTIONS, "Exceptions", "异常"),
        (TRANSFERS, "Transfers", "转账"),
    ] {
        let Some(info) = outputs.iter().find(|o| o.file == file) else { continue };
        let title = lang.pick(en, zh);
        sheets.extend(layout_sheets(
            &mut book,
            staged,
            file,
            info.rows,
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
    let failed = |e: package::PackageError| {
        Fatal::new(
            FatalKind::Io,
            format!("writing the report workbook failed: {}", e.0),
            "check the disk and run again",
        )
        .in_file(out.join(REPORT).display().to_string())
    };
    let file = package::assemble(&skeleton, &sheets, file).map_err(failed)?;
    file.sync_all().map_err(|e| Fatal::io(&out.join(REPORT), "writing the report", &e))?;
    drop(file);
    let sha256 = crate::sha256_file(&staged.path().join(REPORT))
        .map_err(|e| Fatal::io(&out.join(REPORT), "reading back the report", &e))?;
    // The manifest counts the rows the workbook shows from the CSV files.
    let rows = sheets.iter().filter(|s| matches!(s.rows, Rows::Csv { .. })).map(DataSheet::rows).sum();
    Ok(OutputInfo { file: REPORT.to_owned(), sha256, rows, control_total: None })
}
