//! The workbook file: rust_xlsxwriter lays out the package (styles, the summary and
//! its chart, each data sheet's header, widths, frozen pane and print setup), and
//! the data rows are spliced into those sheets here, rendered by `cells` from the
//! CSV files and by `payroll_list` for the list.
//!
//! The splice reads rust_xlsxwriter's own XML, so Cargo.toml pins that crate to an
//! exact version and the tests below check every marker on a freshly laid-out
//! workbook: a new version is taken deliberately, with these tests run.
//!
//! Every data sheet of the laid-out workbook carries one probe row whose cells use
//! the formats its rows need (money and the three problem-row fills; money, bold and
//! bold money for the list), so the style indexes come from the
//! very file being written, never from a guess about rust_xlsxwriter's numbering.
//! The probe row is dropped when the real rows go in.

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Write};

use csv::ByteRecord;
use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use rust_xlsxwriter::utility::column_number_to_name;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::core::detail::Lang;

pub use super::cells::PackageError;
use super::cells::{Layout, Styles, CHUNK};
use super::columns::{plan, Column};
use super::payroll_list::{ListStyles, Part};

/// One data sheet of the workbook and the rows it shows.
pub struct DataSheet {
    /// Its part in the package, e.g. `xl/worksheets/sheet2.xml`.
    pub entry: String,
    pub rows: Rows,
}

/// Where a data sheet's rows come from.
pub enum Rows {
    /// A CSV file's rows, one row each.
    Csv {
        /// The CSV file.
        csv: std::path::PathBuf,
        /// How many CSV rows, taken in order after those of the file's earlier sheets.
        rows: u64,
        /// The CSV file's size, for the zip64 decision.
        csv_bytes: u64,
        /// The reader's language: which words and columns the sheet shows.
        lang: Lang,
    },
    /// Rows of the payroll list.
    List(Part),
}

impl DataSheet {
    pub fn rows(&self) -> u64 {
        match &self.rows {
            Rows::Csv { rows, .. } => *rows,
            Rows::List(part) => part.rows(),
        }
    }
}

/// Rows rendered per batch: big enough to share out, small enough to stay lean.
const BATCH: usize = 4096;

/// Writes the probe row (row 2) `template` reads the style indexes from: one number
/// cell per format, in order.
pub fn write_probe(ws: &mut Worksheet, formats: &[&Format]) -> Result<(), XlsxError> {
    for (c, f) in formats.iter().enumerate() {
        ws.write_number_with_format(1, c as u16, 0.0, f)?;
    }
    Ok(())
}

/// Writes the final workbook into `file` from the laid-out `skeleton`.
pub fn assemble(skeleton: &[u8], sheets: &[DataSheet], file: File) -> Result<File, PackageError> {
    let mut archive = ZipArchive::new(Cursor::new(skeleton))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let mut reader: Option<(std::path::PathBuf, csv::Reader<File>, ByteRecord, Vec<Column>)> = None;
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.into_owned();
        let Some(sheet) = sheets.iter().find(|s| s.entry == name) else {
            zip.raw_copy_file(archive.by_index_raw(i)?)?;
            continue;
        };
        let mut xml = String::new();
        archive.by_index(i)?.read_to_string(&mut xml)?;
        let (head, tail, styles) = template(&xml, &sheet.entry, sheet.rows())?;
        let bound = xml.len() as u64
            + match &sheet.rows {
                Rows::Csv { csv, rows, csv_bytes, lang } => {
                    if reader.as_ref().is_none_or(|(p, _, _, _)| p != csv) {
                        let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(csv)?;
                        let headers = r.byte_headers()?.clone();
                        let columns = plan(&headers, *lang);
                        reader = Some((csv.clone(), r, headers, columns));
                    }
                    let (_, _, _, columns) = reader.as_ref().expect("opened above");
                    // Escaping can grow a byte sevenfold (`_x0001_`); a cell adds at most
                    // about 80 bytes of markup (a ten-character reference, a style,
                    // `xml:space`), a row 23; a word from the glossary or a county's
                    // name is at most a few dozen bytes more than its code.
                    csv_bytes * 7 + rows * (columns.len() as u64 * 160 + 32)
                }
                Rows::List(part) => part.bound(),
            };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .last_modified_time(zip::DateTime::default())
            .large_file(bound >= u64::from(u32::MAX));
        zip.start_file(name.as_str(), options)?;
        zip.write_all(head.as_bytes())?;
        match &sheet.rows {
            Rows::Csv { csv, rows, lang, .. } => {
                let (_, rdr, headers, columns) = reader.as_mut().expect("opened above");
                let [money, rejected, held, excluded] = styles[..] else { return Err(bad_layout(&sheet.entry)) };
                let layout = Layout::new(headers, columns, Styles { money, rejected, held, excluded }, *lang);
                stream_csv_rows(&mut zip, rdr, &layout, csv, *rows)?;
            }
            Rows::List(part) => {
                let [money, bold, bold_money] = styles[..] else { return Err(bad_layout(&sheet.entry)) };
                let styles = ListStyles { money, bold, bold_money };
                let total = part.rows() as usize;
                let mut done = 0;
                pipeline(&mut zip, || {
                    let take = (total - done).min(BATCH);
                    let rendered = part.render(done..done + take, &styles)?;
                    done += take;
                    Ok((take > 0).then_some(rendered))
                })?;
            }
        }
        zip.write_all(tail.as_bytes())?;
    }
    let out = zip.finish()?;
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

