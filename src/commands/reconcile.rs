//! `disburse reconcile --run DIR --returns FILE --out OUT`: which transfers the bank
//! settled, which failed, and which need a person (SPEC section 9).
//!
//! Every transfer of the run gets exactly one outcome; return lines that match no
//! transfer are listed too. The run directory is only read (it must verify first);
//! the ledger marks the payment lines of failed transfers `failed` (so the next
//! `run --arrears` pays them again) and settled ones `settled`. Applying the same
//! return twice changes nothing the second time.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::core::detail::Lang;
use crate::core::money::fmt_amount;
use crate::core::payment::LineStatus;
use crate::core::text::defuse;
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::{Ledger, RunStatus};
use crate::output::bank::BankProfile;
use crate::output::csvline::push_row;
use crate::output::manifest::{Manifest, MANIFEST_FILE};
use crate::output::sink::{OutputInfo, Sink};
use crate::output::staged::StagedDir;
use crate::output::transfer_file::{self, Transfer};
use crate::returns::ReturnLine;

pub const RECONCILIATION: &str = "bank-reconciliation.csv";
const HEADER: [&str; 7] =
    ["transfer_id", "payee_account", "amount", "returned_amount", "outcome", "reason", "return_line"];

/// The outcome of one transfer (or one unmatched return line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Settled,
    Failed,
    AmountMismatch,
    Missing,
    Unknown,
    DuplicateReturn,
    /// A return line that cannot be read (bad amount or status).
    InvalidLine,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Settled => "settled",
            Outcome::Failed => "failed",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::Missing => "missing",
            Outcome::Unknown => "unknown",
            Outcome::DuplicateReturn => "duplicate_return",
            Outcome::InvalidLine => "invalid_line",
        }
    }
}

/// A validated `reconcile` invocation.
#[derive(Debug, Clone)]
pub struct ReconcileConfig {
    pub run_dir: PathBuf,
    pub returns: String,
    pub out: PathBuf,
    pub ledger: PathBuf,
    /// The bank profile whose `[returns]` layout the return file has.
    pub returns_profile: Option<BankProfile>,
    pub lang: Lang,
}

/// One row of `bank-reconciliation.csv`.
struct Finding {
    transfer_id: String,
    account: String,
    amount: Option<Decimal>,
    returned: Option<Decimal>,
    outcome: Outcome,
    reason: String,
    line: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct CountAmount {
    count: u64,
    amount: String,
}

#[derive(Debug, Serialize)]
struct ReconcileManifest {
    tool: String,
    version: String,
    command: String,
    run: RunRef,
    returns: InputRef,
    outputs: Vec<OutputInfo>,
    outcomes: BTreeMap<String, CountAmount>,
    ledger: LedgerEffect,
}

#[derive(Debug, Serialize)]
struct RunRef {
    dir: String,
    period: String,
    manifest_sha256: String,
    ledger_run: Option<i64>,
}

#[derive(Debug, Serialize)]
struct InputRef {
    path: String,
    sha256: String,
    rows: u64,
}

#[derive(Debug, Serialize)]
struct LedgerEffect {
    lines_marked_settled: u64,
    lines_marked_failed: u64,
}

fn fatal(message: impl Into<String>, fix: &str) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix)
}

