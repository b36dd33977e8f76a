//! The ledger: every real run and every payment line, in one SQLite file.
//!
//! It is what stops a child being paid twice: a partial unique index allows at most one
//! live regular payment per child and month, and at most one run per period that is
//! not void. A writer holds the ledger's lock ([`lock`]) for its whole length, so two
//! runs never race, and finishes or undoes any run a crash left half done
//! ([`recover`]). A run moves through its statuses in [`lifecycle`]; [`queries`]
//! reads what was paid. This file opens the database and holds the shared helpers.
//!
//! The ledger speaks in the plain data of [`crate::core::payment`] (payment lines,
//! history) and never imports the output files or the pipeline.

mod journal;
mod lifecycle;
mod lock;
pub mod lookup;
mod queries;
mod recover;
mod returns;
mod schema;
pub use schema::migrate;
mod status;
mod verify;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;

use crate::core::detail::Lang;
use crate::error::{Fatal, FatalKind};
pub use journal::Head as JournalHead;
pub use recover::RunDirs;
pub use returns::{Applied, Conflict};
pub use status::{RunMode, RunStatus};
pub use verify::{Finding, Report as VerifyReport};

/// The schema version this build writes (a ledger above it is refused).
pub const SCHEMA_VERSION: i64 = schema::LATEST;

/// The default ledger file, in the current directory.
pub const DEFAULT_LEDGER: &str = "disburse-ledger.sqlite";

/// A run as the ledger lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub period: String,
    pub mode: RunMode,
    pub status: RunStatus,
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

/// One payment line of a child, for `ledger history`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryLine {
    pub run: i64,
    pub run_status: RunStatus,
    pub month: String,
    pub kind: String,
    pub amount: String,
    pub category: String,
    pub region_code: String,
    pub transfer_id: Option<String>,
    pub status: crate::core::payment::LineStatus,
}

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    _lock: Option<File>,
}

fn db_err(path: &Path, e: rusqlite::Error) -> Fatal {
    let (what, fix) = db_err_zh(&e);
    Fatal::new(
        FatalKind::Io,
        format!("ledger error: {e}"),
        "check that the ledger file is a disburse ledger and the disk is not full; restore it from its backup if it is damaged",
    )
    .zh(what, fix)
    .in_file(path.display().to_string())
}

/// A period the ledger holds (`2018-06`) as a Chinese sentence says it (`2018年6月`).
fn month_zh(period: &str) -> String {
    crate::core::month::Month::parse(period)
        .map(|m| crate::core::glossary::month(m, Lang::Zh))
        .unwrap_or_else(|| period.to_owned())
}

/// A database failure in the clerk's words: SQLite's English text only for a kind
/// not named here.
fn db_err_zh(e: &rusqlite::Error) -> (String, &'static str) {
    use rusqlite::ErrorCode as C;
    const RESTORE: &str = "请确认这是本单位的台账文件、磁盘未满；如台账已损坏，请从备份恢复";
    let said = |what: &str, fix: &'static str| (format!("台账出错：{what}"), fix);
    match e.sqlite_error_code() {
        Some(C::NotADatabase) => said("该文件不是台账（不是SQLite数据库）", "请用 --ledger 指定本单位的台账文件"),
        Some(C::DatabaseCorrupt) => said("台账文件已损坏", "请从备份恢复台账"),
        Some(C::DiskFull) => said("磁盘已满", "请腾出磁盘空间后重新运行"),
        Some(C::DatabaseBusy | C::DatabaseLocked) => said("台账正被其他程序占用", "请等其他程序用完后重新运行"),
        Some(C::ReadOnly) => said("台账是只读的", "请检查台账文件及其文件夹的写权限"),
        Some(C::CannotOpen) => said("无法打开台账文件", "请检查路径是否正确、是否有读写权限"),
        Some(C::PermissionDenied) => said("没有读写台账的权限", "请检查台账文件的权限"),
        Some(C::SystemIoFailure) => said("读写台账时磁盘出错", RESTORE),
        _ => (format!("台账出错（{e}）"), RESTORE),
    }
}

