//! Writing the files of a monthly run (SPEC section 4) as decided batches arrive.
//!
//! Rows are rendered in parallel into per-chunk buffers; the totals and per-account
//! transfer sums are tallied on the calling thread; a writer thread appends the
//! bytes, extends the audit hash chain and hashes every file, so hashing and writing
//! overlap with reading and deciding the next batch.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::csvline::{push_field, push_row};
use super::manifest::{Group, Totals};
use super::sink::{OutputInfo, Sink};
use super::spill::{LineSpill, SpilledLines};
use super::staged::StagedDir;
use crate::batch::{DecisionSink, RowOutcome};
use crate::core::arrears::Kind;
use crate::core::decision::Decision;
use crate::core::detail::Lang;
use crate::core::money::{fmt_amount, push_amount, push_u128};
use crate::core::month::Month;
use crate::core::payment::{account_key, LedgerLine};
use crate::core::reason::Reason;
use crate::core::record::Category;
use crate::core::text::defuse;
use crate::error::Fatal;

pub const ENTITLEMENTS: &str = "entitlements.csv";
pub const TRANSFERS: &str = "transfers.csv";
pub const EXCEPTIONS: &str = "exceptions.csv";
pub const AUDIT: &str = "audit.jsonl";

pub const ENTITLEMENTS_HEADER: [&str; 15] = [
    "period",
    "kind",
    "months",
    "child_id",
    "name",
    "category",
    "region_code",
    "payee_name",
    "payee_account",
    "payee_bank",
    "standard",
    "recorded_amount",
    "amount",
    "basis",
    "source",
];
pub const TRANSFERS_HEADER: [&str; 7] =
    ["transfer_id", "period", "payee_account", "payee_name", "payee_bank", "amount", "children"];
pub const EXCEPTIONS_HEADER: [&str; 7] = ["period", "source", "decision", "reason", "child_id", "name", "detail"];

/// The `prev` of the first audit line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything the summary and the manifest need once all rows are written.
#[derive(Debug, Default)]
pub struct RunTotals {
    pub totals: Totals,
    pub amount: Decimal,
    pub arrears_amount: Decimal,
    /// Every payment line for the ledger, parked on disk (a real run only).
    pub ledger_lines: Option<SpilledLines>,
    /// Every valid child in roster order (when changes are tracked).
    pub children: Vec<SeenChild>,
    /// The previous month and the counts added, removed, amount_changed.
    pub changes: Option<(Month, [u64; 3])>,
    pub by_category: BTreeMap<String, Group>,
    pub by_region: BTreeMap<String, Group>,
    pub reasons: BTreeMap<Reason, u64>,
    pub audit_head: String,
    pub outputs: Vec<OutputInfo>,
}

/// Per-account sums for the bank file. The account, payee name and bank live back to
/// back in one arena string.
struct TransferSum {
    amount: Decimal,
    children: u64,
    at: u64,
    account_len: u8,
    name_len: u32,
    /// The bank, in `Banks`.
    bank: u32,
}

impl TransferSum {
    /// The account and the payee name (kept in the arena) and the bank (interned).
    fn texts<'a>(&self, arena: &'a TextArena, banks: &'a Banks) -> (&'a str, &'a str, &'a str) {
        let all = arena.get(self.at, usize::from(self.account_len) + self.name_len as usize);
        let n = usize::from(self.account_len);
        (&all[..n], &all[n..], banks.name(self.bank))
    }
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

/// The bytes of a chunk of rows, ready to append.
#[derive(Default)]
struct Rendered {
    entitlements: Vec<u8>,
    entitlement_rows: u64,
    exceptions: Vec<u8>,
    exception_rows: u64,
    /// Audit lines up to (not including) the `prev` value, back to back.
    audit: Vec<u8>,
    audit_ends: Vec<usize>,
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
}

/// One child as this run sees it, for `changes.csv`.
#[derive(Debug, Clone)]
pub struct SeenChild {
    pub child_id: String,
    pub name: String,
    /// The regular amount paid this month.
    pub paid: Option<Decimal>,
    /// Why it is not paid (held, excluded, rejected).
    pub reason: Option<Reason>,
}

/// The counts and sums of one chunk, merged on the calling thread.
#[derive(Default)]
struct Tally {
    seen: Vec<SeenChild>,
    counts: [u64; 4],
    amount: Decimal,
    arrears: Decimal,
    ledger: Vec<(LedgerLine, u128)>,
    categories: [(u64, Decimal); 2],
    regions: Vec<(String, u64, Decimal)>,
    reasons: Vec<(Reason, u64)>,
    payments: Vec<Payment>,
    names: String,
}

