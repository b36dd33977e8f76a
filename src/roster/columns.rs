//! Finding the roster columns in a header row, by English name or Chinese alias.
//!
//! Headers are compared after folding full-width forms, removing white space inside
//! (`姓  名`), dropping a `*` required-marker and lower-casing ASCII; a header with a
//! note in brackets (`补助类型（在院供养2018/社会散住2018）`) is tried without it. Where a
//! header could mean two things (two columns for one field, or only a guardian's
//! column where the payee's is needed) the file is refused naming the candidates: a
//! roster profile says which is meant.

use crate::core::column::Column;
use crate::core::vocabulary::normalize_word;
use crate::error::{Fatal, FatalKind};

/// Where each roster column sits in a file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    index: [Option<usize>; Column::COUNT],
    width: usize,
    /// The reverse map: which column (if any) each field position holds.
    at: Vec<Option<Column>>,
    /// A roster profile's category words (normalized) and their categories.
    categories: Vec<(String, String)>,
}

/// Why a header cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    Missing(Vec<Column>),
    Twice {
        column: Column,
        first: String,
        second: String,
    },
    /// A required column is missing, and these headers could be it but could as well
    /// mean someone else (a guardian who is not the account holder).
    Ambiguous {
        column: Column,
        candidates: Vec<String>,
    },
}

/// Headers that could fill a field but may name another person: used only when a
/// profile says so, and named when the field is missing.
pub const AMBIGUOUS_HEADERS: &[(&str, Column)] = &[
    ("监护人", Column::PayeeName),
    ("监护人姓名", Column::PayeeName),
    ("领取人", Column::PayeeName),
    ("领取人姓名", Column::PayeeName),
    ("代领人", Column::PayeeName),
    ("代领人姓名", Column::PayeeName),
    ("监护人账号", Column::PayeeAccount),
    ("监护人银行账号", Column::PayeeAccount),
    ("监护人帐号", Column::PayeeAccount),
    ("领取人账号", Column::PayeeAccount),
    ("监护人开户行", Column::PayeeBank),
    ("监护人开户银行", Column::PayeeBank),
    ("领取人开户行", Column::PayeeBank),
];

/// The compared form of a header cell.
pub fn normalize_header(cell: &str) -> String {
    let w = normalize_word(cell);
    w.trim_matches('*').to_owned()
}

/// The header without a trailing bracketed note: `补助类型(…)` → `补助类型`.
fn without_note(h: &str) -> Option<&str> {
    let open = h.find('(')?;
    (h.ends_with(')') && open > 0).then(|| &h[..open])
}

/// Header texts a roster profile gives for some fields; those fields are then found
/// by these texts only.
pub type Overrides = [(Column, Vec<String>)];

fn column_of(h: &str, overrides: &Overrides) -> Option<Column> {
    let by_override = |h: &str| overrides.iter().find(|(_, names)| names.iter().any(|n| n == h)).map(|(c, _)| *c);
    let by_alias = |h: &str| {
        Column::ALL
            .into_iter()
            .filter(|c| !overrides.iter().any(|(o, _)| o == c))
            .find(|c| c.names().iter().any(|n| normalize_word(n) == h))
    };
    by_override(h)
        .or_else(|| by_alias(h))
        .or_else(|| without_note(h).and_then(|b| by_override(b).or_else(|| by_alias(b))))
}

impl ColumnMap {
    /// Maps header cells (case-insensitive after trimming) to columns; extra columns
    /// are ignored, a required column missing or any column given twice is refused.
    pub fn from_header<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<ColumnMap, HeaderProblem> {
        ColumnMap::from_header_with(header, &[])
    }

