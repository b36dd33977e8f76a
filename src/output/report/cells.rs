//! The data sheets' rows as SpreadsheetML, rendered straight from the CSV bytes.
//!
//! rust_xlsxwriter keeps an object per cell and formats every reference through
//! `fmt`; for a province's million rows that was most of a run. Here a row is a few
//! byte copies, so batches of rows render in parallel while the previous batch is
//! compressed (see `package`). Pure: bytes in, bytes out.

use csv::ByteRecord;
use rust_xlsxwriter::utility::column_number_to_name;

use super::columns::{word, Column, Show};
use crate::core::detail::Lang;
use crate::core::divisions;

/// Rows rendered by one task of a parallel batch (the data sheets and the payroll list).
pub const CHUNK: usize = 1024;

/// Why a sheet could not be rendered or packaged.
#[derive(Debug)]
pub struct PackageError(pub String);

impl<E: std::fmt::Display> From<E> for PackageError {
    fn from(e: E) -> Self {
        PackageError(e.to_string())
    }
}

/// Excel holds at most this many characters in a cell.
const CELL_CHARS: usize = 32_767;
/// The mark at the end of a cut cell, in the reader's language.
fn cut_mark(lang: Lang) -> &'static str {
    lang.pick(" …(cut; see the CSV)", "…（过长已截断，全文见 CSV 文件）")
}

/// The cell formats (indexes into the workbook's `cellXfs`) a data row may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Styles {
    pub money: u32,
    pub rejected: u32,
    pub held: u32,
    pub excluded: u32,
}

/// A sheet's columns (`columns::plan`) with their letters and the style indexes.
pub struct Layout {
    letters: Vec<Vec<u8>>,
    shows: Vec<Show>,
    decision: Option<usize>,
    /// The style indexes as text: money, rejected, held, excluded.
    style_text: [Vec<u8>; 4],
    lang: Lang,
}

impl Layout {
    pub fn new(headers: &ByteRecord, columns: &[Column], styles: Styles, lang: Lang) -> Layout {
        Layout {
            letters: (0..columns.len()).map(|c| column_number_to_name(c as u16).into_bytes()).collect(),
            shows: columns.iter().map(|c| c.show).collect(),
            decision: headers.iter().position(|h| h == b"decision"),
            style_text: [styles.money, styles.rejected, styles.held, styles.excluded]
                .map(|n| itoa::Buffer::new().format(n).as_bytes().to_vec()),
            lang,
        }
    }

    /// Appends `<row>` number `row` (1-based, as Excel counts) for one CSV record.
    pub fn push_row(&self, out: &mut Vec<u8>, row: u32, rec: &ByteRecord) {
        let mut num = itoa::Buffer::new();
        let row_text = num.format(row).as_bytes();
        let fill = self.decision.and_then(|c| rec.get(c)).and_then(|d| match d {
            b"rejected" => Some(self.style_text[1].as_slice()),
            b"held" => Some(self.style_text[2].as_slice()),
            b"excluded" => Some(self.style_text[3].as_slice()),
            _ => None,
        });
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(row_text);
        out.extend_from_slice(b"\">");
        for (show, col) in self.shows.iter().zip(&self.letters) {
            let field = |c: usize| rec.get(c).unwrap_or_default();
            if let Show::Months(c) = *show {
                if push_months(out, col, row_text, fill, field(c)) {
                    continue;
                }
            }
            let (value, number, style): (&[u8], bool, Option<&[u8]>) = match *show {
                Show::Text(c) => (field(c), false, fill),
                Show::Money(c) => (field(c), is_number(field(c)), Some(fill.unwrap_or(&self.style_text[0]))),
                Show::Count(c) => (field(c), is_number(field(c)), fill),
                Show::Word(c, lists) => (word(lists, field(c)).map_or(field(c), str::as_bytes), false, fill),
                Show::County(c) => (divisions::name_bytes(field(c)).unwrap_or_default().as_bytes(), false, fill),
                Show::Months(c) => (field(c), false, fill),
            };
            if value.is_empty() {
                continue;
            }
            if number {
                push_number(out, col, row_text, style, value);
            } else {
                push_string_in(out, col, row_text, fill, value, self.lang);
            }
        }
        out.extend_from_slice(b"</row>");
    }
}

