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
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::payment::LineStatus;
use crate::core::text::{defuse, fold_width};
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::{Ledger, RunStatus};
use crate::output::bank::BankProfile;
use crate::output::csvline::push_row;
use crate::output::manifest::{Manifest, MANIFEST_FILE};
use crate::output::sink::{OutputInfo, Sink};
use crate::output::staged::StagedDir;
use crate::table::{read_table, Want};

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

struct Transfer {
    id: String,
    account: String,
    amount: Decimal,
}

#[derive(Debug, Clone)]
struct ReturnLine {
    line: u64,
    transfer_id: String,
    account: String,
    amount: Option<Decimal>,
    /// False when a status report gave no amount (then it is not compared).
    amount_reported: bool,
    success: Option<bool>,
    reason: String,
    problem: Option<String>,
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
    let mut rdr = csv::Reader::from_path(dir.join(crate::output::monthly::TRANSFERS))
        .map_err(|e| fatal(format!("cannot read transfers.csv: {e}"), "").in_file(dir_text.clone()))?;
    let mut transfers = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| fatal(format!("transfers.csv: {e}"), "").in_file(dir_text.clone()))?;
        transfers.push(Transfer {
            id: rec[0].to_owned(),
            account: rec[2].to_owned(),
            amount: parse_amount(&rec[5]).map_err(|_| fatal("transfers.csv has a bad amount", ""))?,
        });
    }
    Ok((manifest, crate::sha256_hex(&bytes), transfers))
}

/// Reads the bank's return: an ISO 20022 pain.002 status report (recognised by its
/// content), a file in a bank profile's `[returns]` layout, or the plain CSV
/// `transfer_id,payee_account,amount,status,reason`.
fn read_returns(path: &str, profile: Option<&BankProfile>) -> Result<(Vec<ReturnLine>, String), Fatal> {
    let bytes = crate::roster::reader::read_all(path, "bank return file")?;
    let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return Ok((read_pain002(path, &bytes)?, crate::sha256_hex(&bytes)));
    }
    let layout = profile.and_then(|p| p.returns.as_ref());
    let (names, success, failed): ([String; 5], Vec<String>, Vec<String>) = match layout {
        Some(l) => (
            [
                l.transfer_id.clone(),
                l.payee_account.clone().unwrap_or_default(),
                l.amount.clone(),
                l.status.clone(),
                l.reason.clone().unwrap_or_default(),
            ],
            l.success.iter().map(|s| s.to_lowercase()).collect(),
            l.failed.iter().map(|s| s.to_lowercase()).collect(),
        ),
        None => (
            ["transfer_id", "payee_account", "amount", "status", "reason"].map(String::from),
            ["success", "成功", "settled"].map(String::from).to_vec(),
            ["failed", "失败", "failure"].map(String::from).to_vec(),
        ),
    };
    let leak = |s: &String| -> &'static str { Box::leak(s.to_lowercase().into_boxed_str()) };
    let plain = layout.is_none();
    let wants = [
        Want {
            name: leak(&names[0]),
            aliases: if plain {
                &["转账编号", "交易编号", "业务编号", "流水号", "endtoendid"]
            } else {
                &[]
            },
            required: true,
        },
        Want {
            name: leak(&names[1]),
            aliases: if plain { &["收款账号", "银行账号", "账号"] } else { &[] },
            required: false,
        },
        Want {
            name: leak(&names[2]),
            aliases: if plain { &["金额", "交易金额", "实发金额"] } else { &[] },
            required: true,
        },
        Want {
            name: leak(&names[3]),
            aliases: if plain { &["状态", "交易状态", "处理结果"] } else { &[] },
            required: true,
        },
        Want {
            name: leak(&names[4]),
            aliases: if plain { &["原因", "失败原因", "备注"] } else { &[] },
            required: false,
        },
    ];
    let table = if crate::roster::workbook::is_workbook(path) {
        crate::table::read_workbook_table(path, "bank return file", &wants)?
    } else {
        read_table(path, "bank return file", &wants)?
    };
    let lines = table
        .rows
        .iter()
        .map(|r| {
            let f = |k: usize| fold_width(&r.fields[k]).into_owned();
            let amount = parse_amount(&f(2)).ok();
            let status = f(3).to_lowercase();
            let success = if success.contains(&status) {
                Some(true)
            } else if failed.contains(&status) {
                Some(false)
            } else {
                None
            };
            let problem = if r.malformed {
                Some("the line does not have as many fields as the header".to_owned())
            } else if amount.is_none() {
                Some(format!("amount {:?} is not an amount", r.fields[2]))
            } else if success.is_none() {
                Some(format!("status {:?} is neither a success nor a failure", r.fields[3]))
            } else if r.fields[0].is_empty() {
                Some("transfer_id is empty".to_owned())
            } else {
                None
            };
            ReturnLine {
                line: r.line,
                transfer_id: f(0),
                account: f(1).replace([' ', '-'], ""),
                amount,
                amount_reported: true,
                success,
                reason: r.fields[4].clone(),
                problem,
            }
        })
        .collect();
    Ok((lines, table.sha256))
}

