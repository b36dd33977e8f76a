//! The bank files checked against transfers.csv (SPEC 12): the money the bank is told
//! to move must be the money the run decided, account by account.
//!
//! The profile that laid a CSV or workbook file out is not in the run directory, so
//! its rows are read by content: a row is a transfer's row when one of its cells is
//! that transfer's account (or, for a layout without accounts, its transfer id), and
//! that row must hold a cell with the transfer's amount. Each transfer must appear
//! exactly once among a profile's files, and each file must hold as many transfers
//! as the manifest says. pain.001 files are read by their elements.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rust_decimal::Decimal;

use super::cross::{key_of, TransferLine};
use super::{broken, Broken};
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::text::mask;
use crate::core::transfer_id::TransferIds;
use crate::output::manifest::Manifest;

/// One row of a bank file that names a transfer.
struct BankRow {
    line: u64,
    /// The row's cells, trimmed (amounts of workbooks as their decimal text).
    cells: Vec<String>,
}

/// Checks every bank file the manifest lists against the transfers.
pub(super) fn check(dir: &Path, manifest: &Manifest, transfers: &[TransferLine]) -> Result<(), Broken> {
    let bank_files: Vec<_> = manifest.outputs.iter().filter(|o| o.file.starts_with("bank/")).collect();
    if bank_files.is_empty() {
        return Ok(());
    }
    let period = Month::parse(&manifest.period).ok_or_else(|| {
        broken(
            format!("manifest.json: period {:?} is not a month", manifest.period),
            format!("manifest.json：发放年月{:?}不是年月", manifest.period),
        )
    })?;
    let by_account: HashMap<u128, usize> = transfers.iter().enumerate().map(|(i, t)| (t.account, i)).collect();
    let id_prefix = format!("T{:04}{:02}-", period.year(), period.month());
    // A cell naming a transfer: its account, or its id (`T<YYYYMM>-<n>`, n from 1).
    let named = |cell: &str| -> Option<usize> {
        if let Some(i) = key_of(cell).and_then(|k| by_account.get(&k)) {
            return Some(*i);
        }
        let n: usize = cell.strip_prefix(id_prefix.as_str())?.parse().ok()?;
        let i = n.checked_sub(1)?;
        (i < transfers.len() && transfer_id(period, i) == cell).then_some(i)
    };
    let mut by_profile: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for o in bank_files {
        let profile = o.file.split('/').nth(1).unwrap_or("");
        let seen = by_profile.entry(profile).or_insert_with(|| vec![0; transfers.len()]);
        let path = dir.join(&o.file);
        let lower = o.file.to_ascii_lowercase();
        let mut found = 0u64;
        if lower.ends_with(".xml") {
            for (line, account, amount) in pain001(&path, &o.file)? {
                let i = *key_of(&account).and_then(|k| by_account.get(&k)).ok_or_else(|| {
                    broken(
                        format!("{}:{line}: pays account {} which transfers.csv does not", o.file, mask(&account)),
                        format!("{}:{line}：付往账号{}，而 transfers.csv 中没有这个账号", o.file, mask(&account)),
                    )
                })?;
                let t = &transfers[i];
                if amount != t.amount {
                    return Err(broken(
                        format!(
                            "{}:{line}: transfer {} (account {}) is {} here but {} in transfers.csv",
                            o.file,
                            transfer_id(period, i),
                            t.masked(),
                            fmt_amount(amount),
                            fmt_amount(t.amount)
                        ),
                        format!(
                            "{}:{line}：转账{}（账号{}）在此为{}，而 transfers.csv 中为{}",
                            o.file,
                            transfer_id(period, i),
                            t.masked(),
                            fmt_amount(amount),
                            fmt_amount(t.amount)
                        ),
                    ));
                }
                seen[i] += 1;
                found += 1;
            }
        } else {
            let rows = if lower.ends_with(".xlsx") { workbook(&path, &o.file)? } else { csv_rows(&path, &o.file)? };
            for row in rows {
                let Some(i) = row.cells.iter().find_map(|c| named(c)) else { continue };
                let t = &transfers[i];
                // The row must not also name another transfer's account or id.
                if let Some(other) = row.cells.iter().find(|c| named(c).is_some_and(|j| j != i)) {
                    return Err(broken(
                        format!(
                            "{}:{}: the row of transfer {} also names {} of another transfer",
                            o.file,
                            row.line,
                            transfer_id(period, i),
                            mask(other)
                        ),
                        format!(
                            "{}:{}：转账{}的行还写有另一笔转账的{}",
                            o.file,
                            row.line,
                            transfer_id(period, i),
                            mask(other)
                        ),
                    ));
                }
                if !row.cells.iter().filter_map(|c| cell_amount(c)).any(|a| a == t.amount) {
                    return Err(broken(
                        format!(
                            "{}:{}: the row of transfer {} (account {}) does not carry its amount {}",
                            o.file,
                            row.line,
                            transfer_id(period, i),
                            t.masked(),
                            fmt_amount(t.amount)
                        ),
                        format!(
                            "{}:{}：转账{}（账号{}）的行没有写明其金额{}",
                            o.file,
                            row.line,
                            transfer_id(period, i),
                            t.masked(),
                            fmt_amount(t.amount)
                        ),
                    ));
                }
                seen[i] += 1;
                found += 1;
            }
        }
        if found != o.rows {
            return Err(broken(
                format!("{}: {found} transfers where the manifest says {}", o.file, o.rows),
                format!("{}：有{found}笔转账，而 manifest.json 记载为{}", o.file, o.rows),
            ));
        }
    }
    for (profile, seen) in by_profile {
        if let Some((i, n)) = seen.iter().enumerate().find(|(_, n)| **n != 1) {
            let t = &transfers[i];
            return Err(broken(format!("bank/{profile}: transfer {} (transfers.csv:{}, account {}) appears {n} times in the bank files, not once",
                transfer_id(period, i),
                t.line,
                t.masked()
            ), format!("bank/{profile}：转账{}（transfers.csv:{}，账号{}）在银行文件中出现{n}次，而不是一次",
                transfer_id(period, i),
                t.line,
                t.masked()
            )));
        }
    }
    Ok(())
}

