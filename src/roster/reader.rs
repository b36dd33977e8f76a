//! Reading one roster file: header, then data rows in batches, each with the line on
//! which it starts. Blank rows (every field empty, or an empty line) are counted and
//! skipped here; everything else goes on to be decided, malformed rows included.

use std::fs::File;
use std::io::BufReader;

use super::columns::{header_fatal, ColumnMap, HeaderProblem, HeaderSearch};
use super::encoding::{decode, ByteStats, Detected, Encoding, EncodingChoice};
use super::input_file::read_all;
use super::profile::RosterProfile;
use super::workbook::{is_workbook, read_sheet, Sheet};
use crate::error::{Fatal, FatalKind};

pub use crate::csvsplit::RawRow;
use crate::csvsplit::Splitter;

/// What the first look at a file found: its hash, encoding and columns.
#[derive(Debug, Clone)]
pub struct RosterFile {
    /// The path as the clerk gave it.
    pub path: String,
    pub sha256: String,
    pub detected: Detected,
    pub columns: ColumnMap,
    /// What the manifest records as the input's encoding (`utf-8`, `gb18030`,
    /// `utf-8-damaged`, or `xlsx sheet NAME` for a workbook).
    pub label: String,
    /// A workbook's roster sheet, read into memory.
    pub sheet: Option<std::sync::Arc<Sheet>>,
    /// Rows above the header (a title, 填报单位, blank rows): `inputs[].preamble_rows`.
    pub preamble_rows: u64,
    /// The roster profile the header was found with.
    pub profile: std::sync::Arc<RosterProfile>,
}

const READ_BUFFER: usize = 1 << 20;

impl RosterFile {
    /// Hashes the file, decides its encoding and reads its header; a workbook's
    /// roster sheet (`sheet`, else the first) is read whole.
    pub fn inspect(path: &str, choice: EncodingChoice, sheet: Option<&str>) -> Result<RosterFile, Fatal> {
        RosterFile::inspect_with(path, choice, sheet, std::sync::Arc::default())
    }

    /// `inspect` with a roster profile (its sheet, when it names one, is the default).
    pub fn inspect_with(
        path: &str,
        choice: EncodingChoice,
        sheet: Option<&str>,
        profile: std::sync::Arc<RosterProfile>,
    ) -> Result<RosterFile, Fatal> {
        let sheet = sheet.or(profile.sheet.as_deref());
        if is_workbook(path) {
            drop(open(path)?);
            let bytes = read_all(path, "workbook")?;
            let book = read_sheet(path, sheet, &profile)?;
            let kind = path.rsplit('.').next().unwrap_or("xlsx").to_ascii_lowercase();
            return Ok(RosterFile {
                path: path.to_owned(),
                sha256: crate::sha256_hex(&bytes),
                detected: Detected { encoding: Encoding::Utf8, damaged: false },
                columns: book.columns.clone(),
                label: format!("{kind} sheet {}", book.name),
                preamble_rows: book.preamble_rows,
                sheet: Some(std::sync::Arc::new(book)),
                profile,
            });
        }
        let file = open(path)?;
        let mut hasher = sha2::Sha256::default();
        let mut first = Vec::with_capacity(8);
        let stats = ByteStats::scan(BufReader::with_capacity(READ_BUFFER, file), |chunk| {
            use sha2::Digest;
            if first.len() < 8 {
                first.extend(chunk.iter().take(8 - first.len()));
            }
            hasher.update(chunk);
        })
        .map_err(|e| Fatal::io(path.as_ref(), "reading the roster", &e))?;
        use sha2::Digest;
        let sha256 = crate::hex(&hasher.finalize());
        if first.is_empty() {
            return Err(input(
                path,
                "the file is empty: there is no header row",
                "export the roster again with its header row",
                ("文件是空的，没有表头行", "请连同表头重新导出花名册"),
            ));
        }
        if first.starts_with(b"PK\x03\x04") || first.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(input(
                path,
                "this is an Excel workbook (or another zip file), not CSV",
                "open it in Excel and save as \"CSV UTF-8\", then run again with the .csv file",
                (
                    "这是Excel工作簿（或其他zip文件），不是CSV",
                    "请用.xlsx扩展名提供该文件，或在Excel中另存为“CSV UTF-8”后重新运行",
                ),
            ));
        }
        let detected = match choice {
            EncodingChoice::Auto => stats.detect(),
            EncodingChoice::Utf8 => Detected { encoding: Encoding::Utf8, damaged: stats.invalid_bytes > 0 },
            EncodingChoice::Gbk => Detected { encoding: Encoding::Gb18030, damaged: false },
        };
        let mut reader = RosterReader::raw(path, detected.encoding)?;
        let (columns, preamble_rows) = reader.read_header(&profile)?;
        Ok(RosterFile {
            path: path.to_owned(),
            sha256,
            label: detected.label().to_owned(),
            detected,
            columns,
            sheet: None,
            preamble_rows,
            profile,
        })
    }

    /// Opens the file again for reading its data rows.
    pub fn rows(&self) -> Result<RosterReader, Fatal> {
        if let Some(sheet) = &self.sheet {
            return Ok(RosterReader {
                path: self.path.clone(),
                encoding: Encoding::Utf8,
                split: None,
                sheet: Some((sheet.clone(), 0)),
                rows: 0,
                blank_records: sheet.blank_rows,
                done: false,
                empty_above_header: 0,
            });
        }
        let mut reader = RosterReader::raw(&self.path, self.detected.encoding)?;
        reader.read_header(&self.profile)?;
        Ok(reader)
    }
}

