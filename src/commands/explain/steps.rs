//! The steps of `explain` for one roster row, each a true statement in the clerk's
//! language: a check that passes says why, a check that fails says what was found
//! (never an inequality that does not hold), with the glossary's words, months as
//! 2018年7月 and amounts in 元 under Chinese.

use rust_decimal::Decimal;

use super::{Matcher, RowExplanation, Step};
use crate::batch::RowOutcome;
use crate::core::decision::{eligibility_checks, hold_checks, Check, Decision, Entitlement};
use crate::core::detail::{Detail, Lang};
use crate::core::glossary::{self, Group};
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::policy::PolicyRow;
use crate::core::reason::Reason;
use crate::core::record::{Record, Status};

/// A step: its machine name (`--json`'s `check`), the label people read, the result.
fn step(check: &str, label: &str, pass: Option<bool>, detail: impl Into<String>) -> Step {
    let result = match pass {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "info",
    };
    Step { check: check.to_owned(), label: label.to_owned(), result: result.to_owned(), detail: detail.into() }
}

/// A reason for people: the code in English, the Chinese name and the code in Chinese.
pub(super) fn reason_name(r: Reason, l: Lang) -> String {
    match l {
        Lang::En => r.code().to_owned(),
        Lang::Zh => format!("{}（{}）", glossary::say(Group::Reason, r.code(), l), r.code()),
    }
}

/// A source `path:line` for people: `path第N行` in Chinese.
pub(super) fn source(path: &str, line: u64, l: Lang) -> String {
    match l {
        Lang::En => format!("{path}:{line}"),
        Lang::Zh => format!("{path}第{line}行"),
    }
}

fn month(m: Month, l: Lang) -> String {
    glossary::month(m, l)
}

fn yuan(d: Decimal, l: Lang) -> String {
    glossary::yuan(d, l)
}

fn label(code: &str, l: Lang) -> &'static str {
    glossary::lookup(Group::Label, code).map_or("", |t| t.say(l))
}

