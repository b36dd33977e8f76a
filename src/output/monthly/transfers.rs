//! Aggregating paid rows into transfers, one per payee account, for `transfers.csv`
//! and the bank files: the sums, the payee texts kept compactly (a province pays
//! millions of accounts), and the transfer order (byte order of the account text).

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::core::money::{push_amount, push_u128};
use crate::core::month::Month;
use crate::core::transfer_id::TransferIds;
use crate::error::Fatal;
use crate::output::csvline::push_field;
use crate::output::sink::Sink;

/// One chunk's paid rows, each a contribution to its account's transfer; the texts
/// back to back in one string, so a chunk makes no allocation per row.
#[derive(Default)]
pub(super) struct Payments {
    list: Vec<Payment>,
    names: String,
}

/// One paid row's contribution to its account's transfer.
struct Payment {
    account: u128,
    amount: Decimal,
    /// The account, `payee_name` and `payee_bank` back to back in the chunk's `names`.
    at: usize,
    account_len: u8,
    name_len: u32,
    bank_len: u32,
    /// The payee's bank code (12 digits as a number), when the roster gives one.
    bank_code: Option<u64>,
}

impl Payments {
    /// Adds one paid row: its account (as `account_key`), the total paid, the
    /// payee's account, name and bank texts and the bank code.
    pub fn push(
        &mut self,
        account: u128,
        amount: Decimal,
        payee_account: &str,
        name: &str,
        bank: &str,
        bank_code: Option<u64>,
    ) {
        let at = self.names.len();
        self.names.push_str(payee_account);
        self.names.push_str(name);
        self.names.push_str(bank);
        self.list.push(Payment {
            account,
            amount,
            at,
            account_len: payee_account.len() as u8,
            name_len: name.len() as u32,
            bank_len: bank.len() as u32,
            bank_code,
        });
    }
}

/// The run's transfers so far: one sum per payee account, in order of first payment.
#[derive(Default)]
pub(super) struct Transfers {
    /// Each payee account's index in `sums`.
    accounts: FxHashMap<u128, u32>,
    sums: Vec<TransferSum>,
    names: TextArena,
    banks: Banks,
}

impl Transfers {
    /// Adds a chunk's payments to their accounts' sums.
    pub fn add(&mut self, p: &Payments) {
        for pay in &p.list {
            let (names, sums, banks) = (&mut self.names, &mut self.sums, &mut self.banks);
            let index = *self.accounts.entry(pay.account).or_insert_with(|| {
                let len = usize::from(pay.account_len) + pay.name_len as usize;
                let at = names.push(&p.names[pay.at..pay.at + len]);
                let bank = banks.id(&p.names[pay.at + len..pay.at + len + pay.bank_len as usize]);
                sums.push(TransferSum {
                    amount: Decimal::ZERO,
                    children: 0,
                    at,
                    account_len: pay.account_len,
                    name_len: pay.name_len,
                    bank,
                    bank_code: NO_CODE,
                });
                (sums.len() - 1) as u32
            });
            let sum = &mut self.sums[index as usize];
            // The rows of one account never give two codes (that is a payee conflict,
            // held), so taking the first code given does not depend on row order.
            if sum.bank_code == NO_CODE {
                sum.bank_code = pay.bank_code.unwrap_or(NO_CODE);
            }
            sum.amount += pay.amount;
            sum.children += 1;
        }
    }

    /// The index of an account's sum (None for an account never paid).
    pub fn index(&self, account: u128) -> Option<u32> {
        self.accounts.get(&account).copied()
    }

