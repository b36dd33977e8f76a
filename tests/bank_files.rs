//! Bank files (SPEC section 11): profiles, batches at the row limit, GBK, trailers,
//! ISO 20022 pain.001 out (valid against the official schemas in `tests/iso20022/`,
//! an ignored test that needs xmllint) and pain.002 in.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const ICBC: &str = "fixtures/banks/icbc-gbk.toml";
const CCB: &str = "fixtures/banks/ccb-xlsx.toml";
const PAYER: [&str; 4] = ["--payer-account", "1901000000000000001", "--payer-name", "某县民政局"];

fn all_profiles() -> Vec<&'static str> {
    let mut v = vec![
        "--bank-profile",
        ICBC,
        "--bank-profile",
        CCB,
        "--bank-profile",
        "generic-csv",
        "--bank-profile",
        "pain001",
        "--execution-date",
        "2018-06-10",
    ];
    v.extend_from_slice(&PAYER);
    v
}

fn bank_files(out: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(out.join("bank")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    files
}

/// The official schemas, kept in the repository (`tests/iso20022/`).
fn schema(name: &str) -> PathBuf {
    root().join("tests/iso20022").join(name)
}

/// `xmllint --noout --schema XSD DOC`: panics (the test fails) when xmllint is missing.
fn validate(xsd: &Path, doc: &Path) {
    let o = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(doc)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("needs xmllint (Debian package libxml2-utils; .ci/run installs it): {e}"));
    assert!(o.status.success(), "{}: {}", doc.display(), String::from_utf8_lossy(&o.stderr));
}

#[test]
fn every_profile_matches_its_golden_file() {
    let s = Scratch::new("bank");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &all_profiles(), &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = bank_files(&out);
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        assert_golden("bank", &out, &rel);
    }
    // Listed in the manifest with rows and control totals that add up per profile.
    let m = manifest(&out);
    let bank: Vec<&serde_json::Value> =
        m["outputs"].as_array().unwrap().iter().filter(|o| o["file"].as_str().unwrap().starts_with("bank/")).collect();
    assert_eq!(bank.len(), 4);
    for b in &bank {
        assert_eq!(b["control_total"], "13800.50", "{b}");
        assert_eq!(b["rows"], 13);
    }
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
    // A changed byte in a bank file is caught.
    let pain = out.join("bank/pain001/pain001-2018-06.xml");
    let text = std::fs::read_to_string(&pain).unwrap().replacen("800.00", "900.00", 1);
    std::fs::write(&pain, text).unwrap();
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 1);
}

#[test]
fn pain001_keeps_chinese_amounts_and_totals() {
    let s = Scratch::new("pain001");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &all_profiles(), &ROSTERS)), 0);
    let xml = out.join("bank/pain001/pain001-2018-06.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    assert!(text.contains("<Nm>长沙市儿童福利院</Nm>") && text.contains("<Nm>中国建设银行长沙分行</Nm>"));
    assert!(text.contains("<EndToEndId>T201806-000001</EndToEndId>"));
    assert!(text.contains("<InstdAmt Ccy=\"CNY\">850.50</InstdAmt>"));
    assert!(text.contains("<NbOfTxs>13</NbOfTxs>") && text.contains("<CtrlSum>13800.50</CtrlSum>"));
    assert!(text.contains("<CreDtTm>2018-06-10T00:00:00</CreDtTm>"));
}

#[test]
#[ignore = "needs xmllint (libxml2-utils): validates against the ISO 20022 schemas"]
fn pain001_and_pain002_validate_against_the_iso20022_schemas() {
    let s = Scratch::new("xsd");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &all_profiles(), &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    validate(&schema("pain.001.001.09.xsd"), &out.join("bank/pain001/pain001-2018-06.xml"));
    // The return fixture that reconcile reads is a valid status report too.
    validate(&schema("pain.002.001.10.xsd"), &root().join("fixtures/returns/2018-06-pain002.xml"));
    // And the check is real: a document the schema refuses fails.
    let bad = s.write(
        "bad.xml",
        std::fs::read_to_string(out.join("bank/pain001/pain001-2018-06.xml"))
            .unwrap()
            .replacen("<NbOfTxs>", "<NbOfTx>", 1)
            .replacen("</NbOfTxs>", "</NbOfTx>", 1),
    );
    let o = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema("pain.001.001.09.xsd"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!o.status.success(), "xmllint accepted a document the schema refuses");
}

