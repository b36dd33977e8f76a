//! Writing the files of a monthly run (SPEC section 4) as decided batches arrive.
//!
//! Rows are rendered and tallied in parallel, a chunk at a time (`render`, `tally`);
//! the chunks' tallies are merged on the calling thread, paid rows summed into one
//! transfer per payee account (`transfers`); a writer thread appends the bytes,
//! extends the audit hash chain and hashes every file (`writer`), so hashing and
//! writing overlap with reading and deciding the next batch. This file holds the
//! file names and headers and [`MonthlyWriter`], which ties the four together.

pub mod render;
mod tally;
mod transfers;
mod writer;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::csvline::push_row;
use super::manifest::{Group, Totals};
use super::sink::{OutputInfo, Sink};
use super::spill::{LineSpill, SpilledLines};
use super::staged::StagedDir;
pub use super::transfer_file::{TRANSFERS, TRANSFERS_HEADER};
use crate::batch::{DecisionSink, RowOutcome};
use crate::core::detail::Lang;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::reason::Reason;
use crate::core::record::Category;
use crate::error::Fatal;
use render::Rendered;
use tally::{RunSums, Tally};
use transfers::Transfers;
use writer::Writer;

pub const ENTITLEMENTS: &str = "entitlements.csv";
pub const EXCEPTIONS: &str = "exceptions.csv";
pub const AUDIT: &str = "audit.jsonl";
/// A dry run's transfers, read by the bank profiles it renders in memory and removed
/// before the output is moved into place.
pub const SCRATCH_TRANSFERS: &str = ".transfers-dry-run.csv";

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

/// A rendered chunk: its bytes for the writer thread and its tally.
pub struct Chunk {
    rendered: Rendered,
    tally: Tally,
}

/// The open output files of one run.
pub struct MonthlyWriter {
    lang: Lang,
    bom: bool,
    /// Collect every child for `changes.csv`.
    pub track_changes: bool,
    /// A dry run with bank profiles: write the transfers under [`SCRATCH_TRANSFERS`]
    /// (not an output), for the bank files it renders in memory.
    pub scratch_transfers: bool,
    /// The policy's categories: `by_category` lists each, paid or not.
    pub categories: Vec<Category>,
    seen: Vec<SeenChild>,
    period: Month,
    period_text: String,
    write_transfers: bool,
    writer: Writer,
    sums: RunSums,
    /// The payment lines for the ledger (a real run only), each with the index of
    /// its account's transfer, parked on disk until the ledger takes them.
    spill: Option<LineSpill>,
    transfers: Transfers,
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
        let writer = Writer::start(dir, bom)?;
        Ok(MonthlyWriter {
            lang,
            bom,
            track_changes: false,
            scratch_transfers: false,
            categories: Category::BUILT_IN_POLICY.to_vec(),
            seen: Vec::new(),
            period,
            period_text: period.to_string(),
            write_transfers,
            writer,
            sums: RunSums::default(),
            spill: if write_transfers { Some(LineSpill::create(dir)?) } else { None },
            transfers: Transfers::default(),
        })
    }

    fn merge(&mut self, mut t: Tally) -> Result<(), Fatal> {
        self.sums.add(&mut t);
        self.seen.append(&mut t.seen);
        self.transfers.add(&t.payments);
        // A dry run records nothing in the ledger, so it keeps no lines for it.
        if let Some(spill) = self.spill.as_mut() {
            for (line, account) in &t.ledger {
                let index = self.transfers.index(*account).ok_or_else(|| {
                    Fatal::new(
                        crate::error::FatalKind::Io,
                        "internal error: a paid line without its transfer; nothing was written",
                        "report this with the rosters that caused it",
                    )
                    .zh(
                        "内部错误：有一条发放记录找不到对应的转账；没有写出任何文件",
                        "请把引起此问题的花名册一并报告给维护人员",
                    )
                })?;
                spill.push(line, index)?;
            }
        }
        Ok(())
    }

    /// Writes `transfers.csv` (on a real run), closes every file and returns the totals.
    pub fn finish(mut self, dir: &StagedDir) -> Result<RunTotals, Fatal> {
        let files = self.writer.finish()?;
        let audit_head = files.audit_head();
        let mut outputs = vec![files.entitlements.finish()?];
        // Transfers are numbered in byte order of the account text.
        let order = self.transfers.order();
        // Every amount written must fit the files and the ledger: refused, never capped.
        self.transfers.check_bounds(&order)?;
        let total = self.sums.amount + self.sums.arrears;
        for (what, amount) in [
            ("the run's regular amount", self.sums.amount),
            ("the run's back pay", self.sums.arrears),
            ("the run's total", total),
        ] {
            if !crate::core::money::within_bounds(amount) {
                return Err(transfers::out_of_bounds(what, amount));
            }
        }
        let mut sequence = vec![0u32; self.transfers.len()];
        for (n, i) in order.iter().enumerate() {
            sequence[*i as usize] = n as u32 + 1;
        }
        let ledger_lines = match self.spill.take() {
            Some(spill) => Some(spill.close(sequence)?),
            None => None,
        };
        if self.write_transfers || self.scratch_transfers {
            let name = if self.write_transfers { TRANSFERS } else { SCRATCH_TRANSFERS };
            let mut sink = open(dir, name)?;
            sink.write_raw(&header(&TRANSFERS_HEADER, self.bom))?;
            self.transfers.write(&order, &mut sink, self.period)?;
            let info = sink.finish()?;
            if self.write_transfers {
                outputs.push(info);
            }
        }
        outputs.push(files.exceptions.finish()?);
        outputs.push(files.audit.finish()?);
        let group = |(n, a): (u64, Decimal)| Group { children: n, amount: fmt_amount(a) };
        let sums = std::mem::take(&mut self.sums);
        let c = sums.counts;
        Ok(RunTotals {
            totals: Totals {
                rows: c.rows(),
                paid: c.paid,
                held: c.held,
                excluded: c.excluded,
                rejected: c.rejected,
                amount: fmt_amount(sums.amount),
                arrears_amount: fmt_amount(sums.arrears),
                transfers: order.len() as u64,
            },
            amount: sums.amount,
            arrears_amount: sums.arrears,
            ledger_lines,
            children: std::mem::take(&mut self.seen),
            changes: None,
            by_category: self
                .categories
                .iter()
                .copied()
                // Any category paid is listed too (coverage makes it one of the policy's).
                .chain(
                    (0..sums.categories.len())
                        .filter(|i| sums.categories[*i].0 > 0)
                        .filter_map(|i| Category::from_index(i as u8)),
                )
                .map(|c| (c.as_str().to_owned(), group(sums.categories.get(c.index()).copied().unwrap_or_default())))
                .collect(),
            by_region: sums.regions.into_iter().map(|(r, v)| (r, group(v))).collect(),
            reasons: sums.reasons,
            audit_head,
            outputs,
        })
    }
}

impl DecisionSink for MonthlyWriter {
    type Chunk = Chunk;

    fn render(&self, path: &str, first_seq: u64, rows: &[RowOutcome<'_>]) -> Chunk {
        let rendered = render::render_rows(rows, path, first_seq, &self.period_text, self.lang);
        let mut tally = tally::tally_rows(rows, self.period);
        if self.track_changes {
            tally.seen = tally::seen_children(rows);
        }
        Chunk { rendered, tally }
    }

    fn accept(&mut self, chunks: Vec<Chunk>) -> Result<(), Fatal> {
        let mut rendered = Vec::with_capacity(chunks.len());
        for c in chunks {
            self.merge(c.tally)?;
            rendered.push(c.rendered);
        }
        self.writer.send(rendered)
    }
}
