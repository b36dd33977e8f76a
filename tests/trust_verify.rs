//! SPEC 12 and 14 from the outside: a forged run directory is caught by `verify`
//! (files against each other) or, when rebuilt consistently, by `verify --ledger`;
//! awkward names go through run → verify → reconcile; the payee's bank code (联行号)
//! is checked and part of the payee-conflict check; `explain` shows every failing
//! check of a row, not only the first.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use disburse::output::manifest::Manifest;

const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// A valid ID number: region, birth date, sequence and its check character.
fn cid(region: &str, birth: &str, seq: u32) -> String {
    let first = format!("{region}{birth}{seq:03}");
    let s: u32 = first.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first}{}", "10X98765432".as_bytes()[(s % 11) as usize] as char)
}

/// A real run of June 2018 over the fixtures, with `extra` options, recorded in `ledger`.
fn real_run(ledger: &Path, out: &Path, extra: &[&str], rosters: &[&str]) {
    let mut args = vec!["run", "--period", "2018-06", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(rosters);
    let o = disburse_with(ledger, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

fn verify(dir: &Path, ledger: Option<&Path>) -> (i32, String) {
    let mut args = vec!["verify".to_owned(), dir.display().to_string()];
    if let Some(l) = ledger {
        args.extend(["--ledger".to_owned(), l.display().to_string()]);
    }
    let o = disburse(&args);
    (code(&o), stderr(&o))
}

/// What a clerk with a script does after editing files: recompute their SHA-256 in
/// the manifest (and anything else `edit` changes), written in the manifest's form.
fn rewrite_manifest(dir: &Path, edit: impl FnOnce(&mut Manifest)) {
    let path = dir.join("manifest.json");
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut m);
    for o in &mut m.outputs {
        o.sha256 = disburse::sha256_hex(&std::fs::read(dir.join(&o.file)).unwrap());
    }
    std::fs::write(&path, m.to_bytes()).unwrap();
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from:?} in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// The fixtures' first child: 刘一鸣, paid 800.00 alone on account ...0011.
const ACCOUNT: &str = "6222021001000000011";

#[test]
fn a_changed_account_with_its_hash_rewritten_is_broken() {
    let s = Scratch::new("forge-account");
    let ledger = fresh_ledger();
    let out = s.path("out");
    real_run(&ledger, &out, &[], &ROSTERS);
    assert_eq!(verify(&out, Some(&ledger)).0, 0);
    replace_in(&out.join("transfers.csv"), &format!(",{ACCOUNT},"), ",6222021001000000099,");
    rewrite_manifest(&out, |_| {});
    let (c, err) = verify(&out, None);
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN: transfers.csv:") && err.contains("no paid line"), "{err}");
    // The whole account is never printed.
    assert!(!err.contains("6222021001000000099"), "{err}");
}

/// Raises one child's amount by 100 everywhere, as a script could: entitlements,
/// transfers, the audit line with the chain re-hashed, the manifest's totals.
fn rebuild_consistently(out: &Path) {
    replace_in(
        &out.join("entitlements.csv"),
        &format!("{ACCOUNT},中国工商银行长沙分行,800.00,,800.00,"),
        &format!("{ACCOUNT},中国工商银行长沙分行,800.00,,900.00,"),
    );
    replace_in(
        &out.join("transfers.csv"),
        &format!("{ACCOUNT},刘建国,中国工商银行长沙分行,800.00,"),
        &format!("{ACCOUNT},刘建国,中国工商银行长沙分行,900.00,"),
    );
    let audit = std::fs::read_to_string(out.join("audit.jsonl")).unwrap();
    let mut prev = "0".repeat(64);
    let mut lines = String::new();
    for line in audit.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["payee_account"] == ACCOUNT {
            v["amount"] = "900.00".into();
        }
        v["prev"] = prev.clone().into();
        let text = serde_json::to_string(&v).unwrap();
        prev = disburse::sha256_hex(text.as_bytes());
        lines.push_str(&text);
        lines.push('\n');
    }
    std::fs::write(out.join("audit.jsonl"), lines).unwrap();
    let plus = |a: &str| {
        let d: rust_decimal::Decimal = a.parse().unwrap();
        format!("{:.2}", d + rust_decimal::Decimal::from(100))
    };
    rewrite_manifest(out, |m| {
        m.audit_head = prev;
        m.totals.amount = plus(&m.totals.amount);
        let c = m.by_category.get_mut("scattered").unwrap();
        c.amount = plus(&c.amount);
        let r = m.by_region.get_mut("430102").unwrap();
        r.amount = plus(&r.amount);
    });
}

#[test]
fn a_run_rebuilt_consistently_passes_verify_but_not_verify_against_the_ledger() {
    let s = Scratch::new("forge-rebuild");
    let ledger = fresh_ledger();
    let out = s.path("out");
    real_run(&ledger, &out, &[], &ROSTERS);
    rebuild_consistently(&out);
    let (c, err) = verify(&out, None);
    assert_eq!(c, 0, "the rebuild is meant to be consistent: {err}");
    let (c, err) = verify(&out, Some(&ledger));
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN: manifest.json") && err.contains("ledger"), "{err}");
}

#[test]
fn verify_against_a_ledger_that_does_not_know_the_run_or_does_not_exist() {
    let s = Scratch::new("verify-ledger");
    let out = s.path("out");
    real_run(&fresh_ledger(), &out, &[], &ROSTERS);
    // Another office's ledger with its own June: it never recorded this run.
    let other = fresh_ledger();
    real_run(&other, &s.path("other"), &[], &ROSTERS[..1]);
    let (c, err) = verify(&out, Some(&other));
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN:"), "{err}");
    // A missing ledger is named, exit 2, and not created.
    let missing = s.path("nowhere.sqlite");
    let (c, err) = verify(&out, Some(&missing));
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("nowhere.sqlite"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn names_with_line_breaks_quotes_and_commas_go_through_run_verify_and_reconcile() {
    let s = Scratch::new("awkward-names");
    let ledger = fresh_ledger();
    let roster = s.write(
        "roster.csv",
        format!(
            "child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n\
             {},\"张,三\",scattered,430102,2018-01,\"李\"\"四\"\"\",\"6222 0200 1111 0001\",\"银行, 长沙\"\n\
             {},\"王\n五\",scattered,430102,2018-01,王大,6222020011110002,工行\n\
             {},\"赵\"\"六\",institutional,430102,2018-01,\"福利院,\n长沙\",6222020011110003,工行\n\
             {},钱七,scattered,430102,2018-01,\"钱\"\"八\"\"\",6222020011110004,\"工行\"\"长沙\"\"\"\n",
            cid("430102", "20100101", 1),
            cid("430102", "20100202", 2),
            cid("430102", "20100303", 3),
            cid("430102", "20100404", 4),
        ),
    );
    let out = s.path("out");
    real_run(&ledger, &out, &[], &[&roster]);
    let (c, err) = verify(&out, Some(&ledger));
    assert_eq!(c, 0, "{err}");
    let transfers = csv_rows(&out.join("transfers.csv"));
    assert_eq!(transfers.len(), 2, "two payees are valid: {transfers:?}");
    let mut returns = String::from("transfer_id,payee_account,amount,status,reason\n");
    for t in &transfers {
        returns.push_str(&format!("{},{},{},success,\n", t["transfer_id"], t["payee_account"], t["amount"]));
    }
    let returns = s.write("returns.csv", returns);
    let rec = s.path("rec");
    let o = disburse_with(
        &ledger,
        ["reconcile", "--run", out.to_str().unwrap(), "--returns", &returns, "--out", rec.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let outcomes: Vec<String> =
        csv_rows(&rec.join("bank-reconciliation.csv")).into_iter().map(|r| r["outcome"].clone()).collect();
    assert_eq!(outcomes, ["settled", "settled"]);
}

#[test]
fn a_bank_file_whose_amounts_differ_from_transfers_is_broken() {
    let s = Scratch::new("forge-bank");
    let ledger = fresh_ledger();
    let out = s.path("out");
    let profiles = [
        "--bank-profile",
        "generic-csv",
        "--bank-profile",
        "pain001",
        "--bank-profile",
        "fixtures/banks/ccb-xlsx.toml",
        "--payer-account",
        "1901000000000000001",
        "--payer-name",
        "某县民政局",
        "--execution-date",
        "2018-06-10",
    ];
    real_run(&ledger, &out, &profiles, &ROSTERS);
    assert_eq!(verify(&out, Some(&ledger)).0, 0);
    let pristine = s.path("pristine");
    copy_dir(&out, &pristine);

    // Two transfers' amounts swapped: the control total still adds up.
    let csv = out.join("bank/generic-csv/transfers-2018-06-001.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let swapped =
        text.replacen(",800.00,", ",@,", 1).replacen(",1300.00,", ",800.00,", 1).replacen(",@,", ",1300.00,", 1);
    assert_ne!(swapped, text);
    std::fs::write(&csv, swapped).unwrap();
    rewrite_manifest(&out, |_| {});
    let (c, err) = verify(&out, None);
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN: bank/generic-csv/transfers-2018-06-001.csv:"), "{err}");

    // pain.001: one creditor account changed.
    let out = s.path("xml");
    copy_dir(&pristine, &out);
    let xml = out.join("bank/pain001/pain001-2018-06.xml");
    replace_in(&xml, &format!("<Id>{ACCOUNT}</Id>"), "<Id>6222021001000000099</Id>");
    rewrite_manifest(&out, |_| {});
    let (c, err) = verify(&out, None);
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN: bank/pain001/pain001-2018-06.xml:"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target: PathBuf = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_payees_bank_code_is_checked_and_part_of_the_payee_conflict_check() {
    let s = Scratch::new("bank-code");
    let ledger = fresh_ledger();
    let row = |n: u32, account: &str, code: &str| {
        format!(
            "{},孩子{n},scattered,430102,2018-01,监护人{account},{account},工行,{code}\n",
            cid("430102", "20100101", n)
        )
    };
    let mut text =
        String::from("child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank,联行号\n");
    text += &row(1, "6222020011110001", "1025 5100\u{3000}0011"); // valid, spaced
    text += &row(2, "6222020011110002", "10255100001"); // 11 digits
    text += &row(3, "6222020011110003", "10255100001A"); // a letter
    text += &row(4, "6222020011110004", "102551000011"); // two codes on one account
    text += &row(5, "6222020011110004", "102551000022");
    text += &row(6, "6222020011110006", "102551000033"); // a code and a blank: no conflict
    text += &row(7, "6222020011110006", "");
    text += &row(8, "6222020011110008", "１０２５５１００００４４"); // full-width digits
    let roster = s.write("roster.csv", text);
    let out = s.path("out");
    real_run(&ledger, &out, &[], &[&roster]);
    let reasons: BTreeMap<String, String> =
        csv_rows(&out.join("exceptions.csv")).into_iter().map(|r| (r["name"].clone(), r["reason"].clone())).collect();
    assert_eq!(reasons["孩子2"], "INVALID_BANK_CODE");
    assert_eq!(reasons["孩子3"], "INVALID_BANK_CODE");
    assert_eq!(reasons["孩子4"], "PAYEE_CONFLICT");
    assert_eq!(reasons["孩子5"], "PAYEE_CONFLICT");
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    let header = std::fs::read_to_string(out.join("transfers.csv")).unwrap();
    assert!(
        header.starts_with("transfer_id,period,payee_account,payee_name,payee_bank,amount,children,payee_bank_code\n")
    );
    let codes: BTreeMap<String, String> = csv_rows(&out.join("transfers.csv"))
        .into_iter()
        .map(|r| (r["payee_account"].clone(), r["payee_bank_code"].clone()))
        .collect();
    assert_eq!(codes["6222020011110001"], "102551000011");
    assert_eq!(codes["6222020011110006"], "102551000033");
    assert_eq!(codes["6222020011110008"], "102551000044");
    assert_eq!(codes.len(), 3);
    // The audit lines of paid rows carry the account and the code (or null).
    let audit: Vec<serde_json::Value> = std::fs::read_to_string(out.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &audit {
        let paid = line["decision"] == "paid";
        assert_eq!(line.get("payee_account").is_some(), paid, "{line}");
    }
    assert_eq!(audit[0]["payee_bank_code"], "102551000011");
    assert_eq!(audit[6]["payee_bank_code"], serde_json::Value::Null);
    assert_eq!(audit[6]["payee_account"], "6222020011110006");
    assert_eq!(verify(&out, Some(&ledger)).0, 0);
}

#[test]
fn explain_shows_both_a_duplicate_and_a_payee_conflict() {
    let s = Scratch::new("explain-both");
    let id = cid("430102", "20100101", 1);
    let roster = s.write(
        "roster.csv",
        format!(
            "child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n\
             {id},甲,scattered,430102,2018-01,监护人甲,6222020011110001,工行\n\
             {id},甲,scattered,430102,2018-01,监护人甲,6222020011110002,工行\n\
             {},乙,scattered,430102,2018-01,另一人,6222020011110001,工行\n",
            cid("430102", "20100202", 2)
        ),
    );
    let o = disburse_with(&empty_ledger(), ["explain", "--json", "--period", "2018-06", &id, &roster]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = &e["rows"][0];
    assert_eq!(row["reason"], "DUPLICATE_ID");
    let result = |check: &str| {
        row["steps"].as_array().unwrap().iter().find(|s| s["check"] == check).map(|s| s["result"].clone())
    };
    assert_eq!(result("duplicate_id"), Some("fail".into()));
    assert_eq!(result("payee_conflict"), Some("fail".into()));
    assert_eq!(result("ceiling"), Some("pass".into()));
    // The second row is a duplicate only.
    let second = &e["rows"][1];
    let payee = second["steps"].as_array().unwrap().iter().find(|s| s["check"] == "payee_conflict").unwrap();
    assert_eq!(payee["result"], "pass");
}

#[test]
fn a_transfer_counting_other_children_or_a_dry_run_against_the_ledger_is_caught() {
    let s = Scratch::new("forge-children");
    let ledger = fresh_ledger();
    let out = s.path("out");
    real_run(&ledger, &out, &[], &ROSTERS);
    replace_in(
        &out.join("transfers.csv"),
        &format!("{ACCOUNT},刘建国,中国工商银行长沙分行,800.00,1,"),
        &format!("{ACCOUNT},刘建国,中国工商银行长沙分行,800.00,2,"),
    );
    rewrite_manifest(&out, |_| {});
    let (c, err) = verify(&out, None);
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("BROKEN: transfers.csv:") && err.contains("children 2"), "{err}");

    // A dry run verifies on its own (no transfers to cross-check) but is not a run
    // the ledger recorded.
    let dry = s.path("dry");
    real_run(&ledger, &dry, &["--dry-run"], &ROSTERS);
    assert_eq!(verify(&dry, None).0, 0);
    let (c, err) = verify(&dry, Some(&ledger));
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("dry run"), "{err}");
}
