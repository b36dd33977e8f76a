//! report.xlsx in the clerk's language (SPEC section 17), read back cell by cell
//! from the real binary's output: under `--lang zh` every decision, category, kind,
//! basis and change word is the glossary's, reasons have their Chinese names beside
//! the codes, region codes their county names, counts and amounts are numbers, and
//! the 变动 sheet is changes.csv; under `--lang en` the data sheets are the CSV files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::*;
use disburse::core::glossary::{self, Group};

type Book = calamine::Xlsx<std::io::BufReader<std::fs::File>>;

/// The region codes the fixtures use and their counties (GB/T 2260).
const COUNTIES: [(&str, &str); 7] = [
    ("430102", "芙蓉区"),
    ("430103", "天心区"),
    ("430104", "岳麓区"),
    ("430302", "雨湖区"),
    ("430304", "岳塘区"),
    ("430407", "石鼓区"),
    ("430408", "蒸湘区"),
];

fn county(code: &str) -> Option<&'static str> {
    COUNTIES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// May and June of the three rosters with one ledger, June in `lang`: in June one
/// child is gone from the roster, one has a new amount, and one is new with back
/// pay for May. Returns June's output directory.
fn two_months(s: &Scratch, lang: &str) -> PathBuf {
    let ledger = s.path("ledger.sqlite");
    let run = |period: &str, out: &Path, extra: &[&str], rosters: &[&str]| {
        let mut args = vec!["run".to_string(), "--period".into(), period.into(), "--out".into()];
        args.push(out.to_string_lossy().into_owned());
        args.extend(extra.iter().map(|a| a.to_string()));
        args.extend(rosters.iter().map(|r| r.to_string()));
        disburse_with(&ledger, args)
    };
    let o = run("2018-05", &s.path("may"), &[], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let changsha = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    let mut june: String = changsha
        .lines()
        .filter(|l| !l.starts_with("430102201003120016,"))
        .map(|l| if l.starts_with("430103200907010022,") { l.replacen(",1300,", ",1400,", 1) } else { l.to_owned() })
        .map(|l| format!("{l}\n"))
        .collect();
    june.push_str(&format!(
        "{},新来,scattered,430104,2018-03,,,,新来的监护人,6222021001000000999,中国工商银行长沙分行\n",
        valid_id(7)
    ));
    let june = s.write("june.csv", june);
    let out = s.path("june");
    let o = run("2018-06", &out, &["--lang", lang, "--arrears"], &[&june, ROSTERS[1], ROSTERS[2]]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("changes.csv").exists());
    out
}

fn open(dir: &Path) -> Book {
    calamine::open_workbook(dir.join("report.xlsx")).unwrap()
}

fn rows(book: &mut Book, sheet: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(sheet).unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The glossary group a CSV column's code words belong to.
fn group_of(header: &str) -> Option<Group> {
    match header {
        "decision" => Some(Group::Decision),
        "kind" => Some(Group::Kind),
        "category" => Some(Group::Category),
        "basis" => Some(Group::Basis),
        "change" => Some(Group::Change),
        _ => None,
    }
}

/// The zh sheet's heading for a CSV column.
fn zh_heading(header: &str) -> String {
    let label = if header == "reason" { "reason_code" } else { header };
    match glossary::lookup(Group::Label, label) {
        Some(t) => t.zh.to_owned(),
        None => match header {
            "months" => "月份",
            "standard" => "标准",
            "recorded_amount" => "月发放金额",
            other => panic!("no Chinese heading for {other}"),
        }
        .to_owned(),
    }
}

/// A reason's Chinese name (changes.csv's `NOT_ON_ROSTER` included).
fn reason_zh(code: &str) -> &'static str {
    glossary::lookup(Group::Reason, code)
        .or_else(|| glossary::lookup(Group::Label, code))
        .unwrap_or_else(|| panic!("{code} has no Chinese name"))
        .zh
}

/// `2018-04;2018-05` as a clerk writes it: `2018年4月、2018年5月`.
fn months_zh(v: &str) -> String {
    v.split(';')
        .map(|m| {
            let (y, mm) = m.split_once('-').unwrap_or_else(|| panic!("not a month: {m}"));
            format!("{y}年{}月", mm.parse::<u32>().unwrap())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn is_number_column(header: &str) -> bool {
    matches!(header, "standard" | "recorded_amount" | "amount" | "previous_amount" | "children")
}

/// Every cell of the zh data sheet `sheet` against `csv`: the glossary's words, the
/// reason's name beside its code, the county beside the region code, numbers.
/// Returns how many values of each glossary group were checked.
fn assert_zh_sheet(book: &mut Book, sheet: &str, csv: &Path) -> BTreeMap<String, usize> {
    let got = rows(book, sheet);
    let want = csv_rows(csv);
    let headers: Vec<String> =
        csv::Reader::from_path(csv).unwrap().headers().unwrap().iter().map(String::from).collect();
    // The sheet's columns: each CSV column, a 原因 after `reason`, a 县（市、区） after `region_code`.
    let mut layout: Vec<(String, &str)> = Vec::new();
    for h in &headers {
        layout.push((zh_heading(h), "field"));
        match h.as_str() {
            "reason" => layout.push(("原因".into(), "reason name")),
            "region_code" => layout.push(("县（市、区）".into(), "county")),
            _ => {}
        }
    }
    let head: Vec<String> = got[0].iter().map(text).collect();
    assert_eq!(head, layout.iter().map(|l| l.0.clone()).collect::<Vec<_>>(), "{sheet} headings");
    assert_eq!(got.len(), want.len() + 1, "{sheet} rows");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (n, (row, rec)) in got[1..].iter().zip(&want).enumerate() {
        let mut c = 0;
        for h in &headers {
            let v = &rec[h];
            let cell = row.get(c).cloned().unwrap_or(Data::Empty);
            match (group_of(h), &cell) {
                _ if v.is_empty() => assert_eq!(cell, Data::Empty, "{sheet} row {n} {h}"),
                (Some(g), Data::String(s)) => {
                    let term = glossary::lookup(g, v).unwrap_or_else(|| panic!("{sheet} {h}: {v} not in the glossary"));
                    assert_eq!(s, term.zh, "{sheet} row {n} {h}");
                    *seen.entry(format!("{g:?} {v}")).or_default() += 1;
                }
                (None, Data::Float(f)) => {
                    assert!(is_number_column(h), "{sheet} row {n}: {h} is a number");
                    assert_eq!(*f, v.parse::<f64>().unwrap(), "{sheet} row {n} {h}");
                }
                (None, Data::String(s)) if matches!(h.as_str(), "period" | "months") => {
                    assert_eq!(*s, months_zh(v), "{sheet} row {n} {h}");
                    *seen.entry(format!("Month {h}")).or_default() += 1;
                }
                (None, Data::String(s)) => {
                    assert!(!is_number_column(h), "{sheet} row {n}: {h} {s} is text, not a number");
                    assert_eq!(s, v, "{sheet} row {n} {h}");
                }
                (_, other) => panic!("{sheet} row {n} {h}: {other:?} for {v}"),
            }
            c += 1;
            match h.as_str() {
                "reason" => {
                    let name = row.get(c).map(text).unwrap_or_default();
                    assert_eq!(name, if v.is_empty() { "" } else { reason_zh(v) }, "{sheet} row {n} 原因");
                    c += 1;
                }
                "region_code" => {
                    let name = row.get(c).map(text).unwrap_or_default();
                    assert_eq!(Some(name.as_str()), county(v), "{sheet} row {n}: county of {v}");
                    c += 1;
                }
                _ => {}
            }
        }
    }
    seen
}

#[test]
fn the_chinese_workbook_says_the_glossarys_words() {
    let s = Scratch::new("lang-workbook-zh");
    let out = two_months(&s, "zh");
    let mut book = open(&out);
    assert_eq!(book.sheet_names(), ["汇总", "发放花名册", "变动", "发放明细", "异常", "转账"]);

    let mut seen = BTreeMap::new();
    for (sheet, file) in [
        ("变动", "changes.csv"),
        ("发放明细", "entitlements.csv"),
        ("异常", "exceptions.csv"),
        ("转账", "transfers.csv"),
    ] {
        seen.extend(assert_zh_sheet(&mut book, sheet, &out.join(file)));
    }
    // The run has every decision but paid on the exceptions sheet, both kinds, every
    // basis, two categories and every change word.
    for key in [
        "Decision held",
        "Decision excluded",
        "Decision rejected",
        "Kind regular",
        "Kind arrears",
        "Category scattered",
        "Category institutional",
        "Basis standard",
        "Basis recorded",
        "Basis raised_to_minimum",
        "Basis arrears",
        "Change added",
        "Change removed",
        "Change amount_changed",
        "Month period",
        "Month months",
    ] {
        assert!(seen.contains_key(key), "no {key} in the run: {seen:?}");
    }

    // The 变动 sheet is changes.csv: one row each, in its order, words and numbers.
    let changes = rows(&mut book, "变动");
    assert_eq!(
        changes[0].iter().map(text).collect::<Vec<_>>(),
        ["变动", "身份证号", "姓名", "上月金额", "金额", "原因代码", "原因"]
    );
    let words: Vec<String> = changes[1..].iter().map(|r| text(&r[0])).collect();
    assert!(words.iter().all(|w| ["新增", "减少", "金额变动"].contains(&w.as_str())), "{words:?}");
    let gone = changes.iter().find(|r| text(&r[5]) == "NOT_ON_ROSTER").expect("the child gone from the roster");
    assert_eq!(text(&gone[6]), "本月花名册无此人");
    assert_eq!(gone[3], Data::Float(800.0));
    let raised = changes.iter().find(|r| text(&r[0]) == "金额变动").unwrap();
    assert_eq!((raised[3].clone(), raised[4].clone()), (Data::Float(1300.0), Data::Float(1400.0)));

    // The summary: every count a number, each region code with its county.
    let summary = rows(&mut book, "汇总");
    assert_eq!(text(&summary[0][0]), "2018年6月发放汇总");
    let facts: Vec<(String, Data)> = summary[2..10].iter().map(|r| (text(&r[0]), r[1].clone())).collect();
    let labels: Vec<&str> = facts.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(labels, ["行数", "发放", "暂缓发放", "本月不发放", "数据有误", "金额", "其中补发", "转账笔数"]);
    assert!(facts.iter().all(|f| matches!(f.1, Data::Float(_))), "{facts:?}");
    let m = manifest(&out);
    let header = summary.iter().position(|r| text(&r[0]) == "行政区划代码").unwrap();
    assert_eq!(text(&summary[header][1]), "县（市、区）");
    assert_eq!(text(&summary[header][2]), "社会散居孤儿人数");
    let by_region = m["by_region"].as_object().unwrap();
    for (code, group) in by_region {
        let row = summary.iter().find(|r| text(&r[0]) == *code).unwrap_or_else(|| panic!("{code} not in 汇总"));
        assert_eq!(Some(text(&row[1]).as_str()), county(code), "{code}");
        let children = row.iter().rev().nth(1).unwrap();
        assert_eq!(*children, Data::Float(group["children"].as_u64().unwrap() as f64), "{code}");
    }

    // The payroll list: each region headed by its code and county, categories and
    // remarks in the glossary's words.
    let list = rows(&mut book, "发放花名册");
    for code in by_region.keys() {
        let heading = format!("{code} {}", county(code).unwrap());
        assert!(list.iter().any(|r| text(&r[0]) == heading), "no heading {heading}");
    }
    let lines: Vec<&Vec<Data>> = list.iter().filter(|r| matches!(r[0], Data::Float(_))).collect();
    assert_eq!(lines.len(), csv_rows(&out.join("entitlements.csv")).len());
    let categories: Vec<&str> = glossary::CATEGORIES.iter().map(|t| t.zh).collect();
    assert!(lines.iter().all(|r| categories.contains(&text(&r[3]).as_str())), "a category not in Chinese");
    assert!(lines.iter().any(|r| text(&r[9]) == "补发"), "no back pay remark");
    assert!(lines.iter().any(|r| text(&r[9]) == "低于标准按标准补足"), "no raised remark");
    assert!(lines.iter().all(|r| matches!(r[5], Data::Float(_))));
    assert!(lines.iter().all(|r| text(&r[4]).starts_with("2018年")), "月份 as a clerk writes it");
}

#[test]
fn the_english_workbook_shows_the_csv_files_words() {
    let s = Scratch::new("lang-workbook-en");
    let out = two_months(&s, "en");
    let mut book = open(&out);
    assert_eq!(book.sheet_names(), ["Summary", "Payroll list", "Changes", "Entitlements", "Exceptions", "Transfers"]);
    let ascii = |s: &str| s.is_ascii();
    for (sheet, file) in [
        ("Changes", "changes.csv"),
        ("Entitlements", "entitlements.csv"),
        ("Exceptions", "exceptions.csv"),
        ("Transfers", "transfers.csv"),
    ] {
        let got = rows(&mut book, sheet);
        let mut rdr = csv::Reader::from_path(out.join(file)).unwrap();
        let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(got[0].iter().map(text).collect::<Vec<_>>(), headers, "{sheet}");
        let want = csv_rows(&out.join(file));
        assert_eq!(got.len(), want.len() + 1, "{sheet}");
        for (row, rec) in got[1..].iter().zip(&want) {
            for (c, h) in headers.iter().enumerate() {
                let v = &rec[h];
                match row.get(c).cloned().unwrap_or(Data::Empty) {
                    Data::Float(f) => {
                        assert!(is_number_column(h), "{sheet} {h}");
                        assert_eq!(f, v.parse::<f64>().unwrap(), "{sheet} {h}");
                    }
                    Data::Empty => assert_eq!(v, "", "{sheet} {h}"),
                    cell => {
                        assert_eq!(&text(&cell), v, "{sheet} {h}");
                        if group_of(h).is_some() {
                            assert!(ascii(v) && glossary::lookup(group_of(h).unwrap(), v).is_some(), "{sheet} {h} {v}");
                        }
                    }
                }
            }
        }
    }
    // The summary and the list: English words, the county's name beside the code.
    let summary = rows(&mut book, "Summary");
    let header = summary.iter().find(|r| text(&r[0]) == "region_code").unwrap();
    assert!(header.iter().map(text).all(|h| ascii(&h)), "{header:?}");
    assert_eq!(text(&header[1]), "county");
    let furong = summary.iter().find(|r| text(&r[0]) == "430102").unwrap();
    assert_eq!(text(&furong[1]), "芙蓉区");
    let labels: Vec<String> = summary[2..10].iter().map(|r| text(&r[0])).collect();
    assert!(labels.iter().all(|l| ascii(l)), "{labels:?}");
    let list = rows(&mut book, "Payroll list");
    assert!(list.iter().any(|r| text(&r[0]) == "430102 芙蓉区"));
    assert!(list.iter().any(|r| text(&r[9]) == "arrears"));
    let lines = list.iter().filter(|r| matches!(r[0], Data::Float(_)));
    assert!(lines.map(|r| text(&r[3])).all(|c| ascii(&c) && !c.is_empty()));
}