    /// `from_header` with a profile's header texts for some fields.
    pub fn from_header_with<'a>(
        header: impl IntoIterator<Item = &'a str>,
        overrides: &Overrides,
    ) -> Result<ColumnMap, HeaderProblem> {
        let overrides: Vec<(Column, Vec<String>)> =
            overrides.iter().map(|(c, names)| (*c, names.iter().map(|n| normalize_header(n)).collect())).collect();
        let mut index = [None; Column::COUNT];
        let mut names: [Option<String>; Column::COUNT] = Default::default();
        let mut width = 0;
        let mut unsure: Vec<(Column, String)> = Vec::new();
        for (i, cell) in header.into_iter().enumerate() {
            width = i + 1;
            let h = normalize_header(cell);
            if h.is_empty() {
                continue;
            }
            let Some(col) = column_of(&h, &overrides) else {
                if let Some((_, c)) = AMBIGUOUS_HEADERS.iter().find(|(a, _)| *a == h) {
                    unsure.push((*c, crate::core::text::trim(cell).to_owned()));
                }
                continue;
            };
            let shown = crate::core::text::trim(cell).to_owned();
            if let Some(first) = &names[col.index()] {
                return Err(HeaderProblem::Twice { column: col, first: first.clone(), second: shown });
            }
            index[col.index()] = Some(i);
            names[col.index()] = Some(shown);
        }
        let missing: Vec<Column> =
            Column::ALL.into_iter().filter(|c| c.required() && index[c.index()].is_none()).collect();
        if let Some(col) = missing.iter().find(|c| unsure.iter().any(|(u, _)| u == *c)) {
            let candidates = unsure.iter().filter(|(u, _)| u == col).map(|(_, h)| h.clone()).collect();
            return Err(HeaderProblem::Ambiguous { column: *col, candidates });
        }
        if !missing.is_empty() {
            return Err(HeaderProblem::Missing(missing));
        }
        let mut at = vec![None; width];
        for c in Column::ALL {
            if let Some(i) = index[c.index()] {
                at[i] = Some(c);
            }
        }
        Ok(ColumnMap { index, width, at, categories: Vec::new() })
    }

    /// True when any cell names a roster column (by alias or the profile's texts).
    pub fn names_any(cells: &[String], overrides: &Overrides) -> bool {
        let overrides: Vec<(Column, Vec<String>)> =
            overrides.iter().map(|(c, names)| (*c, names.iter().map(|n| normalize_header(n)).collect())).collect();
        cells.iter().any(|c| column_of(&normalize_header(c), &overrides).is_some())
    }

    /// The same map reading a profile's category words.
    pub fn with_categories(mut self, categories: &[(String, String)]) -> ColumnMap {
        self.categories = categories.to_vec();
        self
    }

    /// Replaces a category field that is one of the profile's words by its category.
    pub fn translate_category(&self, field: &mut std::borrow::Cow<'_, str>) {
        if self.categories.is_empty() {
            return;
        }
        let w = normalize_word(field);
        if let Some((_, name)) = self.categories.iter().find(|(word, _)| *word == w) {
            *field = std::borrow::Cow::Owned(name.clone());
        }
    }

    /// The field index of a column, if the file has it.
    pub fn get(&self, c: Column) -> Option<usize> {
        self.index[c.index()]
    }

    /// The column at field position `i`, if it is one of ours.
    pub fn column_at(&self, i: usize) -> Option<Column> {
        self.at.get(i).copied().flatten()
    }

    /// How many fields the header has: every data row must have as many.
    pub fn width(&self) -> usize {
        self.width
    }
}

/// Looks for the header among a file's first rows (SPEC section 15): the first row
/// that names every required column, or the row a profile's `header_row` names. The
/// rows above it are its preamble (a title, 填报单位, a date, blank rows).
#[derive(Debug)]
pub struct HeaderSearch<'p> {
    overrides: &'p Overrides,
    header_row: Option<u64>,
    /// The row that came closest: fewest required columns missing, earliest first.
    best: Option<(usize, u64, HeaderProblem)>,
}

/// How far down a file the header is looked for.
pub const HEADER_SEARCH_ROWS: u64 = 20;

