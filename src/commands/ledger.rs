//! `disburse ledger …`: import an older system's month, list runs, one child's
//! history, void a run, verify the journal.

use std::io::Write;
use std::path::Path;

use rust_decimal::Decimal;

use crate::core::arrears::Kind;
use crate::core::column::Column;
use crate::core::id::ChildId;
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::month::Month;
use crate::core::payment::LedgerLine;
use crate::core::record::{valid_region, Category};
use crate::core::text::{fold_width, mask, trim};
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::{Ledger, RunMode, RunRecord};

use super::run_dirs::OutputDirs;
use crate::table::{read_table, Want};

const AMOUNT_NAMES: &[&str] = &["monthly_amount", "月发放金额", "发放标准", "发放金额", "金额"];

fn bad_row(path: &str, line: u64, what: String) -> Fatal {
    Fatal::new(FatalKind::Input, what, "correct the file (an import is all or nothing) and run the import again")
        .in_file(path)
        .at_line(line)
}

/// Reads an older system's payments for one month: `child_id,category,region_code,amount`.
pub fn read_import(path: &str, period: Month) -> Result<(Vec<LedgerLine>, String), Fatal> {
    let wants = [
        Want { name: "child_id", aliases: &Column::ChildId.names()[1..], required: true },
        Want { name: "category", aliases: &Column::Category.names()[1..], required: true },
        Want { name: "region_code", aliases: &Column::RegionCode.names()[1..], required: true },
        Want { name: "amount", aliases: AMOUNT_NAMES, required: true },
    ];
    let table = read_table(path, "import file", &wants)?;
    let mut lines = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in &table.rows {
        let line = row.line;
        let field = |k: usize| fold_width(&row.fields[k]).into_owned();
        if row.malformed {
            return Err(bad_row(path, line, "the row does not have as many fields as the header".into()));
        }
        let id =
            ChildId::parse(&field(0)).map_err(|_| bad_row(path, line, "child_id is not a valid ID number".into()))?;
        let category = Category::parse(&field(1))
            .ok_or_else(|| bad_row(path, line, "category must be scattered or institutional".into()))?;
        let region = field(2);
        if !valid_region(&region) {
            return Err(bad_row(path, line, "region_code must be a 6-digit division code".into()));
        }
        let amount = parse_amount(&field(3))
            .map_err(|_| bad_row(path, line, "amount must be a plain amount such as 600 or 600.00".into()))?;
        if let Some(first) = seen.insert(id, line) {
            return Err(bad_row(
                path,
                line,
                format!("this child is already on line {first}: one payment per child and month"),
            ));
        }
        let mut region_code = [0u8; 6];
        region_code.copy_from_slice(region.as_bytes());
        lines.push(LedgerLine {
            child_id: id,
            month: period,
            kind: Kind::Regular,
            amount,
            category,
            region_code,
            standard: None,
            transfer: None,
        });
    }
    Ok((lines, table.sha256))
}

/// `ledger import`.
pub fn import(ledger_path: &Path, period: Month, file: &str, out: &mut dyn Write) -> Result<Finish, Fatal> {
    let (lines, sha256) = read_import(file, period)?;
    let new_ledger = !ledger_path.exists();
    let mut ledger = Ledger::open_for_write(ledger_path, &OutputDirs, out)?;
    if ledger.live_run(period)?.is_some() {
        return Err(ledger.already_paid(period));
    }
    let id = ledger.begin_run(period, RunMode::Import, None, None)?;
    let amount: Decimal = lines.iter().map(|l| l.amount).sum();
    let record = RunRecord {
        manifest_sha256: sha256,
        rows: lines.len() as u64,
        paid: lines.len() as u64,
        amount,
        ..RunRecord::default()
    };
    if let Err(e) = ledger.commit_run(id, period, &lines, RunMode::Import, || Some(record)) {
        let _ = ledger.abandon_run(id);
        return Err(e);
    }
    let _ = writeln!(
        out,
        "imported {} payments for {period} ({} yuan) from {file} as run {id} (mode import) into {} / 已导入{period}的历史发放记录，批次{id}",
        lines.len(),
        fmt_amount(amount),
        ledger_path.display()
    );
    if new_ledger {
        let _ = writeln!(out, "  {} is a new ledger: it was created by this import", ledger_path.display());
    }
    print_head(&ledger, out)?;
    Ok(Finish::Done)
}

/// The journal's head, for the paper register.
fn print_head(ledger: &Ledger, out: &mut dyn Write) -> Result<(), Fatal> {
    if let Some(head) = ledger.journal_head()? {
        let _ = writeln!(out, "  ledger journal head (write it in the register): seq {} {}", head.seq, head.hash);
    }
    Ok(())
}

/// `ledger runs`: a table on stdout, or JSON.
pub fn runs(ledger_path: &Path, json: bool, stdout: &mut dyn Write, notes: &mut dyn Write) -> Result<Finish, Fatal> {
    let runs = existing_for_listing(ledger_path, notes)?.runs()?;
    if json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&runs).expect("runs serialize"));
        return Ok(Finish::Done);
    }
    let _ = writeln!(
        stdout,
        "{:>4}  {:<7}  {:<6}  {:<9}  {:>9}  {:>8}  {:>16}  {:>14}  {:<20}  output",
        "run", "period", "mode", "status", "rows", "paid", "amount", "of it arrears", "created (UTC)"
    );
    for r in &runs {
        let _ = writeln!(
            stdout,
            "{:>4}  {:<7}  {:<6}  {:<9}  {:>9}  {:>8}  {:>16}  {:>14}  {:<20}  {}",
            r.id,
            r.period,
            r.mode,
            r.status,
            r.rows,
            r.paid,
            r.amount,
            r.arrears_amount,
            r.created_at,
            r.out_dir.as_deref().unwrap_or("-")
        );
        if let Some(reason) = &r.void_reason {
            let _ = writeln!(stdout, "      void: {reason}");
        }
    }
    if runs.is_empty() {
        let _ = writeln!(notes, "no runs in {} / 台账中没有批次", ledger_path.display());
    }
    Ok(Finish::Done)
}

