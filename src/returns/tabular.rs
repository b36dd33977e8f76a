//! A bank return as a table (CSV, GBK or UTF-8, or a workbook): either the plain
//! form `transfer_id,payee_account,amount,status,reason` with the Chinese headers
//! banks use, or the columns and status words a bank profile's `[returns]` names.
//!
//! Real result files (回盘) often carry no transfer id, only the payee's account:
//! a layout without `transfer_id` matches its lines by account. Status words come as
//! lists (`成功`/`S`, `失败`/`F`, a pending list such as `L`); a value in none of
//! them is an unreadable line naming the value, never a guess.

use super::{Problem, ReturnLayout, ReturnLine, Verdict};
use crate::core::money::parse_amount;
use crate::core::text::fold_width;
use crate::error::{Fatal, FatalKind};
use crate::table::{read_table, read_workbook_table, Want};

/// The columns (in the order `transfer_id`, `payee_account`, `amount`, `status`,
/// `reason`) and the status words of one return layout, all lower case.
struct Columns {
    names: [String; 5],
    aliases: [&'static [&'static str]; 5],
    required: [bool; 5],
    success: Vec<String>,
    failed: Vec<String>,
    pending: Vec<String>,
}

fn lower(words: &super::Words) -> Vec<String> {
    words.list().iter().map(|s| fold_width(s.trim()).to_lowercase()).collect()
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
            pending: Vec::new(),
        }
    }

    /// A bank profile's `[returns]` layout: its own names, no aliases.
    fn of(l: &ReturnLayout, path: &str) -> Result<Columns, Fatal> {
        let bad = |m: &str, zh: &str| {
            Err(Fatal::new(
                FatalKind::Usage,
                format!("bad bank profile: [returns] {m}"),
                "correct the profile (see docs/bank-profiles.md)",
            )
            .zh(format!("银行模板有误：[returns]部分{zh}"), "请更正银行模板（见 docs/bank-profiles.md）")
            .in_file(path))
        };
        if l.transfer_id.is_none() && l.payee_account.is_none() {
            return bad(
                "needs `transfer_id` or `payee_account` to match lines to transfers",
                "须写明“transfer_id”或“payee_account”，才能把回盘的行与转账对应起来",
            );
        }
        let cols = Columns {
            names: [
                l.transfer_id.as_deref().unwrap_or_default().to_lowercase(),
                l.payee_account.as_deref().unwrap_or_default().to_lowercase(),
                l.amount.to_lowercase(),
                l.status.to_lowercase(),
                l.reason.as_deref().unwrap_or_default().to_lowercase(),
            ],
            aliases: [&[]; 5],
            required: [l.transfer_id.is_some(), l.transfer_id.is_none(), true, true, false],
            success: lower(&l.success),
            failed: lower(&l.failed),
            pending: lower(&l.pending),
        };
        if cols.success.is_empty() || cols.failed.is_empty() {
            return bad("`success` and `failed` each need at least one value", "的“success”和“failed”各须至少有一个值");
        }
        let lists = [&cols.success, &cols.failed, &cols.pending];
        for (i, a) in lists.iter().enumerate() {
            if let Some(w) = a.iter().find(|w| lists[i + 1..].iter().any(|b| b.contains(w))) {
                return bad(
                    &format!("the status value {w:?} is in two of `success`, `failed`, `pending`"),
                    &format!("中状态值“{w}”同时出现在“success”“failed”“pending”中的两处"),
                );
            }
        }
        Ok(cols)
    }

    /// Settled, failed, pending, or none of them, for a status as written.
    fn status(&self, status: &str) -> Option<Verdict> {
        let status = status.to_lowercase();
        if self.success.contains(&status) {
            Some(Verdict::Settled)
        } else if self.failed.contains(&status) {
            Some(Verdict::Failed)
        } else if self.pending.contains(&status) {
            Some(Verdict::Pending)
        } else {
            None
        }
    }
}

/// Reads a tabular return in `layout` (the plain form when `None`).
pub fn read(path: &str, layout: Option<&ReturnLayout>) -> Result<(Vec<ReturnLine>, String), Fatal> {
    let cols = match layout {
        Some(l) => Columns::of(l, path)?,
        None => Columns::plain(),
    };
    let by_account = layout.is_some_and(|l| l.transfer_id.is_none());
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
            let verdict = cols.status(&f(3));
            let account = f(1).replace([' ', '-'], "");
            let problem = if r.malformed {
                Some(Problem::new(
                    "the line does not have as many fields as the header",
                    "该行的栏数与表头不一致（可能多了或少了逗号）",
                ))
            } else if amount.is_none() {
                Some(Problem::new(
                    format!("amount {:?} is not an amount", r.fields[2]),
                    format!("金额“{}”不是有效的数字", r.fields[2]),
                ))
            } else if verdict.is_none() {
                Some(Problem::new(
                    format!("status {:?} is neither a success nor a failure", r.fields[3]),
                    format!("状态“{}”既不是成功也不是失败", r.fields[3]),
                ))
            } else if by_account && account.is_empty() {
                Some(Problem::new("payee_account is empty", "收款账号为空"))
            } else if !by_account && r.fields[0].is_empty() {
                Some(Problem::new("transfer_id is empty", "转账编号为空"))
            } else {
                None
            };
            ReturnLine {
                line: r.line,
                transfer_id: if by_account { String::new() } else { f(0) },
                account,
                by_account,
                amount,
                amount_reported: true,
                currency: None,
                verdict,
                reason: r.fields[4].clone(),
                problem,
            }
        })
        .collect();
    Ok((lines, table.sha256))
}

#[cfg(test)]
mod tests {
    use super::super::Words;
    use super::*;

    fn layout(toml_text: &str) -> ReturnLayout {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn status_values_come_as_one_or_a_list() {
        let l = layout("amount = \"金额\"\nstatus = \"状态\"\npayee_account = \"账号\"\nsuccess = \"成功\"\nfailed = [\"失败\", \"F\"]\npending = [\"L\"]\n");
        assert_eq!(l.success, Words::One("成功".into()));
        let c = Columns::of(&l, "p.toml").unwrap();
        assert_eq!(c.status("成功"), Some(Verdict::Settled));
        assert_eq!(c.status("f"), Some(Verdict::Failed));
        assert_eq!(c.status("L"), Some(Verdict::Pending));
        assert_eq!(c.status("S"), None);
        assert_eq!(c.required, [false, true, true, true, false]);
    }

    #[test]
    fn a_layout_needs_a_key_and_distinct_words() {
        let none = layout("amount = \"a\"\nstatus = \"s\"\nsuccess = \"S\"\nfailed = \"F\"\n");
        assert!(Columns::of(&none, "p").err().unwrap().to_string().contains("`transfer_id` or `payee_account`"));
        let twice =
            layout("amount = \"a\"\nstatus = \"s\"\ntransfer_id = \"t\"\nsuccess = [\"S\"]\nfailed = [\"F\", \"s\"]\n");
        assert!(Columns::of(&twice, "p").err().unwrap().to_string().contains("\"s\" is in two"));
        let empty = layout("amount = \"a\"\nstatus = \"s\"\ntransfer_id = \"t\"\nsuccess = []\nfailed = \"F\"\n");
        assert!(Columns::of(&empty, "p").is_err());
    }
}
