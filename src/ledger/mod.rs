//! The ledger: every real run and every payment line, in one SQLite file.
//!
//! It is what stops a child being paid twice: a partial unique index allows at most one
//! live regular payment per child and month, and at most one run per period that is
//! not void. A real run takes an exclusive lock on `<ledger>.lock` for its whole
//! length, so two runs never race; the lock dies with the process, so a run found
//! half-done under the lock belongs to a crashed process and is finished or undone.
//!
//! A run moves through `pending` (recorded before any output is moved into place),
//! `committed` (its payment lines are in, in the same transaction) and `live` (its
//! output directory is in place); `void` takes it out of the count.

mod schema;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::core::arrears::{Kind, PastPayment};
use crate::core::id::ChildId;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::record::Category;
use crate::error::{Fatal, FatalKind};

/// The default ledger file, in the current directory.
pub const DEFAULT_LEDGER: &str = "disburse-ledger.sqlite";

/// `--ledger`, else `DISBURSE_LEDGER`, else the default.
pub fn ledger_path(flag: Option<&Path>) -> PathBuf {
    match flag {
        Some(p) => p.to_path_buf(),
        None => std::env::var_os("DISBURSE_LEDGER").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER)),
    }
}

/// A run as the ledger lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub period: String,
    pub mode: String,
    pub status: String,
    pub rows: i64,
    pub paid: i64,
    pub amount: String,
    pub arrears_amount: String,
    pub transfers: i64,
    pub out_dir: Option<String>,
    pub manifest_sha256: Option<String>,
    pub created_at: String,
    pub void_reason: Option<String>,
}

/// Month, then kind in the order of its text (`arrears` before `regular`).
fn month_kind_key(l: &LedgerLine) -> u32 {
    ((l.month.year() * 12 + l.month.month()) << 1) | u32::from(l.kind.as_str() == "regular")
}

/// One payment line to record (compact: a province has millions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerLine {
    pub child_id: ChildId,
    pub month: Month,
    pub kind: Kind,
    pub amount: Decimal,
    pub category: Category,
    pub region_code: [u8; 6],
    pub standard: Option<Decimal>,
    /// Sequence of the run's transfer that carries it (`T<YYYYMM>-<seq>`).
    pub transfer: Option<u32>,
}

/// What a finished run adds to its ledger row.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    pub manifest_sha256: String,
    pub audit_head: String,
    pub rows: u64,
    pub paid: u64,
    pub held: u64,
    pub excluded: u64,
    pub rejected: u64,
    pub amount: Decimal,
    pub arrears_amount: Decimal,
    pub transfers: u64,
}

/// The live payment history before a period, for arrears.
#[derive(Debug, Default)]
pub struct History {
    /// Months before the period that have a live run, ascending.
    pub live_months: Vec<Month>,
    by_child: FxHashMap<u64, Vec<PastPayment>>,
}

impl History {
    pub fn of(&self, child_key: u64) -> &[PastPayment] {
        self.by_child.get(&child_key).map_or(&[], Vec::as_slice)
    }
}

/// One payment line of a child, for `ledger history`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryLine {
    pub run: i64,
    pub run_status: String,
    pub month: String,
    pub kind: String,
    pub amount: String,
    pub category: String,
    pub region_code: String,
    pub transfer_id: Option<String>,
    pub status: String,
}

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    _lock: Option<File>,
}

fn db_err(path: &Path, e: rusqlite::Error) -> Fatal {
    Fatal::new(
        FatalKind::Io,
        format!("ledger error: {e}"),
        "check that the ledger file is a disburse ledger and the disk is not full; restore it from its backup if it is damaged",
    )
    .in_file(path.display().to_string())
}

fn to_fen(d: Decimal) -> i64 {
    let mut d = d.round_dp(2);
    d.rescale(2);
    i64::try_from(d.mantissa()).unwrap_or(i64::MAX)
}

fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

