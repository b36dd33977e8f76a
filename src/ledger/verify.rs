//! `ledger verify`: the journal's chain, and the tables against the journal.
//!
//! The chain is walked from its first row: each row's `seq` follows the last, its
//! `prev` is the last row's hash and its hash is SHA-256 over `prev` and the payload.
//! The first row that fails is named and nothing after it is trusted. Then every run
//! in the `runs` table is compared with the journal's last word on it (status, period,
//! amounts, manifest, and its payment lines: how many, settled, failed, their sum and
//! digest), and every run the journal still knows must be in the table.

use std::collections::BTreeMap;

use super::journal::{self, Entry, Head, RunState, GENESIS};
use super::{db_err, Ledger};
use crate::core::detail::Lang;
use crate::error::Fatal;

/// One disagreement, as `ledger verify` prints it: in English (`.0`) and Chinese (`.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding(pub String, pub String);

impl Finding {
    /// The sentence for a person reading `lang`.
    pub fn say(&self, lang: crate::core::detail::Lang) -> &str {
        lang.pick(&self.0, &self.1)
    }
}

/// What `ledger verify` found: the journal's length and head, and the disagreements
/// (none: intact).
#[derive(Debug, Clone)]
pub struct Report {
    pub entries: i64,
    pub head: Option<Head>,
    pub findings: Vec<Finding>,
}

impl Ledger {
    /// Walks the journal and checks the tables against it.
    pub fn verify_journal(&self) -> Result<Report, Fatal> {
        let e = |e| db_err(&self.path, e);
        let mut last: BTreeMap<i64, RunState> = BTreeMap::new();
        let mut report = Report { entries: 0, head: None, findings: Vec::new() };
        {
            let mut st =
                self.conn.prepare("SELECT seq, kind, payload, prev, hash FROM journal ORDER BY seq").map_err(e)?;
            let mut rows = st.query([]).map_err(e)?;
            let mut prev = GENESIS.to_owned();
            let mut expected_seq = 1i64;
            while let Some(r) = rows.next().map_err(e)? {
                let seq: i64 = r.get(0).map_err(e)?;
                let (kind, payload, row_prev, hash): (String, String, String, String) =
                    (r.get(1).map_err(e)?, r.get(2).map_err(e)?, r.get(3).map_err(e)?, r.get(4).map_err(e)?);
                let bad = |what: String, zh: String| {
                    Finding(format!("journal seq {seq}: {what}"), format!("日志第{seq}条：{zh}"))
                };
                let problem = if seq != expected_seq {
                    Some(bad(
                        format!("expected seq {expected_seq} here: a row is missing or was inserted"),
                        format!("此处应为第{expected_seq}条：有一条被删除或插入"),
                    ))
                } else if row_prev != prev {
                    Some(bad(
                        "its prev is not the hash of the row before it".into(),
                        "其 prev 不是上一条的哈希值".into(),
                    ))
                } else if journal::row_hash(&row_prev, &payload) != hash {
                    Some(bad(
                        "its hash does not match its payload (the row was changed)".into(),
                        "其哈希值与内容不符（这一条被改动过）".into(),
                    ))
                } else {
                    match serde_json::from_str::<Entry>(&payload) {
                        Err(err) => Some(bad(
                            format!("its payload is not a journal entry ({err})"),
                            format!("其内容不是日志记录（{err}）"),
                        )),
                        Ok(entry) if entry.seq != seq || entry.kind.as_str() != kind => Some(bad(
                            "its seq or kind differs from its payload's".into(),
                            "其序号或类别与内容中的不一致".into(),
                        )),
                        Ok(entry) => {
                            last.insert(entry.run.run, entry.run);
                            None
                        }
                    }
                };
                if let Some(p) = problem {
                    report.findings.push(p);
                    return Ok(report);
                }
                prev = hash.clone();
                expected_seq += 1;
                report.entries += 1;
                report.head = Some(Head { seq, hash });
            }
        }
        let ids: Vec<i64> = {
            let mut st = self.conn.prepare("SELECT id FROM runs ORDER BY id").map_err(e)?;
            let rows = st.query_map([], |r| r.get(0)).map_err(e)?;
            rows.collect::<Result<_, _>>().map_err(e)?
        };
        for id in &ids {
            let now = match journal::state_from_tables(&self.conn, *id) {
                Ok(Some(now)) => now,
                Ok(None) => continue,
                Err(err) => {
                    report.findings.push(Finding(
                        format!("run {id}: its rows cannot be read ({err})"),
                        format!("批次{id}：其记录无法读取（{err}）"),
                    ));
                    continue;
                }
            };
            match last.get(id) {
                None => report.findings.push(Finding(
                    format!("run {id} is in the runs table but not in the journal"),
                    format!("批次{id}在批次表中，但日志中没有"),
                )),
                Some(said) if said.status == "removed" => report.findings.push(Finding(
                    format!("run {id} is in the runs table but the journal says it was removed"),
                    format!("批次{id}在批次表中，但日志记载它已被撤销"),
                )),
                Some(said) => report.findings.extend(differences(&now, said)),
            }
        }
        for (id, said) in &last {
            if said.status != "removed" && !ids.contains(id) {
                report.findings.push(Finding(
                    format!("run {id} ({} {}) is in the journal but not in the runs table", said.period, said.status),
                    format!(
                        "批次{id}（{}，{}）在日志中，但批次表中没有",
                        said.period,
                        crate::core::glossary::say(crate::core::glossary::Group::RunStatus, &said.status, Lang::Zh)
                    ),
                ));
            }
        }
        let mut st = self
            .conn
            .prepare("SELECT id, run_id FROM payments WHERE run_id NOT IN (SELECT id FROM runs) ORDER BY id LIMIT 10")
            .map_err(e)?;
        let orphans = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).map_err(e)?;
        for o in orphans {
            let (row, run) = o.map_err(e)?;
            report.findings.push(Finding(
                format!("payment row {row} belongs to run {run}, which is not in the ledger"),
                format!("发放记录第{row}行属于批次{run}，但台账中没有该批次"),
            ));
        }
        Ok(report)
    }
}

