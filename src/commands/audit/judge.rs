//! The rule `audit` applies to one child: what the register paid against what the
//! rules owe, and why, in English (the CSV) and in Chinese (the workbook).

use rust_decimal::Decimal;

use super::{Owed, Status};
use crate::core::decision::Decision;
use crate::core::detail::Lang;
use crate::core::money::fmt_amount;

/// A reason in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Said {
    pub(super) en: String,
    pub(super) zh: String,
}

fn said(en: impl Into<String>, zh: impl Into<String>) -> Said {
    Said { en: en.into(), zh: zh.into() }
}

/// The finding for a child on the roster: what the rules owe it (`o`) against the
/// register's `lines` for it (0 when it is not in the register), which add up to `paid`.
/// The order of the arms is the rule: a duplicate first, then entitlement, then
/// `below_minimum` before `underpaid`.
pub(super) fn judge(o: &Owed, lines: usize, paid: Decimal) -> (Status, Said) {
    let yuan = |d: Decimal| crate::core::glossary::yuan(d, Lang::Zh);
    match lines {
        0 if o.owed > Decimal::ZERO => (Status::Unpaid, said("owed but not in the register", "应发，但实发名册中没有")),
        0 => (Status::Match, said(o.reason.clone(), o.reason_zh.clone())),
        n if n > 1 => {
            (Status::DuplicatePayment, said(format!("paid on {n} lines of the register"), format!("实发名册中有{n}行")))
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
pub(super) fn judge_unknown(lines: usize) -> (Status, Said) {
    if lines > 1 {
        (
            Status::DuplicatePayment,
            said(
                format!("not on the roster, and paid on {lines} lines of the register"),
                format!("不在花名册上，且实发名册中有{lines}行"),
            ),
        )
    } else {
        (Status::UnknownChild, said("paid, but not on the roster", "已发放，但不在花名册上"))
    }
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
        assert!(judge(&child(Decision::Excluded, "0", None), 1, d("1")).1.zh.starts_with("已满18周岁（AGED_OUT）"));
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
                "已满18周岁（AGED_OUT）：已满18周岁".into()
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
