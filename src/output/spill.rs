//! The payment lines a real run hands to the ledger, parked in a file of the staged
//! directory while the run goes on, then read back by the thread that inserts them.
//!
//! At a province's ten million rows the lines were the largest thing a run held
//! (8 million lines, over half a GiB) from the first row to the last; on disk they
//! cost nothing until the ledger takes them, when the per-account sums are gone. The
//! file holds children's IDs: it is created owner-only inside the staged directory
//! (removed with it if the run fails) and deleted as soon as it is read, before the
//! run is committed, so it never reaches an output directory.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::staged::StagedDir;
use crate::core::arrears::Kind;
use crate::core::id::ChildId;
use crate::core::month::Month;
use crate::core::payment::LedgerLine;
use crate::core::record::Category;
use crate::error::Fatal;

/// The parked lines' file in the staged directory.
pub const SPILL: &str = ".ledger-lines";

/// One line on disk: ID 18, region 6, year 2, month 1, kind 1, category 1, amount 16,
/// standard 1 + 16, account 4.
const RECORD: usize = 67;

/// Lines being parked.
pub struct LineSpill {
    path: PathBuf,
    out: BufWriter<File>,
    lines: u64,
}

impl LineSpill {
    pub fn create(dir: &StagedDir) -> Result<LineSpill, Fatal> {
        let file = dir.create(SPILL)?;
        Ok(LineSpill { path: dir.path().join(SPILL), out: BufWriter::with_capacity(1 << 20, file), lines: 0 })
    }

    /// Parks one line and the index of its payee account.
    pub fn push(&mut self, line: &LedgerLine, account: u32) -> Result<(), Fatal> {
        self.lines += 1;
        self.out.write_all(&encode(line, account)).map_err(|e| Fatal::io(&self.path, "parking the ledger lines", &e))
    }

    /// Flushes the file; `sequence[account]` is each account's transfer number.
    pub fn close(self, sequence: Vec<u32>) -> Result<SpilledLines, Fatal> {
        let path = self.path;
        self.out.into_inner().map_err(|e| Fatal::io(&path, "parking the ledger lines", e.error()))?;
        Ok(SpilledLines { path, lines: self.lines, sequence })
    }
}

/// Parked lines, ready for the ledger.
#[derive(Debug)]
pub struct SpilledLines {
    path: PathBuf,
    lines: u64,
    sequence: Vec<u32>,
}

impl SpilledLines {
    /// Reads every line back, its transfer number filled in, and deletes the file.
    pub fn load(self) -> Result<Vec<LedgerLine>, Fatal> {
        let err = |e: &std::io::Error| Fatal::io(&self.path, "reading back the ledger lines", e);
        let mut input = BufReader::with_capacity(1 << 20, File::open(&self.path).map_err(|e| err(&e))?);
        let mut lines = Vec::with_capacity(self.lines as usize);
        let mut record = [0u8; RECORD];
        for _ in 0..self.lines {
            input.read_exact(&mut record).map_err(|e| err(&e))?;
            let (mut line, account) = decode(&record).ok_or_else(|| {
                Fatal::new(crate::error::FatalKind::Io, "the parked ledger lines are damaged", "run again")
                    .zh("暂存的台账记录已损坏", "请重新运行")
                    .in_file(self.path.display().to_string())
            })?;
            // A paid line always has its transfer: a missing one is never guessed.
            line.transfer = Some(self.sequence.get(account as usize).copied().ok_or_else(|| {
                Fatal::new(
                    crate::error::FatalKind::Io,
                    "internal error: a paid line without its transfer; nothing was recorded",
                    "report this with the rosters that caused it",
                )
                .zh("程序内部错误：有一条发放记录没有对应的转账，台账未作任何记录", "请连同引起问题的花名册一起报告")
            })?);
            lines.push(line);
        }
        drop(input);
        std::fs::remove_file(&self.path).map_err(|e| err(&e))?;
        Ok(lines)
    }
}

/// Lines never loaded (a run that stopped early) leave no file behind either.
impl Drop for SpilledLines {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn encode(l: &LedgerLine, account: u32) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[..18].copy_from_slice(l.child_id.as_str().as_bytes());
    r[18..24].copy_from_slice(&l.region_code);
    r[24..26].copy_from_slice(&(l.month.year() as u16).to_le_bytes());
    r[26] = l.month.month() as u8;
    r[27] = u8::from(l.kind == Kind::Arrears);
    r[28] = l.category.index() as u8;
    r[29..45].copy_from_slice(&l.amount.serialize());
    if let Some(s) = l.standard {
        r[45] = 1;
        r[46..62].copy_from_slice(&s.serialize());
    }
    r[62..66].copy_from_slice(&account.to_le_bytes());
    r[66] = b'\n';
    r
}

fn decode(r: &[u8; RECORD]) -> Option<(LedgerLine, u32)> {
    let child_id = ChildId::parse(std::str::from_utf8(&r[..18]).ok()?).ok()?;
    let year = u32::from(u16::from_le_bytes([r[24], r[25]]));
    let month = Month::new(year, u32::from(r[26]))?;
    let kind = match r[27] {
        0 => Kind::Regular,
        1 => Kind::Arrears,
        _ => return None,
    };
    let category = Category::from_index(r[28])?;
    let amount = Decimal::deserialize(r[29..45].try_into().ok()?);
    let standard = match r[45] {
        0 => None,
        1 => Some(Decimal::deserialize(r[46..62].try_into().ok()?)),
        _ => return None,
    };
    let account = u32::from_le_bytes(r[62..66].try_into().ok()?);
    let mut region_code = [0u8; 6];
    region_code.copy_from_slice(&r[18..24]);
    let line = LedgerLine { child_id, month, kind, amount, category, region_code, standard, transfer: None };
    Some((line, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, kind: Kind, amount: Decimal, standard: Option<Decimal>) -> LedgerLine {
        LedgerLine {
            child_id: ChildId::parse(id).unwrap(),
            month: Month::new(2018, 6).unwrap(),
            kind,
            amount,
            category: Category::Institutional,
            region_code: *b"430102",
            standard,
            transfer: None,
        }
    }

    #[test]
    fn a_line_comes_back_exactly() {
        for l in [
            line("430102201003120016", Kind::Regular, Decimal::new(85050, 2), Some(Decimal::new(80000, 2))),
            line("43010220111120003X", Kind::Arrears, Decimal::new(1, 2), None),
            line("430102201003120016", Kind::Regular, Decimal::new(123456789012345, 4), Some(Decimal::ZERO)),
        ] {
            let (back, account) = decode(&encode(&l, 7_654_321)).unwrap();
            assert_eq!(back, l);
            assert_eq!(back.amount.scale(), l.amount.scale());
            assert_eq!(account, 7_654_321);
        }
    }

    #[test]
    fn a_damaged_record_is_refused() {
        let l = line("430102201003120016", Kind::Regular, Decimal::new(80000, 2), None);
        let mut r = encode(&l, 1);
        r[17] = b'9'; // a wrong check character
        assert!(decode(&r).is_none());
        let mut r = encode(&l, 1);
        r[27] = 9;
        assert!(decode(&r).is_none());
    }
}