/// Streams the data rows of one roster file.
pub struct RosterReader {
    path: String,
    encoding: Encoding,
    split: Option<Splitter<File>>,
    /// A workbook sheet being handed out, and the next row.
    sheet: Option<(std::sync::Arc<Sheet>, usize)>,
    pub rows: u64,
    blank_records: u64,
    done: bool,
    /// Empty lines above the header: preamble, not blank rows.
    empty_above_header: u64,
}

impl RosterReader {
    fn raw(path: &str, encoding: Encoding) -> Result<RosterReader, Fatal> {
        let file = open(path)?;
        Ok(RosterReader {
            path: path.to_owned(),
            encoding,
            split: Some(Splitter::new(file)),
            sheet: None,
            rows: 0,
            blank_records: 0,
            done: false,
            empty_above_header: 0,
        })
    }

    /// Finds the header among the first rows (SPEC section 15); returns the columns
    /// and how many rows sit above the header.
    fn read_header(&mut self, profile: &RosterProfile) -> Result<(ColumnMap, u64), Fatal> {
        let mut search = HeaderSearch::new(&profile.columns, profile.header_row);
        let mut row = RawRow::default();
        let mut records = 0u64;
        let mut last_line = 1;
        // The first row that is not readable text, and whether any row named a column.
        let mut unreadable: Option<u64> = None;
        let mut named_any = false;
        loop {
            if !self.read(&mut row)? {
                if records == 0 {
                    return Err(input(
                        &self.path,
                        "the file is empty: there is no header row",
                        "export the roster again with its header row",
                        ("文件是空的，没有表头行", "请连同表头重新导出花名册"),
                    ));
                }
                let (p, line) = search.give_up(last_line);
                return Err(self.no_header(p, line, unreadable, named_any));
            }
            records += 1;
            last_line = row.line;
            let empty = self.split.as_ref().map_or(0, |s| s.empty_lines);
            let position = records + empty;
            let mut cells = Vec::with_capacity(row.len());
            for (i, raw) in row.iter().enumerate() {
                let raw = if i == 0 && records == 1 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
                match decode(self.encoding, raw) {
                    Ok(cell) => cells.push(cell.into_owned()),
                    Err(_) => break,
                }
            }
            let readable = cells.len() == row.len();
            if !readable {
                unreadable.get_or_insert(row.line);
            }
            match search.offer(position, row.line, readable.then_some(cells.as_slice())) {
                None => named_any |= readable && ColumnMap::names_any(&cells, &profile.columns),
                Some(Ok(map)) => {
                    self.empty_above_header = empty;
                    return Ok((map.with_categories(&profile.categories), position - 1));
                }
                Some(Err((p, line))) if matches!(p, HeaderProblem::Missing(_)) => {
                    return Err(self.no_header(p, line, unreadable, named_any))
                }
                Some(Err((p, line))) => return Err(header_fatal(&self.path, &p, line, false)),
            }
        }
    }

