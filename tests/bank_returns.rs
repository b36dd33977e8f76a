//! Bank results as real banks send them (SPEC sections 13 and 14): pain.002 status
//! reports of every version form, level and status class, on the shapes of published
//! reports (`fixtures/returns/pain002/`, provenance in each file), checked for the
//! outcomes AND the ledger marks; hostile reports (deep, large, not decimal, UTF-16);
//! and a 回盘 result file matched by account in a profile's layout.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;

/// The built-in pain001 profile, but in batches of five: the 13 transfers of the
/// 2018-06 run go out as batches 001 (T…01-05), 002 (T…06-10) and 003 (T…11-13).
const BY_FIVE: &str =
    "name = \"pain001-by5\"\nformat = \"pain001\"\nmax_rows = 5\nfile_name = \"pain001-{period}.xml\"\n";

fn run_by_five(s: &Scratch) -> (std::path::PathBuf, std::path::PathBuf) {
    let profile = s.write("pain001-by5.toml", BY_FIVE);
    june_pain001_run(s, &profile)
}

fn reconcile(ledger: &Path, run: &Path, returns: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["reconcile".into(), "--run".into(), run.to_string_lossy().into_owned()];
    args.extend(["--returns".into(), returns.to_owned(), "--out".into(), out.to_string_lossy().into_owned()]);
    args.extend(extra.iter().map(|x| x.to_string()));
    disburse_with(ledger, args)
}

fn tid(n: u32) -> String {
    format!("T201806-{n:06}")
}

/// Every row of bank-reconciliation.csv: transfer id → its outcomes (in file order).
fn outcomes(out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in csv_rows(&out.join("bank-reconciliation.csv")) {
        m.entry(r["transfer_id"].clone()).or_default().push(r["outcome"].clone());
    }
    m
}

fn row(out: &Path, id: &str) -> BTreeMap<String, String> {
    csv_rows(&out.join("bank-reconciliation.csv")).into_iter().find(|r| r["transfer_id"] == id).unwrap()
}

