//! `disburse run` end to end: the real binary on the fixtures, compared with golden
//! files, plus every exit code and fatal error of SPEC section 6.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;

use common::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn monthly_run_matches_golden_files() {
    let s = Scratch::new("golden");
    let out = s.path("2018-06");
    let o = run_month("2018-06", &out, &[], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in OUTPUT_FILES {
        assert_golden("monthly", &out, f);
    }
    // Exactly the listed files: nothing a run parks on the way (the ledger lines it
    // keeps on disk hold children's IDs) reaches the output directory.
    let mut files: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(
        files,
        ["audit.jsonl", "entitlements.csv", "exceptions.csv", "manifest.json", "report.xlsx", "transfers.csv"]
    );
    // The ledger has every payment line, with its transfer.
    let ledger = out.parent().unwrap().join("ledger.sqlite");
    let o = disburse(
        ["run", "--period", "2018-07", "--ledger"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                ledger.to_string_lossy().into_owned(),
                "--out".into(),
                out.parent().unwrap().join("2018-07").to_string_lossy().into_owned(),
            ])
            .chain(ROSTERS.iter().map(|s| s.to_string())),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    let (lines, transfers): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT transfer_id) FROM payments WHERE transfer_id IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let july = s.path("2018-07");
    assert_eq!(lines as usize, csv_rows(&july.join("entitlements.csv")).len());
    assert_eq!(transfers as usize, csv_rows(&july.join("transfers.csv")).len());
}

#[test]
fn county_policy_matches_golden_files() {
    let s = Scratch::new("county");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &["--policy", "fixtures/policy-county.csv"], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in OUTPUT_FILES {
        assert_golden("county", &out, f);
    }
    let rows = csv_rows(&out.join("entitlements.csv"));
    let by_name = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap_or_else(|| panic!("{n} not paid"));
    // Changsha (4301) scattered children get the city's 900 top-up.
    assert_eq!((by_name("刘一鸣")["standard"].as_str(), by_name("刘一鸣")["amount"].as_str()), ("900.00", "900.00"));
    assert_eq!(by_name("郑雪")["basis"], "raised_to_minimum");
    // Yuhu (430304) institutional: 1350 from 2018-04 raises the recorded 1250.
    assert_eq!(by_name("林静")["amount"], "1350.00");
    assert_eq!(by_name("林静")["basis"], "raised_to_minimum");
    // Outside the top-up regions the provincial floor applies.
    assert_eq!(by_name("李娜")["amount"], "800.00");
    assert_eq!(manifest(&out)["policy"]["name"], "fixtures/policy-county.csv");
    let policy_sha = format!("{:x}", Sha256::digest(std::fs::read(root().join("fixtures/policy-county.csv")).unwrap()));
    assert_eq!(manifest(&out)["policy"]["sha256"], policy_sha.as_str());
}

#[test]
fn dry_run_writes_everything_but_the_bank_file() {
    let s = Scratch::new("dry");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &["--dry-run"], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("transfers.csv").exists());
    for f in ["entitlements.csv", "exceptions.csv", "audit.jsonl", "manifest.json"] {
        assert_golden("dry-run", &out, f);
    }
    let m = manifest(&out);
    assert_eq!(m["mode"], "dry-run");
    assert!(m["outputs"].as_array().unwrap().iter().all(|o| o["file"] != "transfers.csv"));
}

#[test]
fn every_reason_code_is_exercised_by_the_fixtures() {
    let s = Scratch::new("reasons");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let found: BTreeSet<String> =
        csv_rows(&out.join("exceptions.csv")).into_iter().map(|r| r["reason"].clone()).collect();
    // Every code the product knows (the enum's complete list), not a list typed here.
    for r in disburse::core::reason::Reason::ALL {
        assert!(found.contains(r.code()), "no fixture row has {r}");
    }
    // And nothing else.
    assert!(found.iter().all(|f| disburse::core::reason::Reason::ALL.iter().any(|r| r.code() == f)), "{found:?}");
}

