//! The clerk's desk (SPEC section 10): workbook rosters, Chinese, explanations and the
//! month-over-month changes.

mod common;

use std::path::Path;

use common::*;

fn dry(out: &Path, extra: &[&str], rosters: &[&str]) -> std::process::Output {
    let mut args = vec!["run".to_string(), "--dry-run".into(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(rosters.iter().map(|s| s.to_string()));
    disburse(args)
}

fn without_path(out: &Path, file: &str) -> Vec<String> {
    csv_rows(&out.join(file))
        .into_iter()
        .map(|mut r| {
            let line = r.remove("source").unwrap_or_default().rsplit(':').next().unwrap_or_default().to_owned();
            format!("{line} {r:?}")
        })
        .collect()
}

#[test]
fn a_workbook_roster_decides_exactly_like_its_csv_twin() {
    let s = Scratch::new("xlsx-twin");
    let (csv, xlsx) = (s.path("csv"), s.path("xlsx"));
    assert_eq!(code(&dry(&csv, &[], &["fixtures/xiangtan-zh.csv"])), 0);
    let o = dry(&xlsx, &[], &["fixtures/xlsx/xiangtan.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["entitlements.csv", "exceptions.csv"] {
        assert_eq!(without_path(&csv, f), without_path(&xlsx, f), "{f}");
    }
    assert_eq!(manifest(&xlsx)["inputs"][0]["encoding"], "xlsx sheet 花名册");
    // Mixed freely with CSV rosters in one run.
    let mixed = s.path("mixed");
    assert_eq!(code(&dry(&mixed, &[], &["fixtures/changsha.csv", "fixtures/xlsx/xiangtan.xlsx"])), 0);
    let exc = csv_rows(&mixed.join("exceptions.csv"));
    assert!(exc.iter().any(|r| r["source"] == "fixtures/xlsx/xiangtan.xlsx:6" && r["reason"] == "DUPLICATE_ID"));
}

#[test]
fn what_excel_does_to_a_roster() {
    let s = Scratch::new("xlsx-habits");
    // The first sheet is a note, not the roster.
    let o = dry(&s.path("first"), &[], &["fixtures/xlsx/excel-habits.xlsx"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--sheet"), "{}", stderr(&o));
    let o = dry(&s.path("nosuch"), &["--sheet", "Sheet9"], &["fixtures/xlsx/excel-habits.xlsx"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("花名册"), "{}", stderr(&o));
    let out = s.path("habits");
    let o = dry(&out, &["--sheet", "花名册"], &["fixtures/xlsx/excel-habits.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let exc = csv_rows(&out.join("exceptions.csv"));
    // An ID stored as a number is refused with the Excel hint, never rounded.
    assert_eq!(exc.len(), 1);
    assert_eq!(exc[0]["reason"], "INVALID_ID");
    assert_eq!(exc[0]["child_id"], "4.30302E+17");
    assert!(exc[0]["detail"].contains("Excel"));
    // A date cell in a month column is its month; numbers read as Excel shows them.
    let ent = csv_rows(&out.join("entitlements.csv"));
    assert_eq!(ent[0]["name"], "林静");
    assert_eq!(ent[0]["recorded_amount"], "1250.50");
    assert_eq!(ent[0]["source"], "fixtures/xlsx/excel-habits.xlsx:3");
    assert_eq!(ent[1]["name"], "马丽");
    assert_eq!(manifest(&out)["inputs"][0]["blank_rows"], 1);
}

#[test]
fn details_and_summary_in_chinese() {
    let s = Scratch::new("zh");
    let out = s.path("zh");
    let o = dry(&out, &["--lang", "zh"], &ROSTERS);
    assert_eq!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.contains("发放") && err.contains("数据有误"), "{err}");
    let exc = csv_rows(&out.join("exceptions.csv"));
    let aged = exc.iter().find(|r| r["reason"] == "AGED_OUT").unwrap();
    assert!(aged["detail"].contains("年满18周岁"), "{}", aged["detail"]);
    // Reason codes and headers stay the machine contract.
    assert!(exc.iter().all(|r| r["reason"].is_ascii()));
    // The default comes from the locale.
    let en = s.path("en");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
        .args(["run", "--dry-run", "--period", "2018-06", "--out"])
        .arg(&en)
        .args(ROSTERS)
        .current_dir(root())
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env("DISBURSE_LEDGER", fresh_ledger())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("数据有误"));
}
