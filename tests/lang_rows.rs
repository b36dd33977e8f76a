//! The rows in the clerk's language (SPEC section 17): `explain` read by a person in
//! both languages (golden files in tests/golden/explain/), the `detail` sentences of
//! exceptions.csv (the value found, the other row and the field), the same other row
//! named whatever the thread count, and the run summary under `--lang zh`.

mod common;

use common::*;

/// `explain --period 2018-06 ARGS` in `lang`, with an empty ledger: (exit, stdout).
fn explain(lang: &str, ledger: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut full = vec!["--lang", lang, "explain", "--period", "2018-06"];
    full.extend_from_slice(args);
    let o = disburse_with(ledger, &full);
    (code(&o), String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Text outside quoted values (“…” and "…").
fn unquoted(s: &str) -> String {
    let (mut out, mut zh, mut en) = (String::new(), 0, false);
    for c in s.chars() {
        match c {
            '“' => zh += 1,
            '”' => zh -= 1,
            '"' => en = !en,
            c if zh == 0 && !en => out.push(c),
            _ => {}
        }
    }
    out
}

/// English words left in Chinese text: runs of ASCII letters that are not a code
/// (DUPLICATE_ID), a flag (--ceiling), a file name or path, the ID's check letter,
/// a product name, or one of `allowed` (a policy's name, say).
fn english_words(zh: &str, allowed: &[&str]) -> Vec<String> {
    const PRODUCTS: [&str; 7] = ["CSV", "Excel", "UTF", "GBK", "SQLite", "X", "disburse"];
    let mut words = Vec::new();
    for token in unquoted(zh).split(|c: char| !(c.is_ascii_alphanumeric() || "-_./*".contains(c))) {
        let token = token.trim_matches('.');
        if !token.chars().any(|c| c.is_ascii_alphabetic()) || allowed.contains(&token) {
            continue;
        }
        let code = token.len() >= 3 && token.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        let flag = token.starts_with("--");
        let file = token.contains('.') || token.contains('/');
        let product = token.split('-').all(|p| PRODUCTS.contains(&p) || p.chars().all(|c| c.is_ascii_digit()));
        let masked_id = token.ends_with('X') && token.chars().all(|c| c.is_ascii_digit() || c == '*' || c == 'X');
        if !(code || flag || file || product || masked_id) {
            words.push(token.to_owned());
        }
    }
    words
}

const TOP_UP: [&str; 4] = ["--policy", "fixtures/policy-county.csv", "430103200006200080", "fixtures/changsha.csv"];
const DUPLICATE: [&str; 3] = ["43010220080808031X", "fixtures/changsha.csv", "fixtures/xiangtan-zh.csv"];
const CEILING: [&str; 2] = ["430102201301010093", "fixtures/changsha.csv"];
const AGED_OUT: [&str; 2] = ["430103200003150073", "fixtures/changsha.csv"];
const INVALID: [&str; 2] = ["430102201001040143", "fixtures/changsha.csv"];
const PAYEE: [&str; 2] = ["430104201001150265", "fixtures/changsha.csv"];

#[test]
fn explain_reads_as_golden_in_both_languages() {
    let s = Scratch::new("lang-explain");
    let cases: [(&str, &[&str]); 6] = [
        ("top-up", &TOP_UP),
        ("duplicate", &DUPLICATE),
        ("ceiling", &CEILING),
        ("aged-out", &AGED_OUT),
        ("invalid-category", &INVALID),
        ("payee-conflict", &PAYEE),
    ];
    for (case, args) in cases {
        for lang in ["zh", "en"] {
            let (c, out) = explain(lang, &empty_ledger(), args);
            assert_eq!(c, 0, "{case} {lang}: {out}");
            let file = format!("{case}.{lang}.txt");
            std::fs::write(s.path(&file), &out).unwrap();
            assert_golden("explain", &s.0, &file);
        }
    }
}

/// Back pay and the ledger's history, month by month, in both languages.
#[test]
fn explain_with_arrears_and_history_reads_as_golden() {
    let s = Scratch::new("lang-explain-arrears");
    let ledger = ledger_paid_through_may(&s);
    let text = ledger.to_string_lossy().into_owned();
    for lang in ["zh", "en"] {
        let (c, out) =
            explain(lang, &ledger, &["--ledger", &text, "430102200801153010", "fixtures/hunan2018/roster-june.csv"]);
        assert_eq!(c, 0, "{out}");
        let file = format!("arrears-history.{lang}.txt");
        std::fs::write(s.path(&file), &out).unwrap();
        assert_golden("explain", &s.0, &file);
    }
}

#[test]
fn explain_under_zh_keeps_no_english_and_says_only_true_things() {
    let cases: [&[&str]; 6] = [&TOP_UP, &DUPLICATE, &CEILING, &AGED_OUT, &INVALID, &PAYEE];
    for args in cases {
        let (_, zh) = explain("zh", &empty_ledger(), args);
        let left = english_words(&zh, &["hunan-2018"]);
        assert!(left.is_empty(), "{args:?} keeps {left:?}:\n{zh}");
        for bad in ["prefix", "max(", "<=", ">=", "held", "paid", "期间", "暂缓 ", "不予发放"] {
            assert!(!zh.contains(bad), "{args:?} says {bad}:\n{zh}");
        }
    }
    // The failed ceiling check states what is true, in both languages.
    let (_, zh) = explain("zh", &empty_ledger(), &CEILING);
    assert!(zh.contains("✗ 未超过上限") && zh.contains("金额6000.00元超过上限5000.00元"), "{zh}");
    let (_, en) = explain("en", &empty_ledger(), &CEILING);
    assert!(en.contains("✗ ceiling") && en.contains("amount 6000.00 is above the ceiling 5000.00"), "{en}");
    // The policy rows in words, the amount in words.
    let (_, zh) = explain("zh", &empty_ledger(), &TOP_UP);
    assert!(zh.contains("全省，自2018年1月起：800.00元"), "{zh}");
    assert!(zh.contains("行政区划代码以4301开头，自2018年1月起：900.00元（本行适用此标准）"), "{zh}");
    assert!(zh.contains("低于标准按标准补足：月发放金额850.50元低于标准900.00元，发放900.00元"), "{zh}");
    assert!(zh.contains("处理结果") && zh.contains("发放900.00元"), "{zh}");
}

#[test]
fn exceptions_details_quote_the_value_and_name_the_other_row() {
    let s = Scratch::new("lang-details");
    for (lang, out) in [("zh", s.path("zh")), ("en", s.path("en"))] {
        let o = run_month("2018-06", &out, &["--dry-run", "--lang", lang], &ROSTERS);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let rows = csv_rows(&out.join("exceptions.csv"));
        let detail = |source: &str| rows.iter().find(|r| r["source"] == source).unwrap()["detail"].clone();
        let (q, p) = if lang == "zh" { (("“", "”"), "第") } else { (("\"", "\""), ":") };
        for (source, value) in [
            ("fixtures/changsha.csv:16", "foster"),
            ("fixtures/changsha.csv:17", "4301"),
            ("fixtures/changsha.csv:18", "2018-13"),
            ("fixtures/changsha.csv:19", "deceased"),
            ("fixtures/changsha.csv:20", "1,200"),
        ] {
            let d = detail(source);
            assert!(d.contains(&format!("{}{value}{}", q.0, q.1)), "{lang} {source}: {d}");
        }
        // Every accepted status word is named, the newer ones too.
        assert!(detail("fixtures/changsha.csv:19").contains("被收养"));
        assert!(detail("fixtures/changsha.csv:16").contains("福利机构养育孤弃儿童"));
        let dup = detail("fixtures/changsha.csv:11");
        assert!(dup.contains(&format!("fixtures/xiangtan-zh.csv{p}6")), "{dup}");
        assert!(detail("fixtures/xiangtan-zh.csv:6").contains(&format!("fixtures/changsha.csv{p}11")));
        let payee = detail("fixtures/changsha.csv:29");
        assert!(payee.contains(&format!("fixtures/changsha.csv{p}30")), "{payee}");
        assert!(payee.contains(if lang == "zh" { "但收款人不同" } else { "a different payee_name" }), "{payee}");
        if lang == "zh" {
            for r in &rows {
                let left = english_words(&r["detail"], &[]);
                assert!(left.is_empty(), "{}: {} keeps {left:?}", r["source"], r["detail"]);
            }
            assert!(detail("fixtures/changsha.csv:25").contains("换行符"));
            assert!(!rows.iter().any(|r| r["detail"].contains("U+")));
        }
    }
}

/// Each row of a duplicated ID or a conflicted account names the same other row and
/// field whatever the thread count; a bank-code conflict names 开户行联行号.
#[test]
fn the_other_row_named_does_not_depend_on_threads() {
    let s = Scratch::new("lang-other-row");
    let header =
        "child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank,payee_bank_code\n";
    let mut a = String::from(header);
    let mut b = String::from(header);
    for i in 0..3000u32 {
        let id = valid_id(if i < 2700 { i % 2500 } else { i + 10_000 });
        let account = 6_222_020_000_000_000u64 + u64::from(i % 2800);
        let code = match i % 11 {
            0 => "",
            1..=5 => "102551000011",
            _ => "102551000012",
        };
        let line = format!("{id},儿童{i},scattered,430102,2018-01,监护人{},{account},工行,{code}\n", i % 2800);
        if i % 2 == 0 {
            a.push_str(&line)
        } else {
            b.push_str(&line)
        }
    }
    let (fa, fb) = (s.write("a.csv", a), s.write("b.csv", b));
    let mut seen = Vec::new();
    for threads in ["1", "3"] {
        let out = s.path(&format!("t{threads}"));
        let o = run_month("2018-06", &out, &["--dry-run", "--lang", "zh", "--threads", threads], &[&fa, &fb]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        seen.push(std::fs::read(out.join("exceptions.csv")).unwrap());
    }
    assert_eq!(seen[0], seen[1]);
    let text = String::from_utf8(seen.pop().unwrap()).unwrap();
    assert!(text.contains("DUPLICATE_ID") && text.contains("PAYEE_CONFLICT"), "{text}");
    for line in text.lines().skip(1) {
        if line.contains("DUPLICATE_ID") {
            assert!(line.contains("a.csv第") || line.contains("b.csv第"), "{line}");
        }
    }

    // Blank, then two different codes on one account: every row is held, the blank
    // one names a row with a code, and the field is the bank code.
    let three = format!(
        "{header}{},甲,scattered,430102,2018-01,监护人,6222020011110001,工行,\n\
         {},乙,scattered,430102,2018-01,监护人,6222020011110001,工行,102551000011\n\
         {},丙,scattered,430102,2018-01,监护人,6222020011110001,工行,102551000012\n",
        valid_id(1),
        valid_id(2),
        valid_id(3)
    );
    let f = s.write("codes.csv", three);
    let out = s.path("codes");
    let o = run_month("2018-06", &out, &["--dry-run", "--lang", "zh"], &[&f]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = csv_rows(&out.join("exceptions.csv"));
    assert_eq!(rows.len(), 3);
    let names = |r: &std::collections::BTreeMap<String, String>, line: u32| {
        r["detail"].contains(&format!("codes.csv第{line}行")) && r["detail"].contains("但开户行联行号不同")
    };
    assert!(names(&rows[0], 4), "{}", rows[0]["detail"]);
    assert!(names(&rows[1], 4), "{}", rows[1]["detail"]);
    assert!(names(&rows[2], 3), "{}", rows[2]["detail"]);
}

#[test]
fn the_summary_speaks_the_glossary() {
    let s = Scratch::new("lang-summary");
    let out = s.path("zh");
    let o = run_month("2018-06", &out, &["--dry-run", "--lang", "zh"], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    for word in [
        "发放年月2018年6月",
        "暂缓发放",
        "本月不发放",
        "数据有误",
        "金额13800.50元",
        "身份证号码重复（DUPLICATE_ID）",
        "收款信息不一致（PAYEE_CONFLICT）",
    ] {
        assert!(err.contains(word), "the summary lacks {word}:\n{err}");
    }
    for bad in ["不予发放", "暂缓  ", "期间", "批次号"] {
        assert!(!err.contains(bad), "the summary says {bad}:\n{err}");
    }
    for line in err.lines() {
        let left = english_words(line, &[]);
        assert!(left.is_empty(), "{line} keeps {left:?}");
    }
}

/// docs/reasons.md lists every reason code with the glossary's Chinese name.
#[test]
fn the_reasons_document_names_every_code_in_chinese() {
    use disburse::core::glossary::REASONS;
    let doc = std::fs::read_to_string(root().join("docs/reasons.md")).unwrap();
    for term in REASONS {
        let row = format!("| `{}` | {} |", term.code, term.zh);
        assert!(doc.contains(&row), "docs/reasons.md lacks the row {row}");
    }
}
