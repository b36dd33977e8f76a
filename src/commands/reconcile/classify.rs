//! Which outcome each transfer of a run gets from a bank's return: the pure
//! classification (settled, failed, pending, amount_mismatch, missing, unknown,
//! duplicate_return, invalid_line), and `conflict` where the ledger refused a mark.
//! No I/O: the command reads the files, this decides.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::core::detail::Lang;
use crate::core::glossary::{self, yuan, Group};
use crate::core::money::fmt_amount;
use crate::ledger::Conflict;
use crate::output::transfer_file::Transfer;
use crate::returns::{ReturnLine, Verdict};

/// The outcome of one transfer (or one unmatched return line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Settled,
    Failed,
    /// The bank has it (accepted, in process); nothing final, the ledger unchanged.
    Pending,
    AmountMismatch,
    Missing,
    Unknown,
    DuplicateReturn,
    /// A return line that cannot be read (bad amount or status).
    InvalidLine,
    /// The return would move the ledger's lines backwards: not applied (SPEC section 12).
    Conflict,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Settled => "settled",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::Missing => "missing",
            Outcome::Unknown => "unknown",
            Outcome::DuplicateReturn => "duplicate_return",
            Outcome::InvalidLine => "invalid_line",
            Outcome::Conflict => "conflict",
        }
    }
}

/// One row of `bank-reconciliation.csv`.
pub(super) struct Finding {
    pub(super) transfer_id: String,
    pub(super) account: String,
    pub(super) amount: Option<Decimal>,
    pub(super) returned: Option<Decimal>,
    pub(super) outcome: Outcome,
    pub(super) reason: String,
    /// The reason for a person reading Chinese (the workbook, under `--lang zh`).
    pub(super) reason_zh: String,
    pub(super) line: Option<u64>,
}

/// A reason in English and in Chinese.
fn two(en: impl Into<String>, zh: impl Into<String>) -> (String, String) {
    (en.into(), zh.into())
}

/// Matches return lines to transfers: one finding per transfer, then the unmatched.
/// A line names its transfer by id, or (a bank result without ids) by the payee's
/// account, which is one transfer's in a run. A rejected transfer is `failed`
/// whatever amount or currency the line gives (the money did not move); any other
/// status with another amount, a currency other than CNY or another account is
/// `amount_mismatch`.
pub(super) fn classify(transfers: &[Transfer], returns: &[ReturnLine]) -> Vec<Finding> {
    // The run's transfer for each account (`None`: two transfers share it).
    let mut account_of: HashMap<&str, Option<&str>> = HashMap::new();
    for t in transfers {
        account_of.entry(t.payee_account.as_str()).and_modify(|v| *v = None).or_insert(Some(t.transfer_id.as_str()));
    }
    let key = |r: &ReturnLine| -> Option<String> {
        if r.by_account {
            account_of.get(r.account.as_str()).copied().flatten().map(str::to_owned)
        } else {
            Some(r.transfer_id.clone())
        }
    };
    let mut by_id: HashMap<String, Vec<&ReturnLine>> = HashMap::new();
    for r in returns.iter().filter(|r| r.problem.is_none()) {
        if let Some(k) = key(r) {
            by_id.entry(k).or_default().push(r);
        }
    }
    let mut findings = Vec::with_capacity(transfers.len());
    for t in transfers {
        let lines = by_id.remove(t.transfer_id.as_str()).unwrap_or_default();
        let (outcome, returned, (reason, reason_zh), line) = match lines.as_slice() {
            [] => (
                Outcome::Missing,
                None,
                two("the bank's return does not mention this transfer", "银行回盘中没有这笔转账"),
                None,
            ),
            [r] if r.verdict == Some(Verdict::Failed) => {
                (Outcome::Failed, r.amount, two(r.reason.clone(), r.reason.clone()), Some(r.line))
            }
            [r] if r.amount_reported && r.amount != Some(t.amount) => (
                Outcome::AmountMismatch,
                r.amount,
                two(
                    format!(
                        "the bank returned {} for a transfer of {}",
                        r.amount.map(fmt_amount).unwrap_or_default(),
                        fmt_amount(t.amount)
                    ),
                    format!(
                        "转账金额{}，银行回盘金额{}",
                        yuan(t.amount, Lang::Zh),
                        r.amount.map(|a| yuan(a, Lang::Zh)).unwrap_or_default()
                    ),
                ),
                Some(r.line),
            ),
            [r] if r.currency.as_deref().is_some_and(|c| c != "CNY") => (
                Outcome::AmountMismatch,
                r.amount,
                two(
                    format!("the bank reports this transfer in {}, not CNY", r.currency.as_deref().unwrap_or_default()),
                    format!("银行回盘的币种为{}，不是人民币（CNY）", r.currency.as_deref().unwrap_or_default()),
                ),
                Some(r.line),
            ),
            [r] if !r.by_account && !r.account.is_empty() && r.account != t.payee_account => {
                let why = two("the bank returned another payee account", "银行回盘的收款账号与转账不同");
                (Outcome::AmountMismatch, r.amount, why, Some(r.line))
            }
            [r] if r.verdict == Some(Verdict::Settled) => (Outcome::Settled, r.amount, two("", ""), Some(r.line)),
            [r] => (Outcome::Pending, r.amount, two(r.reason.clone(), r.reason.clone()), Some(r.line)),
            [first, ..] => (
                Outcome::DuplicateReturn,
                first.amount,
                two(
                    format!(
                        "the return has {} lines for this transfer (lines {})",
                        lines.len(),
                        lines.iter().map(|r| r.line.to_string()).collect::<Vec<_>>().join(", ")
                    ),
                    format!(
                        "回盘中这笔转账有{}行（第{}行）",
                        lines.len(),
                        lines.iter().map(|r| r.line.to_string()).collect::<Vec<_>>().join("、")
                    ),
                ),
                Some(first.line),
            ),
        };
        findings.push(Finding {
            transfer_id: t.transfer_id.clone(),
            account: t.payee_account.clone(),
            amount: Some(t.amount),
            returned,
            outcome,
            reason,
            reason_zh,
            line,
        });
    }
    for r in returns {
        let k = key(r);
        let unmatched = r.problem.is_some() || k.as_ref().is_none_or(|k| by_id.contains_key(k));
        if !unmatched {
            continue;
        }
        let (outcome, (reason, reason_zh)) = match (&r.problem, k) {
            (Some(p), _) => (
                Outcome::InvalidLine,
                two(format!("unreadable return line: {}", p.en), format!("回盘行无法读取：{}", p.zh)),
            ),
            (None, None) if account_of.contains_key(r.account.as_str()) => (
                Outcome::Unknown,
                two(
                    "two transfers of this run pay this account: the line cannot be matched",
                    "本批次有两笔转账付往这个账号，无法对应到其中一笔",
                ),
            ),
            (None, None) => {
                (Outcome::Unknown, two("no transfer of this run pays this account", "本批次没有付往这个账号的转账"))
            }
            (None, Some(_)) => (Outcome::Unknown, two("no transfer of this run has this id", "本批次没有这个转账编号")),
        };
        findings.push(Finding {
            transfer_id: r.transfer_id.clone(),
            account: r.account.clone(),
            amount: None,
            returned: r.amount,
            outcome,
            reason,
            reason_zh,
            line: Some(r.line),
        });
    }
    findings
}

