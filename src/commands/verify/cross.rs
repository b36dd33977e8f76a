//! The run's files checked against each other (SPEC 12): who is paid how much must
//! be the same story in the audit chain, in entitlements.csv and in transfers.csv.
//!
//! Hashes in the manifest prove only that nothing changed after the manifest was
//! written; a forger who edits one account in transfers.csv and its hash passes
//! them. These checks make every file witness for the others: every paying audit
//! line has its entitlement lines, in order; per account, the paid lines add up to
//! the transfer, name the same payee, bank and bank code, and count as many children.
//!
//! The audit chain and entitlements.csv are read in step, one line at a time, and
//! only one small sum per account is kept: a province's run has millions of lines.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use rust_decimal::Decimal;

use super::{broken, Broken};
use crate::core::detail::Lang;
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::month::Month;
use crate::core::payment::{account_key, account_text};
use crate::core::text::{defuse, mask};
use crate::core::transfer_id::TransferIds;
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

/// All an account is paid, summed from entitlements.csv.
struct AccountSum {
    first_line: u64,
    amount: Decimal,
    /// Rows paying the account: one per paying audit line (one child each).
    rows: u64,
    name: Box<str>,
    /// The bank, an index in `Lockstep::banks` (a few dozen names for millions).
    bank: u32,
    /// The bank code the audit lines give (`None` when none gives one).
    code: Option<u64>,
}

/// One transfer of transfers.csv, kept for the bank files' check.
#[derive(Debug, Clone)]
pub(super) struct TransferLine {
    pub line: u64,
    pub account: u128,
    pub amount: Decimal,
}

impl TransferLine {
    /// The account, masked for the terminal.
    pub fn masked(&self) -> String {
        mask(&account_text(self.account))
    }
}

/// The key of a text that must be a normalized account (8 to 32 ASCII digits).
pub(super) fn key_of(account: &str) -> Option<u128> {
    let ok = (8..=32).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| account_key(account))
}

/// Reads entitlements.csv in step with the audit lines that pay money.
pub(super) struct Lockstep {
    rdr: csv::Reader<File>,
    /// kind, child_id, payee_name, payee_account, payee_bank, amount, source.
    cols: [usize; 7],
    rec: csv::StringRecord,
    accounts: HashMap<u128, AccountSum>,
    banks: Vec<String>,
}

