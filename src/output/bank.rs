//! Bank upload files (SPEC section 11): one bank's template described in a TOML
//! profile, or the built-ins `generic-csv` and `pain001` (ISO 20022).
//!
//! Files go to `bank/<profile>/` in the output directory, split into numbered batches
//! at the profile's row limit (a transfer never spans two files), each listed in the
//! manifest with its rows and control total.

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::csvline::push_row;
use super::sink::OutputInfo;
use super::staged::StagedDir;
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::month::Month;
use crate::error::{Fatal, FatalKind};

/// A transfer as `transfers.csv` has it.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub transfer_id: String,
    pub period: String,
    pub payee_account: String,
    pub payee_name: String,
    pub payee_bank: String,
    pub amount: Decimal,
    pub children: u64,
}

impl Transfer {
    fn field(&self, name: &str) -> Option<String> {
        Some(match name {
            "transfer_id" => self.transfer_id.clone(),
            "period" => self.period.clone(),
            "payee_account" => self.payee_account.clone(),
            "payee_name" => self.payee_name.clone(),
            "payee_bank" => self.payee_bank.clone(),
            "amount" => fmt_amount(self.amount),
            "children" => self.children.to_string(),
            _ => return None,
        })
    }
}

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

/// How the bank's return file for this template looks (for `reconcile`).
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
    let path = staged.path().join(super::monthly::TRANSFERS);
    let err = |e: String| Fatal::new(FatalKind::Io, format!("reading back transfers.csv: {e}"), "run again");
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let r = rec.map_err(|e| err(e.to_string()))?;
        out.push(Transfer {
            transfer_id: r[0].to_owned(),
            period: r[1].to_owned(),
            payee_account: r[2].to_owned(),
            payee_name: r[3].to_owned(),
            payee_bank: r[4].to_owned(),
            amount: parse_amount(&r[5]).map_err(|_| err("bad amount".into()))?,
            children: r[6].parse().map_err(|_| err("bad children".into()))?,
        });
    }
    Ok(out)
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
    if profile.format == Format::Pain001 {
        return super::pain001::write(staged, out, profile, transfers, ctx, payer);
    }
    let size = profile.max_rows.unwrap_or(usize::MAX).max(1);
    let batches: Vec<&[Transfer]> = if transfers.is_empty() { vec![&[]] } else { transfers.chunks(size).collect() };
    let mut infos = Vec::new();
    for (k, batch) in batches.iter().enumerate() {
        let total: Decimal = batch.iter().map(|t| t.amount).sum();
        let fill = |template: &str| {
            template
                .replace("{count}", &batch.len().to_string())
                .replace("{total}", &fmt_amount(total))
                .replace("{batch}", &format!("{:03}", k + 1))
                .replace("{batches}", &batches.len().to_string())
                .replace("{period}", &ctx.period.to_string())
                .replace("{payer_account}", payer.as_ref().map_or("", |p| p.account.as_str()))
                .replace("{payer_name}", payer.as_ref().map_or("", |p| p.name.as_str()))
        };
        let default_name = match profile.format {
            Format::Xlsx => "{name}-{period}-{batch}.xlsx",
            _ => "{name}-{period}-{batch}.csv",
        };
        let file = fill(profile.file_name.as_deref().unwrap_or(default_name)).replace("{name}", &profile.name);
        let rel = format!("bank/{}/{file}", profile.name);
        let values = |t: &Transfer| -> Vec<String> {
            profile
                .columns
                .iter()
                .map(|c| match (&c.field, &c.value) {
                    (Some(f), _) => t.field(f).unwrap_or_default(),
                    (None, Some(v)) => fill(v),
                    _ => String::new(),
                })
                .collect()
        };
        let bytes = match profile.format {
            Format::Csv => {
                let eol = if profile.line_end.as_deref() == Some("crlf") { "\r\n" } else { "\n" };
                let mut text = Vec::new();
                if let Some(h) = &profile.header_line {
                    text.extend_from_slice(fill(h).as_bytes());
                    text.extend_from_slice(eol.as_bytes());
                }
                let mut line = Vec::new();
                let mut push = |fields: &[String], text: &mut Vec<u8>| {
                    line.clear();
                    push_row(&mut line, fields);
                    line.pop();
                    text.extend_from_slice(&line);
                    text.extend_from_slice(eol.as_bytes());
                };
                if profile.column_headers {
                    let headers: Vec<String> = profile.columns.iter().map(|c| c.header.clone()).collect();
                    push(&headers, &mut text);
                }
                for t in *batch {
                    push(&values(t), &mut text);
                }
                if let Some(tr) = &profile.trailer_line {
                    text.extend_from_slice(fill(tr).as_bytes());
                    text.extend_from_slice(eol.as_bytes());
                }
                encode(&text, profile.encoding, &rel)?
            }
            Format::Xlsx => xlsx(profile, batch, &values, &fill, ctx.period, out, &rel)?,
            Format::Pain001 => unreachable!("handled above"),
        };
        let path = staged.path().join(&rel);
        let mut f = staged.create(&rel)?;
        use std::io::Write;
        f.write_all(&bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| Fatal::io(&out.join(&rel), "writing a bank file", &e))?;
        drop(path);
        infos.push(OutputInfo {
            file: rel,
            sha256: crate::sha256_hex(&bytes),
            rows: batch.len() as u64,
            control_total: Some(fmt_amount(total)),
        });
    }
    Ok(infos)
}

