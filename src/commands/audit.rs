//! `disburse audit`: check a payment register from any system against what the rules
//! say was owed for the period (SPEC section 9).
//!
//! The roster is decided exactly as `run` decides it (same pipeline, same rules, no
//! ledger, no arrears); every child found on either side gets one finding.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

mod book;
mod judge;

use crate::batch::{DecisionSink, Roster, RowOutcome, Rules};
use crate::core::decision::Decision;
use crate::core::detail::Lang;
use crate::core::id::ChildId;
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::month::Month;
use crate::core::policy::Policy;
use crate::core::text::{defuse, fold_width};
use crate::error::{Fatal, Finish};
use crate::output::csvline::push_row;
use crate::output::manifest::PolicyInfo;
use crate::output::sink::{OutputInfo, Sink};
use crate::output::staged::StagedDir;
use crate::roster::EncodingChoice;
use crate::table::{read_table, Want};
use judge::{judge, judge_unknown};

pub const FINDINGS: &str = "audit-findings.csv";
const HEADER: [&str; 8] = ["child_id", "name", "status", "owed", "paid", "difference", "reason", "source"];

/// A validated `audit` invocation.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub period: Month,
    pub paid: String,
    pub out: PathBuf,
    pub policy: Policy,
    pub ceiling: Decimal,
    pub encoding: EncodingChoice,
    pub rosters: Vec<String>,
    pub strict: bool,
    pub lang: Lang,
    pub sheet: Option<String>,
    /// `--roster-profile`, or the default (none).
    pub roster_profile: std::sync::Arc<crate::roster::profile::RosterProfile>,
}

/// What the rules say about one roster row.
#[derive(Debug, Clone)]
struct Owed {
    child: String,
    name: String,
    decision: Decision,
    reason: String,
    /// The reason for a person reading Chinese (the workbook).
    reason_zh: String,
    owed: Decimal,
    standard: Option<Decimal>,
    source: String,
}

struct Collect(Vec<Owed>, Lang);

impl DecisionSink for Collect {
    type Chunk = Vec<Owed>;

    fn render(&self, path: &str, _first_seq: u64, rows: &[RowOutcome<'_>]) -> Vec<Owed> {
        rows.iter()
            .map(|r| Owed {
                child: r.child_id().to_owned(),
                name: r.name().to_owned(),
                decision: r.decision,
                reason: r.reason.map(|c| format!("{}: {}", c.code(), r.detail.render(self.1))).unwrap_or_default(),
                reason_zh: r
                    .reason
                    .map(|c| {
                        let name = crate::core::glossary::say(crate::core::glossary::Group::Reason, c.code(), Lang::Zh);
                        format!("{name}（{}）：{}", c.code(), r.detail.render(Lang::Zh))
                    })
                    .unwrap_or_default(),
                owed: r.entitlement.filter(|_| r.decision == Decision::Paid).map_or(Decimal::ZERO, |e| e.amount),
                standard: r.standard,
                source: format!("{path}:{}", r.line),
            })
            .collect()
    }

    fn accept(&mut self, chunks: Vec<Vec<Owed>>) -> Result<(), Fatal> {
        self.0.extend(chunks.into_iter().flatten());
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Match,
    BelowMinimum,
    Underpaid,
    Overpaid,
    NotEntitled,
    UnknownChild,
    Unpaid,
    DuplicatePayment,
    InvalidLine,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::BelowMinimum => "below_minimum",
            Status::Underpaid => "underpaid",
            Status::Overpaid => "overpaid",
            Status::NotEntitled => "not_entitled",
            Status::UnknownChild => "unknown_child",
            Status::Unpaid => "unpaid",
            Status::DuplicatePayment => "duplicate_payment",
            Status::InvalidLine => "invalid_line",
        }
    }
}

struct Finding {
    child: String,
    name: String,
    status: Status,
    owed: Decimal,
    paid: Decimal,
    /// As the CSV has it.
    reason: String,
    /// For a person reading Chinese.
    reason_zh: String,
    source: String,
}