/// Writes batches as `next` renders them: while one batch is compressed, the next is
/// rendered on the other cores. `next` returns `None` when there is no more.
fn pipeline<W: Write + Send>(
    zip: &mut W,
    mut next: impl FnMut() -> Result<Option<Vec<u8>>, PackageError> + Send,
) -> Result<(), PackageError> {
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let (rendered, written) = rayon::join(&mut next, || zip.write_all(&pending));
        written?;
        match rendered? {
            Some(batch) => pending = batch,
            None => return Ok(()),
        }
    }
}

/// Reads and renders one sheet's CSV rows, batch by batch.
fn stream_csv_rows<W: Write + Send>(
    zip: &mut W,
    rdr: &mut csv::Reader<File>,
    layout: &Layout,
    csv: &std::path::Path,
    rows: u64,
) -> Result<(), PackageError> {
    let mut left = rows;
    let mut next_row: u32 = 2;
    let mut records: Vec<ByteRecord> = Vec::new();
    pipeline(zip, || {
        if left == 0 {
            return Ok(None);
        }
        let take = left.min(BATCH as u64) as usize;
        if records.len() < take {
            records.resize_with(take, ByteRecord::new);
        }
        for rec in &mut records[..take] {
            if !rdr.read_byte_record(rec)? {
                return Err(PackageError(format!("{} ended before its row {}", csv.display(), rows)));
            }
        }
        let first = next_row;
        let parts: Vec<Vec<u8>> = records[..take]
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(k, chunk)| {
                let mut out = Vec::with_capacity(chunk.len() * 700);
                for (j, rec) in chunk.iter().enumerate() {
                    layout.push_row(&mut out, first + (k * CHUNK + j) as u32, rec);
                }
                out
            })
            .collect();
        left -= take as u64;
        next_row += take as u32;
        Ok(Some(parts.concat()))
    })
}

fn bad_layout(entry: &str) -> PackageError {
    PackageError(format!("unexpected layout of {entry}"))
}

