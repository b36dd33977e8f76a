//! What the ledger recorded for one run, read-only, for `verify DIR --ledger PATH`.
//!
//! A clerk who rebuilds a whole run directory consistently (amounts, chain, manifest)
//! fools a check that looks only inside the directory; the ledger, written when the
//! run was made, is the witness outside it. This file only reads: it opens no
//! ledger for writing and never creates one.

use std::io::Write;
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

use super::{db_err, from_fen, Ledger, RunStatus};
use crate::core::detail::Lang;
use crate::error::{Fatal, FatalKind};

/// A run as the ledger recorded it when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRun {
    pub id: i64,
    pub period: String,
    pub status: RunStatus,
    pub out_dir: Option<String>,
    pub manifest_sha256: Option<String>,
    pub audit_head: Option<String>,
    pub amount: Decimal,
}

impl Ledger {
    /// Opens an existing ledger to check a run against it. A missing ledger is an
    /// error naming the path (exit 2): checking against nothing proves nothing, and
    /// a read-only command never creates a ledger.
    pub fn open_to_check(path: &Path, lang: Lang, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
        if !path.is_file() {
            return Err(Fatal::new(
                FatalKind::Usage,
                "no ledger here",
                "name the office's ledger with --ledger (it is never created by verify)",
            )
            .zh("此处没有台账", "请用 --ledger 指定本单位的台账（核验时不会新建台账）")
            .in_file(path.display().to_string()));
        }
        Ledger::open_read_only(path, lang, notes)?.ok_or_else(|| {
            Fatal::new(FatalKind::Usage, "this file holds no disburse ledger", "name the office's ledger with --ledger")
                .zh("该文件里没有disburse台账", "请用 --ledger 指定本单位的台账")
                .in_file(path.display().to_string())
        })
    }

    /// The run whose manifest has this SHA-256; failing that, the run with this id
    /// (the manifest's `ledger_run`) or this output directory (absolute), so a run
    /// whose manifest was rewritten is still found and shown to differ. `None` when
    /// the ledger knows no such run.
    pub fn recorded_run(
        &self,
        manifest_sha256: &str,
        id: Option<i64>,
        out_dir: &str,
    ) -> Result<Option<RecordedRun>, Fatal> {
        const COLUMNS: &str = "id, period, status, out_dir, manifest_sha256, audit_head, amount_fen";
        let one = |sql: &str, p: &dyn rusqlite::ToSql| {
            self.conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM runs WHERE {sql} ORDER BY id DESC LIMIT 1"),
                    params![p],
                    |r| {
                        Ok(RecordedRun {
                            id: r.get(0)?,
                            period: r.get(1)?,
                            status: r.get(2)?,
                            out_dir: r.get(3)?,
                            manifest_sha256: r.get(4)?,
                            audit_head: r.get(5)?,
                            amount: from_fen(r.get(6)?),
                        })
                    },
                )
                .optional()
                .map_err(|e| db_err(&self.path, e))
        };
        if let Some(run) = one("manifest_sha256 = ?1", &manifest_sha256)? {
            return Ok(Some(run));
        }
        if let Some(id) = id {
            if let Some(run) = one("id = ?1", &id)? {
                return Ok(Some(run));
            }
        }
        one("out_dir = ?1", &out_dir)
    }
}