/// A rendered chunk: its bytes for the writer thread and its tally.
pub struct Chunk {
    rendered: Rendered,
    tally: Tally,
}

/// The files the writer thread owns.
struct Files {
    entitlements: Sink,
    exceptions: Sink,
    audit: Sink,
    prev: [u8; 32],
    lines: u64,
}

/// The open output files of one run.
pub struct MonthlyWriter {
    lang: Lang,
    bom: bool,
    /// Collect every child for `changes.csv`.
    pub track_changes: bool,
    seen: Vec<SeenChild>,
    period: Month,
    period_text: String,
    write_transfers: bool,
    to_writer: Option<SyncSender<Vec<Rendered>>>,
    writer: Option<JoinHandle<Result<Files, Fatal>>>,
    counts: [u64; 4],
    amount: Decimal,
    arrears: Decimal,
    /// The payment lines for the ledger (a real run only), each with the index of
    /// its account in `sums`, parked on disk until the ledger takes them.
    spill: Option<LineSpill>,
    categories: [(u64, Decimal); 2],
    regions: BTreeMap<String, (u64, Decimal)>,
    reasons: BTreeMap<Reason, u64>,
    /// Each payee account's index in `sums`, in order of first payment.
    accounts: FxHashMap<u128, u32>,
    sums: Vec<TransferSum>,
    names: TextArena,
    banks: Banks,
}

fn open(dir: &StagedDir, name: &str) -> Result<Sink, Fatal> {
    Ok(Sink::new(name, dir.target().join(name), dir.create(name)?))
}

/// A CSV header row, after a UTF-8 BOM when `bom` (`--bom`, for Excel).
pub fn header(fields: &[&str], bom: bool) -> Vec<u8> {
    let mut v = Vec::new();
    if bom {
        v.extend_from_slice(b"\xEF\xBB\xBF");
    }
    push_row(&mut v, fields);
    v
}

impl MonthlyWriter {
    pub fn create(
        dir: &StagedDir,
        period: Month,
        write_transfers: bool,
        lang: Lang,
        bom: bool,
    ) -> Result<MonthlyWriter, Fatal> {
        let mut entitlements = open(dir, ENTITLEMENTS)?;
        entitlements.write_raw(&header(&ENTITLEMENTS_HEADER, bom))?;
        let mut exceptions = open(dir, EXCEPTIONS)?;
        exceptions.write_raw(&header(&EXCEPTIONS_HEADER, bom))?;
        let audit = open(dir, AUDIT)?;
        let files = Files { entitlements, exceptions, audit, prev: [0; 32], lines: 0 };
        let (tx, rx) = sync_channel::<Vec<Rendered>>(4);
        let writer = std::thread::Builder::new()
            .name("disburse-writer".into())
            .spawn(move || write_all(files, rx))
            .map_err(|e| Fatal::io(dir.target(), "starting the writer thread", &e))?;
        Ok(MonthlyWriter {
            lang,
            bom,
            track_changes: false,
            seen: Vec::new(),
            period,
            period_text: period.to_string(),
            write_transfers,
            to_writer: Some(tx),
            writer: Some(writer),
            counts: [0; 4],
            amount: Decimal::ZERO,
            arrears: Decimal::ZERO,
            spill: if write_transfers { Some(LineSpill::create(dir)?) } else { None },
            categories: Default::default(),
            regions: BTreeMap::new(),
            reasons: BTreeMap::new(),
            accounts: FxHashMap::default(),
            sums: Vec::new(),
            names: TextArena::default(),
            banks: Banks::default(),
        })
    }

    fn join(&mut self) -> Result<Result<Files, Fatal>, Fatal> {
        self.to_writer = None;
        match self.writer.take() {
            Some(h) => Ok(h.join().unwrap_or_else(|_| Err(writer_gone()))),
            None => Err(writer_gone()),
        }
    }

