//! Writing the files of a monthly run (SPEC section 4) as decided batches arrive.
//!
//! Rows are rendered in parallel; the sequential part is only appending bytes, the
//! audit hash chain and the per-account transfer sums.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::csvline::push_row;
use super::manifest::{Group, Totals};
use super::sink::{OutputInfo, Sink};
use super::staged::StagedDir;
use crate::batch::RowOutcome;
use crate::core::decision::Decision;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
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
pub const TRANSFERS_HEADER: [&str; 7] = [
    "transfer_id",
    "period",
    "payee_account",
    "payee_name",
    "payee_bank",
    "amount",
    "children",
];
pub const EXCEPTIONS_HEADER: [&str; 7] = [
    "period", "source", "decision", "reason", "child_id", "name", "detail",
];

/// The `prev` of the first audit line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

struct TransferSum {
    name: String,
    bank: String,
    amount: Decimal,
    children: u64,
}

/// Everything the summary and the manifest need once all rows are written.
#[derive(Debug, Clone, Default)]
pub struct RunTotals {
    pub totals: Totals,
    pub amount: Decimal,
    pub by_category: BTreeMap<String, Group>,
    pub by_region: BTreeMap<String, Group>,
    pub reasons: BTreeMap<Reason, u64>,
    pub audit_head: String,
    pub outputs: Vec<OutputInfo>,
}

/// The open output files of one run.
pub struct MonthlyWriter {
    period: Month,
    period_text: String,
    write_transfers: bool,
    entitlements: Sink,
    exceptions: Sink,
    audit: Sink,
    prev: [u8; 32],
    seq: u64,
    counts: [u64; 4],
    amount: Decimal,
    categories: BTreeMap<Category, (u64, Decimal)>,
    regions: BTreeMap<String, (u64, Decimal)>,
    reasons: BTreeMap<Reason, u64>,
    transfers: HashMap<String, TransferSum>,
}

fn open(dir: &StagedDir, name: &str) -> Result<Sink, Fatal> {
    Ok(Sink::new(name, dir.target().join(name), dir.create(name)?))
}

fn header(fields: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    push_row(&mut v, fields);
    v
}

/// One row's rendered bytes.
struct Rendered {
    entitlement: Option<Vec<u8>>,
    exception: Option<Vec<u8>>,
    /// The audit line up to (not including) the `prev` value.
    audit_head: Vec<u8>,
}

impl MonthlyWriter {
    pub fn create(
        dir: &StagedDir,
        period: Month,
        write_transfers: bool,
    ) -> Result<MonthlyWriter, Fatal> {
        let mut entitlements = open(dir, ENTITLEMENTS)?;
        entitlements.write_raw(&header(&ENTITLEMENTS_HEADER))?;
        let mut exceptions = open(dir, EXCEPTIONS)?;
        exceptions.write_raw(&header(&EXCEPTIONS_HEADER))?;
        let audit = open(dir, AUDIT)?;
        Ok(MonthlyWriter {
            period,
            period_text: period.to_string(),
            write_transfers,
            entitlements,
            exceptions,
            audit,
            prev: [0; 32],
            seq: 0,
            counts: [0; 4],
            amount: Decimal::ZERO,
            categories: Category::ALL
                .iter()
                .map(|c| (*c, (0, Decimal::ZERO)))
                .collect(),
            regions: BTreeMap::new(),
            reasons: BTreeMap::new(),
            transfers: HashMap::new(),
        })
    }

    /// Writes one batch of decided rows, in order.
    pub fn write_batch(&mut self, rows: &[RowOutcome]) -> Result<(), Fatal> {
        let base = self.seq;
        let period = self.period_text.as_str();
        let rendered: Vec<Rendered> = rows
            .par_iter()
            .enumerate()
            .map(|(i, r)| render(r, base + i as u64 + 1, period))
            .collect();
        let mut line = Vec::with_capacity(512);
        for (row, out) in rows.iter().zip(rendered) {
            self.seq += 1;
            if let Some(e) = &out.entitlement {
                self.entitlements.write_row(e)?;
            }
            if let Some(x) = &out.exception {
                self.exceptions.write_row(x)?;
            }
            line.clear();
            line.extend_from_slice(&out.audit_head);
            line.extend_from_slice(crate::hex(&self.prev).as_bytes());
            line.extend_from_slice(b"\"}");
            self.prev = Sha256::digest(&line).into();
            line.push(b'\n');
            self.audit.write_row(&line)?;
            self.tally(row);
        }
        Ok(())
    }

