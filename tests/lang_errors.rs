//! Fatal errors in the clerk's language (SPEC section 17, issue 19): every kind of
//! fatal error, argument error and I/O error, through the real binary, is one line of
//! Chinese under `--lang zh` (no English word but file names, codes, flags and
//! product names) and has no Chinese under `--lang en` except quoted values; `--help`
//! is Chinese under zh.

mod common;

use std::process::{Command, Output};

use common::lang::{chinese_outside_quotes, english_words, has_chinese};
use common::*;

/// Runs the binary from the project root with `lang` (`--lang` first) and no
/// ledger variable, so a real run without `--ledger` is refused.
fn run_in(lang: &str, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("DISBURSE_LEDGER")
        .arg("--lang")
        .arg(lang)
        .args(args)
        .current_dir(root())
        .output()
        .expect("run disburse")
}

/// The cases: a name, the arguments, and a word the Chinese line must hold.
fn cases(s: &Scratch) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let out = |n: &str| s.path(n).to_string_lossy().into_owned();
    let dry = |o: &str, rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> =
            ["run", "--dry-run", "--period", "2018-06", "--out"].iter().map(|a| a.to_string()).collect();
        v.push(out(o));
        v.extend(rest.iter().map(|a| a.to_string()));
        v
    };
    let plain = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    let bad_policy = s.write("policy.csv", "effective_from,category,region_prefix,minimun\n2018-01,scattered,,800\n");
    let latin1_policy = s.write("latin1.csv", b"effective_from,category,region_prefix,minimum\n2018-01,\xe9,,800\n");
    let twice =
        s.write("two.csv", plain.replacen("payee_account", "账号", 1).replacen("payee_bank", "payee_bank,卡号", 1));
    let empty = s.write("empty.csv", "");
    let no_header = s.write("noheader.csv", "a,b\n1,2\n");
    let quote = s.write("quote.csv", format!("{plain}\"430102200801153010,unclosed\n"));
    let fake_xlsx = s.write("fake.xlsx", "this is not a workbook");
    let full = s.path("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("old.txt"), "x").unwrap();
    let bank = s.write("bank.toml", "name = \"my bank\"\nformat = \"csv\"\n");
    let roster_profile = s.write("profile.toml", "sheeet = \"花名册\"\n");
    let not_ledger = s.write("ledger.sqlite", "this is not a database, just text that is long enough to be read");
    let r = "fixtures/changsha.csv";
    let xlsx = "fixtures/xlsx/excel-habits.xlsx";
    let v = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        ("missing roster file", dry("o1", &["fixtures/no-such-roster.csv"]), "找不到"),
        ("directory instead of a file", dry("o2", &["fixtures"]), "文件夹"),
        ("bad policy column", dry("o3", &["--policy", &bad_policy, r]), "minimun"),
        ("policy not UTF-8", dry("o4", &["--policy", &latin1_policy, r]), "UTF-8"),
        ("missing policy file", dry("o5", &["--policy", "no-such-policy.csv", r]), "找不到"),
        ("instructions sheet first", dry("o6", &[xlsx]), "--sheet"),
        ("no such sheet", dry("o7", &["--sheet", "Sheet9", xlsx]), "花名册"),
        ("duplicate column", dry("o8", &[&twice]), "只保留"),
        ("empty roster", dry("o9", &[&empty]), "空"),
        ("no header", dry("o10", &[&no_header]), "表头"),
        ("unclosed quote", dry("o11", &[&quote]), "引号"),
        ("not a workbook", dry("o12", &[&fake_xlsx]), "工作簿"),
        ("same roster twice", dry("o13", &[r, r]), "同一个文件"),
        ("out not empty", dry("full", &[r]), "不为空"),
        ("bad period", v(&["run", "--dry-run", "--period", "2018-13", "--out", &out("o14"), r]), "年月"),
        ("bad ceiling", dry("o15", &["--ceiling", "lots", r]), "金额"),
        ("zero threads", dry("o16", &["--threads", "0", r]), "--threads"),
        ("bad bank profile", dry("o17", &["--bank-profile", &bank, r]), "银行模板"),
        ("bad roster profile", dry("o18", &["--roster-profile", &roster_profile, r]), "sheeet"),
        ("payer half given", dry("o19", &["--payer-account", "6222", r]), "--payer-name"),
        ("bad execution date", dry("o20", &["--bank-profile", "pain001", "--execution-date", "10/06/2018", r]), "日期"),
        ("no ledger for a real run", v(&["run", "--period", "2018-06", "--out", &out("o21"), r]), "台账"),
        ("a file that is not a ledger", v(&["ledger", "--ledger", &not_ledger, "runs"]), "台账"),
        ("unknown flag", v(&["run", "--perod", "2018-06", "--out", &out("o22"), r]), "--perod"),
        ("missing argument", v(&["run", "--out", &out("o23"), r]), "--period"),
        ("missing rosters", v(&["run", "--period", "2018-06", "--out", &out("o24")]), "花名册"),
        ("bad encoding value", dry("o25", &["--encoding", "latin1", r]), "latin1"),
        ("unknown command", v(&["rnu"]), "rnu"),
        ("missing command", v(&[]), "命令"),
        ("missing subcommand", v(&["ledger"]), "命令"),
        ("not a number", v(&["ledger", "void", "one", "--reason", "x"]), "one"),
    ]
}

