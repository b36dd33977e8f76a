//! The 发放花名册 (payroll list, SPEC section 16): the sheet an office prints, signs,
//! stamps and files.
//!
//! The paid lines of `entitlements.csv`, grouped by region code (regions in code
//! order, lines in input order within each), each group headed by its code and
//! county name (`430102 芙蓉区`), numbered from 1 and closed by a subtotal row
//! (children, amount), then the grand total and the signature lines. Categories and
//! remarks are the glossary's words. The summary pass over the CSV notes each line's byte range and region
//! (16 bytes a line); the rows are then read back by position and rendered in
//! parallel batches like the other data sheets, so a province's million lines cost
//! no more than its entitlements sheet. With `--mask-ids` the IDs and accounts here
//! (and only here) are masked as on the terminal.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use csv::ByteRecord;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::cells::{is_number, push_months, push_number, push_string, push_string_in, PackageError, CHUNK};
use crate::core::detail::Lang;
use crate::core::divisions;
use crate::core::glossary::{self, Group};
use crate::core::money::fmt_amount;
use crate::core::text::mask;

/// The list's columns: (English, Chinese, width), SPEC section 16 word for word.
pub const COLUMNS: [(&str, &str, f64); 10] = [
    ("No.", "序号", 9.0),
    ("Name", "姓名", 10.0),
    ("ID number", "身份证号", 21.0),
    ("Category", "类别", 16.0),
    ("Months", "月份", 16.0),
    ("Amount", "金额", 11.0),
    ("Payee", "收款人", 14.0),
    ("Account", "收款账号", 22.0),
    ("Bank", "开户银行", 22.0),
    ("Remarks", "备注", 18.0),
];

/// The CSV columns a list row shows, in `COLUMNS` order after 序号, then those that
/// make up the remarks.
const FIELDS: [&str; 10] =
    ["name", "child_id", "category", "months", "amount", "payee_name", "payee_account", "payee_bank", "kind", "basis"];

/// Height (points) of the signature row: room to sign above the line.
const SIGN_HEIGHT: &str = "42";

/// The styles the list's probe row carries, in this order.
#[derive(Debug, Clone, Copy)]
pub struct ListStyles {
    pub money: u32,
    pub bold: u32,
    pub bold_money: u32,
}

/// One row of the list's body.
#[derive(Debug, Clone, Copy)]
enum Item {
    /// A paid line: its bytes in the CSV file and its number within its region.
    Line {
        start: u64,
        len: u32,
        seq: u32,
    },
    /// A region's heading: its code and county name.
    Heading(u32),
    Subtotal(u32),
    Total,
    Blank,
    Signature,
}

/// Notes the paid lines during the summary pass over `entitlements.csv`.
#[derive(Default)]
pub struct ListBuilder {
    ids: FxHashMap<Vec<u8>, u32>,
    regions: Vec<Region>,
    lines: Vec<(u64, u32, u32)>,
    bytes: u64,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub children: u64,
    pub amount: Decimal,
}

impl ListBuilder {
    /// One CSV record, `start..end` in the file; `new_child` when its `source`
    /// differs from the previous line's (a child's regular and arrears lines share
    /// one source, and are adjacent).
    pub fn push(&mut self, region: &[u8], start: u64, end: u64, new_child: bool, amount: Decimal) {
        let id = match self.ids.get(region) {
            Some(&id) => id,
            None => {
                let id = self.regions.len() as u32;
                self.ids.insert(region.to_vec(), id);
                let code = String::from_utf8_lossy(region).into_owned();
                self.regions.push(Region { code, children: 0, amount: Decimal::ZERO });
                id
            }
        };
        let r = &mut self.regions[id as usize];
        r.children += u64::from(new_child);
        r.amount += amount;
        let len = end.saturating_sub(start).min(u64::from(u32::MAX)) as u32;
        self.bytes += u64::from(len);
        self.lines.push((start, len, id));
    }