impl Lockstep {
    pub fn open(dir: &Path) -> Result<Lockstep, Broken> {
        let mut rdr = csv::Reader::from_path(dir.join(ENTITLEMENTS)).map_err(|e| {
            broken(format!("{ENTITLEMENTS}: cannot read it: {e}"), format!("{ENTITLEMENTS}：无法读取：{e}"))
        })?;
        let headers = rdr
            .headers()
            .map_err(|e| broken(format!("{ENTITLEMENTS}:1: {e}"), format!("{ENTITLEMENTS}:1：{e}")))?
            .clone();
        let col = |c: &str| {
            headers.iter().position(|h| h.trim_start_matches('\u{feff}') == c).ok_or_else(|| {
                broken(format!("{ENTITLEMENTS}:1: no column {c:?}"), format!("{ENTITLEMENTS}:1：没有{c:?}列"))
            })
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
        Ok(Lockstep { rdr, cols, rec: csv::StringRecord::new(), accounts: HashMap::new(), banks: Vec::new() })
    }

    /// Takes the entitlement lines of one paying audit line: its regular line, then
    /// its arrears line, each with the same source, child, account and amount.
    pub fn audit_pays(&mut self, a: &AuditPay) -> Result<(), Broken> {
        let key = key_of(&a.account).ok_or_else(|| {
            broken(
                format!("audit.jsonl:{}: payee_account is not an account number", a.line),
                format!("audit.jsonl:{}：收款账号（payee_account）不是账号", a.line),
            )
        })?;
        let code = match &a.code {
            None => None,
            Some(c) if c.len() == 12 && c.bytes().all(|b| b.is_ascii_digit()) => c.parse::<u64>().ok(),
            Some(_) => {
                return Err(broken(
                    format!("audit.jsonl:{}: payee_bank_code is not a 12-digit code", a.line),
                    format!("audit.jsonl:{}：开户行联行号（payee_bank_code）不是12位数字", a.line),
                ))
            }
        };
        for (arrears, amount) in [(false, a.regular), (true, a.arrears)] {
            let Some(amount) = amount else { continue };
            let kind = if arrears { "arrears" } else { "regular" };
            let more = self.rdr.read_record(&mut self.rec).map_err(|e| {
                broken(
                    format!("{ENTITLEMENTS}:{}: {e}", e.position().map_or(0, |p| p.line())),
                    format!("{ENTITLEMENTS}:{}：{e}", e.position().map_or(0, |p| p.line())),
                )
            })?;
            if !more {
                return Err(broken(
                    format!(
                        "audit.jsonl:{}: pays {} ({kind}) but {ENTITLEMENTS} has no line for it",
                        a.line,
                        fmt_amount(amount)
                    ),
                    format!("audit.jsonl:{}：发放{}，但 {ENTITLEMENTS} 中没有对应的行", a.line, fmt_amount(amount)),
                ));
            }
            let line = self.rec.position().map_or(0, |p| p.line());
            let [k, child, name, account, bank, value, source] = self.cols.map(|c| self.rec.get(c).unwrap_or(""));
            let value = parse_amount(value).map_err(|_| {
                broken(
                    format!("{ENTITLEMENTS}:{line}: amount is not an amount"),
                    format!("{ENTITLEMENTS}:{line}：金额不是有效的数字"),
                )
            })?;
            let kind_zh = crate::core::glossary::say(crate::core::glossary::Group::Kind, kind, Lang::Zh);
            let what = if k != kind {
                Some((
                    format!("is not the {kind} line audit.jsonl:{} expects", a.line),
                    format!("不是 audit.jsonl:{} 所要的{kind_zh}行", a.line),
                ))
            } else if source != defuse(&a.source) || child != a.child_id {
                Some((
                    format!("is not the row of audit.jsonl:{} ({})", a.line, a.source),
                    format!("不是 audit.jsonl:{}（{}）的那一行", a.line, a.source),
                ))
            } else if account != a.account {
                Some((
                    format!("pays account {} where audit.jsonl:{} pays {}", mask(account), a.line, mask(&a.account)),
                    format!("付往账号{}，而 audit.jsonl:{} 付往{}", mask(account), a.line, mask(&a.account)),
                ))
            } else if value != amount {
                Some((
                    format!("pays {} where audit.jsonl:{} pays {}", fmt_amount(value), a.line, fmt_amount(amount)),
                    format!("发放{}，而 audit.jsonl:{} 发放{}", fmt_amount(value), a.line, fmt_amount(amount)),
                ))
            } else {
                None
            };
            if let Some((what, zh)) = what {
                return Err(broken(format!("{ENTITLEMENTS}:{line}: {what}"), format!("{ENTITLEMENTS}:{line}：{zh}")));
            }
            let bank = match self.banks.iter().position(|b| b == bank) {
                Some(i) => i as u32,
                None => {
                    self.banks.push(bank.to_owned());
                    (self.banks.len() - 1) as u32
                }
            };
            let sum = self.accounts.entry(key).or_insert_with(|| AccountSum {
                first_line: line,
                amount: Decimal::ZERO,
                rows: 0,
                name: name.into(),
                bank,
                code: None,
            });
            if *sum.name != *name || sum.bank != bank {
                return Err(broken(
                    format!(
                        "{ENTITLEMENTS}:{line}: account {} names another payee or bank than line {}",
                        mask(account),
                        sum.first_line
                    ),
                    format!(
                        "{ENTITLEMENTS}:{line}：账号{}的收款人或开户银行与第{}行不同",
                        mask(account),
                        sum.first_line
                    ),
                ));
            }
            sum.amount += value;
        }
        let sum = self.accounts.get_mut(&key).expect("a paying line adds its account");
        sum.rows += 1;
        match (sum.code, code) {
            (_, None) => {}
            (None, Some(c)) => sum.code = Some(c),
            (Some(have), Some(c)) if have == c => {}
            (Some(_), Some(_)) => {
                return Err(broken(
                    format!("audit.jsonl:{}: account {} is given two different bank codes", a.line, mask(&a.account)),
                    format!("audit.jsonl:{}：账号{}有两个不同的联行号", a.line, mask(&a.account)),
                ))
            }
        }
        Ok(())
    }

    /// After the last audit line: entitlements.csv has no line left over. On a real
    /// run, transfers.csv then agrees with the sums; returns its transfers.
    pub fn finish(mut self, dir: &Path, period: &str, real: bool) -> Result<Vec<TransferLine>, Broken> {
        if self
            .rdr
            .read_record(&mut self.rec)
            .map_err(|e| broken(format!("{ENTITLEMENTS}: {e}"), format!("{ENTITLEMENTS}：{e}")))?
        {
            let line = self.rec.position().map_or(0, |p| p.line());
            return Err(broken(
                format!("{ENTITLEMENTS}:{line}: a payment line no line of audit.jsonl pays"),
                format!("{ENTITLEMENTS}:{line}：audit.jsonl 中没有哪一行发放这条记录"),
            ));
        }
        if !real {
            return Ok(Vec::new());
        }
        let month = Month::parse(period).ok_or_else(|| {
            broken(
                format!("manifest.json: period {period:?} is not a month"),
                format!("manifest.json：发放年月{period:?}不是年月"),
            )
        })?;
        self.transfers(&dir.join(TRANSFERS), month)
    }

    fn transfers(mut self, path: &Path, period: Month) -> Result<Vec<TransferLine>, Broken> {
        let mut rdr = csv::Reader::from_path(path)
            .map_err(|e| broken(format!("{TRANSFERS}: cannot read it: {e}"), format!("{TRANSFERS}：无法读取：{e}")))?;
        let headers =
            rdr.headers().map_err(|e| broken(format!("{TRANSFERS}:1: {e}"), format!("{TRANSFERS}:1：{e}")))?.clone();
        let col = |c: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == c)
                .ok_or_else(|| broken(format!("{TRANSFERS}:1: no column {c:?}"), format!("{TRANSFERS}:1：没有{c:?}列")))
        };
        let (id, account, name, bank) =
            (col("transfer_id")?, col("payee_account")?, col("payee_name")?, col("payee_bank")?);
        let (amount, children) = (col("amount")?, col("children")?);
        let code = headers.iter().position(|h| h == "payee_bank_code");
        let mut ids = TransferIds::new(period);
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        while rdr.read_record(&mut rec).map_err(|e| {
            broken(
                format!("{TRANSFERS}:{}: {e}", e.position().map_or(0, |p| p.line())),
                format!("{TRANSFERS}:{}：{e}", e.position().map_or(0, |p| p.line())),
            )
        })? {
            let line = rec.position().map_or(0, |p| p.line());
            let get = |c: usize| rec.get(c).unwrap_or("");
            let bad = |what: String, zh: String| {
                broken(format!("{TRANSFERS}:{line}: {what}"), format!("{TRANSFERS}:{line}：{zh}"))
            };
            let transfer_id = get(id);
            if transfer_id != ids.get(out.len() as u64 + 1) {
                return Err(bad(
                    format!("transfer id {transfer_id:?} is out of its sequence"),
                    format!("转账编号{transfer_id:?}不在应有的顺序上"),
                ));
            }
            let key = key_of(get(account)).ok_or_else(|| {
                bad("payee_account is not an account number".into(), "收款账号（payee_account）不是账号".into())
            })?;
            let Some(sum) = self.accounts.remove(&key) else {
                return Err(bad(
                    format!(
                        "transfer {transfer_id} pays account {} which no paid line of {ENTITLEMENTS} names (or a second time)",
                        mask(get(account))
                    ),
                    format!(
                        "转账{transfer_id}付往账号{}，而 {ENTITLEMENTS} 中没有发放到这个账号的行（或重复付往）",
                        mask(get(account))
                    ),
                ));
            };
            let t = TransferLine {
                line,
                account: key,
                amount: parse_amount(get(amount))
                    .map_err(|_| bad("amount is not an amount".into(), "金额不是有效的数字".into()))?,
            };
            let n: u64 =
                get(children).parse().map_err(|_| bad("children is not a count".into(), "儿童人数不是数字".into()))?;
            let want_code = sum.code.map(|c| format!("{c:012}")).unwrap_or_default();
            let what = if t.amount != sum.amount {
                Some((
                    format!(
                        "amount {} but the paid lines of its account add up to {}",
                        fmt_amount(t.amount),
                        fmt_amount(sum.amount)
                    ),
                    format!("金额{}，而该账号的发放行合计{}", fmt_amount(t.amount), fmt_amount(sum.amount)),
                ))
            } else if n != sum.rows {
                Some((
                    format!("children {n} but the paid lines of its account name {}", sum.rows),
                    format!("儿童人数为{n}，而该账号的发放行有{}名儿童", sum.rows),
                ))
            } else if get(name) != &*sum.name || get(bank) != self.banks[sum.bank as usize] {
                Some((
                    format!("payee name or bank differs from {ENTITLEMENTS}:{}", sum.first_line),
                    format!("收款人或开户银行与 {ENTITLEMENTS}:{} 不同", sum.first_line),
                ))
            } else if code.map_or(sum.code.is_some(), |c| get(c) != want_code) {
                Some((
                    "payee_bank_code differs from the audit lines of its account".to_owned(),
                    "开户行联行号（payee_bank_code）与该账号的审计行不同".to_owned(),
                ))
            } else {
                None
            };
            if let Some((what, zh)) = what {
                return Err(bad(format!("transfer {transfer_id}: {what}"), format!("转账{transfer_id}：{zh}")));
            }
            out.push(t);
        }
        if let Some((key, sum)) = self.accounts.iter().min_by_key(|(_, s)| s.first_line) {
            return Err(broken(
                format!(
                    "{ENTITLEMENTS}:{}: account {} is paid here but has no transfer in {TRANSFERS}",
                    sum.first_line,
                    mask(&account_text(*key))
                ),
                format!(
                    "{ENTITLEMENTS}:{}：账号{}在此发放，但 {TRANSFERS} 中没有它的转账",
                    sum.first_line,
                    mask(&account_text(*key))
                ),
            ));
        }
        Ok(out)
    }
}
