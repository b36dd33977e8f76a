//! The clerk's desk (SPEC section 10): workbook rosters, Chinese, explanations and the
//! month-over-month changes.

mod common;

use std::path::Path;

use common::*;

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

fn explain(args: &[&str]) -> (i32, String, String) {
    let mut full = vec!["explain", "--period", "2018-06"];
    full.extend_from_slice(args);
    // explain reads a ledger and refuses one that is not there: an empty one.
    let o = disburse_with(&empty_ledger(), &full);
    (code(&o), String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o))
}

fn explain_json(args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let (c, out, err) = explain(&full);
    assert_eq!(c, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn step<'a>(row: &'a serde_json::Value, check: &str) -> Vec<&'a serde_json::Value> {
    row["steps"].as_array().unwrap().iter().filter(|s| s["check"] == check).collect()
}

#[test]
fn explain_a_paid_child_raised_by_a_county_top_up() {
    let e = explain_json(&["--policy", "fixtures/policy-county.csv", "430103200006200080", ROSTERS[0]]);
    assert_eq!(e["child_id"], "430103********0080");
    let row = &e["rows"][0];
    assert_eq!(row["source"], "fixtures/changsha.csv:9");
    assert_eq!(row["decision"], "paid");
    assert_eq!(row["amount"], "900.00");
    let policy = step(row, "policy");
    assert_eq!(policy.len(), 2);
    assert!(
        policy[1]["detail"].as_str().unwrap().contains("4301")
            && policy[1]["detail"].as_str().unwrap().contains("sets the standard")
    );
    assert!(step(row, "amount")[0]["detail"].as_str().unwrap().contains("raised_to_minimum"));
    assert!(step(row, "not_aged_out")[0]["result"] == "pass");
    // The human form, in both languages; IDs masked unless asked.
    let (c, text, _) = explain(&["430103200006200080", ROSTERS[0]]);
    assert_eq!(c, 0);
    assert!(text.contains("✓ status") && !text.contains("430103200006200080"), "{text}");
    let (_, shown, _) = explain(&["--show-pii", "430103200006200080", ROSTERS[0]]);
    assert!(shown.contains("430103200006200080"));
    let (_, zh, _) = explain(&["--lang", "zh", "430103200006200080", ROSTERS[0]]);
    assert!(zh.contains("儿童") && zh.contains("发放"), "{zh}");
}

#[test]
fn explain_aged_out_duplicate_and_invalid_rows() {
    let aged = explain_json(&["430103200003150073", ROSTERS[0]]);
    let row = &aged["rows"][0];
    assert_eq!(row["reason"], "AGED_OUT");
    let check = step(row, "not_aged_out")[0];
    assert_eq!(check["result"], "fail");
    assert!(check["detail"].as_str().unwrap().contains("2018-03"));
    let dup = explain_json(&["43010220080808031X", ROSTERS[0], ROSTERS[1]]);
    assert_eq!(dup["rows"].as_array().unwrap().len(), 2);
    assert!(dup["rows"].as_array().unwrap().iter().all(|r| r["reason"] == "DUPLICATE_ID"));
    assert_eq!(step(&dup["rows"][1], "duplicate_id")[0]["result"], "fail");
    let invalid = explain_json(&["4.30102E+17", ROSTERS[0]]);
    assert_eq!(invalid["rows"][0]["reason"], "INVALID_ID");
    assert_eq!(step(&invalid["rows"][0], "fields")[0]["result"], "fail");
    let nobody = explain_json(&["110105200003151234", ROSTERS[0]]);
    assert!(nobody["rows"].as_array().unwrap().is_empty());
}

#[test]
fn explain_a_child_with_arrears_and_ledger_history() {
    let s = Scratch::new("explain-arrears");
    let ledger = ledger_paid_through_may(&s);
    let ledger_text = ledger.to_string_lossy().into_owned();
    let e = explain_json(&["--ledger", &ledger_text, "430102200801153010", "fixtures/hunan2018/roster-june.csv"]);
    let row = &e["rows"][0];
    let arrears: Vec<(&str, &str)> = row["arrears"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["month"].as_str().unwrap(), a["owed"].as_str().unwrap()))
        .collect();
    assert_eq!(arrears, [("2018-01", "200.00"), ("2018-05", "200.00")]);
    let history = e["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["amount"], "600.00");
}