    /// Groups the lines by region code (a stable counting sort) into the list's rows.
    pub fn finish(self, csv: PathBuf, headers: &ByteRecord, lang: Lang, mask_ids: bool) -> Result<List, String> {
        let col =
            |name: &str| headers.iter().position(|h| h == name.as_bytes()).ok_or_else(|| format!("no {name} column"));
        let mut cols = [0; FIELDS.len()];
        for (c, name) in cols.iter_mut().zip(FIELDS) {
            *c = col(name)?;
        }
        let mut order: Vec<u32> = (0..self.regions.len() as u32).collect();
        order.sort_by(|a, b| self.regions[*a as usize].code.cmp(&self.regions[*b as usize].code));
        let mut rank = vec![0u32; order.len()];
        for (k, &id) in order.iter().enumerate() {
            rank[id as usize] = k as u32;
        }
        // Region by region in code order, input order within each (a line's start
        // is unique and grows with the input): sorted in place, no second copy.
        let mut lines = self.lines;
        lines.par_sort_unstable_by_key(|&(start, _, id)| (rank[id as usize], start));
        // Each region's heading row; its lines follow, then its subtotal. The third
        // field becomes the line's number within its region.
        let mut heads = Vec::with_capacity(order.len());
        let mut row = 0;
        let mut k = 0;
        while k < lines.len() {
            let region = lines[k].2;
            let n = lines[k..].iter().take_while(|l| l.2 == region).count();
            for (j, line) in lines[k..k + n].iter_mut().enumerate() {
                line.2 = j as u32 + 1;
            }
            heads.push(row);
            row += n + 2;
            k += n;
        }
        let regions: Vec<Region> = order.iter().map(|&id| self.regions[id as usize].clone()).collect();
        let headings = regions.iter().map(|r| divisions::label(&r.code)).collect();
        Ok(List {
            csv,
            cols,
            regions,
            headings,
            lines,
            heads,
            body: row,
            lang,
            mask_ids,
            remarks: Remarks::new(lang),
            bytes: self.bytes,
        })
    }
}

/// The list, ready to render.
pub struct List {
    csv: PathBuf,
    cols: [usize; FIELDS.len()],
    regions: Vec<Region>,
    /// Each region's heading (`430102 芙蓉区`), in `regions` order.
    headings: Vec<String>,
    /// The paid lines (start, length, number within the region), region by region.
    lines: Vec<(u64, u32, u32)>,
    /// Each region's heading row; the body (headings, lines, subtotals) has `body` rows,
    /// then the total, a blank row and the signatures.
    heads: Vec<usize>,
    body: usize,
    lang: Lang,
    mask_ids: bool,
    remarks: Remarks,
    bytes: u64,
}

/// The rows of one sheet of the list (a list longer than a sheet holds goes on).
#[derive(Clone)]
pub struct Part {
    list: Arc<List>,
    range: Range<usize>,
}

impl List {
    /// Splits the list's rows into sheets of at most `per_sheet` rows.
    pub fn parts(self, per_sheet: usize) -> Vec<Part> {
        let n = self.body + 3;
        let list = Arc::new(self);
        (0..n.div_ceil(per_sheet).max(1))
            .map(|k| Part { list: list.clone(), range: k * per_sheet..((k + 1) * per_sheet).min(n) })
            .collect()
    }
}

impl Part {
    pub fn rows(&self) -> u64 {
        self.range.len() as u64
    }

    /// An upper bound on the sheet's XML, for the zip64 decision: every line's CSV
    /// bytes escaped sevenfold, plus the markup and words a row adds.
    pub fn bound(&self) -> u64 {
        self.list.bytes * 7 + self.rows() * (COLUMNS.len() as u64 * 96 + 256)
    }

    /// Renders this part's rows `from..to` (indexes within the part) in parallel.
    pub fn render(&self, rows: Range<usize>, styles: &ListStyles) -> Result<Vec<u8>, PackageError> {
        let (first, end) = (self.range.start + rows.start, self.range.start + rows.end);
        let chunks: Vec<usize> = (first..end).step_by(CHUNK).collect();
        let parts: Vec<Vec<u8>> = chunks
            .par_iter()
            .enumerate()
            .map(|(k, &from)| {
                let items: Vec<Item> = (from..(from + CHUNK).min(end)).map(|i| self.list.item(i)).collect();
                let row = 2 + (rows.start + k * CHUNK) as u32;
                self.list.render_chunk(&items, row, styles)
            })
            .collect::<Result<_, _>>()?;
        Ok(parts.concat())
    }
}

