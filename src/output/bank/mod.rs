//! Bank upload files (SPEC section 11): one bank's template described in a TOML
//! profile, or the built-ins `generic-csv` and `pain001` (ISO 20022).
//!
//! Files go to `bank/<profile>/` in the output directory, split into numbered batches
//! at the profile's row limit (a transfer never spans two files), each listed in the
//! manifest with its rows and control total.
//!
//! This file holds the profile (its TOML keys and checks) and the dispatch; each
//! format is its own file: `template` (a bank's CSV or XLSX template, batched),
//! `xlsx` (the workbook form of a template) and `pain001` (the ISO 20022 XML).

mod pain001;
mod template;
mod xlsx;

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::sink::OutputInfo;
use super::staged::StagedDir;
pub use super::transfer_file::Transfer;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};
use crate::returns::ReturnLayout;

/// The transfer fields a column may name.
pub const FIELDS: [&str; 7] =
    ["transfer_id", "period", "payee_account", "payee_name", "payee_bank", "amount", "children"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Pain001,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum TextEncoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "gbk")]
    Gbk,
}

/// One column of the template: a header and either a transfer field or a constant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileColumn {
    pub header: String,
    pub field: Option<String>,
    pub value: Option<String>,
}

/// The paying account.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    pub account: String,
    pub name: String,
    pub bank: Option<String>,
}

/// A bank profile (TOML).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankProfile {
    pub name: String,
    pub format: Format,
    #[serde(default)]
    pub encoding: TextEncoding,
    /// Most transfers per file (banks often take 5000); none = one file.
    pub max_rows: Option<usize>,
    /// `{period}`, `{batch}` (3 digits) and `{name}` are filled in.
    pub file_name: Option<String>,
    #[serde(default = "yes")]
    pub column_headers: bool,
    /// `lf` (default) or `crlf`.
    pub line_end: Option<String>,
    /// A line before the rows; `{count}`, `{total}`, `{batch}`, `{batches}`,
    /// `{period}`, `{payer_account}`, `{payer_name}` are filled in.
    pub header_line: Option<String>,
    /// A line after the rows, with the same placeholders.
    pub trailer_line: Option<String>,
    pub payer: Option<Payer>,
    #[serde(default)]
    pub columns: Vec<ProfileColumn>,
    /// How the bank's return file for this template looks (for `reconcile`).
    pub returns: Option<ReturnLayout>,
}

fn yes() -> bool {
    true
}

fn bad_profile(source: &str, message: impl Into<String>) -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        format!("bad bank profile: {}", message.into()),
        "correct the profile (see README: bank profiles)",
    )
    .in_file(source)
}

impl BankProfile {
    /// `generic-csv`, `pain001`, or a TOML file.
    pub fn load(spec: &str) -> Result<BankProfile, Fatal> {
        let profile = match spec {
            "generic-csv" => BankProfile {
                name: "generic-csv".into(),
                format: Format::Csv,
                encoding: TextEncoding::Utf8,
                max_rows: None,
                file_name: Some("transfers-{period}-{batch}.csv".into()),
                column_headers: true,
                line_end: None,
                header_line: None,
                trailer_line: None,
                payer: None,
                columns: FIELDS
                    .iter()
                    .map(|f| ProfileColumn { header: (*f).into(), field: Some((*f).into()), value: None })
                    .collect(),
                returns: None,
            },
            "pain001" => BankProfile {
                name: "pain001".into(),
                format: Format::Pain001,
                encoding: TextEncoding::Utf8,
                max_rows: Some(5000),
                file_name: Some("pain001-{period}.xml".into()),
                column_headers: false,
                line_end: None,
                header_line: None,
                trailer_line: None,
                payer: None,
                columns: Vec::new(),
                returns: None,
            },
            path => {
                crate::roster::input_file::check_regular(path, "bank profile")?;
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Fatal::new(
                        FatalKind::Usage,
                        format!("cannot read the bank profile: {e}"),
                        "give a profile file or generic-csv or pain001",
                    )
                    .in_file(path)
                })?;
                toml::from_str::<BankProfile>(&text).map_err(|e| bad_profile(path, e.message().to_owned()))?
            }
        };
        profile.check(spec)?;
        Ok(profile)
    }

    fn check(&self, source: &str) -> Result<(), Fatal> {
        if self.name.is_empty() || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad_profile(source, "key `name` must be letters, digits, - or _"));
        }
        if self.max_rows == Some(0) {
            return Err(bad_profile(source, "key `max_rows` must be at least 1"));
        }
        if self.format != Format::Pain001 && self.columns.is_empty() {
            return Err(bad_profile(source, "key `columns` is empty: list the template's columns"));
        }
        for (i, c) in self.columns.iter().enumerate() {
            match (&c.field, &c.value) {
                (Some(f), None) if FIELDS.contains(&f.as_str()) => {}
                (Some(f), None) => {
                    return Err(bad_profile(
                        source,
                        format!("key `columns[{i}].field`: {f:?} is not one of {}", FIELDS.join(", ")),
                    ))
                }
                (None, Some(_)) => {}
                _ => {
                    return Err(bad_profile(
                        source,
                        format!("key `columns[{i}]` needs exactly one of `field` or `value`"),
                    ))
                }
            }
        }
        if let Some(l) = &self.line_end {
            if l != "lf" && l != "crlf" {
                return Err(bad_profile(source, "key `line_end` must be lf or crlf"));
            }
        }
        if let Some(f) = &self.file_name {
            if f.contains('/') || f.contains("..") || f.is_empty() {
                return Err(bad_profile(source, "key `file_name` must be a plain file name"));
            }
        }
        Ok(())
    }
}

/// Reads `transfers.csv` back from the staged directory.
pub fn read_transfers(staged: &StagedDir) -> Result<Vec<Transfer>, Fatal> {
    super::transfer_file::read(&staged.path().join(super::transfer_file::TRANSFERS))
}

/// What the run passes to the bank writers.
pub struct BankContext<'a> {
    pub period: Month,
    pub execution_date: Option<&'a str>,
    /// `SOURCE_DATE_EPOCH`, if set.
    pub source_date_epoch: Option<i64>,
    pub message_id: String,
    pub payer: Option<Payer>,
}

/// Writes every batch of one profile; returns the manifest entries.
pub fn write_profile(
    staged: &StagedDir,
    out: &Path,
    profile: &BankProfile,
    transfers: &[Transfer],
    ctx: &BankContext<'_>,
) -> Result<Vec<OutputInfo>, Fatal> {
    let payer = profile.payer.clone().or_else(|| ctx.payer.clone());
    match profile.format {
        Format::Pain001 => pain001::write(staged, out, profile, transfers, ctx, payer),
        Format::Csv | Format::Xlsx => template::write(staged, out, profile, transfers, ctx, payer),
    }
}

/// Writes one bank file into the staged directory; returns its manifest entry.
fn store(
    staged: &StagedDir,
    out: &Path,
    rel: String,
    bytes: &[u8],
    rows: u64,
    total: Decimal,
    doing: &str,
) -> Result<OutputInfo, Fatal> {
    use std::io::Write;
    let mut f = staged.create(&rel)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Fatal::io(&out.join(&rel), doing, &e))?;
    Ok(OutputInfo { file: rel, sha256: crate::sha256_hex(bytes), rows, control_total: Some(fmt_amount(total)) })
}