    fn merge(&mut self, t: Tally) -> Result<(), Fatal> {
        for (mine, theirs) in self.counts.iter_mut().zip(t.counts) {
            *mine += theirs;
        }
        self.amount += t.amount;
        self.arrears += t.arrears;
        self.seen.extend(t.seen);
        for (mine, theirs) in self.categories.iter_mut().zip(t.categories) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for (region, n, amount) in t.regions {
            let r = self.regions.entry(region).or_default();
            r.0 += n;
            r.1 += amount;
        }
        for (reason, n) in t.reasons {
            *self.reasons.entry(reason).or_default() += n;
        }
        for p in t.payments {
            let (names, sums, banks) = (&mut self.names, &mut self.sums, &mut self.banks);
            let index = *self.accounts.entry(p.account).or_insert_with(|| {
                let len = usize::from(p.account_len) + p.name_len as usize;
                let at = names.push(&t.names[p.at..p.at + len]);
                let bank = banks.id(&t.names[p.at + len..p.at + len + p.bank_len as usize]);
                sums.push(TransferSum {
                    amount: Decimal::ZERO,
                    children: 0,
                    at,
                    account_len: p.account_len,
                    name_len: p.name_len,
                    bank,
                });
                (sums.len() - 1) as u32
            });
            let sum = &mut self.sums[index as usize];
            sum.amount += p.amount;
            sum.children += 1;
        }
        // A dry run records nothing in the ledger, so it keeps no lines for it.
        if let Some(spill) = self.spill.as_mut() {
            for (line, account) in &t.ledger {
                spill.push(line, self.accounts.get(account).copied().unwrap_or(u32::MAX))?;
            }
        }
        Ok(())
    }

    /// Writes `transfers.csv` (on a real run), closes every file and returns the totals.
    pub fn finish(mut self, dir: &StagedDir) -> Result<RunTotals, Fatal> {
        let files = self.join()??;
        let mut outputs = vec![files.entitlements.finish()?];
        // Transfers are numbered in byte order of the account text.
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
        let order: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
        let mut sequence = vec![0u32; sums.len()];
        for (n, i) in order.iter().enumerate() {
            sequence[*i as usize] = n as u32 + 1;
        }
        let ledger_lines = match self.spill.take() {
            Some(spill) => Some(spill.close(sequence)?),
            None => None,
        };
        if self.write_transfers {
            let mut sink = open(dir, TRANSFERS)?;
            sink.write_raw(&header(&TRANSFERS_HEADER, self.bom))?;
            let prefix = format!("T{}-", self.period.compact());
            let mut buf = Vec::with_capacity(1 << 20);
            for (n, i) in order.iter().enumerate() {
                let t = &sums[*i as usize];
                let (account, name, bank) = t.texts(names, banks);
                buf.extend_from_slice(prefix.as_bytes());
                let id = n as u128 + 1;
                for pad in [100_000, 10_000, 1_000, 100, 10] {
                    if id < pad {
                        buf.push(b'0');
                    }
                }
                push_u128(&mut buf, id);
                buf.push(b',');
                buf.extend_from_slice(self.period_text.as_bytes());
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
                buf.push(b'\n');
                if buf.len() > (1 << 20) - 4096 || n + 1 == order.len() {
                    sink.write_rows(&buf, 0)?;
                    buf.clear();
                }
            }
            sink.add_rows(order.len() as u64);
            outputs.push(sink.finish()?);
        }
        outputs.push(files.exceptions.finish()?);
        let audit_head = if files.lines == 0 { GENESIS.to_owned() } else { crate::hex(&files.prev) };
        outputs.push(files.audit.finish()?);
        let group = |(n, a): (u64, Decimal)| Group { children: n, amount: fmt_amount(a) };
        let [paid, held, excluded, rejected] = self.counts;
        Ok(RunTotals {
            totals: Totals {
                rows: paid + held + excluded + rejected,
                paid,
                held,
                excluded,
                rejected,
                amount: fmt_amount(self.amount),
                arrears_amount: fmt_amount(self.arrears),
                transfers: order.len() as u64,
            },
            amount: self.amount,
            arrears_amount: self.arrears,
            ledger_lines,
            children: std::mem::take(&mut self.seen),
            changes: None,
            by_category: Category::ALL
                .iter()
                .map(|c| (c.as_str().to_owned(), group(self.categories[c.index()])))
                .collect(),
            by_region: std::mem::take(&mut self.regions).into_iter().map(|(r, v)| (r, group(v))).collect(),
            reasons: std::mem::take(&mut self.reasons),
            audit_head,
            outputs,
        })
    }
}

impl DecisionSink for MonthlyWriter {
    type Chunk = Chunk;

