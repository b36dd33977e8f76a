//! A run's life in the ledger, and its payment lines'.
//!
//! `pending` (recorded by [`Ledger::begin_run`] before any output is moved into
//! place), `committed` (its payment lines and totals in one transaction,
//! [`Ledger::commit_run`]), `live` (its output directory is in place,
//! [`Ledger::mark_live`]); `void` takes it out of the count. A run that will not
//! finish is forgotten ([`Ledger::abandon_run`], [`Ledger::discard_run`]). Its
//! payment lines start `issued` and move to `settled` or `failed` with the bank's
//! returns ([`Ledger::set_transfer_statuses`]).

use std::path::Path;

use rusqlite::{params, TransactionBehavior};

use super::{db_err, to_fen, Ledger, RunInfo, RunMode, RunRecord, RunStatus};
use crate::core::arrears::Kind;
use crate::core::month::Month;
use crate::core::payment::{LedgerLine, LineStatus};
use crate::error::{Fatal, FatalKind};

/// Month, then kind in the order of its text (`arrears` before `regular`).
fn month_kind_key(l: &LedgerLine) -> u32 {
    ((l.month.year() * 12 + l.month.month()) << 1) | u32::from(l.kind == Kind::Regular)
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

impl Ledger {
    /// Records a real run as pending, before anything is moved into place.
    pub fn begin_run(
        &mut self,
        period: Month,
        mode: RunMode,
        out: Option<&Path>,
        staged: Option<&Path>,
    ) -> Result<i64, Fatal> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string();
        let res = self.conn.execute(
            "INSERT INTO runs (period, mode, status, out_dir, staged_dir, amount_fen, arrears_fen, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![period.to_string(), mode, RunStatus::Pending, out.map(abs), staged.map(abs)],
        );
        match res {
            Ok(_) => Ok(self.conn.last_insert_rowid()),
            Err(e) if is_constraint(&e) => Err(self.already_paid(period)),
            Err(e) => Err(db_err(&self.path, e)),
        }
    }

    /// The refusal for a period that already has a live run.
    pub fn already_paid(&self, period: Month) -> Fatal {
        let earlier = self.live_run(period).ok().flatten();
        let (id, what) = match &earlier {
            Some(r) => (r.id, format!("run {} ({}, {}, {})", r.id, r.mode, r.status, r.created_at)),
            None => (0, "an earlier run".to_owned()),
        };
        Fatal::new(
            FatalKind::Usage,
            format!("{period} was already paid by {what}: a period is paid once"),
            format!("if that run must be replaced, void it first: disburse ledger void {id} --reason \"...\""),
        )
        .zh(
            format!("{period}已由批次{id}发放过：每个月只能发放一次"),
            format!("如需重新发放，请先作废该批次：disburse ledger void {id} --reason \"原因\""),
        )
        .in_file(self.path.display().to_string())
    }

    /// In one transaction: every payment line, the run's totals, and the run marked
    /// committed (an import: live at once).
    ///
    /// `totals` is asked for once the lines are in, with the transaction still open,
    /// so a caller can insert the lines while it writes the output the totals come
    /// from. `None` means the run will not finish: nothing is kept and the answer is
    /// `Ok(false)`. On any error nothing is kept either.
    pub fn commit_run(
        &mut self,
        run: i64,
        period: Month,
        lines: &[LedgerLine],
        mode: RunMode,
        totals: impl FnOnce() -> Option<RunRecord>,
    ) -> Result<bool, Fatal> {
        let path = self.path.clone();
        // Dropped without `commit`, the transaction rolls back.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        insert_lines(&tx, &path, run, period, lines, mode.line_status())?;
        let Some(rec) = totals() else { return Ok(false) };
        tx.execute(
            "UPDATE runs SET status = ?2, manifest_sha256 = ?3, audit_head = ?4, rows = ?5, paid = ?6, held = ?7,
               excluded = ?8, rejected = ?9, amount_fen = ?10, arrears_fen = ?11, transfers = ?12 WHERE id = ?1",
            params![
                run,
                mode.committed_status(),
                rec.manifest_sha256,
                rec.audit_head,
                rec.rows as i64,
                rec.paid as i64,
                rec.held as i64,
                rec.excluded as i64,
                rec.rejected as i64,
                to_fen(rec.amount),
                to_fen(rec.arrears_amount),
                rec.transfers as i64,
            ],
        )
        .map_err(|e| db_err(&path, e))?;
        crate::failpoint("before-ledger-commit");
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(true)
    }

    /// The output is in place: the run is live.
    pub fn mark_live(&mut self, run: i64) -> Result<(), Fatal> {
        self.conn
            .execute("UPDATE runs SET status = ?2 WHERE id = ?1", params![run, RunStatus::Live])
            .map_err(|e| db_err(&self.path, e))?;
        Ok(())
    }

    /// Forgets a pending run that will not finish (a fatal error or `--strict`).
    pub fn abandon_run(&mut self, run: i64) -> Result<(), Fatal> {
        self.conn
            .execute("DELETE FROM runs WHERE id = ?1 AND status = ?2", params![run, RunStatus::Pending])
            .map_err(|e| db_err(&self.path, e))?;
        Ok(())
    }

    /// Removes a run whose payment lines were committed but whose output could not be
    /// moved into place (for example another process took `--out` first): it never
    /// happened.
    pub fn discard_run(&mut self, run: i64) -> Result<(), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db_err(&path, e))?;
        tx.execute("DELETE FROM payments WHERE run_id = ?1", [run]).map_err(|e| db_err(&path, e))?;
        tx.execute(
            "DELETE FROM runs WHERE id = ?1 AND status IN (?2, ?3)",
            params![run, RunStatus::Pending, RunStatus::Committed],
        )
        .map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))
    }

    /// Voids a run: its payments no longer count.
    pub fn void_run(&mut self, run: i64, reason: &str) -> Result<RunInfo, Fatal> {
        let path = self.path.clone();
        let info = self.runs()?.into_iter().find(|r| r.id == run).ok_or_else(|| {
            Fatal::new(FatalKind::Usage, format!("there is no run {run} in the ledger"), "see `disburse ledger runs`")
                .in_file(path.display().to_string())
        })?;
        if info.status == RunStatus::Void {
            return Err(Fatal::new(FatalKind::Usage, format!("run {run} is already void"), "nothing to do")
                .in_file(path.display().to_string()));
        }
        let tx = self.conn.transaction().map_err(|e| db_err(&path, e))?;
        tx.execute(
            "UPDATE runs SET status = ?3, void_reason = ?2, voided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
            params![run, reason, RunStatus::Void],
        )
        .map_err(|e| db_err(&path, e))?;
        tx.execute("UPDATE payments SET live = 0 WHERE run_id = ?1", [run]).map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(info)
    }

    /// Marks the payment lines of transfers `settled` or `failed` (bank returns), in
    /// one transaction. Returns how many lines changed to settled and to failed (a
    /// second application of the same return changes none); an `issued` in
    /// `updates` changes nothing.
    pub fn set_transfer_statuses(&mut self, run: i64, updates: &[(&str, LineStatus)]) -> Result<(u64, u64), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db_err(&path, e))?;
        // The returned statuses in a temporary table, joined once to the run's lines
        // (found through the run index): one pass, whatever the number of transfers.
        tx.execute_batch(super::schema::RETURNED_TABLE).map_err(|e| db_err(&path, e))?;
        {
            let mut st = tx
                .prepare("INSERT OR REPLACE INTO temp.returned (transfer_id, status) VALUES (?1, ?2)")
                .map_err(|e| db_err(&path, e))?;
            for (transfer, status) in updates {
                st.execute(params![transfer, status]).map_err(|e| db_err(&path, e))?;
            }
        }
        let mut changed = (0u64, 0u64);
        for (status, n) in [(LineStatus::Settled, &mut changed.0), (LineStatus::Failed, &mut changed.1)] {
            *n = tx.execute(super::schema::APPLY_RETURNS, params![run, status]).map_err(|e| db_err(&path, e))? as u64;
        }
        tx.execute_batch("DELETE FROM temp.returned").map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(changed)
    }
}