impl<'p> HeaderSearch<'p> {
    pub fn new(overrides: &'p Overrides, header_row: Option<u64>) -> HeaderSearch<'p> {
        HeaderSearch { overrides, header_row, best: None }
    }

    /// Offers the row at `position` (1-based, blank rows counted) starting on `line`,
    /// with its cells (`None` when they are not readable text). `Some(Ok)` when it is
    /// the header, `Some(Err)` when the file must be refused, `None` to read on.
    pub fn offer(
        &mut self,
        position: u64,
        line: u64,
        cells: Option<&[String]>,
    ) -> Option<Result<ColumnMap, (HeaderProblem, u64)>> {
        let limit = self.header_row.unwrap_or(HEADER_SEARCH_ROWS);
        if position > limit {
            return Some(Err(self.give_up(line)));
        }
        if self.header_row.is_some_and(|h| position < h) {
            return None;
        }
        let found = ColumnMap::from_header_with(cells.unwrap_or_default().iter().map(String::as_str), self.overrides);
        if self.header_row.is_some() {
            return Some(found.map_err(|p| (p, line)));
        }
        match found {
            Ok(map) => Some(Ok(map)),
            Err(p @ HeaderProblem::Twice { .. }) => Some(Err((p, line))),
            Err(p) => {
                let missing = match &p {
                    HeaderProblem::Missing(cols) => cols.len(),
                    _ => 1,
                };
                if self.best.as_ref().is_none_or(|(m, _, _)| missing < *m) {
                    self.best = Some((missing, line, p));
                }
                None
            }
        }
    }

    /// The problem to report when no header was found: the closest row's.
    pub fn give_up(&mut self, line: u64) -> (HeaderProblem, u64) {
        match self.best.take() {
            Some((_, at, p)) => (p, at),
            None => (HeaderProblem::Missing(Column::ALL.into_iter().filter(|c| c.required()).collect()), line),
        }
    }
}

impl HeaderProblem {
    /// No required column was found at all (not a roster's header).
    pub fn found_nothing(&self) -> bool {
        matches!(self, HeaderProblem::Missing(cols) if cols.len() == Column::ALL.iter().filter(|c| c.required()).count())
    }

    pub fn describe_zh(&self) -> String {
        match self {
            HeaderProblem::Missing(cols) => {
                let list: Vec<String> = cols.iter().map(|c| format!("{}（{}）", c.names()[1], c.name())).collect();
                format!("表头缺少列：{}", list.join("、"))
            }
            HeaderProblem::Twice { column, first, second } => {
                format!("表头中“{first}”和“{second}”都是{}（{}）列，无法确定用哪一列", column.names()[1], column.name())
            }
            HeaderProblem::Ambiguous { column, candidates } => format!(
                "表头没有{}（{}）列；{}可能是，也可能指别人",
                column.names()[1],
                column.name(),
                candidates.iter().map(|c| format!("“{c}”")).collect::<Vec<_>>().join("、")
            ),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HeaderProblem::Missing(cols) => {
                let list: Vec<String> =
                    cols.iter().map(|c| format!("{} ({})", c.name(), c.names()[1..].join("/"))).collect();
                format!("the header has no column {}", list.join(", "))
            }
            HeaderProblem::Twice { column, first, second } => format!(
                "the header names column {} twice ({first:?} and {second:?}): which one is meant is ambiguous",
                column.name()
            ),
            HeaderProblem::Ambiguous { column, candidates } => format!(
                "the header has no column {}; {} could be it but may name someone else",
                column.name(),
                candidates.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" or ")
            ),
        }
    }

