//! A run's life in the ledger, and its payment lines'.
//!
//! `pending` (recorded by [`Ledger::begin_run`] before any output is moved into
//! place), `committed` (its payment lines and totals in one transaction,
//! [`Ledger::commit_run`]), `live` (its output directory is in place,
//! [`Ledger::mark_live`]); `void` takes it out of the count. A run that will not
//! finish is forgotten ([`Ledger::abandon_run`], [`Ledger::discard_run`]). Its
//! payment lines start `issued` and move to `settled` or `failed` with the bank's
//! returns (`returns.rs`). Every change appends one row to the journal, in the
//! change's own transaction.

use std::path::Path;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::journal::{self, EntryKind, Head, LineFields, LinesDigest};
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
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        let res = tx.execute(
            "INSERT INTO runs (period, mode, status, out_dir, staged_dir, amount_fen, arrears_fen, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![period.to_string(), mode, RunStatus::Pending, out.map(abs), staged.map(abs)],
        );
        match res {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => {
                drop(tx);
                return Err(self.already_paid(period));
            }
            Err(e) => return Err(db_err(&path, e)),
        }
        let id = tx.last_insert_rowid();
        journal_now(&tx, &path, id, EntryKind::Pending, None)?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(id)
    }

    /// The refusal for a period that already has a live run.
    pub fn already_paid(&self, period: Month) -> Fatal {
        // Only the wording depends on it: a ledger that cannot say which run paid
        // the period still refuses it.
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
            format!(
                "{}已由批次{id}发放过，每个月只能发放一次",
                crate::core::glossary::month(period, crate::core::detail::Lang::Zh)
            ),
            format!("如需重新发放，请先作废该批次：“disburse ledger void {id} --reason 作废原因”"),
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
        let digest = insert_lines(&tx, &path, run, period, lines, mode.line_status())?;
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
                to_fen(rec.amount)?,
                to_fen(rec.arrears_amount)?,
                rec.transfers as i64,
            ],
        )
        .map_err(|e| db_err(&path, e))?;
        // The run's row as written, and its lines' digest computed while inserting them.
        let mut state = journal::run_row(&tx, run).map_err(|e| db_err(&path, e))?.ok_or_else(|| gone(run))?;
        digest.finish_into(&mut state);
        let kind = if mode == RunMode::Import { EntryKind::Import } else { EntryKind::Committed };
        journal::append(&tx, kind, state, None).map_err(|e| db_err(&path, e))?;
        crate::failpoint("before-ledger-commit");
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(true)
    }

    /// The output is in place: the run is live.
    pub fn mark_live(&mut self, run: i64) -> Result<(), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        tx.execute("UPDATE runs SET status = ?2 WHERE id = ?1", params![run, RunStatus::Live])
            .map_err(|e| db_err(&path, e))?;
        // Its lines did not change since they were committed: the journal's last word
        // on them stands (reading a province's lines again would cost seconds).
        let state = match journal::last_state(&tx, run).map_err(|e| db_err(&path, e))? {
            Some(mut s) => {
                s.status = RunStatus::Live.as_str().to_owned();
                s
            }
            None => journal::state_from_tables(&tx, run).map_err(|e| db_err(&path, e))?.ok_or_else(|| gone(run))?,
        };
        journal::append(&tx, EntryKind::Live, state, None).map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))
    }

    /// Forgets a pending run that will not finish (a fatal error or `--strict`).
    pub fn abandon_run(&mut self, run: i64) -> Result<(), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        let before = journal::state_from_tables(&tx, run).map_err(|e| db_err(&path, e))?;
        let n = tx
            .execute("DELETE FROM runs WHERE id = ?1 AND status = ?2", params![run, RunStatus::Pending])
            .map_err(|e| db_err(&path, e))?;
        if let (1, Some(state)) = (n, before) {
            journal::append(&tx, EntryKind::Removed, journal::removed(state), None).map_err(|e| db_err(&path, e))?;
        }
        tx.commit().map_err(|e| db_err(&path, e))
    }

    /// Removes a run whose payment lines were committed but whose output could not be
    /// moved into place (for example another process took `--out` first): it never
    /// happened.
    pub fn discard_run(&mut self, run: i64) -> Result<(), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        let before = journal::last_state(&tx, run).map_err(|e| db_err(&path, e))?;
        let status: Option<RunStatus> = tx
            .query_row("SELECT status FROM runs WHERE id = ?1", [run], |r| r.get(0))
            .optional()
            .map_err(|e| db_err(&path, e))?;
        if status.is_some_and(RunStatus::half_done) {
            tx.execute("DELETE FROM payments WHERE run_id = ?1", [run]).map_err(|e| db_err(&path, e))?;
            tx.execute("DELETE FROM runs WHERE id = ?1", [run]).map_err(|e| db_err(&path, e))?;
            if let Some(state) = before {
                journal::append(&tx, EntryKind::Removed, journal::removed(state), None)
                    .map_err(|e| db_err(&path, e))?;
            }
        }
        tx.commit().map_err(|e| db_err(&path, e))
    }

    /// Voids a run: its payments no longer count.
    pub fn void_run(&mut self, run: i64, reason: &str) -> Result<RunInfo, Fatal> {
        let path = self.path.clone();
        let info = self
            .runs()?
            .into_iter()
            .find(|r| r.id == run)
            .ok_or_else(|| no_run(run).in_file(path.display().to_string()))?;
        if info.status == RunStatus::Void {
            return Err(Fatal::new(FatalKind::Usage, format!("run {run} is already void"), "nothing to do")
                .zh(format!("批次{run}已经作废"), "无需再作废")
                .in_file(path.display().to_string()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| db_err(&path, e))?;
        guard(&tx, &path, run)?;
        tx.execute(
            "UPDATE runs SET status = ?3, void_reason = ?2, voided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
            params![run, reason, RunStatus::Void],
        )
        .map_err(|e| db_err(&path, e))?;
        tx.execute("UPDATE payments SET live = 0 WHERE run_id = ?1", [run]).map_err(|e| db_err(&path, e))?;
        journal_now(&tx, &path, run, EntryKind::Void, None)?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(info)
    }

    /// The journal's head: its last row's seq and hash (`None` for an empty journal).
    pub fn journal_head(&self) -> Result<Option<Head>, Fatal> {
        journal::head(&self.conn).map_err(|e| db_err(&self.path, e))
    }
}

/// The run as the tables hold it now, journaled as `kind`.
fn journal_now(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    run: i64,
    kind: EntryKind,
    marks: Option<journal::Marks>,
) -> Result<Head, Fatal> {
    let state = journal::state_from_tables(tx, run).map_err(|e| db_err(path, e))?.ok_or_else(|| gone(run))?;
    journal::append(tx, kind, state, marks).map_err(|e| db_err(path, e))
}

fn gone(run: i64) -> Fatal {
    Fatal::new(FatalKind::Io, format!("run {run} vanished from the ledger while it was being written"), "run again")
        .zh(format!("写入时批次{run}从台账中消失了"), "请重新运行")
}

fn no_run(run: i64) -> Fatal {
    Fatal::new(FatalKind::Usage, format!("there is no run {run} in the ledger"), "see `disburse ledger runs`")
        .zh(format!("台账中没有批次{run}"), "请用“disburse ledger runs”查看所有批次")
}

/// Refuses to change a run whose tables no longer agree with the journal's last word
/// on it (a hand edit): building on it would hide the edit.
pub(super) fn guard(tx: &rusqlite::Transaction<'_>, path: &Path, run: i64) -> Result<(), Fatal> {
    let now = journal::state_from_tables(tx, run).map_err(|e| db_err(path, e))?;
    let said = journal::last_state(tx, run).map_err(|e| db_err(path, e))?;
    match (now, said) {
        (Some(now), Some(said)) if now == said => Ok(()),
        (None, _) => Err(no_run(run).in_file(path.display().to_string())),
        _ => Err(Fatal::new(
            FatalKind::Input,
            format!("run {run} in the ledger does not agree with the ledger's journal: the ledger was changed by hand"),
            "run `disburse ledger verify` to see what differs, and restore the ledger from its backup",
        )
        .zh(
            format!("台账中批次{run}的记录与台账日志不一致：台账被人手工改动过"),
            "请运行“disburse ledger verify”查看哪里不同，并从备份恢复台账",
        )
        .in_file(path.display().to_string())),
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
) -> Result<LinesDigest, Fatal> {
    let mut digest = LinesDigest::default();
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
    // Only the order is kept through the inserts (4 bytes a line, not 16).
    let order: Vec<u32> = keys.iter().map(|&(_, _, i)| i).collect();
    drop(keys);
    // Month and transfer texts built without an allocation per line.
    let mut months: rustc_hash::FxHashMap<Month, String> = Default::default();
    for l in order.into_iter().map(|i| &lines[i as usize]) {
        let month = months.entry(l.month).or_insert_with(|| l.month.to_string()).as_str();
        // A paid line of a real run travels in a transfer; one without is a fault,
        // never a line recorded with no transfer (a return could never reach it).
        if l.transfer.is_none() && line_status == LineStatus::Issued {
            return Err(Fatal::new(
                FatalKind::Io,
                format!(
                    "the payment line of child {} for {} has no transfer",
                    crate::core::text::mask(l.child_id.as_str()),
                    l.month
                ),
                "this is a fault in disburse: nothing was recorded; report it with the roster",
            )
            .zh(
                format!(
                    "身份证号码为{}的儿童{}的发放记录没有对应的转账",
                    crate::core::text::mask(l.child_id.as_str()),
                    crate::core::glossary::month(l.month, crate::core::detail::Lang::Zh)
                ),
                "这是disburse程序的错误，台账未作任何记录；请连同花名册一起报告",
            ));
        }
        let transfer = l.transfer.map(|n| transfer_ids.get(u64::from(n)));
        let region = std::str::from_utf8(&l.region_code).map_err(|_| {
            Fatal::new(FatalKind::Input, "a payment line has a region code that is not text", "check the roster")
                .zh("有一条发放记录的行政区划代码不是文字", "请检查花名册")
        })?;
        let (amount_fen, standard_fen) = (to_fen(l.amount)?, l.standard.map(to_fen).transpose()?);
        // The journal's digest of the run's lines, in the order of their ids.
        digest.push(&LineFields {
            child_id: l.child_id.as_str(),
            month,
            kind: l.kind.as_str(),
            amount_fen,
            category: l.category.as_str(),
            region_code: region,
            standard_fen,
            transfer_id: transfer,
            status: line_status.as_str(),
            live: 1,
        });
        insert
            .execute(params![
                run,
                l.child_id.as_str(),
                month,
                l.kind.as_str(),
                amount_fen,
                l.category.as_str(),
                region,
                standard_fen,
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
                    .zh(
                        format!(
                            "身份证号码为{}的儿童{}已有有效的当月发放，不能重复发放",
                            crate::core::text::mask(l.child_id.as_str()),
                            crate::core::glossary::month(l.month, crate::core::detail::Lang::Zh)
                        ),
                        "请用“disburse ledger history”查看该儿童的发放记录；如那次发放有误，请作废那个批次",
                    )
                    .in_file(path.display().to_string())
                } else {
                    db_err(path, e)
                }
            })?;
    }
    Ok(digest)
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
