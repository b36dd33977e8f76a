//! The run's files checked against each other (SPEC 12): who is paid how much must
//! be the same story in the audit chain, in entitlements.csv and in transfers.csv.
//!
//! Hashes in the manifest prove only that nothing changed after the manifest was
//! written; a forger who edits one account in transfers.csv and its hash passes
//! them. These checks make every file witness for the others: per account, the paid
//! lines add up to the transfer, name the same payee, bank and bank code, and count
//! as many children; every paying audit line has its entitlement line, in order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::Decimal;

use super::{broken, Broken};
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::text::{defuse, mask};
use crate::output::monthly::{ENTITLEMENTS, TRANSFERS};

/// What one audit line says is paid, and to whom.
#[derive(Debug, Clone)]
pub(super) struct AuditPay {
    pub line: u64,
    pub source: String,
    pub child_id: String,
    /// The regular amount (a `paid` line).
    pub regular: Option<Decimal>,
    /// The back pay owed, summed (a line with `arrears`).
    pub arrears: Option<Decimal>,
    pub account: String,
    pub code: Option<String>,
}

/// One payment line of entitlements.csv.
struct EntLine {
    line: u64,
    arrears: bool,
    child_id: String,
    name: String,
    account: String,
    bank: String,
    amount: Decimal,
    source: String,
}

/// All an account is paid, summed from entitlements.csv.
struct Account {
    first_line: u64,
    amount: Decimal,
    children: BTreeSet<String>,
    name: String,
    bank: String,
    /// The bank code the audit lines give (`None` when none gives one).
    code: Option<String>,
}

/// One transfer of transfers.csv, for the bank files' check.
#[derive(Debug, Clone)]
pub(super) struct TransferLine {
    pub line: u64,
    pub transfer_id: String,
    pub account: String,
    pub amount: Decimal,
}

/// Checks entitlements.csv against the audit lines, and (a real run) transfers.csv
/// against both. Returns the transfers for the bank files' check.
pub(super) fn check(dir: &Path, audit: &[AuditPay], real: bool) -> Result<Vec<TransferLine>, Broken> {
    let lines = read_entitlements(&dir.join(ENTITLEMENTS))?;
    audit_against_entitlements(audit, &lines)?;
    let mut accounts = by_account(&lines)?;
    for a in audit {
        let acc = accounts.get_mut(&a.account).ok_or_else(|| {
            broken(format!(
                "audit.jsonl:{}: pays account {} which no line of {ENTITLEMENTS} names",
                a.line,
                mask(&a.account)
            ))
        })?;
        match (&acc.code, &a.code) {
            (_, None) => {}
            (None, Some(c)) => acc.code = Some(c.clone()),
            (Some(have), Some(c)) if have == c => {}
            (Some(_), Some(_)) => {
                return Err(broken(format!(
                    "audit.jsonl:{}: account {} is given two different bank codes",
                    a.line,
                    mask(&a.account)
                )))
            }
        }
    }
    if !real {
        return Ok(Vec::new());
    }
    transfers_against_accounts(&dir.join(TRANSFERS), accounts)
}

/// Every paying audit line has its entitlement lines, in the same order, with the
/// same source, child, account and amount; and no entitlement line is left over.
fn audit_against_entitlements(audit: &[AuditPay], lines: &[EntLine]) -> Result<(), Broken> {
    let mut next = lines.iter().peekable();
    for a in audit {
        let wanted = [(false, a.regular), (true, a.arrears)];
        for (arrears, amount) in wanted.into_iter().filter_map(|(k, amt)| amt.map(|x| (k, x))) {
            let kind = if arrears { "arrears" } else { "regular" };
            let Some(e) = next.next() else {
                return Err(broken(format!(
                    "audit.jsonl:{}: pays {} ({kind}) but {ENTITLEMENTS} has no line for it",
                    a.line,
                    fmt_amount(amount)
                )));
            };
            let what = if e.arrears != arrears {
                Some(format!("is not the {kind} line audit.jsonl:{} expects", a.line))
            } else if e.source != defuse(&a.source) || e.child_id != a.child_id {
                Some(format!("is not the row of audit.jsonl:{} ({})", a.line, a.source))
            } else if e.account != a.account {
                Some(format!(
                    "pays account {} where audit.jsonl:{} pays {}",
                    mask(&e.account),
                    a.line,
                    mask(&a.account)
                ))
            } else if e.amount != amount {
                Some(format!("pays {} where audit.jsonl:{} pays {}", fmt_amount(e.amount), a.line, fmt_amount(amount)))
            } else {
                None
            };
            if let Some(what) = what {
                return Err(broken(format!("{ENTITLEMENTS}:{}: {what}", e.line)));
            }
        }
    }
    if let Some(e) = next.next() {
        return Err(broken(format!("{ENTITLEMENTS}:{}: a payment line no line of audit.jsonl pays", e.line)));
    }
    Ok(())
}