/// Reads the run's manifest and transfers (after checking the directory verifies).
fn read_run(dir: &Path) -> Result<(Manifest, String, Vec<Transfer>), Fatal> {
    let dir_text = dir.display().to_string();
    if let Err(b) = crate::commands::verify::verify(dir)? {
        return Err(fatal(
            format!("the run directory does not verify: {}", b.0),
            "reconcile the run's original output",
        )
        .in_file(dir_text));
    }
    let bytes =
        std::fs::read(dir.join(MANIFEST_FILE)).map_err(|e| Fatal::io(&dir.join(MANIFEST_FILE), "reading", &e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| fatal(format!("bad manifest: {e}"), ""))?;
    if manifest.mode != "run" {
        return Err(fatal(
            "this is a dry run: it has no bank file to reconcile",
            "give the output directory of a real run",
        )
        .in_file(dir_text));
    }
    let transfers = transfer_file::read(&dir.join(transfer_file::TRANSFERS))?;
    Ok((manifest, crate::sha256_hex(&bytes), transfers))
}

/// Matches return lines to transfers: one finding per transfer, then the unmatched.
fn classify(transfers: &[Transfer], returns: &[ReturnLine]) -> Vec<Finding> {
    let mut by_id: HashMap<&str, Vec<&ReturnLine>> = HashMap::new();
    for r in returns.iter().filter(|r| r.problem.is_none()) {
        by_id.entry(r.transfer_id.as_str()).or_default().push(r);
    }
    let mut findings = Vec::with_capacity(transfers.len());
    for t in transfers {
        let lines = by_id.remove(t.transfer_id.as_str()).unwrap_or_default();
        let (outcome, returned, reason, line) = match lines.as_slice() {
            [] => (Outcome::Missing, None, "the bank's return does not mention this transfer".to_owned(), None),
            [r] if r.amount_reported && r.amount != Some(t.amount) => (
                Outcome::AmountMismatch,
                r.amount,
                format!(
                    "the bank returned {} for a transfer of {}",
                    r.amount.map(fmt_amount).unwrap_or_default(),
                    fmt_amount(t.amount)
                ),
                Some(r.line),
            ),
            [r] if !r.account.is_empty() && r.account != t.payee_account => {
                (Outcome::AmountMismatch, r.amount, "the bank returned another payee account".to_owned(), Some(r.line))
            }
            [r] if r.success == Some(true) => (Outcome::Settled, r.amount, String::new(), Some(r.line)),
            [r] => (Outcome::Failed, r.amount, r.reason.clone(), Some(r.line)),
            [first, ..] => (
                Outcome::DuplicateReturn,
                first.amount,
                format!(
                    "the return has {} lines for this transfer (lines {})",
                    lines.len(),
                    lines.iter().map(|r| r.line.to_string()).collect::<Vec<_>>().join(", ")
                ),
                Some(first.line),
            ),
        };
        findings.push(Finding {
            transfer_id: t.transfer_id.clone(),
            account: t.payee_account.clone(),
            amount: Some(t.amount),
            returned,
            outcome,
            reason,
            line,
        });
    }
    for r in returns {
        let unmatched = r.problem.is_some() || by_id.contains_key(r.transfer_id.as_str());
        if !unmatched {
            continue;
        }
        let (outcome, reason) = match &r.problem {
            Some(p) => (Outcome::InvalidLine, format!("unreadable return line: {p}")),
            None => (Outcome::Unknown, "no transfer of this run has this id".to_owned()),
        };
        findings.push(Finding {
            transfer_id: r.transfer_id.clone(),
            account: r.account.clone(),
            amount: None,
            returned: r.amount,
            outcome,
            reason,
            line: Some(r.line),
        });
    }
    findings
}

/// Runs `reconcile`; the summary goes to `summary`.
pub fn reconcile(cfg: &ReconcileConfig, summary: &mut dyn Write) -> Result<Finish, Fatal> {
    crate::output::out_path::check_out_path(&cfg.out)?;
    crate::output::staged::check_empty(&cfg.out)?;
    let (manifest, manifest_sha, transfers) = read_run(&cfg.run_dir)?;
    let layout = cfg.returns_profile.as_ref().and_then(|p| p.returns.as_ref());
    let (returns, returns_sha) = crate::returns::read(&cfg.returns, layout)?;
    let prefix = format!("T{}-", manifest.period.replace('-', ""));
    if let Some(r) = returns
        .iter()
        .find(|r| r.problem.is_none() && r.transfer_id.starts_with('T') && !r.transfer_id.starts_with(&prefix))
    {
        return Err(fatal(
            format!(
                "transfer {} is not of this run's period {}: this return belongs to another month",
                r.transfer_id, manifest.period
            ),
            "give the bank's return for this run (or the run this return belongs to)",
        )
        .in_file(cfg.returns.clone())
        .at_line(r.line));
    }
    let run_id = manifest.ledger_run.ok_or_else(|| {
        fatal("the run's manifest has no ledger run id", "reconcile the output of a real run recorded in the ledger")
            .in_file(cfg.run_dir.display().to_string())
    })?;
    if !cfg.ledger.exists() {
        return Err(fatal(
            "there is no ledger here, so this run is unknown",
            "give --ledger PATH (or DISBURSE_LEDGER)",
        )
        .in_file(cfg.ledger.display().to_string()));
    }
    let mut ledger = Ledger::open_for_write(&cfg.ledger, &super::run_dirs::OutputDirs, summary)?;
    let known = ledger.runs()?.into_iter().find(|r| r.id == run_id);
    match &known {
        Some(r) if r.manifest_sha256.as_deref() == Some(manifest_sha.as_str()) && r.status != RunStatus::Void => {}
        Some(r) if r.status == RunStatus::Void => {
            return Err(fatal(format!("run {run_id} is void in the ledger"), "reconcile a live run")
                .in_file(cfg.ledger.display().to_string()))
        }
        _ => {
            return Err(fatal(
                format!("the ledger does not know this run (run {run_id} with this manifest)"),
                "give the ledger the run was recorded in (--ledger)",
            )
            .in_file(cfg.ledger.display().to_string()))
        }
    }

    let findings = classify(&transfers, &returns);
    let staged = StagedDir::prepare(&cfg.out)?;
    let mut sink = Sink::new(RECONCILIATION, cfg.out.join(RECONCILIATION), staged.create(RECONCILIATION)?);
    let mut buf = Vec::new();
    push_row(&mut buf, &HEADER);
    sink.write_raw(&buf)?;
    let mut outcomes: BTreeMap<Outcome, (u64, Decimal)> = BTreeMap::new();
    for f in &findings {
        buf.clear();
        let opt = |d: Option<Decimal>| d.map(fmt_amount).unwrap_or_default();
        push_row(
            &mut buf,
            &[
                defuse(&f.transfer_id).as_ref(),
                &defuse(&f.account),
                &opt(f.amount),
                &opt(f.returned),
                f.outcome.as_str(),
                &defuse(&f.reason),
                &f.line.map(|l| l.to_string()).unwrap_or_default(),
            ],
        );
        sink.write_row(&buf)?;
        let e = outcomes.entry(f.outcome).or_default();
        e.0 += 1;
        e.1 += f.amount.or(f.returned).unwrap_or_default();
    }
    let outputs = vec![sink.finish()?];

    let updates: Vec<(&str, LineStatus)> = findings
        .iter()
        .filter_map(|f| match f.outcome {
            Outcome::Settled => Some((f.transfer_id.as_str(), LineStatus::Settled)),
            Outcome::Failed => Some((f.transfer_id.as_str(), LineStatus::Failed)),
            _ => None,
        })
        .collect();
    let changed = ledger.set_transfer_statuses(run_id, &updates)?;

    let report = ReconcileManifest {
        tool: "disburse".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "reconcile".into(),
        run: RunRef {
            dir: cfg.run_dir.display().to_string(),
            period: manifest.period.clone(),
            manifest_sha256: manifest_sha,
            ledger_run: Some(run_id),
        },
        returns: InputRef { path: cfg.returns.clone(), sha256: returns_sha, rows: returns.len() as u64 },
        outputs,
        outcomes: outcomes
            .iter()
            .map(|(o, (n, a))| (o.as_str().to_owned(), CountAmount { count: *n, amount: fmt_amount(*a) }))
            .collect(),
        ledger: LedgerEffect { lines_marked_settled: changed.0, lines_marked_failed: changed.1 },
    };
    crate::output::manifest::write_json(&staged, &cfg.out, &report)?;
    staged.commit()?;

    let l = cfg.lang;
    let _ = match l {
        Lang::En => writeln!(
            summary,
            "reconciled run {run_id} ({}) against {}: {} transfers",
            manifest.period,
            cfg.returns,
            transfers.len()
        ),
        Lang::Zh => writeln!(
            summary,
            "批次{run_id}（{}）与银行回单 {} 对账：共{}笔转账",
            manifest.period,
            cfg.returns,
            transfers.len()
        ),
    };
    for (o, (n, a)) in &outcomes {
        let _ = writeln!(summary, "  {:<17} {:>7}   {} {}", o.as_str(), n, l.pick("amount", "金额"), fmt_amount(*a));
    }
    let _ = match l {
        Lang::En => writeln!(
            summary,
            "  ledger: {} payment lines marked settled, {} marked failed (failed ones are paid again by the next run --arrears)",
            changed.0, changed.1
        ),
        Lang::Zh => writeln!(
            summary,
            "  台账：{}条发放记录标为成功，{}条标为失败（失败的将在下次 run --arrears 时补发）",
            changed.0, changed.1
        ),
    };
    let _ = writeln!(summary, "  {} {}", l.pick("details in", "明细见"), cfg.out.join(RECONCILIATION).display());
    Ok(Finish::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(id: &str, account: &str, fen: i64) -> Transfer {
        Transfer {
            transfer_id: id.into(),
            period: "2018-06".into(),
            payee_account: account.into(),
            payee_name: "刘建国".into(),
            payee_bank: "ICBC".into(),
            amount: Decimal::new(fen, 2),
            children: 1,
        }
    }

    fn line(line: u64, id: &str, fen: i64, success: bool) -> ReturnLine {
        ReturnLine {
            line,
            transfer_id: id.into(),
            amount: Some(Decimal::new(fen, 2)),
            amount_reported: true,
            success: Some(success),
            reason: if success { String::new() } else { "account closed".into() },
            ..ReturnLine::default()
        }
    }

    fn outcomes(findings: &[Finding]) -> Vec<(&str, Outcome)> {
        findings.iter().map(|f| (f.transfer_id.as_str(), f.outcome)).collect()
    }

    #[test]
    fn every_transfer_gets_one_outcome() {
        let transfers = [
            transfer("T201806-000001", "62220210", 80000),
            transfer("T201806-000002", "62220211", 80000),
            transfer("T201806-000003", "62220212", 80000),
            transfer("T201806-000004", "62220213", 80000),
            transfer("T201806-000005", "62220214", 80000),
        ];
        let returns = [
            line(2, "T201806-000001", 80000, true),
            line(3, "T201806-000002", 80000, false),
            line(4, "T201806-000003", 79999, true),
            line(5, "T201806-000005", 80000, true),
            line(6, "T201806-000005", 80000, false),
            line(7, "T201806-000099", 80000, true),
        ];
        let findings = classify(&transfers, &returns);
        assert_eq!(
            outcomes(&findings),
            [
                ("T201806-000001", Outcome::Settled),
                ("T201806-000002", Outcome::Failed),
                ("T201806-000003", Outcome::AmountMismatch),
                ("T201806-000004", Outcome::Missing),
                ("T201806-000005", Outcome::DuplicateReturn),
                ("T201806-000099", Outcome::Unknown),
            ]
        );
        assert_eq!(findings[1].reason, "account closed");
        assert_eq!(findings[2].returned, Some(Decimal::new(79999, 2)));
        assert_eq!(findings[2].reason, "the bank returned 799.99 for a transfer of 800.00");
        assert_eq!(findings[3].line, None);
        assert_eq!(findings[4].line, Some(5));
        assert!(findings[4].reason.contains("lines 5, 6"), "{}", findings[4].reason);
        assert_eq!(findings[5].amount, None);
        assert_eq!(findings[5].line, Some(7));
    }

    #[test]
    fn another_payee_account_is_a_mismatch() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(2, "T201806-000001", 80000, true);
        r.account = "62220299".into();
        let f = classify(&transfers, &[r.clone()]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::AmountMismatch)]);
        assert_eq!(f[0].reason, "the bank returned another payee account");
        r.account = "62220210".into();
        assert_eq!(outcomes(&classify(&transfers, &[r])), [("T201806-000001", Outcome::Settled)]);
    }

    #[test]
    fn an_unreported_amount_is_not_compared() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(9, "T201806-000001", 0, true);
        r.amount = None;
        r.amount_reported = false;
        assert_eq!(outcomes(&classify(&transfers, &[r])), [("T201806-000001", Outcome::Settled)]);
    }

    #[test]
    fn unreadable_lines_are_listed_and_match_nothing() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut bad = line(3, "T201806-000001", 80000, true);
        bad.problem = Some("status \"pending\" is neither a success nor a failure".into());
        let f = classify(&transfers, &[bad]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Missing), ("T201806-000001", Outcome::InvalidLine)]);
        assert!(f[1].reason.starts_with("unreadable return line: status"), "{}", f[1].reason);
    }

    #[test]
    fn no_transfers_and_no_returns() {
        assert!(classify(&[], &[]).is_empty());
    }
}
