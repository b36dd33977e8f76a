//! The first pass: what only the whole roster can tell about a row.
//!
//! Duplicate IDs and payee conflicts are judged across every roster file, over valid
//! rows only. The index keeps one small entry per distinct child and per distinct
//! account (not the rows), so memory grows with the number of children, not the size
//! of the files.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rustc_hash::FxHashMap;

use crate::core::decision::RosterFlags;
use crate::core::record::{Category, Record};

/// Per-child and per-account facts gathered over all valid rows.
#[derive(Debug, Default)]
pub struct RosterIndex {
    ids: FxHashMap<u64, u8>,
    accounts: FxHashMap<u128, AccountSeen>,
    /// Each (region, category) seen on a valid row, with where it was first seen.
    pub coverage: HashMap<([u8; 6], Category), (usize, u64)>,
}

#[derive(Debug, Clone, Copy)]
struct AccountSeen {
    payee: u128,
    conflict: bool,
}

/// What the first pass keeps of one valid row.
#[derive(Debug, Clone, Copy)]
pub struct RowKeys {
    id: u64,
    account: u128,
    payee: u128,
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
            region,
            category: rec.category,
            line,
        }
    }
}

impl RosterIndex {
    /// Adds a valid row of file number `file`.
    pub fn add(&mut self, keys: RowKeys, file: usize) {
        let n = self.ids.entry(keys.id).or_insert(0);
        *n = n.saturating_add(1);
        self.accounts
            .entry(keys.account)
            .and_modify(|a| a.conflict |= a.payee != keys.payee)
            .or_insert(AccountSeen { payee: keys.payee, conflict: false });
        self.coverage.entry((keys.region, keys.category)).or_insert((file, keys.line));
    }

    /// The roster-wide flags of a valid row.
    pub fn flags(&self, rec: &Record<'_>) -> RosterFlags {
        RosterFlags {
            duplicate_id: self.ids.get(&rec.child_id.key()).is_some_and(|n| *n > 1),
            payee_conflict: self.accounts.get(&account_key(&rec.payee_account)).is_some_and(|a| a.conflict),
        }
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
    fn account_keys_keep_leading_zeros() {
        assert_ne!(account_key("0012345678"), account_key("12345678"));
        assert_ne!(account_key("99999999999999999999999999999999"), account_key("99999999999999999999999999999998"));
        for a in ["0012345678", "12345678", "99999999999999999999999999999999", "00000000"] {
            assert_eq!(account_text(account_key(a)), a);
        }
    }

    #[test]
    fn payee_fingerprints_separate_name_and_bank() {
        assert_ne!(payee_fingerprint("ab", "c"), payee_fingerprint("a", "bc"));
        assert_eq!(payee_fingerprint("张三", "农行"), payee_fingerprint("张三", "农行"));
    }
}
