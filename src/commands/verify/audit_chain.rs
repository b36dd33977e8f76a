//! Walking `audit.jsonl`: every line's `prev` is the SHA-256 of the line before it
//! and the last line's is the manifest's `audit_head`; on the way, the decisions and
//! amounts the manifest's totals must agree with, and (in lockstep with the
//! entitlements) who each paying line pays.

use std::io::{BufRead, BufReader};
use std::path::Path;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::{broken, cross, Broken};
use crate::core::decision::{Decision, DecisionCounts};
use crate::core::money::parse_amount;
use crate::output::manifest::Manifest;
use crate::output::monthly::{AUDIT, GENESIS};

pub(super) struct AuditFacts {
    pub(super) counts: DecisionCounts,
    pub(super) amount: Decimal,
    pub(super) arrears: Decimal,
}

pub(super) fn walk_audit(
    path: &Path,
    manifest: &Manifest,
    lockstep: &mut cross::Lockstep,
) -> Result<AuditFacts, Broken> {
    let f = std::fs::File::open(path)
        .map_err(|e| broken(format!("{AUDIT}: cannot read it: {e}"), format!("{AUDIT}：无法读取：{e}")))?;
    let mut prev = GENESIS.to_owned();
    let mut facts = AuditFacts { counts: DecisionCounts::default(), amount: Decimal::ZERO, arrears: Decimal::ZERO };
    let mut reader = BufReader::with_capacity(1 << 20, f);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| broken(format!("{AUDIT}: cannot read it: {e}"), format!("{AUDIT}：无法读取：{e}")))?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.pop() != Some(b'\n') {
            return Err(broken(
                format!("{AUDIT}:{n}: the last line has no line end (the file was cut short)"),
                format!("{AUDIT}:{n}：最后一行没有换行符（文件被截断）"),
            ));
        }
        let v: serde_json::Value = serde_json::from_slice(&line).map_err(|e| {
            broken(format!("{AUDIT}:{n}: not a JSON object: {e}"), format!("{AUDIT}:{n}：不是 JSON 对象：{e}"))
        })?;
        if v.get("prev").and_then(|p| p.as_str()) != Some(prev.as_str()) {
            return Err(broken(
                format!("{AUDIT}:{n}: prev does not match the SHA-256 of line {} (the chain is broken here)", n - 1),
                format!("{AUDIT}:{n}：prev 与第{}行的 SHA-256 不符（审计链在此断开）", n - 1),
            ));
        }
        if v.get("seq").and_then(|s| s.as_u64()) != Some(n) {
            return Err(broken(format!("{AUDIT}:{n}: seq is not {n}"), format!("{AUDIT}:{n}：序号（seq）不是{n}")));
        }
        let decision = v.get("decision").and_then(|d| d.as_str()).unwrap_or("");
        let Some(decision) = Decision::parse(decision) else {
            return Err(broken(
                format!("{AUDIT}:{n}: unknown decision {decision:?}"),
                format!("{AUDIT}:{n}：未知的处理结果{decision:?}"),
            ));
        };
        facts.counts.add(decision);
        let mut regular = None;
        if decision == Decision::Paid {
            let amount =
                v.get("amount").and_then(|a| a.as_str()).and_then(|a| parse_amount(a).ok()).ok_or_else(|| {
                    broken(
                        format!("{AUDIT}:{n}: a paid line without an amount"),
                        format!("{AUDIT}:{n}：发放的行没有金额"),
                    )
                })?;
            facts.amount += amount;
            regular = Some(amount);
        }
        let mut arrears = None;
        if let Some(months) = v.get("arrears").and_then(|a| a.as_array()) {
            for m in months {
                let owed =
                    m.get("owed").and_then(|a| a.as_str()).and_then(|a| parse_amount(a).ok()).ok_or_else(|| {
                        broken(
                            format!("{AUDIT}:{n}: an arrears month without an amount owed"),
                            format!("{AUDIT}:{n}：补发月份没有应发金额"),
                        )
                    })?;
                facts.amount += owed;
                facts.arrears += owed;
                *arrears.get_or_insert(Decimal::ZERO) += owed;
            }
        }
        if regular.is_some() || arrears.is_some() {
            let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
            let account = text("payee_account").ok_or_else(|| {
                broken(
                    format!("{AUDIT}:{n}: a line that pays money without payee_account"),
                    format!("{AUDIT}:{n}：发放金额的行没有收款账号（payee_account）"),
                )
            })?;
            let code = match v.get("payee_bank_code") {
                Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(c)) => Some(c.clone()),
                _ => {
                    return Err(broken(
                        format!("{AUDIT}:{n}: payee_bank_code is neither a code nor null"),
                        format!("{AUDIT}:{n}：开户行联行号（payee_bank_code）既不是代码也不是 null"),
                    ))
                }
            };
            lockstep.audit_pays(&cross::AuditPay {
                line: n,
                source: text("source").unwrap_or_default(),
                child_id: text("child_id").unwrap_or_default(),
                regular,
                arrears,
                account,
                code,
            })?;
        }
        prev = crate::hex(&Sha256::digest(&line));
    }
    if prev != manifest.audit_head {
        return Err(broken(
            format!("{AUDIT}: the last line's SHA-256 is not the manifest's audit_head (lines were removed or added)"),
            format!("{AUDIT}：最后一行的 SHA-256 与 manifest.json 的 audit_head 不符（有行被删除或添加）"),
        ));
    }
    Ok(facts)
}
