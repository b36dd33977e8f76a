//! Bank upload files (SPEC sections 11, 13 and 14): one bank's template described in
//! a TOML profile, or the built-ins `generic-csv` and `pain001` (ISO 20022).
//!
//! Files go to `bank/<profile>/` in the output directory, split into numbered batches
//! at the profile's row limit (a transfer never spans two files), each listed in the
//! manifest with its rows and control total. A dry run renders the same files in
//! memory and keeps none, so it refuses whatever the real run would.
//!
//! This file holds the dispatch: every file's name is settled (and checked) before
//! the first is made, then each is rendered and stored, or dropped on a dry run. The
//! parts: `profile` (the TOML keys and their checks), `names` (placeholders, file
//! names, the checks before a run), `cells` (typed, length-checked cells), `template`
//! (a bank's CSV or XLSX template), `xlsx` (its workbook form) and `pain001`.

mod cells;
mod names;
mod pain001;
mod profile;
mod template;
mod xlsx;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::sink::OutputInfo;
use super::staged::StagedDir;
pub use super::transfer_file::Transfer;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};
pub use names::check_for_run;
use names::Values;
pub use pain001::{needs_execution_date, needs_payer};
pub use profile::{
    check_payer_codes, BankProfile, CellType, Format, LocalInstrument, Payer, ProfileColumn, TextEncoding,
};
pub use profile::{BUILT_INS, FIELDS};

/// Reads `transfers.csv` back from the staged directory.
pub fn read_transfers(staged: &StagedDir) -> Result<Vec<Transfer>, Fatal> {
    super::transfer_file::read(&staged.path().join(super::transfer_file::TRANSFERS))
}

/// What the run passes to the bank writers.
pub struct BankContext<'a> {
    pub period: Month,
    pub execution_date: Option<&'a str>,
    /// `SOURCE_DATE_EPOCH`, if set.
    pub source_date_epoch: Option<i64>,
    /// pain.001's `MsgId`: unique per real run (see [`message_id`]).
    pub message_id: String,
    pub payer: Option<Payer>,
    /// The run's `entitlements.csv`, to name the roster row of a refused transfer.
    pub entitlements: Option<PathBuf>,
}

/// pain.001's `MsgId`: the period, the ledger's run id on a real run (a month run
/// again after a void is a new run, so a new message) or `DRY` on a dry run, and the
/// start of the audit head. At most 28 characters, so `PmtInfId` (`MsgId-NNN`)
/// stays within the schema's 35.
pub fn message_id(period: Month, run_id: Option<i64>, audit_head: &str) -> String {
    let run = match run_id {
        Some(id) => format!("R{id}"),
        None => "DRY".to_owned(),
    };
    let mut id = format!("DISBURSE-{}-{run}", period.compact());
    let room = 28usize.saturating_sub(id.len() + 1).min(8);
    let hex: String = audit_head.chars().filter(char::is_ascii_alphanumeric).take(room).collect();
    if !hex.is_empty() {
        id.push('-');
        id.push_str(&hex);
    }
    id.truncate(35);
    id
}

/// Where a file goes: `None` renders it in memory only (a dry run).
pub struct Destination<'a> {
    pub staged: Option<&'a StagedDir>,
    pub out: &'a Path,
}

/// Renders every profile's files and, on a real run, writes them into the staged
/// directory; returns their manifest entries (none on a dry run). Every file name
/// is settled and checked first: two files of one name are refused before any is
/// written.
pub fn write_profiles(
    dest: &Destination<'_>,
    profiles: &[BankProfile],
    transfers: &[Transfer],
    ctx: &BankContext<'_>,
) -> Result<Vec<OutputInfo>, Fatal> {
    let mut seen = HashSet::new();
    for p in profiles {
        for rel in file_names(p, transfers, ctx)? {
            if !seen.insert(rel.clone()) {
                return Err(names_clash(p, &rel));
            }
        }
    }
    let who = |t: &Transfer| describe(t, ctx);
    let mut infos = Vec::new();
    for p in profiles {
        let payer = p.payer.as_ref().or(ctx.payer.as_ref());
        let source = format!("bank profile {}", p.name);
        if p.format == Format::Pain001 && dest.staged.is_none() && (payer.is_none() || ctx.execution_date.is_none()) {
            // A dry run may leave out what only the pain.001 file needs: nothing in
            // it depends on a roster text it could refuse.
            continue;
        }
        let parts = batches(p, transfers);
        for (k, batch) in parts.iter().enumerate() {
            let v = values(p, ctx, payer, batch, k, parts.len());
            let rel = format!("bank/{}/{}", p.name, names::file_name(p, &v, &source)?);
            let bytes = match p.format {
                Format::Pain001 => pain001::render(p, transfers, ctx, payer)?,
                Format::Csv | Format::Xlsx => template::render(p, batch, &v, &who, &source, dest.out, &rel)?,
            };
            if let Some(staged) = dest.staged {
                infos.push(store(staged, dest.out, rel, &bytes, batch.len() as u64, v.total)?);
            }
        }
    }
    Ok(infos)
}