/// Sums the lines per account; the lines of one account must name one payee and bank.
fn by_account(lines: &[EntLine]) -> Result<BTreeMap<String, Account>, Broken> {
    let mut accounts: BTreeMap<String, Account> = BTreeMap::new();
    for e in lines {
        let acc = accounts.entry(e.account.clone()).or_insert_with(|| Account {
            first_line: e.line,
            amount: Decimal::ZERO,
            children: BTreeSet::new(),
            name: e.name.clone(),
            bank: e.bank.clone(),
            code: None,
        });
        if acc.name != e.name || acc.bank != e.bank {
            return Err(broken(format!(
                "{ENTITLEMENTS}:{}: account {} names another payee or bank than line {}",
                e.line,
                mask(&e.account),
                acc.first_line
            )));
        }
        acc.amount += e.amount;
        acc.children.insert(e.child_id.clone());
    }
    Ok(accounts)
}

fn transfers_against_accounts(
    path: &Path,
    mut accounts: BTreeMap<String, Account>,
) -> Result<Vec<TransferLine>, Broken> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| broken(format!("{TRANSFERS}: cannot read it: {e}")))?;
    let headers = rdr.headers().map_err(|e| broken(format!("{TRANSFERS}:1: {e}")))?.clone();
    let col =
        |c: &str| headers.iter().position(|h| h == c).ok_or_else(|| broken(format!("{TRANSFERS}:1: no column {c:?}")));
    let (id, account, name, bank) =
        (col("transfer_id")?, col("payee_account")?, col("payee_name")?, col("payee_bank")?);
    let (amount, children) = (col("amount")?, col("children")?);
    let code = headers.iter().position(|h| h == "payee_bank_code");
    let mut seen_ids = BTreeSet::new();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| broken(format!("{TRANSFERS}:{}: {e}", e.position().map_or(0, |p| p.line()))))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: usize| rec.get(c).unwrap_or("");
        let bad = |what: String| broken(format!("{TRANSFERS}:{line}: {what}"));
        let t = TransferLine {
            line,
            transfer_id: get(id).to_owned(),
            account: get(account).to_owned(),
            amount: parse_amount(get(amount)).map_err(|_| bad("amount is not an amount".into()))?,
        };
        if !seen_ids.insert(t.transfer_id.clone()) {
            return Err(bad(format!("transfer id {} appears twice", t.transfer_id)));
        }
        let Some(acc) = accounts.remove(&t.account) else {
            return Err(bad(format!(
                "transfer {} pays account {} which no paid line of {ENTITLEMENTS} names (or a second time)",
                t.transfer_id,
                mask(&t.account)
            )));
        };
        let n: u64 = get(children).parse().map_err(|_| bad("children is not a count".into()))?;
        let given_code = code.map(|c| get(c));
        let what = if t.amount != acc.amount {
            Some(format!(
                "amount {} but the paid lines of its account add up to {}",
                fmt_amount(t.amount),
                fmt_amount(acc.amount)
            ))
        } else if n != acc.children.len() as u64 {
            Some(format!("children {n} but the paid lines of its account name {}", acc.children.len()))
        } else if get(name) != acc.name || get(bank) != acc.bank {
            Some(format!("payee name or bank differs from {ENTITLEMENTS}:{}", acc.first_line))
        } else if given_code.is_some_and(|c| c != acc.code.as_deref().unwrap_or(""))
            || (given_code.is_none() && acc.code.is_some())
        {
            Some("payee_bank_code differs from the audit lines of its account".to_owned())
        } else {
            None
        };
        if let Some(what) = what {
            return Err(bad(format!("transfer {}: {what}", t.transfer_id)));
        }
        out.push(t);
    }
    if let Some((account, acc)) = accounts.into_iter().next() {
        return Err(broken(format!(
            "{ENTITLEMENTS}:{}: account {} is paid here but has no transfer in {TRANSFERS}",
            acc.first_line,
            mask(&account)
        )));
    }
    Ok(out)
}

fn read_entitlements(path: &Path) -> Result<Vec<EntLine>, Broken> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| broken(format!("{ENTITLEMENTS}: cannot read it: {e}")))?;
    let headers = rdr.headers().map_err(|e| broken(format!("{ENTITLEMENTS}:1: {e}")))?.clone();
    let col = |c: &str| {
        headers.iter().position(|h| h == c).ok_or_else(|| broken(format!("{ENTITLEMENTS}:1: no column {c:?}")))
    };
    let cols = [
        col("kind")?,
        col("child_id")?,
        col("payee_name")?,
        col("payee_account")?,
        col("payee_bank")?,
        col("amount")?,
        col("source")?,
    ];
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| broken(format!("{ENTITLEMENTS}:{}: {e}", e.position().map_or(0, |p| p.line()))))?;
        let line = rec.position().map_or(0, |p| p.line());
        let [kind, child, name, account, bank, amount, source] = cols.map(|c| rec.get(c).unwrap_or("").to_owned());
        out.push(EntLine {
            line,
            arrears: match kind.as_str() {
                "regular" => false,
                "arrears" => true,
                other => return Err(broken(format!("{ENTITLEMENTS}:{line}: unknown kind {other:?}"))),
            },
            child_id: child,
            name,
            account,
            bank,
            amount: parse_amount(&amount)
                .map_err(|_| broken(format!("{ENTITLEMENTS}:{line}: amount is not an amount")))?,
            source,
        });
    }
    Ok(out)
}