#[test]
fn decisions_on_the_fixtures() {
    let s = Scratch::new("decisions");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let exc = csv_rows(&out.join("exceptions.csv"));
    let ent = csv_rows(&out.join("entitlements.csv"));
    let reason_of =
        |name: &str| exc.iter().filter(|r| r["name"] == name).map(|r| r["reason"].clone()).collect::<Vec<_>>();
    // Born 2000-03-15: excluded from 2018-04 on. Born 2000-06-20: still paid for 2018-06.
    assert_eq!(reason_of("吴天宇"), ["AGED_OUT"]);
    assert!(ent.iter().any(|r| r["name"] == "郑雪" && r["amount"] == "850.50" && r["basis"] == "recorded"));
    // The same ID in two files: both rows held, neither paid.
    assert_eq!(reason_of("何佳怡"), ["DUPLICATE_ID", "DUPLICATE_ID"]);
    assert!(!ent.iter().any(|r| r["name"] == "何佳怡"));
    // Two payees disagree on one account: both held.
    assert_eq!(reason_of("曹操"), ["PAYEE_CONFLICT"]);
    assert_eq!(reason_of("曹植"), ["PAYEE_CONFLICT"]);
    // Line numbers: the row after a quoted line break starts two lines later.
    assert!(exc.iter().any(|r| r["source"] == "fixtures/changsha.csv:25" && r["reason"] == "INVALID_TEXT"));
    assert!(ent.iter().any(|r| r["source"] == "fixtures/changsha.csv:27" && r["name"] == "孔明"));
    // CRLF file: the header is line 1, so the first data row is line 2.
    assert!(ent.iter().any(|r| r["source"] == "fixtures/hengyang-crlf.csv:2" && r["name"] == "郭靖"));
    // Full-width digits read as ASCII; the account is normalized.
    assert!(ent.iter().any(|r| r["child_id"] == "43030220100914102X" && r["recorded_amount"] == "800.00"));
    assert!(ent.iter().any(|r| r["name"] == "孔明" && r["payee_account"] == "6222021001000000244"));
    // Excel damage gets the hint.
    assert!(exc.iter().any(|r| r["child_id"] == "4.30102E+17" && r["detail"].contains("Excel")));
    // A formula in the payee's name is refused, and the sentence names the column.
    let hyperlink = exc.iter().find(|r| r["source"] == "fixtures/changsha.csv:22").unwrap();
    assert_eq!((hyperlink["reason"].as_str(), hyperlink["name"].as_str()), ("INVALID_TEXT", "何平"));
    assert!(hyperlink["detail"].starts_with("payee_name begins with a character a spreadsheet treats as a formula"));
    // A blank row is counted apart; the rows of each file are counted.
    let m = manifest(&out);
    assert_eq!(m["inputs"][0]["blank_rows"], 1);
    assert_eq!(m["inputs"][1]["rows"], 6);
}