impl List {
    /// The list's row `i` (0-based, below the header).
    fn item(&self, i: usize) -> Item {
        if i >= self.body {
            return match i - self.body {
                0 => Item::Total,
                1 => Item::Blank,
                _ => Item::Signature,
            };
        }
        let k = self.heads.partition_point(|&h| h <= i) - 1;
        let at = i - self.heads[k];
        // Region k's lines start after the k earlier regions' headings and subtotals.
        let base = self.heads[k] - 2 * k;
        let count = self.heads.get(k + 1).unwrap_or(&self.body) - self.heads[k] - 2;
        match at {
            0 => Item::Heading(k as u32),
            _ if at <= count => {
                let (start, len, seq) = self.lines[base + at - 1];
                Item::Line { start, len, seq }
            }
            _ => Item::Subtotal(k as u32),
        }
    }

    fn render_chunk(&self, items: &[Item], first_row: u32, styles: &ListStyles) -> Result<Vec<u8>, PackageError> {
        // The chunk's lines, adjacent ones read together (a roster kept by county
        // reads in long runs).
        let mut spans: Vec<(u64, u64)> = Vec::new();
        for item in items {
            if let Item::Line { start, len, .. } = *item {
                let end = start + u64::from(len);
                match spans.last_mut() {
                    Some(last) if last.1 == start => last.1 = end,
                    _ => spans.push((start, end)),
                }
            }
        }
        let mut bytes = Vec::new();
        if !spans.is_empty() {
            let mut file = File::open(&self.csv)?;
            for (start, end) in spans {
                file.seek(SeekFrom::Start(start))?;
                let at = bytes.len();
                bytes.resize(at + (end - start) as usize, 0);
                file.read_exact(&mut bytes[at..])?;
                if bytes.last() != Some(&b'\n') {
                    bytes.push(b'\n');
                }
            }
        }
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
        let mut rec = ByteRecord::new();
        let mut out = Vec::with_capacity(items.len() * 600);
        let styles = Text::new(styles);
        for (j, item) in items.iter().enumerate() {
            let row = first_row + j as u32;
            match *item {
                Item::Line { seq, .. } => {
                    if !rdr.read_byte_record(&mut rec)? {
                        return Err(PackageError(format!("{} changed while the list was written", self.csv.display())));
                    }
                    self.push_line(&mut out, row, seq, &rec, &styles);
                }
                Item::Heading(k) => {
                    let mut num = itoa::Buffer::new();
                    let row_text = num.format(row).as_bytes();
                    open_row(&mut out, row_text, None);
                    push_string(&mut out, b"A", row_text, Some(&styles.bold), self.headings[k as usize].as_bytes());
                    out.extend_from_slice(b"</row>");
                }
                Item::Subtotal(k) => {
                    let r = &self.regions[k as usize];
                    let label = self.lang.pick("Subtotal", "小计");
                    self.push_sum(&mut out, row, label, &r.code, r.children, r.amount, &styles);
                }
                Item::Total => {
                    let children = self.regions.iter().map(|r| r.children).sum();
                    let amount = self.regions.iter().map(|r| r.amount).sum();
                    self.push_sum(&mut out, row, self.lang.pick("Total", "合计"), "", children, amount, &styles);
                }
                Item::Blank => {}
                Item::Signature => self.push_signature(&mut out, row),
            }
        }
        Ok(out)
    }

