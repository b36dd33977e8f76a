//! `disburse explain`: the whole reasoning for one child, step by step (SPEC 10).
//!
//! Every roster row with the child's ID, each field check, the roster-wide checks,
//! the policy rows considered and the one that set the standard, each eligibility
//! check, the decision and the amount; with a ledger, the child's history and any
//! back pay month by month. The same facts as `run` decides them (same pipeline).

use std::io::Write;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::{DecisionSink, Roster, RosterIndex, RowOutcome, Rules};
use crate::core::decision::{eligibility_checks, hold_checks, Check, Decision, Entitlement};
use crate::core::detail::Lang;
use crate::core::id::ChildId;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::policy::Policy;
use crate::core::reason::Reason;
use crate::core::record::{Record, Status};
use crate::core::text::{fold_width, mask, trim};
use crate::error::{Fatal, Finish};
use crate::ledger::{HistoryLine, Ledger};
use crate::roster::EncodingChoice;

/// A validated `explain` invocation.
#[derive(Debug, Clone)]
pub struct ExplainConfig {
    pub period: Month,
    pub child: String,
    pub policy: Policy,
    pub ceiling: Decimal,
    pub encoding: EncodingChoice,
    pub rosters: Vec<String>,
    pub sheet: Option<String>,
    /// `--roster-profile`, or the default (none).
    pub roster_profile: std::sync::Arc<crate::roster::profile::RosterProfile>,
    /// The ledger to read (never written), if any.
    pub ledger: Option<PathBuf>,
    pub json: bool,
    pub show_pii: bool,
    pub lang: Lang,
}

/// One step of the reasoning.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub check: String,
    /// `pass`, `fail` or `info`.
    pub result: String,
    pub detail: String,
}

/// The reasoning for one roster row.
#[derive(Debug, Clone, Serialize)]
pub struct RowExplanation {
    pub source: String,
    pub decision: String,
    pub reason: Option<String>,
    pub standard: Option<String>,
    pub amount: Option<String>,
    pub arrears: Vec<ArrearsLine>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArrearsLine {
    pub month: String,
    pub standard: String,
    pub paid: String,
    pub owed: String,
}

/// Everything `explain` says about the child.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub child_id: String,
    pub period: String,
    pub policy: String,
    pub rows: Vec<RowExplanation>,
    pub history: Option<Vec<HistoryLine>>,
}

struct Matcher<'c> {
    cfg: &'c ExplainConfig,
    /// The roster-wide facts, asked the same way the run asks them.
    index: &'c RosterIndex,
    key: String,
    found: Vec<RowExplanation>,
}

fn step(check: &str, pass: Option<bool>, detail: impl Into<String>) -> Step {
    let result = match pass {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "info",
    };
    Step { check: check.to_owned(), result: result.to_owned(), detail: detail.into() }
}

