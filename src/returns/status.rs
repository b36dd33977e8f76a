//! What a pain.002 report means for each transfer of the message it answers (SPEC
//! section 14): the transaction's `TxSts`, else its batch's `PmtInfSts`, else the
//! group's `GrpSts`; a level that is absent or `PART` ("look lower") falls through.
//! A group or batch status reaches the transfers the report does not list, through
//! the run's own pain.001 (which transfers each batch holds).
//!
//! Before any of that, the report must be about a pain.001 this run sent: its
//! `OrgnlMsgId` one of the run's `MsgId`s, its `OrgnlMsgNmId` (when given) a pain.001.

use std::collections::{HashMap, HashSet};

use super::pain002::{Amount, Level, Report};
use super::sent::SentMessage;
use super::{fatal, Problem, ReturnLine, Verdict};
use crate::error::Fatal;

/// Status codes that mean "the bank has it; nothing is final yet".
pub const PENDING: [&str; 8] = ["RCVD", "ACTC", "ACCP", "ACSP", "ACWC", "ACWP", "ACFC", "PDNG"];

/// What a status code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Final(Verdict),
    /// `PART`: some accepted, some not; the lower level says which.
    Part,
    /// A code this reader does not know (reported by name, never guessed).
    Unknown,
}

pub fn class(code: &str) -> Class {
    match code {
        "ACSC" | "ACCC" => Class::Final(Verdict::Settled),
        "RJCT" => Class::Final(Verdict::Failed),
        "PART" => Class::Part,
        c if PENDING.contains(&c) => Class::Final(Verdict::Pending),
        _ => Class::Unknown,
    }
}

/// The first level, in order, that gives a status other than `PART`.
fn deciding<'a>(levels: &[Option<&'a Level>]) -> Option<(&'a Level, &'a str)> {
    levels.iter().flatten().find_map(|l| l.status.as_deref().filter(|s| class(s) != Class::Part).map(|s| (*l, s)))
}

/// Fills `r`'s verdict and reason from the status `code` of `level` (or its problem).
fn apply(r: &mut ReturnLine, level: &Level, code: &str) {
    match class(code) {
        Class::Final(v) => {
            r.verdict = Some(v);
            r.reason = match (v, level.reason.is_empty()) {
                (Verdict::Failed, false) => level.reason.clone(),
                (Verdict::Failed, true) => "RJCT (the bank gave no reason)".to_owned(),
                (Verdict::Pending, false) => format!("{code} ({})", level.reason),
                (Verdict::Pending, true) => code.to_owned(),
                (Verdict::Settled, _) => level.reason.clone(),
            };
        }
        Class::Part | Class::Unknown => {
            r.problem.get_or_insert_with(|| {
                Problem::new(
                    format!(
                        "status {code:?} is not one disburse knows (ACSC, ACCC settle; RJCT fails; {} are pending)",
                        PENDING.join(", ")
                    ),
                    format!(
                        "状态代码“{code}”无法识别（ACSC、ACCC为已到账，RJCT为失败，{}为银行处理中）",
                        PENDING.join("、")
                    ),
                )
            });
        }
    }
}

