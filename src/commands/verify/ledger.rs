//! `verify DIR --ledger PATH`: the run against what the ledger recorded when it was
//! made (SPEC 12). A clerk who rebuilds a whole run directory consistently passes
//! every check inside it; the manifest's SHA-256, the audit head, the period and the
//! amount the ledger holds were written before, outside the directory.

use std::path::Path;

use super::{broken, Broken};
use crate::ledger::Ledger;
use crate::output::manifest::{Manifest, MANIFEST_FILE};

/// Checks the run in `dir` (its manifest's bytes and parsed form) against `ledger`.
pub(super) fn check(dir: &Path, bytes: &[u8], manifest: &Manifest, ledger: &Ledger) -> Result<(), Broken> {
    let sha = crate::sha256_hex(bytes);
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()).display().to_string();
    let found = ledger
        .recorded_run(&sha, manifest.ledger_run, &abs)
        .map_err(|e| broken(format!("the ledger: {}", e.message), format!("台账：{}", e.message)))?;
    let Some(run) = found else {
        let dry = manifest.mode == "dry-run";
        let why = if dry { " (a dry run is never recorded)" } else { "" };
        let why_zh = if dry { "（试算从不记入台账）" } else { "" };
        return Err(broken(
            format!("{MANIFEST_FILE}: the ledger knows no run with this manifest (SHA-256 {sha}){why}"),
            format!("{MANIFEST_FILE}：台账中没有使用这份 manifest.json 的批次（SHA-256 {sha}）{why_zh}"),
        ));
    };
    let recorded = |what: &str, have: &str, want: Option<&str>| -> Result<(), Broken> {
        if Some(have) == want {
            return Ok(());
        }
        Err(broken(
            format!(
                "{MANIFEST_FILE}: {what} {have} is not what the ledger recorded for run {} ({})",
                run.id,
                want.unwrap_or("nothing")
            ),
            format!("{MANIFEST_FILE}：{what} {have} 与台账中批次{}的记录（{}）不符", run.id, want.unwrap_or("无")),
        ))
    };
    recorded("SHA-256", &sha, run.manifest_sha256.as_deref())?;
    recorded("audit_head", &manifest.audit_head, run.audit_head.as_deref())?;
    recorded("period", &manifest.period, Some(&run.period))?;
    recorded("totals.amount", &manifest.totals.amount, Some(&crate::core::money::fmt_amount(run.amount)))?;
    if manifest.ledger_run.is_some_and(|id| id != run.id) {
        return Err(broken(
            format!("{MANIFEST_FILE}: ledger_run is not run {}, which recorded this manifest", run.id),
            format!("{MANIFEST_FILE}：ledger_run 不是记录这份 manifest.json 的批次{}", run.id),
        ));
    }
    Ok(())
}