/// One profile's files, as the run writes them: numbered batches of at most
/// `max_rows` (a template writes one file even with no transfers; pain.001 writes
/// one message with one `PmtInf` per batch, and none without transfers).
fn batches<'t>(p: &BankProfile, transfers: &'t [Transfer]) -> Vec<&'t [Transfer]> {
    match (p.format, transfers.is_empty()) {
        (Format::Pain001, true) => Vec::new(),
        (Format::Pain001, false) => vec![transfers],
        (_, true) => vec![&[]],
        (_, false) => transfers.chunks(p.max_rows.unwrap_or(usize::MAX).max(1)).collect(),
    }
}

fn values<'a>(
    p: &'a BankProfile,
    ctx: &BankContext<'_>,
    payer: Option<&'a Payer>,
    batch: &[Transfer],
    k: usize,
    batches: usize,
) -> Values<'a> {
    Values {
        name: &p.name,
        period: ctx.period,
        payer,
        count: batch.len(),
        total: batch.iter().map(|t| t.amount).sum(),
        batch: k + 1,
        batches,
    }
}

/// The paths (`bank/<profile>/<file>`) of one profile's files, checked.
fn file_names(p: &BankProfile, transfers: &[Transfer], ctx: &BankContext<'_>) -> Result<Vec<String>, Fatal> {
    let payer = p.payer.as_ref().or(ctx.payer.as_ref());
    let source = format!("bank profile {}", p.name);
    let parts = batches(p, transfers);
    let mut out = Vec::with_capacity(parts.len());
    for (k, batch) in parts.iter().enumerate() {
        let v = values(p, ctx, payer, batch, k, parts.len());
        out.push(format!("bank/{}/{}", p.name, names::file_name(p, &v, &source)?));
    }
    Ok(out)
}

fn names_clash(p: &BankProfile, rel: &str) -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        format!("bad bank profile: two files of this run would both be named {rel}"),
        "put {batch} in the profile's file_name (the run has more transfers than max_rows)",
    )
    .zh(
        format!("银行模板有误：本次有两个文件同名 {rel}"),
        "请在模板的 file_name 中加入 {batch}（本次转账笔数超过 max_rows）",
    )
    .in_file(format!("bank profile {}", p.name))
}

/// "transfer T… (roster FILE:LINE)": a refused value's transfer and the roster row
/// that paid it (the first, when several children share the account).
fn describe(t: &Transfer, ctx: &BankContext<'_>) -> String {
    match ctx.entitlements.as_deref().and_then(|e| roster_row(e, &t.payee_account)) {
        Some(row) => format!("transfer {} (roster row {row})", t.transfer_id),
        None => format!("transfer {}", t.transfer_id),
    }
}

/// The `source` of the first line of `entitlements.csv` paid to `account`.
fn roster_row(entitlements: &Path, account: &str) -> Option<String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(entitlements).ok()?;
    let headers = rdr.headers().ok()?.clone();
    let at = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name);
    let (acc, src) = (at("payee_account")?, at("source")?);
    rdr.records().flatten().find(|r| r.get(acc) == Some(account)).and_then(|r| r.get(src).map(str::to_owned))
}

/// Writes one bank file into the staged directory; returns its manifest entry. The
/// path was checked: `bank/`, the profile's name, one plain file name.
fn store(
    staged: &StagedDir,
    out: &Path,
    rel: String,
    bytes: &[u8],
    rows: u64,
    total: Decimal,
) -> Result<OutputInfo, Fatal> {
    use std::io::Write;
    let inside = Path::new(&rel).components().count() == 3
        && Path::new(&rel).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || !rel.starts_with("bank/") {
        return Err(Fatal::new(
            FatalKind::Usage,
            format!("a bank file would leave bank/: {rel:?}"),
            "correct the profile",
        )
        .zh(format!("银行文件“{rel}”会写到 bank/ 文件夹之外"), "请更正银行模板"));
    }
    let mut f = staged.create(&rel)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Fatal::io(&out.join(&rel), "writing a bank file", &e))?;
    Ok(OutputInfo { file: rel, sha256: crate::sha256_hex(bytes), rows, control_total: Some(fmt_amount(total)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_differ_per_run_and_fit_the_schema() {
        let m = Month::parse("2018-06").unwrap();
        let head = "3fa2b4c1d2e3f4a5b6c7";
        assert_eq!(message_id(m, Some(7), head), "DISBURSE-201806-R7-3fa2b4c1");
        assert_ne!(message_id(m, Some(7), head), message_id(m, Some(8), head));
        assert_eq!(message_id(m, None, head), "DISBURSE-201806-DRY-3fa2b4c1");
        for id in [1, 99_999, 1_000_000_000, i64::MAX] {
            let msg = message_id(m, Some(id), head);
            assert!(msg.len() <= 35, "{msg}");
            assert!(msg.contains(&format!("R{}", id.to_string().chars().take(10).collect::<String>())), "{msg}");
        }
    }
}