#[test]
fn bank_files_are_byte_identical_run_to_run() {
    let s = Scratch::new("bank-same");
    let (a, b) = (s.path("a"), s.path("b"));
    assert_eq!(code(&run_month("2018-06", &a, &all_profiles(), &ROSTERS)), 0);
    assert_eq!(code(&run_month("2018-06", &b, &all_profiles(), &ROSTERS)), 0);
    for (x, y) in bank_files(&a).iter().zip(bank_files(&b)) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(&y).unwrap(), "{}", x.display());
    }
    // SOURCE_DATE_EPOCH sets the creation time.
    let c = s.path("c");
    let mut args =
        vec!["run".to_string(), "--period".into(), "2018-06".into(), "--out".into(), c.to_string_lossy().into_owned()];
    args.extend(all_profiles().iter().map(|x| x.to_string()));
    args.extend(ROSTERS.iter().map(|x| x.to_string()));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env("SOURCE_DATE_EPOCH", "1528617600")
        .env("DISBURSE_LEDGER", fresh_ledger())
        .args(&args)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    let text = std::fs::read_to_string(c.join("bank/pain001/pain001-2018-06.xml")).unwrap();
    assert!(text.contains("<CreDtTm>2018-06-10T08:00:00</CreDtTm>"), "{text}");
}

fn gbk(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad, "{} is not GBK", path.display());
    text.into_owned()
}

#[test]
fn twelve_thousand_and_one_transfers_in_three_gbk_batches() {
    let s = Scratch::new("batches");
    let mut roster =
        String::from("child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n");
    for i in 0..12_001u32 {
        let id = valid_id(i);
        roster.push_str(&format!(
            "{id},儿童{i},scattered,430102,2018-01,监护人{i},62220210{i:011},中国工商银行长沙分行\n"
        ));
    }
    let roster = s.write("big.csv", roster);
    let out = s.path("out");
    let o = run_month("2018-06", &out, &["--bank-profile", ICBC], &[&roster]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = bank_files(&out);
    assert_eq!(files.len(), 3);
    let mut total = rust_decimal::Decimal::ZERO;
    let mut ids = std::collections::BTreeSet::new();
    for (k, f) in files.iter().enumerate() {
        let text = gbk(f);
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        let rows = &lines[2..lines.len() - 1];
        let expect = if k < 2 { 5000 } else { 2001 };
        assert_eq!(rows.len(), expect, "{}", f.display());
        let sum: rust_decimal::Decimal =
            rows.iter().map(|r| r.split(',').nth(4).unwrap().parse::<rust_decimal::Decimal>().unwrap()).sum();
        assert_eq!(lines[lines.len() - 1], format!("合计,{expect},{sum}"));
        assert!(lines[0].contains(&format!("笔数:{expect}")) && lines[0].contains(&format!("批次:{:03}/3", k + 1)));
        for r in rows {
            assert!(ids.insert(r.split(',').next().unwrap().to_owned()), "a transfer in two files");
        }
        total += sum;
    }
    assert_eq!(ids.len(), 12_001);
    assert_eq!(total.to_string(), manifest(&out)["totals"]["amount"].as_str().unwrap());
}

#[test]
fn bad_profiles_and_missing_pain001_settings_are_fatal() {
    let s = Scratch::new("bad-profile");
    let cases: [(&str, &str); 4] = [
        (
            "unknown.toml",
            "name = \"x\"\nformat = \"csv\"\nmax_row = 5\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
        ),
        ("field.toml", "name = \"x\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"salary\"\n"),
        ("format.toml", "name = \"x\"\nformat = \"pdf\"\n"),
        (
            "both.toml",
            "name = \"x\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\nvalue = \"1\"\n",
        ),
    ];
    for (name, body) in cases {
        let p = s.write(name, body);
        let out = s.path(&format!("out-{name}"));
        let o = run_month("2018-06", &out, &["--bank-profile", &p], &ROSTERS);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(name) && stderr(&o).contains("bank profile"), "{name}: {}", stderr(&o));
        assert!(!out.exists());
    }
    let o = run_month("2018-06", &s.path("x"), &["--bank-profile", "pain001"], &ROSTERS);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--execution-date"));
    let o =
        run_month("2018-06", &s.path("y"), &["--bank-profile", "pain001", "--execution-date", "2018-06-10"], &ROSTERS);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--payer-account"));
}