fn encode(text: &[u8], encoding: TextEncoding, rel: &str) -> Result<Vec<u8>, Fatal> {
    match encoding {
        TextEncoding::Utf8 => Ok(text.to_vec()),
        TextEncoding::Gbk => {
            let s = String::from_utf8_lossy(text);
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(&s);
            if unmappable {
                let bad = s.chars().find(|c| encoding_rs::GBK.encode(&c.to_string()).2).unwrap_or('?');
                return Err(Fatal::new(
                    FatalKind::Input,
                    format!("the character {bad:?} cannot be written in GBK, which this bank profile asks for"),
                    "ask the bank whether it takes GB18030 or UTF-8, or correct the name on the roster",
                )
                .in_file(rel));
            }
            Ok(bytes.into_owned())
        }
    }
}

fn xlsx(
    profile: &BankProfile,
    batch: &[Transfer],
    values: &dyn Fn(&Transfer) -> Vec<String>,
    fill: &dyn Fn(&str) -> String,
    period: Month,
    out: &Path,
    rel: &str,
) -> Result<Vec<u8>, Fatal> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| {
        Fatal::new(FatalKind::Io, format!("writing a bank workbook: {e}"), "run again")
            .in_file(out.join(rel).display().to_string())
    };
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(period.year() as u16, period.month() as u8, 1).map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = book.add_worksheet();
    let mut row = 0u32;
    if let Some(h) = &profile.header_line {
        ws.write_string(row, 0, fill(h)).map_err(e)?;
        row += 1;
    }
    if profile.column_headers {
        for (c, col) in profile.columns.iter().enumerate() {
            ws.write_string(row, c as u16, &col.header).map_err(e)?;
        }
        row += 1;
    }
    for t in batch {
        for (c, v) in values(t).iter().enumerate() {
            // Amounts as numbers a bank portal can add up; everything else as text.
            let is_amount = profile.columns[c].field.as_deref() == Some("amount");
            match (is_amount, v.parse::<f64>()) {
                (true, Ok(n)) => ws.write_number(row, c as u16, n).map(|_| ()).map_err(e)?,
                _ => ws.write_string(row, c as u16, v).map(|_| ()).map_err(e)?,
            }
        }
        row += 1;
    }
    if let Some(tr) = &profile.trailer_line {
        ws.write_string(row, 0, fill(tr)).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}