/// Appends months (`2018-04;2018-05`) as a clerk writes them (`2018年4月、2018年5月`),
/// straight into the sheet; false (and nothing written) when `field` is anything
/// else, to be shown as it is.
pub fn push_months(out: &mut Vec<u8>, col: &[u8], row: &[u8], style: Option<&[u8]>, field: &[u8]) -> bool {
    let month = |m: &[u8]| {
        m.len() == 7
            && m[4] == b'-'
            && m[..4].iter().chain(&m[5..]).all(u8::is_ascii_digit)
            && (1..=12).contains(&((m[5] - b'0') * 10 + m[6] - b'0'))
    };
    if field.is_empty() || !field.split(|&b| b == b';').all(month) {
        return false;
    }
    push_ref(out, col, row, style);
    out.extend_from_slice(b"\" t=\"inlineStr\"><is><t>");
    for (i, m) in field.split(|&b| b == b';').enumerate() {
        if i > 0 {
            out.extend_from_slice("、".as_bytes());
        }
        out.extend_from_slice(&m[..4]);
        out.extend_from_slice("年".as_bytes());
        out.extend_from_slice(if m[5] == b'0' { &m[6..] } else { &m[5..] });
        out.extend_from_slice("月".as_bytes());
    }
    out.extend_from_slice(b"</t></is></c>");
    true
}

/// Appends a number cell: `<c r="B7" s="2"><v>800.00</v></c>`.
pub fn push_number(out: &mut Vec<u8>, col: &[u8], row: &[u8], style: Option<&[u8]>, value: &[u8]) {
    push_ref(out, col, row, style);
    out.extend_from_slice(b"\"><v>");
    out.extend_from_slice(value);
    out.extend_from_slice(b"</v></c>");
}

/// Appends a text cell of our own words (an inline string, escaped).
pub fn push_string(out: &mut Vec<u8>, col: &[u8], row: &[u8], style: Option<&[u8]>, text: &[u8]) {
    push_string_in(out, col, row, style, text, Lang::En);
}

/// Appends a text cell from a file (an inline string, escaped and cut at Excel's
/// cell limit, with a mark in `lang`).
pub fn push_string_in(out: &mut Vec<u8>, col: &[u8], row: &[u8], style: Option<&[u8]>, text: &[u8], lang: Lang) {
    push_ref(out, col, row, style);
    out.extend_from_slice(b"\" t=\"inlineStr\"><is><t");
    if needs_preserve(text) {
        out.extend_from_slice(b" xml:space=\"preserve\"");
    }
    out.push(b'>');
    push_text(out, text, cut_mark(lang));
    out.extend_from_slice(b"</t></is></c>");
}

fn push_ref(out: &mut Vec<u8>, col: &[u8], row: &[u8], style: Option<&[u8]>) {
    out.extend_from_slice(b"<c r=\"");
    out.extend_from_slice(col);
    out.extend_from_slice(row);
    if let Some(s) = style {
        out.extend_from_slice(b"\" s=\"");
        out.extend_from_slice(s);
    }
}

/// A plain decimal (`-12.50`), which the sheet holds as a number.
pub fn is_number(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(p) => (&digits[..p], Some(&digits[p + 1..])),
        None => (digits, None),
    };
    !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

fn needs_preserve(b: &[u8]) -> bool {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    b.first().is_some_and(ws) || b.last().is_some_and(ws)
}

/// XML text content: `& < >` escaped; characters XML 1.0 cannot hold written the way
/// Excel writes them (`_x0001_`); longer than a cell holds: cut, with a mark.
fn push_text(out: &mut Vec<u8>, field: &[u8], mark: &str) {
    if field.len() > CELL_CHARS {
        if let Ok(s) = std::str::from_utf8(field) {
            if s.chars().count() > CELL_CHARS {
                let keep = CELL_CHARS - mark.chars().count();
                let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
                push_escaped(out, &field[..end]);
                push_escaped(out, mark.as_bytes());
                return;
            }
        }
    }
    push_escaped(out, field);
}

