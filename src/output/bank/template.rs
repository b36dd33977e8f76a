//! A bank's own template (`format = "csv"` or `"xlsx"`): the profile's columns, each
//! a transfer field or a constant, with optional header and trailer lines, in
//! numbered batches of at most `max_rows` transfers. CSV text may be re-encoded to
//! GBK for banks that ask for it; the workbook form is in `xlsx`.

use std::path::Path;

use rust_decimal::Decimal;

use super::{store, BankContext, BankProfile, Format, Payer, TextEncoding, Transfer};
use crate::core::money::fmt_amount;
use crate::error::{Fatal, FatalKind};
use crate::output::csvline::push_row;
use crate::output::sink::OutputInfo;
use crate::output::staged::StagedDir;

/// Writes every batch of a CSV or XLSX template; returns the manifest entries.
pub(super) fn write(
    staged: &StagedDir,
    out: &Path,
    profile: &BankProfile,
    transfers: &[Transfer],
    ctx: &BankContext<'_>,
    payer: Option<Payer>,
) -> Result<Vec<OutputInfo>, Fatal> {
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
            // Xlsx (a pain001 profile never comes here).
            _ => super::xlsx::render(profile, batch, &values, &fill, ctx.period, out, &rel)?,
        };
        infos.push(store(staged, out, rel, &bytes, batch.len() as u64, total, "writing a bank file")?);
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