    /// Refuses a transfer whose sum the files or the ledger cannot hold exactly
    /// (`order` numbers the transfers, as in `transfers.csv`).
    pub fn check_bounds(&self, order: &[u32]) -> Result<(), Fatal> {
        for (n, i) in order.iter().enumerate() {
            let t = &self.sums[*i as usize];
            if !crate::core::money::within_bounds(t.amount) {
                let account = crate::core::text::mask(t.texts(&self.names, &self.banks).0);
                return Err(out_of_bounds(&format!("transfer {} (account {account})", n + 1), t.amount));
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.sums.len()
    }

    /// The sums' indexes in transfer order: byte order of the account text. Ends
    /// the adding (the account map is freed first).
    pub fn order(&mut self) -> Vec<u32> {
        self.accounts = FxHashMap::default();
        let (names, sums, banks) = (&self.names, &self.sums, &self.banks);
        // Sorted on a 16-byte key that orders like the text (accounts are 8 to 32
        // digits), not through the arena: at a province's millions of accounts the
        // random reads of an indirect sort cost seconds.
        let mut keyed: Vec<([u8; 16], u32)> =
            sums.iter().enumerate().map(|(i, t)| (order_key(t.texts(names, banks).0), i as u32)).collect();
        keyed.par_sort_unstable_by(|a, b| {
            let text = |i: u32| sums[i as usize].texts(names, banks).0;
            a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1)))
        });
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    /// Writes the rows of `transfers.csv` in `order`, numbered from 1.
    pub fn write(&self, order: &[u32], sink: &mut Sink, period: Month) -> Result<(), Fatal> {
        let (names, sums, banks) = (&self.names, &self.sums, &self.banks);
        let period_text = period.to_string();
        let mut ids = TransferIds::new(period);
        let mut buf = Vec::with_capacity(1 << 20);
        for (n, i) in order.iter().enumerate() {
            let t = &sums[*i as usize];
            let (account, name, bank) = t.texts(names, banks);
            buf.extend_from_slice(ids.get(n as u64 + 1).as_bytes());
            buf.push(b',');
            buf.extend_from_slice(period_text.as_bytes());
            buf.push(b',');
            buf.extend_from_slice(account.as_bytes());
            buf.push(b',');
            push_field(&mut buf, name);
            buf.push(b',');
            push_field(&mut buf, bank);
            buf.push(b',');
            push_amount(&mut buf, t.amount);
            buf.push(b',');
            push_u128(&mut buf, u128::from(t.children));
            buf.push(b',');
            if t.bank_code != NO_CODE {
                buf.extend_from_slice(format!("{:012}", t.bank_code).as_bytes());
            }
            buf.push(b'\n');
            if buf.len() > (1 << 20) - 4096 || n + 1 == order.len() {
                sink.write_rows(&buf, 0)?;
                buf.clear();
            }
        }
        sink.add_rows(order.len() as u64);
        Ok(())
    }
}

/// Per-account sums for the bank file. The account, payee name and bank live back to
/// back in one arena string.
///
/// 48 bytes an account (a province's millions of accounts are held until the bank
/// file is written): a count of children fits 32 bits, and a bank code (12 digits)
/// is held as a number with `NO_CODE` for none rather than an `Option` twice its size.
struct TransferSum {
    amount: Decimal,
    at: u64,
    bank_code: u64,
    children: u32,
    name_len: u32,
    /// The bank, in `Banks`.
    bank: u32,
    account_len: u8,
}

/// `TransferSum::bank_code` when no row of the account gives a code.
const NO_CODE: u64 = u64::MAX;

impl TransferSum {
    /// The account and the payee name (kept in the arena) and the bank (interned).
    fn texts<'a>(&self, arena: &'a TextArena, banks: &'a Banks) -> (&'a str, &'a str, &'a str) {
        let all = arena.get(self.at, usize::from(self.account_len) + self.name_len as usize);
        let n = usize::from(self.account_len);
        (&all[..n], &all[n..], banks.name(self.bank))
    }
}

/// The fatal error for an amount (`what`: a transfer, a total) that the files and
/// the ledger cannot hold.
pub(super) fn out_of_bounds(what: &str, amount: Decimal) -> Fatal {
    Fatal::new(
        crate::error::FatalKind::Input,
        format!(
            "{what} would be {} yuan: more than the 13 integer digits the files and the ledger hold exactly, so nothing is written",
            crate::core::money::fmt_amount(amount)
        ),
        "check the amounts in the rosters (a misplaced decimal point?) and run again",
    )
    .zh(
        format!("{what}金额为{}元，超出文件和台账可准确保存的13位整数，未写出任何内容", crate::core::money::fmt_amount(amount)),
        "请检查花名册中的金额（小数点位置是否有误），然后重新运行",
    )
}