/// "nothing" in a Chinese sentence.
fn none_zh(text: &str) -> &str {
    if text == "nothing" {
        "无"
    } else {
        text
    }
}

/// What differs between a run as the tables hold it and as the journal says.
fn differences(now: &RunState, said: &RunState) -> Vec<Finding> {
    let run = now.run;
    let mut out = Vec::new();
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "nothing".into());
    let status = |s: &str| crate::core::glossary::say(crate::core::glossary::Group::RunStatus, s, Lang::Zh).to_owned();
    if now.status != said.status {
        out.push(Finding(
            format!("run {run}: status is {} in the tables, the journal says {}", now.status, said.status),
            format!("批次{run}：批次表中的状态为“{}”，而日志记载为“{}”", status(&now.status), status(&said.status)),
        ));
    }
    let mut field = |name: &str, zh: &str, table: String, journal: String| {
        if table != journal {
            out.push(Finding(
                format!("run {run}: {name} is {table} in the tables, the journal says {journal}"),
                format!("批次{run}：批次表中的{zh}为{}，而日志记载为{}", none_zh(&table), none_zh(&journal)),
            ));
        }
    };
    field("period", "发放年月", now.period.clone(), said.period.clone());
    field("mode", "方式", now.mode.clone(), said.mode.clone());
    field("amount_fen", "金额（分）", now.amount_fen.to_string(), said.amount_fen.to_string());
    field("arrears_fen", "补发金额（分）", now.arrears_fen.to_string(), said.arrears_fen.to_string());
    field("manifest_sha256", "manifest.json 的 SHA-256", opt(&now.manifest_sha256), opt(&said.manifest_sha256));
    field("audit_head", "审计链头", opt(&now.audit_head), opt(&said.audit_head));
    field("the number of payment lines", "发放记录条数", now.lines.to_string(), said.lines.to_string());
    field("the number of settled lines", "已到账条数", now.settled.to_string(), said.settled.to_string());
    field("the number of failed lines", "失败条数", now.failed.to_string(), said.failed.to_string());
    field(
        "the sum of its payment lines (fen)",
        "发放记录金额合计（分）",
        now.lines_fen.to_string(),
        said.lines_fen.to_string(),
    );
    if now.lines_digest != said.lines_digest && out.is_empty() {
        out.push(Finding(
            format!("run {run}: its payment lines differ from the journal's digest (a line's child, month, kind, amount, category, region, standard, transfer, status or live flag was changed)"),
            format!("批次{run}：发放记录与日志摘要不符（某条记录的儿童、月份、类型、金额、供养方式、区划、标准、转账、状态或有效标记被改动过）"),
        ));
    }
    out
}