    /// What to do about it, in English and in Chinese (`workbook`: the roster is a
    /// workbook, where the wrong sheet is the likelier cause of a missing column).
    fn fix(&self, workbook: bool) -> (&'static str, &'static str) {
        match self {
            HeaderProblem::Missing(_) if workbook => (
                "add the column (English name or Chinese alias) to the header row within the first 20 rows, or name the roster sheet with --sheet",
                "请在前20行内的表头加上该列（英文名或中文名），或用 --sheet 指定花名册所在的工作表",
            ),
            HeaderProblem::Missing(_) => (
                "add the column (English name or Chinese alias) to the header row, or fix its spelling; the header must be within the first 20 rows",
                "请在表头加上该列（英文名或中文名），或更正拼写；表头须在前20行内",
            ),
            HeaderProblem::Twice { .. } => (
                "keep one of the two: delete or rename the other column, or name the column to use in a roster profile given with --roster-profile",
                "请只保留其中一列：删除另一列或给它改名，或在 --roster-profile 指定的配置文件中写明用哪一列",
            ),
            HeaderProblem::Ambiguous { .. } => (
                "if that column is the one meant, say so in a roster profile given with --roster-profile; otherwise add the column",
                "如果该列就是所需的列，请在 --roster-profile 指定的配置文件中写明；否则请在表头加上该列",
            ),
        }
    }
}

