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
use crate::core::glossary::{self, Group};
use crate::core::money::fmt_amount;
use crate::core::month::Month;
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
use crate::text_table::{Align, TextTable};

mod book;
mod classify;
pub use book::WORKBOOK;
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

fn fatal(message: impl Into<String>, fix: &str, zh: (String, &str)) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix).zh(zh.0, zh.1)
}

/// Reads the run's manifest and transfers (after checking the directory verifies).
fn read_run(dir: &Path) -> Result<(Manifest, String, Vec<Transfer>), Fatal> {
    let dir_text = dir.display().to_string();
    if let Err(b) = crate::commands::verify::verify(dir)? {
        return Err(fatal(
            format!("the run directory does not verify: {}", b.0),
            "reconcile the run's original output",
            (format!("该输出目录核验不通过：{}", b.say(Lang::Zh)), "请对该批次原始的输出目录对账"),
        )
        .in_file(dir_text));
    }
    let bytes =
        std::fs::read(dir.join(MANIFEST_FILE)).map_err(|e| Fatal::io(&dir.join(MANIFEST_FILE), "reading", &e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        fatal(
            format!("bad manifest: {e}"),
            "reconcile the run's original output",
            (format!("manifest.json 有误：{e}"), "请对该批次原始的输出目录对账"),
        )
    })?;
    if manifest.mode != "run" {
        return Err(fatal(
            "this is a dry run: it has no bank file to reconcile",
            "give the output directory of a real run",
            ("这是试算，没有银行文件可供对账".into(), "请给出正式运行的输出目录"),
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
        let zh_period = Month::parse(&manifest.period).map(|m| glossary::month(m, Lang::Zh));
        return Err(fatal(
            format!(
                "transfer {} is not of this run's period {}: this return belongs to another month",
                r.transfer_id, manifest.period
            ),
            "give the bank's return for this run (or the run this return belongs to)",
            (
                format!(
                    "转账 {} 不属于本批次的发放年月{}：这份回盘是另一个月的",
                    r.transfer_id,
                    zh_period.unwrap_or_else(|| manifest.period.clone())
                ),
                "请给出本批次的银行回盘（或对这份回盘所属的批次对账）",
            ),
        )
        .in_file(cfg.returns.clone())
        .at_line(r.line));
    }
    let run_id = manifest.ledger_run.ok_or_else(|| {
        fatal(
            "the run's manifest has no ledger run id",
            "reconcile the output of a real run recorded in the ledger",
            ("该批次的 manifest.json 中没有台账批次号".into(), "请对台账中有记录的正式运行输出对账"),
        )
        .in_file(cfg.run_dir.display().to_string())
    })?;
    if !cfg.ledger.exists() {
        return Err(fatal(
            "there is no ledger here, so this run is unknown",
            "give --ledger PATH (or DISBURSE_LEDGER)",
            ("此处没有台账，无法确认这个批次".into(), "请用 --ledger 指定台账路径（或设置 DISBURSE_LEDGER）"),
        )
        .in_file(cfg.ledger.display().to_string()));
    }
    let mut ledger = Ledger::open_for_write(&cfg.ledger, &super::run_dirs::OutputDirs, cfg.lang, summary)?;
    let known = ledger.runs()?.into_iter().find(|r| r.id == run_id);
    match &known {
        Some(r) if r.manifest_sha256.as_deref() == Some(manifest_sha.as_str()) && r.status != RunStatus::Void => {}
        Some(r) if r.status == RunStatus::Void => {
            return Err(fatal(
                format!("run {run_id} is void in the ledger"),
                "reconcile a live run",
                (format!("批次{run_id}在台账中已作废"), "请对有效的批次对账"),
            )
            .in_file(cfg.ledger.display().to_string()))
        }
        _ => {
            return Err(fatal(
                format!("the ledger does not know this run (run {run_id} with this manifest)"),
                "give the ledger the run was recorded in (--ledger)",
                (
                    format!("台账中没有这个批次（批次{run_id}，及这份 manifest.json）"),
                    "请用 --ledger 指定记录该批次的台账",
                ),
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

    let _ = write!(
        summary,
        "{}",
        summary_text(
            cfg,
            run_id,
            &manifest.period,
            transfers.len(),
            &outcomes,
            changed,
            applied.conflicts.len(),
            (head.seq, &head.hash)
        )
    );
    if cfg.strict && !applied.conflicts.is_empty() {
        return Ok(Finish::StrictFailed);
    }
    Ok(Finish::Done)
}

/// What `reconcile` says on the terminal once OUT and the ledger are written.
#[allow(clippy::too_many_arguments)]
fn summary_text(
    cfg: &ReconcileConfig,
    run_id: i64,
    period: &str,
    transfers: usize,
    outcomes: &BTreeMap<Outcome, (u64, Decimal)>,
    (settled, failed): (u64, u64),
    conflicts: usize,
    (seq, hash): (i64, &str),
) -> String {
    let l = cfg.lang;
    let label = |c| glossary::say(Group::Label, c, l);
    let month = Month::parse(period).map(|m| glossary::month(m, l)).unwrap_or_else(|| period.to_owned());
    let mut out = match l {
        Lang::En => format!("reconciled run {run_id} ({period}) against {}: {transfers} transfers\n", cfg.returns),
        Lang::Zh => format!("批次{run_id}（{month}）与银行回盘 {} 对账：共{transfers}笔转账\n", cfg.returns),
    };
    let mut t = TextTable::new(
        &[label("outcome"), label("transfers"), label("amount")],
        &[Align::Left, Align::Right, Align::Right],
    )
    .indent(2);
    for (o, (n, a)) in outcomes {
        t.row([glossary::say(Group::Outcome, o.as_str(), l).to_owned(), n.to_string(), glossary::yuan(*a, l)]);
    }
    out.push_str(&t.render());
    out.push_str(&match l {
        Lang::En => format!(
            "  ledger: {settled} payment lines marked settled, {failed} marked failed (failed ones are paid again by the next run --arrears)\n"
        ),
        Lang::Zh => format!(
            "  台账：{settled}条发放记录标为已到账，{failed}条标为失败（失败的将在下次用 --arrears 正式发放时补发）\n"
        ),
    });
    if conflicts > 0 {
        out.push_str(&match l {
            Lang::En => format!("  conflict: the return would move {conflicts} transfers' payment lines backwards; they were not applied — a person decides (see the reasons)\n"),
            Lang::Zh => format!("  与台账冲突：回盘会使{conflicts}笔转账的发放记录状态倒退，未予采用，需人工核定（见原因列）\n"),
        });
    }
    let (csv, xlsx) = (cfg.out.join(RECONCILIATION), cfg.out.join(WORKBOOK));
    out.push_str(&match l {
        Lang::En => format!("  details in {}; workbook {}\n", csv.display(), xlsx.display()),
        Lang::Zh => format!("  明细见 {}，工作簿见 {}\n", csv.display(), xlsx.display()),
    });
    out.push_str(&match l {
        Lang::En => format!("  {}: seq {seq} {hash}\n", label("journal_head")),
        Lang::Zh => format!("  {}：第{seq}条，SHA-256 {hash}\n", label("journal_head")),
    });
    out
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
    let mut outputs = vec![sink.finish()?];
    let period = Month::parse(&run.period).ok_or_else(|| {
        fatal(
            format!("the run's period {:?} is not a month", run.period),
            "reconcile the run's original output",
            (format!("该批次的发放年月 {:?} 不是年月", run.period), "请对该批次原始的输出目录对账"),
        )
    })?;
    let facts = book::Facts {
        run: run.ledger_run.unwrap_or_default(),
        period,
        returns: &returns.path,
        settled: ledger.lines_marked_settled,
        failed: ledger.lines_marked_failed,
        conflicts: ledger.conflicts,
        journal_seq: ledger.journal_seq,
        journal_head: &ledger.journal_head,
    };
    let workbook = book::book(findings, &outcomes, &facts, cfg.lang);
    outputs.push(crate::output::results_book::write(&staged, &cfg.out, WORKBOOK, &workbook)?);
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