#[test]
fn a_formula_in_a_name_is_written_back_neutralised() {
    let s = Scratch::new("formula");
    // Values a spreadsheet would run, in the columns exceptions.csv writes back as found.
    let roster = s.write(
        "formula.csv",
        "child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n\
         430102201003120016,=1+2,scattered,430102,2016-03,刘建国,6222021001000000011,工商银行\n\
         -430102201003120016,@SUM(A1:A9),scattered,430102,2016-03,刘建国,6222021001000000011,工商银行\n\
         430102201003120016,+cmd|' /C calc'!A0,scattered,430102,2016-03,刘建国,6222021001000000011,工商银行\n",
    );
    let out = s.path("out");
    let o = run_month("2018-06", &out, &[], &[&roster]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let exc = csv_rows(&out.join("exceptions.csv"));
    let got: Vec<(&str, &str, &str)> =
        exc.iter().map(|r| (r["reason"].as_str(), r["child_id"].as_str(), r["name"].as_str())).collect();
    assert_eq!(
        got,
        [
            ("INVALID_TEXT", "430102201003120016", "'=1+2"),
            ("INVALID_ID", "'-430102201003120016", "'@SUM(A1:A9)"),
            ("INVALID_TEXT", "430102201003120016", "'+cmd|' /C calc'!A0"),
        ]
    );
    assert!(exc[0]["detail"].starts_with("name begins with a character a spreadsheet treats as a formula"));
    // The workbook's Exceptions sheet shows the same neutralised text.
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(out.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("Exceptions").unwrap();
    let names: Vec<String> = sheet.rows().skip(1).map(|r| r[5].to_string()).collect();
    assert_eq!(names, ["'=1+2", "'@SUM(A1:A9)", "'+cmd|' /C calc'!A0"]);
}

#[test]
fn totals_agree_and_rows_are_conserved() {
    let s = Scratch::new("totals");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let sum = |file: &str| csv_rows(&out.join(file)).iter().map(|r| dec(&r["amount"])).sum::<Decimal>();
    let m = manifest(&out);
    let t = &m["totals"];
    let total = dec(t["amount"].as_str().unwrap());
    assert_eq!(sum("entitlements.csv"), total);
    assert_eq!(sum("transfers.csv"), total);
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(n("rows"), n("paid") + n("held") + n("excluded") + n("rejected"));
    let inputs: u64 = m["inputs"].as_array().unwrap().iter().map(|i| i["rows"].as_u64().unwrap()).sum();
    assert_eq!(n("rows"), inputs);
    let exceptions = csv_rows(&out.join("exceptions.csv")).len() as u64;
    assert_eq!(exceptions, n("held") + n("excluded") + n("rejected"));
    assert_eq!(csv_rows(&out.join("entitlements.csv")).len() as u64, n("paid"));
    let transfers = csv_rows(&out.join("transfers.csv"));
    assert_eq!(transfers.len() as u64, n("transfers"));
    let children: u64 = transfers.iter().map(|r| r["children"].parse::<u64>().unwrap()).sum();
    assert_eq!(children, n("paid"));
    let by_cat: Decimal =
        m["by_category"].as_object().unwrap().values().map(|g| dec(g["amount"].as_str().unwrap())).sum();
    let by_region: Decimal =
        m["by_region"].as_object().unwrap().values().map(|g| dec(g["amount"].as_str().unwrap())).sum();
    assert_eq!((by_cat, by_region), (total, total));
    // transfers sorted by account, ids in sequence.
    let accounts: Vec<&String> = transfers.iter().map(|r| &r["payee_account"]).collect();
    let mut sorted = accounts.clone();
    sorted.sort();
    assert_eq!(accounts, sorted);
    for (i, r) in transfers.iter().enumerate() {
        assert_eq!(r["transfer_id"], format!("T201806-{:06}", i + 1));
    }
}

#[test]
fn audit_chain_verifies_with_a_few_lines_of_code() {
    let s = Scratch::new("chain");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let text = std::fs::read_to_string(out.join("audit.jsonl")).unwrap();
    let mut prev = "0".repeat(64);
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["prev"], prev.as_str());
        n += 1;
        assert_eq!(v["seq"], n);
        prev = format!("{:x}", Sha256::digest(line.as_bytes()));
    }
    let m = manifest(&out);
    assert_eq!(m["audit_head"], prev.as_str());
    assert_eq!(m["totals"]["rows"], n);
    // Every output's hash is in the manifest.
    for o in m["outputs"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(o["file"].as_str().unwrap())).unwrap();
        assert_eq!(o["sha256"], format!("{:x}", Sha256::digest(&bytes)).as_str());
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let s = Scratch::new("threads");
    let mut dirs = Vec::new();
    for t in ["1", "2", "8"] {
        let out = s.path(&format!("t{t}"));
        assert_eq!(code(&run_month("2018-06", &out, &["--threads", t], &ROSTERS)), 0);
        dirs.push(out);
    }
    for f in OUTPUT_FILES {
        let first = std::fs::read(dirs[0].join(f)).unwrap();
        for d in &dirs[1..] {
            assert_eq!(first, std::fs::read(d.join(f)).unwrap(), "{f} differs between thread counts");
        }
    }
}

