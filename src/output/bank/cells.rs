//! The cells of a bank template's lines, typed and checked one by one.
//!
//! A bank's system reads each cell with a type (accounts as text, amounts as numbers)
//! and a length in its own encoding, and refuses a whole file for one bad cell. So
//! every value is checked here against its column before a file is made: written in
//! the profile's encoding, no longer than `max_bytes` (a constant may be cut, a
//! transfer's value never is), and a refusal names the transfer and its roster row.

use super::names::Values;
use super::profile::{bad_profile, byte_len, unwritable, BankProfile, CellType, ProfileColumn, TextEncoding};
use super::Transfer;
use crate::core::money::fmt_amount;
use crate::error::{Fatal, FatalKind};

/// One cell: text, or a number (its text as in a CSV file, its value for a workbook).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Text(String),
    /// `money`: shown with two decimals (`0.00`).
    Number {
        text: String,
        value: f64,
        money: bool,
    },
}

impl Cell {
    pub fn text(&self) -> &str {
        match self {
            Cell::Text(t) | Cell::Number { text: t, .. } => t,
        }
    }

    /// A number cell for `text`, if it is a number.
    pub fn number(text: String, money: bool) -> Option<Cell> {
        let value: f64 = text.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
        Some(Cell::Number { text, value, money })
    }
}

/// `s` cut to at most `max` bytes in `encoding`, at a character boundary.
fn cut(s: &str, max: usize, encoding: TextEncoding) -> String {
    let mut len = 0;
    let mut out = String::new();
    for c in s.chars() {
        len += byte_len(c.encode_utf8(&mut [0u8; 4]), encoding);
        if len > max {
            break;
        }
        out.push(c);
    }
    out
}

/// Who a refused value belongs to: the transfer and the roster row it came from.
pub(super) type Who<'a> = &'a dyn Fn(&Transfer) -> String;

/// The cells of one transfer's row (`seq` is its number within the file).
pub(super) fn row(
    profile: &BankProfile,
    t: &Transfer,
    seq: usize,
    v: &Values<'_>,
    who: Who<'_>,
    source: &str,
) -> Result<Vec<Cell>, Fatal> {
    let mut cells = Vec::with_capacity(profile.columns.len());
    for (i, col) in profile.columns.iter().enumerate() {
        let cell = match (&col.field, &col.value) {
            (Some(f), _) => {
                let text = if f == "seq" { seq.to_string() } else { t.field(f).unwrap_or_default() };
                let refuse = |what: String| {
                    Fatal::new(
                        FatalKind::Input,
                        format!("{}: column {:?} ({f}): {what}", who(t), col.header),
                        "correct the roster row, or ask the bank which characters and lengths its template takes",
                    )
                    .zh(
                        format!("{}：列 {:?}（{f}）：{what}", who(t), col.header),
                        "请更正花名册中的该行，或向银行确认模板接受的字符和长度",
                    )
                };
                if let Some(bad) = unwritable(&text, profile.encoding) {
                    return Err(refuse(format!(
                        "the character {bad:?} cannot be written in GBK, which this bank profile asks for"
                    )));
                }
                if let Some(max) = col.max_bytes {
                    let len = byte_len(&text, profile.encoding);
                    if len > max {
                        return Err(refuse(format!("the value takes {len} bytes, more than the bank's {max}")));
                    }
                }
                typed(col, text).ok_or_else(|| refuse("the value is not a number".into()))?
            }
            (None, Some(value)) => constant(profile, i, col, v.fill(value), source)?,
            _ => Cell::Text(String::new()),
        };
        cells.push(cell);
    }
    Ok(cells)
}

/// A constant column's cell: cut when the profile allows it, else checked.
pub(super) fn constant(
    profile: &BankProfile,
    i: usize,
    col: &ProfileColumn,
    text: String,
    source: &str,
) -> Result<Cell, Fatal> {
    let text = match col.max_bytes {
        Some(max) if byte_len(&text, profile.encoding) > max => {
            if !col.truncate {
                return Err(bad_profile(
                    source,
                    (
                        format!("key `columns[{i}].value` becomes {:?}, more than its max_bytes {max}", text),
                        format!("“columns[{i}].value”填入后为“{text}”，超过了它的“max_bytes”（{max}）"),
                    ),
                ));
            }
            cut(&text, max, profile.encoding)
        }
        _ => text,
    };
    typed(col, text.clone()).ok_or_else(|| {
        bad_profile(
            source,
            (
                format!("key `columns[{i}].value`: {text:?} is not a number"),
                format!("“columns[{i}].value”的值“{text}”不是数字"),
            ),
        )
    })
}

/// The cell of a column's text, with the column's type (`None`: not a number).
fn typed(col: &ProfileColumn, text: String) -> Option<Cell> {
    match col.cell_type() {
        CellType::Text => Some(Cell::Text(text)),
        CellType::Number => {
            let money = col.field.as_deref() == Some("amount");
            Cell::number(text, money)
        }
    }
}

/// A preamble row's cells: a cell that is exactly `{count}` or `{total}` is a number.
pub(super) fn preamble(row: &[String], v: &Values<'_>) -> Vec<Cell> {
    row.iter()
        .map(|cell| {
            match cell.as_str() {
                "{count}" => Cell::number(v.count.to_string(), false),
                "{total}" => Cell::number(fmt_amount(v.total), true),
                _ => None,
            }
            .unwrap_or_else(|| Cell::Text(v.fill(cell)))
        })
        .collect()
}

/// Makes the cells of the transfer numbered `seq` in its file.
pub(super) type RowMaker<'a> = &'a dyn Fn(usize, &Transfer) -> Result<Vec<Cell>, Fatal>;

/// One file's lines, top to bottom; the transfers' rows are made one at a time by
/// `row` (a province's file holds millions, never all as cells at once).
pub(super) struct Lines<'a> {
    pub header_line: Option<String>,
    pub preamble: Vec<Vec<Cell>>,
    pub headers: Option<Vec<String>>,
    pub batch: &'a [Transfer],
    pub row: RowMaker<'a>,
    pub trailer_line: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_cuts_count_bytes_in_the_encoding() {
        assert_eq!(byte_len("孤儿a", TextEncoding::Gbk), 5);
        assert_eq!(byte_len("孤儿a", TextEncoding::Utf8), 7);
        assert_eq!(cut("孤儿基本生活费", 5, TextEncoding::Gbk), "孤儿");
        assert_eq!(cut("孤儿基本生活费", 7, TextEncoding::Utf8), "孤儿");
    }

    #[test]
    fn numbers_keep_their_text() {
        assert_eq!(
            Cell::number("850.50".into(), true),
            Some(Cell::Number { text: "850.50".into(), value: 850.5, money: true })
        );
        assert_eq!(Cell::number("abc".into(), false), None);
        assert_eq!(Cell::number("inf".into(), false), None);
    }
}
