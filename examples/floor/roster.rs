//! The floor's one parse of the roster, kept in one arena, and the grouping of the
//! paid rows by account that the transfers, the payroll list and the ledger's
//! transfer ids all need.

use disburse::core::column::Column;
use rustc_hash::FxHashMap;

use super::Res;

/// The roster's columns, in the order the floor keeps them: disburse's own table.
fn columns() -> [&'static str; Column::COUNT] {
    Column::ALL.map(Column::name)
}
pub const CHILD_ID: usize = 0;
pub const NAME: usize = 1;
pub const CATEGORY: usize = 2;
pub const REGION: usize = 3;
pub const AMOUNT: usize = 7;
pub const PAYEE_NAME: usize = 8;
pub const ACCOUNT: usize = 9;
pub const BANK: usize = 10;
pub const BANK_CODE: usize = 11;
const NF: usize = Column::COUNT;

/// Every record's fields, back to back.
pub struct Roster {
    pub path: String,
    data: Vec<u8>,
    /// Per row, its start then the end of each field.
    bounds: Vec<u32>,
    pub rows: usize,
}

impl Roster {
    pub fn read(path: &str) -> Res<Roster> {
        let size = std::fs::metadata(path)?.len() as usize;
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
        let header = rdr.byte_headers()?.clone();
        let at: Vec<Option<usize>> = columns().iter().map(|c| header.iter().position(|h| h == c.as_bytes())).collect();
        let mut data = Vec::with_capacity(size);
        let mut bounds = Vec::with_capacity(size / 100 * (NF + 1));
        let mut rec = csv::ByteRecord::new();
        let mut rows = 0;
        while rdr.read_byte_record(&mut rec)? {
            bounds.push(data.len() as u32);
            for i in &at {
                data.extend_from_slice(i.and_then(|i| rec.get(i)).unwrap_or(b""));
                bounds.push(u32::try_from(data.len()).map_err(|_| "roster over 4 GiB")?);
            }
            rows += 1;
        }
        Ok(Roster { path: path.to_owned(), data, bounds, rows })
    }

    pub fn field(&self, row: usize, f: usize) -> &[u8] {
        let b = &self.bounds[row * (NF + 1)..];
        &self.data[b[f] as usize..b[f + 1] as usize]
    }

    /// The row's source, `path:line`, into `buf`.
    pub fn source(&self, row: usize, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.path.as_bytes());
        buf.push(b':');
        buf.extend_from_slice(itoa::Buffer::new().format(row + 2).as_bytes());
    }

    /// Every fifth row is not paid: no rule is applied.
    pub fn is_paid(row: usize) -> bool {
        row % 5 != 4
    }

    /// The recorded amount in fen, when it is plain digits with up to two decimals.
    pub fn recorded_fen(&self, row: usize) -> Option<i64> {
        let s = self.field(row, AMOUNT);
        let (whole, frac) = match s.iter().position(|b| *b == b'.') {
            Some(p) => (&s[..p], &s[p + 1..]),
            None => (s, &b""[..]),
        };
        if whole.is_empty() || whole.len() > 13 || frac.len() > 2 || !s.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        {
            return None;
        }
        let num = |d: &[u8]| d.iter().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
        Some(num(whole) * 100 + num(frac) * if frac.len() == 1 { 10 } else { 1 })
    }
}

/// The standard every paid row gets at least.
pub const STANDARD_FEN: i64 = 80_000;

/// A transfer: one per account, numbered in account order.
pub struct Transfer {
    /// The roster row whose payee it carries (the first paid one).
    pub row: u32,
    pub fen: i64,
    pub children: u32,
}

/// The paid rows and their transfers.
pub struct Paid {
    /// Paid rows, in roster order.
    pub rows: Vec<u32>,
    /// Per paid row, its amount in fen.
    pub fen: Vec<i64>,
    /// Per paid row, its transfer's index in `transfers`.
    pub transfer: Vec<u32>,
    pub transfers: Vec<Transfer>,
    /// Indexes into `rows`, by transfer (the payroll list's order).
    pub by_transfer: Vec<u32>,
}

impl Paid {
    pub fn group(r: &Roster) -> Paid {
        let rows: Vec<u32> = (0..r.rows).filter(|i| Roster::is_paid(*i)).map(|i| i as u32).collect();
        let fen: Vec<i64> = rows.iter().map(|&i| r.recorded_fen(i as usize).unwrap_or(0).max(STANDARD_FEN)).collect();
        let mut slot: FxHashMap<&[u8], u32> = FxHashMap::default();
        let mut firsts: Vec<u32> = Vec::new();
        let slots: Vec<u32> = rows
            .iter()
            .map(|&i| {
                *slot.entry(r.field(i as usize, ACCOUNT)).or_insert_with(|| {
                    firsts.push(i);
                    firsts.len() as u32 - 1
                })
            })
            .collect();
        let mut order: Vec<(u128, u32)> =
            firsts.iter().enumerate().map(|(s, &row)| (prefix(r.field(row as usize, ACCOUNT)), s as u32)).collect();
        sort_by_text(&mut order, |s| r.field(firsts[s as usize] as usize, ACCOUNT));
        let order: Vec<u32> = order.into_iter().map(|(_, s)| s).collect();
        let mut rank = vec![0u32; order.len()];
        for (n, &s) in order.iter().enumerate() {
            rank[s as usize] = n as u32;
        }
        let mut transfers: Vec<Transfer> =
            order.iter().map(|&s| Transfer { row: firsts[s as usize], fen: 0, children: 0 }).collect();
        let transfer: Vec<u32> = slots.iter().map(|&s| rank[s as usize]).collect();
        for (p, &t) in transfer.iter().enumerate() {
            transfers[t as usize].fen += fen[p];
            transfers[t as usize].children += 1;
        }
        // A counting sort of the paid rows by transfer.
        let mut next: Vec<u32> = Vec::with_capacity(transfers.len());
        let mut at = 0;
        for t in &transfers {
            next.push(at);
            at += t.children;
        }
        let mut by_transfer = vec![0u32; rows.len()];
        for (p, &t) in transfer.iter().enumerate() {
            by_transfer[next[t as usize] as usize] = p as u32;
            next[t as usize] += 1;
        }
        Paid { rows, fen, transfer, transfers, by_transfer }
    }
}

/// The first 16 bytes of `text`, zero-padded, as a number that orders as the text does.
pub fn prefix(text: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = text.len().min(16);
    b[..n].copy_from_slice(&text[..n]);
    u128::from_be_bytes(b)
}

/// Sorts `(prefix(text), i)` pairs in the order of their texts (`text(i)`), which are
/// only looked at when their prefixes tie.
pub fn sort_by_text<'a>(keys: &mut [(u128, u32)], text: impl Fn(u32) -> &'a [u8]) {
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1))));
}

/// `fen` as yuan with two decimals, into `buf`.
pub fn yuan(fen: i64, buf: &mut Vec<u8>) {
    buf.extend_from_slice(itoa::Buffer::new().format(fen / 100).as_bytes());
    let c = (fen % 100) as u8;
    buf.extend_from_slice(&[b'.', b'0' + c / 10, b'0' + c % 10]);
}

/// The transfer id of transfer index `t` (0-based), into `buf`.
pub fn transfer_id(t: u32, buf: &mut Vec<u8>) {
    let mut n = itoa::Buffer::new();
    let n = n.format(t + 1);
    buf.extend_from_slice(b"T201806-");
    buf.extend(std::iter::repeat_n(b'0', 6usize.saturating_sub(n.len())));
    buf.extend_from_slice(n.as_bytes());
}