    fn push_line(&self, out: &mut Vec<u8>, row: u32, seq: u32, rec: &ByteRecord, styles: &Text) {
        let mut num = itoa::Buffer::new();
        let row_text = num.format(row).as_bytes();
        let field = |k: usize| rec.get(self.cols[k]).unwrap_or_default();
        open_row(out, row_text, None);
        push_number(out, b"A", row_text, None, itoa::Buffer::new().format(seq).as_bytes());
        for (k, col) in [(0, b"B"), (1, b"C"), (2, b"D"), (3, b"E"), (4, b"F"), (5, b"G"), (6, b"H"), (7, b"I")] {
            let value = field(k);
            if value.is_empty() {
                continue;
            }
            match k {
                1 | 6 if self.mask_ids => {
                    push_string_in(out, col, row_text, None, mask_bytes(value).as_bytes(), self.lang)
                }
                2 => push_string(out, col, row_text, None, glossary::say_bytes(Group::Category, value, self.lang)),
                3 if self.lang == Lang::Zh && push_months(out, col, row_text, None, value) => {}
                4 if is_number(value) => push_number(out, col, row_text, Some(&styles.money), value),
                _ => push_string_in(out, col, row_text, None, value, self.lang),
            }
        }
        let remarks = self.remarks.say(field(8), field(9));
        if !remarks.is_empty() {
            push_string(out, b"J", row_text, None, remarks.as_bytes());
        }
        out.extend_from_slice(b"</row>");
    }

    #[allow(clippy::too_many_arguments)]
    fn push_sum(&self, out: &mut Vec<u8>, row: u32, label: &str, code: &str, n: u64, amount: Decimal, s: &Text) {
        let mut num = itoa::Buffer::new();
        let row_text = num.format(row).as_bytes();
        open_row(out, row_text, None);
        push_string(out, b"A", row_text, Some(&s.bold), label.as_bytes());
        if !code.is_empty() {
            push_string(out, b"B", row_text, Some(&s.bold), code.as_bytes());
        }
        push_string(out, b"C", row_text, Some(&s.bold), self.lang.pick("Children", "人数").as_bytes());
        push_number(out, b"D", row_text, Some(&s.bold), itoa::Buffer::new().format(n).as_bytes());
        push_string(out, b"E", row_text, Some(&s.bold), self.lang.pick("Amount", "金额").as_bytes());
        push_number(out, b"F", row_text, Some(&s.bold_money), fmt_amount(amount).as_bytes());
        out.extend_from_slice(b"</row>");
    }

    fn push_signature(&self, out: &mut Vec<u8>, row: u32) {
        let mut num = itoa::Buffer::new();
        let row_text = num.format(row).as_bytes();
        open_row(out, row_text, Some(SIGN_HEIGHT));
        for (col, text) in signature_cells(self.lang) {
            push_string(out, col, row_text, None, text.as_bytes());
        }
        out.extend_from_slice(b"</row>");
    }
}

/// The signature line: who prepared, reviewed and approved the list, and when.
fn signature_cells(lang: Lang) -> [(&'static [u8], &'static str); 4] {
    [
        (b"B", lang.pick("Prepared by: ______________", "经办人：______________")),
        (b"D", lang.pick("Reviewed by: ______________", "审核人：______________")),
        (b"G", lang.pick("Approved by: ______________", "负责人：______________")),
        (b"I", lang.pick("Date: ______________", "日期：______年____月____日")),
    ]
}

fn open_row(out: &mut Vec<u8>, row: &[u8], height: Option<&str>) {
    out.extend_from_slice(b"<row r=\"");
    out.extend_from_slice(row);
    if let Some(h) = height {
        out.extend_from_slice(b"\" ht=\"");
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\" customHeight=\"1");
    }
    out.extend_from_slice(b"\">");
}

/// The style indexes as text.
struct Text {
    money: Vec<u8>,
    bold: Vec<u8>,
    bold_money: Vec<u8>,
}

impl Text {
    fn new(s: &ListStyles) -> Text {
        let t = |n: u32| itoa::Buffer::new().format(n).as_bytes().to_vec();
        Text { money: t(s.money), bold: t(s.bold), bold_money: t(s.bold_money) }
    }
}

fn mask_bytes(value: &[u8]) -> String {
    mask(&String::from_utf8_lossy(value))
}

/// 备注: back pay, and an amount raised to the minimum standard, in the glossary's
/// words (made once per list).
struct Remarks {
    arrears: String,
    raised: String,
    both: String,
}