impl Matcher<'_> {
    pub(super) fn explain_row(&self, path: &str, r: &RowOutcome<'_>) -> RowExplanation {
        let l = self.cfg.lang;
        let mut steps = vec![step("row", l.pick("row", "行"), None, source(path, r.line, l))];
        match r.record() {
            None => {
                let detail = match r.reason {
                    Some(reason) => match l {
                        Lang::En => format!("{}: {}", reason.code(), r.detail.render(l)),
                        Lang::Zh => format!("{}：{}", reason_name(reason, l), r.detail.render(l)),
                    },
                    None => r.detail.render(l),
                };
                steps.push(step("fields", l.pick("fields", "各项数据"), Some(false), detail));
            }
            Some(rec) => self.valid_steps(rec, r, &mut steps),
        }
        let amount = r.entitlement.filter(|_| r.decision == Decision::Paid).map(|e| e.amount);
        let decision = glossary::say(Group::Decision, r.decision.as_str(), l);
        let said = match (amount, r.reason) {
            (Some(a), _) if l == Lang::Zh => format!("{decision}{}", yuan(a, l)),
            (Some(a), _) => format!("{decision} {}", yuan(a, l)),
            // A rejected row's sentence is the fields step just above: not said twice.
            (None, Some(reason)) if r.decision == Decision::Rejected => match l {
                Lang::En => format!("{decision}, {} (see the fields above)", reason.code()),
                Lang::Zh => format!("{decision}；原因：{}（见上一项）", reason_name(reason, l)),
            },
            (None, Some(reason)) => match l {
                Lang::En => format!("{decision}, {}: {}", reason.code(), r.detail.render(l)),
                Lang::Zh => format!("{decision}；原因：{}；{}", reason_name(reason, l), r.detail.render(l)),
            },
            (None, None) => decision.to_owned(),
        };
        steps.push(step("decision", label("decision", l), None, said));
        if !r.arrears.is_empty() {
            let months: Vec<String> = r.arrears.iter().map(|a| month(a.month, l)).collect();
            let said = match l {
                Lang::En => {
                    format!("{} for {} month(s): {}", fmt_amount(r.arrears_total()), months.len(), months.join(", "))
                }
                Lang::Zh => format!("{}，共{}个月：{}", yuan(r.arrears_total(), l), months.len(), months.join("、")),
            };
            steps.push(step("arrears", label("arrears", l), None, said));
        }
        RowExplanation {
            source: format!("{path}:{}", r.line),
            decision: r.decision.as_str().to_owned(),
            reason: r.reason.map(|c| c.code().to_owned()),
            standard: r.standard.map(fmt_amount),
            amount: amount.map(fmt_amount),
            arrears: r
                .arrears
                .iter()
                .map(|a| super::ArrearsLine {
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
        let id = self.pii(rec.child_id.as_str());
        steps.push(step(
            "child_id",
            label("child_id", l),
            Some(true),
            match l {
                Lang::En => format!("{id} (born {y:04}-{m:02}-{d:02})"),
                Lang::Zh => format!("{id}（{y}年{m}月{d}日出生）"),
            },
        ));
        steps.push(step("name", label("name", l), Some(true), rec.name.to_string()));
        let category = match l {
            Lang::En => rec.category.as_str(),
            Lang::Zh => glossary::say(Group::Category, rec.category.as_str(), l),
        };
        steps.push(step("category", label("category", l), Some(true), category));
        steps.push(step("region_code", label("region_code", l), Some(true), rec.region_code.to_string()));
        let months = match (l, rec.ended_after) {
            (Lang::En, Some(end)) => format!("approved_from {}, ended_after {end}", rec.approved_from),
            (Lang::En, None) => format!("approved_from {}, no ended_after (open)", rec.approved_from),
            (Lang::Zh, Some(end)) => format!("自{}起，至{}止", month(rec.approved_from, l), month(end, l)),
            (Lang::Zh, None) => format!("自{}起，未填截止年月", month(rec.approved_from, l)),
        };
        steps.push(step("months", l.pick("months", "保障年月"), Some(true), months));
        let recorded = match rec.monthly_amount {
            Some(a) => yuan(a, l),
            None => l.pick("blank: the standard is paid", "未填，按标准发放").to_owned(),
        };
        steps.push(step("monthly_amount", label("monthly_amount", l), Some(true), recorded));
        let account = self.pii(&rec.payee_account);
        let payee = match (&rec.payee_bank_code, l) {
            (Some(code), Lang::En) => format!("{} / {account} / {} (bank code {code})", rec.payee_name, rec.payee_bank),
            (None, Lang::En) => format!("{} / {account} / {}", rec.payee_name, rec.payee_bank),
            (Some(code), Lang::Zh) => format!("{}，账号{account}，{}（联行号{code}）", rec.payee_name, rec.payee_bank),
            (None, Lang::Zh) => format!("{}，账号{account}，{}", rec.payee_name, rec.payee_bank),
        };
        steps.push(step("payee", l.pick("payee", "收款人"), Some(true), payee));
        // The policy rows considered; the one whose minimum the run used sets it.
        let rows = cfg.policy.applicable(rec.category, &rec.region_code, p);
        let standard = r.standard;
        let setter = rows.iter().filter(|row| Some(row.minimum) == standard).max_by_key(|row| row.region_prefix.len());
        for row in &rows {
            let sets = setter.is_some_and(|s| std::ptr::eq(*s, *row));
            steps.push(step("policy", label("policy", l), None, policy_row(row, sets, l)));
        }
        if let Some(e) = r.entitlement.or_else(|| standard.map(|s| Entitlement::new(rec.monthly_amount, s))) {
            steps.push(step("amount", label("amount", l), None, amount(rec.monthly_amount, &e, l)));
        }
        // Every check the decision makes, through the functions that make it: each
        // is shown passed or failed, not only the first that failed.
        if let Some(standard) = r.standard {
            for check in hold_checks(rec, standard, r.flags.clone(), cfg.ceiling) {
                steps.push(self.check_step(check, rec, Some(standard)));
            }
        }
        for (k, check) in eligibility_checks(rec, p).into_iter().enumerate() {
            // The second check is `ENDED` by the roster's status word: shown as a
            // status check, apart from `ENDED` by `ended_after`.
            if k == 1 {
                let said = match (&check.1, l) {
                    (Some(Detail::EndedStatus { word }), Lang::En) => {
                        format!("the roster's status is \"{word}\": the entitlement has ended (ENDED)")
                    }
                    (Some(Detail::EndedStatus { word }), Lang::Zh) => {
                        format!("花名册状态为“{word}”，保障已终止；{}", reason_name(Reason::Ended, l))
                    }
                    (Some(d), _) => d.render(l),
                    (None, _) => l.pick("the status does not end the entitlement", "花名册状态不是终止").to_owned(),
                };
                let name = l.pick("status not ended", "状态未终止");
                steps.push(step("status_not_ended", name, Some(check.1.is_none()), said));
            } else {
                steps.push(self.check_step(check, rec, None));
            }
        }
    }

    /// One decision check as a step: what it checks, passed or failed, and the fact
    /// that decided it, true either way.
    fn check_step(&self, (reason, failed): Check, rec: &Record<'_>, standard: Option<Decimal>) -> Step {
        let (l, p) = (self.cfg.lang, self.cfg.period);
        let (name, label) = match reason {
            Reason::DuplicateId => ("duplicate_id", l.pick("unique ID", "身份证号码唯一")),
            Reason::PayeeConflict => ("payee_conflict", l.pick("payee agrees", "收款信息一致")),
            Reason::ExceedsCeiling => ("ceiling", l.pick("ceiling", "未超过上限")),
            Reason::Suspended => ("status", l.pick("status", "未暂停发放")),
            Reason::NotStarted => ("started", l.pick("started", "保障已开始")),
            Reason::Ended => ("not_ended", l.pick("not ended", "保障未截止")),
            Reason::AgedOut => ("not_aged_out", l.pick("under 18", "未满18周岁")),
            _ => (reason.code(), reason.code()),
        };
        let fact = fact(reason, failed.as_ref(), rec, standard, self.cfg.ceiling, p, l);
        let said = match (&failed, l) {
            (None, _) => fact,
            (Some(_), Lang::En) => format!("{fact} ({})", reason.code()),
            (Some(_), Lang::Zh) => format!("{fact}；{}", reason_name(reason, l)),
        };
        step(name, label, Some(failed.is_none()), said)
    }
}

/// The fact a check turned on, as a statement that is true whether it passed or not.
fn fact(
    reason: Reason,
    failed: Option<&Detail>,
    rec: &Record<'_>,
    standard: Option<Decimal>,
    ceiling: Decimal,
    p: Month,
    l: Lang,
) -> String {
    let zh = l == Lang::Zh;
    match (reason, failed) {
        (Reason::DuplicateId, Some(Detail::DuplicateId { other })) => match l {
            Lang::En => format!("the valid row at {other} has the same ID"),
            Lang::Zh => format!("{}也有一行有效记录使用该身份证号码", source(&other.path, other.line, l)),
        },
        (Reason::DuplicateId, _) => {
            l.pick("no other valid row has this ID", "没有其他有效记录使用该身份证号码").to_owned()
        }
        (Reason::PayeeConflict, Some(Detail::PayeeConflict { other, field })) => match l {
            Lang::En => {
                format!("the row at {other} has the same payee_account but a different {}", field.column().name())
            }
            Lang::Zh => format!(
                "{}的收款账号相同，但{}不同",
                source(&other.path, other.line, l),
                label(field.column().name(), l)
            ),
        },
        (Reason::PayeeConflict, _) => l
            .pick(
                "the rows of this payee_account agree on payee_name, payee_bank and payee_bank_code",
                "同一收款账号各行的收款人、开户银行和开户行联行号一致",
            )
            .to_owned(),
        (Reason::ExceedsCeiling, _) => {
            let amount = standard.map(|s| Entitlement::new(rec.monthly_amount, s).amount).unwrap_or_default();
            match (failed.is_some(), zh) {
                (true, false) => {
                    format!("amount {} is above the ceiling {}", fmt_amount(amount), fmt_amount(ceiling))
                }
                (false, false) => {
                    format!("amount {} is not above the ceiling {}", fmt_amount(amount), fmt_amount(ceiling))
                }
                (true, true) => format!("金额{}超过上限{}", yuan(amount, l), yuan(ceiling, l)),
                (false, true) => format!("金额{}未超过上限{}", yuan(amount, l), yuan(ceiling, l)),
            }
        }
        (Reason::Suspended, Some(_)) => l.pick("the roster's status is suspended", "花名册状态为暂停").to_owned(),
        (Reason::Suspended, None) => match (rec.status, l) {
            (Status::Ended(word), Lang::En) => format!("the status is \"{word}\", not suspended"),
            (Status::Ended(word), Lang::Zh) => format!("状态为“{word}”，不是暂停"),
            (_, _) => l.pick("the status is active", "状态为正常").to_owned(),
        },
        (Reason::NotStarted, _) => {
            let before = failed.is_some();
            match l {
                Lang::En => {
                    format!("{p} is {}before approved_from {}", if before { "" } else { "not " }, rec.approved_from)
                }
                Lang::Zh => format!(
                    "{}{}保障起始年月{}",
                    month(p, l),
                    if before { "早于" } else { "不早于" },
                    month(rec.approved_from, l)
                ),
            }
        }
        (Reason::Ended, _) => match (rec.ended_after, l) {
            (None, _) => l.pick("no ended_after: the entitlement is open", "未填保障截止年月").to_owned(),
            (Some(end), Lang::En) => {
                format!("{p} is {}after ended_after {end}", if failed.is_some() { "" } else { "not " })
            }
            (Some(end), Lang::Zh) => format!(
                "{}{}保障截止年月{}",
                month(p, l),
                if failed.is_some() { "晚于" } else { "不晚于" },
                month(end, l)
            ),
        },
        (Reason::AgedOut, _) => match (rec.last_month_before_adulthood(), l) {
            (None, _) => l.pick("no birth month in the ID", "身份证号码中没有出生年月").to_owned(),
            (Some(last), Lang::En) => {
                format!("turns 18 in {last}; {p} is {}after it", if failed.is_some() { "" } else { "not " })
            }
            (Some(last), Lang::Zh) => format!(
                "{}年满18周岁，发放到该月为止；{}{}该月",
                month(last, l),
                month(p, l),
                if failed.is_some() { "已过" } else { "未过" }
            ),
        },
        (_, Some(d)) => d.render(l),
        (_, None) => l.pick("pass", "通过").to_owned(),
    }
}

/// A policy row considered: where, from when, how much, and whether it set the
/// standard.
fn policy_row(row: &PolicyRow, sets: bool, l: Lang) -> String {
    let min = yuan(row.minimum, l);
    match l {
        Lang::En => {
            let place = if row.region_prefix.is_empty() {
                "all regions".to_owned()
            } else {
                format!("region prefix {}", row.region_prefix)
            };
            let sets = if sets { " (sets the standard)" } else { "" };
            format!("{place} from {}: {min}{sets}", row.effective_from)
        }
        Lang::Zh => {
            let place = if row.region_prefix.is_empty() {
                "全省".to_owned()
            } else {
                format!("行政区划代码以{}开头", row.region_prefix)
            };
            let sets = if sets { "（本行适用此标准）" } else { "" };
            format!("{place}，自{}起：{min}{sets}", month(row.effective_from, l))
        }
    }
}

/// How the amount was set, in words.
fn amount(recorded: Option<Decimal>, e: &Entitlement, l: Lang) -> String {
    use crate::core::decision::Basis;
    let basis = glossary::say(Group::Basis, e.basis.as_str(), l);
    match (l, e.basis, recorded) {
        (Lang::En, Basis::Standard, _) => {
            format!("monthly_amount is blank: the standard {} is paid (standard)", fmt_amount(e.standard))
        }
        (Lang::En, Basis::Recorded, Some(r)) => format!(
            "the recorded {} is not below the standard {}: {} is paid (recorded)",
            fmt_amount(r),
            fmt_amount(e.standard),
            fmt_amount(e.amount)
        ),
        (Lang::En, _, r) => format!(
            "the recorded {} is below the standard {}: raised to {} (raised_to_minimum)",
            r.map(fmt_amount).unwrap_or_default(),
            fmt_amount(e.standard),
            fmt_amount(e.amount)
        ),
        (Lang::Zh, Basis::Standard, _) => format!("{basis}：未填月发放金额，发放{}", yuan(e.standard, l)),
        (Lang::Zh, Basis::Recorded, Some(r)) => {
            format!("{basis}：月发放金额{}不低于标准{}，发放{}", yuan(r, l), yuan(e.standard, l), yuan(e.amount, l))
        }
        (Lang::Zh, _, r) => format!(
            "{basis}：月发放金额{}低于标准{}，发放{}",
            r.map(|r| yuan(r, l)).unwrap_or_default(),
            yuan(e.standard, l),
            yuan(e.amount, l)
        ),
    }
}
