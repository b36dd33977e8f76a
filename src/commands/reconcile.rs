//! `disburse reconcile --run DIR --returns FILE --out OUT`: which transfers the bank
//! settled, which failed, and which need a person (SPEC section 9).
//!
//! Every transfer of the run gets exactly one outcome; return lines that match no
//! transfer are listed too. The run directory is only read (it must verify first);
//! the ledger marks the payment lines of failed transfers `failed` (so the next
//! `run --arrears` pays them again) and settled ones `settled`. Applying the same
//! return twice changes nothing the second time.

use std::collections::BTreeMap;
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

mod classify;
pub use classify::Outcome;
use classify::{classify, mark_conflicts, Finding};

pub const RECONCILIATION: &str = "bank-reconciliation.csv";
const HEADER: [&str; 7] =
    ["transfer_id", "payee_account", "amount", "returned_amount", "outcome", "reason", "return_line"];

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
