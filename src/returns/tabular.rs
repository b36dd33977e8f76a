//! A bank return as a table (CSV, GBK or UTF-8, or a workbook): either the plain
//! form `transfer_id,payee_account,amount,status,reason` with the Chinese headers
//! banks use, or the columns and status words a bank profile's `[returns]` names.

use super::{ReturnLayout, ReturnLine};
use crate::core::money::parse_amount;
use crate::core::text::fold_width;
use crate::error::Fatal;
use crate::table::{read_table, read_workbook_table, Want};

/// The columns (in the order `transfer_id`, `payee_account`, `amount`, `status`,
/// `reason`) and the status words of one return layout, all lower case.
struct Columns {
    names: [String; 5],
    aliases: [&'static [&'static str]; 5],
    required: [bool; 5],
    success: Vec<String>,
    failed: Vec<String>,
}

impl Columns {
    /// The plain CSV return, with the Chinese headers banks use.
    fn plain() -> Columns {
        Columns {
            names: ["transfer_id", "payee_account", "amount", "status", "reason"].map(String::from),
            aliases: [
                &["转账编号", "交易编号", "业务编号", "流水号", "endtoendid"],
                &["收款账号", "银行账号", "账号"],
                &["金额", "交易金额", "实发金额"],
                &["状态", "交易状态", "处理结果"],
                &["原因", "失败原因", "备注"],
            ],
            required: [true, false, true, true, false],
            success: ["success", "成功", "settled"].map(String::from).to_vec(),
            failed: ["failed", "失败", "failure"].map(String::from).to_vec(),
        }
    }

    /// A bank profile's `[returns]` layout: its own names, no aliases.
    fn of(l: &ReturnLayout) -> Columns {
        Columns {
            names: [
                l.transfer_id.to_lowercase(),
                l.payee_account.as_deref().unwrap_or_default().to_lowercase(),
                l.amount.to_lowercase(),
                l.status.to_lowercase(),
                l.reason.as_deref().unwrap_or_default().to_lowercase(),
            ],
            aliases: [&[]; 5],
            required: [true, false, true, true, false],
            success: l.success.iter().map(|s| s.to_lowercase()).collect(),
            failed: l.failed.iter().map(|s| s.to_lowercase()).collect(),
        }
    }

    /// Settled, failed, or neither, for a status as written.
    fn status(&self, status: &str) -> Option<bool> {
        let status = status.to_lowercase();
        if self.success.contains(&status) {
            Some(true)
        } else if self.failed.contains(&status) {
            Some(false)
        } else {
            None
        }
    }
}

/// Reads a tabular return in `layout` (the plain form when `None`).
pub(super) fn read(path: &str, layout: Option<&ReturnLayout>) -> Result<(Vec<ReturnLine>, String), Fatal> {
    let cols = layout.map_or_else(Columns::plain, Columns::of);
    let wants: Vec<Want<'_>> =
        (0..5).map(|k| Want { name: &cols.names[k], aliases: cols.aliases[k], required: cols.required[k] }).collect();
    let table = if crate::roster::workbook::is_workbook(path) {
        read_workbook_table(path, "bank return file", &wants)?
    } else {
        read_table(path, "bank return file", &wants)?
    };
    let lines = table
        .rows
        .iter()
        .map(|r| {
            let f = |k: usize| fold_width(&r.fields[k]).into_owned();
            let amount = parse_amount(&f(2)).ok();
            let success = cols.status(&f(3));
            let problem = if r.malformed {
                Some("the line does not have as many fields as the header".to_owned())
            } else if amount.is_none() {
                Some(format!("amount {:?} is not an amount", r.fields[2]))
            } else if success.is_none() {
                Some(format!("status {:?} is neither a success nor a failure", r.fields[3]))
            } else if r.fields[0].is_empty() {
                Some("transfer_id is empty".to_owned())
            } else {
                None
            };
            ReturnLine {
                line: r.line,
                transfer_id: f(0),
                account: f(1).replace([' ', '-'], ""),
                amount,
                amount_reported: true,
                success,
                reason: r.fields[4].clone(),
                problem,
            }
        })
        .collect();
    Ok((lines, table.sha256))
}