impl Remarks {
    fn new(lang: Lang) -> Remarks {
        let arrears = glossary::say(Group::Kind, "arrears", lang).to_owned();
        let raised = glossary::say(Group::Basis, "raised_to_minimum", lang).to_owned();
        let both = format!("{arrears}{}{raised}", lang.pick("; ", "；"));
        Remarks { arrears, raised, both }
    }

    fn say(&self, kind: &[u8], basis: &[u8]) -> &str {
        match (kind == b"arrears", basis == b"raised_to_minimum") {
            (false, false) => "",
            (true, false) => &self.arrears,
            (false, true) => &self.raised,
            (true, true) => &self.both,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "period,kind,months,child_id,name,category,region_code,payee_name,payee_account,payee_bank,standard,recorded_amount,amount,basis,source";

    /// A list over `lines` (region, child_id, amount, kind, source), as written.
    fn list(dir: &std::path::Path, lines: &[(&str, &str, &str, &str, &str)], lang: Lang, mask_ids: bool) -> List {
        let mut text = format!("{HEADER}\n");
        for (region, id, amount, kind, source) in lines {
            text.push_str(&format!(
                "2018-06,{kind},2018-06,{id},张三,scattered,{region},李四,6222021001000000011,银行,800.00,,{amount},standard,{source}\n"
            ));
        }
        let path = dir.join("entitlements.csv");
        std::fs::write(&path, &text).unwrap();
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        let headers = rdr.byte_headers().unwrap().clone();
        let mut b = ListBuilder::default();
        let mut rec = ByteRecord::new();
        let mut last = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let start = rec.position().unwrap().byte();
            let new_child = rec[14] != last[..];
            last = rec[14].to_vec();
            b.push(
                &rec[6],
                start,
                rdr.position().byte(),
                new_child,
                std::str::from_utf8(&rec[12]).unwrap().parse().unwrap(),
            );
        }
        b.finish(path, &headers, lang, mask_ids).unwrap()
    }

    fn render(list: List) -> String {
        let part = list.parts(1_000).remove(0);
        let rows = part.rows() as usize;
        let styles = ListStyles { money: 2, bold: 3, bold_money: 4 };
        String::from_utf8(part.render(0..rows, &styles).unwrap()).unwrap()
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("disburse-list-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn grouped_by_region_numbered_and_subtotalled() {
        let d = scratch("group");
        let l = list(
            &d,
            &[
                ("430103", "430103200907010022", "1300.00", "regular", "a:2"),
                ("430102", "430102201003120016", "800.00", "regular", "a:3"),
                ("430102", "430102201003120016", "400.00", "arrears", "a:3"),
                ("430103", "430103200006200080", "850.50", "regular", "a:4"),
            ],
            Lang::Zh,
            false,
        );
        let xml = render(l);
        let rows: Vec<&str> = xml.split("</row>").filter(|r| !r.is_empty()).collect();
        // 430102 first (code order), headed by its county: two lines of one child,
        // then its subtotal.
        assert!(
            rows[0].starts_with("<row r=\"2\"><c r=\"A2\" s=\"3\" t=\"inlineStr\"><is><t>430102 芙蓉区</t>"),
            "{}",
            rows[0]
        );
        assert!(rows[1].starts_with("<row r=\"3\"><c r=\"A3\"><v>1</v></c>"), "{}", rows[1]);
        assert!(rows[2].contains("<c r=\"A4\"><v>2</v></c>") && rows[2].contains("<t>补发</t>"), "{}", rows[2]);
        assert!(rows[3].contains("<t>小计</t>") && rows[3].contains("<t>430102</t>"), "{}", rows[3]);
        assert!(rows[3].contains("<c r=\"D5\" s=\"3\"><v>1</v></c>") && rows[3].contains("<v>1200.00</v>"));
        // 430103 numbered from 1 again, in input order.
        assert!(rows[4].contains("<t>430103 天心区</t>"), "{}", rows[4]);
        assert!(rows[5].contains("<c r=\"A7\"><v>1</v></c>") && rows[5].contains("430103200907010022"));
        assert!(rows[6].contains("<c r=\"A8\"><v>2</v></c>") && rows[6].contains("430103200006200080"));
        assert!(rows[7].contains("<v>2</v>") && rows[7].contains("<v>2150.50</v>"), "{}", rows[7]);
        assert!(rows[8].contains("<t>合计</t>") && rows[8].contains("<v>3</v>") && rows[8].contains("<v>3350.50</v>"));
        // A blank row, then the signatures with room to sign.
        assert!(rows[9].starts_with("<row r=\"12\" ht=\"42\" customHeight=\"1\">"), "{}", rows[9]);
        for word in ["经办人", "审核人", "负责人", "日期"] {
            assert!(rows[9].contains(word), "{word}");
        }
        assert!(rows[1].contains("<t>社会散居孤儿</t>") && rows[1].contains("<c r=\"F3\" s=\"2\"><v>800.00</v>"));
        assert!(rows[1].contains("<c r=\"E3\" t=\"inlineStr\"><is><t>2018年6月</t>"), "{}", rows[1]);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn masked_only_when_asked() {
        let d = scratch("mask");
        let line = [("430102", "430102201003120016", "800.00", "regular", "a:2")];
        let plain = render(list(&d, &line, Lang::En, false));
        assert!(plain.contains("<t>430102201003120016</t>") && plain.contains("<t>6222021001000000011</t>"));
        let masked = render(list(&d, &line, Lang::En, true));
        assert!(masked.contains("<t>430102********0016</t>"), "{masked}");
        assert!(masked.contains("<t>622202*********0011</t>"), "{masked}");
        assert!(!masked.contains("201003120016") && !masked.contains("1001000000011"));
        assert!(masked.contains("Subtotal") && masked.contains("Prepared by"));
        assert!(masked.contains("<t>scattered</t>") && masked.contains("<t>430102 芙蓉区</t>"), "{masked}");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_empty_list_still_has_its_total_and_signatures() {
        let d = scratch("empty");
        let xml = render(list(&d, &[], Lang::Zh, false));
        assert!(xml.starts_with("<row r=\"2\"><c r=\"A2\" s=\"3\" t=\"inlineStr\"><is><t>合计</t>"), "{xml}");
        assert!(xml.contains("<row r=\"4\" ht=\"42\"") && xml.contains("负责人"));
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn split_across_sheets() {
        let d = scratch("split");
        let lines: Vec<_> = (0..5).map(|_| ("430102", "430102201003120016", "1.00", "regular", "a:2")).collect();
        let l = list(&d, &lines, Lang::En, false);
        // A heading, 5 lines, a subtotal, the total, a blank row and the signatures: 10 rows.
        let parts = l.parts(4);
        assert_eq!(parts.iter().map(Part::rows).collect::<Vec<_>>(), [4, 4, 2]);
        let styles = ListStyles { money: 2, bold: 3, bold_money: 4 };
        let second = String::from_utf8(parts[1].render(0..4, &styles).unwrap()).unwrap();
        assert!(second.starts_with("<row r=\"2\"><c r=\"A2\"><v>4</v></c>"), "{second}");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn headings_and_remarks_are_the_glossarys() {
        let label = |code: &str| glossary::lookup(Group::Label, code).unwrap().zh;
        assert_eq!(COLUMNS[1].1, label("name"));
        assert_eq!(COLUMNS[2].1, label("child_id"));
        assert_eq!(COLUMNS[3].1, label("category"));
        assert_eq!(COLUMNS[5].1, label("amount"));
        assert_eq!(COLUMNS[6].1, label("payee_name"));
        assert_eq!(COLUMNS[7].1, label("payee_account"));
        assert_eq!(COLUMNS[8].1, label("payee_bank"));
        let zh = Remarks::new(Lang::Zh);
        assert_eq!(zh.say(b"arrears", b"raised_to_minimum"), "补发；低于标准按标准补足");
        assert_eq!(zh.say(b"regular", b"standard"), "");
        assert_eq!(Remarks::new(Lang::En).say(b"arrears", b"recorded"), "arrears");
    }
}
