//! `disburse run`: the monthly payroll run (and its dry run).

mod summary;

use summary::print_summary;

use std::io::Write;
use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::batch::{Roster, Rules};
use crate::core::detail::Lang;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::payment::History;
use crate::core::policy::Policy;
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::{Ledger, RunMode, RunRecord};
use crate::output::bank::{BankContext, BankProfile, Destination, Payer};
use crate::output::manifest::{InputInfo, Manifest, PolicyInfo, ProfileInfo};
use crate::output::monthly::{MonthlyWriter, RunTotals};
use crate::output::report::ReportOptions;
use crate::output::staged::StagedDir;
use crate::roster::EncodingChoice;

/// A validated `run` invocation: everything here has been checked once by the CLI.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub period: Month,
    pub out: PathBuf,
    pub policy: Policy,
    pub ceiling: Decimal,
    pub dry_run: bool,
    pub strict: bool,
    pub encoding: EncodingChoice,
    pub rosters: Vec<String>,
    /// The ledger file (`--ledger`, `DISBURSE_LEDGER` or the default).
    pub ledger: PathBuf,
    /// Pay back pay for earlier months (SPEC section 8).
    pub arrears: bool,
    /// The language of `detail`, the summary and the workbook.
    pub lang: Lang,
    /// The roster sheet of workbook inputs (default: the first sheet).
    pub sheet: Option<String>,
    /// `--roster-profile`, or the default (none).
    pub roster_profile: std::sync::Arc<crate::roster::profile::RosterProfile>,
    /// No progress bar.
    pub quiet: bool,
    /// Start every CSV with a UTF-8 BOM (so Excel shows the Chinese).
    pub bom: bool,
    /// Bank upload files to write besides transfers.csv (real runs).
    pub bank_profiles: Vec<BankProfile>,
    /// The date the bank should pay (`YYYY-MM-DD`; pain001 needs it).
    pub execution_date: Option<String>,
    /// The paying account for profiles without a `[payer]`.
    pub payer: Option<Payer>,
    /// report.xlsx's paper options: the office's name, masked IDs in the list.
    pub report: ReportOptions,
}

/// The default `--ceiling`.
pub const DEFAULT_CEILING: &str = "5000.00";

