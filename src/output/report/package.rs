//! The workbook file: rust_xlsxwriter lays out the package (styles, the summary and
//! its chart, each data sheet's header, widths and frozen pane), and the data rows
//! are spliced into those sheets here, rendered by `cells` from the CSV files.
//!
//! Every data sheet of the laid-out workbook carries one probe row whose cells use
//! the money and the three problem-row formats, so the style indexes come from the
//! very file being written, never from a guess about rust_xlsxwriter's numbering.
//! The probe row is dropped when the real rows go in.

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Write};

use csv::ByteRecord;
use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use rust_xlsxwriter::utility::column_number_to_name;

use super::cells::{Layout, Styles};

/// One data sheet of the workbook and the CSV rows it shows.
pub struct DataSheet {
    /// Its part in the package, e.g. `xl/worksheets/sheet2.xml`.
    pub entry: String,
    /// The CSV file its rows come from.
    pub csv: std::path::PathBuf,
    /// How many CSV rows, taken in order after those of the file's earlier sheets.
    pub rows: u64,
    /// The CSV file's size, for the zip64 decision.
    pub csv_bytes: u64,
}

/// Rows rendered per batch: big enough to share out, small enough to stay lean.
const BATCH: usize = 4096;
const CHUNK: usize = 1024;

#[derive(Debug)]
pub struct PackageError(pub String);

impl<E: std::fmt::Display> From<E> for PackageError {
    fn from(e: E) -> Self {
        PackageError(e.to_string())
    }
}

/// Writes the final workbook into `file` from the laid-out `skeleton`.
pub fn assemble(skeleton: &[u8], sheets: &[DataSheet], file: File) -> Result<File, PackageError> {
    let mut archive = ZipArchive::new(Cursor::new(skeleton))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let mut reader: Option<(std::path::PathBuf, csv::Reader<File>, ByteRecord)> = None;
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.into_owned();
        let Some(sheet) = sheets.iter().find(|s| s.entry == name) else {
            zip.raw_copy_file(archive.by_index_raw(i)?)?;
            continue;
        };
        let mut xml = String::new();
        archive.by_index(i)?.read_to_string(&mut xml)?;
        let (head, tail, styles) = template(&xml, sheet)?;
        if reader.as_ref().is_none_or(|(p, _, _)| *p != sheet.csv) {
            let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(&sheet.csv)?;
            let headers = r.byte_headers()?.clone();
            reader = Some((sheet.csv.clone(), r, headers));
        }
        let (_, rdr, headers) = reader.as_mut().expect("opened above");
        let layout = Layout::new(headers, styles);
        // Escaping can grow a byte sevenfold (`_x0001_`); a cell adds at most about 80
        // bytes of markup (a ten-character reference, a style, `xml:space`), a row 23.
        let bound = sheet.csv_bytes * 7 + sheet.rows * (headers.len() as u64 * 96 + 32) + xml.len() as u64;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .last_modified_time(zip::DateTime::default())
            .large_file(bound >= u64::from(u32::MAX));
        zip.start_file(name.as_str(), options)?;
        zip.write_all(head.as_bytes())?;
        stream_rows(&mut zip, rdr, &layout, sheet)?;
        zip.write_all(tail.as_bytes())?;
    }
    let out = zip.finish()?;
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

/// Reads, renders and compresses one sheet's rows: while one batch is compressed,
/// the next is read and rendered on the other cores.
fn stream_rows<W: Write + std::io::Seek + Send>(
    zip: &mut ZipWriter<W>,
    rdr: &mut csv::Reader<File>,
    layout: &Layout,
    sheet: &DataSheet,
) -> Result<(), PackageError> {
    let mut left = sheet.rows;
    let mut next_row: u32 = 2;
    let mut records: Vec<ByteRecord> = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    while left > 0 || !pending.is_empty() {
        let take = left.min(BATCH as u64) as usize;
        let (rendered, written) = rayon::join(
            || -> Result<Vec<u8>, PackageError> {
                if records.len() < take {
                    records.resize_with(take, ByteRecord::new);
                }
                for rec in &mut records[..take] {
                    if !rdr.read_byte_record(rec)? {
                        return Err(PackageError(format!(
                            "{} ended before its row {}",
                            sheet.csv.display(),
                            sheet.rows
                        )));
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
                Ok(parts.concat())
            },
            || zip.write_all(&pending),
        );
        written?;
        pending = rendered?;
        left -= take as u64;
        next_row += take as u32;
    }
    Ok(())
}

/// Splits a laid-out sheet around its rows: the XML before the first data row (with
/// the real dimension) and after the last, and the styles its probe row used.
fn template(xml: &str, sheet: &DataSheet) -> Result<(String, String, Styles), PackageError> {
    let bad = || PackageError(format!("unexpected layout of {}", sheet.entry));
    let probe_at = xml.find("<row r=\"2\"").ok_or_else(bad)?;
    let probe_end = probe_at + xml[probe_at..].find("</row>").ok_or_else(bad)? + "</row>".len();
    let probe = &xml[probe_at..probe_end];
    let styles: Vec<u32> = probe
        .split("<c ")
        .skip(1)
        .map(|c| c.split(" s=\"").nth(1).and_then(|s| s.split('"').next()).and_then(|s| s.parse().ok()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let [money, rejected, held, excluded] = styles[..] else { return Err(bad()) };
    let head = &xml[..probe_at];
    let tail = &xml[probe_end..];
    // The header row says how wide the sheet is.
    let header = &head[head.find("<row r=\"1\"").ok_or_else(bad)?..];
    let columns = header.matches("<c ").count().max(1);
    let dim = format!("<dimension ref=\"A1:{}{}\"/>", column_number_to_name((columns - 1) as u16), sheet.rows + 1);
    let d0 = head.find("<dimension ").ok_or_else(bad)?;
    let d1 = d0 + head[d0..].find("/>").ok_or_else(bad)? + 2;
    let head = format!("{}{}{}", &head[..d0], dim, &head[d1..]);
    Ok((head, tail.to_owned(), Styles { money, rejected, held, excluded }))
}