/// Amounts are stored as whole fen (cents); one that does not fit is an error naming
/// it, never a capped value.
fn to_fen(d: Decimal) -> Result<i64, Fatal> {
    let mut fen = d.round_dp(2);
    fen.rescale(2);
    i64::try_from(fen.mantissa()).map_err(|_| {
        Fatal::new(
            FatalKind::Input,
            format!("the amount {d} yuan does not fit in the ledger (whole fen up to 92233720368547758.07)"),
            "check the amounts of the roster and the policy",
        )
        .zh(format!("金额{d}元超出台账能记录的范围"), "请检查花名册和政策文件中的金额")
    })
}

fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

impl Ledger {
    /// Opens (creating if needed) for writing: takes the lock, brings the schema up to
    /// date and finishes or undoes any half-done run (`dirs` tells what a run's output
    /// directory is), saying so on `notes` in `lang` (a wait for the lock, a
    /// recovered run).
    pub fn open_for_write(path: &Path, dirs: &dyn RunDirs, lang: Lang, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Fatal::new(
                    FatalKind::Io,
                    "the ledger's folder does not exist",
                    "create it or give another --ledger",
                )
                .zh("台账所在的文件夹不存在", "请先建立该文件夹，或用 --ledger 指定别的台账")
                .in_file(path.display().to_string()));
            }
        }
        // The ledger holds children's IDs: owner-only, whatever the umask.
        let file = lock::open_private(path).map_err(|e| Fatal::io(path, "opening the ledger", &e))?;
        let lock = lock::acquire(path, file, lang, notes)?;
        let conn = Connection::open(path).map_err(|e| db_err(path, e))?;
        let mut ledger = Ledger { conn, path: path.to_path_buf(), _lock: Some(lock) };
        ledger.refuse_newer()?;
        ledger.pragmas()?;
        schema::migrate(&mut ledger.conn).map_err(|e| db_err(path, e))?;
        ledger.recover(dirs, lang, notes)?;
        Ok(ledger)
    }

    /// Opens an existing ledger read-only (a dry run never writes it); `None` when
    /// there is no ledger yet. Half-done runs are reported (in `lang`), not repaired.
    pub fn open_read_only(path: &Path, lang: Lang, notes: &mut dyn Write) -> Result<Option<Ledger>, Fatal> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| db_err(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| db_err(path, e))?;
        let ledger = Ledger { conn, path: path.to_path_buf(), _lock: None };
        ledger.refuse_newer()?;
        if schema::version(&ledger.conn).map_err(|e| db_err(path, e))? == 0 {
            return Ok(None);
        }
        for run in ledger.runs()?.iter().filter(|r| r.status.half_done()) {
            let _ = match lang {
                Lang::En => writeln!(
                    notes,
                    "disburse: note: run {} for {} was interrupted ({}); the next real run or any `disburse ledger` command will finish or undo it",
                    run.id, run.period, run.status
                ),
                Lang::Zh => writeln!(
                    notes,
                    "disburse：提示：{}的批次{}被中断（{}）；下次正式运行或任一 disburse ledger 命令会将其完成或撤销",
                    month_zh(&run.period),
                    run.id,
                    crate::core::glossary::say(crate::core::glossary::Group::RunStatus, run.status.as_str(), lang)
                ),
            };
        }
        Ok(Some(ledger))
    }

    /// A ledger whose schema is newer than this build's is refused before anything
    /// is written to it.
    fn refuse_newer(&self) -> Result<(), Fatal> {
        let version = schema::version(&self.conn).map_err(|e| db_err(&self.path, e))?;
        if version > schema::LATEST {
            return Err(Fatal::new(
                FatalKind::Usage,
                format!(
                    "this ledger was made by a newer disburse (schema version {version}, this one knows up to {}): upgrade",
                    schema::LATEST
                ),
                "install the disburse the office uses now; the ledger was left unchanged",
            )
            .zh(
                format!(
                    "该台账由更新版本的disburse建立（结构版本{version}，本程序只认识到{}）",
                    schema::LATEST
                ),
                "请安装本单位现在使用的disburse版本；台账未作任何改动",
            )
            .in_file(self.path.display().to_string()));
        }
        Ok(())
    }

    /// The schema version of the open ledger.
    pub fn schema_version(&self) -> Result<i64, Fatal> {
        schema::version(&self.conn).map_err(|e| db_err(&self.path, e))
    }

    fn pragmas(&self) -> Result<(), Fatal> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
            )
            .map_err(|e| db_err(&self.path, e))?;
        self.conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| db_err(&self.path, e))
    }
}

#[cfg(test)]
mod tests;
