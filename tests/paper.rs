//! Paper (SPEC section 16): the payroll list an office prints, signs and files, and
//! the print setup of every sheet of report.xlsx, read back with calamine and, where
//! LibreOffice and poppler are installed, printed to PDF and read page by page.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader};
use common::*;
use rust_decimal::Decimal;

type Book = calamine::Xlsx<std::io::BufReader<std::fs::File>>;

fn open(dir: &Path) -> Book {
    calamine::open_workbook(dir.join("report.xlsx")).unwrap()
}

fn text(row: &[Data], c: usize) -> String {
    row.get(c).map(|d| d.to_string()).unwrap_or_default()
}

fn decimal(d: &Data) -> Decimal {
    match d {
        Data::Float(f) => Decimal::try_from(*f).unwrap().round_dp(2),
        other => panic!("not a number: {other:?}"),
    }
}

/// A line of the list as read back: 序号, ID, account, amount.
type Line = (u64, String, String, Decimal);

/// The list's sections as read back: per region its lines (序号, ID, account,
/// amount) and its subtotal (children, amount); then the grand total and the
/// signature row.
struct ReadList {
    regions: Vec<(String, Vec<Line>, u64, Decimal)>,
    total: (u64, Decimal),
    signature: Vec<String>,
}

fn read_list(book: &mut Book, sheet: &str, subtotal: &str, total: &str) -> ReadList {
    let range = book.worksheet_range(sheet).unwrap();
    let mut rows = range.rows();
    rows.next().unwrap();
    let mut regions = Vec::new();
    let mut lines = Vec::new();
    let mut grand = None;
    let mut signature = Vec::new();
    for row in rows {
        let first = text(row, 0);
        if first == subtotal {
            let code = text(row, 1);
            regions.push((code, std::mem::take(&mut lines), decimal(&row[3]).try_into().unwrap(), decimal(&row[5])));
        } else if first == total {
            grand = Some((decimal(&row[3]).try_into().unwrap(), decimal(&row[5])));
        } else if let Data::Float(n) = row[0] {
            lines.push((n as u64, text(row, 2), text(row, 7), decimal(&row[5])));
        } else if row.iter().any(|c| !matches!(c, Data::Empty)) {
            signature = row.iter().map(|c| c.to_string()).filter(|s| !s.is_empty()).collect();
        }
    }
    assert!(lines.is_empty(), "lines after the last subtotal");
    ReadList { regions, total: grand.expect("a grand total row"), signature }
}