/// The ledger status of each transfer's payment lines in run `run` (one child each,
/// or several for a guardian paid for two): from `ledger history ID --json`.
fn ledger_marks(ledger: &Path, run: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut marks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in csv_rows(&run.join("entitlements.csv")) {
        let o = disburse_with(ledger, ["ledger", "history", e["child_id"].as_str(), "--json"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let lines: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for l in lines.as_array().unwrap().iter().filter(|l| l["month"] == "2018-06" && l["run_status"] == "live") {
            marks
                .entry(l["transfer_id"].as_str().unwrap().to_owned())
                .or_default()
                .insert(l["status"].as_str().unwrap().to_owned());
        }
    }
    marks
}

/// Checks each transfer's outcome (`expected[k]` for transfer k+1) and that the ledger
/// marked exactly the settled ones `settled` and the failed ones `failed`.
fn check(ledger: &Path, run: &Path, out: &Path, expected: &[&str]) {
    let got = outcomes(out);
    let marks = ledger_marks(ledger, run);
    for (k, want) in expected.iter().enumerate() {
        let id = tid(k as u32 + 1);
        assert_eq!(got[&id][0], *want, "{id}: {:?}", got[&id]);
        let mark = match *want {
            "settled" => "settled",
            "failed" => "failed",
            _ => "issued",
        };
        assert_eq!(marks[&id], BTreeSet::from([mark.to_owned()]), "{id} in the ledger");
    }
    assert_eq!(expected.len(), csv_rows(&run.join("transfers.csv")).len());
}

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

#[test]
fn a_group_rejection_fails_every_transfer_of_the_message() {
    let s = Scratch::new("p2-group");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/group-reject-du01.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    check(&ledger, &run, &out, &["failed"; 13]);
    let r = row(&out, &tid(7));
    assert_eq!(r["reason"], "DU01: ISO Duplicate Message ID");
    assert_eq!(r["return_line"], "16", "the group status's line");
    assert_eq!(manifest(&out)["ledger"]["lines_marked_failed"], 15);
}

#[test]
fn a_batch_rejection_without_transaction_lines_fails_that_batch() {
    let s = Scratch::new("p2-batch");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/batch-reject-no-grpsts.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    let mut want = ["missing"; 13];
    want[5..10].fill("failed");
    check(&ledger, &run, &out, &want);
    assert_eq!(
        row(&out, &tid(6))["reason"],
        "NARR: CAP Invalid code or combinations in CategoryPurpose or ServiceLevel"
    );
}

#[test]
fn every_status_class_at_transaction_level_in_version_10() {
    let s = Scratch::new("p2-v10");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/v10-every-status.xml", &run);
    let out = s.path("rec");
    let o = reconcile(&ledger, &run, &report, &out, &[]);
    ok(&o);
    let want = [
        "settled",         // ACSC
        "settled",         // ACCC
        "failed",          // RJCT at EUR 0.00000
        "amount_mismatch", // ACSC in USD
        "pending",         // ACSP
        "pending",         // ACCP
        "pending",         // PDNG
        "pending",         // RCVD
        "pending",         // ACWC
        "missing",         // 80O.00
        "missing",         // BLCK
        "pending",         // ACWP
        "amount_mismatch", // 8000.00
    ];
    check(&ledger, &run, &out, &want);
    let got = outcomes(&out);
    assert_eq!(got[&tid(10)], ["missing", "invalid_line"]);
    assert_eq!(got[&tid(11)], ["missing", "invalid_line"]);
    let rows = csv_rows(&out.join("bank-reconciliation.csv"));
    let invalid: Vec<&str> =
        rows.iter().filter(|r| r["outcome"] == "invalid_line").map(|r| r["reason"].as_str()).collect();
    assert!(invalid[0].contains("amount \"80O.00\" is not a decimal number"), "{invalid:?}");
    assert!(invalid[1].contains("status \"BLCK\" is not one disburse knows"), "{invalid:?}");
    assert_eq!(row(&out, &tid(3))["reason"], "AC01");
    assert_eq!(row(&out, &tid(3))["returned_amount"], "0.00");
    assert_eq!(row(&out, &tid(4))["reason"], "the bank reports this transfer in USD, not CNY");
    assert_eq!(
        row(&out, &tid(5))["reason"],
        "ACSP (Processed Settled at clearing System. Payment settled at clearing system)"
    );
    assert_eq!(row(&out, &tid(6))["reason"], "ACCP (NARR)");
    let m = manifest(&out);
    assert_eq!(m["outcomes"]["pending"]["count"], 6);
    assert!(stderr(&o).contains("pending"), "{}", stderr(&o));
}

#[test]
fn a_mixed_part_report_is_read_level_by_level() {
    let s = Scratch::new("p2-part");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/mixed-part-batches.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    let mut want = ["failed", "settled", "amount_mismatch", "missing", "missing"].to_vec();
    want.extend(["failed"; 5]);
    want.extend(["pending"; 3]);
    check(&ledger, &run, &out, &want);
    assert_eq!(row(&out, &tid(1))["reason"], "NARR: 户名与账号不符");
    assert_eq!(row(&out, &tid(8))["reason"], "DT01: Invalid date");
    assert_eq!(outcomes(&out)[&tid(4)], ["missing", "invalid_line"]);
    // The batch-2 lines without OrgnlEndToEndId only echo their batch: not listed.
    assert!(!outcomes(&out).contains_key(""));
}

#[test]
fn a_report_without_a_namespace_and_a_group_above_rejected_lines() {
    let s = Scratch::new("p2-nons");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/crossriver-no-namespace.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    let mut want = vec!["failed"; 5];
    want.extend(["pending"; 8]);
    check(&ledger, &run, &out, &want);
    assert_eq!(row(&out, &tid(2))["reason"], "NARR: Instruction ID T201806-000001 already exist");
    assert_eq!(row(&out, &tid(4))["reason"], "RJCT (the bank gave no reason)");
    assert_eq!(row(&out, &tid(9))["reason"], "ACTC");
}

#[test]
fn a_swiss_report_accepts_the_message_and_changes_no_ledger_line() {
    let s = Scratch::new("p2-swiss");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/swiss-ch02-group-actc.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    check(&ledger, &run, &out, &["pending"; 13]);
    let m = manifest(&out);
    assert_eq!(m["outcomes"]["pending"]["count"], 13);
    assert_eq!(m["outcomes"]["pending"]["amount"], "13800.50");
    assert_eq!(
        (m["ledger"]["lines_marked_settled"].as_u64(), m["ledger"]["lines_marked_failed"].as_u64()),
        (Some(0), Some(0))
    );
    // A later report settles what was pending.
    let later = adapt_pain002(&s, "fixtures/returns/2018-06-pain002.xml", &run);
    let out2 = s.path("rec2");
    ok(&reconcile(&ledger, &run, &later, &out2, &[]));
    assert_eq!(ledger_marks(&ledger, &run)[&tid(1)], BTreeSet::from(["settled".to_owned()]));
}

#[test]
fn identifiers_padded_with_spaces_and_a_batch_acceptance() {
    let s = Scratch::new("p2-gs");
    let (ledger, run) = run_by_five(&s);
    let report = adapt_pain002(&s, "fixtures/returns/pain002/leading-spaces-batch-accp.xml", &run);
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &report, &out, &[]));
    let mut want = vec!["missing"; 10];
    want.extend(["pending"; 3]);
    check(&ledger, &run, &out, &want);
    assert_eq!(row(&out, &tid(12))["reason"], "ACCP (NARR: Payment Accepted)");
}