    fn render(&self, path: &str, first_seq: u64, rows: &[RowOutcome<'_>]) -> Chunk {
        let mut chunk = render_chunk(rows, path, first_seq, self.period, &self.period_text, self.lang);
        if self.track_changes {
            chunk.tally.seen = rows
                .iter()
                .filter_map(|r| {
                    // A rejected row still names its child when the ID itself is valid.
                    let id = match r.record() {
                        Some(rec) => rec.child_id,
                        None => crate::core::id::ChildId::parse(&crate::core::text::fold_width(r.child_id())).ok()?,
                    };
                    Some(SeenChild {
                        child_id: id.as_str().to_owned(),
                        name: r.name().to_owned(),
                        paid: r.entitlement.filter(|_| r.decision == Decision::Paid).map(|e| e.amount),
                        reason: r.reason,
                    })
                })
                .collect();
        }
        chunk
    }

    fn accept(&mut self, chunks: Vec<Chunk>) -> Result<(), Fatal> {
        let mut rendered = Vec::with_capacity(chunks.len());
        for c in chunks {
            self.merge(c.tally)?;
            rendered.push(c.rendered);
        }
        let sent = self.to_writer.as_ref().map(|tx| tx.send(rendered).is_ok()).unwrap_or(false);
        if !sent {
            // The writer stopped: its error explains why.
            return Err(self.join()?.err().unwrap_or_else(writer_gone));
        }
        Ok(())
    }
}

impl Drop for MonthlyWriter {
    fn drop(&mut self) {
        self.to_writer = None;
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}

fn writer_gone() -> Fatal {
    Fatal::new(
        crate::FatalKind::Io,
        "the output writer stopped unexpectedly",
        "run again; if it repeats, check the disk",
    )
}

/// The writer thread: appends rendered bytes and extends the audit chain.
fn write_all(mut files: Files, rx: Receiver<Vec<Rendered>>) -> Result<Files, Fatal> {
    let mut audit = Vec::with_capacity(1 << 20);
    let mut hex = [0u8; 64];
    for chunks in rx {
        for r in chunks {
            files.entitlements.write_rows(&r.entitlements, r.entitlement_rows)?;
            files.exceptions.write_rows(&r.exceptions, r.exception_rows)?;
            audit.clear();
            let mut start = 0;
            for &end in &r.audit_ends {
                let line_start = audit.len();
                audit.extend_from_slice(&r.audit[start..end]);
                hex_into(&files.prev, &mut hex);
                audit.extend_from_slice(&hex);
                audit.extend_from_slice(b"\"}");
                files.prev = Sha256::digest(&audit[line_start..]).into();
                audit.push(b'\n');
                start = end;
            }
            files.lines += r.audit_ends.len() as u64;
            files.audit.write_rows(&audit, r.audit_ends.len() as u64)?;
        }
    }
    Ok(files)
}

fn hex_into(bytes: &[u8; 32], out: &mut [u8; 64]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
}

/// Appends a JSON string (with quotes).
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        serde_json::to_writer(&mut *buf, s).expect("writing to a Vec");
    }
}

fn push_json_amount(buf: &mut Vec<u8>, d: Option<Decimal>) {
    match d {
        Some(d) => {
            buf.push(b'"');
            push_amount(buf, d);
            buf.push(b'"');
        }
        None => buf.extend_from_slice(b"null"),
    }
}

