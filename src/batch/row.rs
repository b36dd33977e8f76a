//! From raw bytes to a checked row: decoding, the malformed-row rule and the field
//! rules, with the values "as found" kept for the exceptions file.

use crate::core::reason::Reason;
use crate::core::record::{Column, RawFields, Record, Rejection};
use crate::core::text::trim;
use crate::roster::encoding::decode;
use crate::roster::{ColumnMap, Encoding, RawRow};

/// A data row after the rules of SPEC section 1.
#[derive(Debug, Clone)]
pub enum Checked {
    Valid(Record),
    Rejected {
        rejection: Rejection,
        /// `child_id` and `name` as found (trimmed), possibly invalid.
        child_id: String,
        name: String,
    },
}

/// Checks one row of a file with these columns and encoding.
pub fn check_row(row: &RawRow, columns: &ColumnMap, encoding: Encoding) -> Checked {
    let rec = row;
    let as_found = |c: Column| -> String {
        columns
            .get(c)
            .and_then(|i| rec.get(i))
            .map(|b| match decode(encoding, b) {
                Ok(s) => trim(&s).to_owned(),
                Err(_) => trim(&String::from_utf8_lossy(b)).to_owned(),
            })
            .unwrap_or_default()
    };
    let reject = |rejection: Rejection| Checked::Rejected {
        rejection,
        child_id: as_found(Column::ChildId),
        name: as_found(Column::Name),
    };

    if rec.len() != columns.width() {
        return reject(Rejection::new(
            Reason::MalformedRow,
            format!(
                "the row has {} fields where the header has {}: look for a stray comma or an unclosed quote",
                rec.len(),
                columns.width()
            ),
        ));
    }
    for (i, field) in rec.iter().enumerate() {
        if let Err(bad) = decode(encoding, field) {
            return reject(Rejection::new(
                Reason::InvalidText,
                format!(
                    "field {} holds bytes that are not valid text (byte 0x{:02X} at position {}): re-type it or save the file as UTF-8",
                    i + 1,
                    bad.byte,
                    bad.offset + 1
                ),
            ));
        }
    }
    let decoded: Vec<std::borrow::Cow<'_, str>> = Column::ALL
        .iter()
        .map(|c| match columns.get(*c).and_then(|i| rec.get(i)) {
            Some(b) => decode(encoding, b).unwrap_or_default(),
            None => std::borrow::Cow::Borrowed(""),
        })
        .collect();
    let raw: RawFields<'_> = std::array::from_fn(|i| decoded[i].as_ref());
    match Record::validate(&raw) {
        Ok(r) => Checked::Valid(r),
        Err(rejection) => reject(rejection),
    }
}
