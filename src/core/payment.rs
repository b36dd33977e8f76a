//! What has been paid, as plain data: the payment lines a run hands to the ledger,
//! the history the ledger hands back for back pay, a payment line's status and the
//! key that identifies a payee account.
//!
//! These types sit between the pipeline (`batch`), the output files (`output`) and
//! the SQLite ledger (`ledger`). Keeping them here, with no I/O, lets each of those
//! use them without importing another: the ledger knows nothing of the output files,
//! and the pipeline nothing of SQLite.

use std::fmt;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::arrears::{Kind, PastPayment};
use super::id::ChildId;
use super::month::Month;
use super::record::Category;

/// One payment line of a run (compact: a province has millions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerLine {
    pub child_id: ChildId,
    pub month: Month,
    pub kind: Kind,
    pub amount: Decimal,
    pub category: Category,
    pub region_code: [u8; 6],
    pub standard: Option<Decimal>,
    /// Sequence of the run's transfer that carries it (`T<YYYYMM>-<seq>`).
    pub transfer: Option<u32>,
}

/// Where a payment line stands with the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// In a bank file; the bank has not answered yet.
    Issued,
    /// The bank paid it.
    Settled,
    /// The bank returned it unpaid: it does not count as paid.
    Failed,
}

impl LineStatus {
    pub const ALL: [LineStatus; 3] = [LineStatus::Issued, LineStatus::Settled, LineStatus::Failed];

    /// The text stored in the ledger and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Issued => "issued",
            LineStatus::Settled => "settled",
            LineStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<LineStatus> {
        LineStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// What the bank's word `to` does to a line now `self` (SPEC section 12): a
    /// status only moves forward. `issued` becomes `settled` or `failed`; `failed`
    /// becomes `settled` only while no arrears line has paid the month again
    /// (`repaid`); the same status again is no change; anything else is a conflict
    /// a person decides.
    pub fn transition(self, to: LineStatus, repaid: bool) -> Transition {
        match (self, to) {
            (from, to) if from == to => Transition::Unchanged,
            (LineStatus::Issued, LineStatus::Settled | LineStatus::Failed) => Transition::Apply,
            (LineStatus::Failed, LineStatus::Settled) if !repaid => Transition::Apply,
            _ => Transition::Conflict,
        }
    }
}

/// What a bank's return does to one payment line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transition {
    /// The line already has that status: nothing to do, nothing to report.
    Unchanged,
    /// The line moves forward to it.
    Apply,
    /// Not a forward move: not applied, a person decides.
    Conflict,
}

impl fmt::Display for LineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The live payment history before a period, for back pay.
#[derive(Debug, Default)]
pub struct History {
    /// Months before the period that have a live run, ascending.
    pub live_months: Vec<Month>,
    by_child: FxHashMap<u64, Vec<PastPayment>>,
}

impl History {
    /// A history of the given months (sorted here) and no payment lines yet.
    pub fn new(mut live_months: Vec<Month>) -> History {
        live_months.sort_unstable();
        History { live_months, by_child: FxHashMap::default() }
    }

    /// Adds one past payment line of `child`.
    pub fn push(&mut self, child: ChildId, payment: PastPayment) {
        self.by_child.entry(child.key()).or_default().push(payment);
    }

    /// The past payment lines of the child whose [`ChildId::key`] is `child_key`.
    pub fn of(&self, child_key: u64) -> &[PastPayment] {
        self.by_child.get(&child_key).map_or(&[], Vec::as_slice)
    }
}

/// A normalized account (8–32 digits) packed with its length into 128 bits, so
/// `0012345678` and `12345678` stay different.
pub fn account_key(digits: &str) -> u128 {
    let value = digits.bytes().fold(0u128, |a, d| a * 10 + u128::from(d.wrapping_sub(b'0') % 10));
    value | ((digits.len() as u128) << 112)
}

/// The account digits back from its key.
pub fn account_text(key: u128) -> String {
    let len = (key >> 112) as usize;
    let value = key & ((1u128 << 112) - 1);
    format!("{value:0len$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_keep_leading_zeros() {
        assert_ne!(account_key("0012345678"), account_key("12345678"));
        assert_ne!(account_key("99999999999999999999999999999999"), account_key("99999999999999999999999999999998"));
        for a in ["0012345678", "12345678", "99999999999999999999999999999999", "00000000"] {
            assert_eq!(account_text(account_key(a)), a);
        }
    }

    #[test]
    fn line_statuses_print_and_parse_back() {
        for s in LineStatus::ALL {
            assert_eq!(LineStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert_eq!(format!("{:<8}|", LineStatus::Failed), "failed  |");
        assert_eq!(LineStatus::parse("Failed"), None);
        assert_eq!(LineStatus::parse(""), None);
    }

    #[test]
    fn line_statuses_only_move_forward() {
        use LineStatus::{Failed, Issued, Settled};
        use Transition::{Apply, Conflict, Unchanged};
        // Every (from, to, repaid) and its answer: the whole table, written out.
        let table = [
            (Issued, Issued, false, Unchanged),
            (Issued, Issued, true, Unchanged),
            (Issued, Settled, false, Apply),
            (Issued, Settled, true, Apply),
            (Issued, Failed, false, Apply),
            (Issued, Failed, true, Apply),
            (Settled, Issued, false, Conflict),
            (Settled, Issued, true, Conflict),
            (Settled, Settled, false, Unchanged),
            (Settled, Settled, true, Unchanged),
            (Settled, Failed, false, Conflict),
            (Settled, Failed, true, Conflict),
            (Failed, Issued, false, Conflict),
            (Failed, Issued, true, Conflict),
            (Failed, Settled, false, Apply),
            (Failed, Settled, true, Conflict),
            (Failed, Failed, false, Unchanged),
            (Failed, Failed, true, Unchanged),
        ];
        assert_eq!(table.len(), LineStatus::ALL.len() * LineStatus::ALL.len() * 2);
        for (from, to, repaid, want) in table {
            assert_eq!(from.transition(to, repaid), want, "{from} -> {to}, repaid {repaid}");
        }
        // Ordered so that the worst answer of a transfer's lines is their maximum.
        assert!(Unchanged < Apply && Apply < Conflict);
    }

    #[test]
    fn history_sorts_its_months_and_keeps_lines_per_child() {
        use crate::core::id::{check_char, ChildId};
        let id = |digits: &str| {
            let d: [u8; 17] = digits.as_bytes().try_into().unwrap();
            ChildId::parse(&format!("{digits}{}", check_char(&d) as char)).unwrap()
        };
        let m = |s: &str| Month::parse(s).unwrap();
        let mut h = History::new(vec![m("2018-05"), m("2018-03")]);
        assert_eq!(h.live_months, [m("2018-03"), m("2018-05")]);
        let (a, b) = (id("43010220100312001"), id("43010220100312000"));
        let line = PastPayment {
            month: m("2018-03"),
            kind: Kind::Regular,
            amount: Decimal::new(60000, 2),
            failed: false,
            category: Category::Scattered,
            region_code: "430102".into(),
        };
        h.push(a, line.clone());
        assert_eq!(h.of(a.key()), [line]);
        assert!(h.of(b.key()).is_empty());
    }
}
