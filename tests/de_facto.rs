//! Categories come from the policy (SPEC section 15): a county that keeps de facto
//! unsupported children (事实无人抚养儿童) on its orphan roster pays them by a policy
//! file giving their standard, through run, arrears, audit and explain; under the
//! built-in policy, which has no standard for them, the roster is refused.

mod common;

use std::path::Path;

use common::*;

const ROSTER: &str = "fixtures/de-facto-county.csv";
const POLICY: &str = "fixtures/policy-de-facto.csv";
/// 王小明, de facto unsupported in 430302 (county top-up 900.00 from 2018-05).
const WANG: &str = "430302201107121057";

fn run_with(ledger: &Path, period: &str, out: &Path, extra: &[&str], rosters: &[&str]) -> std::process::Output {
    let mut args = vec!["--lang".to_string(), "zh".into(), "run".into(), "--period".into(), period.into()];
    args.extend(["--out".to_string(), out.to_string_lossy().into_owned()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(rosters.iter().map(|s| s.to_string()));
    disburse_with(ledger, args)
}

#[test]
fn the_built_in_policy_refuses_naming_the_first_de_facto_row() {
    let s = Scratch::new("de-facto-builtin");
    let o = run_with(&s.path("l.sqlite"), "2018-06", &s.path("out"), &[], &[ROSTER]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains(&format!("{ROSTER}:6")), "{e}");
    assert!(e.contains("事实无人抚养儿童"), "{e}");
    assert!(!s.path("out").exists());
    let o = disburse(["run", "--period", "2018-06", "--dry-run", "--out", &s.path("dry").to_string_lossy(), ROSTER]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("de_facto_unsupported") && stderr(&o).contains(":6:"), "{}", stderr(&o));
}

#[test]
fn a_policy_with_de_facto_children_pays_them_and_matches_golden_files() {
    let s = Scratch::new("de-facto-run");
    let out = s.path("out");
    let o = run_with(&s.path("l.sqlite"), "2018-06", &out, &["--policy", POLICY], &[ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["entitlements.csv", "exceptions.csv", "transfers.csv", "manifest.json"] {
        assert_golden("de-facto", &out, f);
    }
    let m = manifest(&out);
    let cats: Vec<&String> = m["by_category"].as_object().unwrap().keys().collect();
    assert_eq!(cats, ["de_facto_unsupported", "institutional", "scattered"]);
    assert_eq!(m["by_category"]["de_facto_unsupported"]["children"], 2);
    assert_eq!(m["by_category"]["de_facto_unsupported"]["amount"], "1700.00");
    let o = disburse(["verify".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The workbook's summary has a column pair for the new category, and the totals add up.
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(out.join("report.xlsx")).unwrap();
    let summary = book.worksheet_range("汇总").unwrap();
    let rows: Vec<Vec<String>> = summary.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = rows.iter().find(|r| r.first().is_some_and(|c| c == "行政区划代码")).unwrap();
    // The county's name beside each code, then a pair per category in the glossary's words.
    assert_eq!(
        header[1..],
        [
            "县（市、区）",
            "社会散居孤儿人数",
            "社会散居孤儿金额",
            "集中供养孤儿人数",
            "集中供养孤儿金额",
            "事实无人抚养儿童人数",
            "事实无人抚养儿童金额",
            "合计人数",
            "合计金额"
        ]
    );
    let total = rows.iter().find(|r| r.first().is_some_and(|c| c == "合计")).unwrap();
    assert_eq!(total[1..], ["", "1", "800", "1", "1250", "2", "1700", "4", "3750"]);
}

#[test]
fn back_pay_uses_each_months_de_facto_standard_and_the_ledger_keeps_the_category() {
    let s = Scratch::new("de-facto-arrears");
    let ledger = s.path("l.sqlite");
    // April and May were paid from a roster without 王小明.
    let roster = std::fs::read_to_string(root().join(ROSTER)).unwrap();
    let without: String = roster.lines().filter(|l| !l.contains(WANG)).map(|l| format!("{l}\n")).collect();
    let before = s.write("before.csv", without);
    for m in ["2018-04", "2018-05"] {
        let o = run_with(&ledger, m, &s.path(m), &["--policy", POLICY], &[&before]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    // June: he is on the roster, approved from 2018-03.
    let june = s.path("2018-06");
    let o = run_with(&ledger, "2018-06", &june, &["--policy", POLICY, "--arrears"], &[ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<_> =
        csv_rows(&june.join("entitlements.csv")).into_iter().filter(|r| r["child_id"] == WANG).collect();
    let got: Vec<(String, String, String, String)> = lines
        .iter()
        .map(|r| (r["kind"].clone(), r["months"].clone(), r["category"].clone(), r["amount"].clone()))
        .collect();
    let want =
        |k: &str, m: &str, a: &str| (k.to_owned(), m.to_owned(), "de_facto_unsupported".to_owned(), a.to_owned());
    assert!(got.contains(&want("regular", "2018-06", "900.00")), "{got:?}");
    // April at the provincial 800.00, May at the county's 900.00.
    let arrears: Vec<&(String, String, String, String)> = got.iter().filter(|g| g.0 != "regular").collect();
    assert_eq!(arrears.len(), 1, "{got:?}");
    assert_eq!(arrears[0].3, "1700.00", "{got:?}");
    // The ledger's category column holds the policy's name.
    let o = disburse_with(&ledger, ["ledger", "history", WANG]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("de_facto_unsupported"), "{out}");
    // A second June (July) run pays no arrears again: the ledger reads the category back.
    let july = s.path("2018-07");
    let o = run_with(&ledger, "2018-07", &july, &["--policy", POLICY, "--arrears"], &[ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let again: Vec<_> = csv_rows(&july.join("entitlements.csv"))
        .into_iter()
        .filter(|r| r["child_id"] == WANG && r["kind"] != "regular")
        .collect();
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn audit_and_explain_know_the_new_category() {
    let s = Scratch::new("de-facto-audit");
    let register = s.write("paid.csv", format!("child_id,amount\n{WANG},800.00\n43030420130101109X,800.00\n"));
    let out = s.path("audit");
    let o = disburse([
        "audit",
        "--period",
        "2018-06",
        "--paid",
        &register,
        "--out",
        &out.to_string_lossy(),
        "--policy",
        POLICY,
        ROSTER,
    ]);
    assert!(code(&o) == 0 || code(&o) == 3, "{}", stderr(&o));
    let findings = csv_rows(&out.join("audit-findings.csv"));
    let wang = findings.iter().find(|r| r["child_id"] == WANG).unwrap();
    assert_eq!((wang["status"].as_str(), wang["owed"].as_str()), ("below_minimum", "900.00"));
    let zhou = findings.iter().find(|r| r["child_id"] == "43030420130101109X").unwrap();
    assert_eq!(zhou["status"], "match");
    // Under the built-in policy the audit is refused like the run.
    let o = disburse([
        "audit",
        "--period",
        "2018-06",
        "--paid",
        &register,
        "--out",
        &s.path("b").to_string_lossy(),
        ROSTER,
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));

    let o = disburse_with(&empty_ledger(), ["explain", "--period", "2018-06", "--policy", POLICY, WANG, ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("de_facto_unsupported") && text.contains("900.00"), "{text}");
    // The ended-status child: explain names the roster's word.
    let o = disburse_with(
        &empty_ledger(),
        ["explain", "--period", "2018-06", "--policy", POLICY, "430302200808081081", ROSTER],
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("已收养") && text.contains("ENDED"), "{text}");
}
