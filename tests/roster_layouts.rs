//! Rosters as offices keep them (SPEC section 15): a title and a 填报单位 row above the
//! header, CSV and workbooks alike, decide exactly like the plain roster, with the line
//! numbers of the file as it is.

mod common;

use std::path::Path;

use common::*;

/// The rows of an output file with `source` reduced to its line number minus `shift`;
/// a `detail` naming another row of the same file (`path:line`) is reduced the same way.
fn shifted(out: &Path, file: &str, shift: u64) -> Vec<String> {
    csv_rows(&out.join(file))
        .into_iter()
        .map(|mut r| {
            let source = r.remove("source").unwrap();
            let (path, line) = source.rsplit_once(':').unwrap();
            let line: u64 = line.parse().unwrap();
            if let Some(detail) = r.get_mut("detail") {
                let at = format!("{path}:");
                if let Some(i) = detail.find(&at) {
                    let rest = &detail[i + at.len()..];
                    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                    let other: u64 = digits.parse().unwrap();
                    *detail = format!("{}line {}{}", &detail[..i], other - shift, &rest[digits.len()..]);
                }
            }
            format!("{} {r:?}", line - shift)
        })
        .collect()
}

const TITLE: &str = "2018年6月份孤儿基本生活保障补助发放名单汇总表";
const FILER: &str = "填报单位：长沙市民政局";

fn same_decisions(plain: &Path, titled: &Path, shift: u64) {
    for f in ["entitlements.csv", "exceptions.csv", "transfers.csv"] {
        if !plain.join(f).exists() {
            continue;
        }
        let (a, b) = (shifted(plain, f, 0), shifted(titled, f, shift));
        assert!(!a.is_empty(), "{f}");
        assert_eq!(a, b, "{f}");
    }
    let (mp, mt) = (manifest(plain), manifest(titled));
    assert_eq!(mp["totals"], mt["totals"]);
    assert_eq!(mp["inputs"][0]["rows"], mt["inputs"][0]["rows"]);
    assert_eq!(mp["inputs"][0]["blank_rows"], mt["inputs"][0]["blank_rows"]);
    assert_eq!(mp["inputs"][0]["preamble_rows"], 0);
    assert_eq!(mt["inputs"][0]["preamble_rows"], shift);
}

#[test]
fn a_csv_with_a_title_and_a_filer_row_decides_like_the_plain_roster() {
    let s = Scratch::new("title-csv");
    let plain = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    // A title, the filing office, a blank line, then the header.
    let titled = s.write("titled.csv", format!("\u{feff}{TITLE},,,\n{FILER},,,填报日期：2018年6月5日\n\n{plain}"));
    let o = dry(&s.path("plain"), &[], &["fixtures/changsha.csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = dry(&s.path("titled"), &[], &[&titled]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    same_decisions(&s.path("plain"), &s.path("titled"), 3);
}

/// Writes `csv` as a workbook sheet with `preamble` rows above it (all cells text).
fn workbook(path: &str, preamble: &[&[&str]], csv_path: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("花名册").unwrap();
    for (r, row) in preamble.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(csv_path).unwrap();
    for (r, rec) in rdr.records().enumerate() {
        for (c, v) in rec.unwrap().iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string((preamble.len() + r) as u32, c as u16, v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn a_workbook_with_title_rows_decides_like_the_plain_roster() {
    let s = Scratch::new("title-xlsx");
    let plain = s.path("plain.xlsx").to_string_lossy().into_owned();
    let titled = s.path("titled.xlsx").to_string_lossy().into_owned();
    let csv = root().join("fixtures/changsha.csv").to_string_lossy().into_owned();
    workbook(&plain, &[], &csv);
    workbook(&titled, &[&[TITLE], &[FILER, "", "", "单位：元"], &[]], &csv);
    let o = dry(&s.path("plain"), &[], &[&plain]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = dry(&s.path("titled"), &[], &[&titled]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    same_decisions(&s.path("plain"), &s.path("titled"), 3);
}

#[test]
fn the_header_is_looked_for_in_the_first_20_rows_only() {
    let s = Scratch::new("title-20");
    let plain = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    let above = |n: usize| (1..=n).map(|i| format!("说明第{i}行,,\n")).collect::<String>();
    let at20 = s.write("at20.csv", format!("{}{plain}", above(19)));
    let o = dry(&s.path("at20"), &[], &[&at20]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&s.path("at20"))["inputs"][0]["preamble_rows"], 19);
    let at21 = s.write("at21.csv", format!("{}{plain}", above(20)));
    let o = dry(&s.path("at21"), &[], &[&at21]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("the header has no column child_id") && e.contains("payee_bank"), "{e}");
    // A header with one column missing names that column, at its own line.
    let body = plain.replacen("payee_bank", "备注", 1);
    let short = s.write("short.csv", format!("{TITLE}\n{body}"));
    let o = dry(&s.path("short"), &[], &[&short]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains(":2: the header has no column payee_bank"), "{e}");
}

#[test]
fn a_guardian_column_where_the_payee_is_needed_is_refused_naming_it() {
    let s = Scratch::new("ambiguous");
    let plain = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    let roster = s.write("guardian.csv", plain.replacen("payee_name", "监护人姓名", 1));
    let o = dry(&s.path("out"), &[], &[&roster]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("监护人姓名") && stderr(&o).contains("--roster-profile"), "{}", stderr(&o));
    let roster =
        s.write("two.csv", plain.replacen("payee_account", "账号", 1).replacen("payee_bank", "payee_bank,卡号", 1));
    let o = dry(&s.path("out2"), &[], &[&roster]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("账号") && stderr(&o).contains("卡号"), "{}", stderr(&o));
}