/// One return line per transfer the report decides (or cannot be read for).
pub fn resolve(path: &str, report: &Report, sent: &[SentMessage]) -> Result<Vec<ReturnLine>, Fatal> {
    let refuse = |m: String, fix: &str, zh: (String, &str)| Err(fatal(m, fix, zh).in_file(path));
    if sent.is_empty() {
        return refuse(
            "this run sent no pain.001 file, so a pain.002 status report cannot be about it".to_owned(),
            "reconcile the run whose pain.001 the bank answered, or give the bank's result as CSV",
            (
                "本批次没有发出pain.001文件，pain.002状态报告不可能是针对它的".to_owned(),
                "请对银行所答复的那个pain.001所属的批次对账，或提供CSV格式的银行回盘",
            ),
        );
    }
    let id = report.orgnl_msg_id.as_deref().unwrap_or_default();
    let Some(msg) = sent.iter().find(|m| m.msg_id == id) else {
        let about =
            if id.is_empty() { "no message (OrgnlMsgId is missing)".to_owned() } else { format!("message {id}") };
        let group = match &report.group.status {
            Some(s) if report.group.reason.is_empty() => format!(" (group status {s})"),
            Some(s) => format!(" (group status {s}: {})", report.group.reason),
            None => String::new(),
        };
        let ids: Vec<&str> = sent.iter().map(|m| m.msg_id.as_str()).collect();
        let about_zh =
            if id.is_empty() { "未注明报文（缺少OrgnlMsgId）".to_owned() } else { format!("报文{id}") };
        return refuse(
            format!("this report is about {about}{group}; this run sent {}", ids.join(", ")),
            "give the bank's status report for this run's pain.001 file (or reconcile the run it answers)",
            (
                format!("该状态报告针对的是{about_zh}，而本批次发出的是{}", ids.join("、")),
                "请提供针对本批次pain.001文件的银行状态报告（或对它所答复的批次对账）",
            ),
        );
    };
    if let Some(name) = report.orgnl_msg_nm_id.as_deref().filter(|n| !n.starts_with("pain.001")) {
        return refuse(
            format!("this report answers a {name:?} message (OrgnlMsgNmId), not a pain.001 payment file"),
            "give the bank's status report for this run's pain.001 file",
            (
                format!("该状态报告答复的是“{name}”报文（OrgnlMsgNmId），不是pain.001付款文件"),
                "请提供针对本批次pain.001文件的银行状态报告",
            ),
        );
    }
    let group = report.group.status.is_some().then_some(&report.group);
    let batch_ids: HashSet<&str> = msg.batches.iter().map(|(b, _)| b.as_str()).collect();
    let mut lines = Vec::new();
    let mut mentioned: HashSet<&str> = HashSet::new();
    for b in &report.batches {
        let batch = b.level.status.is_some().then_some(&b.level);
        if batch.is_some_and(|l| class(l.status.as_deref().unwrap_or_default()) != Class::Part)
            && !b.id.as_deref().is_some_and(|i| batch_ids.contains(i))
        {
            lines.push(ReturnLine {
                line: b.level.line,
                problem: Some(Problem::new(
                    format!(
                        "payment batch {:?} is not a batch of message {} (its status reaches no transfer)",
                        b.id.as_deref().unwrap_or_default(),
                        msg.msg_id
                    ),
                    format!(
                        "付款批次“{}”不属于报文{}（其状态对应不到任何转账）",
                        b.id.as_deref().unwrap_or_default(),
                        msg.msg_id
                    ),
                )),
                ..ReturnLine::default()
            });
        }
        for t in &b.txs {
            let own = t.level.status.is_some().then_some(&t.level);
            let Some(e2e) = t.end_to_end_id.as_deref() else {
                // A line that only echoes its batch's status is covered by the batch.
                if own.is_some() {
                    lines.push(ReturnLine {
                        line: t.level.line,
                        account: t.account.clone(),
                        problem: Some(Problem::new(
                            "the line has no OrgnlEndToEndId: it names no transfer",
                            "该行没有OrgnlEndToEndId，对应不到任何转账",
                        )),
                        ..ReturnLine::default()
                    });
                }
                continue;
            };
            mentioned.insert(e2e);
            let mut r = ReturnLine {
                line: t.level.line,
                transfer_id: e2e.to_owned(),
                account: t.account.clone(),
                currency: t.currency.clone(),
                ..ReturnLine::default()
            };
            match &t.amount {
                Amount::Absent => {}
                Amount::Given(a) => (r.amount, r.amount_reported) = (Some(*a), true),
                Amount::Bad(text) => {
                    r.problem = Some(Problem::new(
                        format!("amount {text:?} is not a decimal number"),
                        format!("金额“{text}”不是有效的数字"),
                    ))
                }
            }
            match deciding(&[own, batch, group]) {
                Some((level, code)) => apply(&mut r, level, code),
                None => {
                    r.problem.get_or_insert_with(|| {
                        Problem::new(
                            "the report gives this transfer no status (none at transaction, batch or group level)",
                            "回盘没有给出这笔转账的状态（交易、批次和报文三级都没有）",
                        )
                    });
                }
            }
            lines.push(r);
        }
    }
    // Transfers the report does not list: their batch's status, else the group's.
    let mut by_batch: HashMap<&str, &Level> = HashMap::new();
    for b in &report.batches {
        if let (Some(id), Some(_)) = (b.id.as_deref(), &b.level.status) {
            by_batch.entry(id).or_insert(&b.level);
        }
    }
    for (batch_id, ids) in &msg.batches {
        let batch = by_batch.get(batch_id.as_str()).copied();
        let Some((level, code)) = deciding(&[batch, group]) else { continue };
        for id in ids.iter().filter(|id| !mentioned.contains(id.as_str())) {
            let mut r = ReturnLine { line: level.line, transfer_id: id.clone(), ..ReturnLine::default() };
            apply(&mut r, level, code);
            lines.push(r);
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::pain002::{Batch, Tx};
    use super::*;
    use rust_decimal::Decimal;

    fn level(status: &str, reason: &str, line: u64) -> Level {
        Level { status: (!status.is_empty()).then(|| status.to_owned()), reason: reason.into(), line }
    }

    fn tx(id: &str, status: &str, line: u64) -> Tx {
        Tx { end_to_end_id: Some(id.into()), level: level(status, "", line), ..Tx::default() }
    }

    fn sent() -> Vec<SentMessage> {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        vec![SentMessage {
            file: "bank/pain001/p.xml".into(),
            msg_id: "M".into(),
            batches: vec![("M-001".into(), ids(&["T1", "T2"])), ("M-002".into(), ids(&["T3", "T4"]))],
        }]
    }

    fn report(group: Level, batches: Vec<Batch>) -> Report {
        Report { orgnl_msg_id: Some("M".into()), group, batches, ..Report::default() }
    }

    fn verdicts(lines: &[ReturnLine]) -> Vec<(String, Option<Verdict>, u64)> {
        let mut v: Vec<_> = lines.iter().map(|l| (l.transfer_id.clone(), l.verdict, l.line)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn a_group_rejection_reaches_every_transfer() {
        let r = report(level("RJCT", "DU01: ISO Duplicate Message ID", 3), vec![]);
        let lines = resolve("r", &r, &sent()).unwrap();
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.verdict == Some(Verdict::Failed) && l.line == 3));
        assert_eq!(lines[0].reason, "DU01: ISO Duplicate Message ID");
    }

    #[test]
    fn precedence_transaction_then_batch_then_group() {
        let batches = vec![
            Batch { id: Some("M-001".into()), level: level("RJCT", "", 5), txs: vec![tx("T1", "", 6)] },
            Batch { id: Some("M-002".into()), level: level("PART", "", 7), txs: vec![tx("T3", "ACSC", 8)] },
        ];
        let lines = resolve("r", &report(level("ACTC", "", 2), batches), &sent()).unwrap();
        assert_eq!(
            verdicts(&lines),
            [
                ("T1".into(), Some(Verdict::Failed), 6),
                ("T2".into(), Some(Verdict::Failed), 5),
                ("T3".into(), Some(Verdict::Settled), 8),
                ("T4".into(), Some(Verdict::Pending), 2),
            ]
        );
        assert_eq!(lines.iter().find(|l| l.transfer_id == "T2").unwrap().reason, "RJCT (the bank gave no reason)");
    }

    #[test]
    fn nothing_said_means_missing_and_part_everywhere_decides_nothing() {
        let batches = vec![Batch { id: Some("M-001".into()), level: level("PART", "", 5), txs: vec![tx("T1", "", 6)] }];
        let lines = resolve("r", &report(level("PART", "", 2), batches), &sent()).unwrap();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].problem.as_ref().map(|p| p.en.as_str()).unwrap().contains("no status"),
            "{:?}",
            lines[0].problem
        );
    }

    #[test]
    fn unknown_codes_and_bad_amounts_are_named() {
        let mut t = tx("T1", "ACSC", 6);
        t.amount = Amount::Bad("80O.00".into());
        let batches =
            vec![Batch { id: Some("M-001".into()), level: Level::default(), txs: vec![t, tx("T2", "XXXX", 7)] }];
        let lines = resolve("r", &report(Level::default(), batches), &sent()).unwrap();
        assert_eq!(lines[0].problem.as_ref().map(|p| p.en.as_str()), Some("amount \"80O.00\" is not a decimal number"));
        assert!(lines[1]
            .problem
            .as_ref()
            .map(|p| p.en.as_str())
            .unwrap()
            .starts_with("status \"XXXX\" is not one disburse knows"));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn the_report_must_answer_this_runs_pain001() {
        let mut r = report(level("RJCT", "FF01: Datei ungültig", 2), vec![]);
        r.orgnl_msg_id = Some("NOTPROVIDED".into());
        let e = resolve("r", &r, &sent()).unwrap_err().to_string();
        assert!(
            e.contains("about message NOTPROVIDED (group status RJCT: FF01: Datei ungültig); this run sent M"),
            "{e}"
        );
        r.orgnl_msg_id = None;
        assert!(resolve("r", &r, &sent()).unwrap_err().to_string().contains("OrgnlMsgId is missing"));
        r.orgnl_msg_id = Some("M".into());
        r.orgnl_msg_nm_id = Some("NACHA".into());
        assert!(resolve("r", &r, &sent()).unwrap_err().to_string().contains("\"NACHA\""));
        r.orgnl_msg_nm_id = Some("pain.001".into());
        assert!(resolve("r", &r, &sent()).is_ok());
        assert!(resolve("r", &r, &[]).unwrap_err().to_string().contains("sent no pain.001"));
    }

    /// A cheap stand-in for the fuzz target (`fuzz/fuzz_targets/pain002.rs`) in
    /// every `cargo test`: the real-shaped fixtures cut short and with bytes replaced
    /// by markup characters never panic, and every line resolved has a verdict or a
    /// problem.
    #[test]
    fn mutated_reports_never_panic() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/returns/pain002");
        for f in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            let step = (bytes.len() / 60).max(1);
            for at in (0..bytes.len()).step_by(step) {
                let mut variants = vec![bytes[..at].to_vec()];
                for b in [b'<', b'>', b'/', b'"', b'7', 0xFF] {
                    let mut v = bytes.clone();
                    v[at] = b;
                    variants.push(v);
                }
                for v in variants {
                    let Ok(report) = super::super::pain002::parse("m.xml", &v) else { continue };
                    let mut sent = sent();
                    sent[0].msg_id = report.orgnl_msg_id.clone().unwrap_or_default();
                    for l in resolve("m.xml", &report, &sent).unwrap_or_default() {
                        assert!(l.verdict.is_some() || l.problem.is_some());
                    }
                }
            }
        }
    }

    #[test]
    fn an_unlisted_batch_and_an_unkeyed_line_are_reported() {
        let mut t = tx("", "RJCT", 9);
        t.end_to_end_id = None;
        let echo = Tx { end_to_end_id: None, amount: Amount::Given(Decimal::ONE), ..Tx::default() };
        let batches = vec![Batch { id: Some("OTHER".into()), level: level("RJCT", "", 8), txs: vec![t, echo] }];
        let lines = resolve("r", &report(Level::default(), batches), &sent()).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines[0]
            .problem
            .as_ref()
            .map(|p| p.en.as_str())
            .unwrap()
            .contains("\"OTHER\" is not a batch of message M"));
        assert!(lines[1].problem.as_ref().map(|p| p.en.as_str()).unwrap().contains("no OrgnlEndToEndId"));
    }
}
