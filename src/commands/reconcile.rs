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
use crate::ledger::{Conflict, Ledger, RunStatus};
use crate::output::bank::BankProfile;
use crate::output::csvline::push_row;
use crate::output::manifest::{Manifest, MANIFEST_FILE};
use crate::output::sink::{OutputInfo, Sink};
use crate::output::staged::StagedDir;
use crate::output::transfer_file::{self, Transfer};
use crate::returns::{ReturnLine, Verdict};

pub const RECONCILIATION: &str = "bank-reconciliation.csv";
const HEADER: [&str; 7] =
    ["transfer_id", "payee_account", "amount", "returned_amount", "outcome", "reason", "return_line"];

/// The outcome of one transfer (or one unmatched return line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Settled,
    Failed,
    /// The bank has it (accepted, in process); nothing final, the ledger unchanged.
    Pending,
    AmountMismatch,
    Missing,
    Unknown,
    DuplicateReturn,
    /// A return line that cannot be read (bad amount or status).
    InvalidLine,
    /// The return would move the ledger's lines backwards: not applied (SPEC section 12).
    Conflict,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Settled => "settled",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::Missing => "missing",
            Outcome::Unknown => "unknown",
            Outcome::DuplicateReturn => "duplicate_return",
            Outcome::InvalidLine => "invalid_line",
            Outcome::Conflict => "conflict",
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
    /// Exit 3 when a transfer is a `conflict`.
    pub strict: bool,
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
    /// Transfers whose return was not applied (outcome `conflict`).
    conflicts: u64,
    /// The ledger journal's head once this reconciliation is recorded.
    journal_seq: i64,
    journal_head: String,
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
/// A line names its transfer by id, or (a bank result without ids) by the payee's
/// account, which is one transfer's in a run. A rejected transfer is `failed`
/// whatever amount or currency the line gives (the money did not move); any other
/// status with another amount, a currency other than CNY or another account is
/// `amount_mismatch`.
fn classify(transfers: &[Transfer], returns: &[ReturnLine]) -> Vec<Finding> {
    // The run's transfer for each account (`None`: two transfers share it).
    let mut account_of: HashMap<&str, Option<&str>> = HashMap::new();
    for t in transfers {
        account_of.entry(t.payee_account.as_str()).and_modify(|v| *v = None).or_insert(Some(t.transfer_id.as_str()));
    }
    let key = |r: &ReturnLine| -> Option<String> {
        if r.by_account {
            account_of.get(r.account.as_str()).copied().flatten().map(str::to_owned)
        } else {
            Some(r.transfer_id.clone())
        }
    };
    let mut by_id: HashMap<String, Vec<&ReturnLine>> = HashMap::new();
    for r in returns.iter().filter(|r| r.problem.is_none()) {
        if let Some(k) = key(r) {
            by_id.entry(k).or_default().push(r);
        }
    }
    let mut findings = Vec::with_capacity(transfers.len());
    for t in transfers {
        let lines = by_id.remove(t.transfer_id.as_str()).unwrap_or_default();
        let (outcome, returned, reason, line) = match lines.as_slice() {
            [] => (Outcome::Missing, None, "the bank's return does not mention this transfer".to_owned(), None),
            [r] if r.verdict == Some(Verdict::Failed) => (Outcome::Failed, r.amount, r.reason.clone(), Some(r.line)),
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
            [r] if r.currency.as_deref().is_some_and(|c| c != "CNY") => (
                Outcome::AmountMismatch,
                r.amount,
                format!("the bank reports this transfer in {}, not CNY", r.currency.as_deref().unwrap_or_default()),
                Some(r.line),
            ),
            [r] if !r.by_account && !r.account.is_empty() && r.account != t.payee_account => {
                (Outcome::AmountMismatch, r.amount, "the bank returned another payee account".to_owned(), Some(r.line))
            }
            [r] if r.verdict == Some(Verdict::Settled) => (Outcome::Settled, r.amount, String::new(), Some(r.line)),
            [r] => (Outcome::Pending, r.amount, r.reason.clone(), Some(r.line)),
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
        let k = key(r);
        let unmatched = r.problem.is_some() || k.as_ref().is_none_or(|k| by_id.contains_key(k));
        if !unmatched {
            continue;
        }
        let (outcome, reason) = match (&r.problem, k) {
            (Some(p), _) => (Outcome::InvalidLine, format!("unreadable return line: {p}")),
            (None, None) if account_of.contains_key(r.account.as_str()) => {
                (Outcome::Unknown, "two transfers of this run pay this account: the line cannot be matched".to_owned())
            }
            (None, None) => (Outcome::Unknown, "no transfer of this run pays this account".to_owned()),
            (None, Some(_)) => (Outcome::Unknown, "no transfer of this run has this id".to_owned()),
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
    let run_files = manifest.outputs.iter().map(|o| o.file.as_str());
    let (returns, returns_sha) = crate::returns::read(&cfg.returns, layout, &cfg.run_dir, run_files)?;
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

    let mut findings = classify(&transfers, &returns);
    let updates: Vec<(String, LineStatus)> = findings
        .iter()
        .filter_map(|f| match f.outcome {
            Outcome::Settled => Some((f.transfer_id.clone(), LineStatus::Settled)),
            Outcome::Failed => Some((f.transfer_id.clone(), LineStatus::Failed)),
            _ => None,
        })
        .collect();
    let updates: Vec<(&str, LineStatus)> = updates.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    let staged = StagedDir::prepare(&cfg.out)?;
    // The ledger's marks are committed only after OUT is in place; if OUT cannot be
    // committed the marks roll back, and if the ledger cannot commit OUT is removed.
    let mut out_in_place = false;
    let applied = ledger.apply_returns(run_id, &updates, |applied, head| {
        mark_conflicts(&mut findings, &applied.conflicts);
        let outcomes = write_reconciliation(
            staged,
            cfg,
            &findings,
            RunRef {
                dir: cfg.run_dir.display().to_string(),
                period: manifest.period.clone(),
                manifest_sha256: manifest_sha.clone(),
                ledger_run: Some(run_id),
            },
            InputRef { path: cfg.returns.clone(), sha256: returns_sha.clone(), rows: returns.len() as u64 },
            LedgerEffect {
                lines_marked_settled: applied.settled,
                lines_marked_failed: applied.failed,
                conflicts: applied.conflicts.len() as u64,
                journal_seq: head.seq,
                journal_head: head.hash.clone(),
            },
        )?;
        out_in_place = true;
        Ok(outcomes)
    });
    let (outcomes, applied, head) = match applied {
        Ok(done) => done,
        Err(e) => {
            if out_in_place {
                let _ = std::fs::remove_dir_all(&cfg.out);
            }
            return Err(e);
        }
    };
    let changed = (applied.settled, applied.failed);

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
    if !applied.conflicts.is_empty() {
        let _ = writeln!(
            summary,
            "  {}",
            l.pick(
                "conflict: the return would move some payment lines backwards; they were not applied — a person decides (see the reasons)",
                "冲突：回单会使部分发放记录的状态倒退，未予采用，需人工核定（见原因列）"
            )
        );
    }
    let _ = writeln!(summary, "  {} {}", l.pick("details in", "明细见"), cfg.out.join(RECONCILIATION).display());
    let _ = writeln!(
        summary,
        "  {} seq {} {}",
        l.pick("ledger journal head (write it in the register):", "台账日志头（请记入登记簿）："),
        head.seq,
        head.hash
    );
    if cfg.strict && !applied.conflicts.is_empty() {
        return Ok(Finish::StrictFailed);
    }
    Ok(Finish::Done)
}

/// Turns the findings of transfers the ledger would not move forward into conflicts.
fn mark_conflicts(findings: &mut [Finding], conflicts: &[Conflict]) {
    let by_id: HashMap<&str, &Conflict> = conflicts.iter().map(|c| (c.transfer_id.as_str(), c)).collect();
    for f in findings.iter_mut().filter(|f| matches!(f.outcome, Outcome::Settled | Outcome::Failed)) {
        if let Some(c) = by_id.get(f.transfer_id.as_str()) {
            f.outcome = Outcome::Conflict;
            f.reason = conflict_reason(c);
        }
    }
}

/// Why a conflict was not applied, naming the ledger's current status.
fn conflict_reason(c: &Conflict) -> String {
    let repaid = if c.repaid { " and back pay has paid its month again" } else { "" };
    format!(
        "the ledger has this transfer {}{repaid}; the return says {}: not applied, a person decides",
        c.current, c.returned
    )
}

/// Writes bank-reconciliation.csv and the manifest into `staged` and moves it onto
/// OUT. Returns the count and amount per outcome.
fn write_reconciliation(
    staged: StagedDir,
    cfg: &ReconcileConfig,
    findings: &[Finding],
    run: RunRef,
    returns: InputRef,
    ledger: LedgerEffect,
) -> Result<BTreeMap<Outcome, (u64, Decimal)>, Fatal> {
    let mut sink = Sink::new(RECONCILIATION, cfg.out.join(RECONCILIATION), staged.create(RECONCILIATION)?);
    let mut buf = Vec::new();
    push_row(&mut buf, &HEADER);
    sink.write_raw(&buf)?;
    let mut outcomes: BTreeMap<Outcome, (u64, Decimal)> = BTreeMap::new();
    for f in findings {
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
    let report = ReconcileManifest {
        tool: "disburse".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "reconcile".into(),
        run,
        returns,
        outputs,
        outcomes: outcomes
            .iter()
            .map(|(o, (n, a))| (o.as_str().to_owned(), CountAmount { count: *n, amount: fmt_amount(*a) }))
            .collect(),
        ledger,
    };
    crate::output::manifest::write_json(&staged, &cfg.out, &report)?;
    crate::failpoint("before-reconcile-rename");
    staged.commit()?;
    Ok(outcomes)
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
            payee_bank_code: None,
        }
    }

    fn line(line: u64, id: &str, fen: i64, success: bool) -> ReturnLine {
        ReturnLine {
            line,
            transfer_id: id.into(),
            amount: Some(Decimal::new(fen, 2)),
            amount_reported: true,
            verdict: Some(if success { Verdict::Settled } else { Verdict::Failed }),
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
    fn rejected_is_failed_whatever_the_amount_or_currency() {
        let transfers = [transfer("T201806-000001", "62220210", 80000), transfer("T201806-000002", "62220211", 80000)];
        let mut zero = line(2, "T201806-000001", 0, false);
        zero.currency = Some("EUR".into());
        let mut usd = line(3, "T201806-000002", 80000, true);
        usd.currency = Some("USD".into());
        let f = classify(&transfers, &[zero, usd]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Failed), ("T201806-000002", Outcome::AmountMismatch)]);
        assert_eq!(f[1].reason, "the bank reports this transfer in USD, not CNY");
    }

    #[test]
    fn pending_changes_nothing_but_is_counted() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(2, "T201806-000001", 80000, true);
        r.verdict = Some(Verdict::Pending);
        r.reason = "ACSP".into();
        let f = classify(&transfers, &[r]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Pending)]);
        assert_eq!((f[0].reason.as_str(), Outcome::Pending.as_str()), ("ACSP", "pending"));
    }

    #[test]
    fn lines_without_ids_match_by_account() {
        let transfers = [transfer("T201806-000001", "62220210", 80000), transfer("T201806-000002", "62220211", 80000)];
        let by_account = |n: u64, account: &str, fen: i64, ok: bool| ReturnLine {
            transfer_id: String::new(),
            account: account.into(),
            by_account: true,
            ..line(n, "", fen, ok)
        };
        let f = classify(
            &transfers,
            &[
                by_account(2, "62220211", 0, false),
                by_account(3, "62220210", 80000, true),
                by_account(4, "6299", 1, true),
            ],
        );
        assert_eq!(
            outcomes(&f),
            [("T201806-000001", Outcome::Settled), ("T201806-000002", Outcome::Failed), ("", Outcome::Unknown)]
        );
        assert_eq!((f[0].line, f[1].line), (Some(3), Some(2)));
        assert_eq!(f[2].reason, "no transfer of this run pays this account");
        // The same account twice in the return: one transfer, two lines.
        let f = classify(&transfers, &[by_account(2, "62220210", 80000, true), by_account(3, "62220210", 80000, true)]);
        assert_eq!(f[0].outcome, Outcome::DuplicateReturn);
    }

    #[test]
    fn no_transfers_and_no_returns() {
        assert!(classify(&[], &[]).is_empty());
    }
}