/// Exit 2, one line naming `what`, no output directory, the ledger untouched.
fn refused(ledger: &Path, run: &Path, report: &str, out: &Path, what: &str) {
    let o = reconcile(ledger, run, report, out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains(what), "expected {what:?} in: {}", stderr(&o));
    assert!(!out.exists(), "nothing may be written");
    assert!(ledger_marks(ledger, run).values().all(|m| m == &BTreeSet::from(["issued".to_owned()])));
}

#[test]
fn a_report_about_another_message_is_refused() {
    let s = Scratch::new("p2-other");
    let (ledger, run) = run_by_five(&s);
    let (msg, _) = sent_ids(&run);
    let zkb = "fixtures/returns/pain002/other-message-notprovided.xml";
    refused(
        &ledger,
        &run,
        zkb,
        &s.path("x1"),
        &format!(
            "this report is about message NOTPROVIDED (group status RJCT: FF01: Die Datei konnte nicht verarbeitet werden); this run sent {msg}"
        ),
    );
    // The report of another run of the month (another MsgId).
    let du01 = std::fs::read_to_string(root().join("fixtures/returns/pain002/group-reject-du01.xml")).unwrap();
    let other = s.write("other.xml", du01.replace(FIXTURE_MSG_ID, "DISBURSE-201806-000000000000"));
    refused(&ledger, &run, &other, &s.path("x2"), "about message DISBURSE-201806-000000000000");
    // An answer to something that is not a pain.001.
    let adapted =
        std::fs::read_to_string(adapt_pain002(&s, "fixtures/returns/pain002/group-reject-du01.xml", &run)).unwrap();
    let nacha = s.write("nacha.xml", adapted.replace("pain.001.001.09", "NACHA"));
    refused(&ledger, &run, &nacha, &s.path("x3"), "answers a \"NACHA\" message");
    // A namespace that only contains the text "pain.002", and a report in an envelope.
    let evil = s.write(
        "evil.xml",
        adapted.replace("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", "urn:evil:pain.002.001.03x"),
    );
    refused(&ledger, &run, &evil, &s.path("x4"), "namespace \"urn:evil:pain.002.001.03x\"");
    let wrapped = s.write("env.xml", format!("<BusMsgEnvlp>{}</BusMsgEnvlp>", adapted.split_once("-->").unwrap().1));
    refused(&ledger, &run, &wrapped, &s.path("x5"), "root element is BusMsgEnvlp");
}

#[test]
fn a_pain002_for_a_run_that_sent_no_pain001_is_refused() {
    let s = Scratch::new("p2-nopain001");
    let (ledger, run) = june_run(&s);
    refused(
        &ledger,
        &run,
        "fixtures/returns/2018-06-pain002.xml",
        &s.path("x"),
        "this run sent no pain.001 file, so a pain.002 status report cannot be about it",
    );
}