impl Matcher<'_> {
    fn pii(&self, s: &str) -> String {
        if self.cfg.show_pii {
            s.to_owned()
        } else {
            mask(s)
        }
    }

    fn explain_row(&self, path: &str, r: &RowOutcome<'_>) -> RowExplanation {
        let l = self.cfg.lang;
        let mut steps = vec![step("row", None, format!("{path}:{}", r.line))];
        match r.record() {
            None => {
                let reason = r.reason.map(|c| c.code()).unwrap_or("");
                steps.push(step("fields", Some(false), format!("{reason}: {}", r.detail.render(l))));
            }
            Some(rec) => self.valid_steps(rec, r, &mut steps),
        }
        let amount = r.entitlement.filter(|_| r.decision == Decision::Paid).map(|e| fmt_amount(e.amount));
        steps.push(step(
            "decision",
            None,
            match (&amount, r.reason) {
                (Some(a), _) => format!("{} {a}", l.pick("paid", "发放")),
                (None, Some(reason)) => format!("{} {}: {}", r.decision.as_str(), reason.code(), r.detail.render(l)),
                (None, None) => r.decision.as_str().to_owned(),
            },
        ));
        if !r.arrears.is_empty() {
            steps.push(step(
                "arrears",
                None,
                format!("{} {} ({})", l.pick("back pay", "补发"), fmt_amount(r.arrears_total()), r.arrears.len()),
            ));
        }
        RowExplanation {
            source: format!("{path}:{}", r.line),
            decision: r.decision.as_str().to_owned(),
            reason: r.reason.map(|c| c.code().to_owned()),
            standard: r.standard.map(fmt_amount),
            amount,
            arrears: r
                .arrears
                .iter()
                .map(|a| ArrearsLine {
                    month: a.month.to_string(),
                    standard: fmt_amount(a.standard),
                    paid: fmt_amount(a.paid),
                    owed: fmt_amount(a.owed),
                })
                .collect(),
            steps,
        }
    }

    fn valid_steps(&self, rec: &Record<'_>, r: &RowOutcome<'_>, steps: &mut Vec<Step>) {
        let cfg = self.cfg;
        let l = cfg.lang;
        let p = cfg.period;
        let (y, m, d) = rec.child_id.birth_date();
        steps.push(step(
            "child_id",
            Some(true),
            format!("{} ({} {y:04}-{m:02}-{d:02})", self.pii(rec.child_id.as_str()), l.pick("born", "出生")),
        ));
        steps.push(step("name", Some(true), rec.name.to_string()));
        steps.push(step("category", Some(true), rec.category.as_str()));
        steps.push(step("region_code", Some(true), rec.region_code.to_string()));
        steps.push(step(
            "months",
            Some(true),
            format!(
                "approved_from {}, ended_after {}",
                rec.approved_from,
                rec.ended_after.map(|e| e.to_string()).unwrap_or_else(|| l.pick("open", "未截止").to_owned())
            ),
        ));
        steps.push(step(
            "monthly_amount",
            Some(true),
            rec.monthly_amount
                .map(fmt_amount)
                .unwrap_or_else(|| l.pick("blank: the standard is paid", "空：按标准发放").to_owned()),
        ));
        steps.push(step(
            "payee",
            Some(true),
            match &rec.payee_bank_code {
                Some(code) => {
                    format!("{} / {} / {} ({code})", rec.payee_name, self.pii(&rec.payee_account), rec.payee_bank)
                }
                None => format!("{} / {} / {}", rec.payee_name, self.pii(&rec.payee_account), rec.payee_bank),
            },
        ));
        // The policy.
        let rows = cfg.policy.applicable(rec.category, &rec.region_code, p);
        // The standard the decision used (the pipeline's, not recomputed here).
        let standard = r.standard;
        for row in &rows {
            let sets = Some(row.minimum) == standard;
            steps.push(step(
                "policy",
                None,
                format!(
                    "prefix {:?} from {}: {}{}",
                    row.region_prefix,
                    row.effective_from,
                    fmt_amount(row.minimum),
                    if sets { l.pick(" (sets the standard)", "（决定标准）") } else { "" }
                ),
            ));
        }
        if let Some(e) = r.entitlement.or_else(|| standard.map(|s| Entitlement::new(rec.monthly_amount, s))) {
            steps.push(step(
                "amount",
                None,
                format!(
                    "max({}, {}) = {} ({})",
                    rec.monthly_amount.map(fmt_amount).unwrap_or_else(|| "-".into()),
                    fmt_amount(e.standard),
                    fmt_amount(e.amount),
                    e.basis.as_str()
                ),
            ));
        }
        // Every check the decision makes, through the functions that make it: each
        // is shown passed or failed, not only the first that failed.
        let flags = r.flags.clone();
        if let Some(standard) = r.standard {
            for check in hold_checks(rec, standard, flags.clone(), cfg.ceiling) {
                steps.push(self.check_step(check, rec, Some(standard)));
            }
        }
        for (k, check) in eligibility_checks(rec, p).into_iter().enumerate() {
            // The second check is `ENDED` by the roster's status word: shown as a
            // status check, apart from `ENDED` by `ended_after`.
            if k == 1 {
                let l = self.cfg.lang;
                let detail = match &check.1 {
                    Some(d) => format!("{}: {}", check.0.code(), d.render(l)),
                    None => l.pick("not ended by its status", "状态未终止").to_owned(),
                };
                steps.push(step("status_not_ended", Some(check.1.is_none()), detail));
            } else {
                steps.push(self.check_step(check, rec, None));
            }
        }
    }

    /// One decision check as a step: its name, passed or failed, and why.
    fn check_step(&self, (reason, failed): Check, rec: &Record<'_>, standard: Option<Decimal>) -> Step {
        let (l, p) = (self.cfg.lang, self.cfg.period);
        let name = match reason {
            Reason::DuplicateId => "duplicate_id",
            Reason::PayeeConflict => "payee_conflict",
            Reason::ExceedsCeiling => "ceiling",
            Reason::Suspended => "status",
            Reason::NotStarted => "started",
            Reason::Ended => "not_ended",
            Reason::AgedOut => "not_aged_out",
            _ => reason.code(),
        };
        let detail = match (&failed, reason) {
            (Some(d), _) => format!("{}: {}", reason.code(), d.render(l)),
            (None, Reason::DuplicateId) => l.pick("only valid row with this ID", "唯一的有效行").to_owned(),
            (None, Reason::PayeeConflict) => l.pick("the account's rows agree", "同账号各行一致").to_owned(),
            (None, Reason::ExceedsCeiling) => {
                let amount = standard.map(|s| Entitlement::new(rec.monthly_amount, s).amount);
                format!("{} <= {}", amount.map(fmt_amount).unwrap_or_default(), fmt_amount(self.cfg.ceiling))
            }
            (None, Reason::Suspended) => match rec.status {
                Status::Ended(word) => format!("ended ({word})"),
                _ => "active".to_owned(),
            },
            (None, Reason::NotStarted) => format!("{p} >= {}", rec.approved_from),
            (None, Reason::Ended) => match rec.ended_after {
                Some(end) => format!("{p} <= {end}"),
                None => l.pick("open", "未截止").to_owned(),
            },
            (None, Reason::AgedOut) => match rec.last_month_before_adulthood() {
                Some(last) => format!("{} {last}; {p} <= {last}", l.pick("18th birthday month", "年满18周岁的月份")),
                None => String::new(),
            },
            (None, _) => l.pick("pass", "通过").to_owned(),
        };
        step(name, Some(failed.is_none()), detail)
    }
}