/// An ISO 20022 pain.002.001.10 status report: one line per `TxInfAndSts`.
/// `ACSC`/`ACCC` settle, `RJCT` fails (with the reason code and text); any other
/// status is not final and is reported as an unreadable line.
fn read_pain002(path: &str, bytes: &[u8]) -> Result<Vec<ReturnLine>, Fatal> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        fatal("the status report is not UTF-8 XML", "give the bank's pain.002 file as it was sent").in_file(path)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        fatal(format!("the status report is not well-formed XML: {e}"), "give the bank's pain.002 file as it was sent")
            .in_file(path)
    })?;
    if !doc.root_element().tag_name().namespace().is_some_and(|n| n.contains("pain.002")) {
        return Err(
            fatal("this XML is not a pain.002 payment status report", "give the bank's pain.002 file").in_file(path)
        );
    }
    let child = |n: roxmltree::Node<'_, '_>, path: &[&str]| -> Option<String> {
        let mut node = n;
        for name in path {
            node = node.children().find(|c| c.is_element() && c.tag_name().name() == *name)?;
        }
        node.text().map(|t| t.trim().to_owned())
    };
    let mut lines = Vec::new();
    for tx in doc.descendants().filter(|n| n.is_element() && n.tag_name().name() == "TxInfAndSts") {
        let line = text[..tx.range().start].matches('\n').count() as u64 + 1;
        let id = child(tx, &["OrgnlEndToEndId"]).unwrap_or_default();
        let status = child(tx, &["TxSts"]).unwrap_or_default();
        let success = match status.as_str() {
            "ACSC" | "ACCC" => Some(true),
            "RJCT" => Some(false),
            _ => None,
        };
        let amount = child(tx, &["OrgnlTxRef", "Amt", "InstdAmt"]).and_then(|a| a.parse::<Decimal>().ok());
        let code = child(tx, &["StsRsnInf", "Rsn", "Cd"]).or_else(|| child(tx, &["StsRsnInf", "Rsn", "Prtry"]));
        let info = child(tx, &["StsRsnInf", "AddtlInf"]);
        let reason = match (code, info) {
            (Some(c), Some(i)) => format!("{c}: {i}"),
            (Some(c), None) => c,
            (None, Some(i)) => i,
            (None, None) => String::new(),
        };
        let problem = if id.is_empty() {
            Some("OrgnlEndToEndId is missing".to_owned())
        } else if success.is_none() {
            Some(format!("status {status:?} is not final (ACSC, ACCC or RJCT)"))
        } else {
            None
        };
        lines.push(ReturnLine {
            line,
            transfer_id: id,
            account: child(tx, &["OrgnlTxRef", "CdtrAcct", "Id", "Othr", "Id"]).unwrap_or_default(),
            amount_reported: amount.is_some(),
            amount,
            success,
            reason,
            problem,
        });
    }
    Ok(lines)
}

/// Matches return lines to transfers: one finding per transfer, then the unmatched.
fn classify(transfers: &[Transfer], returns: &[ReturnLine]) -> Vec<Finding> {
    let mut by_id: HashMap<&str, Vec<&ReturnLine>> = HashMap::new();
    for r in returns.iter().filter(|r| r.problem.is_none()) {
        by_id.entry(r.transfer_id.as_str()).or_default().push(r);
    }
    let mut findings = Vec::with_capacity(transfers.len());
    for t in transfers {
        let lines = by_id.remove(t.id.as_str()).unwrap_or_default();
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
            [r] if !r.account.is_empty() && r.account != t.account => {
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
            transfer_id: t.id.clone(),
            account: t.account.clone(),
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
    crate::output::staged::check_empty(&cfg.out)?;
    let (manifest, manifest_sha, transfers) = read_run(&cfg.run_dir)?;
    let (returns, returns_sha) = read_returns(&cfg.returns, cfg.returns_profile.as_ref())?;
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
