//! From raw bytes to a checked row: decoding, the malformed-row rule and the field
//! rules, with the values "as found" kept for the exceptions file. Text borrows from
//! the row's bytes whenever they are already UTF-8, so the hot path does not allocate.

use std::borrow::Cow;

use crate::core::column::Column;
use crate::core::detail::Detail;
use crate::core::reason::Reason;
use crate::core::record::{Record, Rejection};
use crate::core::text::trim;
use crate::roster::encoding::decode;
use crate::roster::{ColumnMap, Encoding, RawRow};

/// A data row after the rules of SPEC section 1.
#[derive(Debug, Clone)]
pub enum Checked<'a> {
    Valid(Record<'a>),
    Rejected {
        rejection: Rejection,
        /// `child_id` and `name` as found (trimmed), possibly invalid.
        child_id: Cow<'a, str>,
        name: Cow<'a, str>,
    },
}

/// Checks one row of a file with these columns and encoding.
pub fn check_row<'a>(row: &'a RawRow, columns: &ColumnMap, encoding: Encoding) -> Checked<'a> {
    let as_found = |c: Column| -> Cow<'a, str> {
        match columns.get(c).and_then(|i| row.get(i)) {
            Some(b) => match decode(encoding, b) {
                Ok(Cow::Borrowed(s)) => Cow::Borrowed(trim(s)),
                Ok(Cow::Owned(s)) => Cow::Owned(trim(&s).to_owned()),
                Err(_) => Cow::Owned(trim(&String::from_utf8_lossy(b)).to_owned()),
            },
            None => Cow::Borrowed(""),
        }
    };
    let reject = |rejection: Rejection| Checked::Rejected {
        rejection,
        child_id: as_found(Column::ChildId),
        name: as_found(Column::Name),
    };

    if row.len() != columns.width() {
        return reject(Rejection::new(
            Reason::MalformedRow,
            Detail::Malformed { fields: row.len(), header: columns.width() },
        ));
    }
    let mut fields: [Cow<'a, str>; Column::COUNT] = Default::default();
    // Fast path: the whole row is UTF-8 and each field starts and ends on a character
    // boundary, so every field is a slice of one checked string.
    if encoding == Encoding::Utf8 {
        if let Ok(all) = std::str::from_utf8(row.all_bytes()) {
            let whole = (0..row.len()).all(|i| row.range(i).and_then(|r| all.get(r)).is_some());
            if whole {
                for c in Column::ALL {
                    if let Some(text) = columns.get(c).and_then(|i| row.range(i)).and_then(|r| all.get(r)) {
                        fields[c.index()] = Cow::Borrowed(text);
                    }
                }
                columns.translate_category(&mut fields[Column::Category.index()]);
                return match Record::validate(fields) {
                    Ok(r) => Checked::Valid(r),
                    Err(rejection) => reject(rejection),
                };
            }
        }
    }
    for (i, bytes) in row.iter().enumerate() {
        match decode(encoding, bytes) {
            Ok(text) => {
                if let Some(c) = columns.column_at(i) {
                    fields[c.index()] = text;
                }
            }
            Err(bad) => {
                return reject(Rejection::new(
                    Reason::InvalidText,
                    Detail::BadBytes {
                        column: columns.column_at(i),
                        field: i + 1,
                        byte: bad.byte,
                        position: bad.offset + 1,
                    },
                ))
            }
        }
    }
    columns.translate_category(&mut fields[Column::Category.index()]);
    match Record::validate(fields) {
        Ok(r) => Checked::Valid(r),
        Err(rejection) => reject(rejection),
    }
}