/// The fatal error for a header that cannot be used (or was not found).
pub fn header_fatal(path: &str, p: &HeaderProblem, line: u64, workbook: bool) -> Fatal {
    let (fix, fix_zh) = p.fix(workbook);
    Fatal::new(FatalKind::MissingColumn, p.describe(), fix).zh(p.describe_zh(), fix_zh).in_file(path).at_line(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH: [&str; Column::COUNT] = [
        "child_id",
        "name",
        "category",
        "region_code",
        "approved_from",
        "ended_after",
        "status",
        "monthly_amount",
        "payee_name",
        "payee_account",
        "payee_bank",
        "payee_bank_code",
    ];

    #[test]
    fn english_in_contract_order() {
        let m = ColumnMap::from_header(ENGLISH).unwrap();
        for c in Column::ALL {
            assert_eq!(m.get(c), ENGLISH.get(c.index()).map(|_| c.index()));
        }
        assert_eq!(m.width(), Column::COUNT);
    }

    #[test]
    fn chinese_aliases_shuffled_with_extras() {
        let h =
            ["备注", "收款账号", " 姓名 ", "身份证号码", "供养方式", "区划代码", "起始年月", "收款人姓名", "开户行"];
        let m = ColumnMap::from_header(h).unwrap();
        assert_eq!(m.get(Column::ChildId), Some(3));
        assert_eq!(m.get(Column::PayeeAccount), Some(1));
        assert_eq!(m.get(Column::Status), None);
        assert_eq!(m.width(), 9);
    }

    #[test]
    fn case_insensitive() {
        let h = ENGLISH.map(|s| s.to_uppercase());
        assert!(ColumnMap::from_header(h.iter().map(String::as_str)).is_ok());
    }

    #[test]
    fn missing_and_twice() {
        let h = &ENGLISH[1..];
        assert_eq!(ColumnMap::from_header(h.iter().copied()), Err(HeaderProblem::Missing(vec![Column::ChildId])));
        let mut twice = ENGLISH.to_vec();
        twice.push("身份证号");
        assert!(matches!(ColumnMap::from_header(twice), Err(HeaderProblem::Twice { column: Column::ChildId, .. })));
    }

    /// Every alias of the table in `Column::names`, alone among English headers, in
    /// any spacing, width or with a bracketed note, finds its column.
    #[test]
    fn every_alias_of_the_table() {
        for c in Column::ALL {
            for alias in c.names() {
                for form in [
                    alias.to_string(),
                    format!(" {alias}\u{3000}"),
                    alias.chars().flat_map(|ch| [ch, ' ']).collect(),
                    format!("{alias}（注）"),
                    format!("*{alias}"),
                ] {
                    let mut h: Vec<String> = ENGLISH.iter().map(|s| s.to_string()).collect();
                    h[c.index()] = form.clone();
                    let m = ColumnMap::from_header(h.iter().map(String::as_str))
                        .unwrap_or_else(|e| panic!("{form}: {e:?}"));
                    assert_eq!(m.get(c), Some(c.index()), "{form}");
                }
            }
        }
    }

    #[test]
    fn two_aliases_of_one_field_name_both() {
        let mut h = ENGLISH.to_vec();
        h[Column::PayeeAccount.index()] = "账号";
        h.push("卡号");
        let e = ColumnMap::from_header(h).unwrap_err();
        assert_eq!(
            e,
            HeaderProblem::Twice { column: Column::PayeeAccount, first: "账号".into(), second: "卡号".into() }
        );
        assert!(e.describe().contains("账号") && e.describe().contains("卡号"));
    }

    #[test]
    fn a_guardian_column_is_not_guessed_as_the_payee() {
        for (text, col) in AMBIGUOUS_HEADERS {
            let mut h = ENGLISH.to_vec();
            h[col.index()] = text;
            let e = ColumnMap::from_header(h.clone()).unwrap_err();
            assert_eq!(e, HeaderProblem::Ambiguous { column: *col, candidates: vec![text.to_string()] });
            assert!(e.describe().contains(text) && e.describe_zh().contains(text));
            // A profile naming it settles it.
            let m = ColumnMap::from_header_with(h, &[(*col, vec![text.to_string()])]).unwrap();
            assert_eq!(m.get(*col), Some(col.index()));
        }
        // Beside a clear payee column it is just an extra column.
        let mut h = ENGLISH.to_vec();
        h.push("监护人姓名");
        assert!(ColumnMap::from_header(h).is_ok());
    }

    #[test]
    fn a_profile_replaces_a_fields_aliases() {
        let mut h = ENGLISH.to_vec();
        h[Column::Name.index()] = "孩子";
        h.push("姓名");
        let m = ColumnMap::from_header_with(h, &[(Column::Name, vec!["孩子".into()])]).unwrap();
        assert_eq!(m.get(Column::Name), Some(Column::Name.index()));
    }

    #[test]
    fn the_header_is_the_first_row_naming_every_required_column() {
        let rows: Vec<Vec<String>> = vec![
            vec!["2018年6月份孤儿基本生活费发放花名册".into()],
            vec!["填报单位：某县民政局".into(), "".into(), "姓名".into()],
            ENGLISH.iter().map(|s| s.to_string()).collect(),
        ];
        let mut search = HeaderSearch::new(&[], None);
        assert!(search.offer(1, 1, Some(&rows[0])).is_none());
        assert!(search.offer(2, 2, None).is_none());
        assert!(search.offer(3, 5, Some(&rows[1])).is_none());
        assert!(matches!(search.offer(4, 6, Some(&rows[2])), Some(Ok(_))));
        // Not found: the row that came closest is named, with what it lacks.
        let mut search = HeaderSearch::new(&[], None);
        let short: Vec<String> = ENGLISH[1..].iter().map(|s| s.to_string()).collect();
        assert!(search.offer(1, 1, Some(&rows[0])).is_none());
        assert!(search.offer(2, 2, Some(&short)).is_none());
        assert!(search.offer(3, 3, Some(&rows[1])).is_none());
        assert_eq!(search.give_up(4), (HeaderProblem::Missing(vec![Column::ChildId]), 2));
        // The 21st row is too far down.
        let mut search = HeaderSearch::new(&[], None);
        assert!(matches!(search.offer(HEADER_SEARCH_ROWS + 1, 21, Some(&rows[2])), Some(Err(_))));
        // A profile's header_row is taken as it is.
        let mut search = HeaderSearch::new(&[], Some(2));
        assert!(search.offer(1, 1, Some(&rows[2])).is_none());
        assert!(matches!(search.offer(2, 2, Some(&rows[1])), Some(Err((HeaderProblem::Missing(_), 2)))));
    }
}
