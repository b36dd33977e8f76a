//! Reading an older system's month for `ledger import`: all or nothing, so the first
//! bad line stops the import and names its line.

use crate::core::arrears::Kind;
use crate::core::column::Column;
use crate::core::id::ChildId;
use crate::core::money::parse_amount;
use crate::core::month::Month;
use crate::core::payment::LedgerLine;
use crate::core::record::{valid_region, Category};
use crate::core::text::fold_width;
use crate::error::{Fatal, FatalKind};
use crate::table::{read_table, Want};

const AMOUNT_NAMES: &[&str] = &["monthly_amount", "月发放金额", "发放标准", "发放金额", "金额"];

fn bad_row(path: &str, line: u64, what: String, zh: String) -> Fatal {
    Fatal::new(FatalKind::Input, what, "correct the file (an import is all or nothing) and run the import again")
        .zh(zh, "请更正该文件后重新导入（只要有一行出错，整个文件都不导入）")
        .in_file(path)
        .at_line(line)
}

/// Reads an older system's payments for one month: `child_id,category,region_code,amount`.
pub fn read_import(path: &str, period: Month) -> Result<(Vec<LedgerLine>, String), Fatal> {
    let wants = [
        Want { name: "child_id", aliases: &Column::ChildId.names()[1..], required: true },
        Want { name: "category", aliases: &Column::Category.names()[1..], required: true },
        Want { name: "region_code", aliases: &Column::RegionCode.names()[1..], required: true },
        Want { name: "amount", aliases: AMOUNT_NAMES, required: true },
    ];
    let table = read_table(path, "import file", &wants)?;
    let mut lines = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in &table.rows {
        let line = row.line;
        let field = |k: usize| fold_width(&row.fields[k]).into_owned();
        if row.malformed {
            return Err(bad_row(
                path,
                line,
                "the row does not have as many fields as the header".into(),
                "这一行的字段数与表头不一致".into(),
            ));
        }
        let id = ChildId::parse(&field(0)).map_err(|_| {
            bad_row(path, line, "child_id is not a valid ID number".into(), "不是有效的身份证号码".into())
        })?;
        let category = Category::parse(&field(1)).ok_or_else(|| {
            bad_row(
                path,
                line,
                "category must be scattered or institutional".into(),
                "供养方式应为社会散居孤儿或集中供养孤儿".into(),
            )
        })?;
        let region = field(2);
        if !valid_region(&region) {
            return Err(bad_row(
                path,
                line,
                "region_code must be a 6-digit division code".into(),
                "行政区划代码应为6位数字".into(),
            ));
        }
        let amount = parse_amount(&field(3)).map_err(|_| {
            bad_row(
                path,
                line,
                "amount must be a plain amount such as 600 or 600.00".into(),
                "金额应写成普通数字，如600或600.00".into(),
            )
        })?;
        if let Some(first) = seen.insert(id, line) {
            return Err(bad_row(
                path,
                line,
                format!("this child is already on line {first}: one payment per child and month"),
                format!("该儿童已在第{first}行：每名儿童每月只能有一条发放记录"),
            ));
        }
        let mut region_code = [0u8; 6];
        region_code.copy_from_slice(region.as_bytes());
        lines.push(LedgerLine {
            child_id: id,
            month: period,
            kind: Kind::Regular,
            amount,
            category,
            region_code,
            standard: None,
            transfer: None,
        });
    }
    Ok((lines, table.sha256))
}
