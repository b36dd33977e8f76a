//! Which columns a data sheet shows, and what each column's cells say.
//!
//! Under `--lang en` a data sheet is its CSV file cell for cell (the files' own
//! English words). Under `--lang zh` the clerk reads the glossary's words (SPEC
//! section 17): 处理结果, 类型, 供养方式, 依据 and 变动 in Chinese, a 原因 column with the
//! reason's name beside the code, a 县（市、区） column with the county's name
//! beside the region code, and months as 2018年6月. Amounts and counts are numbers in both. The plan is
//! made once per sheet; rendering a row then only follows it (`cells`).

use csv::ByteRecord;

use crate::core::detail::Lang;
use crate::core::glossary::{self, Group, Term};

/// What one column of a data sheet shows; the `usize` is the CSV field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// The field as it is.
    Text(usize),
    /// Money: a number when the field is a plain decimal, else as it is.
    Money(usize),
    /// A count: a number when the field is a plain number, else as it is.
    Count(usize),
    /// A code word in the clerk's words, from these lists of the glossary; a word
    /// the glossary lacks (a category a policy added) as it is.
    Word(usize, &'static [&'static [Term]]),
    /// The name of the division a region code names; nothing for an unknown code.
    County(usize),
    /// Months (`2018-04;2018-05`) as a clerk writes them (`2018年4月、2018年5月`);
    /// anything else as it is.
    Months(usize),
}

/// One column of a data sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub show: Show,
    pub heading: String,
    pub width: u16,
}

/// Reason codes: the glossary's reason names, and the one reason only
/// `changes.csv` gives (`NOT_ON_ROSTER`).
const REASON_WORDS: &[&[Term]] = &[glossary::REASONS, glossary::LABELS];

/// The columns of a sheet showing a CSV file with these headers.
pub fn plan(headers: &ByteRecord, lang: Lang) -> Vec<Column> {
    let zh = lang == Lang::Zh;
    let mut out = Vec::with_capacity(headers.len() + 2);
    for (c, h) in headers.iter().enumerate() {
        let name = String::from_utf8_lossy(h);
        let col = |show: Show| Column { show, heading: heading(lang, &name), width: width(&name) };
        match (h, zh) {
            (b"standard" | b"recorded_amount" | b"amount" | b"previous_amount", _) => out.push(col(Show::Money(c))),
            (b"children", _) => out.push(col(Show::Count(c))),
            (b"decision", true) => out.push(col(Show::Word(c, &[glossary::DECISIONS]))),
            (b"kind", true) => out.push(col(Show::Word(c, &[glossary::KINDS]))),
            (b"category", true) => out.push(col(Show::Word(c, &[glossary::CATEGORIES]))),
            (b"basis", true) => out.push(col(Show::Word(c, &[glossary::BASES]))),
            (b"change", true) => out.push(col(Show::Word(c, &[glossary::CHANGES]))),
            (b"period" | b"months", true) => out.push(col(Show::Months(c))),
            (b"reason", true) => {
                out.push(col(Show::Text(c)));
                out.push(Column { show: Show::Word(c, REASON_WORDS), heading: label(lang, "reason"), width: 18 });
            }
            (b"region_code", true) => {
                out.push(col(Show::Text(c)));
                out.push(Column { show: Show::County(c), heading: label(lang, "county"), width: 16 });
            }
            _ => out.push(col(Show::Text(c))),
        }
    }
    out
}

/// The glossary's label for `code` in `lang`.
fn label(lang: Lang, code: &str) -> String {
    glossary::say(Group::Label, code, lang).to_owned()
}

/// A column's heading: the CSV header in English, the glossary's label in Chinese.
pub fn heading(lang: Lang, column: &str) -> String {
    if lang == Lang::En {
        return column.to_owned();
    }
    // The CSV's `reason` holds the code; the reason's name is a column of its own.
    let code = if column == "reason" { "reason_code" } else { column };
    if let Some(term) = glossary::lookup(Group::Label, code) {
        return term.zh.to_owned();
    }
    match column {
        "months" => "月份",
        "standard" => "标准",
        "recorded_amount" => "月发放金额",
        other => other,
    }
    .to_owned()
}

/// Wide enough that an 18-digit ID, a 19-digit account or a bank's name is seen
/// whole on screen and on paper.
fn width(header: &str) -> u16 {
    match header {
        "detail" => 60,
        "child_id" | "payee_account" | "payee_bank" | "source" => 24,
        _ => 16,
    }
}

/// The clerk's word for `code` from `lists`, if the glossary has one.
pub fn word(lists: &[&'static [Term]], code: &[u8]) -> Option<&'static str> {
    lists.iter().flat_map(|l| l.iter()).find(|t| t.code.as_bytes() == code).map(|t| t.zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> ByteRecord {
        ByteRecord::from(names.to_vec())
    }

    #[test]
    fn english_sheets_are_the_csv_columns_with_numbers() {
        let cols = plan(&headers(&["period", "decision", "reason", "region_code", "amount", "children"]), Lang::En);
        let shows: Vec<Show> = cols.iter().map(|c| c.show).collect();
        assert_eq!(shows, [Show::Text(0), Show::Text(1), Show::Text(2), Show::Text(3), Show::Money(4), Show::Count(5)]);
        let names: Vec<&str> = cols.iter().map(|c| c.heading.as_str()).collect();
        assert_eq!(names, ["period", "decision", "reason", "region_code", "amount", "children"]);
    }

    #[test]
    fn chinese_sheets_say_the_glossarys_words() {
        let cols =
            plan(&headers(&["period", "decision", "reason", "region_code", "kind", "payee_bank_code"]), Lang::Zh);
        let names: Vec<&str> = cols.iter().map(|c| c.heading.as_str()).collect();
        assert_eq!(
            names,
            ["发放年月", "处理结果", "原因代码", "原因", "行政区划代码", "县（市、区）", "类型", "开户行联行号"]
        );
        assert_eq!(cols[1].show, Show::Word(1, &[glossary::DECISIONS]));
        assert_eq!(cols[3].show, Show::Word(2, REASON_WORDS));
        assert_eq!(cols[5].show, Show::County(3));
        assert_eq!(cols[0].show, Show::Months(0));
        assert_eq!(word(&[glossary::DECISIONS], b"held"), Some("暂缓发放"));
        assert_eq!(word(REASON_WORDS, b"AGED_OUT"), Some("已满18周岁"));
        assert_eq!(word(REASON_WORDS, b"NOT_ON_ROSTER"), Some("本月花名册无此人"));
        assert_eq!(word(&[glossary::CATEGORIES], b"orphan_with_hiv"), None);
    }
}
