//! The first pass: what only the whole roster can tell about a row.
//!
//! Duplicate IDs and payee conflicts are judged across every roster file, over valid
//! rows only. Pass 1 collects a few fixed-size keys per valid row (an 8-byte ID key, a
//! 16-byte account key and a 16-byte payee fingerprint, never the row's text), sorts
//! them in parallel and keeps only the small sets of duplicated IDs and conflicted
//! accounts for pass 2: sorting is cache-friendly where a hash map of a million
//! children is not, and pass 2's lookups then hit a set that fits in cache.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::core::decision::RosterFlags;
use crate::core::payment::account_key;
use crate::core::record::{Category, Record};

/// Keys of every valid row, gathered during pass 1.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    ids: Vec<u64>,
    /// (account, payee fingerprint, bank code or 0 when blank).
    accounts: Vec<(u128, u128, u64)>,
    coverage: HashMap<([u8; 6], Category), (usize, u64)>,
}

/// The roster-wide facts pass 2 needs.
#[derive(Debug, Default)]
pub struct RosterIndex {
    duplicate_ids: FxHashSet<u64>,
    conflicted_accounts: FxHashSet<u128>,
    /// Each (region, category) seen on a valid row, with where it was first seen.
    pub coverage: HashMap<([u8; 6], Category), (usize, u64)>,
}

/// What the first pass keeps of one valid row.
#[derive(Debug, Clone, Copy)]
pub struct RowKeys {
    id: u64,
    account: u128,
    payee: u128,
    /// The payee's bank code plus one, 0 when blank.
    bank_code: u64,
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
            payee: payee_fingerprint(&rec.payee_name, &rec.payee_bank),
            bank_code: rec.bank_code_number().map_or(0, |c| c + 1),
            region,
            category: rec.category,
            line,
        }
    }
}

impl IndexBuilder {
    /// Adds a valid row of file number `file`.
    pub fn add(&mut self, keys: RowKeys, file: usize) {
        self.ids.push(keys.id);
        self.accounts.push((keys.account, keys.payee, keys.bank_code));
        self.coverage.entry((keys.region, keys.category)).or_insert((file, keys.line));
    }

    /// Sorts the keys and keeps what pass 2 needs.
    pub fn finish(mut self) -> RosterIndex {
        self.ids.par_sort_unstable();
        let duplicate_ids = self.ids.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        self.accounts.par_sort_unstable();
        // Sorted by (account, payee, code): an account's payees disagree when its first
        // and last entries differ in name or bank, or two of its bank codes differ. A
        // blank code says nothing about the bank, so it disagrees with no code.
        let conflicted_accounts = self
            .accounts
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run[0].1 != run[run.len() - 1].1 || codes_disagree(run))
            .map(|run| run[0].0)
            .collect();
        RosterIndex { duplicate_ids, conflicted_accounts, coverage: self.coverage }
    }
}

impl RosterIndex {
    /// The roster-wide flags of a valid row.
    pub fn flags(&self, rec: &Record<'_>) -> RosterFlags {
        RosterFlags {
            duplicate_id: !self.duplicate_ids.is_empty() && self.duplicate_ids.contains(&rec.child_id.key()),
            payee_conflict: !self.conflicted_accounts.is_empty()
                && self.conflicted_accounts.contains(&account_key(&rec.payee_account)),
        }
    }
}

/// Whether the rows of one account give two different bank codes (blank aside).
fn codes_disagree(run: &[(u128, u128, u64)]) -> bool {
    let mut codes = run.iter().map(|r| r.2).filter(|c| *c != 0);
    let first = codes.next();
    codes.any(|c| Some(c) != first)
}

/// 128 bits identifying (payee_name, payee_bank): two independent SipHash runs.
fn payee_fingerprint(name: &str, bank: &str) -> u128 {
    let half = |salt: u8| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        name.hash(&mut h);
        bank.hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_codes_disagree_only_when_two_are_given_and_differ() {
        let run = |codes: &[u64]| codes.iter().map(|c| (1u128, 2u128, *c)).collect::<Vec<_>>();
        assert!(!codes_disagree(&run(&[0, 0])));
        assert!(!codes_disagree(&run(&[0, 5, 5])));
        assert!(codes_disagree(&run(&[0, 5, 6])));
        assert!(codes_disagree(&run(&[5, 6])));
    }

    #[test]
    fn payee_fingerprints_separate_name_and_bank() {
        assert_ne!(payee_fingerprint("ab", "c"), payee_fingerprint("a", "bc"));
        assert_eq!(payee_fingerprint("张三", "农行"), payee_fingerprint("张三", "农行"));
    }
}