/// Runs the monthly job; the human summary goes to `summary`.
///
/// Order matters for "fatal errors write nothing" and crash safety: every input is
/// checked (pass 1) before the ledger is touched; a real run is recorded as pending
/// before its output is written; its payment lines are committed before the output
/// directory is moved into place; and only then is the run marked live.
pub fn run(cfg: &RunConfig, summary: &mut dyn Write) -> Result<Finish, Fatal> {
    let mut clock = PhaseClock::from_env();
    crate::output::out_path::check_out_path(&cfg.out)?;
    crate::output::bank::check_for_run(&cfg.bank_profiles, cfg.period, cfg.payer.as_ref())?;
    crate::output::staged::check_empty(&cfg.out)?;
    // Refuse a paid period before any work (checked again under the lock below).
    let reader = Ledger::open_read_only(&cfg.ledger, cfg.lang, summary)?;
    if !cfg.dry_run {
        if let Some(l) = &reader {
            if l.live_run(cfg.period)?.is_some() {
                return Err(l.already_paid(cfg.period));
            }
        }
    }
    let mut roster = Roster::open_with(&cfg.rosters, cfg.encoding, cfg.sheet.as_deref(), cfg.roster_profile.clone())?;
    if let Some(bar) = super::progress::TerminalProgress::on_stderr(cfg.quiet) {
        roster.report_progress(Box::new(bar));
    }
    clock.lap("inspect (hash, encoding, header)");
    let index = roster.index()?;
    let standards = cfg.policy.for_period(cfg.period);
    let pass1_rules = Rules { period: cfg.period, standards: standards.clone(), ceiling: cfg.ceiling, arrears: None };
    roster.check_coverage(&index, &pass1_rules)?;
    clock.lap("pass 1 (check and index)");

    // A dry run clears what killed runs left beside --out unless a crashed real run
    // still waits for the ledger's recovery (a real run clears after recovering).
    let clear_stale = match &reader {
        Some(l) if cfg.dry_run => l
            .runs()?
            .iter()
            .all(|r| !matches!(r.status, crate::ledger::RunStatus::Pending | crate::ledger::RunStatus::Committed)),
        _ => true,
    };
    // The staging directory is recorded in the ledger before it is made: killed at
    // any instant, a real run leaves nothing that the next command cannot recover.
    let planned = StagedDir::plan(&cfg.out)?;
    let mut new_ledger = false;
    let (mut ledger, run_id) = if cfg.dry_run {
        (None, None)
    } else {
        drop(reader);
        new_ledger = !cfg.ledger.exists();
        let mut l = Ledger::open_for_write(&cfg.ledger, &super::run_dirs::OutputDirs, cfg.lang, summary)?;
        let id = l.begin_run(cfg.period, RunMode::Run, Some(&cfg.out), Some(planned.path()))?;
        (Some(l), Some(id))
    };
    let staged = match planned.create_dir() {
        Ok(staged) => staged,
        Err(e) => {
            if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
                let _ = l.abandon_run(id);
            }
            return Err(e);
        }
    };
    if clear_stale {
        for name in crate::output::out_path::remove_stale_staged(&cfg.out) {
            let _ = match cfg.lang {
                Lang::En => writeln!(summary, "disburse: removed {name}, the temporary folder of an interrupted run"),
                Lang::Zh => writeln!(summary, "disburse：已删除 {name}，这是上次中断的运行留下的临时文件夹"),
            };
        }
    }
    let outcome = decide_run(cfg, &roster, &index, standards, &staged, ledger.as_ref(), run_id, &mut clock);
    roster.progress_done();
    let (mut totals, inputs) = match outcome {
        Ok(done) => done,
        Err(e) => {
            if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
                let _ = l.abandon_run(id);
            }
            return Err(e);
        }
    };

    let strict_failed = cfg.strict && totals.totals.rejected + totals.totals.held > 0;
    if strict_failed && !cfg.dry_run {
        if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
            l.abandon_run(id)?;
        }
        drop(staged);
        print_summary(summary, cfg, &totals, None);
        let _ = match cfg.lang {
            Lang::En => writeln!(
                summary,
                "--strict: {} rejected and {} held rows; nothing was written. Fix them (see exceptions in a dry run) or run without --strict.",
                totals.totals.rejected, totals.totals.held
            ),
            Lang::Zh => writeln!(
                summary,
                "--strict：{}行数据有误，{}行暂缓发放；没有写出任何文件。请先更正（试算后见 exceptions.csv），或去掉 --strict 再运行。",
                totals.totals.rejected, totals.totals.held
            ),
        };
        return Ok(Finish::StrictFailed);
    }

    // The report and the manifest are written while the ledger takes the payment
    // lines in its (still open) transaction: two single-threaded jobs on two cores.
    // The ledger thread then waits for the run's totals (which need the manifest's
    // hash) and commits; if the outputs fail, it hears nothing and keeps nothing.
    let lines = std::mem::take(&mut totals.ledger_lines);
    crate::failpoint("before-ledger");
    let (record_tx, record_rx) = std::sync::mpsc::channel::<RunRecord>();
    let (written, committed) = std::thread::scope(|scope| {
        let committing = match (ledger.as_mut(), run_id) {
            (Some(l), Some(id)) => Some(scope.spawn(move || {
                let mut clock = PhaseClock::from_env();
                // The lines come back from disk here, after the per-account sums are gone.
                let lines = match lines {
                    Some(parked) => parked.load()?,
                    None => Vec::new(),
                };
                l.commit_run(id, cfg.period, &lines, RunMode::Run, || {
                    clock.lap("  of which the ledger's payment lines (alongside)");
                    record_rx.recv().ok()
                })
            })),
            _ => None,
        };
        let written = report_and_manifest(cfg, &staged, &mut totals, inputs, run_id);
        clock.lap("report.xlsx and manifest (ledger lines alongside)");
        if let Ok((_, manifest_sha)) = &written {
            crate::failpoint("after-outputs");
            let record = RunRecord {
                manifest_sha256: manifest_sha.clone(),
                audit_head: totals.audit_head.clone(),
                rows: totals.totals.rows,
                paid: totals.totals.paid,
                held: totals.totals.held,
                excluded: totals.totals.excluded,
                rejected: totals.totals.rejected,
                amount: totals.amount,
                arrears_amount: totals.arrears_amount,
                transfers: totals.totals.transfers,
            };
            // A ledger thread that already failed no longer listens: its error follows.
            let _ = record_tx.send(record);
        }
        drop(record_tx);
        let committed = match committing {
            Some(h) => h.join().unwrap_or_else(|_| Err(writer_stopped())),
            None => Ok(true),
        };
        (written, committed)
    });
    let manifest = match (written, committed) {
        (Ok((manifest, _)), Ok(true)) => manifest,
        (written, committed) => {
            if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
                let _ = l.abandon_run(id);
            }
            // The outputs' error first; a ledger that kept nothing without one stopped.
            return Err(written.err().or(committed.err()).unwrap_or_else(writer_stopped));
        }
    };
    if ledger.is_some() {
        crate::failpoint("after-ledger");
    }
    if let Err(e) = staged.commit() {
        if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
            l.discard_run(id)?;
        }
        return Err(e);
    }
    crate::failpoint("after-rename");
    if let (Some(l), Some(id)) = (ledger.as_mut(), run_id) {
        l.mark_live(id)?;
    }
    clock.lap("ledger, manifest and commit");

    print_summary(summary, cfg, &totals, Some(&manifest));
    if let Some(id) = run_id {
        let _ = match cfg.lang {
            Lang::En => writeln!(summary, "  recorded in the ledger {} as run {id}", cfg.ledger.display()),
            Lang::Zh => writeln!(summary, "  已记入台账 {}，批次{id}", cfg.ledger.display()),
        };
    }
    if new_ledger {
        let _ = writeln!(
            summary,
            "  {}",
            cfg.lang.pick(
                "the ledger is new: it was created by this run and knows no earlier payments",
                "台账为本次运行新建，其中没有以前的发放记录"
            )
        );
    }
    if let Some(head) = ledger.as_ref().map(Ledger::journal_head).transpose()?.flatten() {
        let _ = match cfg.lang {
            Lang::En => {
                writeln!(summary, "  ledger journal head (write it in the register): seq {} {}", head.seq, head.hash)
            }
            Lang::Zh => writeln!(summary, "  台账校验值（请抄入登记簿）：第{}条，SHA-256 {}", head.seq, head.hash),
        };
    }
    if strict_failed {
        let _ = writeln!(
            summary,
            "{}",
            cfg.lang.pick(
                "--strict: some rows were rejected or held (exit 3); the report was written.",
                "--strict：有数据有误或暂缓发放的行（退出码3）；报告已写出。"
            )
        );
        return Ok(Finish::StrictFailed);
    }
    Ok(Finish::Done)
}

