//! The first pass: what only the whole roster can tell about a row.
//!
//! Duplicate IDs and payee conflicts are judged across every roster file, over valid
//! rows only. Pass 1 collects a few fixed-size keys per valid row (an 8-byte ID key, a
//! 16-byte account key, 8-byte fingerprints of the payee's name and bank, and the
//! row's place as one 8-byte file-and-line, never the row's text), sorts them in
//! parallel and keeps only the small maps of duplicated IDs and conflicted accounts
//! for pass 2, each with the rows to name in the sentence (SPEC 17: the other row,
//! and the field that differs). Sorting is cache-friendly where a hash map of a
//! million children is not; keys sort by place within an ID or account, so the rows
//! named are the same whatever the thread count.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::core::decision::RosterFlags;
use crate::core::detail::{PayeeField, RowRef};
use crate::core::payment::account_key;
use crate::core::record::{Category, Record};

/// Where a row is: its file's number and its line, packed in one `u64` (file in
/// the top 24 bits, line in the low 40) so pass 1 keeps 8 bytes per row, sorts by
/// input order and stays the same whatever the thread count. Larger values saturate
/// (no roster has 16 million files or a trillion lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos(u64);

const LINE_BITS: u32 = 40;

impl Pos {
    pub fn new(file: usize, line: u64) -> Pos {
        let file = (file as u64).min((1 << (64 - LINE_BITS)) - 1);
        Pos(file << LINE_BITS | line.min((1 << LINE_BITS) - 1))
    }

    fn file(self) -> usize {
        (self.0 >> LINE_BITS) as usize
    }

    fn line(self) -> u64 {
        self.0 & ((1 << LINE_BITS) - 1)
    }
}

/// A valid row's payee, as 64-bit fingerprints (compared only within one account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Payee {
    name: u64,
    bank: u64,
    /// The bank code plus one, 0 when blank.
    code: u64,
}

impl Payee {
    fn of(rec: &Record<'_>) -> Payee {
        Payee {
            name: fingerprint(&rec.payee_name),
            bank: fingerprint(&rec.payee_bank),
            code: rec.bank_code_number().map_or(0, |c| c + 1),
        }
    }

    /// The field on which `other` disagrees with this payee, if any. A blank code
    /// says only that the roster does not know it, so it disagrees with no code.
    fn differs(&self, other: &Payee) -> Option<PayeeField> {
        if self.name != other.name {
            Some(PayeeField::Name)
        } else if self.bank != other.bank {
            Some(PayeeField::Bank)
        } else if self.code != 0 && other.code != 0 && self.code != other.code {
            Some(PayeeField::BankCode)
        } else {
            None
        }
    }
}

/// Keys of every valid row, gathered during pass 1.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    /// (ID key, where).
    ids: Vec<(u64, Pos)>,
    /// (account, where, payee).
    accounts: Vec<(u128, Pos, Payee)>,
    coverage: HashMap<([u8; 6], Category), (usize, u64)>,
}

/// A conflicted account: a reference row and the first row that disagrees with it.
#[derive(Debug, Clone, Copy)]
struct Conflict {
    reference: (Pos, Payee),
    other: (Pos, PayeeField),
}

/// The roster-wide facts pass 2 needs.
#[derive(Debug, Default)]
pub struct RosterIndex {
    /// Each duplicated ID with its first two rows in input order.
    duplicate_ids: FxHashMap<u64, [Pos; 2]>,
    conflicted_accounts: FxHashMap<u128, Conflict>,
    /// The roster files' paths, by file number, for naming the other row.
    paths: Vec<Arc<str>>,
    /// Each (region, category) seen on a valid row, with where it was first seen.
    pub coverage: HashMap<([u8; 6], Category), (usize, u64)>,
}

/// What the first pass keeps of one valid row.
#[derive(Debug, Clone, Copy)]
pub struct RowKeys {
    id: u64,
    account: u128,
    payee: Payee,
    region: [u8; 6],
    category: Category,
    line: u64,
}

impl RowKeys {
    pub fn of(rec: &Record<'_>, line: u64) -> RowKeys {
        let mut region = [0u8; 6];
        region.copy_from_slice(&rec.region_code.as_bytes()[..6]);
        RowKeys {
            id: rec.child_id.key(),
            account: account_key(&rec.payee_account),
            payee: Payee::of(rec),
            region,
            category: rec.category,
            line,
        }
    }
}

impl IndexBuilder {
    /// Adds a valid row of file number `file`.
    pub fn add(&mut self, keys: RowKeys, file: usize) {
        let at = Pos::new(file, keys.line);
        self.ids.push((keys.id, at));
        self.accounts.push((keys.account, at, keys.payee));
        self.coverage.entry((keys.region, keys.category)).or_insert((file, keys.line));
    }