fn push_escaped(out: &mut Vec<u8>, b: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let special = matches!(c, b'&' | b'<' | b'>')
            || (c < 0x20 && c != b'\t' && c != b'\n')
            || (c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)));
        if !special {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[start..i]);
        match c {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            0xEF => {
                out.extend_from_slice(if b[i + 2] == 0xBE { b"_xFFFE_" } else { b"_xFFFF_" });
                i += 2;
            }
            _ => out.extend_from_slice(format!("_x{c:04X}_").as_bytes()),
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::detail::Lang;
    use crate::output::report::columns::plan;

    const STYLES: Styles = Styles { money: 2, rejected: 3, held: 4, excluded: 5 };

    fn row(headers: &[&str], fields: &[&str]) -> String {
        row_in(Lang::En, headers, fields)
    }

    fn row_in(lang: Lang, headers: &[&str], fields: &[&str]) -> String {
        let headers = ByteRecord::from(headers.to_vec());
        let layout = Layout::new(&headers, &plan(&headers, lang), STYLES, lang);
        let mut out = Vec::new();
        layout.push_row(&mut out, 7, &ByteRecord::from(fields.to_vec()));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_money_and_empty_cells() {
        assert_eq!(
            row(&["name", "amount", "source", "standard"], &["张三", "800.00", "", "-1"]),
            "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>张三</t></is></c>\
             <c r=\"B7\" s=\"2\"><v>800.00</v></c><c r=\"D7\" s=\"2\"><v>-1</v></c></row>"
        );
        // Not a plain decimal: kept as text, never guessed.
        assert!(row(&["amount"], &["1e3"]).contains("<t>1e3</t>"));
        assert!(row(&["amount"], &["12."]).contains("<t>12.</t>"));
        // A number outside a money column stays text (IDs, accounts).
        assert!(row(&["child_id"], &["430102201003120016"]).contains("<t>430102201003120016</t>"));
    }

    #[test]
    fn problem_rows_are_coloured() {
        let r = row(&["decision", "amount"], &["held", "900.00"]);
        assert!(
            r.contains("<c r=\"A7\" s=\"4\" t=\"inlineStr\">") && r.contains("<c r=\"B7\" s=\"4\"><v>900.00"),
            "{r}"
        );
        assert!(row(&["decision"], &["paid"]).contains("<c r=\"A7\" t=\"inlineStr\">"));
    }

    #[test]
    fn counts_are_numbers() {
        assert!(row(&["children"], &["2"]).contains("<c r=\"A7\"><v>2</v></c>"));
        assert!(row(&["children"], &["two"]).contains("<t>two</t>"));
    }

    #[test]
    fn chinese_rows_say_the_glossarys_words_and_county_names() {
        let r = row_in(
            Lang::Zh,
            &["kind", "category", "region_code", "basis", "decision", "reason"],
            &["arrears", "de_facto_unsupported", "430102", "raised_to_minimum", "held", "AGED_OUT"],
        );
        for cell in [
            "<c r=\"A7\" s=\"4\" t=\"inlineStr\"><is><t>补发</t>",
            "<c r=\"B7\" s=\"4\" t=\"inlineStr\"><is><t>事实无人抚养儿童</t>",
            "<c r=\"C7\" s=\"4\" t=\"inlineStr\"><is><t>430102</t>",
            "<c r=\"D7\" s=\"4\" t=\"inlineStr\"><is><t>芙蓉区</t>",
            "<c r=\"E7\" s=\"4\" t=\"inlineStr\"><is><t>低于标准按标准补足</t>",
            "<c r=\"F7\" s=\"4\" t=\"inlineStr\"><is><t>暂缓发放</t>",
            "<c r=\"G7\" s=\"4\" t=\"inlineStr\"><is><t>AGED_OUT</t>",
            "<c r=\"H7\" s=\"4\" t=\"inlineStr\"><is><t>已满18周岁</t>",
        ] {
            assert!(r.contains(cell), "{cell} not in {r}");
        }
        // Months as a clerk writes them; anything else as it is.
        let r = row_in(Lang::Zh, &["period", "months", "months"], &["2018-06", "2018-04;2018-10", "2018-4"]);
        assert!(r.contains("<c r=\"A7\" t=\"inlineStr\"><is><t>2018年6月</t>"), "{r}");
        assert!(r.contains("<c r=\"B7\" t=\"inlineStr\"><is><t>2018年4月、2018年10月</t>"), "{r}");
        assert!(r.contains("<c r=\"C7\" t=\"inlineStr\"><is><t>2018-4</t>"), "{r}");
        assert!(row(&["period"], &["2018-06"]).contains("<t>2018-06</t>"));
        // An unknown code shows alone; a word the glossary lacks as it is.
        let r = row_in(Lang::Zh, &["region_code", "category"], &["430199", "orphan_with_hiv"]);
        assert!(r.contains("<t>430199</t>") && !r.contains("r=\"B7\""), "{r}");
        assert!(r.contains("<c r=\"C7\" t=\"inlineStr\"><is><t>orphan_with_hiv</t>"), "{r}");
    }

    #[test]
    fn escaping() {
        assert!(row(&["name"], &["A&B <c> \"d\""]).contains("<t>A&amp;B &lt;c&gt; \"d\"</t>"));
        assert!(row(&["name"], &["a\u{1}b\rc\td"]).contains("<t>a_x0001_b_x000D_c\td</t>"));
        assert!(row(&["name"], &["x\u{FFFE}"]).contains("<t>x_xFFFE_</t>"));
        assert!(row(&["name"], &[" lead"]).contains("<t xml:space=\"preserve\"> lead</t>"));
    }

    #[test]
    fn long_text_is_cut_at_the_cell_limit() {
        let long = "长".repeat(40_000);
        let r = row(&["detail"], &[&long]);
        let text = r.split("<t>").nth(1).unwrap().split("</t>").next().unwrap();
        assert_eq!(text.chars().count(), CELL_CHARS);
        assert!(text.ends_with("(cut; see the CSV)"));
        let zh = row_in(Lang::Zh, &["detail"], &[&long]);
        let text = zh.split("<t>").nth(1).unwrap().split("</t>").next().unwrap();
        assert_eq!(text.chars().count(), CELL_CHARS);
        assert!(text.ends_with("…（过长已截断，全文见 CSV 文件）"));
        let short = "长".repeat(CELL_CHARS);
        assert!(row(&["detail"], &[&short]).contains(&short));
    }
}
