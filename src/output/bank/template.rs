//! A bank's own template (`format = "csv"` or `"xlsx"`): optional header line,
//! preamble rows and column headers, one row per transfer (each column a transfer
//! field, the file's sequence number or a constant), an optional trailer line. The
//! lines are built once as typed cells; the CSV form is here (re-encoded to GBK for
//! banks that ask for it), the workbook form in `xlsx`.

use std::path::Path;

use super::cells::{self, Cell, Lines, Who};
use super::names::{self, Values};
use super::profile::{unwritable, BankProfile, Format, TextEncoding};
use super::Transfer;
use crate::error::{Fatal, FatalKind};
use crate::output::csvline::push_row;

/// The bytes of one file of a CSV or XLSX template.
pub(super) fn render(
    profile: &BankProfile,
    batch: &[Transfer],
    v: &Values<'_>,
    who: Who<'_>,
    source: &str,
    out: &Path,
    rel: &str,
) -> Result<Vec<u8>, Fatal> {
    let line = |key: &str, t: &Option<String>| t.as_ref().map(|t| names::line(key, t, v, source)).transpose();
    let row = |seq: usize, t: &Transfer| cells::row(profile, t, seq, v, who, source);
    let lines = Lines {
        header_line: line("header_line", &profile.header_line)?,
        preamble: profile.preamble.iter().map(|r| cells::preamble(r, v)).collect(),
        headers: profile.column_headers.then(|| profile.columns.iter().map(|c| c.header.clone()).collect()),
        batch,
        row: &row,
        trailer_line: line("trailer_line", &profile.trailer_line)?,
    };
    match profile.format {
        // Every cell was checked against the profile's encoding as it was made.
        Format::Xlsx => super::xlsx::render(profile, &lines, v, out, rel),
        _ => csv_text(profile, &lines),
    }
}

/// The CSV form of the lines, in the profile's encoding.
fn csv_text(profile: &BankProfile, lines: &Lines<'_>) -> Result<Vec<u8>, Fatal> {
    let eol = if profile.line_end.as_deref() == Some("crlf") { "\r\n" } else { "\n" };
    let mut text = Vec::with_capacity(lines.batch.len() * 96 + 256);
    let raw = |s: &str, text: &mut Vec<u8>| {
        text.extend_from_slice(s.as_bytes());
        text.extend_from_slice(eol.as_bytes());
    };
    let mut line = Vec::new();
    let mut push = |fields: &[&str], text: &mut Vec<u8>| {
        line.clear();
        push_row(&mut line, fields);
        line.pop();
        text.extend_from_slice(&line);
        text.extend_from_slice(eol.as_bytes());
    };
    if let Some(h) = &lines.header_line {
        raw(h, &mut text);
    }
    for r in &lines.preamble {
        push(&r.iter().map(Cell::text).collect::<Vec<_>>(), &mut text);
    }
    if let Some(h) = &lines.headers {
        push(&h.iter().map(String::as_str).collect::<Vec<_>>(), &mut text);
    }
    for (i, t) in lines.batch.iter().enumerate() {
        let cells = (lines.row)(i + 1, t)?;
        push(&cells.iter().map(Cell::text).collect::<Vec<_>>(), &mut text);
    }
    if let Some(t) = &lines.trailer_line {
        raw(t, &mut text);
    }
    encode(text, profile)
}

fn encode(text: Vec<u8>, profile: &BankProfile) -> Result<Vec<u8>, Fatal> {
    match profile.encoding {
        TextEncoding::Utf8 => Ok(text),
        TextEncoding::Gbk => {
            let s = String::from_utf8_lossy(&text);
            if let Some(bad) = unwritable(&s, TextEncoding::Gbk) {
                // The cells and the profile's texts were checked one by one; this is
                // the last guard.
                return Err(Fatal::new(
                    FatalKind::Input,
                    format!("the character {bad:?} cannot be written in GBK, which this bank profile asks for"),
                    "ask the bank whether it takes GB18030 or UTF-8, or correct the name on the roster",
                )
                .zh(
                    format!("字符“{bad}”无法用该银行模板要求的GBK编码写出"),
                    "请向银行确认是否接受GB18030或UTF-8，或更正花名册上的姓名",
                )
                .in_file(format!("bank profile {}", profile.name)));
            }
            Ok(encoding_rs::GBK.encode(&s).0.into_owned())
        }
    }
}