/// Pass 2 into the staged directory, then the manifest. Returns the manifest, the
/// totals and the manifest's SHA-256.
#[allow(clippy::too_many_arguments)]
fn decide_run(
    cfg: &RunConfig,
    roster: &Roster,
    index: &crate::batch::RosterIndex,
    standards: crate::core::policy::PeriodStandards,
    staged: &StagedDir,
    ledger: Option<&Ledger>,
    run_id: Option<i64>,
    clock: &mut PhaseClock,
) -> Result<(RunTotals, Vec<crate::batch::InputSummary>), Fatal> {
    let owned;
    let reader = match ledger {
        Some(l) => Some(l),
        None => {
            owned = Ledger::open_read_only(&cfg.ledger, cfg.lang, &mut std::io::sink())?;
            owned.as_ref()
        }
    };
    let history = match (cfg.arrears, reader) {
        (false, _) => None,
        (true, Some(l)) => Some(l.history_before(cfg.period)?),
        (true, None) => Some(History::default()),
    };
    let previous = match reader {
        Some(l) => match l.previous_month(cfg.period)? {
            Some(m) => Some((m, l.regular_payments(m)?)),
            None => None,
        },
        None => None,
    };
    let rules = Rules {
        period: cfg.period,
        standards,
        ceiling: cfg.ceiling,
        arrears: history.as_ref().map(|h| (&cfg.policy, h)),
    };
    let mut writer = MonthlyWriter::create(staged, cfg.period, !cfg.dry_run, cfg.lang, cfg.bom)?;
    writer.track_changes = previous.is_some();
    writer.scratch_transfers = cfg.dry_run && !cfg.bank_profiles.is_empty();
    writer.categories = cfg.policy.categories();
    let inputs = roster.decide(index, &rules, &mut writer)?;
    clock.lap("pass 2 (decide and render)");
    let mut totals = writer.finish(staged)?;
    clock.lap("finish (writer, transfers)");
    totals.changes = match previous {
        Some((month, paid)) => {
            let (info, counts) =
                crate::output::changes::write_changes(staged, &cfg.out, &totals.children, &paid, cfg.bom)?;
            totals.outputs.push(info);
            Some((month, counts))
        }
        None => None,
    };
    totals.children = Vec::new();
    if !cfg.bank_profiles.is_empty() {
        // A dry run renders the bank files in memory only, so it refuses what the
        // real run would (a name the bank's encoding cannot write, a value too long).
        let transfers = if cfg.dry_run {
            let scratch = staged.path().join(crate::output::monthly::SCRATCH_TRANSFERS);
            let read = crate::output::transfer_file::read(&scratch);
            std::fs::remove_file(&scratch).map_err(|e| Fatal::io(&scratch, "removing a scratch file", &e))?;
            read?
        } else {
            crate::output::bank::read_transfers(staged)?
        };
        let ctx = BankContext {
            period: cfg.period,
            execution_date: cfg.execution_date.as_deref(),
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()),
            message_id: crate::output::bank::message_id(cfg.period, run_id, &totals.audit_head),
            payer: cfg.payer.clone(),
            entitlements: Some(staged.path().join(crate::output::monthly::ENTITLEMENTS)),
        };
        let dest = Destination { staged: (!cfg.dry_run).then_some(staged), out: &cfg.out };
        totals.outputs.extend(crate::output::bank::write_profiles(&dest, &cfg.bank_profiles, &transfers, &ctx)?);
        clock.lap("bank files");
    }
    Ok((totals, inputs))
}