/// Inserts a run's payment lines inside the transaction `tx`.
fn insert_lines(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    run: i64,
    period: Month,
    lines: &[LedgerLine],
    line_status: LineStatus,
) -> Result<(), Fatal> {
    let mut transfer_ids = crate::core::transfer_id::TransferIds::new(period);
    let mut insert = tx
        .prepare(
            "INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, standard_fen, transfer_id, status, live)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
        )
        .map_err(|e| db_err(path, e))?;
    // In key order, the unique index grows at its end instead of everywhere. The
    // keys are sorted inline, 16 bytes each (an ID's first 17 digits order it like
    // its text): a sort that compared the lines themselves was mostly cache misses.
    let mut keys: Vec<(u64, u32, u32)> =
        lines.iter().enumerate().map(|(i, l)| (l.child_id.key(), month_kind_key(l), i as u32)).collect();
    keys.sort_unstable();
    // Month and transfer texts built without an allocation per line.
    let mut months: rustc_hash::FxHashMap<Month, String> = Default::default();
    for l in keys.into_iter().map(|(_, _, i)| &lines[i as usize]) {
        let month = months.entry(l.month).or_insert_with(|| l.month.to_string()).as_str();
        let transfer = l.transfer.map(|n| transfer_ids.get(u64::from(n)));
        insert
            .execute(params![
                run,
                l.child_id.as_str(),
                month,
                l.kind.as_str(),
                to_fen(l.amount),
                l.category.as_str(),
                std::str::from_utf8(&l.region_code).unwrap_or(""),
                l.standard.map(to_fen),
                transfer,
                line_status,
            ])
            .map_err(|e| {
                if is_constraint(&e) {
                    Fatal::new(
                        FatalKind::Usage,
                        format!(
                            "child {} already has a live regular payment for {}: it cannot be paid twice",
                            crate::core::text::mask(l.child_id.as_str()),
                            l.month
                        ),
                        "see `disburse ledger history` for that child; void the run that paid it if it was wrong",
                    )
                    .in_file(path.display().to_string())
                } else {
                    db_err(path, e)
                }
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn insert_order_keys_follow_the_text() {
        use crate::core::id::{check_char, ChildId};
        let valid = |digits: &str| {
            let d: [u8; 17] = digits.as_bytes().try_into().unwrap();
            ChildId::parse(&format!("{digits}{}", check_char(&d) as char)).unwrap()
        };
        let mut ids: Vec<ChildId> =
            ["43010220100312001", "43010220100312000", "11010120000101001", "43010220100312002", "43010220181231999"]
                .iter()
                .map(|d| valid(d))
                .collect();
        let mut by_key = ids.clone();
        by_key.sort_by_key(|id| id.key());
        ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        assert_eq!(by_key, ids);
    }
}
