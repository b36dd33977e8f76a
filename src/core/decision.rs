//! The decision for one valid row in period P: held, excluded or paid (SPEC section 3).
//!
//! Everything here is pure. What needs the whole roster (is this ID on another valid
//! row? does this account's payee disagree elsewhere?) arrives as `RosterFlags`,
//! computed by the batch pipeline's first pass.

use std::fmt;

use rust_decimal::Decimal;

use super::detail::{Detail, PayeeField, RowRef};
use super::month::Month;
use super::reason::Reason;
use super::record::{Record, Status};

/// The four places a row can end up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    Paid,
    Held,
    Excluded,
    Rejected,
}

impl Decision {
    pub const ALL: [Decision; 4] = [Decision::Paid, Decision::Held, Decision::Excluded, Decision::Rejected];

    /// The decision an audit line names (`paid`, `held`, `excluded`, `rejected`).
    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Paid => "paid",
            Decision::Held => "held",
            Decision::Excluded => "excluded",
            Decision::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many rows got each decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecisionCounts {
    pub paid: u64,
    pub held: u64,
    pub excluded: u64,
    pub rejected: u64,
}

impl DecisionCounts {
    /// Counts one row.
    pub fn add(&mut self, d: Decision) {
        *match d {
            Decision::Paid => &mut self.paid,
            Decision::Held => &mut self.held,
            Decision::Excluded => &mut self.excluded,
            Decision::Rejected => &mut self.rejected,
        } += 1;
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, o: DecisionCounts) {
        self.paid += o.paid;
        self.held += o.held;
        self.excluded += o.excluded;
        self.rejected += o.rejected;
    }

    /// Every row counted.
    pub fn rows(&self) -> u64 {
        self.paid + self.held + self.excluded + self.rejected
    }
}

/// How the paid amount was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The roster's recorded amount, at or above the standard.
    Recorded,
    /// The recorded amount was below the standard and was raised to it.
    RaisedToMinimum,
    /// The roster left the amount blank: the standard is paid.
    Standard,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Recorded => "recorded",
            Basis::RaisedToMinimum => "raised_to_minimum",
            Basis::Standard => "standard",
        }
    }
}

/// What the child is entitled to for the month: max(recorded, standard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entitlement {
    pub standard: Decimal,
    pub amount: Decimal,
    pub basis: Basis,
}

impl Entitlement {
    pub fn new(recorded: Option<Decimal>, standard: Decimal) -> Entitlement {
        match recorded {
            None => Entitlement { standard, amount: standard, basis: Basis::Standard },
            Some(r) if r >= standard => Entitlement { standard, amount: r, basis: Basis::Recorded },
            Some(_) => Entitlement { standard, amount: standard, basis: Basis::RaisedToMinimum },
        }
    }
}

/// Facts about a valid row that only the whole roster can tell, each naming the
/// other row involved (so the sentence can send the clerk to it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterFlags {
    /// Another valid row has the same child_id: that row.
    pub duplicate_id: Option<RowRef>,
    /// Valid rows on the same payee_account disagree on payee_name, payee_bank or
    /// payee_bank_code: a row that disagrees with this one, and on which field.
    pub payee_conflict: Option<(RowRef, PayeeField)>,
}

/// The decision for a valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid(Entitlement),
    /// Held or excluded, with the reason and a sentence for the clerk.
    NotPaid {
        decision: Decision,
        reason: Reason,
        detail: Detail,
    },
}

impl Outcome {
    pub fn decision(&self) -> Decision {
        match self {
            Outcome::Paid(_) => Decision::Paid,
            Outcome::NotPaid { decision, .. } => *decision,
        }
    }
}

/// One check of SPEC 3 on a valid row: its reason code, and the sentence when it fails
/// (`None` when it passes).
pub type Check = (Reason, Option<Detail>);

/// Decides a valid row for `period` given its standard, in the order of SPEC 3:
/// held (duplicate, payee conflict, ceiling), then excluded, then paid. The first
/// failing check of `hold_checks`, then of `eligibility_checks`, decides.
pub fn decide(rec: &Record, period: Month, standard: Decimal, flags: RosterFlags, ceiling: Decimal) -> Outcome {
    if let Some((reason, detail)) = first_failure(hold_checks(rec, standard, flags, ceiling)) {
        return Outcome::NotPaid { decision: Decision::Held, reason, detail };
    }
    if let Err((reason, detail)) = eligibility(rec, period) {
        return Outcome::NotPaid { decision: Decision::Excluded, reason, detail };
    }
    Outcome::Paid(Entitlement::new(rec.monthly_amount, standard))
}