/// `ledger history CHILD_ID`.
pub fn history(
    ledger_path: &Path,
    child: &str,
    json: bool,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<Finish, Fatal> {
    let id = ChildId::parse(&fold_width(trim(child))).map_err(|_| {
        Fatal::new(FatalKind::Usage, "that is not a valid ID number", "give the child's 18-character ID number")
    })?;
    let lines = existing_for_listing(ledger_path, notes)?.child_history(id.as_str())?;
    if json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&lines).expect("history serializes"));
        return Ok(Finish::Done);
    }
    let _ = writeln!(stdout, "payments of {} in {} / 发放记录", mask(id.as_str()), ledger_path.display());
    let _ = writeln!(
        stdout,
        "{:<7}  {:<8}  {:>10}  {:<13}  {:<6}  {:<8}  {:<15}  {:>4}  run status",
        "month", "kind", "amount", "category", "region", "status", "transfer", "run"
    );
    for l in &lines {
        let _ = writeln!(
            stdout,
            "{:<7}  {:<8}  {:>10}  {:<13}  {:<6}  {:<8}  {:<15}  {:>4}  {}",
            l.month,
            l.kind,
            l.amount,
            l.category,
            l.region_code,
            l.status,
            l.transfer_id.as_deref().unwrap_or("-"),
            l.run,
            l.run_status
        );
    }
    if lines.is_empty() {
        let _ = writeln!(notes, "no payments recorded for {} / 没有发放记录", mask(id.as_str()));
    }
    Ok(Finish::Done)
}

/// `ledger void RUN --reason TEXT`.
pub fn void(ledger_path: &Path, run: i64, reason: &str, out: &mut dyn Write) -> Result<Finish, Fatal> {
    if trim(reason).is_empty() {
        return Err(Fatal::new(
            FatalKind::Usage,
            "--reason is empty",
            "say why the run is void; it is kept in the ledger",
        ));
    }
    if !ledger_path.exists() {
        return Err(Fatal::new(
            FatalKind::Usage,
            "there is no ledger here",
            "give --ledger PATH or set DISBURSE_LEDGER",
        )
        .in_file(ledger_path.display().to_string()));
    }
    let mut ledger = Ledger::open_for_write(ledger_path, &OutputDirs, out)?;
    let info = ledger.void_run(run, trim(reason))?;
    let _ = writeln!(
        out,
        "run {run} ({} {}, {} yuan) is void: its payments no longer count{} / 批次{run}已作废，其发放记录不再计入",
        info.mode,
        info.period,
        info.amount,
        info.out_dir.map(|d| format!("; its output {d} is kept as a record")).unwrap_or_default()
    );
    Ok(Finish::Done)
}

/// The refusal of a reading command whose ledger does not exist.
pub fn missing(ledger_path: &Path) -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        "there is no ledger at this path",
        "check the path given with --ledger or DISBURSE_LEDGER (a reading command never creates a ledger)",
    )
    .zh("此路径下没有台账", "请检查 --ledger 或 DISBURSE_LEDGER 指定的路径（只读命令不会新建台账）")
    .in_file(ledger_path.display().to_string())
}

/// A read-only command's ledger: it must exist (a mistyped path never creates one).
fn existing(ledger_path: &Path, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
    Ledger::open_read_only(ledger_path, notes)?.ok_or_else(|| missing(ledger_path))
}

/// A `ledger` command that lists: the ledger must exist; it is opened for writing
/// (under its lock) only to finish or undo a run a crash left half done.
fn existing_for_listing(ledger_path: &Path, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
    if !ledger_path.exists() {
        return Err(missing(ledger_path));
    }
    Ledger::open_for_write(ledger_path, &OutputDirs, notes)
}

/// `ledger verify`: exit 0 intact, exit 1 naming what disagrees.
pub fn verify(ledger_path: &Path, stdout: &mut dyn Write, notes: &mut dyn Write) -> Result<Finish, Fatal> {
    let ledger = existing(ledger_path, notes)?;
    if ledger.schema_version()? < crate::ledger::SCHEMA_VERSION {
        return Err(Fatal::new(
            FatalKind::Usage,
            "this ledger was made by an older disburse and has no journal yet",
            "run `disburse ledger runs` once (it brings the ledger up to date and starts its journal), then verify",
        )
        .in_file(ledger_path.display().to_string()));
    }
    let report = ledger.verify_journal()?;
    for f in &report.findings {
        let _ = writeln!(stdout, "{}: BROKEN: {}", ledger_path.display(), f.0);
    }
    let head = report.head.as_ref().map(|h| format!("seq {} {}", h.seq, h.hash)).unwrap_or_else(|| "empty".into());
    if report.findings.is_empty() {
        let _ = writeln!(
            notes,
            "{}: intact ({} journal entries; the runs and payments agree with it); journal head {head}",
            ledger_path.display(),
            report.entries
        );
        Ok(Finish::Done)
    } else {
        let _ = writeln!(notes, "{}: BROKEN: {}", ledger_path.display(), report.findings[0].0);
        Ok(Finish::Mismatch)
    }
}
