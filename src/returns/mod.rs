//! Reading a bank's return file: what the bank says happened to each transfer of a
//! run. Like `roster`, this is an input reader (text in, typed lines out, a line
//! number on every line); `commands::reconcile` matches the lines to the run.
//!
//! Three forms: an ISO 20022 pain.002 status report (`pain002`, recognised by its
//! content, read safely by `xml_text`, its levels resolved per transfer by `status`
//! against what the run sent, `sent`), a table in a bank profile's `[returns]`
//! layout, or the plain CSV `transfer_id,payee_account,amount,status,reason` with
//! Chinese aliases (both in `tabular`).

pub mod pain002;
pub mod sent;
pub mod status;
pub mod tabular;
pub mod xml_text;

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::{Fatal, FatalKind};

/// One value or a list of values in a profile (`success = "成功"` or `["成功", "S"]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Words {
    One(String),
    Many(Vec<String>),
}

impl Words {
    pub fn list(&self) -> &[String] {
        match self {
            Words::One(s) => std::slice::from_ref(s),
            Words::Many(v) => v,
        }
    }
}

impl Default for Words {
    fn default() -> Words {
        Words::Many(Vec::new())
    }
}

/// How the bank's return file for a template looks (a bank profile's `[returns]`).
/// Without `transfer_id` the lines are matched by `payee_account` (a run has one
/// transfer per account).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLayout {
    pub transfer_id: Option<String>,
    pub amount: String,
    pub status: String,
    pub reason: Option<String>,
    pub payee_account: Option<String>,
    pub success: Words,
    pub failed: Words,
    /// Values meaning "the bank has it, not final yet" (e.g. `["L", "处理中"]`).
    #[serde(default)]
    pub pending: Words,
}

/// What the bank says happened to a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Settled,
    Failed,
    /// Accepted or in process; nothing final (a later report settles it).
    Pending,
}

/// One line of a bank's return: which transfer, what the bank says happened.
#[derive(Debug, Clone, Default)]
pub struct ReturnLine {
    /// The line of the file it starts on (for a batch or group status reaching a
    /// transfer the report does not list: that status's line).
    pub line: u64,
    /// Empty when the line is matched by account.
    pub transfer_id: String,
    pub account: String,
    /// True when the line names no transfer id and is matched by `account`.
    pub by_account: bool,
    pub amount: Option<Decimal>,
    /// False when a status report gave no amount (then it is not compared).
    pub amount_reported: bool,
    /// The currency the bank gives (`None`: not given, not compared).
    pub currency: Option<String>,
    /// `None` only on a line with a `problem`.
    pub verdict: Option<Verdict>,
    /// The bank's reason text (for a failure; the status for a pending line).
    pub reason: String,
    /// Why the line cannot be used, if it cannot.
    pub problem: Option<Problem>,
}

/// Why a return line cannot be used, in English and in the clerk's Chinese (the
/// reconciliation workbook and screen follow `--lang`; the CSV keeps the English).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    pub en: String,
    pub zh: String,
}

impl Problem {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Problem {
        Problem { en: en.into(), zh: zh.into() }
    }
}

/// Reads the bank's return at `path`; returns its lines and the SHA-256 of its bytes.
/// `layout` is the bank profile's `[returns]`, if one was given; a pain.002 report is
/// checked against the pain.001 files among `run_files` (paths in `run_dir`).
pub fn read<'a>(
    path: &str,
    layout: Option<&ReturnLayout>,
    run_dir: &Path,
    run_files: impl IntoIterator<Item = &'a str>,
) -> Result<(Vec<ReturnLine>, String), Fatal> {
    let bytes = crate::roster::input_file::read_all(path, "bank return file")?;
    if xml_text::looks_like_xml(&bytes) {
        let report = pain002::parse(path, &bytes)?;
        let sent = sent::read_sent(run_dir, run_files)?;
        return Ok((status::resolve(path, &report, &sent)?, crate::sha256_hex(&bytes)));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(fatal(
            "the bank return file is UTF-16 text, which this reader does not take for a table",
            "save it as CSV UTF-8 (or as the bank's XML file as it was sent) and try again",
            (
                "银行回盘文件是UTF-16编码的文字，无法作为表格读取".to_owned(),
                "请另存为“CSV UTF-8”（或使用银行发来的原始XML文件）后重试",
            ),
        )
        .in_file(path));
    }
    tabular::read(path, layout)
}

/// A bank return file that cannot be used, in English and in Chinese.
fn fatal(message: impl Into<String>, fix: &str, zh: (String, &str)) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix).zh(zh.0, zh.1)
}