fn reconcile_with(ledger: &Path, run: &Path, returns: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec![
        "reconcile".into(),
        "--run".into(),
        run.to_string_lossy().into_owned(),
        "--returns".into(),
        returns.into(),
        "--out".into(),
        out.to_string_lossy().into_owned(),
    ];
    args.extend(extra.iter().map(|x| x.to_string()));
    disburse_with(ledger, args)
}

#[test]
fn the_same_outcomes_from_csv_pain002_and_a_profile_layout() {
    let mut results = Vec::new();
    for (name, file, extra) in [
        ("csv", "fixtures/returns/2018-06-return.csv", &[][..]),
        ("pain002", "fixtures/returns/2018-06-pain002.xml", &[][..]),
        ("profile", "fixtures/returns/2018-06-icbc-result.csv", &["--returns-profile", ICBC][..]),
    ] {
        let s = Scratch::new(&format!("three-{name}"));
        // A pain.002 answers a pain.001: that run sends one, and the report names its ids.
        let (ledger, run) = if name == "pain002" { june_pain001_run(&s, "pain001") } else { june_run(&s) };
        let file = if name == "pain002" { adapt_pain002(&s, file, &run) } else { file.to_owned() };
        let out = s.path("rec");
        let o = reconcile_with(&ledger, &run, &file, &out, extra);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        let outcomes: Vec<(String, String)> = csv_rows(&out.join("bank-reconciliation.csv"))
            .into_iter()
            .map(|r| (r["transfer_id"].clone(), r["outcome"].clone()))
            .collect();
        let m = manifest(&out);
        // The journal head differs between ledgers (each run and return is its own
        // entry); what the return did to the payment lines must not.
        let mut effects = m["ledger"].clone();
        let effects_obj = effects.as_object_mut().expect("the manifest's ledger member is an object");
        assert!(effects_obj.remove("journal_head").is_some_and(|h| h.as_str().is_some_and(|h| h.len() == 64)));
        effects_obj.remove("journal_seq");
        results.push((name, outcomes, effects));
    }
    for r in &results[1..] {
        assert_eq!(r.1, results[0].1, "{} differs from csv", r.0);
        assert_eq!(r.2, results[0].2, "{}: ledger effects differ", r.0);
    }
    assert!(results[0].1.iter().any(|(_, o)| o == "failed"));
}

#[test]
fn a_profile_layout_return_saved_as_xlsx() {
    // The icbc result file, as the portal's "export to Excel" would give it.
    let s = Scratch::new("xlsx-return");
    let bytes = std::fs::read(root().join("fixtures/returns/2018-06-icbc-result.csv")).unwrap();
    let (text, _, _) = encoding_rs::GBK.decode(&bytes);
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    let xlsx = s.path("result.xlsx");
    book.save(&xlsx).unwrap();
    let (ledger, run) = june_run(&s);
    let (a, b) = (s.path("from-csv"), s.path("from-xlsx"));
    let o = reconcile_with(&ledger, &run, "fixtures/returns/2018-06-icbc-result.csv", &a, &["--returns-profile", ICBC]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = reconcile_with(&ledger, &run, &xlsx.to_string_lossy(), &b, &["--returns-profile", ICBC]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let outcomes = |d: &Path| -> Vec<(String, String)> {
        csv_rows(&d.join("bank-reconciliation.csv"))
            .into_iter()
            .map(|r| (r["transfer_id"].clone(), r["outcome"].clone()))
            .collect()
    };
    assert_eq!(outcomes(&a), outcomes(&b));
}