/// Every hold check of a valid row, in contract order, each passed or failed (so
/// `explain` can show a row that is both a duplicate and in a payee conflict).
pub fn hold_checks(rec: &Record, standard: Decimal, flags: RosterFlags, ceiling: Decimal) -> [Check; 3] {
    let amount = Entitlement::new(rec.monthly_amount, standard).amount;
    [
        (Reason::DuplicateId, flags.duplicate_id.map(|other| Detail::DuplicateId { other })),
        (Reason::PayeeConflict, flags.payee_conflict.map(|(other, field)| Detail::PayeeConflict { other, field })),
        (Reason::ExceedsCeiling, (amount > ceiling).then_some(Detail::AboveCeiling { amount, ceiling })),
    ]
}

/// The first failing check, which is the one that decides.
pub fn first_failure<const N: usize>(checks: [Check; N]) -> Option<(Reason, Detail)> {
    checks.into_iter().find_map(|(reason, failed)| failed.map(|d| (reason, d)))
}

/// Whether the row entitles the child in `month` (status, start, end, age), first
/// failing check first.
pub fn eligibility(rec: &Record, month: Month) -> Result<(), (Reason, Detail)> {
    first_failure(eligibility_checks(rec, month)).map_or(Ok(()), Err)
}

/// Every eligibility check of a row for `month`, in contract order, each passed or
/// failed: `SUSPENDED`, `ENDED` by the roster's status word (终止, 死亡, …), `NOT_STARTED`,
/// `ENDED` by `ended_after`, `AGED_OUT`. `ENDED` passes when the row has no end; `AGED_OUT` passes when the ID
/// gives no birth month (never for a valid ID).
pub fn eligibility_checks(rec: &Record, month: Month) -> [Check; 5] {
    let last = rec.last_month_before_adulthood();
    [
        (Reason::Suspended, (rec.status == Status::Suspended).then_some(Detail::Suspended)),
        (
            Reason::Ended,
            match rec.status {
                Status::Ended(word) => Some(Detail::EndedStatus { word }),
                _ => None,
            },
        ),
        (Reason::NotStarted, (month < rec.approved_from).then_some(Detail::NotStarted { from: rec.approved_from })),
        (Reason::Ended, rec.ended_after.filter(|end| month > *end).map(|end| Detail::Ended { end })),
        (Reason::AgedOut, last.filter(|l| month > *l).map(|last| Detail::AgedOut { last })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::id::check_char;
    use crate::core::money::parse_amount;
    use crate::core::record::Category;

    fn id_born(date: &str) -> String {
        let first17 = format!("430102{date}123");
        let c = check_char(first17.as_bytes().try_into().unwrap());
        format!("{first17}{}", c as char)
    }

    fn record(born: &str, from: &str, ended: &str, status: &str, amount: &str) -> Record<'static> {
        let id = id_born(born);
        let fields = [
            id.as_str(),
            "王小明",
            "scattered",
            "430102",
            from,
            ended,
            status,
            amount,
            "王大明",
            "62220200123456",
            "农业银行",
        ];
        Record::validate_strs(&fields).unwrap().into_owned()
    }

    fn d(s: &str) -> Decimal {
        parse_amount(s).unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn reason(o: &Outcome) -> Option<Reason> {
        match o {
            Outcome::Paid(_) => None,
            Outcome::NotPaid { reason, .. } => Some(*reason),
        }
    }

    const CEILING: i64 = 500000;

    fn both_flags() -> RosterFlags {
        let other = RowRef { path: "a.csv".into(), line: 9 };
        RosterFlags { duplicate_id: Some(other.clone()), payee_conflict: Some((other, PayeeField::Bank)) }
    }

    fn decide_plain(r: &Record, p: &str) -> Outcome {
        decide(r, m(p), d("800"), RosterFlags::default(), Decimal::new(CEILING, 2))
    }

    #[test]
    fn age_out_boundary() {
        let r = record("20000315", "2010-01", "", "", "");
        assert_eq!(decide_plain(&r, "2018-03"), Outcome::Paid(Entitlement::new(None, d("800"))));
        assert_eq!(reason(&decide_plain(&r, "2018-04")), Some(Reason::AgedOut));
    }

    #[test]
    fn start_and_end_months_are_inclusive() {
        let r = record("20100101", "2018-02", "2018-05", "", "");
        assert_eq!(reason(&decide_plain(&r, "2018-01")), Some(Reason::NotStarted));
        assert_eq!(reason(&decide_plain(&r, "2018-02")), None);
        assert_eq!(reason(&decide_plain(&r, "2018-05")), None);
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::Ended));
    }

    #[test]
    fn suspended_comes_first_among_exclusions() {
        let r = record("20000315", "2019-01", "", "suspended", "");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::Suspended));
        let r = record("20000315", "2019-01", "", "", "");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::NotStarted));
    }

    #[test]
    fn an_ended_status_excludes_right_after_suspended_naming_the_word() {
        use crate::core::vocabulary::{StatusKind, STATUS_WORDS};
        for (word, kind) in STATUS_WORDS.iter().filter(|(_, k)| *k == StatusKind::Ended) {
            // Not started yet and an open end: the status still wins.
            let r = record("20100101", "2019-01", "2030-12", word, "");
            assert_eq!(*kind, StatusKind::Ended);
            match decide_plain(&r, "2018-06") {
                Outcome::NotPaid { decision: Decision::Excluded, reason: Reason::Ended, detail } => {
                    assert_eq!(detail, Detail::EndedStatus { word });
                    assert!(detail.render(crate::core::detail::Lang::Zh).contains(word));
                }
                o => panic!("{word}: {o:?}"),
            }
        }
        let r = record("20100101", "2018-01", "", "停发", "");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::Suspended));
        let r = record("20100101", "2018-01", "", "在保", "");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), None);
    }

    #[test]
    fn held_before_excluded_in_contract_order() {
        let r = record("20100101", "2018-01", "", "suspended", "6000");
        let all = both_flags();
        let c = Decimal::new(CEILING, 2);
        assert_eq!(reason(&decide(&r, m("2018-06"), d("800"), all, c)), Some(Reason::DuplicateId));
        let payee = RosterFlags { duplicate_id: None, ..both_flags() };
        assert_eq!(reason(&decide(&r, m("2018-06"), d("800"), payee, c)), Some(Reason::PayeeConflict));
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::ExceedsCeiling));
        assert_eq!(decide_plain(&r, "2018-06").decision(), Decision::Held);
    }

    #[test]
    fn ceiling_is_strictly_above() {
        let r = record("20100101", "2018-01", "", "", "5000");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), None);
        let r = record("20100101", "2018-01", "", "", "5000.01");
        assert_eq!(reason(&decide_plain(&r, "2018-06")), Some(Reason::ExceedsCeiling));
        // The standard alone can exceed a low ceiling.
        let r = record("20100101", "2018-01", "", "", "");
        let o = decide(&r, m("2018-06"), d("800"), RosterFlags::default(), d("799.99"));
        assert_eq!(reason(&o), Some(Reason::ExceedsCeiling));
    }

    #[test]
    fn basis_of_the_amount() {
        assert_eq!(Entitlement::new(None, d("800")).basis, Basis::Standard);
        let e = Entitlement::new(Some(d("600")), d("800"));
        assert_eq!((e.amount, e.basis), (d("800"), Basis::RaisedToMinimum));
        let e = Entitlement::new(Some(d("800")), d("800"));
        assert_eq!((e.amount, e.basis), (d("800"), Basis::Recorded));
        let e = Entitlement::new(Some(d("950.5")), d("800"));
        assert_eq!((e.amount, e.basis), (d("950.50"), Basis::Recorded));
    }

    #[test]
    fn every_check_is_reported_not_only_the_first() {
        let r = record("20000315", "2010-01", "", "suspended", "6000");
        let all = both_flags();
        let held = hold_checks(&r, d("800"), all, Decimal::new(CEILING, 2));
        assert!(held.iter().all(|(_, f)| f.is_some()), "{held:?}");
        let r = record("20000315", "2019-01", "", "suspended", "");
        let failing: Vec<Reason> =
            eligibility_checks(&r, m("2018-06")).iter().filter(|c| c.1.is_some()).map(|c| c.0).collect();
        assert_eq!(failing, [Reason::Suspended, Reason::NotStarted, Reason::AgedOut]);
        assert_eq!(eligibility(&r, m("2018-06")).unwrap_err().0, Reason::Suspended);
    }

    #[test]
    fn category_does_not_change_eligibility() {
        let mut r = record("20100101", "2018-01", "", "", "");
        r.category = Category::Institutional;
        assert!(eligibility(&r, m("2018-06")).is_ok());
    }
}