#[test]
fn files_are_owner_only_and_an_empty_out_dir_is_accepted() {
    let s = Scratch::new("perms");
    let out = s.path("existing");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
    for f in OUTPUT_FILES {
        assert_eq!(std::fs::metadata(out.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
    assert_eq!(s.entries(), ["existing"], "no temporary directory is left behind");
}

#[test]
fn missing_parent_directories_are_created_on_success_only() {
    let s = Scratch::new("parents");
    let out = s.path("out/2018/06");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    assert!(out.join("manifest.json").exists());
    let bad = s.path("bad/2018/06");
    assert_eq!(code(&run_month("2018-13", &bad, &[], &ROSTERS)), 2);
    assert!(!s.path("bad").exists());
}

#[test]
fn strict_real_run_writes_nothing_and_exits_3() {
    let s = Scratch::new("strict");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &["--strict"], &ROSTERS);
    assert_eq!(code(&o), 3);
    assert!(!out.exists());
    assert!(s.entries().is_empty(), "{:?}", s.entries());
    assert!(stderr(&o).contains("--strict"));
}

#[test]
fn strict_dry_run_writes_its_report_and_exits_3() {
    let s = Scratch::new("strictdry");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &["--strict", "--dry-run"], &ROSTERS)), 3);
    assert!(out.join("exceptions.csv").exists() && out.join("manifest.json").exists());
    assert!(!out.join("transfers.csv").exists());
}

#[test]
fn strict_passes_a_clean_roster() {
    let s = Scratch::new("clean");
    let roster = s.write(
        "clean.csv",
        "child_id,name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n\
         110105200003151234,测试甲,institutional,110105,2010-01,北京市儿童福利院,1234567890,工商银行\n",
    );
    let out = s.path("out");
    let o = run_month("2018-03", &out, &["--strict"], &[&roster]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = csv_rows(&out.join("entitlements.csv"));
    assert_eq!(rows[0]["amount"], "1200.00");
    // 2018-04 is after the month of the 18th birthday (2018-03).
    let out2 = s.path("out2");
    assert_eq!(code(&run_month("2018-04", &out2, &["--strict"], &[&roster])), 0);
    assert_eq!(csv_rows(&out2.join("exceptions.csv"))[0]["reason"], "AGED_OUT");
}

#[test]
fn ceiling_flag_changes_what_is_held() {
    let s = Scratch::new("ceiling");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &["--ceiling", "6000"], &ROSTERS)), 0);
    let ent = csv_rows(&out.join("entitlements.csv"));
    assert!(ent.iter().any(|r| r["name"] == "冯乐" && r["amount"] == "6000.00"));
    assert_eq!(manifest(&out)["ceiling"], "6000.00");
}

#[test]
fn the_terminal_never_shows_a_full_id_or_account() {
    let s = Scratch::new("mask");
    let o = run_month("2018-06", &s.path("out"), &[], &ROSTERS);
    let err = stderr(&o);
    // SHA-256 heads (the journal head) are printed on purpose and may hold long runs
    // of digits by chance: leave out 64-character hex words, nothing else.
    let words: Vec<&str> = err
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !(w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit())))
        .collect();
    let digits_run =
        words.iter().flat_map(|w| w.as_bytes().split(|b| !b.is_ascii_digit())).map(<[u8]>::len).max().unwrap_or(0);
    assert!(digits_run < 10, "a long number reached the terminal:\n{err}");
    for word in ["paid", "held", "excluded", "rejected", "13800.50", "top reasons"] {
        assert!(err.contains(word), "summary lacks {word}:\n{err}");
    }
}

/// Runs with arguments that must be fatal, then checks exit 2, one line naming
/// `names` on stderr, and that nothing was written.
fn assert_fatal(args: &[&str], names: &str) {
    let s = Scratch::new("fatal");
    let out = s.path("out");
    let mut full: Vec<String> = args
        .iter()
        .map(|a| a.replace("{out}", &out.to_string_lossy()).replace("{dir}", &s.0.to_string_lossy()))
        .collect();
    if !args.iter().any(|a| a.contains("{out}")) && args.first() == Some(&"run") {
        full.insert(1, "--out".into());
        full.insert(2, out.to_string_lossy().into_owned());
    }
    let before = s.entries();
    let o = disburse(&full);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{args:?}: {err}");
    assert!(err.contains(names), "{args:?}: the message should name {names}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line expected: {err}");
    assert!(!out.exists(), "{args:?}: out was written");
    let after: Vec<String> = s.entries().into_iter().filter(|e| !before.contains(e)).collect();
    assert!(after.is_empty(), "{args:?}: left {after:?}");
}

