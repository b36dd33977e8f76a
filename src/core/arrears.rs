//! Back pay (补发, SPEC section 8): what a child is still owed for months already run.
//!
//! Pure: the ledger's history for one child comes in as `PastPayment`s, the policy as a
//! lookup function. Two cases per month m before the period that has a live run:
//! *underpaid* (a regular payment counts for m, but less than today's standard for the
//! category and region recorded on it) and *missed* (no regular payment counts for m
//! although today's row says the child was entitled and active). Failed payments
//! never count as paid; arrears already paid for m are subtracted.

use rust_decimal::Decimal;

use super::decision::eligibility;
use super::month::Month;
use super::record::{Category, Record};

/// Whether a payment line is the month's allowance or back pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Regular,
    Arrears,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regular => "regular",
            Kind::Arrears => "arrears",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "regular" => Some(Kind::Regular),
            "arrears" => Some(Kind::Arrears),
            _ => None,
        }
    }
}

/// One live payment line of the child from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastPayment {
    pub month: Month,
    pub kind: Kind,
    pub amount: Decimal,
    /// The bank returned it as failed: it does not count as paid.
    pub failed: bool,
    pub category: Category,
    pub region_code: String,
}

/// One month of back pay, as the audit line shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrearsMonth {
    pub month: Month,
    /// Today's standard for the month (for the category and region that apply).
    pub standard: Decimal,
    /// What counts as paid for the month so far (regular and arrears).
    pub paid: Decimal,
    pub owed: Decimal,
}

/// The policy has no standard for (category, region) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoStandard {
    pub month: Month,
    pub category: Category,
    pub region_code: String,
}

