//! A workbook sheet as the cells it actually holds, never as a dense rectangle.
//!
//! calamine's `worksheet_range` makes one slot per cell of the sheet's bounding box,
//! so a 2 KB file with one stray cell at `XFD200000` asks for 100 GB. Here `.xlsx`
//! and `.xlsb` sheets are read with calamine's cell-by-cell readers and only the
//! non-empty cells are kept; zipped XML is first bounded by [`super::xml_bound`].
//! `.xls` and `.ods` have no such reader in calamine (it builds their ranges while
//! opening them); their used cells are taken from the range, after an `.ods` whose
//! repeated rows and columns span far more cells than it holds is refused
//! ([`super::ods_bound`]). An `.xls` sheet is bounded by its format (65,536 rows by
//! 256 columns).

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx};

use super::xml_bound::{check_zip_xml, Unbounded, MAX_EVENT};
use crate::error::{Fatal, FatalKind};

/// One non-empty cell: 0-based row and column, and its value.
pub type SparseCell = (u32, u32, Data);

/// A sheet's non-empty cells, in row order then column order.
#[derive(Debug, Clone, Default)]
pub struct SparseSheet {
    pub name: String,
    pub cells: Vec<SparseCell>,
    /// The workbook's other sheets, in order (named when the roster is not found).
    pub others: Vec<String>,
}

impl SparseSheet {
    /// The cells row by row: (0-based row, its cells in column order).
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[SparseCell])> + '_ {
        self.cells.chunk_by(|a, b| a.0 == b.0).map(|run| (run[0].0, run))
    }
}

/// A fatal input error on `path`, in English and in Chinese.
fn fatal(path: &str, message: impl Into<String>, fix: &str, zh: (String, &str)) -> Fatal {
    Fatal::new(FatalKind::Input, message, fix).zh(zh.0, zh.1).in_file(path)
}

fn unreadable(path: &str, what: &str, e: impl std::fmt::Display) -> Fatal {
    fatal(
        path,
        format!("cannot read the {what}: {e}"),
        "open it in Excel, save it again (or as CSV), and run again",
        (
            format!("无法读取该{}：文件已损坏，或不是扩展名所示的格式", crate::error::thing_zh(what)),
            "请用Excel打开后重新保存（或另存为CSV），然后重新运行",
        ),
    )
}

/// Reads the non-empty cells of sheet `sheet` (the first when None) of the workbook
/// at `path` (the `what`: "workbook", "bank return file").
pub fn read_sparse(path: &str, sheet: Option<&str>, what: &str) -> Result<SparseSheet, Fatal> {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    if matches!(ext, "xlsx" | "xlsm" | "xlsb" | "ods") {
        check_zip_xml(path).map_err(|u| match u {
            Unbounded::Event { part } => fatal(
                path,
                format!(
                    "the {what}'s part {part} holds a run of more than {} MB without a cell (padding, not data)",
                    MAX_EVENT >> 20
                ),
                "open it in Excel, save it again (or as CSV), and run again",
                (
                    format!("该工作簿的{part}部分含有超过{}MB的无数据内容（填充）", MAX_EVENT >> 20),
                    "请用Excel打开后重新保存（或另存为CSV），然后重新运行",
                ),
            ),
            Unbounded::Zip(e) => unreadable(path, what, e),
        })?;
    }
    let mut cells = match ext {
        "xlsx" | "xlsm" => {
            let mut book: Xlsx<_> = calamine::open_workbook(path).map_err(|e| unreadable(path, what, e))?;
            let (name, others) = pick(path, book.sheet_names(), sheet)?;
            let mut reader = book.worksheet_cells_reader(&name).map_err(|e| unreadable(path, what, e))?;
            let mut cells = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(path, what, e))? {
                keep(&mut cells, cell.get_position(), Data::from(cell.get_value().clone()));
            }
            SparseSheet { name, cells, others }
        }
        "xlsb" => {
            let mut book: Xlsb<_> = calamine::open_workbook(path).map_err(|e| unreadable(path, what, e))?;
            let (name, others) = pick(path, book.sheet_names(), sheet)?;
            let mut reader = book.worksheet_cells_reader(&name).map_err(|e| unreadable(path, what, e))?;
            let mut cells = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(path, what, e))? {
                keep(&mut cells, cell.get_position(), Data::from(cell.get_value().clone()));
            }
            SparseSheet { name, cells, others }
        }
        "ods" => {
            check_ods_area(path, what)?;
            let book: Ods<_> = calamine::open_workbook(path).map_err(|e| unreadable(path, what, e))?;
            from_range(path, what, book, sheet)?
        }
        _ => {
            let book: Xls<_> = calamine::open_workbook(path).map_err(|e| unreadable(path, what, e))?;
            from_range(path, what, book, sheet)?
        }
    };
    cells.cells.sort_by_key(|c| (c.0, c.1));
    Ok(cells)
}

/// Refuses an `.ods` that would make calamine build far more cells than it holds.
fn check_ods_area(path: &str, what: &str) -> Result<(), Fatal> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, what, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| unreadable(path, what, e))?;
    let content = zip.by_name("content.xml").map_err(|e| unreadable(path, what, e))?;
    let est = super::ods_bound::estimate(content).map_err(|e| unreadable(path, what, e))?;
    if est.made > super::ods_bound::allowed(est.present) {
        return Err(fatal(
            path,
            format!(
                "the {what} holds {} cells but its repeated rows and columns span {} (a stray cell far away?)",
                est.present, est.made
            ),
            "delete the stray cells (Ctrl+End shows the last one), save it again (or as CSV), and run again",
            (
                format!("该工作簿只有{}个单元格，但重复的行列占用了{}个（远处有零散单元格？）", est.present, est.made),
                "请删除零散的单元格（Ctrl+End可定位最后一个），重新保存（或另存为CSV）后重新运行",
            ),
        ));
    }
    Ok(())
}

fn keep(cells: &mut Vec<SparseCell>, (row, col): (u32, u32), value: Data) {
    if !matches!(value, Data::Empty) {
        cells.push((row, col, value));
    }
}

fn from_range<R: Reader<std::io::BufReader<std::fs::File>>>(
    path: &str,
    what: &str,
    mut book: R,
    sheet: Option<&str>,
) -> Result<SparseSheet, Fatal>
where
    R::Error: std::fmt::Display,
{
    let (name, others) = pick(path, book.sheet_names(), sheet)?;
    let range = book.worksheet_range(&name).map_err(|e| unreadable(path, what, e))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    for (r, c, v) in range.used_cells() {
        keep(&mut cells, (top + r as u32, left + c as u32), v.clone());
    }
    Ok(SparseSheet { name, cells, others })
}

/// The sheet wanted, by name, or the first; and the names of the others.
fn pick(path: &str, names: Vec<String>, sheet: Option<&str>) -> Result<(String, Vec<String>), Fatal> {
    let name = match sheet {
        Some(wanted) => names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| {
            let quoted: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
            fatal(
                path,
                format!("the workbook has no sheet {wanted:?} (it has: {})", names.join(", ")),
                "give --sheet one of those names",
                (
                    format!("工作簿中没有名为“{wanted}”的工作表（现有：{}）", quoted.join("、")),
                    "请在 --sheet 后写其中一个工作表的名称",
                ),
            )
        }),
        None => names.first().cloned().ok_or_else(|| {
            fatal(
                path,
                "the workbook has no sheet",
                "export the roster again",
                ("工作簿中没有任何工作表".to_owned(), "请重新导出花名册"),
            )
        }),
    }?;
    let others = names.into_iter().filter(|n| *n != name).collect();
    Ok((name, others))
}