#[test]
fn hostile_reports_deep_large_and_utf16() {
    let s = Scratch::new("p2-hostile");
    let (ledger, run) = june_pain001_run(&s, "pain001");
    let (msg, batches) = sent_ids(&run);

    // 20,000 levels deep: refused, no crash.
    let deep = s.write("deep.xml", format!("<Document><CstmrPmtStsRpt>{}", "<a>".repeat(20_000)));
    refused(&ledger, &run, &deep, &s.path("x1"), "nest deeper than 64");

    // UTF-16 (either byte order, with a byte order mark) reads as the UTF-8 report does.
    let utf8 = adapt_pain002(&s, "fixtures/returns/2018-06-pain002.xml", &run);
    let text = std::fs::read_to_string(&utf8).unwrap().replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
    let plain = s.path("from-utf8");
    ok(&reconcile(&ledger, &run, &utf8, &plain, &[]));
    for (name, bytes) in [("le.xml", le), ("be.xml", be)] {
        let out = s.path(&format!("from-{name}"));
        ok(&reconcile(&ledger, &run, &s.write(name, bytes), &out, &[]));
        assert_eq!(outcomes(&out), outcomes(&plain), "{name}");
    }
    // A broken UTF-16 file gets an XML message, not "save it as CSV".
    let broken = s.write("broken.xml", [0xFF, 0xFE, b'<', 0, 0x00, 0xD8, b'a', 0]);
    let o = reconcile(&ledger, &run, &broken, &s.path("x2"), &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("save it as UTF-8 XML") && !stderr(&o).contains("CSV"), "{}", stderr(&o));

    // 20,000 transactions: the run's 13 and 19,987 the run never sent.
    let mut xml = format!(
        "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">\n<CstmrPmtStsRpt>\n\
         <GrpHdr><MsgId>BIG</MsgId></GrpHdr>\n<OrgnlGrpInfAndSts><OrgnlMsgId>{msg}</OrgnlMsgId></OrgnlGrpInfAndSts>\n\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>{}</OrgnlPmtInfId>\n",
        batches[0]
    );
    for t in csv_rows(&run.join("transfers.csv")) {
        xml.push_str(&format!(
            "<TxInfAndSts><OrgnlEndToEndId>{}</OrgnlEndToEndId><TxSts>ACSC</TxSts>\n<OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">{}</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n",
            t["transfer_id"], t["amount"]
        ));
    }
    for k in 0..19_987 {
        xml.push_str(&format!(
            "<TxInfAndSts><OrgnlEndToEndId>T201806-{:06}</OrgnlEndToEndId><TxSts>ACSC</TxSts>\n<OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">800.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n",
            100_000 + k
        ));
    }
    xml.push_str("</OrgnlPmtInfAndSts>\n</CstmrPmtStsRpt>\n</Document>\n");
    let big = s.write("big.xml", xml);
    let out = s.path("big");
    let started = std::time::Instant::now();
    ok(&reconcile(&ledger, &run, &big, &out, &[]));
    eprintln!("reconcile of 20,000 pain.002 transactions: {:?}", started.elapsed());
    let m = manifest(&out);
    assert_eq!(m["outcomes"]["settled"]["count"], 13);
    assert_eq!(m["outcomes"]["unknown"]["count"], 19_987);
    // The last line's number is counted right (one pass, not from the start each time).
    let last = csv_rows(&out.join("bank-reconciliation.csv")).pop().unwrap();
    assert_eq!(last["return_line"], (7 + 2 * 19_999).to_string());
}

#[test]
fn a_huipan_result_matched_by_account_with_the_banks_own_words() {
    let s = Scratch::new("huipan");
    let profile = "fixtures/banks/daifa-huipan.toml";
    let (ledger, run) = june_pain001_run(&s, profile);
    let out = s.path("rec");
    let o = reconcile(&ledger, &run, "fixtures/returns/2018-06-huipan-gbk.csv", &out, &["--returns-profile", profile]);
    ok(&o);
    let want = [
        "settled",         // 成功
        "failed",          // 失败 at 0.00
        "settled",         // S
        "failed",          // F
        "pending",         // 处理中
        "settled",         // 成功
        "failed",          // 失败 at 780.00
        "settled",         // 成功
        "settled",         // 成功
        "amount_mismatch", // 850.00 for 850.50
        "settled",         // 成功
        "missing",         // 退票: a word in no list
        "missing",         // not in the file
    ];
    check(&ledger, &run, &out, &want);
    assert_eq!(row(&out, &tid(2))["reason"], "账户已冻结");
    assert_eq!(row(&out, &tid(2))["returned_amount"], "0.00");
    let rows = csv_rows(&out.join("bank-reconciliation.csv"));
    let extra: Vec<(&str, &str)> =
        rows[13..].iter().map(|r| (r["outcome"].as_str(), r["return_line"].as_str())).collect();
    assert_eq!(extra, [("invalid_line", "13"), ("unknown", "14")]);
    assert!(rows[13]["reason"].contains("\"退票\""));
    // The terminal never shows a whole account number.
    assert!(!stderr(&o).contains("6222021001000009999"));
}

#[test]
fn a_plain_csv_failure_at_amount_zero_is_failed() {
    let s = Scratch::new("csv-zero");
    let (ledger, run) = june_run(&s);
    let ret = s.write(
        "ret.csv",
        "transfer_id,payee_account,amount,status,reason\nT201806-000001,6013821001000001011,0.00,失败,账户不存在\nT201806-000002,6013821001000001022,0,failed,\n",
    );
    let out = s.path("rec");
    ok(&reconcile(&ledger, &run, &ret, &out, &[]));
    let mut want = vec!["failed"; 2];
    want.extend(["missing"; 11]);
    check(&ledger, &run, &out, &want);
}