fn push_json_opt(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_json_str(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

fn render_chunk(rows: &[RowOutcome<'_>], path: &str, first_seq: u64, month: Month, period: &str, lang: Lang) -> Chunk {
    let mut tally = Tally::default();
    let mut out = Rendered {
        entitlements: Vec::with_capacity(rows.len() * 160),
        exceptions: Vec::with_capacity(rows.len() * 16),
        audit: Vec::with_capacity(rows.len() * 240),
        audit_ends: Vec::with_capacity(rows.len()),
        ..Rendered::default()
    };
    let mut source = String::with_capacity(path.len() + 12);
    for (i, r) in rows.iter().enumerate() {
        source.clear();
        source.push_str(path);
        source.push(':');
        source.push_str(&r.line.to_string());
        let rec = r.record();
        let recorded = rec.and_then(|x| x.monthly_amount);
        tally_row(&mut tally, r, month);
        if let (Some(e), Some(rec), Decision::Paid) = (&r.entitlement, rec, r.decision) {
            let b = &mut out.entitlements;
            for f in [period, ",regular,", period, ","] {
                b.extend_from_slice(f.as_bytes());
            }
            push_child(b, rec);
            b.push(b',');
            push_amount(b, e.standard);
            b.push(b',');
            if let Some(a) = recorded {
                push_amount(b, a);
            }
            b.push(b',');
            push_amount(b, e.amount);
            b.push(b',');
            b.extend_from_slice(e.basis.as_str().as_bytes());
            b.push(b',');
            push_field(b, &defuse(&source));
            b.push(b'\n');
            out.entitlement_rows += 1;
        }
        if let (false, Some(rec)) = (r.arrears.is_empty(), rec) {
            let b = &mut out.entitlements;
            b.extend_from_slice(period.as_bytes());
            b.extend_from_slice(b",arrears,");
            for (k, a) in r.arrears.iter().enumerate() {
                if k > 0 {
                    b.push(b';');
                }
                b.extend_from_slice(a.month.to_string().as_bytes());
            }
            b.push(b',');
            push_child(b, rec);
            b.extend_from_slice(b",,,");
            push_amount(b, r.arrears_total());
            b.extend_from_slice(b",arrears,");
            push_field(b, &defuse(&source));
            b.push(b'\n');
            out.entitlement_rows += 1;
        }
        if let Some(reason) = r.reason {
            push_row(
                &mut out.exceptions,
                &[
                    period,
                    &defuse(&source),
                    r.decision.as_str(),
                    reason.code(),
                    &defuse(r.child_id()),
                    &defuse(r.name()),
                    &r.detail.render(lang),
                ],
            );
            out.exception_rows += 1;
        }
        let a = &mut out.audit;
        a.extend_from_slice(b"{\"seq\":");
        push_u128(a, u128::from(first_seq + i as u64));
        a.extend_from_slice(b",\"source\":");
        push_json_str(a, &source);
        a.extend_from_slice(b",\"child_id\":");
        push_json_str(a, r.child_id());
        a.extend_from_slice(b",\"decision\":\"");
        a.extend_from_slice(r.decision.as_str().as_bytes());
        a.extend_from_slice(b"\",\"reason\":");
        push_json_opt(a, r.reason.map(Reason::code));
        a.extend_from_slice(b",\"category\":");
        push_json_opt(a, rec.map(|x| x.category.as_str()));
        a.extend_from_slice(b",\"standard\":");
        push_json_amount(a, r.standard);
        a.extend_from_slice(b",\"recorded_amount\":");
        push_json_amount(a, recorded);
        a.extend_from_slice(b",\"amount\":");
        push_json_amount(a, r.entitlement.map(|e| e.amount));
        a.extend_from_slice(b",\"basis\":");
        push_json_opt(a, r.entitlement.map(|e| e.basis.as_str()));
        if !r.arrears.is_empty() {
            a.extend_from_slice(b",\"arrears\":[");
            for (k, m) in r.arrears.iter().enumerate() {
                if k > 0 {
                    a.push(b',');
                }
                a.extend_from_slice(b"{\"month\":\"");
                a.extend_from_slice(m.month.to_string().as_bytes());
                a.extend_from_slice(b"\",\"standard\":");
                push_json_amount(a, Some(m.standard));
                a.extend_from_slice(b",\"paid\":");
                push_json_amount(a, Some(m.paid));
                a.extend_from_slice(b",\"owed\":");
                push_json_amount(a, Some(m.owed));
                a.push(b'}');
            }
            a.push(b']');
        }
        a.extend_from_slice(b",\"prev\":\"");
        out.audit_ends.push(a.len());
    }
    Chunk { rendered: out, tally }
}

/// The child's columns of an entitlement line: `child_id` to `payee_bank`.
fn push_child(b: &mut Vec<u8>, rec: &crate::core::record::Record<'_>) {
    b.extend_from_slice(rec.child_id.as_str().as_bytes());
    for f in [&*rec.name, rec.category.as_str(), &rec.region_code, &rec.payee_name, &rec.payee_account, &rec.payee_bank]
    {
        b.push(b',');
        push_field(b, f);
    }
}

fn tally_row(t: &mut Tally, row: &RowOutcome<'_>, period: Month) {
    t.counts[row.decision as usize] += 1;
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
    let c = &mut t.categories[rec.category.index()];
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
    let at = t.names.len();
    t.names.push_str(&rec.payee_account);
    t.names.push_str(&rec.payee_name);
    t.names.push_str(&rec.payee_bank);
    t.payments.push(Payment {
        account,
        amount: total,
        at,
        account_len: rec.payee_account.len() as u8,
        name_len: rec.payee_name.len() as u32,
        bank_len: rec.payee_bank.len() as u32,
    });
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

#[cfg(test)]
mod tests {
    use super::{order_key, TextArena};

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
