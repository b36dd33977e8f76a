//! Tallying decided rows: the decision counts, amounts by category and region,
//! reason counts, each paid row's contribution to its transfer, and the payment
//! lines for the ledger. A chunk is tallied on the rayon pool; the run's totals
//! are merged from the chunks' tallies on the calling thread, in roster order.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::transfers::Payments;
use super::SeenChild;
use crate::batch::RowOutcome;
use crate::core::arrears::Kind;
use crate::core::decision::{Decision, DecisionCounts};
use crate::core::id::ChildId;
use crate::core::month::Month;
use crate::core::payment::{account_key, LedgerLine};
use crate::core::reason::Reason;
use crate::core::text::fold_width;

/// The counts and sums of one chunk.
#[derive(Default)]
pub(super) struct Tally {
    pub seen: Vec<SeenChild>,
    counts: DecisionCounts,
    amount: Decimal,
    arrears: Decimal,
    /// Each payment line with its payee account (as `account_key`).
    pub ledger: Vec<(LedgerLine, u128)>,
    categories: Vec<(u64, Decimal)>,
    regions: Vec<(String, u64, Decimal)>,
    reasons: Vec<(Reason, u64)>,
    pub payments: Payments,
}

/// Tallies a chunk of decided rows of `period`.
pub(super) fn tally_rows(rows: &[RowOutcome<'_>], period: Month) -> Tally {
    let mut t = Tally::default();
    for r in rows {
        tally_row(&mut t, r, period);
    }
    t
}

/// Every child of a chunk as this run sees it, for `changes.csv`.
pub(super) fn seen_children(rows: &[RowOutcome<'_>]) -> Vec<SeenChild> {
    rows.iter()
        .filter_map(|r| {
            // A rejected row still names its child when the ID itself is valid.
            let id = match r.record() {
                Some(rec) => rec.child_id,
                None => ChildId::parse(&fold_width(r.child_id())).ok()?,
            };
            Some(SeenChild {
                child_id: id.as_str().to_owned(),
                name: r.name().to_owned(),
                paid: r.entitlement.filter(|_| r.decision == Decision::Paid).map(|e| e.amount),
                reason: r.reason,
            })
        })
        .collect()
}

/// The run's counts and sums so far.
#[derive(Default)]
pub(super) struct RunSums {
    pub counts: DecisionCounts,
    pub amount: Decimal,
    pub arrears: Decimal,
    /// Children and amount by `Category::index`.
    pub categories: Vec<(u64, Decimal)>,
    pub regions: BTreeMap<String, (u64, Decimal)>,
    pub reasons: BTreeMap<Reason, u64>,
}

impl RunSums {
    /// Adds a chunk's counts and sums (its regions are taken).
    pub fn add(&mut self, t: &mut Tally) {
        self.counts.merge(t.counts);
        self.amount += t.amount;
        self.arrears += t.arrears;
        for (i, theirs) in t.categories.iter().enumerate() {
            let mine = slot(&mut self.categories, i);
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for (region, n, amount) in t.regions.drain(..) {
            let r = self.regions.entry(region).or_default();
            r.0 += n;
            r.1 += amount;
        }
        for &(reason, n) in &t.reasons {
            *self.reasons.entry(reason).or_default() += n;
        }
    }
}

fn tally_row(t: &mut Tally, row: &RowOutcome<'_>, period: Month) {
    t.counts.add(row.decision);
    if let Some(reason) = row.reason {
        match t.reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => t.reasons.push((reason, 1)),
        }
    }
    let Some(rec) = row.record() else { return };
    let regular = row.entitlement.filter(|_| row.decision == Decision::Paid);
    if regular.is_none() && row.arrears.is_empty() {
        return;
    }
    let arrears = row.arrears_total();
    let total = regular.map_or(Decimal::ZERO, |e| e.amount) + arrears;
    t.amount += total;
    t.arrears += arrears;
    let c = slot(&mut t.categories, rec.category.index());
    c.0 += 1;
    c.1 += total;
    match t.regions.iter_mut().find(|(r, _, _)| *r == *rec.region_code) {
        Some((_, n, a)) => {
            *n += 1;
            *a += total;
        }
        None => t.regions.push((rec.region_code.to_string(), 1, total)),
    }
    let account = account_key(&rec.payee_account);
    t.payments.push(account, total, &rec.payee_account, &rec.payee_name, &rec.payee_bank, rec.bank_code_number());
    let mut region = [0u8; 6];
    region.copy_from_slice(&rec.region_code.as_bytes()[..6]);
    let line = |month, kind, amount, standard| LedgerLine {
        child_id: rec.child_id,
        month,
        kind,
        amount,
        category: rec.category,
        region_code: region,
        standard,
        transfer: None,
    };
    if let Some(e) = regular {
        t.ledger.push((line(period, Kind::Regular, e.amount, Some(e.standard)), account));
    }
    for a in &row.arrears {
        t.ledger.push((line(a.month, Kind::Arrears, a.owed, Some(a.standard)), account));
    }
}

/// The sums of category `i`, grown to hold it.
fn slot(v: &mut Vec<(u64, Decimal)>, i: usize) -> &mut (u64, Decimal) {
    if v.len() <= i {
        v.resize(i + 1, (0, Decimal::ZERO));
    }
    &mut v[i]
}