    fn tally(&mut self, row: &RowOutcome) {
        self.counts[row.decision as usize] += 1;
        if let Some(reason) = row.reason {
            *self.reasons.entry(reason).or_default() += 1;
        }
        let (Some(e), Some(rec)) = (&row.entitlement, &row.record) else {
            return;
        };
        self.amount += e.amount;
        let c = self.categories.entry(rec.category).or_default();
        c.0 += 1;
        c.1 += e.amount;
        let r = self.regions.entry(rec.region_code.clone()).or_default();
        r.0 += 1;
        r.1 += e.amount;
        let t = self
            .transfers
            .entry(rec.payee_account.clone())
            .or_insert_with(|| TransferSum {
                name: rec.payee_name.clone(),
                bank: rec.payee_bank.clone(),
                amount: Decimal::ZERO,
                children: 0,
            });
        t.amount += e.amount;
        t.children += 1;
    }

    /// Writes `transfers.csv` (on a real run), closes every file and returns the totals.
    pub fn finish(self, dir: &StagedDir) -> Result<RunTotals, Fatal> {
        let mut outputs = vec![self.entitlements.finish()?];
        let mut accounts: Vec<(String, TransferSum)> = self.transfers.into_iter().collect();
        accounts.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if self.write_transfers {
            let mut sink = open(dir, TRANSFERS)?;
            sink.write_raw(&header(&TRANSFERS_HEADER))?;
            let prefix = self.period.compact();
            let mut buf = Vec::with_capacity(256);
            for (n, (account, t)) in accounts.iter().enumerate() {
                buf.clear();
                push_row(
                    &mut buf,
                    &[
                        format!("T{prefix}-{:06}", n + 1).as_str(),
                        &self.period_text,
                        account,
                        &t.name,
                        &t.bank,
                        &fmt_amount(t.amount),
                        &t.children.to_string(),
                    ],
                );
                sink.write_row(&buf)?;
            }
            outputs.push(sink.finish()?);
        }
        outputs.push(self.exceptions.finish()?);
        outputs.push(self.audit.finish()?);
        let group = |(n, a): (u64, Decimal)| Group {
            children: n,
            amount: fmt_amount(a),
        };
        let [paid, held, excluded, rejected] = self.counts;
        Ok(RunTotals {
            totals: Totals {
                rows: paid + held + excluded + rejected,
                paid,
                held,
                excluded,
                rejected,
                amount: fmt_amount(self.amount),
                transfers: accounts.len() as u64,
            },
            amount: self.amount,
            by_category: self
                .categories
                .into_iter()
                .map(|(c, v)| (c.as_str().to_owned(), group(v)))
                .collect(),
            by_region: self
                .regions
                .into_iter()
                .map(|(r, v)| (r, group(v)))
                .collect(),
            reasons: self.reasons,
            audit_head: if self.seq == 0 {
                GENESIS.to_owned()
            } else {
                crate::hex(&self.prev)
            },
            outputs,
        })
    }
}

fn opt_amount(d: Option<Decimal>) -> String {
    d.map(fmt_amount).unwrap_or_default()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string serializes")
}

fn json_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_owned(), json_str)
}

fn render(r: &RowOutcome, seq: u64, period: &str) -> Rendered {
    let source = defuse(&r.source);
    let rec = r.record.as_ref();
    let recorded = rec.and_then(|x| x.monthly_amount);
    let entitlement = match (&r.entitlement, rec) {
        (Some(e), Some(rec)) if r.decision == Decision::Paid => {
            let mut v = Vec::with_capacity(256);
            push_row(
                &mut v,
                &[
                    period,
                    "regular",
                    period,
                    rec.child_id.as_str(),
                    &rec.name,
                    rec.category.as_str(),
                    &rec.region_code,
                    &rec.payee_name,
                    &rec.payee_account,
                    &rec.payee_bank,
                    &fmt_amount(e.standard),
                    &opt_amount(recorded),
                    &fmt_amount(e.amount),
                    e.basis.as_str(),
                    &source,
                ],
            );
            Some(v)
        }
        _ => None,
    };
    let exception = r.reason.map(|reason| {
        let mut v = Vec::with_capacity(256);
        push_row(
            &mut v,
            &[
                period,
                &source,
                r.decision.as_str(),
                reason.code(),
                &defuse(&r.child_id),
                &defuse(&r.name),
                &r.detail,
            ],
        );
        v
    });
    let amount_text = |d: Option<Decimal>| json_opt(d.map(fmt_amount).as_deref());
    let audit_head = format!(
        "{{\"seq\":{seq},\"source\":{},\"child_id\":{},\"decision\":\"{}\",\"reason\":{},\"category\":{},\"standard\":{},\"recorded_amount\":{},\"amount\":{},\"basis\":{},\"prev\":\"",
        json_str(&r.source),
        json_str(&r.child_id),
        r.decision.as_str(),
        json_opt(r.reason.map(Reason::code)),
        json_opt(rec.map(|x| x.category.as_str())),
        amount_text(r.standard),
        amount_text(recorded),
        amount_text(r.entitlement.map(|e| e.amount)),
        json_opt(r.entitlement.map(|e| e.basis.as_str())),
    )
    .into_bytes();
    Rendered {
        entitlement,
        exception,
        audit_head,
    }
}