/// Bank names, each kept once: a province pays millions of accounts at a few dozen
/// banks, and a bank's name is most of the bytes an account carries.
#[derive(Default)]
struct Banks {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Banks {
    fn id(&mut self, bank: &str) -> u32 {
        if let Some(id) = self.ids.get(bank) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(bank.to_owned());
        self.ids.insert(bank.to_owned(), id);
        id
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

/// A key whose byte order is the byte order of a digit string of up to 32 digits:
/// each digit a nibble (`'0'` → 1 … `'9'` → 10), the end 0. Payee accounts are 8 to
/// 32 digits (the row check refuses anything else), so the key is exact for them;
/// the caller still breaks equal keys on the text.
fn order_key(text: &str) -> [u8; 16] {
    let mut key = [0u8; 16];
    for (i, b) in text.bytes().take(32).enumerate() {
        let nibble = if b.is_ascii_digit() { b - b'0' + 1 } else { 15 };
        key[i / 2] |= if i % 2 == 0 { nibble << 4 } else { nibble };
    }
    key
}

/// Texts stored back to back in pages of a fixed size: growing never moves what is
/// stored, so a province's millions of accounts need no huge reallocation (and no
/// moment with the old and the new copy both alive).
#[derive(Default)]
struct TextArena {
    pages: Vec<String>,
}

impl TextArena {
    const PAGE: usize = 8 << 20;

    /// Stores `s`; returns where it is (page and offset).
    fn push(&mut self, s: &str) -> u64 {
        let fits = self.pages.last().is_some_and(|p| p.capacity() - p.len() >= s.len());
        if !fits {
            self.pages.push(String::with_capacity(Self::PAGE.max(s.len())));
        }
        let page = self.pages.len() - 1;
        let p = &mut self.pages[page];
        let at = p.len();
        p.push_str(s);
        ((page as u64) << 32) | at as u64
    }

    fn get(&self, at: u64, len: usize) -> &str {
        let offset = (at & 0xFFFF_FFFF) as usize;
        &self.pages[(at >> 32) as usize][offset..offset + len]
    }
}

#[cfg(test)]
mod tests {
    use super::{order_key, TextArena, TransferSum};

    #[test]
    fn an_accounts_sum_stays_small() {
        // One per payee account, all held until the bank file is written.
        assert!(std::mem::size_of::<TransferSum>() <= 48, "{}", std::mem::size_of::<TransferSum>());
    }

    #[test]
    fn order_keys_sort_accounts_like_their_text() {
        let mut accounts = vec![
            "6222021001000000011",
            "62220210",
            "622202100",
            "6222021000",
            "0012345678",
            "99999999999999999999999999999999",
            "99999999999999999999999999999998",
            "6222021001000000010",
            "12345678",
        ];
        let mut by_key = accounts.clone();
        by_key.sort_by_key(|a| order_key(a));
        accounts.sort();
        assert_eq!(by_key, accounts);
        let keys: std::collections::BTreeSet<_> = accounts.iter().map(|a| order_key(a)).collect();
        assert_eq!(keys.len(), accounts.len());
    }

    #[test]
    fn texts_stay_whole_across_arena_pages() {
        let mut arena = TextArena::default();
        let texts: Vec<String> = (0..20_000).map(|i| format!("{i:0>999}账")).collect();
        let at: Vec<u64> = texts.iter().map(|t| arena.push(t)).collect();
        assert!(arena.pages.len() > 1);
        for (t, a) in texts.iter().zip(at) {
            assert_eq!(arena.get(a, t.len()), t);
        }
        // A text longer than a page gets a page of its own.
        let long = "x".repeat(TextArena::PAGE + 1);
        let a = arena.push(&long);
        assert_eq!(arena.get(a, long.len()), long);
    }
}