#[test]
fn the_payroll_list_groups_numbers_and_adds_up() {
    let s = Scratch::new("paper-list");
    let zh = s.path("zh");
    let o = run_month("2018-06", &zh, &["--lang", "zh", "--office", "长沙市民政局"], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut book = open(&zh);
    assert_eq!(book.sheet_names(), ["汇总", "发放花名册", "发放明细", "异常", "转账"]);
    let range = book.worksheet_range("发放花名册").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, ["序号", "姓名", "身份证号", "类别", "月份", "金额", "收款人", "收款账号", "开户银行", "备注"]);
    let list = read_list(&mut book, "发放花名册", "小计", "合计");
    let m = manifest(&zh);
    let by_region = m["by_region"].as_object().unwrap();
    // Regions in code order, each exactly as the manifest counts it.
    let codes: Vec<&str> = list.regions.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(codes, by_region.keys().map(String::as_str).collect::<Vec<_>>());
    let ent = csv_rows(&zh.join("entitlements.csv"));
    for (code, lines, children, amount) in &list.regions {
        // 序号 from 1 in each region; the lines are the region's, in input order.
        assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), (1..=lines.len() as u64).collect::<Vec<_>>());
        let want: Vec<(String, String, Decimal)> = ent
            .iter()
            .filter(|r| r["region_code"] == *code)
            .map(|r| (r["child_id"].clone(), r["payee_account"].clone(), r["amount"].parse().unwrap()))
            .collect();
        let got: Vec<(String, String, Decimal)> = lines.iter().map(|l| (l.1.clone(), l.2.clone(), l.3)).collect();
        assert_eq!(got, want, "{code}");
        // The subtotal adds up its lines and agrees with the manifest.
        assert_eq!(*amount, lines.iter().map(|l| l.3).sum::<Decimal>(), "{code}");
        assert_eq!(by_region[code]["amount"].as_str().unwrap().parse::<Decimal>().unwrap(), *amount, "{code}");
        assert_eq!(by_region[code]["children"].as_u64().unwrap(), *children, "{code}");
    }
    // The grand total: the subtotals' sum and the run's total.
    let total_amount: Decimal = m["totals"]["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(list.total.1, total_amount);
    assert_eq!(list.total.1, list.regions.iter().map(|r| r.3).sum::<Decimal>());
    assert_eq!(list.total.0, m["totals"]["paid"].as_u64().unwrap());
    assert_eq!(list.total.0, list.regions.iter().map(|r| r.2).sum::<u64>());
    for word in ["经办人", "审核人", "负责人", "日期"] {
        assert!(list.signature.iter().any(|c| c.starts_with(word)), "{word} in {:?}", list.signature);
    }
    // Unmasked without --mask-ids.
    assert!(list.regions.iter().flat_map(|r| &r.1).all(|l| !l.1.contains('*') && !l.2.contains('*')));

    // In English: the sheet's name, headers and words.
    let en = s.path("en");
    assert_eq!(code(&run_month("2018-06", &en, &["--lang", "en"], &ROSTERS)), 0);
    let mut book = open(&en);
    assert_eq!(book.sheet_names(), ["Summary", "Payroll list", "Entitlements", "Exceptions", "Transfers"]);
    let range = book.worksheet_range("Payroll list").unwrap();
    assert_eq!(text(range.rows().next().unwrap(), 9), "Remarks");
    let list = read_list(&mut book, "Payroll list", "Subtotal", "Total");
    assert_eq!(list.total.1, total_amount);
    for word in ["Prepared by", "Reviewed by", "Approved by", "Date"] {
        assert!(list.signature.iter().any(|c| c.starts_with(word)), "{word} in {:?}", list.signature);
    }
}