/// Splits a laid-out sheet around its rows: the XML before the first data row (with
/// the real dimension for `rows` data rows) and after the last, and the styles its
/// probe row used, in cell order. These are the splice points: the header row
/// `<row r="1"`, the probe row `<row r="2"` … `</row>` and `<dimension .../>`.
fn template(xml: &str, entry: &str, rows: u64) -> Result<(String, String, Vec<u32>), PackageError> {
    let bad = || bad_layout(entry);
    let probe_at = xml.find("<row r=\"2\"").ok_or_else(bad)?;
    let probe_end = probe_at + xml[probe_at..].find("</row>").ok_or_else(bad)? + "</row>".len();
    let probe = &xml[probe_at..probe_end];
    let styles: Vec<u32> = probe
        .split("<c ")
        .skip(1)
        .map(|c| c.split(" s=\"").nth(1).and_then(|s| s.split('"').next()).and_then(|s| s.parse().ok()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let head = &xml[..probe_at];
    let tail = &xml[probe_end..];
    // The header row says how wide the sheet is.
    let header = &head[head.find("<row r=\"1\"").ok_or_else(bad)?..];
    let columns = header.matches("<c ").count().max(1);
    let dim = format!("<dimension ref=\"A1:{}{}\"/>", column_number_to_name((columns - 1) as u16), rows + 1);
    let d0 = head.find("<dimension ").ok_or_else(bad)?;
    let d1 = d0 + head[d0..].find("/>").ok_or_else(bad)? + 2;
    let head = format!("{}{}{}", &head[..d0], dim, &head[d1..]);
    Ok((head, tail.to_owned(), styles))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::detail::Lang;
    use crate::core::month::Month;
    use crate::output::report::print::PageSetup;
    use rust_xlsxwriter::Workbook;

    /// A workbook laid out as `report` lays out a data sheet: header, frozen pane,
    /// print setup and the probe row with four formats.
    fn skeleton() -> Vec<u8> {
        let mut book = Workbook::new();
        book.add_worksheet().set_name("Summary").unwrap();
        let ws = book.add_worksheet();
        ws.set_name("Data").unwrap();
        for (c, h) in ["name", "amount", "decision"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &Format::new().set_bold()).unwrap();
        }
        ws.set_freeze_panes(1, 0).unwrap();
        PageSetup::new(Lang::Zh, Month::parse("2018-06").unwrap(), &"0f".repeat(32), Some("民政局"))
            .apply(ws, Some(0))
            .unwrap();
        let formats = ["0.00", "0.0", "0.000", "0.0000"].map(|f| Format::new().set_num_format(f));
        write_probe(ws, &formats.iter().collect::<Vec<_>>()).unwrap();
        book.save_to_buffer().unwrap()
    }

    fn entry(zip: &[u8], name: &str) -> String {
        let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        let mut xml = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    #[test]
    fn every_splice_marker_is_in_rust_xlsxwriters_layout() {
        let xml = entry(&skeleton(), "xl/worksheets/sheet2.xml");
        for marker in ["<dimension ", "<row r=\"1\"", "<row r=\"2\"", "</row>", "</sheetData>"] {
            assert!(xml.contains(marker), "{marker} not in {xml}");
        }
        let (head, tail, styles) = template(&xml, "sheet2", 3).unwrap();
        // Four distinct formats, read from the probe row in order.
        assert_eq!(styles.len(), 4);
        assert!(styles.windows(2).all(|w| w[0] < w[1]), "{styles:?}");
        assert!(head.contains("<dimension ref=\"A1:C4\"/>"), "{head}");
        assert!(head.ends_with("</row>") && !head.contains("<row r=\"2\""), "{head}");
        assert!(tail.starts_with("</sheetData>"), "{tail}");
        // The print setup is kept, after the rows.
        for part in ["<pageSetup", "orientation=\"landscape\"", "paperSize=\"9\"", "fitToHeight=\"0\"", "<oddFooter>"] {
            assert!(tail.contains(part), "{part} not in {tail}");
        }
        assert!(head.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{head}");
        // The repeated header row is a defined name of the workbook.
        let workbook = entry(&skeleton(), "xl/workbook.xml");
        assert!(workbook.contains("_xlnm.Print_Titles") && workbook.contains("Data!$1:$1"), "{workbook}");
    }

    #[test]
    fn a_sheet_without_its_probe_row_is_refused() {
        let xml = entry(&skeleton(), "xl/worksheets/sheet1.xml");
        assert!(template(&xml, "sheet1", 1).is_err());
    }

    #[test]
    fn splicing_gives_well_formed_xml_that_reads_back() {
        let dir = std::env::temp_dir().join(format!("disburse-splice-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("data.csv");
        std::fs::write(&csv, "name,amount,decision\nA&B <c>,800.00,paid\n\u{1}x,12.5,held\n,,rejected\n").unwrap();
        let sheets = [DataSheet {
            entry: "xl/worksheets/sheet2.xml".into(),
            rows: Rows::Csv {
                csv: csv.clone(),
                rows: 3,
                csv_bytes: std::fs::metadata(&csv).unwrap().len(),
                lang: Lang::En,
            },
        }];
        let path = dir.join("book.xlsx");
        assemble(&skeleton(), &sheets, File::create(&path).unwrap()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            if name.ends_with(".xml") || name.ends_with(".rels") {
                let mut xml = String::new();
                f.read_to_string(&mut xml).unwrap();
                roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let range = book.worksheet_range("Data").unwrap();
        assert_eq!(range.get_size(), (4, 3));
        assert_eq!(range.get_value((1, 0)).unwrap().to_string(), "A&B <c>");
        assert_eq!(range.get_value((2, 1)), Some(&calamine::Data::Float(12.5)));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