#[test]
fn changes_against_the_previous_month() {
    let s = Scratch::new("changes");
    let ledger = s.path("ledger.sqlite");
    let run = |period: &str, out: &Path, extra: &[&str], roster: &str| {
        let mut args = vec!["run".to_string(), "--period".into(), period.into(), "--out".into()];
        args.push(out.to_string_lossy().into_owned());
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(roster.into());
        disburse_with(&ledger, args)
    };
    let may = s.path("may");
    let o = run(
        "2018-05",
        &may,
        &["--policy", "fixtures/hunan2018/policy-2010.csv"],
        "fixtures/hunan2018/roster-feb-may.csv",
    );
    assert_eq!(code(&o), 0);
    assert!(!may.join("changes.csv").exists());
    assert!(stderr(&o).contains("no changes.csv"));
    // June, as a dry run first (it reads the ledger too), then for real.
    for (name, extra) in [("june-dry", &["--dry-run"][..]), ("june", &[][..])] {
        let out = s.path(name);
        let o = run("2018-06", &out, extra, "fixtures/hunan2018/roster-june.csv");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stderr(&o).contains("2 added, 0 removed, 3 amount changed"), "{}", stderr(&o));
        let rows = csv_rows(&out.join("changes.csv"));
        let summary: Vec<(&str, &str)> = rows.iter().map(|r| (r["change"].as_str(), r["name"].as_str())).collect();
        assert_eq!(
            summary,
            [
                ("amount_changed", "甲一"),
                ("amount_changed", "乙二"),
                ("amount_changed", "丙三"),
                ("added", "丁四"),
                ("added", "戊五")
            ]
        );
        assert_eq!((rows[0]["previous_amount"].as_str(), rows[0]["amount"].as_str()), ("600.00", "800.00"));
        assert!(manifest(&out)["outputs"].as_array().unwrap().iter().any(|o| o["file"] == "changes.csv"));
        assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
    }
    // July with two children gone: one suspended on the roster, one no longer on it.
    let july_roster = s.write(
        "july.csv",
        std::fs::read_to_string(root().join("fixtures/hunan2018/roster-june.csv"))
            .unwrap()
            .lines()
            .filter(|l| !l.contains("丙三"))
            .map(|l| if l.contains("甲一") { l.replacen(",,,", ",,suspended,", 1) } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let july = s.path("july");
    assert_eq!(code(&run("2018-07", &july, &[], &july_roster)), 0);
    let rows = csv_rows(&july.join("changes.csv"));
    let removed: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["change"] == "removed")
        .map(|r| (r["previous_amount"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(removed, [("800.00", "SUSPENDED"), ("800.00", "NOT_ON_ROSTER")]);
}

#[path = "../benches/support/synth.rs"]
mod synth;

#[test]
#[ignore = "needs script (bsdutils or util-linux): gives the run a terminal"]
fn a_progress_bar_on_a_terminal_only() {
    let s = Scratch::new("progress");
    let mut bytes = Vec::new();
    synth::write_roster(80_000, 3, &mut bytes).unwrap();
    let roster = s.write("big.csv", bytes);
    let on_tty = |out: &str, quiet: bool| {
        let cmd = format!(
            "LANG=en_US.UTF-8 DISBURSE_LEDGER={} {} {} run --dry-run --period 2018-06 --out {} {}",
            fresh_ledger().display(),
            env!("CARGO_BIN_EXE_disburse"),
            if quiet { "--quiet" } else { "" },
            s.path(out).display(),
            roster
        );
        let o = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .unwrap_or_else(|e| panic!("needs `script` (Debian package bsdutils or util-linux): {e}"));
        assert!(o.status.success(), "script: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = on_tty("tty", false);
    assert!(shown.contains("checking") || shown.contains("deciding"), "no progress on a terminal: {shown}");
    assert!(shown.contains("paid"), "{shown}");
    let quiet = on_tty("quiet", true);
    assert!(!quiet.contains("checking") && !quiet.contains("deciding") && quiet.contains("paid"), "{quiet}");
    // Piped (as here): the summary only.
    let out = s.path("piped");
    let o = dry(&out, &[], &[&roster]);
    assert!(!stderr(&o).contains("checking") && !stderr(&o).contains("deciding"));
}

fn sheets(path: &Path) -> Vec<(String, usize)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|n| {
            let rows = book.worksheet_range(&n).unwrap().rows().count();
            (n, rows)
        })
        .collect()
}

#[test]
fn the_report_workbook() {
    let s = Scratch::new("report");
    let (a, b, zh) = (s.path("a"), s.path("b"), s.path("zh"));
    assert_eq!(code(&run_month("2018-06", &a, &["--threads", "1"], &ROSTERS)), 0);
    assert_eq!(code(&run_month("2018-06", &b, &["--threads", "4"], &ROSTERS)), 0);
    // The same bytes on every run, whatever the thread count.
    assert_eq!(std::fs::read(a.join("report.xlsx")).unwrap(), std::fs::read(b.join("report.xlsx")).unwrap());
    let m = manifest(&a);
    assert!(m["outputs"].as_array().unwrap().iter().any(|o| o["file"] == "report.xlsx"));
    // Sheets and rows agree with the CSV files (plus a header row each).
    let got = sheets(&a.join("report.xlsx"));
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Summary", "Payroll list", "Entitlements", "Exceptions", "Transfers"]);
    for (sheet, file) in [(2, "entitlements.csv"), (3, "exceptions.csv"), (4, "transfers.csv")] {
        assert_eq!(got[sheet].1, csv_rows(&a.join(file)).len() + 1, "{file}");
    }
    // In Chinese: sheet names, headers and reasons.
    assert_eq!(code(&run_month("2018-06", &zh, &["--lang", "zh"], &ROSTERS)), 0);
    let names: Vec<String> = sheets(&zh.join("report.xlsx")).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["汇总", "发放花名册", "发放明细", "异常", "转账"]);
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(zh.join("report.xlsx")).unwrap();
    let exc = book.worksheet_range("异常").unwrap();
    // The 原因 column (the reason's name) stands beside the code, so 说明 is eighth.
    assert_eq!(exc.get_value((0, 7)).map(|v| v.to_string()), Some("说明".to_owned()));
    assert!(exc.rows().skip(1).any(|r| r[7].to_string().contains("年满18周岁")));
    // A changed byte is caught by verify.
    let path = a.join("report.xlsx");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(code(&disburse(["verify".as_ref(), a.as_os_str()])), 1);
}

/// Every cell of a data sheet, as calamine reads it, against the CSV file it shows.
fn assert_sheet_matches_csv(book: &mut calamine::Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str, csv: &Path) {
    use calamine::{Data, Reader};
    let range = book.worksheet_range(sheet).unwrap();
    let mut rdr = csv::Reader::from_path(csv).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let mut rows = range.rows();
    let head = rows.next().unwrap();
    assert_eq!(head.iter().map(|c| c.to_string()).collect::<Vec<_>>(), headers.iter().collect::<Vec<_>>());
    let mut n = 0;
    for (rec, row) in rdr.records().zip(rows.by_ref()) {
        let rec = rec.unwrap();
        n += 1;
        for (c, (h, want)) in headers.iter().zip(rec.iter()).enumerate() {
            let got = row.get(c).cloned().unwrap_or(Data::Empty);
            match got {
                Data::Float(f) => {
                    assert!(
                        matches!(h, "standard" | "recorded_amount" | "amount" | "children"),
                        "{sheet} {h} is a number"
                    );
                    assert_eq!(f, want.parse::<f64>().unwrap(), "{sheet} row {n} {h}");
                }
                // Excel holds 32,767 characters in a cell: longer text is cut, with a mark.
                Data::String(s) if want.chars().count() > 32_767 => {
                    assert!(s.ends_with("(cut; see the CSV)") && s.chars().count() == 32_767, "{sheet} row {n} {h}");
                    let kept = s.chars().count() - " …(cut; see the CSV)".chars().count();
                    assert!(want.starts_with(&s.chars().take(kept).collect::<String>()), "{sheet} row {n} {h}");
                }
                Data::String(s) => assert!(s == want, "{sheet} row {n} {h}: {} against {}", s.len(), want.len()),
                Data::Empty => assert_eq!(want, "", "{sheet} row {n} {h}"),
                other => panic!("{sheet} row {n} {h}: unexpected {other:?}"),
            }
        }
    }
    assert_eq!(rows.count(), 0, "{sheet} has more rows than {}", csv.display());
    assert_eq!(n, csv_rows(csv).len());
}

#[test]
fn the_report_shows_every_cell_of_the_csv_files() {
    let s = Scratch::new("report-cells");
    let out = s.path("out");
    // Text that XML must escape, and a cell longer than Excel holds.
    let odd = s.path("odd.csv");
    let long = "长".repeat(40_000);
    let header = "child_id,name,category,region_code,approved_from,ended_after,status,monthly_amount,payee_name,payee_account,payee_bank";
    let text = format!(
        "{header}\n430102201003120016,A&B <c> \"d\",scattered,430102,2016-03,,active,,\"x, y\",6222021001000000011,Bank & Co <1>\n\
         43010220100312001X,{long},scattered,430102,2016-03,,active,,p,6222021001000000012,b\n"
    );
    std::fs::write(&odd, text).unwrap();
    let odd = odd.to_string_lossy().into_owned();
    let mut rosters = ROSTERS.to_vec();
    rosters.push(&odd);
    let o = run_month("2018-06", &out, &["--bom"], &rosters);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    for (sheet, file) in
        [("Entitlements", "entitlements.csv"), ("Exceptions", "exceptions.csv"), ("Transfers", "transfers.csv")]
    {
        assert_sheet_matches_csv(&mut book, sheet, &out.join(file));
    }
}

#[test]
#[ignore = "needs LibreOffice (libreoffice-calc-nogui): opens report.xlsx in a real spreadsheet program"]
fn a_real_spreadsheet_program_opens_the_report() {
    let soffice = ["soffice", "libreoffice"]
        .into_iter()
        .find(|p| std::process::Command::new(p).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
        .expect("needs LibreOffice: no soffice or libreoffice on PATH (Debian package libreoffice-calc-nogui)");
    let s = Scratch::new("libreoffice");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &[], &ROSTERS)), 0);
    let conv = s.path("conv");
    let o = std::process::Command::new(soffice)
        .args([
            "--headless",
            "-env:UserInstallation=file:///tmp/disburse-test-lo-profile",
            "--convert-to",
            // Every sheet, one CSV each (LibreOffice 7.2 and later).
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
        ])
        .arg(&conv)
        .arg(out.join("report.xlsx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&std::fs::read(conv.join("report-Summary.csv")).unwrap()).into_owned();
    // The summary, as LibreOffice computed it.
    assert!(text.contains("13800.5"), "{text}");
    assert!(text.contains("430102"), "{text}");
    // The data sheets, row for row and cell for cell as LibreOffice reads them.
    for (sheet, file) in
        [("Entitlements", "entitlements.csv"), ("Exceptions", "exceptions.csv"), ("Transfers", "transfers.csv")]
    {
        let seen = csv_rows(&conv.join(format!("report-{sheet}.csv")));
        let want = csv_rows(&out.join(file));
        assert_eq!(seen.len(), want.len(), "{sheet}");
        for (s, w) in seen.iter().zip(&want) {
            for (k, v) in w {
                let money = matches!(k.as_str(), "standard" | "recorded_amount" | "amount") && !v.is_empty();
                if money {
                    assert_eq!(s[k].parse::<f64>().unwrap(), v.parse::<f64>().unwrap(), "{sheet} {k}");
                } else {
                    assert_eq!(&s[k], v, "{sheet} {k}");
                }
            }
        }
    }
}

#[test]
fn bom_for_excel() {
    let s = Scratch::new("bom");
    let out = s.path("out");
    assert_eq!(code(&run_month("2018-06", &out, &["--bom"], &ROSTERS)), 0);
    // Each CSV file: the BOM, then its own header, byte for byte as without --bom.
    let plain = s.path("plain");
    assert_eq!(code(&run_month("2018-06", &plain, &[], &ROSTERS)), 0);
    for (f, header) in [
        ("entitlements.csv", "period,kind,months,child_id,"),
        ("transfers.csv", "transfer_id,period,payee_account,"),
        ("exceptions.csv", "period,source,decision,reason,"),
    ] {
        let with = std::fs::read(out.join(f)).unwrap();
        let without = std::fs::read(plain.join(f)).unwrap();
        assert!(with.starts_with(format!("\u{feff}{header}").as_bytes()), "{f}");
        assert!(without.starts_with(header.as_bytes()), "{f}");
        assert_eq!(&with[3..], &without[..], "{f}: only the BOM differs");
    }
    assert!(!std::fs::read(out.join("audit.jsonl")).unwrap().starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
}

/// Every fatal error a clerk can meet, in Chinese: the catalog walked case by case.
#[test]
fn fatal_errors_in_chinese() {
    let s = Scratch::new("zh-fatal");
    let empty = s.write("empty.csv", "");
    let zip = s.write("zip.csv", b"PK\x03\x04rest");
    let no_id = s.write("no-id.csv", "name,category\n");
    let bad_policy = s.write("policy.csv", "effective_from,category,region_prefix,minimum\n2018-01,orphan,,800\n");
    let gap = s.write("gap.csv", "effective_from,category,region_prefix,minimum\n2018-01,scattered,4301,900\n");
    let full = s.path("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("x"), "x").unwrap();
    let ledger = s.path("ledger.sqlite");
    let paid = s.path("paid").to_string_lossy().into_owned();
    assert_eq!(code(&disburse_with(&ledger, ["run", "--period", "2018-06", "--out", &paid, ROSTERS[0]])), 0);
    let out = |n: &str| s.path(n).to_string_lossy().into_owned();
    let full_text = full.to_string_lossy().into_owned();
    let d = s.0.to_string_lossy().into_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--period".into(), "2018-06".into(), "--out".into(), out("a"), empty], "空"),
        (vec!["--period".into(), "2018-06".into(), "--out".into(), out("b"), zip], "Excel"),
        (vec!["--period".into(), "2018-06".into(), "--out".into(), out("c"), no_id], "缺少"),
        (vec!["--period".into(), "2018-06".into(), "--out".into(), out("d"), "fixtures/nope.csv".into()], "无法打开"),
        (vec!["--period".into(), "2018-06".into(), "--out".into(), out("e"), d], "文件夹"),
        (vec!["--period".into(), "2018-06".into(), "--out".into(), full_text, ROSTERS[0].into()], "不为空"),
        (vec!["--period".into(), "2018-13".into(), "--out".into(), out("f"), ROSTERS[0].into()], "年月"),
        (
            vec![
                "--period".into(),
                "2018-06".into(),
                "--ceiling".into(),
                "1,0".into(),
                "--out".into(),
                out("g"),
                ROSTERS[0].into(),
            ],
            "金额",
        ),
        (
            vec![
                "--period".into(),
                "2018-06".into(),
                "--policy".into(),
                bad_policy,
                "--out".into(),
                out("h"),
                ROSTERS[0].into(),
            ],
            "政策",
        ),
        (
            vec![
                "--period".into(),
                "2018-06".into(),
                "--policy".into(),
                gap,
                "--out".into(),
                out("i"),
                ROSTERS[0].into(),
            ],
            "标准",
        ),
        (
            vec![
                "--period".into(),
                "2018-06".into(),
                "--out".into(),
                "/proc/disburse-no/out".into(),
                ROSTERS[0].into(),
            ],
            "失败",
        ),
    ];
    for (args, says) in cases {
        let mut full: Vec<String> = vec!["--lang".into(), "zh".into(), "run".into()];
        full.extend(args.clone());
        let o = disburse(&full);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.starts_with("disburse：错误：") && err.contains(says), "{args:?}: {err}");
        let cjk = err.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
        assert!(cjk >= 4, "{args:?}: not in Chinese: {err}");
    }
    // Already paid (the ledger).
    let o = disburse_with(&ledger, ["--lang", "zh", "run", "--period", "2018-06", "--out", &out("j"), ROSTERS[0]]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("已由批次1发放过"), "{}", stderr(&o));
}

#[test]
fn reconcile_and_audit_summaries_in_chinese() {
    let s = Scratch::new("zh-rec");
    let ledger = s.path("ledger.sqlite");
    let run = s.path("run").to_string_lossy().into_owned();
    let mut args = vec!["run", "--period", "2018-06", "--out", &run];
    args.extend_from_slice(&ROSTERS);
    assert_eq!(code(&disburse_with(&ledger, &args)), 0);
    let rec = s.path("rec").to_string_lossy().into_owned();
    let o = disburse_with(
        &ledger,
        ["--lang", "zh", "reconcile", "--run", &run, "--returns", "fixtures/returns/2018-06-return.csv", "--out", &rec],
    );
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("对账") && stderr(&o).contains("台账"), "{}", stderr(&o));
    let aud = s.path("aud").to_string_lossy().into_owned();
    let mut args = vec![
        "--lang",
        "zh",
        "audit",
        "--period",
        "2018-06",
        "--paid",
        "fixtures/audit/paid-2018-06.csv",
        "--out",
        &aud,
    ];
    args.extend_from_slice(&ROSTERS);
    let o = disburse(&args);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("净差额"), "{}", stderr(&o));
}
