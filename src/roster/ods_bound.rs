//! An `.ods` is looked at before calamine opens it. calamine has no cell-by-cell
//! reader for OpenDocument: opening one builds every sheet as a dense rectangle, and
//! `number-columns-repeated` / `number-rows-repeated` let a tiny file ask for a
//! hundred million cells. `content.xml` is streamed once here (its events already
//! bounded by [`super::xml_bound`]) to count the cells present and estimate the
//! cells calamine would make; a file asking for far more than it holds is refused.

use std::io::{BufReader, Read};

use quick_xml::events::{BytesStart, Event};

/// calamine's own caps (rows and columns of one sheet).
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// The most cells calamine may make for `present` cells in the file.
pub fn allowed(present: u64) -> u64 {
    present.saturating_mul(16).saturating_add(1 << 20)
}

/// Cells present in a content.xml, and the cells calamine would make for them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub present: u64,
    pub made: u64,
}

/// One sheet being scanned.
#[derive(Default)]
struct Table {
    /// Rows so far (with repeats), and the span of rows holding anything.
    rows: u64,
    first_row: Option<u64>,
    last_row: u64,
    /// Columns: leftmost non-empty, rightmost+1.
    col_min: u64,
    col_max: u64,
    /// Cells made row by row (a row repeated is made once at this stage).
    row_cells: u64,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<u64> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    a.value.trim().parse().ok()
}

/// Streams an ODS `content.xml` and estimates what calamine would make of it.
pub fn estimate(input: impl Read) -> Result<Estimate, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(input));
    let mut buf = Vec::new();
    let mut est = Estimate::default();
    let mut table: Option<Table> = None;
    // The row being read: its repeats, cells so far, pending empty repeats, and
    // its first and last non-empty column.
    let mut row: Option<(u64, u64, u64, Option<u64>)> = None;
    loop {
        let ev = reader.read_event_into(&mut buf)?;
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone().into_owned()), false),
            Event::Empty(e) => (Some(e.clone().into_owned()), true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table-row" => {
                        if let (Some(t), Some((repeats, made, _, first))) = (table.as_mut(), row.take()) {
                            let repeats = repeats.min(MAX_ROWS.saturating_sub(t.rows));
                            t.row_cells += made;
                            if let Some(first) = first {
                                t.first_row.get_or_insert(t.rows);
                                t.last_row = t.rows + repeats;
                                t.col_min = t.col_min.min(first);
                                t.col_max = t.col_max.max(made);
                            }
                            t.rows += repeats;
                        }
                    }
                    "table:table" => {
                        if let Some(t) = table.take() {
                            let span = t.first_row.map_or(0, |f| t.last_row - f);
                            let area = span.saturating_mul(t.col_max.saturating_sub(t.col_min));
                            est.made = est.made.saturating_add(t.row_cells).saturating_add(area);
                        }
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        buf.clear();
        let Some(e) = start else { continue };
        match e.name().as_ref() {
            "table:table" if !empty => table = Some(Table { col_min: u64::MAX, ..Table::default() }),
            "table:table-row" => {
                let repeats = attr(&e, "table:number-rows-repeated").unwrap_or(1).max(1);
                if empty {
                    if let Some(t) = table.as_mut() {
                        t.rows = (t.rows + repeats).min(MAX_ROWS);
                    }
                } else {
                    row = Some((repeats, 0, 0, None));
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let Some((_, made, pending, first)) = row.as_mut() else { continue };
                let repeats = attr(&e, "table:number-columns-repeated").unwrap_or(1).max(1);
                let has_value = !empty
                    || e.try_get_attribute("office:value-type").ok().flatten().is_some()
                    || e.try_get_attribute("table:formula").ok().flatten().is_some();
                if has_value {
                    est.present += 1;
                    *made = (*made + *pending).min(MAX_COLUMNS);
                    *pending = 0;
                    first.get_or_insert(*made);
                    *made = (*made + repeats).min(MAX_COLUMNS);
                } else {
                    *pending = repeats;
                }
                if !empty {
                    // Skip the cell's content (text:p, spans) to its end.
                    reader.read_to_end_into(e.name(), &mut buf)?;
                    buf.clear();
                }
            }
            _ => {}
        }
    }
    Ok(est)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(rows: &str) -> Estimate {
        let xml = format!("<office:body><table:table>{rows}</table:table></office:body>");
        estimate(xml.as_bytes()).unwrap()
    }

    const CELL: &str = r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;

    #[test]
    fn a_plain_sheet_makes_what_it_holds() {
        let row = format!("<table:table-row>{CELL}{CELL}{CELL}</table:table-row>");
        let e = est(&row.repeat(10));
        assert_eq!(e.present, 30);
        assert!(e.made <= 2 * 30, "{e:?}");
    }

    #[test]
    fn repeats_far_away_are_seen() {
        let stray = format!(
            r#"<table:table-row>{CELL}</table:table-row><table:table-row table:number-rows-repeated="200000"/><table:table-row><table:table-cell table:number-columns-repeated="16383"/>{CELL}</table:table-row>"#
        );
        let e = est(&stray);
        assert_eq!(e.present, 2);
        assert!(e.made > 3_000_000_000, "{e:?}");
        assert!(e.made > allowed(e.present));
        let row = r#"<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
        let wide = row.repeat(1000);
        let e = est(&wide);
        assert!(e.made >= 16_384_000 && e.made > allowed(e.present), "{e:?}");
    }
}
