//! `disburse reconcile` and `disburse audit` on planted fixtures: every outcome and
//! every audit status, the full cycle of a failed transfer re-paid next month, and
//! idempotent re-reconciliation.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

const RETURN: &str = "fixtures/returns/2018-06-return.csv";
const REGISTER: &str = "fixtures/audit/paid-2018-06.csv";

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

fn reconcile(ledger: &Path, run: &Path, returns: &str, out: &Path) -> std::process::Output {
    disburse_with(
        ledger,
        [
            "reconcile".as_ref(),
            "--run".as_ref(),
            run.as_os_str(),
            "--returns".as_ref(),
            returns.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    )
}

fn outcomes(out: &Path) -> BTreeMap<String, String> {
    csv_rows(&out.join("bank-reconciliation.csv"))
        .into_iter()
        .map(|r| (format!("{}@{}", r["transfer_id"], r["return_line"]), r["outcome"].clone()))
        .collect()
}

#[test]
fn every_outcome_of_a_bank_return() {
    let s = Scratch::new("reconcile");
    let (ledger, run) = june_run(&s);
    let run_manifest = std::fs::read(run.join("manifest.json")).unwrap();
    let out = s.path("rec");
    let o = reconcile(&ledger, &run, RETURN, &out);
    ok(&o);
    let rows = csv_rows(&out.join("bank-reconciliation.csv"));
    let by_id: BTreeMap<&str, Vec<&str>> = rows.iter().fold(BTreeMap::new(), |mut m, r| {
        m.entry(r["transfer_id"].as_str()).or_insert_with(Vec::new).push(r["outcome"].as_str());
        m
    });
    assert_eq!(by_id["T201806-000001"], ["settled"]);
    assert_eq!(by_id["T201806-000002"], ["failed"]);
    assert_eq!(by_id["T201806-000003"], ["amount_mismatch"]);
    assert_eq!(by_id["T201806-000004"], ["duplicate_return"]);
    assert_eq!(by_id["T201806-000005"], ["missing"]);
    assert_eq!(by_id["T201806-000007"], ["failed"]);
    assert_eq!(by_id["T201806-000099"], ["unknown"]);
    assert_eq!(by_id["T201806-000013"], ["settled", "invalid_line"]);
    // Every transfer of the run has exactly one outcome.
    let transfers = csv_rows(&run.join("transfers.csv"));
    for t in &transfers {
        let n = rows.iter().filter(|r| r["transfer_id"] == t["transfer_id"] && r["outcome"] != "invalid_line").count();
        assert_eq!(n, 1, "{}", t["transfer_id"]);
    }
    let failed = rows.iter().find(|r| r["transfer_id"] == "T201806-000002").unwrap();
    assert_eq!(failed["reason"], "账户已冻结");
    assert_eq!(rows.iter().find(|r| r["transfer_id"] == "T201806-000003").unwrap()["returned_amount"], "1200.00");
    let m = manifest(&out);
    assert_eq!(m["outcomes"]["settled"]["count"], 8);
    assert_eq!(m["outcomes"]["failed"]["count"], 2);
    assert_eq!(m["ledger"]["lines_marked_failed"], 2);
    assert!(stderr(&o).contains("failed"));
    // The run directory is untouched and still verifies.
    assert_eq!(std::fs::read(run.join("manifest.json")).unwrap(), run_manifest);
    assert_eq!(code(&disburse(["verify".as_ref(), run.as_os_str()])), 0);

    // Reconciling the same return again changes nothing.
    let again = s.path("rec2");
    ok(&reconcile(&ledger, &run, RETURN, &again));
    assert_eq!(outcomes(&out), outcomes(&again));
    let m2 = manifest(&again);
    assert_eq!(
        (m2["ledger"]["lines_marked_failed"].as_u64(), m2["ledger"]["lines_marked_settled"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn reconcile_refuses_the_wrong_inputs() {
    let s = Scratch::new("reconcile-bad");
    let (ledger, run) = june_run(&s);
    // A transfer of another month.
    let other = s.write(
        "may.csv",
        "transfer_id,payee_account,amount,status,reason\nT201805-000001,6013821001000001011,800.00,success,\n",
    );
    let o = reconcile(&ledger, &run, &other, &s.path("x1"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("may.csv:2"), "{}", stderr(&o));
    assert!(!s.path("x1").exists());
    // No ledger at all.
    let o = reconcile(&s.path("no-ledger.sqlite"), &run, RETURN, &s.path("x2"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("there is no ledger here"), "{}", stderr(&o));
    assert!(!s.path("no-ledger.sqlite").exists());
    // A real ledger that does not know the run: its run 1 is another June run (one
    // roster, so another manifest), then one holding only an import as run 1.
    let other = s.path("other-ledger.sqlite");
    let other_run = s.path("other-run").to_string_lossy().into_owned();
    ok(&disburse_with(&other, ["run", "--period", "2018-06", "--out", &other_run, ROSTERS[0]]));
    let imported = s.path("imported-ledger.sqlite");
    ok(&disburse_with(
        &imported,
        ["ledger", "import", "--period", "2018-01", "fixtures/hunan2018/january-old-system.csv"],
    ));
    for l in [&other, &imported] {
        let before = disburse_with(l, ["ledger", "runs", "--json"]).stdout;
        let o = reconcile(l, &run, RETURN, &s.path("x2"));
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("the ledger does not know this run (run 1"), "{}", stderr(&o));
        assert!(!s.path("x2").exists());
        assert_eq!(disburse_with(l, ["ledger", "runs", "--json"]).stdout, before, "the ledger was changed");
    }
    // A run directory that was changed.
    let edited = s.path("edited");
    std::fs::create_dir(&edited).unwrap();
    for e in std::fs::read_dir(&run).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), edited.join(e.file_name())).unwrap();
    }
    let t = std::fs::read_to_string(edited.join("transfers.csv")).unwrap().replacen("800.00", "900.00", 1);
    std::fs::write(edited.join("transfers.csv"), t).unwrap();
    assert_eq!(code(&reconcile(&ledger, &edited, RETURN, &s.path("x3"))), 2);
    // A dry run has no bank file.
    let dry = s.path("dry");
    let mut args = vec!["run".to_string(), "--dry-run".into(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(dry.to_string_lossy().into_owned());
    args.push(ROSTERS[0].into());
    ok(&disburse_with(&ledger, args));
    assert_eq!(code(&reconcile(&ledger, &dry, RETURN, &s.path("x4"))), 2);
    // A run that was voided.
    ok(&disburse_with(&ledger, ["ledger", "void", "1", "--reason", "wrong roster"]));
    let o = reconcile(&ledger, &run, RETURN, &s.path("x5"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("run 1 is void"), "{}", stderr(&o));
}

#[test]
fn failed_transfers_are_paid_again_next_month() {
    let s = Scratch::new("cycle");
    let ledger = s.path("ledger.sqlite");
    let june = s.path("2018-06");
    let roster = "fixtures/hunan2018/roster-june.csv";
    let run = |period: &str, out: &Path, arrears: bool| {
        let mut args = vec!["run".to_string(), "--period".into(), period.into(), "--out".into()];
        args.push(out.to_string_lossy().into_owned());
        if arrears {
            args.push("--arrears".into());
        }
        args.push(roster.into());
        disburse_with(&ledger, args)
    };
    ok(&run("2018-06", &june, false));
    let transfers = csv_rows(&june.join("transfers.csv"));
    let names: BTreeMap<String, String> = csv_rows(&june.join("entitlements.csv"))
        .into_iter()
        .map(|r| (r["payee_account"].clone(), r["name"].clone()))
        .collect();
    // The bank fails two transfers and settles the rest.
    let mut ret = String::from("transfer_id,payee_account,amount,status,reason\n");
    let mut failed_names = Vec::new();
    for (k, t) in transfers.iter().enumerate() {
        let status = if k == 1 || k == 3 { "failed" } else { "success" };
        if status == "failed" {
            failed_names.push(names[&t["payee_account"]].clone());
        }
        ret.push_str(&format!("{},{},{},{status},test\n", t["transfer_id"], t["payee_account"], t["amount"]));
    }
    let ret = s.write("return.csv", ret);
    ok(&reconcile(&ledger, &june, &ret, &s.path("rec")));
    let july = s.path("2018-07");
    ok(&run("2018-07", &july, true));
    let mut repaid: Vec<String> = csv_rows(&july.join("entitlements.csv"))
        .into_iter()
        .filter(|r| r["kind"] == "arrears")
        .map(|r| {
            assert_eq!(r["months"], "2018-06");
            assert_eq!(r["amount"], "800.00");
            r["name"].clone()
        })
        .collect();
    repaid.sort();
    failed_names.sort();
    assert_eq!(repaid, failed_names);
    assert_eq!(manifest(&july)["totals"]["arrears_amount"], "1600.00");
    // The ledger shows the June line of each failed transfer as failed, the others as
    // settled, and July's lines (not yet returned) as issued.
    let ids: BTreeMap<String, String> = csv_rows(&june.join("entitlements.csv"))
        .into_iter()
        .map(|r| (r["name"].clone(), r["child_id"].clone()))
        .collect();
    assert_eq!(ids.len(), transfers.len(), "one child per account in this roster");
    for (name, id) in &ids {
        let h = disburse_with(&ledger, ["ledger", "history", id.as_str(), "--json"]);
        ok(&h);
        let lines: Vec<serde_json::Value> = serde_json::from_slice(&h.stdout).unwrap();
        let status = |month: &str, kind: &str| -> Vec<&str> {
            lines
                .iter()
                .filter(|l| l["month"] == month && l["kind"] == kind)
                .map(|l| l["status"].as_str().unwrap())
                .collect()
        };
        let june_status = if failed_names.contains(name) { "failed" } else { "settled" };
        assert_eq!(status("2018-06", "regular"), [june_status], "{name}");
        assert_eq!(status("2018-07", "regular"), ["issued"], "{name}");
        let repaid_june = if failed_names.contains(name) { vec!["issued"] } else { vec![] };
        assert_eq!(status("2018-06", "arrears"), repaid_june, "{name}");
    }
}

fn audit(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "audit".to_string(),
        "--period".into(),
        "2018-06".into(),
        "--paid".into(),
        REGISTER.into(),
        "--out".into(),
    ];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(ROSTERS.iter().map(|r| r.to_string()));
    disburse(args)
}

#[test]
fn every_audit_status() {
    let s = Scratch::new("audit");
    let out = s.path("audit");
    let o = audit(&out, &[]);
    ok(&o);
    let rows = csv_rows(&out.join("audit-findings.csv"));
    let status = |name: &str| -> Vec<String> {
        rows.iter().filter(|r| r["name"] == name).map(|r| r["status"].clone()).collect()
    };
    assert_eq!(status("刘一鸣"), ["match"]);
    assert_eq!(status("陈小雨"), ["below_minimum"]);
    assert_eq!(status("郑雪"), ["underpaid"]);
    assert_eq!(status("王思远"), ["overpaid"]);
    assert_eq!(status("吴天宇"), ["not_entitled"]);
    assert_eq!(status("何佳怡"), ["not_entitled"]);
    assert_eq!(status("不在花名册"), ["unknown_child"]);
    assert_eq!(status("邓超"), ["duplicate_payment"]);
    assert_eq!(status("孔明"), ["unpaid"]);
    assert!(rows.iter().any(|r| r["status"] == "invalid_line" && r["source"].ends_with("paid-2018-06.csv:11")));
    let aged = rows.iter().find(|r| r["name"] == "吴天宇").unwrap();
    assert!(aged["reason"].starts_with("AGED_OUT"), "{}", aged["reason"]);
    assert_eq!(
        (aged["owed"].as_str(), aged["paid"].as_str(), aged["difference"].as_str()),
        ("0.00", "1200.00", "1200.00")
    );
    let under = rows.iter().find(|r| r["name"] == "郑雪").unwrap();
    assert_eq!(under["difference"], "-30.50");
    // Each child once.
    let mut ids: Vec<&String> = rows.iter().filter(|r| r["status"] != "invalid_line").map(|r| &r["child_id"]).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    let m = manifest(&out);
    assert!(m["by_status"]["unpaid"]["children"].as_u64().unwrap() > 0);
    assert!(m["net_difference"].is_string() && m["register"]["sha256"].is_string());
    let err = stderr(&o);
    assert!(err.contains("net difference"), "{err}");
    // --strict: something other than match was found.
    assert_eq!(code(&audit(&s.path("strict"), &["--strict"])), 3);
    // The audit needs no ledger and writes none.
    let ledger = fresh_ledger();
    let mut args = vec![
        "audit".to_string(),
        "--period".into(),
        "2018-06".into(),
        "--paid".into(),
        REGISTER.into(),
        "--out".into(),
    ];
    args.push(s.path("noledger").to_string_lossy().into_owned());
    args.extend(ROSTERS.iter().map(|r| r.to_string()));
    ok(&disburse_with(&ledger, args));
    assert!(!ledger.exists());
}

#[test]
fn audit_fatal_errors_write_nothing() {
    let s = Scratch::new("audit-bad");
    let register = s.write("reg.csv", "name,amount\n张三,800\n");
    let mut args =
        vec!["audit".to_string(), "--period".into(), "2018-06".into(), "--paid".into(), register, "--out".into()];
    args.push(s.path("out").to_string_lossy().into_owned());
    args.push(ROSTERS[0].into());
    let o = disburse(args);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("reg.csv:1"), "{}", stderr(&o));
    assert!(!s.path("out").exists());
}
