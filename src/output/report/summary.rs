//! The summary sheet: the run's counts, then children and amounts by county and
//! category with a chart, all from one pass over `entitlements.csv` (which also
//! notes the payroll list's lines).
//!
//! Each region code has its county's name beside it (`divisions`); categories and
//! decisions are named as the glossary names them; every count is a number.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use super::payroll_list::{List, ListBuilder};
use super::print::PageSetup;
use super::{read_back_failed, xlsx, Formats};
use crate::core::detail::Lang;
use crate::core::divisions;
use crate::core::glossary::{self, Group};
use crate::core::month::Month;
use crate::error::Fatal;
use crate::output::manifest::Totals;
use crate::output::monthly::ENTITLEMENTS;

/// Children and amount per category (in `Tally::cats` order) of one region.
type ByCategory = Vec<(u64, Decimal)>;

/// What the pass over `entitlements.csv` found.
pub struct Tally {
    /// Category codes: scattered and institutional always, then each other category
    /// in the order the entitlements first name it (a policy may add categories).
    cats: Vec<Vec<u8>>,
    by_region: BTreeMap<String, ByCategory>,
}

/// Reads `entitlements.csv` once: the summary's tally and the payroll list.
pub fn read(csv: &Path, out: &Path, lang: Lang, mask_ids: bool) -> Result<(Tally, List), Fatal> {
    let read_err = |e: &dyn std::fmt::Display| read_back_failed(ENTITLEMENTS, out, e);
    let mut cats: Vec<Vec<u8>> = vec![b"scattered".to_vec(), b"institutional".to_vec()];
    let mut by_region: BTreeMap<String, ByCategory> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(csv).map_err(|e| read_err(&e))?;
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
            .ok_or_else(|| read_err(&lang.pick("an amount is not a number", "有金额不是数字")))?;
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
    let list = list.finish(csv.to_path_buf(), &headers, lang, mask_ids).map_err(|e| read_err(&e))?;
    Ok((Tally { cats, by_region }, list))
}

/// The run's facts at the top of the sheet: (label, value), labels from the glossary.
fn facts(totals: &Totals, lang: Lang) -> [(String, String); 8] {
    let d = |code: &str| glossary::say(Group::Decision, code, lang).to_owned();
    let l = |code: &str| glossary::say(Group::Label, code, lang).to_owned();
    [
        (l("rows"), totals.rows.to_string()),
        (d("paid"), totals.paid.to_string()),
        (d("held"), totals.held.to_string()),
        (d("excluded"), totals.excluded.to_string()),
        (d("rejected"), totals.rejected.to_string()),
        (l("amount"), totals.amount.clone()),
        (lang.pick("of which arrears", "其中补发").to_owned(), totals.arrears_amount.clone()),
        (lang.pick("transfers", "转账笔数").to_owned(), totals.transfers.to_string()),
    ]
}