/// `report.xlsx`, then the manifest listing every file. Returns the manifest and its
/// SHA-256.
fn report_and_manifest(
    cfg: &RunConfig,
    staged: &StagedDir,
    totals: &mut RunTotals,
    inputs: Vec<crate::batch::InputSummary>,
    run_id: Option<i64>,
) -> Result<(Manifest, String), Fatal> {
    let mode = if cfg.dry_run { "dry-run" } else { "run" };
    let report = crate::output::report::write_report(
        staged,
        &cfg.out,
        cfg.period,
        mode,
        &totals.totals,
        &totals.outputs,
        cfg.lang,
        &totals.audit_head,
        &cfg.report,
    )?;
    totals.outputs.push(report);
    let roster_profile = cfg
        .roster_profile
        .source
        .as_ref()
        .map(|(path, sha256)| ProfileInfo { path: path.clone(), sha256: sha256.clone() });
    let manifest = Manifest {
        tool: "disburse".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        mode: mode.into(),
        period: cfg.period.to_string(),
        policy: PolicyInfo { name: cfg.policy.name.clone(), sha256: cfg.policy.sha256.clone() },
        roster_profile,
        ceiling: fmt_amount(cfg.ceiling),
        inputs: inputs
            .into_iter()
            .map(|i| InputInfo {
                path: i.path,
                sha256: i.sha256,
                encoding: i.encoding,
                rows: i.rows,
                blank_rows: i.blank_rows,
                preamble_rows: i.preamble_rows,
            })
            .collect(),
        outputs: totals.outputs.clone(),
        totals: totals.totals.clone(),
        by_category: totals.by_category.clone(),
        by_region: totals.by_region.clone(),
        audit_head: totals.audit_head.clone(),
        ledger_run: run_id,
    };
    let bytes = crate::output::manifest::write_json(staged, &cfg.out, &manifest)?;
    debug_assert_eq!(bytes, manifest.to_bytes());
    Ok((manifest, crate::sha256_hex(&bytes)))
}

/// The ledger's writing thread ended without an answer.
fn writer_stopped() -> Fatal {
    Fatal::new(FatalKind::Io, "the ledger writer stopped", "run again")
        .zh("写台账的过程意外中止了", "请重新运行；台账不会记下本次发放")
}

/// Phase timings on stderr when `DISBURSE_TIMINGS` is set (for profiling only; never
/// in any output file).
struct PhaseClock(Option<std::time::Instant>);

impl PhaseClock {
    fn from_env() -> PhaseClock {
        PhaseClock(std::env::var_os("DISBURSE_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn lap(&mut self, what: &str) {
        if let Some(start) = self.0 {
            eprintln!("timing: {what}: {:.3} s", start.elapsed().as_secs_f64());
            self.0 = Some(std::time::Instant::now());
        }
    }
}
