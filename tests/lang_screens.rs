//! The screens other than `run` and `explain` in the clerk's language (SPEC section
//! 17): `ledger runs`, `reconcile` and `audit` against golden files a person can read
//! in both languages, and the workbooks `reconcile` and `audit` write, read back.
//!
//! The ledger stamps each run with the time it was made, and paths and journal hashes
//! differ from one scratch directory to the next, so the screens are normalised
//! before they are compared: the scratch directory reads `<tmp>`, a time on screen
//! `YYYY-MM-DD hh:mm` (as wide as the time, so the columns still line up), a SHA-256
//! `<sha256>`.

mod common;

use std::path::Path;

use common::*;

const RETURN: &str = "fixtures/returns/2018-06-return.csv";
const REGISTER: &str = "fixtures/audit/paid-2018-06.csv";
const OLD_SYSTEM: &str = "fixtures/hunan2018/january-old-system.csv";

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

/// Replaces what changes from one test run to the next (see the module doc).
fn normalise(text: &str, scratch: &Path) -> String {
    let text = text.replace(&scratch.display().to_string(), "<tmp>");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_time = |w: &[char]| {
        w.len() == 16
            && w.iter().enumerate().all(|(k, c)| match k {
                4 | 7 => *c == '-',
                10 => *c == ' ',
                13 => *c == ':',
                _ => c.is_ascii_digit(),
            })
    };
    while i < chars.len() {
        if i + 16 <= chars.len() && is_time(&chars[i..i + 16]) {
            out.push_str("YYYY-MM-DD hh:mm");
            i += 16;
            continue;
        }
        let hex = chars[i..].iter().take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()).count();
        if hex == 64 {
            out.push_str("<sha256>");
            i += 64;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Compares a normalised screen with `tests/golden/screens/<name>`.
fn assert_screen(name: &str, text: &str, scratch: &Scratch) {
    let file = scratch.write(name, normalise(text, &scratch.0));
    let _ = file;
    assert_golden("screens", &scratch.0, name);
}

/// Under Chinese, no English word is left on a screen: what has ASCII letters is a
/// file or path, a code (T201806-000001), a flag, a command name or a product name.
fn assert_no_english(text: &str) {
    let allowed = ["run", "SHA-256", "CSV", "Excel"];
    for word in text.split(|c: char| c.is_whitespace() || !c.is_ascii()) {
        if !word.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let code_or_path = word.contains('/')
            || word.contains('.')
            || word.starts_with("--")
            || word.starts_with('<')
            || word.starts_with("YYYY")
            || word == "hh:mm"
            || word.starts_with('T') && word[1..].chars().all(|c| c.is_ascii_digit() || c == '-');
        assert!(code_or_path || allowed.contains(&word), "an English word {word:?} in:\n{text}");
    }
}

fn with_lang(lang: &str, args: &[&str]) -> Vec<String> {
    let mut v = vec!["--lang".to_string(), lang.to_string()];
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

/// A ledger with history: an import voided and imported again for 2018-05, and the
/// real 2018-06 run (`june_run`).
fn ledger_with_history(s: &Scratch) -> (std::path::PathBuf, std::path::PathBuf) {
    let ledger = s.path("ledger.sqlite");
    ok(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-05", OLD_SYSTEM]));
    ok(&disburse_with(&ledger, ["ledger", "void", "1", "--reason", "导错了文件"]));
    ok(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-05", OLD_SYSTEM]));
    let (l, run) = june_run(s);
    assert_eq!(l, ledger);
    (ledger, run)
}

#[test]
fn ledger_runs_in_both_languages() {
    let s = Scratch::new("screens-runs");
    let (ledger, _) = ledger_with_history(&s);
    for lang in ["en", "zh"] {
        let o = disburse_with(&ledger, with_lang(lang, &["ledger", "runs"]));
        ok(&o);
        let text = String::from_utf8(o.stdout).unwrap();
        assert_screen(&format!("ledger-runs.{lang}.txt"), &text, &s);
        if lang == "zh" {
            let n = normalise(&text, &s.0);
            assert_no_english(&n);
            for word in ["批次", "发放年月", "有效", "已作废", "历史导入", "正式发放", "北京时间", "元"]
            {
                assert!(n.contains(word), "{word}: {n}");
            }
        }
    }
    // The JSON stays the machine's: codes and the ledger's UTC.
    let json = disburse_with(&ledger, with_lang("zh", &["ledger", "runs", "--json"]));
    let runs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(runs[0]["status"], "void");
    assert!(runs[0]["created_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn the_runs_table_shows_beijing_time() {
    let s = Scratch::new("screens-time");
    let (ledger, _) = ledger_with_history(&s);
    let json = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let utc = runs[0]["created_at"].as_str().unwrap().to_owned();
    let table = String::from_utf8(disburse_with(&ledger, ["--lang", "zh", "ledger", "runs"]).stdout).unwrap();
    let shown = disburse::beijing_time::beijing(&utc).unwrap();
    assert!(table.lines().nth(1).unwrap().contains(&shown), "{utc} as {shown}:\n{table}");
}

/// Runs `reconcile` of the June run against the planted return.
fn reconcile(s: &Scratch, lang: &str) -> (std::process::Output, std::path::PathBuf) {
    let (ledger, run) = june_run(s);
    let out = s.path("rec");
    let run_s = run.display().to_string();
    let out_s = out.display().to_string();
    let o =
        disburse_with(&ledger, with_lang(lang, &["reconcile", "--run", &run_s, "--returns", RETURN, "--out", &out_s]));
    ok(&o);
    (o, out)
}

#[test]
fn reconcile_in_both_languages() {
    for lang in ["en", "zh"] {
        let s = Scratch::new("screens-rec");
        let (o, _) = reconcile(&s, lang);
        let text = stderr(&o);
        assert_screen(&format!("reconcile.{lang}.txt"), &text, &s);
        if lang == "zh" {
            let n = normalise(&text, &s.0);
            assert_no_english(&n);
            for word in ["已到账", "失败", "金额不符", "回盘未列", "无此转账", "重复回盘", "无法读取", "元"]
            {
                assert!(n.contains(word), "{word}: {n}");
            }
        }
    }
}

fn audit(s: &Scratch, lang: &str, out: &str) -> (std::process::Output, std::path::PathBuf) {
    let out = s.path(out);
    let out_s = out.display().to_string();
    let mut args = with_lang(lang, &["audit", "--period", "2018-06", "--paid", REGISTER, "--out", &out_s]);
    args.extend(ROSTERS.iter().map(|r| r.to_string()));
    let o = disburse(args);
    ok(&o);
    (o, out)
}

#[test]
fn audit_in_both_languages() {
    for lang in ["en", "zh"] {
        let s = Scratch::new("screens-audit");
        let (o, _) = audit(&s, lang, "audit");
        let text = stderr(&o);
        assert_screen(&format!("audit.{lang}.txt"), &text, &s);
        if lang == "zh" {
            let n = normalise(&text, &s.0);
            assert_no_english(&n);
            for word in ["相符", "低于最低标准", "少发", "多发", "不应发放", "名册外人员", "漏发", "重复发放", "元"]
            {
                assert!(n.contains(word), "{word}: {n}");
            }
        }
    }
}

/// Every cell of a sheet as text (numbers as they read back).
fn sheet(path: &Path, name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    book.worksheet_range(name).unwrap_or_else(|e| panic!("{name}: {e}")).rows().map(|r| r.to_vec()).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    use calamine::Reader;
    calamine::open_workbook_auto(path).unwrap().sheet_names()
}

fn text(d: &calamine::Data) -> String {
    match d {
        calamine::Data::String(s) => s.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn number(d: &calamine::Data) -> f64 {
    match d {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[cfg(unix)]
fn owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
}

#[test]
fn the_reconciliation_workbook_reads_back_in_chinese() {
    let s = Scratch::new("screens-rec-book");
    let (_, out) = reconcile(&s, "zh");
    let book = out.join("reconciliation.xlsx");
    #[cfg(unix)]
    owner_only(&book);
    assert_eq!(sheet_names(&book), ["汇总", "对账明细"]);
    let rows = sheet(&book, "对账明细");
    assert_eq!(
        rows[0].iter().map(text).collect::<Vec<_>>(),
        ["转账编号", "收款账号", "金额", "回盘金额", "对账结果", "原因", "回盘行号"]
    );
    let csv = csv_rows(&out.join("bank-reconciliation.csv"));
    assert_eq!(rows.len(), csv.len() + 1);
    let outcomes: Vec<&str> = disburse::core::glossary::OUTCOMES.iter().map(|t| t.zh).collect();
    for (row, c) in rows[1..].iter().zip(&csv) {
        assert_eq!(text(&row[0]), c["transfer_id"]);
        let word = text(&row[4]);
        assert!(outcomes.contains(&word.as_str()), "{word}");
        assert_eq!(
            word,
            disburse::core::glossary::say(
                disburse::core::glossary::Group::Outcome,
                &c["outcome"],
                disburse::core::detail::Lang::Zh
            )
        );
        if !c["amount"].is_empty() {
            assert_eq!(number(&row[2]), c["amount"].parse::<f64>().unwrap());
        }
    }
    let mismatch = rows.iter().find(|r| text(&r[0]) == "T201806-000003").unwrap();
    assert_eq!(text(&mismatch[5]), "转账金额1250.00元，银行回盘金额1200.00元");
    // An unreadable line says why in Chinese, quoting what the bank wrote.
    let unreadable = rows.iter().find(|r| text(&r[4]) == "无法读取").unwrap();
    let why = text(&unreadable[5]);
    assert!(why.contains("“eight hundred”"), "{why}");
    assert!(common::lang::english_words(&why, &[]).is_empty(), "{why}");
    let summary = sheet(&book, "汇总");
    assert_eq!(text(&summary[0][0]), "对账结果");
    let settled = summary.iter().find(|r| r.first().map(|d| d.to_string()) == Some("已到账".into())).unwrap();
    assert_eq!(number(&settled[1]), 8.0);
    let total = summary.iter().find(|r| r.first().map(|d| d.to_string()) == Some("合计".into())).unwrap();
    assert_eq!(number(&total[1]) as usize, csv.len());
    // The manifest lists the workbook with its hash.
    let m = manifest(&out);
    let listed = m["outputs"].as_array().unwrap().iter().find(|o| o["file"] == "reconciliation.xlsx").unwrap();
    let bytes = std::fs::read(&book).unwrap();
    assert_eq!(listed["sha256"], disburse::sha256_hex(&bytes));
}

#[test]
fn the_audit_workbook_reads_back_in_chinese_and_is_the_same_bytes_twice() {
    let s = Scratch::new("screens-audit-book");
    let (_, out) = audit(&s, "zh", "a1");
    let (_, again) = audit(&s, "zh", "a2");
    let book = out.join("audit.xlsx");
    #[cfg(unix)]
    owner_only(&book);
    assert_eq!(std::fs::read(&book).unwrap(), std::fs::read(again.join("audit.xlsx")).unwrap(), "no clock in the file");
    assert_eq!(sheet_names(&book), ["汇总", "审核结果"]);
    let rows = sheet(&book, "审核结果");
    assert_eq!(
        rows[0].iter().map(text).collect::<Vec<_>>(),
        ["身份证号", "姓名", "审核结论", "应发", "实发", "差额", "原因", "来源"]
    );
    let csv = csv_rows(&out.join("audit-findings.csv"));
    assert_eq!(rows.len(), csv.len() + 1);
    use disburse::core::glossary::{say, Group};
    for (row, c) in rows[1..].iter().zip(&csv) {
        assert_eq!(text(&row[2]), say(Group::AuditStatus, &c["status"], disburse::core::detail::Lang::Zh));
        assert_eq!(number(&row[3]), c["owed"].parse::<f64>().unwrap());
        assert_eq!(number(&row[5]), c["difference"].parse::<f64>().unwrap());
    }
    let below = rows.iter().find(|r| r.get(1).map(|d| d.to_string()) == Some("陈小雨".into())).unwrap();
    assert_eq!(text(&below[2]), "低于最低标准");
    assert!(text(&below[6]).starts_with("实发") && text(&below[6]).contains("元"), "{}", text(&below[6]));
    let aged = rows.iter().find(|r| r.get(1).map(|d| d.to_string()) == Some("吴天宇".into())).unwrap();
    assert!(text(&aged[6]).starts_with("已满18周岁（AGED_OUT）："), "{}", text(&aged[6]));
    let summary = sheet(&book, "汇总");
    let header: Vec<String> = summary[0].iter().map(text).collect();
    assert_eq!(header, ["审核结论", "儿童人数", "应发", "实发", "差额"]);
    let unpaid = summary.iter().find(|r| r.first().map(|d| d.to_string()) == Some("漏发".into())).unwrap();
    assert_eq!(number(&unpaid[1]), manifest(&out)["by_status"]["unpaid"]["children"].as_f64().unwrap());
}

#[test]
fn the_english_workbooks_stay_english() {
    let s = Scratch::new("screens-en-book");
    let (_, out) = audit(&s, "en", "a");
    let book = out.join("audit.xlsx");
    assert_eq!(sheet_names(&book), ["Summary", "Findings"]);
    let rows = sheet(&book, "Findings");
    assert_eq!(text(&rows[0][2]), "status");
    assert!(rows[1..].iter().all(|r| text(&r[2]).is_ascii()));
    let (_, rec) = reconcile(&s, "en");
    let rows = sheet(&rec.join("reconciliation.xlsx"), "Reconciliation");
    assert!(rows[1..].iter().any(|r| text(&r[4]) == "amount mismatch"));
}

#[test]
fn verify_and_ledger_verify_speak_chinese() {
    let s = Scratch::new("screens-verify");
    let (ledger, run) = june_run(&s);
    let run_s = run.display().to_string();
    let o = disburse_with(&ledger, with_lang("zh", &["verify", &run_s, "--ledger", &ledger.display().to_string()]));
    ok(&o);
    let said = normalise(&stderr(&o), &s.0);
    assert!(said.contains("：完好（") && said.contains("台账中有此批次的记录"), "{said}");
    assert_no_english(&said);
    let o = disburse_with(&ledger, with_lang("zh", &["ledger", "verify"]));
    ok(&o);
    let said = normalise(&stderr(&o), &s.0);
    assert!(said.contains("完好（日志共3条") && said.contains("第3条，SHA-256"), "{said}");
    assert_no_english(&said);
    // A changed amount in transfers.csv.
    let path = run.join("transfers.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("800.00", "900.00", 1)).unwrap();
    let o = disburse_with(&ledger, with_lang("zh", &["verify", &run_s]));
    assert_eq!(code(&o), 1);
    let said = normalise(&stderr(&o), &s.0);
    assert!(said.contains("：核验不通过：transfers.csv：SHA-256"), "{said}");
    assert_no_english(&said);
    let o = disburse_with(&ledger, with_lang("en", &["verify", &run_s]));
    assert!(stderr(&o).contains(": BROKEN: transfers.csv: SHA-256"), "{}", stderr(&o));
}

#[test]
fn history_import_and_void_speak_chinese() {
    let s = Scratch::new("screens-history");
    let (ledger, _) = ledger_with_history(&s);
    let child = csv_rows(&root().join(OLD_SYSTEM))[0]["身份证号"].clone();
    let o = disburse_with(&ledger, with_lang("zh", &["ledger", "history", &child]));
    ok(&o);
    let text = normalise(&String::from_utf8(o.stdout).unwrap(), &s.0);
    assert!(text.contains("2018年5月") && text.contains("当月") && text.contains("已作废"), "{text}");
    assert!(!text.contains(&child), "the whole ID is never printed: {text}");
    assert_no_english(&text);
    let bad = s.write("bad.csv", "child_id,category,region_code,amount\n430102201003120016,scattered,430102,八百\n");
    let o = disburse_with(&ledger, with_lang("zh", &["ledger", "import", "--period", "2018-07", &bad]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let said = normalise(&stderr(&o), &s.0);
    assert!(said.contains("金额应写成普通数字") && said.contains("请更正该文件后重新导入"), "{said}");
    let o = disburse_with(&ledger, with_lang("zh", &["ledger", "void", "2", "--reason", "重新导入"]));
    ok(&o);
    let said = normalise(&stderr(&o), &s.0);
    assert_eq!(said, "批次2（历史导入，2018年5月，2900.00元）已作废，其发放记录不再计入\n");
}
