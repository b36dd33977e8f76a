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
use crate::error::{Fatal, FatalKind};

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
                .prepare("SELECT id, period FROM runs WHERE status NOT IN (?2, ?3) AND period < ?1")
                .map_err(|e| db_err(&self.path, e))?;
            let rows = st
                .query_map(params![&p, RunStatus::Void, RunStatus::Pending], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(|e| db_err(&self.path, e))?;
            let texts: Vec<(i64, String)> = rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))?;
            let mut months = Vec::with_capacity(texts.len());
            for (run, text) in &texts {
                let month = Month::parse(text).ok_or_else(|| {
                    self.unreadable(
                        format!("run {run} has the period {text:?}, not a month"),
                        format!("批次{run}的发放年月“{text}”不是年月"),
                    )
                })?;
                if !months.contains(&month) {
                    months.push(month);
                }
            }
            months
        };
        let mut history = History::new(months);
        let mut st = self
            .conn
            .prepare(
                "SELECT id, child_id, month, kind, amount_fen, status, category, region_code FROM payments
                 WHERE live = 1 AND month < ?1",
            )
            .map_err(|e| db_err(&self.path, e))?;
        let mut rows = st.query([&p]).map_err(|e| db_err(&self.path, e))?;
        while let Some(r) = rows.next().map_err(|e| db_err(&self.path, e))? {
            let row: i64 = r.get(0).map_err(|e| db_err(&self.path, e))?;
            // Back pay is computed from these rows: one that cannot be read stops the
            // run (skipping it would pay its month again), naming the row.
            let bad = |what: &str, zh: &str| {
                self.unreadable(format!("payment row {row}: {what}"), format!("发放记录第{row}条{zh}"))
            };
            let unreadable_field = |e: rusqlite::Error| bad(&e.to_string(), "有一项无法读取");
            let get_text = |i: usize| r.get::<_, String>(i).map_err(unreadable_field);
            let (child, month, kind, category) = (get_text(1)?, get_text(2)?, get_text(3)?, get_text(6)?);
            let id =
                ChildId::parse(&child).map_err(|_| bad("its child_id is not a valid ID number", "的身份证号码无效"))?;
            let month = Month::parse(&month).ok_or_else(|| {
                bad(&format!("its month {month:?} is not a month"), &format!("的年月“{month}”不是年月"))
            })?;
            let kind = Kind::parse(&kind).ok_or_else(|| {
                bad(
                    &format!("its kind {kind:?} is not regular or arrears"),
                    &format!("的类型“{kind}”既不是当月也不是补发"),
                )
            })?;
            let category = Category::named(&category).ok_or_else(|| {
                bad(&format!("its category {category:?} is unknown"), &format!("的供养方式“{category}”无法识别"))
            })?;
            let status: LineStatus = r.get(5).map_err(unreadable_field)?;
            let amount: i64 = r.get(4).map_err(unreadable_field)?;
            history.push(
                id,
                PastPayment {
                    month,
                    kind,
                    amount: from_fen(amount),
                    failed: status == LineStatus::Failed,
                    category,
                    region_code: get_text(7)?,
                },
            );
        }
        Ok(history)
    }

    /// A ledger row the money path cannot read: fatal, naming it.
    fn unreadable(&self, what: String, zh: String) -> Fatal {
        Fatal::new(
            FatalKind::Input,
            format!("the ledger cannot be read: {what}"),
            "run `disburse ledger verify`, and restore the ledger from its backup",
        )
        .zh(format!("台账无法读取：{zh}"), "请运行“disburse ledger verify”查看详情，并从备份恢复台账")
        .in_file(self.path.display().to_string())
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
        found
            .map(|m| {
                Month::parse(&m).ok_or_else(|| {
                    self.unreadable(
                        format!("a run has the period {m:?}, not a month"),
                        format!("有一个批次的发放年月“{m}”不是年月"),
                    )
                })
            })
            .transpose()
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
