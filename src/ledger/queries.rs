//! Reading what was paid: the runs, one child's lines, the history back pay needs,
//! and the previous month's payments `changes.csv` compares against.

use std::collections::HashMap;

use rusqlite::params;
use rust_decimal::Decimal;

use super::{db_err, from_fen, HistoryLine, Ledger, RunInfo, RunStatus};
use crate::core::arrears::{Kind, PastPayment};
use crate::core::id::ChildId;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::payment::{History, LineStatus};
use crate::core::record::Category;
use crate::error::Fatal;

impl Ledger {
    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, Fatal> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, period, mode, status, COALESCE(rows, 0), COALESCE(paid, 0), amount_fen, arrears_fen,
                        COALESCE(transfers, 0), out_dir, manifest_sha256, created_at, void_reason
                 FROM runs ORDER BY id",
            )
            .map_err(|e| db_err(&self.path, e))?;
        let rows = st
            .query_map([], |r| {
                Ok(RunInfo {
                    id: r.get(0)?,
                    period: r.get(1)?,
                    mode: r.get(2)?,
                    status: r.get(3)?,
                    rows: r.get(4)?,
                    paid: r.get(5)?,
                    amount: fmt_amount(from_fen(r.get(6)?)),
                    arrears_amount: fmt_amount(from_fen(r.get(7)?)),
                    transfers: r.get(8)?,
                    out_dir: r.get(9)?,
                    manifest_sha256: r.get(10)?,
                    created_at: r.get(11)?,
                    void_reason: r.get(12)?,
                })
            })
            .map_err(|e| db_err(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))
    }

    /// The run for `period` that is not void, if any.
    pub fn live_run(&self, period: Month) -> Result<Option<RunInfo>, Fatal> {
        let period = period.to_string();
        Ok(self.runs()?.into_iter().find(|r| r.period == period && r.status != RunStatus::Void))
    }

    /// Every payment line of one child, month by month.
    pub fn child_history(&self, child_id: &str) -> Result<Vec<HistoryLine>, Fatal> {
        let mut st = self
            .conn
            .prepare(
                "SELECT p.run_id, r.status, p.month, p.kind, p.amount_fen, p.category, p.region_code, p.transfer_id, p.status
                 FROM payments p JOIN runs r ON r.id = p.run_id WHERE p.child_id = ?1 ORDER BY p.month, p.kind DESC, p.run_id",
            )
            .map_err(|e| db_err(&self.path, e))?;
        let rows = st
            .query_map([child_id], |r| {
                Ok(HistoryLine {
                    run: r.get(0)?,
                    run_status: r.get(1)?,
                    month: r.get(2)?,
                    kind: r.get(3)?,
                    amount: fmt_amount(from_fen(r.get(4)?)),
                    category: r.get(5)?,
                    region_code: r.get(6)?,
                    transfer_id: r.get(7)?,
                    status: r.get(8)?,
                })
            })
            .map_err(|e| db_err(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))
    }

    /// Live payment lines of every child for months before `period`.
    pub fn history_before(&self, period: Month) -> Result<History, Fatal> {
        let p = period.to_string();
        let months: Vec<Month> = {
            let mut st = self
                .conn
                .prepare("SELECT DISTINCT period FROM runs WHERE status NOT IN (?2, ?3) AND period < ?1")
                .map_err(|e| db_err(&self.path, e))?;
            let rows = st
                .query_map(params![&p, RunStatus::Void, RunStatus::Pending], |r| r.get::<_, String>(0))
                .map_err(|e| db_err(&self.path, e))?;
            let texts: Vec<String> = rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))?;
            texts.iter().filter_map(|t| Month::parse(t)).collect()
        };
        let mut history = History::new(months);
        let mut st = self
            .conn
            .prepare(
                "SELECT child_id, month, kind, amount_fen, status, category, region_code FROM payments
                 WHERE live = 1 AND month < ?1",
            )
            .map_err(|e| db_err(&self.path, e))?;
        let mut rows = st.query([&p]).map_err(|e| db_err(&self.path, e))?;
        while let Some(r) = rows.next().map_err(|e| db_err(&self.path, e))? {
            let child: String = r.get(0).map_err(|e| db_err(&self.path, e))?;
            let get_text = |i: usize| r.get::<_, String>(i).map_err(|e| db_err(&self.path, e));
            let (month, kind, category) = (get_text(1)?, get_text(2)?, get_text(5)?);
            let (Ok(id), Some(month), Some(kind), Some(category)) =
                (ChildId::parse(&child), Month::parse(&month), Kind::parse(&kind), Category::named(&category))
            else {
                continue;
            };
            let status: LineStatus = r.get(4).map_err(|e| db_err(&self.path, e))?;
            history.push(
                id,
                PastPayment {
                    month,
                    kind,
                    amount: from_fen(r.get(3).map_err(|e| db_err(&self.path, e))?),
                    failed: status == LineStatus::Failed,
                    category,
                    region_code: get_text(6)?,
                },
            );
        }
        Ok(history)
    }

    /// The latest month before `period` with a live run, if any.
    pub fn previous_month(&self, period: Month) -> Result<Option<Month>, Fatal> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT MAX(period) FROM runs WHERE status IN (?2, ?3) AND period < ?1",
                params![period.to_string(), RunStatus::Live, RunStatus::Committed],
                |r| r.get(0),
            )
            .map_err(|e| db_err(&self.path, e))?;
        Ok(found.and_then(|m| Month::parse(&m)))
    }

    /// The live regular payment of each child for `month` (child ID → amount).
    pub fn regular_payments(&self, month: Month) -> Result<HashMap<String, Decimal>, Fatal> {
        // `kind = 'regular' AND live = 1` stays literal: it is what lets SQLite use
        // the partial index `one_live_regular_payment`.
        let mut st = self
            .conn
            .prepare("SELECT child_id, amount_fen FROM payments WHERE live = 1 AND kind = 'regular' AND month = ?1")
            .map_err(|e| db_err(&self.path, e))?;
        let rows = st
            .query_map([month.to_string()], |r| Ok((r.get::<_, String>(0)?, from_fen(r.get(1)?))))
            .map_err(|e| db_err(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))
    }
}