struct Payment {
    line: u64,
    amount: Decimal,
    name: String,
}

#[derive(Serialize)]
struct StatusTotals {
    children: u64,
    owed: String,
    paid: String,
}

#[derive(Serialize)]
struct AuditManifest {
    tool: String,
    version: String,
    command: String,
    period: String,
    policy: PolicyInfo,
    ceiling: String,
    inputs: Vec<InputRef>,
    register: InputRef,
    outputs: Vec<OutputInfo>,
    by_status: BTreeMap<String, StatusTotals>,
    owed: String,
    paid: String,
    net_difference: String,
}

#[derive(Serialize)]
struct InputRef {
    path: String,
    sha256: String,
    rows: u64,
}

/// The child key of a register or roster ID: the normalized ID when valid.
fn key(text: &str) -> String {
    let folded = fold_width(text.trim());
    ChildId::parse(&folded).map(|id| id.as_str().to_owned()).unwrap_or_else(|_| folded.into_owned())
}

pub fn audit(cfg: &AuditConfig, summary: &mut dyn Write) -> Result<Finish, Fatal> {
    crate::output::out_path::check_out_path(&cfg.out)?;
    crate::output::staged::check_empty(&cfg.out)?;
    let wants = [
        Want { name: "child_id", aliases: &crate::core::column::Column::ChildId.names()[1..], required: true },
        Want {
            name: "amount",
            aliases: &["金额", "发放金额", "实发金额", "monthly_amount", "月发放金额"],
            required: true,
        },
        Want { name: "name", aliases: &["姓名"], required: false },
    ];
    let register = read_table(&cfg.paid, "payment register", &wants)?;
    let roster = Roster::open_with(&cfg.rosters, cfg.encoding, cfg.sheet.as_deref(), cfg.roster_profile.clone())?;
    let index = roster.index()?;
    let rules =
        Rules { period: cfg.period, standards: cfg.policy.for_period(cfg.period), ceiling: cfg.ceiling, arrears: None };
    roster.check_coverage(&index, &rules)?;
    let mut collect = Collect(Vec::new(), cfg.lang);
    let inputs = roster.decide(&index, &rules, &mut collect)?;

    // Roster side, one entry per child (the first row's source; a paid row wins).
    let mut order: Vec<String> = Vec::new();
    let mut owed: HashMap<String, Owed> = HashMap::new();
    for o in collect.0 {
        match owed.get_mut(&o.child) {
            Some(existing) => {
                if o.decision == Decision::Paid && existing.decision != Decision::Paid {
                    *existing = Owed { source: existing.source.clone(), ..o };
                }
            }
            None => {
                order.push(o.child.clone());
                owed.insert(o.child.clone(), o);
            }
        }
    }
    // Register side.
    let mut invalid = Vec::new();
    let mut paid: HashMap<String, Vec<Payment>> = HashMap::new();
    let mut paid_order: Vec<String> = Vec::new();
    for r in &register.rows {
        let amount = parse_amount(&fold_width(&r.fields[1]));
        match (r.malformed, amount, r.fields[0].is_empty()) {
            (false, Ok(amount), false) => {
                let k = key(&r.fields[0]);
                if !paid.contains_key(&k) {
                    paid_order.push(k.clone());
                }
                paid.entry(k).or_default().push(Payment { line: r.line, amount, name: r.fields[2].clone() });
            }
            _ => invalid.push(Finding {
                child: r.fields[0].clone(),
                name: r.fields[2].clone(),
                status: Status::InvalidLine,
                owed: Decimal::ZERO,
                paid: Decimal::ZERO,
                reason: "the register line cannot be read (a missing ID, a bad amount or a wrong number of fields)"
                    .into(),
                reason_zh: "实发名册的这一行无法读取（缺身份证号码、金额有误或字段数不对）".into(),
                source: format!("{}:{}", cfg.paid, r.line),
            }),
        }
    }

    let mut findings = Vec::new();
    let register_source =
        |ps: &[Payment]| ps.iter().map(|p| format!("{}:{}", cfg.paid, p.line)).collect::<Vec<_>>().join(" ");
    for child in &order {
        let o = &owed[child];
        let payments = paid.remove(child);
        let total: Decimal = payments.iter().flatten().map(|p| p.amount).sum();
        let mut source = o.source.clone();
        if let Some(ps) = &payments {
            source = format!("{source} {}", register_source(ps));
        }
        let (status, reason) = judge(o, payments.as_ref().map_or(0, Vec::len), total);
        findings.push(Finding {
            child: child.clone(),
            name: o.name.clone(),
            status,
            owed: o.owed,
            paid: total,
            reason: reason.en,
            reason_zh: reason.zh,
            source,
        });
    }
    for child in &paid_order {
        let Some(ps) = paid.remove(child) else { continue };
        let total: Decimal = ps.iter().map(|p| p.amount).sum();
        let (status, reason) = judge_unknown(ps.len());
        findings.push(Finding {
            child: child.clone(),
            name: ps[0].name.clone(),
            status,
            owed: Decimal::ZERO,
            paid: total,
            reason: reason.en,
            reason_zh: reason.zh,
            source: register_source(&ps),
        });
    }
    findings.extend(invalid);

    let staged = StagedDir::prepare(&cfg.out)?;
    let mut sink = Sink::new(FINDINGS, cfg.out.join(FINDINGS), staged.create(FINDINGS)?);
    let mut buf = Vec::new();
    push_row(&mut buf, &HEADER);
    sink.write_raw(&buf)?;
    let mut by_status: BTreeMap<Status, (u64, Decimal, Decimal)> = BTreeMap::new();
    for f in &findings {
        buf.clear();
        push_row(
            &mut buf,
            &[
                defuse(&f.child).as_ref(),
                &defuse(&f.name),
                f.status.as_str(),
                &fmt_amount(f.owed),
                &fmt_amount(f.paid),
                &fmt_amount(f.paid - f.owed),
                &defuse(&f.reason),
                &defuse(&f.source),
            ],
        );
        sink.write_row(&buf)?;
        let e = by_status.entry(f.status).or_default();
        e.0 += 1;
        e.1 += f.owed;
        e.2 += f.paid;
    }
    let mut outputs = vec![sink.finish()?];
    let workbook = book::book(cfg, &findings, &by_status);
    outputs.push(crate::output::results_book::write(&staged, &cfg.out, book::WORKBOOK, &workbook)?);
    let total_owed: Decimal = findings.iter().map(|f| f.owed).sum();
    let total_paid: Decimal = findings.iter().map(|f| f.paid).sum();
    let report = AuditManifest {
        tool: "disburse".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "audit".into(),
        period: cfg.period.to_string(),
        policy: PolicyInfo { name: cfg.policy.name.clone(), sha256: cfg.policy.sha256.clone() },
        ceiling: fmt_amount(cfg.ceiling),
        inputs: inputs.into_iter().map(|i| InputRef { path: i.path, sha256: i.sha256, rows: i.rows }).collect(),
        register: InputRef {
            path: cfg.paid.clone(),
            sha256: register.sha256.clone(),
            rows: register.rows.len() as u64,
        },
        outputs,
        by_status: by_status
            .iter()
            .map(|(s, (n, o, p))| {
                (s.as_str().to_owned(), StatusTotals { children: *n, owed: fmt_amount(*o), paid: fmt_amount(*p) })
            })
            .collect(),
        owed: fmt_amount(total_owed),
        paid: fmt_amount(total_paid),
        net_difference: fmt_amount(total_paid - total_owed),
    };
    crate::output::manifest::write_json(&staged, &cfg.out, &report)?;
    staged.commit()?;

    let _ = write!(summary, "{}", book::summary_text(cfg, findings.len(), &by_status, total_owed, total_paid));
    let all_match = by_status.keys().all(|s| *s == Status::Match);
    Ok(if cfg.strict && !all_match { Finish::StrictFailed } else { Finish::Done })
}
