//! Finding the roster columns in a header row, by English name or Chinese alias.

use crate::core::column::Column;
use crate::core::text::trim;

/// Where each roster column sits in a file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    index: [Option<usize>; Column::COUNT],
    width: usize,
    /// The reverse map: which column (if any) each field position holds.
    at: Vec<Option<Column>>,
}

/// Why a header cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    Missing(Vec<Column>),
    Twice { column: Column, first: String, second: String },
}

impl ColumnMap {
    /// Maps header cells (case-insensitive after trimming) to columns; extra columns
    /// are ignored, a required column missing or any column given twice is refused.
    pub fn from_header<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<ColumnMap, HeaderProblem> {
        let mut index = [None; Column::COUNT];
        let mut names: [Option<String>; Column::COUNT] = Default::default();
        let mut width = 0;
        for (i, cell) in header.into_iter().enumerate() {
            width = i + 1;
            let cell = trim(cell).to_lowercase();
            let Some(col) = Column::ALL.into_iter().find(|c| c.names().contains(&cell.as_str())) else {
                continue;
            };
            if let Some(first) = &names[col.index()] {
                return Err(HeaderProblem::Twice { column: col, first: first.clone(), second: cell });
            }
            index[col.index()] = Some(i);
            names[col.index()] = Some(cell);
        }
        let missing: Vec<Column> =
            Column::ALL.into_iter().filter(|c| c.required() && index[c.index()].is_none()).collect();
        if !missing.is_empty() {
            return Err(HeaderProblem::Missing(missing));
        }
        let mut at = vec![None; width];
        for c in Column::ALL {
            if let Some(i) = index[c.index()] {
                at[i] = Some(c);
            }
        }
        Ok(ColumnMap { index, width, at })
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

impl HeaderProblem {
    pub fn describe_zh(&self) -> String {
        match self {
            HeaderProblem::Missing(cols) => {
                let list: Vec<String> = cols.iter().map(|c| format!("{}（{}）", c.names()[1], c.name())).collect();
                format!("表头缺少列：{}", list.join("、"))
            }
            HeaderProblem::Twice { column, first, second } => {
                format!("表头中列{}出现了两次（{first:?}和{second:?}）", column.name())
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HeaderProblem::Missing(cols) => {
                let list: Vec<String> =
                    cols.iter().map(|c| format!("{} ({})", c.name(), c.names()[1..].join("/"))).collect();
                format!("the header has no column {}", list.join(", "))
            }
            HeaderProblem::Twice { column, first, second } => {
                format!("the header names column {} twice ({first:?} and {second:?})", column.name())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH: [&str; 11] = [
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
    ];

    #[test]
    fn english_in_contract_order() {
        let m = ColumnMap::from_header(ENGLISH).unwrap();
        for c in Column::ALL {
            assert_eq!(m.get(c), ENGLISH.get(c.index()).map(|_| c.index()));
        }
        assert_eq!(m.width(), 11);
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
}
