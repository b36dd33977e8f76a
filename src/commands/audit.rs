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
                        format!("{}（{name}）：{}", c.code(), r.detail.render(Lang::Zh))
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

/// A reason in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Said {
    en: String,
    zh: String,
}

fn said(en: impl Into<String>, zh: impl Into<String>) -> Said {
    Said { en: en.into(), zh: zh.into() }
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

/// The finding for a child on the roster: what the rules owe it (`o`) against the
/// register's `lines` for it (0 when it is not in the register), which add up to `paid`.
/// The order of the arms is the rule: a duplicate first, then entitlement, then
/// `below_minimum` before `underpaid`.
fn judge(o: &Owed, lines: usize, paid: Decimal) -> (Status, Said) {
    let yuan = |d: Decimal| crate::core::glossary::yuan(d, Lang::Zh);
    match lines {
        0 if o.owed > Decimal::ZERO => (Status::Unpaid, said("owed but not in the register", "应发，但发放名单中没有")),
        0 => (Status::Match, said(o.reason.clone(), o.reason_zh.clone())),
        n if n > 1 => {
            (Status::DuplicatePayment, said(format!("paid on {n} lines of the register"), format!("发放名单中有{n}行")))
        }
        _ if o.decision != Decision::Paid => (Status::NotEntitled, said(o.reason.clone(), o.reason_zh.clone())),
        _ if paid == o.owed => (Status::Match, said("", "")),
        _ if o.standard.is_some_and(|s| paid < s) => (
            Status::BelowMinimum,
            said(
                format!("paid less than the standard {}", o.standard.map(fmt_amount).unwrap_or_default()),
                format!("实发{}，低于标准{}", yuan(paid), o.standard.map(yuan).unwrap_or_default()),
            ),
        ),
        _ if paid < o.owed => (
            Status::Underpaid,
            said(
                "paid less than owed (the roster's recorded amount)",
                format!("实发{}，少于应发{}（花名册金额）", yuan(paid), yuan(o.owed)),
            ),
        ),
        _ => (Status::Overpaid, said("paid more than owed", format!("实发{}，多于应发{}", yuan(paid), yuan(o.owed)))),
    }
}

/// The finding for a child in the register on no roster row, paid on `lines` lines.
fn judge_unknown(lines: usize) -> (Status, Said) {
    if lines > 1 {
        (
            Status::DuplicatePayment,
            said(
                format!("not on the roster, and paid on {lines} lines of the register"),
                format!("不在花名册上，且发放名单中有{lines}行"),
            ),
        )
    } else {
        (Status::UnknownChild, said("paid, but not on the roster", "已发放，但不在花名册上"))
    }
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
                reason_zh: "发放名单的这一行无法读取（缺身份证号码、金额有误或字段数不对）".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The finding with its English reason (as the CSV has it).
    fn j(o: &Owed, lines: usize, paid: Decimal) -> (Status, String) {
        let (s, why) = judge(o, lines, paid);
        (s, why.en)
    }

    fn ju(lines: usize) -> (Status, String) {
        let (s, why) = judge_unknown(lines);
        (s, why.en)
    }

    #[test]
    fn reasons_in_chinese_say_the_amounts_in_yuan() {
        let o = child(Decision::Paid, "850.50", Some("800.00"));
        assert_eq!(judge(&o, 1, d("700.00")).1.zh, "实发700.00元，低于标准800.00元");
        assert_eq!(judge(&o, 1, d("820.00")).1.zh, "实发820.00元，少于应发850.50元（花名册金额）");
        assert_eq!(judge_unknown(1).1.zh, "已发放，但不在花名册上");
        assert!(judge(&child(Decision::Excluded, "0", None), 1, d("1")).1.zh.starts_with("AGED_OUT（已满18周岁）"));
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A roster child as the rules left it: paid `owed` against `standard`, or not paid.
    fn child(decision: Decision, owed: &str, standard: Option<&str>) -> Owed {
        Owed {
            child: "430102201003120016".into(),
            name: "刘一鸣".into(),
            decision,
            reason: if decision == Decision::Paid { String::new() } else { "AGED_OUT: turned 18".into() },
            reason_zh: if decision == Decision::Paid {
                String::new()
            } else {
                "AGED_OUT（已满18周岁）：已满18周岁".into()
            },
            owed: d(owed),
            standard: standard.map(d),
            source: "roster.csv:2".into(),
        }
    }

    #[test]
    fn paid_what_is_owed_is_a_match() {
        let o = child(Decision::Paid, "800.00", Some("800.00"));
        assert_eq!(j(&o, 1, d("800.00")), (Status::Match, String::new()));
        // A recorded amount above the standard, paid in full.
        let o = child(Decision::Paid, "850.50", Some("800.00"));
        assert_eq!(j(&o, 1, d("850.50")).0, Status::Match);
    }

    #[test]
    fn owed_nothing_and_not_paid_is_a_match_with_the_roster_reason() {
        let o = child(Decision::Excluded, "0", Some("800.00"));
        assert_eq!(j(&o, 0, Decimal::ZERO), (Status::Match, "AGED_OUT: turned 18".into()));
    }

    #[test]
    fn below_the_standard_is_below_minimum_before_underpaid() {
        // Owed the recorded 850.50, paid 700: under the 800 standard as well as under
        // what was owed; the standard is the graver finding.
        let o = child(Decision::Paid, "850.50", Some("800.00"));
        assert_eq!(j(&o, 1, d("700.00")), (Status::BelowMinimum, "paid less than the standard 800.00".into()));
        assert_eq!(j(&o, 1, d("799.99")).0, Status::BelowMinimum);
    }

    #[test]
    fn under_what_is_owed_but_not_below_the_standard_is_underpaid() {
        let o = child(Decision::Paid, "850.50", Some("800.00"));
        assert_eq!(j(&o, 1, d("820.00")).0, Status::Underpaid);
        // Exactly the standard is not below it.
        assert_eq!(j(&o, 1, d("800.00")).0, Status::Underpaid);
    }

    #[test]
    fn more_than_owed_is_overpaid() {
        let o = child(Decision::Paid, "800.00", Some("800.00"));
        assert_eq!(j(&o, 1, d("800.01")), (Status::Overpaid, "paid more than owed".into()));
    }

    #[test]
    fn paid_although_not_paid_by_the_rules_is_not_entitled() {
        for decision in [Decision::Held, Decision::Excluded, Decision::Rejected] {
            let o = child(decision, "0", None);
            assert_eq!(j(&o, 1, d("800.00")), (Status::NotEntitled, "AGED_OUT: turned 18".into()), "{decision}");
        }
    }

    #[test]
    fn owed_and_not_in_the_register_is_unpaid() {
        let o = child(Decision::Paid, "800.00", Some("800.00"));
        assert_eq!(j(&o, 0, Decimal::ZERO), (Status::Unpaid, "owed but not in the register".into()));
    }

    #[test]
    fn two_register_lines_are_a_duplicate_payment_whatever_they_add_up_to() {
        let o = child(Decision::Paid, "800.00", Some("800.00"));
        assert_eq!(j(&o, 2, d("800.00")), (Status::DuplicatePayment, "paid on 2 lines of the register".into()));
        // Even for a child the rules would not pay.
        assert_eq!(j(&child(Decision::Held, "0", None), 3, d("2400.00")).0, Status::DuplicatePayment);
    }

    #[test]
    fn a_register_child_on_no_roster_row_is_unknown_or_a_duplicate() {
        assert_eq!(ju(1), (Status::UnknownChild, "paid, but not on the roster".into()));
        assert_eq!(ju(2), (Status::DuplicatePayment, "not on the roster, and paid on 2 lines of the register".into()));
    }

    /// Every status a child can get has a rule above: the cases here reach each one
    /// (`invalid_line` is a register line, not a child). The match is exhaustive, so a
    /// new status does not compile until it is placed here.
    #[test]
    fn every_status_is_reached_by_a_rule() {
        let paid = child(Decision::Paid, "850.50", Some("800.00"));
        let held = child(Decision::Held, "0", None);
        let reached = [
            j(&paid, 1, d("850.50")).0,
            j(&paid, 1, d("700.00")).0,
            j(&paid, 1, d("820.00")).0,
            j(&paid, 1, d("900.00")).0,
            j(&held, 1, d("800.00")).0,
            ju(1).0,
            j(&paid, 0, Decimal::ZERO).0,
            j(&paid, 2, d("850.50")).0,
        ];
        let place = |s: Status| match s {
            Status::Match => Some(0),
            Status::BelowMinimum => Some(1),
            Status::Underpaid => Some(2),
            Status::Overpaid => Some(3),
            Status::NotEntitled => Some(4),
            Status::UnknownChild => Some(5),
            Status::Unpaid => Some(6),
            Status::DuplicatePayment => Some(7),
            Status::InvalidLine => None,
        };
        for (i, s) in reached.iter().enumerate() {
            assert_eq!(place(*s), Some(i), "{s:?}");
        }
        // The written names are the contract's.
        let names: Vec<&str> = reached.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "match",
                "below_minimum",
                "underpaid",
                "overpaid",
                "not_entitled",
                "unknown_child",
                "unpaid",
                "duplicate_payment"
            ]
        );
    }
}