/// The months in `live_months` (ascending, all before the period) for which the child
/// of `rec` is owed back pay, given its live payment lines `past`.
pub fn arrears_due(
    rec: &Record<'_>,
    live_months: &[Month],
    past: &[PastPayment],
    standard: impl Fn(Category, &str, Month) -> Option<Decimal>,
) -> Result<Vec<ArrearsMonth>, NoStandard> {
    let mut due = Vec::new();
    for &m in live_months {
        let in_month = past.iter().filter(|p| p.month == m);
        let arrears_paid: Decimal =
            in_month.clone().filter(|p| p.kind == Kind::Arrears && !p.failed).map(|p| p.amount).sum();
        let regular = in_month.clone().find(|p| p.kind == Kind::Regular && !p.failed);
        let lookup = |category: Category, region: &str| {
            standard(category, region, m).ok_or_else(|| NoStandard {
                month: m,
                category,
                region_code: region.to_owned(),
            })
        };
        let (std, paid, owed) = match regular {
            Some(r) => {
                let std = lookup(r.category, &r.region_code)?;
                let paid = r.amount + arrears_paid;
                (std, paid, std - paid)
            }
            None => {
                if eligibility(rec, m).is_err() {
                    continue;
                }
                let std = lookup(rec.category, &rec.region_code)?;
                let failed = in_month.clone().find(|p| p.kind == Kind::Regular && p.failed);
                let owed_in_full = failed.map_or(std, |f| f.amount);
                (std, arrears_paid, owed_in_full - arrears_paid)
            }
        };
        if owed > Decimal::ZERO {
            due.push(ArrearsMonth { month: m, standard: std, paid, owed });
        }
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::money::parse_amount;
    use crate::core::policy::Policy;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn d(s: &str) -> Decimal {
        parse_amount(s).unwrap()
    }

    fn record(from: &str, ended: &str, status: &str) -> Record<'static> {
        // Born 2000-03-15: 18 in 2018-03.
        let fields = [
            "110105200003151234",
            "测试",
            "scattered",
            "430102",
            from,
            ended,
            status,
            "",
            "监护人",
            "62220200123456",
            "银行",
        ];
        Record::validate_strs(&fields).unwrap().into_owned()
    }

    fn paid(month: &str, kind: Kind, amount: &str, failed: bool) -> PastPayment {
        PastPayment {
            month: m(month),
            kind,
            amount: d(amount),
            failed,
            category: Category::Scattered,
            region_code: "430102".into(),
        }
    }

    fn hunan(c: Category, r: &str, month: Month) -> Option<Decimal> {
        Policy::hunan_2018().standard(c, r, month)
    }

    fn months(list: &[&str]) -> Vec<Month> {
        list.iter().map(|s| m(s)).collect()
    }

    #[test]
    fn underpaid_months_owe_the_difference() {
        let rec = record("2010-01", "", "");
        let past = [paid("2017-12", Kind::Regular, "600", false), paid("2018-01", Kind::Regular, "600", false)];
        let due = arrears_due(&rec, &months(&["2017-12", "2018-01"]), &past, hunan).unwrap();
        assert_eq!(due, [ArrearsMonth { month: m("2018-01"), standard: d("800"), paid: d("600"), owed: d("200") }]);
    }

    #[test]
    fn arrears_already_paid_are_not_paid_twice() {
        let rec = record("2010-01", "", "");
        let past = [paid("2018-01", Kind::Regular, "600", false), paid("2018-01", Kind::Arrears, "200", false)];
        assert!(arrears_due(&rec, &months(&["2018-01"]), &past, hunan).unwrap().is_empty());
        let partly = [paid("2018-01", Kind::Regular, "600", false), paid("2018-01", Kind::Arrears, "50", false)];
        assert_eq!(arrears_due(&rec, &months(&["2018-01"]), &partly, hunan).unwrap()[0].owed, d("150"));
    }

    #[test]
    fn missed_months_need_entitlement_and_active_status() {
        let rec = record("2018-02", "", "");
        let due = arrears_due(&rec, &months(&["2018-01", "2018-02", "2018-03", "2018-04"]), &[], hunan).unwrap();
        // Not started in January; aged out after March.
        assert_eq!(due.iter().map(|a| a.month.to_string()).collect::<Vec<_>>(), ["2018-02", "2018-03"]);
        assert!(due.iter().all(|a| a.owed == d("800") && a.paid == Decimal::ZERO));
        let suspended = record("2018-02", "", "suspended");
        assert!(arrears_due(&suspended, &months(&["2018-02"]), &[], hunan).unwrap().is_empty());
        let ended = record("2010-01", "2018-01", "");
        assert_eq!(arrears_due(&ended, &months(&["2018-01", "2018-02"]), &[], hunan).unwrap().len(), 1);
    }

    #[test]
    fn underpaid_months_are_owed_even_after_the_child_left() {
        let aged_out = record("2010-01", "", "suspended");
        let past = [paid("2018-02", Kind::Regular, "600", false)];
        assert_eq!(arrears_due(&aged_out, &months(&["2018-02"]), &past, hunan).unwrap()[0].owed, d("200"));
    }

    #[test]
    fn failed_payments_do_not_count_and_are_repaid_at_their_amount() {
        let rec = record("2010-01", "", "");
        let past = [paid("2018-02", Kind::Regular, "850", true)];
        let due = arrears_due(&rec, &months(&["2018-02"]), &past, hunan).unwrap();
        assert_eq!(due[0].owed, d("850"));
        let past = [paid("2018-02", Kind::Regular, "850", true), paid("2018-02", Kind::Arrears, "850", false)];
        assert!(arrears_due(&rec, &months(&["2018-02"]), &past, hunan).unwrap().is_empty());
        let past = [paid("2018-02", Kind::Regular, "800", false), paid("2018-02", Kind::Arrears, "100", true)];
        assert!(arrears_due(&rec, &months(&["2018-02"]), &past, hunan).unwrap().is_empty());
    }

    #[test]
    fn overpaid_months_owe_nothing_and_a_gap_in_the_policy_is_reported() {
        let rec = record("2010-01", "", "");
        let past = [paid("2018-01", Kind::Regular, "900", false)];
        assert!(arrears_due(&rec, &months(&["2018-01"]), &past, hunan).unwrap().is_empty());
        let past = [paid("2009-12", Kind::Regular, "500", false)];
        assert!(arrears_due(&rec, &months(&["2009-12"]), &past, hunan).is_err());
    }
}