#[test]
fn fatal_errors_write_nothing() {
    let s = Scratch::new("inputs");
    let d = s.0.to_string_lossy().into_owned();
    let no_id = s.write("no_id.csv", "name,category,region_code,approved_from,payee_name,payee_account,payee_bank\n");
    let empty = s.write("empty.csv", "");
    let zip = s.write("roster.xlsx", b"PK\x03\x04rest of a zip");
    let bad_policies = [
        ("cat.csv", "2018-01,Orphan,,800"),
        ("month.csv", "2018-13,scattered,,800"),
        ("neg.csv", "2018-01,scattered,,-1"),
        ("nondec.csv", "2018-01,scattered,,8e2"),
        ("prefix.csv", "2018-01,scattered,43010201,800"),
        ("dup.csv", "2018-01,scattered,43,800\n2018-01,scattered,43,900"),
    ];
    for (name, body) in bad_policies {
        let p = s.write(name, format!("effective_from,category,region_prefix,minimum\n{body}\n"));
        assert_fatal(&["run", "--period", "2018-06", "--policy", &p, ROSTERS[0]], name);
    }
    let gap = s.write(
        "gap.csv",
        "effective_from,category,region_prefix,minimum\n2018-01,scattered,4301,900\n2018-01,institutional,4301,1300\n",
    );
    assert_fatal(&["run", "--period", "2018-06", "--policy", &gap, ROSTERS[0], ROSTERS[1]], "xiangtan-zh.csv:2");
    assert_fatal(&["run", "--period", "2018-06", "--policy", &gap, ROSTERS[0], ROSTERS[1]], "430302");
    assert_fatal(&["run", "--period", "2018-13", ROSTERS[0]], "--period");
    assert_fatal(&["run", "--period", "2018-06", "--ceiling", "1,000", ROSTERS[0]], "--ceiling");
    assert_fatal(&["run", "--period", "2018-06", "--threads", "0", ROSTERS[0]], "--threads");
    assert_fatal(&["run", "--period", "2018-06", "fixtures/no-such-roster.csv"], "no-such-roster.csv");
    assert_fatal(&["run", "--period", "2018-06", ROSTERS[0], &no_id], "no_id.csv:1");
    assert_fatal(&["run", "--period", "2018-06", &no_id], "child_id");
    assert_fatal(&["run", "--period", "2018-06", &empty], "empty.csv");
    assert_fatal(&["run", "--period", "2018-06", &zip], "roster.xlsx");
    assert_fatal(&["run", "--period", "2018-06", &d], &d);
    assert_fatal(&["run", "--period", "2018-06", "--policy", "fixtures/nope.csv", ROSTERS[0]], "fixtures/nope.csv");
    let o = disburse(["run", "--period", "2018-06", "--bogus", ROSTERS[0]]);
    assert_eq!(code(&o), 2);
    let o = disburse(["run", "--period", "2018-06", "--out", "x"]);
    assert_eq!(code(&o), 2, "rosters are required");
}

#[test]
fn an_out_dir_that_is_not_empty_is_fatal_and_untouched() {
    let s = Scratch::new("notempty");
    let out = s.path("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "clerk's file").unwrap();
    let o = run_month("2018-06", &out, &[], &ROSTERS);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not empty"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    assert_eq!(s.entries(), ["out"]);
}

#[test]
fn by_category_and_region_count_paid_children() {
    let s = Scratch::new("groups");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let ent = csv_rows(&out.join("entitlements.csv"));
    let mut regions: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    for r in &ent {
        let e = regions.entry(r["region_code"].clone()).or_default();
        e.0 += 1;
        e.1 += dec(&r["amount"]);
    }
    let m = manifest(&out);
    for (region, (n, amount)) in regions {
        assert_eq!(m["by_region"][&region]["children"], n);
        assert_eq!(dec(m["by_region"][&region]["amount"].as_str().unwrap()), amount);
    }
}