    /// Sorts the keys and keeps what pass 2 needs; `paths` are the files' paths.
    pub fn finish(mut self, paths: Vec<Arc<str>>) -> RosterIndex {
        // Sorted by (ID, where): a duplicated ID's rows are side by side in input order.
        self.ids.par_sort_unstable();
        let duplicate_ids = self
            .ids
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
            .map(|run| (run[0].0, [run[0].1, run[1].1]))
            .collect();
        self.accounts.par_sort_unstable();
        let conflicted_accounts =
            self.accounts.chunk_by(|a, b| a.0 == b.0).filter_map(|run| conflict(run).map(|c| (run[0].0, c))).collect();
        RosterIndex { duplicate_ids, conflicted_accounts, paths, coverage: self.coverage }
    }
}

/// Whether an account's rows (in input order) disagree, and how to name it: the first
/// row and the first that disagrees with it; when they differ only by bank codes and
/// the first row has none, the first row with a code and the first with another.
fn conflict(run: &[(u128, Pos, Payee)]) -> Option<Conflict> {
    let first = run.first()?;
    if let Some((at, field)) = run.iter().find_map(|r| first.2.differs(&r.2).map(|f| (r.1, f))) {
        return Some(Conflict { reference: (first.1, first.2), other: (at, field) });
    }
    let mut coded = run.iter().filter(|r| r.2.code != 0);
    let reference = coded.next()?;
    let other = coded.find(|r| r.2.code != reference.2.code)?;
    Some(Conflict { reference: (reference.1, reference.2), other: (other.1, PayeeField::BankCode) })
}

impl RosterIndex {
    /// The roster-wide flags of a valid row of file number `file` at `line`.
    pub fn flags(&self, rec: &Record<'_>, file: usize, line: u64) -> RosterFlags {
        let mut flags = RosterFlags::default();
        if !self.duplicate_ids.is_empty() {
            if let Some([first, second]) = self.duplicate_ids.get(&rec.child_id.key()) {
                let other = if *first == Pos::new(file, line) { *second } else { *first };
                flags.duplicate_id = Some(self.row_ref(other));
            }
        }
        if !self.conflicted_accounts.is_empty() {
            if let Some(c) = self.conflicted_accounts.get(&account_key(&rec.payee_account)) {
                let here = Pos::new(file, line);
                let mine = Payee::of(rec);
                flags.payee_conflict = Some(match c.reference.1.differs(&mine) {
                    Some(field) if c.reference.0 != here => (self.row_ref(c.reference.0), field),
                    _ => (self.row_ref(c.other.0), c.other.1),
                });
            }
        }
        flags
    }

    fn row_ref(&self, at: Pos) -> RowRef {
        RowRef { path: self.paths.get(at.file()).cloned().unwrap_or_else(|| Arc::from("")), line: at.line() }
    }
}

/// 64 bits identifying a payee text (SipHash with fixed keys: the same every run).
fn fingerprint(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payee(name: u64, bank: u64, code: u64) -> Payee {
        Payee { name, bank, code }
    }

    fn run(payees: &[Payee]) -> Vec<(u128, Pos, Payee)> {
        payees.iter().enumerate().map(|(i, p)| (1u128, Pos::new(0, i as u64 + 2), *p)).collect()
    }

    #[test]
    fn bank_codes_disagree_only_when_two_are_given_and_differ() {
        assert!(conflict(&run(&[payee(1, 1, 0), payee(1, 1, 0)])).is_none());
        assert!(conflict(&run(&[payee(1, 1, 0), payee(1, 1, 5), payee(1, 1, 5)])).is_none());
        let c = conflict(&run(&[payee(1, 1, 0), payee(1, 1, 5), payee(1, 1, 6)])).unwrap();
        assert_eq!((c.reference.0, c.other), (Pos::new(0, 3), (Pos::new(0, 4), PayeeField::BankCode)));
        let c = conflict(&run(&[payee(1, 1, 5), payee(1, 1, 6)])).unwrap();
        assert_eq!(c.other, (Pos::new(0, 3), PayeeField::BankCode));
    }

    #[test]
    fn the_first_disagreeing_row_and_field_are_named() {
        let c = conflict(&run(&[payee(1, 1, 0), payee(1, 1, 0), payee(1, 2, 0), payee(3, 1, 0)])).unwrap();
        assert_eq!(c.reference.0, Pos::new(0, 2));
        assert_eq!(c.other, (Pos::new(0, 4), PayeeField::Bank));
    }

    #[test]
    fn positions_pack_file_and_line_in_input_order() {
        let a = Pos::new(0, u64::MAX);
        let b = Pos::new(1, 2);
        assert!(a < b);
        assert_eq!((b.file(), b.line()), (1, 2));
        assert_eq!(Pos::new(usize::MAX, 5).line(), 5);
    }

    #[test]
    fn payee_fingerprints_separate_name_and_bank() {
        assert_ne!(fingerprint("ab"), fingerprint("a"));
        assert_eq!(fingerprint("张三"), fingerprint("张三"));
    }
}