/// CSV column names (the machine contract) that are plain words.
const COLUMNS: &[&str] = &["name", "category", "amount", "status", "reason", "minimum", "note"];

/// Words a Chinese line may hold besides codes and file names: command names.
const COMMANDS: &[&str] =
    &["run", "verify", "reconcile", "audit", "explain", "ledger", "help", "import", "runs", "history", "void"];

#[test]
fn every_fatal_error_is_one_chinese_line_under_zh() {
    let s = Scratch::new("lang-errors-zh");
    let cases = cases(&s);
    assert!(cases.len() >= 20);
    for (name, args, says) in cases {
        let o = run_in("zh", &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {err}");
        assert_eq!(err.matches('\n').count(), 1, "{name}: not one line: {err}");
        let line = err.trim_end().strip_prefix("disburse：错误：").unwrap_or_else(|| panic!("{name}: prefix: {err}"));
        assert!(has_chinese(line) && line.contains(says), "{name}: {err}");
        assert!(line.ends_with(['。', '？']), "{name}: {err}");
        // The command and the user's own values (file names, flags) may stay.
        let mut extra: Vec<&str> = [COMMANDS, COLUMNS].concat();
        extra.extend(args.iter().map(String::as_str));
        let english = english_words(line, &extra);
        assert!(english.is_empty(), "{name}: English words {english:?} in: {err}");
        assert!(!line.contains("os error") && !line.contains(" — "), "{name}: {err}");
    }
    assert!(s.entries().iter().all(|e| !e.starts_with('o')), "nothing is written: {:?}", s.entries());
}

#[test]
fn the_same_errors_have_no_chinese_under_en() {
    let s = Scratch::new("lang-errors-en");
    for (name, args, _) in cases(&s) {
        let o = run_in("en", &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {err}");
        assert!(!err.contains("错误"), "{name}: {err}");
        let chinese = chinese_outside_quotes(&err);
        assert!(chinese.is_empty(), "{name}: Chinese {chinese:?} in English: {err}");
    }
}

#[test]
fn help_is_chinese_under_zh_and_english_under_en() {
    let extra: Vec<&str> = [COMMANDS, &["zh", "en", "auto", "gbk", "generic-csv", "pain001"]].concat();
    for args in
        [&["--help"][..], &["run", "--help"], &["ledger", "--help"], &["ledger", "void", "--help"], &["help", "audit"]]
    {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let o = run_in("zh", &args);
        assert_eq!(code(&o), 0, "{args:?}");
        let help = String::from_utf8(o.stdout).unwrap();
        assert!(help.contains("用法：") && help.contains("选项："), "{args:?}: {help}");
        for line in help.lines() {
            let english = english_words(line, &extra);
            assert!(english.is_empty(), "{args:?}: English {english:?} in: {line}");
        }
        let o = run_in("en", &args);
        assert_eq!(code(&o), 0);
        let help = String::from_utf8(o.stdout).unwrap();
        assert!(help.contains("Usage:") && !has_chinese(&help.replace("联行号", "")), "{args:?}: {help}");
    }
    let top = String::from_utf8(run_in("zh", &["--help".into()]).stdout).unwrap();
    assert!(top.contains("命令："), "{top}");
    // A zh locale without --lang speaks Chinese too; --version is unchanged.
    let o = Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .args(["run", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8(o.stdout).unwrap().contains("用法："));
    assert_eq!(code(&run_in("zh", &["--version".into()])), 0);
}

#[test]
fn under_a_gbk_locale_the_chinese_error_is_gb18030() {
    let o = Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "zh_CN.GBK")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .args(["run", "--perod", "2018-06"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(std::str::from_utf8(&o.stderr).is_err(), "raw UTF-8 reached a GBK terminal");
    let (text, _, errors) = encoding_rs::GB18030.decode(&o.stderr);
    assert!(!errors && text.starts_with("disburse：错误：无法识别的选项“--perod”"), "{text}");
}

#[test]
fn the_checker_knows_english_from_codes() {
    assert!(english_words("r.csv第2行：身份证号码有误（INVALID_ID），请用 --sheet 指定“Sheet 9”。", &[]).is_empty());
    assert!(english_words("政策文件有误：列为effective_from,category,region_prefix,minimum。", &[]).is_empty());
    assert_eq!(english_words("读取失败：No such file", &[]), ["No", "such", "file"]);
    assert_eq!(chinese_outside_quotes("the sheet \"说明\" (it has: 花名册) is 错"), "错");
}