impl DecisionSink for Matcher<'_> {
    type Chunk = Vec<RowExplanation>;

    fn render(&self, path: &str, _first_seq: u64, rows: &[RowOutcome<'_>]) -> Vec<RowExplanation> {
        rows.iter()
            .filter(|r| {
                let found = fold_width(trim(r.child_id())).to_ascii_uppercase();
                found == self.key
            })
            .map(|r| self.explain_row(path, r))
            .collect()
    }

    fn accept(&mut self, chunks: Vec<Vec<RowExplanation>>) -> Result<(), Fatal> {
        self.found.extend(chunks.into_iter().flatten());
        Ok(())
    }
}

pub fn explain(cfg: &ExplainConfig, stdout: &mut dyn Write, notes: &mut dyn Write) -> Result<Finish, Fatal> {
    let key = match ChildId::parse(&fold_width(trim(&cfg.child))) {
        Ok(id) => id.as_str().to_owned(),
        Err(_) => fold_width(trim(&cfg.child)).to_ascii_uppercase(),
    };
    let roster = Roster::open_with(&cfg.rosters, cfg.encoding, cfg.sheet.as_deref(), cfg.roster_profile.clone())?;
    let index = roster.index()?;
    let ledger = match &cfg.ledger {
        Some(p) => Ledger::open_read_only(p, notes)?,
        None => None,
    };
    let history = match &ledger {
        Some(l) => Some(l.history_before(cfg.period)?),
        None => None,
    };
    let rules = Rules {
        period: cfg.period,
        standards: cfg.policy.for_period(cfg.period),
        ceiling: cfg.ceiling,
        arrears: history.as_ref().map(|h| (&cfg.policy, h)),
    };
    roster.check_coverage(&index, &rules)?;
    let mut matcher = Matcher { cfg, index: &index, key: key.clone(), found: Vec::new() };
    roster.decide(&index, &rules, &mut matcher)?;
    let lines = match &ledger {
        Some(l) => Some(l.child_history(&key)?),
        None => None,
    };
    let shown = if cfg.show_pii { key.clone() } else { mask(&key) };
    let explanation = Explanation {
        child_id: shown.clone(),
        period: cfg.period.to_string(),
        policy: cfg.policy.name.clone(),
        rows: matcher.found,
        history: lines,
    };
    if cfg.json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&explanation).expect("serializes"));
        return Ok(Finish::Done);
    }
    let l = cfg.lang;
    let _ = writeln!(
        stdout,
        "{} {shown} — {} {} ({} {})",
        l.pick("child", "儿童"),
        l.pick("period", "期间"),
        cfg.period,
        l.pick("policy", "政策"),
        cfg.policy.name
    );
    if explanation.rows.is_empty() {
        let _ = writeln!(stdout, "{}", l.pick("no roster row has this ID", "花名册中没有该身份证号"));
    }
    for (n, row) in explanation.rows.iter().enumerate() {
        let _ = writeln!(stdout, "\n{} {} — {}", l.pick("row", "行"), n + 1, row.source);
        for s in &row.steps {
            let mark = match s.result.as_str() {
                "pass" => "✓",
                "fail" => "✗",
                _ => "·",
            };
            let _ = writeln!(stdout, "  {mark} {:<15} {}", s.check, s.detail);
        }
        for a in &row.arrears {
            let _ = writeln!(
                stdout,
                "    {} {}: {} {}, {} {}, {} {}",
                l.pick("arrears", "补发"),
                a.month,
                l.pick("standard", "标准"),
                a.standard,
                l.pick("paid", "已发"),
                a.paid,
                l.pick("owed", "应补"),
                a.owed
            );
        }
    }
    if let Some(h) = &explanation.history {
        let _ = writeln!(stdout, "\n{}", l.pick("ledger history:", "台账记录："));
        if h.is_empty() {
            let _ = writeln!(stdout, "  {}", l.pick("none", "无"));
        }
        for x in h {
            let _ = writeln!(
                stdout,
                "  {} {:<8} {:>10} {:<8} run {} ({})",
                x.month, x.kind, x.amount, x.status, x.run, x.run_status
            );
        }
    }
    Ok(Finish::Done)
}