/// The id of the transfer at index `i` (numbered from 1).
fn transfer_id(period: Month, i: usize) -> String {
    TransferIds::new(period).get(i as u64 + 1).to_owned()
}

/// A cell read as an amount: a plain decimal (signs and separators refused).
fn cell_amount(c: &str) -> Option<Decimal> {
    if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    c.parse::<Decimal>().ok()
}

/// The rows of a CSV bank file (GBK or UTF-8: the cells compared are ASCII).
fn csv_rows(path: &Path, file: &str) -> Result<Vec<BankRow>, Broken> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| broken(format!("{file}: cannot read it: {e}"), format!("{file}：无法读取：{e}")))?;
    let mut out = Vec::new();
    for rec in rdr.byte_records() {
        let rec = rec.map_err(|e| {
            broken(
                format!("{file}:{}: {e}", e.position().map_or(0, |p| p.line())),
                format!("{file}:{}：{e}", e.position().map_or(0, |p| p.line())),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let cells = rec
            .iter()
            .map(|c| {
                let c = c.strip_prefix(b"\xef\xbb\xbf").unwrap_or(c);
                String::from_utf8_lossy(c).trim().to_owned()
            })
            .collect();
        out.push(BankRow { line, cells });
    }
    Ok(out)
}

/// The rows of every sheet of a workbook bank file.
fn workbook(path: &Path, file: &str) -> Result<Vec<BankRow>, Broken> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        broken(format!("{file}: not a readable workbook: {e}"), format!("{file}：不是可读取的工作簿：{e}"))
    })?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| broken(format!("{file}: sheet {name}: {e}"), format!("{file}：工作表 {name}：{e}")))?;
        let (top, _) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            let cells = row
                .iter()
                .map(|c| match c {
                    Data::Float(f) => {
                        Decimal::try_from(*f).map(|d| d.round_dp(2).normalize().to_string()).unwrap_or_default()
                    }
                    Data::Int(i) => i.to_string(),
                    other => other.to_string().trim().to_owned(),
                })
                .collect();
            out.push(BankRow { line: u64::from(top) + r as u64 + 1, cells });
        }
    }
    Ok(out)
}

/// The first child element of `n` named `name`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(name))
}

/// Each `CdtTrfTxInf` of a pain.001 file: its line, creditor account and amount.
fn pain001(path: &Path, file: &str) -> Result<Vec<(u64, String, Decimal)>, Broken> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| broken(format!("{file}: cannot read it: {e}"), format!("{file}：无法读取：{e}")))?;
    let doc = roxmltree::Document::parse(&text)
        .map_err(|e| broken(format!("{file}: not XML: {e}"), format!("{file}：不是 XML：{e}")))?;
    let mut out = Vec::new();
    for tx in doc.descendants().filter(|n| n.has_tag_name("CdtTrfTxInf")) {
        let line = u64::from(doc.text_pos_at(tx.range().start).row);
        let account = child(tx, "CdtrAcct")
            .and_then(|a| child(a, "Id"))
            .and_then(|a| child(a, "Othr").and_then(|o| child(o, "Id")).or_else(|| child(a, "IBAN")))
            .and_then(|n| n.text())
            .map(|s| s.trim().to_owned())
            .ok_or_else(|| {
                broken(
                    format!("{file}:{line}: a transfer without a creditor account"),
                    format!("{file}:{line}：有一笔转账没有收款账号"),
                )
            })?;
        let amount = child(tx, "Amt")
            .and_then(|a| child(a, "InstdAmt"))
            .and_then(|n| n.text())
            .and_then(|s| s.trim().parse::<Decimal>().ok())
            .ok_or_else(|| {
                broken(
                    format!("{file}:{line}: a transfer without an amount"),
                    format!("{file}:{line}：有一笔转账没有金额"),
                )
            })?;
        out.push((line, account, amount));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_accounts_in_cells() {
        assert_eq!(cell_amount("850.50"), Some(Decimal::new(85050, 2)));
        assert_eq!(cell_amount("800"), Some(Decimal::new(800, 0)));
        for not in ["", "-800", "8e2", "1,200", "¥800", "共1笔"] {
            assert_eq!(cell_amount(not), None, "{not}");
        }
        assert!(key_of("62220210").is_some());
        assert!(key_of("6222021").is_none());
        assert!(key_of("6222021a").is_none());
        assert_ne!(key_of("0012345678"), key_of("12345678"));
    }
}