/// Turns the findings of transfers the ledger would not move forward into conflicts.
pub(super) fn mark_conflicts(findings: &mut [Finding], conflicts: &[Conflict]) {
    let by_id: HashMap<&str, &Conflict> = conflicts.iter().map(|c| (c.transfer_id.as_str(), c)).collect();
    for f in findings.iter_mut().filter(|f| matches!(f.outcome, Outcome::Settled | Outcome::Failed)) {
        if let Some(c) = by_id.get(f.transfer_id.as_str()) {
            f.outcome = Outcome::Conflict;
            f.reason = conflict_reason(c);
            f.reason_zh = conflict_reason_zh(c);
        }
    }
}

/// Why a conflict was not applied, naming the ledger's current status.
fn conflict_reason(c: &Conflict) -> String {
    let repaid = if c.repaid { " and back pay has paid its month again" } else { "" };
    format!(
        "the ledger has this transfer {}{repaid}; the return says {}: not applied, a person decides",
        c.current, c.returned
    )
}

/// The same, in Chinese.
fn conflict_reason_zh(c: &Conflict) -> String {
    let say = |s: &str| glossary::say(Group::LineStatus, s, Lang::Zh).to_owned();
    let repaid = if c.repaid { "，且该月已补发" } else { "" };
    format!(
        "台账中这笔转账为“{}”{repaid}，回盘却为“{}”：未予采用，需人工核定",
        say(c.current.as_str()),
        say(c.returned.as_str())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(id: &str, account: &str, fen: i64) -> Transfer {
        Transfer {
            transfer_id: id.into(),
            period: "2018-06".into(),
            payee_account: account.into(),
            payee_name: "刘建国".into(),
            payee_bank: "ICBC".into(),
            amount: Decimal::new(fen, 2),
            children: 1,
            payee_bank_code: None,
        }
    }

    fn line(line: u64, id: &str, fen: i64, success: bool) -> ReturnLine {
        ReturnLine {
            line,
            transfer_id: id.into(),
            amount: Some(Decimal::new(fen, 2)),
            amount_reported: true,
            verdict: Some(if success { Verdict::Settled } else { Verdict::Failed }),
            reason: if success { String::new() } else { "account closed".into() },
            ..ReturnLine::default()
        }
    }

    fn outcomes(findings: &[Finding]) -> Vec<(&str, Outcome)> {
        findings.iter().map(|f| (f.transfer_id.as_str(), f.outcome)).collect()
    }

    #[test]
    fn every_transfer_gets_one_outcome() {
        let transfers = [
            transfer("T201806-000001", "62220210", 80000),
            transfer("T201806-000002", "62220211", 80000),
            transfer("T201806-000003", "62220212", 80000),
            transfer("T201806-000004", "62220213", 80000),
            transfer("T201806-000005", "62220214", 80000),
        ];
        let returns = [
            line(2, "T201806-000001", 80000, true),
            line(3, "T201806-000002", 80000, false),
            line(4, "T201806-000003", 79999, true),
            line(5, "T201806-000005", 80000, true),
            line(6, "T201806-000005", 80000, false),
            line(7, "T201806-000099", 80000, true),
        ];
        let findings = classify(&transfers, &returns);
        assert_eq!(
            outcomes(&findings),
            [
                ("T201806-000001", Outcome::Settled),
                ("T201806-000002", Outcome::Failed),
                ("T201806-000003", Outcome::AmountMismatch),
                ("T201806-000004", Outcome::Missing),
                ("T201806-000005", Outcome::DuplicateReturn),
                ("T201806-000099", Outcome::Unknown),
            ]
        );
        assert_eq!(findings[1].reason, "account closed");
        assert_eq!(findings[2].returned, Some(Decimal::new(79999, 2)));
        assert_eq!(findings[2].reason, "the bank returned 799.99 for a transfer of 800.00");
        assert_eq!(findings[3].line, None);
        assert_eq!(findings[4].line, Some(5));
        assert!(findings[4].reason.contains("lines 5, 6"), "{}", findings[4].reason);
        assert_eq!(findings[5].amount, None);
        assert_eq!(findings[5].line, Some(7));
    }

    #[test]
    fn another_payee_account_is_a_mismatch() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(2, "T201806-000001", 80000, true);
        r.account = "62220299".into();
        let f = classify(&transfers, &[r.clone()]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::AmountMismatch)]);
        assert_eq!(f[0].reason, "the bank returned another payee account");
        r.account = "62220210".into();
        assert_eq!(outcomes(&classify(&transfers, &[r])), [("T201806-000001", Outcome::Settled)]);
    }

    #[test]
    fn an_unreported_amount_is_not_compared() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(9, "T201806-000001", 0, true);
        r.amount = None;
        r.amount_reported = false;
        assert_eq!(outcomes(&classify(&transfers, &[r])), [("T201806-000001", Outcome::Settled)]);
    }

    #[test]
    fn unreadable_lines_are_listed_and_match_nothing() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut bad = line(3, "T201806-000001", 80000, true);
        bad.problem = Some(crate::returns::Problem::new(
            "status \"pending\" is neither a success nor a failure",
            "状态“pending”既不是成功也不是失败",
        ));
        let f = classify(&transfers, &[bad]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Missing), ("T201806-000001", Outcome::InvalidLine)]);
        assert!(f[1].reason.starts_with("unreadable return line: status"), "{}", f[1].reason);
    }

    #[test]
    fn rejected_is_failed_whatever_the_amount_or_currency() {
        let transfers = [transfer("T201806-000001", "62220210", 80000), transfer("T201806-000002", "62220211", 80000)];
        let mut zero = line(2, "T201806-000001", 0, false);
        zero.currency = Some("EUR".into());
        let mut usd = line(3, "T201806-000002", 80000, true);
        usd.currency = Some("USD".into());
        let f = classify(&transfers, &[zero, usd]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Failed), ("T201806-000002", Outcome::AmountMismatch)]);
        assert_eq!(f[1].reason, "the bank reports this transfer in USD, not CNY");
    }

    #[test]
    fn pending_changes_nothing_but_is_counted() {
        let transfers = [transfer("T201806-000001", "62220210", 80000)];
        let mut r = line(2, "T201806-000001", 80000, true);
        r.verdict = Some(Verdict::Pending);
        r.reason = "ACSP".into();
        let f = classify(&transfers, &[r]);
        assert_eq!(outcomes(&f), [("T201806-000001", Outcome::Pending)]);
        assert_eq!((f[0].reason.as_str(), Outcome::Pending.as_str()), ("ACSP", "pending"));
    }

    #[test]
    fn lines_without_ids_match_by_account() {
        let transfers = [transfer("T201806-000001", "62220210", 80000), transfer("T201806-000002", "62220211", 80000)];
        let by_account = |n: u64, account: &str, fen: i64, ok: bool| ReturnLine {
            transfer_id: String::new(),
            account: account.into(),
            by_account: true,
            ..line(n, "", fen, ok)
        };
        let f = classify(
            &transfers,
            &[
                by_account(2, "62220211", 0, false),
                by_account(3, "62220210", 80000, true),
                by_account(4, "6299", 1, true),
            ],
        );
        assert_eq!(
            outcomes(&f),
            [("T201806-000001", Outcome::Settled), ("T201806-000002", Outcome::Failed), ("", Outcome::Unknown)]
        );
        assert_eq!((f[0].line, f[1].line), (Some(3), Some(2)));
        assert_eq!(f[2].reason, "no transfer of this run pays this account");
        // The same account twice in the return: one transfer, two lines.
        let f = classify(&transfers, &[by_account(2, "62220210", 80000, true), by_account(3, "62220210", 80000, true)]);
        assert_eq!(f[0].outcome, Outcome::DuplicateReturn);
    }

    #[test]
    fn no_transfers_and_no_returns() {
        assert!(classify(&[], &[]).is_empty());
    }
}
