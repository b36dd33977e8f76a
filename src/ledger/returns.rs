//! A bank return applied to a run's payment lines: forward only, and only once the
//! caller's output is in place.
//!
//! A line's status only moves forward ([`LineStatus::transition`]): a return that
//! would move a transfer's lines backwards (a settled transfer failing, a failed one
//! settling after back pay paid its month again) is not applied; the transfer is a
//! conflict for a person to decide. The marks, the journal row and the caller's
//! output are one unit: the transaction commits only after the caller's `finish`
//! succeeded, so a reconcile that fails leaves the ledger as it was.

use std::collections::BTreeMap;

use rusqlite::{params, TransactionBehavior};

use super::journal::{self, EntryKind, Head, Marks};
use super::lifecycle::guard;
use super::{db_err, Ledger};
use crate::core::payment::{LineStatus, Transition};
use crate::error::{Fatal, FatalKind};

/// A transfer the return would have moved backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub transfer_id: String,
    /// The status the ledger holds for the transfer's lines (the first that conflicts).
    pub current: LineStatus,
    /// What the return says.
    pub returned: LineStatus,
    /// The month was paid again by back pay (so a failed line cannot settle).
    pub repaid: bool,
}

/// What applying a return did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Lines marked settled, lines marked failed.
    pub settled: u64,
    pub failed: u64,
    /// Transfers not applied, in transfer order.
    pub conflicts: Vec<Conflict>,
}

/// The run's lines of the returned transfers: each one's current status, what the
/// return says, and (for a failed line the return settles) whether a live arrears
/// line of another run has paid that child's month again.
const RETURNED_LINES: &str = "SELECT p.transfer_id, p.status, r.status,
        CASE WHEN p.status = 'failed' AND r.status = 'settled' THEN EXISTS (
            SELECT 1 FROM payments a WHERE a.child_id = p.child_id AND a.month = p.month
              AND a.kind = 'arrears' AND a.live = 1 AND a.run_id != p.run_id) ELSE 0 END
     FROM payments p JOIN temp.returned r ON r.transfer_id = p.transfer_id
     WHERE p.run_id = ?1";

impl Ledger {
    /// Applies the bank's statuses (`updates`, per transfer) to run `run`'s lines,
    /// journals it, then calls `finish` with what was done; commits only if `finish`
    /// succeeds (otherwise nothing is kept). Returns `finish`'s answer, what was done
    /// and the journal's new head.
    pub fn apply_returns<T>(
        &mut self,
        run: i64,
        updates: &[(&str, LineStatus)],
        finish: impl FnOnce(&Applied, &Head) -> Result<T, Fatal>,
    ) -> Result<(T, Applied, Head), Fatal> {
        let path = self.path.clone();
        let e = |e| db_err(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e)?;
        guard(&tx, &path, run)?;
        // The returned statuses in a temporary table, joined once to the run's lines
        // (found through the run index): one pass, whatever the number of transfers.
        tx.execute_batch(super::schema::RETURNED_TABLE).map_err(e)?;
        {
            let mut st =
                tx.prepare("INSERT OR REPLACE INTO temp.returned (transfer_id, status) VALUES (?1, ?2)").map_err(e)?;
            for (transfer, status) in updates {
                st.execute(params![transfer, status]).map_err(e)?;
            }
        }
        // Per transfer, the worst of its lines' transitions.
        let mut worst: BTreeMap<String, (Transition, Conflict)> = BTreeMap::new();
        {
            let mut st = tx.prepare(RETURNED_LINES).map_err(e)?;
            let mut rows = st.query([run]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                let transfer: String = r.get(0).map_err(e)?;
                let (current, returned): (LineStatus, LineStatus) = (r.get(1).map_err(e)?, r.get(2).map_err(e)?);
                let repaid = r.get::<_, i64>(3).map_err(e)? != 0;
                let t = current.transition(returned, repaid);
                let seen = worst
                    .entry(transfer.clone())
                    .or_insert((Transition::Unchanged, Conflict { transfer_id: transfer, current, returned, repaid }));
                if t > seen.0 {
                    seen.0 = t;
                    seen.1.current = current;
                    seen.1.repaid = repaid;
                }
            }
        }
        let conflicts: Vec<Conflict> =
            worst.into_values().filter(|(t, _)| *t == Transition::Conflict).map(|(_, c)| c).collect();
        {
            let mut st = tx.prepare("DELETE FROM temp.returned WHERE transfer_id = ?1").map_err(e)?;
            for c in &conflicts {
                st.execute([&c.transfer_id]).map_err(e)?;
            }
        }
        let mut applied = Applied { conflicts, ..Applied::default() };
        for (status, n) in [(LineStatus::Settled, &mut applied.settled), (LineStatus::Failed, &mut applied.failed)] {
            *n = tx.execute(super::schema::APPLY_RETURNS, params![run, status]).map_err(e)? as u64;
        }
        tx.execute_batch("DELETE FROM temp.returned").map_err(e)?;
        let state = journal::state_from_tables(&tx, run).map_err(e)?.ok_or_else(|| {
            Fatal::new(FatalKind::Io, format!("run {run} vanished from the ledger"), "run again")
                .zh(format!("批次{run}从台账中消失了"), "请重新运行")
        })?;
        let marks =
            Marks { settled: applied.settled, failed: applied.failed, conflicts: applied.conflicts.len() as u64 };
        let head = journal::append(&tx, EntryKind::Reconcile, state, Some(marks)).map_err(e)?;
        // Dropped without `commit` (an error in `finish`), the transaction rolls back.
        let answer = finish(&applied, &head)?;
        crate::failpoint("before-reconcile-ledger-commit");
        tx.commit().map_err(e)?;
        Ok((answer, applied, head))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    #[test]
    fn a_return_reads_the_run_lines_and_looks_up_repays_by_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(super::super::schema::RETURNED_TABLE).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", super::RETURNED_LINES)).unwrap();
        let plan: Vec<String> =
            st.query_map([1], |r| r.get::<_, String>(3)).unwrap().collect::<Result<_, _>>().unwrap();
        let plan = plan.join(" / ");
        // Never a scan of every payment line: the run's through its index, the
        // re-payments through the partial index of live arrears lines.
        assert!(!plan.contains("SCAN payments") && !plan.contains("SCAN p ") && !plan.contains("SCAN a"), "{plan}");
        assert!(plan.contains("live_arrears"), "{plan}");
    }
}