    /// No header found: a file whose rows are not readable text is told so (it is
    /// probably not CSV in this encoding); otherwise the closest row's problem.
    fn no_header(&self, p: HeaderProblem, line: u64, unreadable: Option<u64>, named_any: bool) -> Fatal {
        match unreadable {
            Some(at) if !named_any => input(
                &self.path,
                "the header row is not readable text",
                "save the file as CSV (UTF-8 or GBK) and run again",
                ("表头不是可识别的文字", "请另存为CSV（UTF-8或GBK）后重新运行"),
            )
            .at_line(at),
            _ => header_fatal(&self.path, &p, line, false),
        }
    }

    /// Reads the next record into `rec`; false at the end of the file.
    fn read(&mut self, rec: &mut RawRow) -> Result<bool, Fatal> {
        if let Some((sheet, next)) = &mut self.sheet {
            return Ok(match sheet.rows.get(*next) {
                Some(row) => {
                    rec.clone_from(row);
                    *next += 1;
                    true
                }
                None => false,
            });
        }
        match &mut self.split {
            Some(split) => split.next(rec).map_err(|e| crate::csvsplit::read_error(&self.path, "roster", &e)),
            None => Ok(false),
        }
    }

    /// Blank rows so far: rows whose fields are all empty, and empty lines.
    pub fn blank_rows(&self) -> u64 {
        self.blank_records + self.split.as_ref().map_or(0, |s| s.empty_lines) - self.empty_above_header
    }

    /// Fills `batch[..k]` with up to `n` data rows, reusing its records; returns k
    /// (0 at the end of the file). Rows of `batch` past k are stale.
    pub fn next_batch(&mut self, batch: &mut Vec<RawRow>, n: usize) -> Result<usize, Fatal> {
        let mut filled = 0;
        while filled < n && !self.done {
            if batch.len() <= filled {
                batch.push(RawRow::default());
            }
            let slot = &mut batch[filled];
            if !self.read(slot)? {
                self.done = true;
                break;
            }
            if is_blank(slot) {
                self.blank_records += 1;
                continue;
            }
            self.rows += 1;
            filled += 1;
        }
        Ok(filled)
    }

    /// Reads the file on a thread of its own, `n` rows at a time, while `f` works on
    /// the batch before: splitting overlaps with checking and deciding. Batches reach
    /// `f` in file order. Returns the reader (for its counts) once the file is done.
    pub fn for_each_batch(
        self,
        n: usize,
        mut f: impl FnMut(&[RawRow]) -> Result<(), Fatal>,
    ) -> Result<RosterReader, Fatal> {
        use std::sync::mpsc::{channel, sync_channel};
        std::thread::scope(|scope| {
            let (full_tx, full_rx) = sync_channel::<(Vec<RawRow>, usize)>(2);
            let (empty_tx, empty_rx) = channel::<Vec<RawRow>>();
            let mut reader = self;
            let producer = scope.spawn(move || -> Result<RosterReader, Fatal> {
                loop {
                    let mut batch = empty_rx.try_recv().unwrap_or_default();
                    let k = reader.next_batch(&mut batch, n)?;
                    if k == 0 || full_tx.send((batch, k)).is_err() {
                        return Ok(reader);
                    }
                }
            });
            let mut failed = None;
            for (batch, k) in full_rx {
                if let Err(e) = f(&batch[..k]) {
                    failed = Some(e);
                    break;
                }
                let _ = empty_tx.send(batch);
            }
            let produced = producer.join().unwrap_or_else(|_| {
                Err(Fatal::new(crate::FatalKind::Io, "the roster reader stopped unexpectedly", "run again")
                    .zh("读取花名册的线程意外中止", "请重新运行"))
            });
            match failed {
                Some(e) => Err(e),
                None => produced,
            }
        })
    }
}

/// Every field empty once ASCII white space and U+3000 (UTF-8 or GB18030) are trimmed.
fn is_blank(rec: &RawRow) -> bool {
    rec.iter().all(|f| {
        let mut rest = f;
        loop {
            match rest {
                [] => return true,
                [b, tail @ ..] if b.is_ascii_whitespace() => rest = tail,
                [0xE3, 0x80, 0x80, tail @ ..] | [0xA1, 0xA1, tail @ ..] => rest = tail,
                _ => return false,
            }
        }
    })
}

fn open(path: &str) -> Result<File, Fatal> {
    super::input_file::open_regular(path, "roster")
}

/// A fatal input error on `path`, in English and in Chinese.
fn input(path: &str, message: &str, fix: &str, zh: (&str, &str)) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix).zh(zh.0, zh.1).in_file(path)
}