#[test]
fn mask_ids_masks_the_list_only() {
    let s = Scratch::new("paper-mask");
    let (plain, masked) = (s.path("plain"), s.path("masked"));
    assert_eq!(code(&run_month("2018-06", &plain, &[], &ROSTERS)), 0);
    let o = run_month("2018-06", &masked, &["--mask-ids"], &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut book = open(&masked);
    let list = read_list(&mut book, "Payroll list", "Subtotal", "Total");
    let ent = csv_rows(&masked.join("entitlements.csv"));
    let mask = |v: &str| format!("{}{}{}", &v[..6], "*".repeat(v.len() - 10), &v[v.len() - 4..]);
    let mut n = 0;
    for (code, lines, _, _) in &list.regions {
        let want: Vec<(String, String)> = ent
            .iter()
            .filter(|r| r["region_code"] == *code)
            .map(|r| (mask(&r["child_id"]), mask(&r["payee_account"])))
            .collect();
        let got: Vec<(String, String)> = lines.iter().map(|l| (l.1.clone(), l.2.clone())).collect();
        // First 6 and last 4 kept, as on the terminal: 430102********0016.
        assert_eq!(got, want, "{code}");
        n += got.len();
    }
    assert_eq!(n, ent.len());
    // Everything else is as without the option: the CSV files byte for byte, the
    // other sheets cell for cell.
    for file in ["entitlements.csv", "transfers.csv", "exceptions.csv", "audit.jsonl"] {
        assert_eq!(std::fs::read(plain.join(file)).unwrap(), std::fs::read(masked.join(file)).unwrap(), "{file}");
    }
    let mut unmasked = open(&plain);
    for sheet in ["Summary", "Entitlements", "Exceptions", "Transfers"] {
        assert_eq!(book.worksheet_range(sheet).unwrap(), unmasked.worksheet_range(sheet).unwrap(), "{sheet}");
        let cells = book.worksheet_range(sheet).unwrap();
        assert!(cells.cells().all(|(_, _, c)| !c.to_string().contains("********")), "{sheet}");
    }
}

/// A roster of a few hundred children in three counties, so the data sheets run
/// over several pages.
fn long_roster(s: &Scratch) -> String {
    let mut text = String::from(
        "child_id,name,category,region_code,approved_from,ended_after,status,monthly_amount,payee_name,payee_account,payee_bank\n",
    );
    for i in 0..300u32 {
        let region = ["430102", "430103", "430104"][(i % 3) as usize];
        text.push_str(&format!(
            "{},儿童{i},scattered,{region},2016-03,,active,,监护人{i},62220210{:011},中国工商银行长沙分行\n",
            valid_id(i + 5000),
            i
        ));
    }
    s.write("long.csv", text)
}

fn tool(name: &str) -> Command {
    let found = Command::new(name).arg(if name == "soffice" { "--version" } else { "-v" }).output();
    assert!(
        found.is_ok(),
        "{name} is needed for this test: install LibreOffice (libreoffice-calc-nogui) and poppler-utils"
    );
    Command::new(name)
}

#[test]
#[ignore = "needs LibreOffice (soffice) and pdftotext (poppler-utils)"]
fn the_report_prints_as_an_office_files_it() {
    let s = Scratch::new("paper-pdf");
    let out = s.path("out");
    let roster = long_roster(&s);
    let mut rosters = ROSTERS.to_vec();
    rosters.push(&roster);
    let o = run_month("2018-06", &out, &["--lang", "zh", "--office", "长沙市民政局"], &rosters);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let profile = format!("-env:UserInstallation=file://{}", s.path("lo-profile").display());
    let o = tool("soffice")
        .args(["--headless", &profile, "--convert-to", "pdf", "--outdir"])
        .arg(s.path("pdf"))
        .arg(out.join("report.xlsx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = s.path("pdf").join("report.pdf");
    let o = tool("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    let m = manifest(&out);
    let audit = &m["audit_head"].as_str().unwrap()[..12];
    // Each page's header: the office, then the sheet's name.
    let sheet_of = |page: &str| {
        let first = page.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
        assert!(first.contains("长沙市民政局"), "no office at the top: {first}");
        first.split_whitespace().last().unwrap_or_default().to_owned()
    };
    // Each data sheet's first and last column headers (the whole row is on the page).
    let columns: BTreeMap<&str, (&str, &str)> = [
        ("发放花名册", ("序号", "备注")),
        ("发放明细", ("发放年月", "来源")),
        ("异常", ("发放年月", "说明")),
        ("转账", ("转账编号", "儿童人数")),
    ]
    .into();
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        let sheet = sheet_of(page);
        let flat: String = page.split_whitespace().collect();
        let footer = format!("第{}页共{}页", i + 1, pages.len());
        assert!(flat.contains(&footer), "page {}: no {footer}:\n{page}", i + 1);
        assert!(flat.contains(audit), "page {}: no audit head {audit}:\n{page}", i + 1);
        assert!(flat.contains("发放年月2018-06"), "page {}: no period:\n{page}", i + 1);
        if let Some((first, last)) = columns.get(sheet.as_str()) {
            let header = page.lines().find(|l| l.contains(first)).unwrap_or_default();
            assert!(header.contains(last), "page {} of {sheet}: no {last} in the header row:\n{page}", i + 1);
        }
        seen.entry(sheet).or_default().push(i);
    }
    // The data sheets run over several pages, the header row on each.
    assert_eq!(seen.keys().map(String::as_str).collect::<Vec<_>>(), ["发放明细", "发放花名册", "异常", "汇总", "转账"]);
    assert!(seen["发放花名册"].len() > 1 && seen["发放明细"].len() > 1, "{seen:?} {}", m["totals"]);
    // The signatures on the list's last page.
    let last = pages[*seen["发放花名册"].last().unwrap()];
    for word in ["经办人", "审核人", "负责人", "日期"] {
        assert!(last.contains(word), "{word} not on the list's last page:\n{last}");
    }
}
