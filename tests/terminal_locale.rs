//! Under a GBK locale (`zh_CN.GBK`, as on older Chinese systems) the terminal reads
//! GB18030: messages and tables are printed in it, never as raw UTF-8 bytes; `--json`
//! stays UTF-8; a UTF-8 locale gets UTF-8.

mod common;

use std::process::{Command, Output};

use common::*;

fn disburse_in(locale: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("DISBURSE_LEDGER")
        .env("LANG", locale)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

#[test]
fn a_gbk_locale_reads_its_messages_in_gb18030() {
    let o = disburse_in("zh_CN.GBK", &["verify", "no-such-run-directory"]);
    assert_eq!(code(&o), 2);
    assert!(std::str::from_utf8(&o.stderr).is_err(), "raw UTF-8 reached a GBK terminal");
    let (text, _, errors) = encoding_rs::GB18030.decode(&o.stderr);
    assert!(!errors);
    assert!(text.contains("错误") && text.contains("no-such-run-directory"), "{text}");

    let o = disburse_in("zh_CN.UTF-8", &["verify", "no-such-run-directory"]);
    assert_eq!(code(&o), 2);
    assert!(std::str::from_utf8(&o.stderr).unwrap().contains("错误"));
}

#[test]
fn tables_follow_the_locale_and_json_stays_utf8() {
    let s = Scratch::new("locale");
    let ledger = s.path("ledger.sqlite");
    let out = s.path("out");
    let (ledger_arg, out_arg) = (ledger.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    let o = disburse_in(
        "zh_CN.UTF-8",
        &["run", "--period", "2018-06", "--ledger", &ledger_arg, "--out", &out_arg, "fixtures/xiangtan-zh.csv"],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let child = csv_rows(&out.join("entitlements.csv"))[0]["child_id"].clone();

    let o = disburse_in("zh_CN.GBK", &["ledger", "--ledger", &ledger_arg, "history", &child]);
    assert_eq!(code(&o), 0);
    let (table, _, errors) = encoding_rs::GB18030.decode(&o.stdout);
    assert!(!errors && table.contains("发放记录"), "{table}");
    assert!(std::str::from_utf8(&o.stdout).is_err(), "a table in UTF-8 under GBK");

    let o = disburse_in("zh_CN.GBK", &["ledger", "--ledger", &ledger_arg, "history", &child, "--json"]);
    assert_eq!(code(&o), 0);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("--json is UTF-8 JSON under any locale");
    assert!(json.is_array() || json.is_object());
}
