//! Reading a bank's return file: what the bank says happened to each transfer of a
//! run. Like `roster`, this is an input reader (text in, typed lines out, a line
//! number on every line); `commands::reconcile` matches the lines to the run.
//!
//! Three forms: an ISO 20022 pain.002 status report (`pain002`, recognised by its
//! content), a table in a bank profile's `[returns]` layout, or the plain CSV
//! `transfer_id,payee_account,amount,status,reason` with Chinese aliases
//! (both in `tabular`).

mod pain002;
mod tabular;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::{Fatal, FatalKind};

/// How the bank's return file for a template looks (a bank profile's `[returns]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLayout {
    pub transfer_id: String,
    pub amount: String,
    pub status: String,
    pub reason: Option<String>,
    pub payee_account: Option<String>,
    pub success: Vec<String>,
    pub failed: Vec<String>,
}

/// One line of a bank's return: which transfer, what the bank says happened.
#[derive(Debug, Clone, Default)]
pub struct ReturnLine {
    /// The line of the file it starts on.
    pub line: u64,
    pub transfer_id: String,
    pub account: String,
    pub amount: Option<Decimal>,
    /// False when a status report gave no amount (then it is not compared).
    pub amount_reported: bool,
    /// Settled (`true`), failed (`false`), or a status neither list knows.
    pub success: Option<bool>,
    /// The bank's reason text (for a failure).
    pub reason: String,
    /// Why the line cannot be used, if it cannot.
    pub problem: Option<String>,
}

/// Reads the bank's return at `path`; returns its lines and the SHA-256 of its bytes.
/// `layout` is the bank profile's `[returns]`, if one was given.
pub fn read(path: &str, layout: Option<&ReturnLayout>) -> Result<(Vec<ReturnLine>, String), Fatal> {
    let bytes = crate::roster::reader::read_all(path, "bank return file")?;
    let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return Ok((pain002::read(path, &bytes)?, crate::sha256_hex(&bytes)));
    }
    tabular::read(path, layout)
}

fn fatal(message: impl Into<String>, fix: &str) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix)
}