impl Ledger {
    /// Opens (creating if needed) for writing: takes the lock, brings the schema up to
    /// date and finishes or undoes any half-done run, saying so on `notes`.
    pub fn open_for_write(path: &Path, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Fatal::new(
                    FatalKind::Io,
                    "the ledger's folder does not exist",
                    "create it or give another --ledger",
                )
                .in_file(path.display().to_string()));
            }
        }
        let lock_path = lock_path(path);
        let private = |p: &Path| {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(p)
        };
        let lock = private(&lock_path).map_err(|e| Fatal::io(&lock_path, "opening the ledger lock", &e))?;
        if lock.try_lock().is_err() {
            let _ = writeln!(
                notes,
                "disburse: waiting for another disburse that is using the ledger {} ...",
                path.display()
            );
            lock.lock().map_err(|e| Fatal::io(&lock_path, "locking the ledger", &e))?;
        }
        // The ledger holds children's IDs: owner-only, whatever the umask.
        private(path).map_err(|e| Fatal::io(path, "creating the ledger", &e))?;
        let conn = Connection::open(path).map_err(|e| db_err(path, e))?;
        let mut ledger = Ledger { conn, path: path.to_path_buf(), _lock: Some(lock) };
        ledger.pragmas()?;
        schema::migrate(&ledger.conn).map_err(|e| db_err(path, e))?;
        ledger.recover(notes)?;
        Ok(ledger)
    }

    /// Opens an existing ledger read-only (a dry run never writes it); `None` when
    /// there is no ledger yet. Half-done runs are reported, not repaired.
    pub fn open_read_only(path: &Path, notes: &mut dyn Write) -> Result<Option<Ledger>, Fatal> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| db_err(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| db_err(path, e))?;
        let ledger = Ledger { conn, path: path.to_path_buf(), _lock: None };
        if schema::version(&ledger.conn).map_err(|e| db_err(path, e))? == 0 {
            return Ok(None);
        }
        for run in ledger.runs()?.iter().filter(|r| r.status == "pending" || r.status == "committed") {
            let _ = writeln!(
                notes,
                "disburse: note: run {} for {} was interrupted ({}); the next real run or any `disburse ledger` command will finish or undo it",
                run.id, run.period, run.status
            );
        }
        Ok(Some(ledger))
    }

    fn pragmas(&self) -> Result<(), Fatal> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
            )
            .map_err(|e| db_err(&self.path, e))?;
        self.conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| db_err(&self.path, e))
    }

    fn recover(&mut self, notes: &mut dyn Write) -> Result<(), Fatal> {
        type HalfDone = (i64, String, String, Option<String>, Option<String>);
        let half_done: Vec<HalfDone> = {
            let mut st = self
                .conn
                .prepare("SELECT id, period, status, out_dir, staged_dir FROM runs WHERE status IN ('pending','committed') ORDER BY id")
                .map_err(|e| db_err(&self.path, e))?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                .map_err(|e| db_err(&self.path, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))?
        };
        for (id, period, status, out_dir, staged) in half_done {
            let staged = staged.map(PathBuf::from);
            let out = out_dir.map(PathBuf::from);
            if status == "pending" {
                if let Some(s) = &staged {
                    let _ = std::fs::remove_dir_all(s);
                }
                self.conn.execute("DELETE FROM runs WHERE id = ?1", [id]).map_err(|e| db_err(&self.path, e))?;
                let _ = writeln!(
                    notes,
                    "disburse: recovered: run {id} for {period} was interrupted before it was recorded; it was undone (nothing was paid) and can be run again"
                );
                continue;
            }
            let out_complete = out.as_ref().is_some_and(|o| o.join(crate::output::manifest::MANIFEST_FILE).exists());
            let staged_complete =
                staged.as_ref().is_some_and(|s| s.join(crate::output::manifest::MANIFEST_FILE).exists());
            if !out_complete && staged_complete {
                if let (Some(s), Some(o)) = (&staged, &out) {
                    if let Some(parent) = o.parent().filter(|p| !p.as_os_str().is_empty()) {
                        let _ = std::fs::create_dir_all(parent);
                    }
                    std::fs::rename(s, o).map_err(|e| Fatal::io(o, "finishing an interrupted run", &e))?;
                }
            }
            let now_complete = out.as_ref().is_some_and(|o| o.join(crate::output::manifest::MANIFEST_FILE).exists());
            if now_complete {
                self.conn
                    .execute("UPDATE runs SET status = 'live' WHERE id = ?1", [id])
                    .map_err(|e| db_err(&self.path, e))?;
                let _ = writeln!(
                    notes,
                    "disburse: recovered: run {id} for {period} was interrupted after it was recorded; its output is now complete in {}",
                    out.as_ref().map(|o| o.display().to_string()).unwrap_or_default()
                );
            } else {
                self.void_run(id, "output directory lost after an interrupted run")?;
                let _ = writeln!(
                    notes,
                    "disburse: recovered: run {id} for {period} was interrupted and its output is gone; it was voided and can be run again"
                );
            }
        }
        Ok(())
    }

    /// The run for `period` that is not void, if any.
    pub fn live_run(&self, period: Month) -> Result<Option<RunInfo>, Fatal> {
        Ok(self.runs()?.into_iter().find(|r| r.period == period.to_string() && r.status != "void"))
    }

    /// Records a real run as pending, before anything is moved into place.
    pub fn begin_run(
        &mut self,
        period: Month,
        mode: &str,
        out: Option<&Path>,
        staged: Option<&Path>,
    ) -> Result<i64, Fatal> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string();
        let res = self.conn.execute(
            "INSERT INTO runs (period, mode, status, out_dir, staged_dir, amount_fen, arrears_fen, created_at)
             VALUES (?1, ?2, 'pending', ?3, ?4, 0, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![period.to_string(), mode, out.map(abs), staged.map(abs)],
        );
        match res {
            Ok(_) => Ok(self.conn.last_insert_rowid()),
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(self.already_paid(period))
            }
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

    /// In one transaction: every payment line, and the run marked committed.
    pub fn commit_run(
        &mut self,
        run: i64,
        period: Month,
        rec: &RunRecord,
        lines: &[LedgerLine],
        status: &str,
    ) -> Result<(), Fatal> {
        self.insert_lines(run, period, lines, status)?;
        self.finish_commit(run, rec, status)
    }

    /// Opens the run's transaction and inserts its payment lines (not yet committed:
    /// a crash from here on leaves nothing). `finish_commit` or `rollback` ends it.
    pub fn insert_lines(&mut self, run: i64, period: Month, lines: &[LedgerLine], status: &str) -> Result<(), Fatal> {
        let path = self.path.clone();
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| db_err(&path, e))?;
        let inserted = self.insert_in_transaction(run, period, lines, status);
        if inserted.is_err() {
            self.rollback();
        }
        inserted
    }

    fn insert_in_transaction(
        &mut self,
        run: i64,
        period: Month,
        lines: &[LedgerLine],
        status: &str,
    ) -> Result<(), Fatal> {
        let path = self.path.clone();
        let mut transfer_ids = crate::core::transfer_id::TransferIds::new(period);
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, standard_fen, transfer_id, status, live)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
            )
            .map_err(|e| db_err(&path, e))?;
        let line_status = if status == "import" { "settled" } else { "issued" };
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
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
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
                    }
                    e => db_err(&path, e),
                })?;
        }
        Ok(())
    }

    /// Records the run's totals and manifest hash and commits the transaction that
    /// `insert_lines` opened: the run is `committed` (an import is `live` at once).
    pub fn finish_commit(&mut self, run: i64, rec: &RunRecord, status: &str) -> Result<(), Fatal> {
        let path = self.path.clone();
        let final_status = if status == "import" { "live" } else { "committed" };
        let updated = self
            .conn
            .execute(
                "UPDATE runs SET status = ?2, manifest_sha256 = ?3, audit_head = ?4, rows = ?5, paid = ?6, held = ?7,
                   excluded = ?8, rejected = ?9, amount_fen = ?10, arrears_fen = ?11, transfers = ?12 WHERE id = ?1",
                params![
                    run,
                    final_status,
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
            .map_err(|e| db_err(&path, e))
            .and_then(|_| {
                crate::failpoint("before-ledger-commit");
                self.conn.execute_batch("COMMIT").map_err(|e| db_err(&path, e))
            });
        if updated.is_err() {
            self.rollback();
        }
        updated
    }

    /// Ends an open transaction without keeping anything.
    pub fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// The output is in place: the run is live.
    pub fn mark_live(&mut self, run: i64) -> Result<(), Fatal> {
        self.conn.execute("UPDATE runs SET status = 'live' WHERE id = ?1", [run]).map_err(|e| db_err(&self.path, e))?;
        Ok(())
    }

    /// Forgets a pending run that will not finish (a fatal error or `--strict`).
    pub fn abandon_run(&mut self, run: i64) -> Result<(), Fatal> {
        self.conn
            .execute("DELETE FROM runs WHERE id = ?1 AND status = 'pending'", [run])
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
        tx.execute("DELETE FROM runs WHERE id = ?1 AND status IN ('pending', 'committed')", [run])
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
        if info.status == "void" {
            return Err(Fatal::new(FatalKind::Usage, format!("run {run} is already void"), "nothing to do")
                .in_file(path.display().to_string()));
        }
        let tx = self.conn.transaction().map_err(|e| db_err(&path, e))?;
        tx.execute(
            "UPDATE runs SET status = 'void', void_reason = ?2, voided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
            params![run, reason],
        )
        .map_err(|e| db_err(&path, e))?;
        tx.execute("UPDATE payments SET live = 0 WHERE run_id = ?1", [run]).map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(info)
    }

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
        let mut months: Vec<Month> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT DISTINCT period FROM runs WHERE status != 'void' AND status != 'pending' AND period < ?1",
                )
                .map_err(|e| db_err(&self.path, e))?;
            let rows = st.query_map([&p], |r| r.get::<_, String>(0)).map_err(|e| db_err(&self.path, e))?;
            let texts: Vec<String> = rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))?;
            texts.iter().filter_map(|t| Month::parse(t)).collect()
        };
        months.sort_unstable();
        let mut history = History { live_months: months, by_child: FxHashMap::default() };
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
                (ChildId::parse(&child), Month::parse(&month), Kind::parse(&kind), Category::parse(&category))
            else {
                continue;
            };
            history.by_child.entry(id.key()).or_default().push(PastPayment {
                month,
                kind,
                amount: from_fen(r.get(3).map_err(|e| db_err(&self.path, e))?),
                failed: get_text(4)? == "failed",
                category,
                region_code: get_text(6)?,
            });
        }
        Ok(history)
    }

    /// The latest month before `period` with a live run, if any.
    pub fn previous_month(&self, period: Month) -> Result<Option<Month>, Fatal> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT MAX(period) FROM runs WHERE status IN ('live', 'committed') AND period < ?1",
                [period.to_string()],
                |r| r.get(0),
            )
            .map_err(|e| db_err(&self.path, e))?;
        Ok(found.and_then(|m| Month::parse(&m)))
    }

    /// The live regular payment of each child for `month` (child ID → amount).
    pub fn regular_payments(&self, month: Month) -> Result<std::collections::HashMap<String, Decimal>, Fatal> {
        let mut st = self
            .conn
            .prepare("SELECT child_id, amount_fen FROM payments WHERE live = 1 AND kind = 'regular' AND month = ?1")
            .map_err(|e| db_err(&self.path, e))?;
        let rows = st
            .query_map([month.to_string()], |r| Ok((r.get::<_, String>(0)?, from_fen(r.get(1)?))))
            .map_err(|e| db_err(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| db_err(&self.path, e))
    }

    /// Marks the payment lines of transfers `settled` or `failed` (bank returns), in
    /// one transaction. Returns how many lines changed to settled and to failed (a
    /// second application of the same return changes none).
    pub fn set_transfer_statuses(&mut self, run: i64, updates: &[(&str, &str)]) -> Result<(u64, u64), Fatal> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db_err(&path, e))?;
        // The returned statuses in a temporary table, joined once to the run's lines
        // (found through the run index): one pass, whatever the number of transfers.
        tx.execute_batch(schema::RETURNED_TABLE).map_err(|e| db_err(&path, e))?;
        {
            let mut st = tx
                .prepare("INSERT OR REPLACE INTO temp.returned (transfer_id, status) VALUES (?1, ?2)")
                .map_err(|e| db_err(&path, e))?;
            for (transfer, status) in updates {
                st.execute(params![transfer, status]).map_err(|e| db_err(&path, e))?;
            }
        }
        let mut changed = (0u64, 0u64);
        for (status, n) in [("settled", &mut changed.0), ("failed", &mut changed.1)] {
            *n = tx.execute(schema::APPLY_RETURNS, params![run, status]).map_err(|e| db_err(&path, e))? as u64;
        }
        tx.execute_batch("DELETE FROM temp.returned").map_err(|e| db_err(&path, e))?;
        tx.commit().map_err(|e| db_err(&path, e))?;
        Ok(changed)
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
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