/// Lays out the summary sheet, named `name`.
#[allow(clippy::too_many_arguments)]
pub fn write(
    book: &mut Workbook,
    tally: &Tally,
    name: &str,
    (period, mode): (Month, &str),
    totals: &Totals,
    lang: Lang,
    page: &PageSetup,
    formats: &Formats,
    out: &Path,
) -> Result<(), Fatal> {
    let ws = book.add_worksheet();
    ws.set_name(name).map_err(|e| xlsx(e, out))?;
    page.apply(ws, None).map_err(|e| xlsx(e, out))?;
    let e = |r: Result<&mut Worksheet, XlsxError>| r.map(|_| ()).map_err(|e| xlsx(e, out));
    let title = match lang {
        Lang::En => format!("disburse {period} — {mode}"),
        Lang::Zh => format!("{}{}汇总", glossary::month(period, lang), if mode == "run" { "发放" } else { "试算" }),
    };
    e(ws.write_string_with_format(0, 0, title, &formats.bold))?;
    for (i, (label, v)) in facts(totals, lang).iter().enumerate() {
        let r = (i + 2) as u32;
        e(ws.write_string(r, 0, label))?;
        match v.parse::<Decimal>().ok().and_then(|d| d.to_f64()) {
            Some(n) if v.contains('.') => e(ws.write_number_with_format(r, 1, n, &formats.money))?,
            Some(n) => e(ws.write_number(r, 1, n))?,
            None => e(ws.write_string(r, 1, v))?,
        }
    }
    let top = 11u32;
    let l = |code: &str| glossary::say(Group::Label, code, lang).to_owned();
    let n = tally.cats.len();
    let mut cols = vec![l("region_code"), l("county")];
    for code in &tally.cats {
        let code = String::from_utf8_lossy(code);
        let cat = glossary::say(Group::Category, &code, lang);
        cols.push(lang.pick(&format!("{cat} children"), &format!("{cat}人数")).to_owned());
        cols.push(lang.pick(&format!("{cat} amount"), &format!("{cat}金额")).to_owned());
    }
    cols.push(lang.pick("children", "合计人数").to_owned());
    cols.push(lang.pick("amount", "合计金额").to_owned());
    for (c, h) in cols.iter().enumerate() {
        e(ws.write_string_with_format(top, c as u16, h, &formats.header))?;
        e(ws.set_column_width(c as u16, 18))?;
    }
    // Category k's columns; then the totals.
    let (at_n, at_a) = (|k: usize| 2 + 2 * k as u16, |k: usize| 3 + 2 * k as u16);
    let (total_n, total_a) = (at_n(n), at_a(n));
    let mut sum = vec![(0u64, Decimal::ZERO); n];
    for (i, (region, g)) in tally.by_region.iter().enumerate() {
        let r = top + 1 + i as u32;
        e(ws.write_string(r, 0, region))?;
        if let Some(county) = divisions::name(region) {
            e(ws.write_string(r, 1, county))?;
        }
        let mut all = (0u64, Decimal::ZERO);
        for (k, total) in sum.iter_mut().enumerate() {
            let g = g.get(k).copied().unwrap_or_default();
            e(ws.write_number(r, at_n(k), g.0 as f64))?;
            e(ws.write_number_with_format(r, at_a(k), g.1.to_f64().unwrap_or(0.0), &formats.money))?;
            total.0 += g.0;
            total.1 += g.1;
            all.0 += g.0;
            all.1 += g.1;
        }
        e(ws.write_number(r, total_n, all.0 as f64))?;
        e(ws.write_number_with_format(r, total_a, all.1.to_f64().unwrap_or(0.0), &formats.money))?;
    }
    let total_row = top + 1 + tally.by_region.len() as u32;
    e(ws.write_string_with_format(total_row, 0, l("total"), &formats.bold))?;
    for (k, (n, amount)) in sum.iter().enumerate() {
        e(ws.write_number(total_row, at_n(k), *n as f64))?;
        e(ws.write_number_with_format(total_row, at_a(k), amount.to_f64().unwrap_or(0.0), &formats.money))?;
    }
    let all: (u64, Decimal) = sum.iter().fold((0, Decimal::ZERO), |a, s| (a.0 + s.0, a.1 + s.1));
    e(ws.write_number(total_row, total_n, all.0 as f64))?;
    e(ws.write_number_with_format(total_row, total_a, all.1.to_f64().unwrap_or(0.0), &formats.money))?;
    if !tally.by_region.is_empty() {
        let mut chart = Chart::new(ChartType::Column);
        for (k, code) in tally.cats.iter().enumerate() {
            let code = String::from_utf8_lossy(code);
            chart
                .add_series()
                .set_name(glossary::say(Group::Category, &code, lang))
                .set_categories((name, top + 1, 0, total_row - 1, 0))
                .set_values((name, top + 1, at_a(k), total_row - 1, at_a(k)));
        }
        chart.title().set_name(lang.pick("Amount by county and category", "各县（市、区）分类发放金额"));
        ws.insert_chart(1, 8, &chart).map_err(|e| xlsx(e, out))?;
    }
    Ok(())
}
