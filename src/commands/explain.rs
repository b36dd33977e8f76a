//! `disburse explain`: the whole reasoning for one child, step by step (SPEC 10).
//!
//! Every roster row with the child's ID, each field check, the roster-wide checks,
//! the policy rows considered and the one that set the standard, each eligibility
//! check, the decision and the amount; with a ledger, the child's history and any
//! back pay month by month. The same facts as `run` decides them (same pipeline).
//! The steps are built in `steps.rs` and printed by `text.rs` in the clerk's
//! language; `--json` keeps the machine names.

mod steps;
mod text;

use std::io::Write;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::{DecisionSink, Roster, RowOutcome, Rules};
use crate::core::detail::Lang;
use crate::core::id::ChildId;
use crate::core::month::Month;
use crate::core::policy::Policy;
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
    /// What the check is called for people (the text form; `check` is for machines).
    #[serde(skip)]
    pub label: String,
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
    key: String,
    found: Vec<RowExplanation>,
}

impl Matcher<'_> {
    fn pii(&self, s: &str) -> String {
        if self.cfg.show_pii {
            s.to_owned()
        } else {
            mask(s)
        }
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
        Some(p) => Ledger::open_read_only(p, cfg.lang, notes)?,
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
    let mut matcher = Matcher { cfg, key: key.clone(), found: Vec::new() };
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
    text::print(stdout, cfg, &shown, &explanation);
    Ok(Finish::Done)
}
