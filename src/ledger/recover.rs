//! Recovery of half-done runs: what a crash left between the ledger and the disk.
//!
//! A staged directory is removed or moved only when [`RunDirs::check_staged`] accepts
//! it: a ledger row may have been edited to name any directory.
//!
//! A run is recorded `pending` before its output is written and `committed` before
//! its output directory is moved into place (SPEC section 7, crash safety). A run
//! found in either state, under the lock, was interrupted: a pending one never
//! counted and is undone; a committed one is finished if its output is complete
//! (moved into place if need be), and voided otherwise.
//!
//! What makes an output directory complete, and how it is moved into place, is the
//! output side's knowledge: the caller supplies it as [`RunDirs`], so the ledger never
//! imports the output module.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{db_err, Ledger, RunStatus};
use crate::core::detail::Lang;
use crate::error::Fatal;

/// What recovery needs to know about run output directories.
pub trait RunDirs {
    /// Whether `dir` holds a run's complete output.
    fn is_complete(&self, dir: &Path) -> bool;
    /// Whether `staged` is a directory disburse staged for the output `out`:
    /// `Err` says why not (recovery then leaves it alone).
    fn check_staged(&self, staged: &Path, out: &Path) -> Result<(), String>;
    /// Removes what an interrupted run had staged at `staged` (best effort; only
    /// after `check_staged` accepted it).
    fn remove_staged(&self, staged: &Path);
    /// Moves a complete staged output into place at `out`.
    fn move_into_place(&self, staged: &Path, out: &Path) -> Result<(), Fatal>;
}

/// A run that was interrupted, as recorded.
struct HalfDone {
    id: i64,
    period: String,
    status: RunStatus,
    out: Option<PathBuf>,
    staged: Option<PathBuf>,
}

impl Ledger {
    /// Finishes or undoes every half-done run, saying what it did on `notes`. The
    /// caller holds the ledger's lock, so no run here has a living writer.
    pub(super) fn recover(&mut self, dirs: &dyn RunDirs, lang: Lang, notes: &mut dyn Write) -> Result<(), Fatal> {
        for run in self.half_done()? {
            let HalfDone { id, period, status, out, staged } = run;
            // Only a directory disburse staged for this run's output is touched.
            let ours = match (&staged, &out) {
                (Some(s), Some(o)) => match dirs.check_staged(s, o) {
                    Ok(()) => Some(s.clone()),
                    Err(why) => {
                        let _ = match lang {
                            Lang::En => writeln!(
                                notes,
                                "disburse: note: run {id} for {period} names {} as its staged output, but {why}: it was left alone",
                                s.display()
                            ),
                            Lang::Zh => writeln!(
                                notes,
                                "disburse：提示：{}的批次{id}记载的暂存输出为 {}，但该目录不是 disburse 为它暂存的，未作处理",
                                super::month_zh(&period),
                                s.display()
                            ),
                        };
                        None
                    }
                },
                _ => None,
            };
            if status == RunStatus::Pending {
                if let Some(s) = &ours {
                    dirs.remove_staged(s);
                }
                self.abandon_run(id)?;
                let _ = match lang {
                    Lang::En => writeln!(
                        notes,
                        "disburse: recovered: run {id} for {period} was interrupted before it was recorded; it was undone (nothing was paid) and can be run again"
                    ),
                    Lang::Zh => writeln!(
                        notes,
                        "disburse：已恢复：{}的批次{id}在记入台账前被中断，已撤销（未发放任何款项），可以重新运行",
                        super::month_zh(&period)
                    ),
                };
                continue;
            }
            let out_complete = out.as_deref().is_some_and(|o| dirs.is_complete(o));
            let staged_complete = ours.as_deref().is_some_and(|s| dirs.is_complete(s));
            if !out_complete && staged_complete {
                if let (Some(s), Some(o)) = (&ours, &out) {
                    dirs.move_into_place(s, o)?;
                }
            }
            let now_complete = out.as_deref().is_some_and(|o| dirs.is_complete(o));
            if now_complete {
                self.mark_live(id)?;
                let shown = out.as_ref().map(|o| o.display().to_string()).unwrap_or_default();
                let _ = match lang {
                    Lang::En => writeln!(
                        notes,
                        "disburse: recovered: run {id} for {period} was interrupted after it was recorded; its output is now complete in {shown}"
                    ),
                    Lang::Zh => writeln!(
                        notes,
                        "disburse：已恢复：{}的批次{id}在记入台账后被中断，其输出现已完整，位于 {shown}",
                        super::month_zh(&period)
                    ),
                };
            } else {
                self.void_run(id, "output directory lost after an interrupted run")?;
                let _ = match lang {
                    Lang::En => writeln!(
                        notes,
                        "disburse: recovered: run {id} for {period} was interrupted and its output is gone; it was voided and can be run again"
                    ),
                    Lang::Zh => writeln!(
                        notes,
                        "disburse：已恢复：{}的批次{id}被中断且输出已丢失，已作废，可以重新运行",
                        super::month_zh(&period)
                    ),
                };
            }
        }
        Ok(())
    }

    fn half_done(&self) -> Result<Vec<HalfDone>, Fatal> {
        let mut st = self
            .conn
            .prepare("SELECT id, period, status, out_dir, staged_dir FROM runs WHERE status IN (?1, ?2) ORDER BY id")
            .map_err(|e| db_err(&self.path, e))?;
        let rows = st
            .query_map([RunStatus::Pending, RunStatus::Committed], |r| {
                Ok(HalfDone {
                    id: r.get(0)?,
                    period: r.get(1)?,
                    status: r.get(2)?,
                    out: r.get::<_, Option<String>>(3)?.map(PathBuf::from),
                    staged: r.get::<_, Option<String>>(4)?.map(PathBuf::from),
                })
            })
            .map_err(|e| db_err(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))
    }
}
