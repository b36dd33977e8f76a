//! Small CSV tables other systems hand us (an old system's month, a bank's return, an
//! auditor's payment register): columns found by English name or Chinese alias, text
//! in UTF-8 or GB18030, every data row with the line it starts on.

use std::borrow::Cow;

use crate::core::text::trim;
use crate::csvsplit::{RawRow, Splitter};
use crate::error::{Fatal, FatalKind};

/// A column to find: its name, aliases (lower case) and whether it must be there.
pub struct Want<'a> {
    pub name: &'a str,
    pub aliases: &'a [&'a str],
    pub required: bool,
}

/// One data row: the wanted columns' trimmed text ("" when the column is absent).
#[derive(Debug, Clone)]
pub struct TableRow {
    pub line: u64,
    pub fields: Vec<String>,
    /// The row has a different number of fields than the header.
    pub malformed: bool,
}

/// A whole table and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: String,
    pub sha256: String,
    pub rows: Vec<TableRow>,
}

fn empty(path: &str, what: &str) -> Fatal {
    Fatal::new(FatalKind::Input, format!("the {what} is empty"), "give the file with its header row")
        .zh(format!("{}是空的", crate::error::thing_zh(what)), "请提供带表头行的文件")
        .in_file(path)
}

/// A required column is missing: `names` are the header texts that would do.
fn no_column(path: &str, what: &str, w: &Want<'_>, names: &[&str]) -> Fatal {
    let message = if names.len() > 1 {
        format!("the {what} has no column {} (any of: {})", w.name, names.join(", "))
    } else {
        format!("the {what} has no column {}", w.name)
    };
    let quoted: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
    Fatal::new(FatalKind::MissingColumn, message, "add the column to the header row, or fix its spelling")
        .zh(
            format!("{}的表头中没有{}列（可写作：{}）", crate::error::thing_zh(what), w.name, quoted.join("、")),
            "请在表头行加上该列，或更正列名的拼写",
        )
        .in_file(path)
}

/// Reads `path` (`what` names it in messages), finding `wants` in its header.
pub fn read_table(path: &str, what: &str, wants: &[Want<'_>]) -> Result<Table, Fatal> {
    let bytes = crate::roster::input_file::read_all(path, what)?;
    let sha256 = crate::sha256_hex(&bytes);
    let text: Cow<'_, str> = match std::str::from_utf8(&bytes) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes).ok_or_else(|| {
                Fatal::new(
                    FatalKind::Input,
                    format!("the {what} is neither UTF-8 nor GBK text"),
                    "save it as CSV and try again",
                )
                .zh(
                    format!("{}既不是UTF-8也不是GBK编码的文字", crate::error::thing_zh(what)),
                    "请另存为CSV（UTF-8或GBK）后重试",
                )
                .in_file(path)
            })?
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut split = Splitter::new(text.as_bytes());
    let mut row = RawRow::default();
    let io = |e: std::io::Error| crate::csvsplit::read_error(path, what, &e);
    if !split.next(&mut row).map_err(io)? {
        return Err(empty(path, what));
    }
    let cell = |b: &[u8]| trim(&String::from_utf8_lossy(b)).to_owned();
    let header: Vec<String> = row.iter().map(|b| cell(b).to_lowercase()).collect();
    let mut index = Vec::with_capacity(wants.len());
    for w in wants {
        // A column the layout does not name matches nothing (not an empty header cell).
        let at = header.iter().position(|h| !w.name.is_empty() && (h == w.name || w.aliases.contains(&h.as_str())));
        if at.is_none() && w.required {
            let names: Vec<&str> = std::iter::once(w.name).chain(w.aliases.iter().copied()).collect();
            return Err(no_column(path, what, w, &names).at_line(1));
        }
        index.push(at);
    }
    let mut rows = Vec::new();
    while split.next(&mut row).map_err(io)? {
        if row.iter().all(|b| cell(b).is_empty()) {
            continue;
        }
        let fields = index.iter().map(|i| i.and_then(|i| row.get(i)).map(cell).unwrap_or_default()).collect();
        rows.push(TableRow { line: row.line, fields, malformed: row.len() != header.len() });
    }
    Ok(Table { path: path.to_owned(), sha256, rows })
}

/// The same as `read_table` for the first sheet of a workbook (a bank's result file
/// saved as `.xlsx`). Only the cells present are read ([`crate::roster::sparse`]).
pub fn read_workbook_table(path: &str, what: &str, wants: &[Want<'_>]) -> Result<Table, Fatal> {
    let bytes = crate::roster::input_file::read_all(path, what)?;
    let sheet = crate::roster::sparse::read_sparse(path, None, what)?;
    let text = |c: &crate::roster::sparse::SparseCell| crate::roster::workbook::text(&c.2, false).trim().to_owned();
    let mut rows = sheet
        .rows()
        .map(|(row, cells)| (u64::from(row) + 1, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !text(c).is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(empty(path, what));
    };
    let header: Vec<(u32, String)> = header.iter().map(|c| (c.1, text(c).to_lowercase())).collect();
    let mut index = Vec::new();
    for w in wants {
        // A column the layout does not name matches nothing (not an empty header cell).
        let at = header
            .iter()
            .find(|(_, h)| !w.name.is_empty() && (h == w.name || w.aliases.contains(&h.as_str())))
            .map(|(col, _)| *col);
        if at.is_none() && w.required {
            return Err(no_column(path, what, w, &[w.name]));
        }
        index.push(at);
    }
    let rows = rows
        .map(|(line, cells)| TableRow {
            line,
            fields: index
                .iter()
                .map(|col| {
                    col.and_then(|col| cells.binary_search_by_key(&col, |c| c.1).ok())
                        .map(|k| text(&cells[k]))
                        .unwrap_or_default()
                })
                .collect(),
            malformed: false,
        })
        .collect();
    Ok(Table { path: path.to_owned(), sha256: crate::sha256_hex(&bytes), rows })
}
