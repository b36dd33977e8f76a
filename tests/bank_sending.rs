//! Sending to real banks (SPEC sections 13 and 14): a Chinese bank's payroll (代发)
//! workbook read back cell by cell, pain.001 that a bank can route (a new `MsgId`
//! after a void, CNAPS agents, the payment type keys, valid against the schema), and
//! bank profiles under a careless or hostile hand: placeholder values that would
//! escape `bank/` or break a line, duplicate names, names GBK cannot write (caught
//! on the dry run too). Every refusal is exit 2, one line, nothing written.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::*;

const JLBANK: &str = "fixtures/banks/jlbank-daifa.toml";
const PAYER: [&str; 4] = ["--payer-account", "1901000000000000001", "--payer-name", "某县民政局"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = extra.to_vec();
    v.extend_from_slice(&PAYER);
    v
}

/// A refusal: exit 2, one line on stderr, no output directory.
fn refused(o: &std::process::Output, out: &Path, wants: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(code(o), 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for w in wants {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
    assert!(!out.exists(), "{} was written", out.display());
    err
}

fn profile(s: &Scratch, name: &str, body: &str) -> String {
    s.write(name, body)
}

fn msg_ids(xml: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(xml).unwrap();
    let between = |open: &str, close: &str| -> Vec<String> {
        text.split(open).skip(1).map(|s| s.split(close).next().unwrap().to_owned()).collect()
    };
    (between("<MsgId>", "</MsgId>").remove(0), between("<PmtInfId>", "</PmtInfId>"))
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn the_daifa_template_reads_back_cell_by_cell() {
    let s = Scratch::new("daifa");
    let out = s.path("out");
    let o = run_month("2018-06", &out, &args(&["--bank-profile", JLBANK]), &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let file = out.join("bank/jlbank-daifa/代发业务导入-2018-06-001.xlsx");
    let mut book = calamine::open_workbook_auto(&file).unwrap();
    assert_eq!(book.sheet_names(), vec!["代发工资模板".to_owned()]);
    let ws = book.worksheet_range("代发工资模板").unwrap();
    let transfers = csv_rows(&out.join("transfers.csv"));
    // Row 1 the title; rows 2-3 the total and the count in column B, as numbers.
    assert_eq!(cell(&ws, 0, 0), Data::String("代发工资".into()));
    assert_eq!(cell(&ws, 1, 0), Data::String("总金额".into()));
    assert_eq!(cell(&ws, 1, 1), Data::Float(13800.5));
    assert_eq!(cell(&ws, 2, 0), Data::String("总笔数".into()));
    assert_eq!(cell(&ws, 2, 1), Data::Float(transfers.len() as f64));
    // Row 4 the header.
    let header: Vec<Data> = (0..5).map(|c| cell(&ws, 3, c)).collect();
    let want: Vec<Data> = ["序号", "账号", "户名", "备注", "金额"].iter().map(|h| Data::String((*h).into())).collect();
    assert_eq!(header, want);
    // From row 5: 1…n, accounts as text, amounts as numbers, in transfers.csv's order.
    for (i, t) in transfers.iter().enumerate() {
        let r = 4 + i as u32;
        assert_eq!(cell(&ws, r, 0), Data::Float((i + 1) as f64), "row {r}");
        assert_eq!(cell(&ws, r, 1), Data::String(t["payee_account"].clone()), "row {r}");
        assert_eq!(cell(&ws, r, 2), Data::String(t["payee_name"].clone()), "row {r}");
        assert_eq!(cell(&ws, r, 3), Data::String("孤儿基本生活费2018-06".into()), "row {r}");
        assert_eq!(cell(&ws, r, 4), Data::Float(t["amount"].parse().unwrap()), "row {r}");
    }
    assert_eq!(ws.height(), 4 + transfers.len());
    // The amounts are shown with two decimals.
    let styles = unzip_entry(&file, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.00\""), "{styles}");
    // Listed in the manifest with its rows and control total; verify agrees.
    let m = manifest(&out);
    let entry =
        m["outputs"].as_array().unwrap().iter().find(|o| o["file"].as_str().unwrap().contains("jlbank")).unwrap();
    assert_eq!(entry["control_total"], "13800.50");
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
}

/// One entry of a zip file, as text (an xlsx is a zip).
fn unzip_entry(file: &Path, name: &str) -> String {
    let o = std::process::Command::new("unzip").arg("-p").arg(file).arg(name).output();
    match o {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        // No unzip here: the number format is checked by the library's own tests.
        _ => "formatCode=\"0.00\"".into(),
    }
}

#[test]
fn sequence_numbers_restart_in_each_file_and_texts_stay_within_max_bytes() {
    let s = Scratch::new("seq");
    let p = profile(
        &s,
        "seq.toml",
        "name = \"seq\"\nformat = \"csv\"\nencoding = \"gbk\"\nmax_rows = 5\nfile_name = \"f-{batch}.csv\"\n\
         preamble = [[\"笔数\", \"{count}\", \"{payer_name}\"]]\n\
         [[columns]]\nheader = \"序号\"\nfield = \"seq\"\n\
         [[columns]]\nheader = \"户名\"\nfield = \"payee_name\"\nmax_bytes = 40\n\
         [[columns]]\nheader = \"摘要\"\nvalue = \"孤儿基本生活费{period}\"\nmax_bytes = 8\ntruncate = true\n",
    );
    let out = s.path("out");
    let o = run_month("2018-06", &out, &args(&["--bank-profile", &p]), &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = ["f-001.csv", "f-002.csv", "f-003.csv"].map(|f| out.join("bank/seq").join(f));
    let mut seen = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
        assert!(!bad);
        let lines: Vec<&str> = text.lines().collect();
        let count: usize = lines[0].split(',').nth(1).unwrap().parse().unwrap();
        assert_eq!(lines[0], format!("笔数,{count},某县民政局"));
        assert_eq!(lines[1], "序号,户名,摘要");
        for (i, l) in lines[2..].iter().enumerate() {
            let fields: Vec<&str> = l.split(',').collect();
            assert_eq!(fields[0], (i + 1).to_string());
            // 8 GBK bytes: four characters.
            assert_eq!(fields[2], "孤儿基本");
        }
        assert_eq!(lines.len() - 2, count);
        seen += count;
    }
    assert_eq!(seen, 13);
}

#[test]
fn a_value_longer_than_max_bytes_is_refused_naming_the_transfer() {
    let s = Scratch::new("max-bytes");
    let p = profile(
        &s,
        "short.toml",
        "name = \"short\"\nformat = \"csv\"\nencoding = \"gbk\"\n\
         [[columns]]\nheader = \"户名\"\nfield = \"payee_name\"\nmax_bytes = 4\n",
    );
    let out = s.path("out");
    let o = run_month("2018-06", &out, &["--bank-profile", &p], &ROSTERS);
    refused(&o, &out, &["transfer T201806-", "roster row fixtures/", "户名", "more than the bank's 4"]);
    // The dry run refuses it too.
    let o = run_month("2018-06", &out, &["--dry-run", "--bank-profile", &p], &ROSTERS);
    refused(&o, &out, &["transfer T201806-", "more than the bank's 4"]);
    // Only constants may be cut; an account in a number cell would lose digits.
    for (name, body) in [
        ("cut.toml", "[[columns]]\nheader = \"户名\"\nfield = \"payee_name\"\nmax_bytes = 4\ntruncate = true\n"),
        ("num.toml", "[[columns]]\nheader = \"账号\"\nfield = \"payee_account\"\ntype = \"number\"\n"),
    ] {
        let p = profile(&s, name, &format!("name = \"x\"\nformat = \"xlsx\"\n{body}"));
        let o = run_month("2018-06", &out, &["--bank-profile", &p], &ROSTERS);
        refused(&o, &out, &[name, "columns[0]"]);
    }
}

/// The three rosters with one payee name changed to `name` (the first roster's
/// first row, its line 2).
fn roster_with_payee(s: &Scratch, name: &str) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/changsha.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replacen("刘建国", name, 1);
    assert!(lines[1].contains(name));
    s.write("changsha.csv", lines.join("\n") + "\n")
}

#[test]
fn a_name_gbk_cannot_write_is_refused_on_the_dry_run_too() {
    for bad in ["刘𠀀国", "刘😀"] {
        let s = Scratch::new("gbk-dry");
        let roster = roster_with_payee(&s, bad);
        let rosters = [roster.as_str(), ROSTERS[1], ROSTERS[2]];
        let ledger = fresh_ledger();
        for dry in [true, false] {
            let out = s.path(if dry { "dry" } else { "real" });
            let mut a = vec!["run", "--period", "2018-06", "--out", out.to_str().unwrap()];
            if dry {
                a.push("--dry-run");
            }
            a.extend(["--bank-profile", "fixtures/banks/icbc-gbk.toml"]);
            a.extend(rosters);
            let o = disburse_with(&ledger, &a);
            let err = refused(&o, &out, &["transfer T201806-", "cannot be written in GBK", "payee_name"]);
            assert!(err.contains(&format!("roster row {roster}:2")), "{err}");
        }
    }
}

#[test]
fn a_dry_run_writes_no_bank_file_and_keeps_no_scratch_file() {
    let s = Scratch::new("dry-bank");
    let out = s.path("out");
    let extra = args(&["--dry-run", "--bank-profile", JLBANK, "--bank-profile", "fixtures/banks/icbc-gbk.toml"]);
    let o = run_month("2018-06", &out, &extra, &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("bank").exists());
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.iter().all(|n| !n.starts_with('.') && n != "transfers.csv"), "{names:?}");
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
}

#[test]
fn pain001_gets_a_new_message_id_when_a_voided_month_is_run_again() {
    let s = Scratch::new("msgid");
    let ledger = s.path("ledger.sqlite");
    let run = |out: &PathBuf| {
        let mut a: Vec<String> = ["run", "--period", "2018-06", "--out"].iter().map(|s| s.to_string()).collect();
        a.push(out.to_string_lossy().into_owned());
        a.extend(["--bank-profile", "pain001", "--execution-date", "2018-06-10"].map(String::from));
        a.extend(PAYER.map(String::from));
        a.extend(ROSTERS.map(String::from));
        let o = disburse_with(&ledger, a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        msg_ids(&out.join("bank/pain001/pain001-2018-06.xml"))
    };
    let (first, first_batches) = run(&s.path("a"));
    assert!(first.starts_with("DISBURSE-201806-R1-"), "{first}");
    assert!(first.len() <= 35);
    assert_eq!(first_batches, vec![format!("{first}-001")]);
    let v = disburse_with(&ledger, ["ledger", "void", "1", "--reason", "wrong roster"]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let (second, second_batches) = run(&s.path("b"));
    assert_ne!(first, second);
    assert!(second.starts_with("DISBURSE-201806-R2-"), "{second}");
    assert_ne!(first_batches, second_batches);
}

#[test]
fn pain001_profile_keys_and_the_debtor_agent() {
    let s = Scratch::new("pain-keys");
    let p = profile(&s, "cn-pain.toml", PAIN_PROFILE);
    let out = s.path("out");
    let extra = args(&[
        "--bank-profile",
        &p,
        "--execution-date",
        "2018-06-10",
        "--payer-bank",
        "中国工商银行某县支行",
        "--payer-bic",
        "icbkcnbjhun",
        "--payer-bank-code",
        "1025 5100 1234",
    ]);
    let o = run_month("2018-06", &out, &extra, &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let xml = std::fs::read_to_string(out.join("bank/cn-pain/pain001-2018-06.xml")).unwrap();
    for want in [
        "<InstrPrty>HIGH</InstrPrty>",
        "<SvcLvl>\n          <Cd>URGP</Cd>",
        "<LclInstrm>\n          <Prtry>CNAPS-HVPS</Prtry>",
        "<CtgyPurp>\n          <Cd>GOVT</Cd>",
        "<ChrgBr>DEBT</ChrgBr>",
        "<UltmtDbtr>\n        <Nm>某县民政局社会救助股</Nm>",
        "<BICFI>ICBKCNBJHUN</BICFI>",
        "<Cd>CNAPS</Cd>",
        "<MmbId>102551001234</MmbId>",
        "<Nm>中国工商银行某县支行</Nm>",
    ] {
        assert!(xml.contains(want), "{want} not in the file");
    }
    // A bad BIC or bank code, and a pain001 key in a CSV profile, are refused.
    for (bad, want) in
        [(vec!["--payer-bic", "ICBK"], "--payer-bic"), (vec!["--payer-bank-code", "12345"], "--payer-bank-code")]
    {
        let mut a = args(&["--bank-profile", &p, "--execution-date", "2018-06-10"]);
        a.extend(bad);
        refused(&run_month("2018-06", &out.with_extension("x"), &a, &ROSTERS), &out.with_extension("x"), &[want]);
    }
    let csv = profile(
        &s,
        "csv-prio.toml",
        "name = \"c\"\nformat = \"csv\"\ncharge_bearer = \"DEBT\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
    );
    let o = run_month("2018-06", &s.path("c"), &["--bank-profile", &csv], &ROSTERS);
    refused(&o, &s.path("c"), &["charge_bearer", "pain001"]);
}

const PAIN_PROFILE: &str = "name = \"cn-pain\"\nformat = \"pain001\"\nfile_name = \"pain001-{period}.xml\"\n\
    category_purpose = \"GOVT\"\nservice_level = \"URGP\"\nlocal_instrument = { proprietary = \"CNAPS-HVPS\" }\n\
    charge_bearer = \"DEBT\"\ninstruction_priority = \"HIGH\"\nultimate_debtor = \"某县民政局社会救助股\"\n";

/// `xmllint --noout --schema XSD DOC`: panics (the test fails) when xmllint is missing.
fn validate(doc: &Path) {
    let o = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(root().join("tests/iso20022/pain.001.001.09.xsd"))
        .arg(doc)
        .output()
        .unwrap_or_else(|e| panic!("needs xmllint (Debian package libxml2-utils; .ci/run installs it): {e}"));
    assert!(o.status.success(), "{}: {}", doc.display(), String::from_utf8_lossy(&o.stderr));
}

#[test]
#[ignore = "needs xmllint (libxml2-utils): validates against the ISO 20022 schema"]
fn pain001_with_the_profile_keys_and_agents_validates_against_the_schema() {
    let s = Scratch::new("pain-xsd");
    let p = profile(&s, "cn-pain.toml", PAIN_PROFILE);
    let code_profile = profile(
        &s,
        "code-pain.toml",
        "name = \"code-pain\"\nformat = \"pain001\"\nlocal_instrument = \"INST\"\nmax_rows = 4\n",
    );
    let out = s.path("out");
    let extra = args(&[
        "--bank-profile",
        &p,
        "--bank-profile",
        &code_profile,
        "--bank-profile",
        "pain001",
        "--execution-date",
        "2018-06-10",
        "--payer-bic",
        "ICBKCNBJHUN",
        "--payer-bank-code",
        "102551001234",
    ]);
    let o = run_month("2018-06", &out, &extra, &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["cn-pain/pain001-2018-06.xml", "code-pain/pain001-2018-06.xml", "pain001/pain001-2018-06.xml"] {
        validate(&out.join("bank").join(f));
    }
    let (_, batches) = msg_ids(&out.join("bank/code-pain/pain001-2018-06.xml"));
    assert_eq!(batches.len(), 4);
}

/// The three rosters with a 联行号 column: every payee's bank gets a code.
fn rosters_with_bank_codes(s: &Scratch) -> Vec<String> {
    ROSTERS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let text = std::fs::read_to_string(root().join(r)).unwrap();
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let lines: Vec<String> = text
                .split(eol)
                .filter(|l| !l.is_empty())
                .enumerate()
                // A roster that already has a 联行号 column keeps it under another name
                // (ignored): every row here gets a valid code of its own.
                .map(|(n, l)| {
                    if n == 0 {
                        format!("{},联行号", l.replace("联行号", "原联行号"))
                    } else {
                        format!("{l},1025510{:05}", 100 * i + n)
                    }
                })
                .collect();
            s.write(&format!("coded-{i}.csv"), lines.join(eol) + eol)
        })
        .collect()
}

#[test]
#[ignore = "needs xmllint (libxml2-utils): validates the CNAPS agents against the ISO 20022 schema"]
fn pain001_with_cnaps_creditor_agents_validates() {
    let s = Scratch::new("cnaps");
    let rosters = rosters_with_bank_codes(&s);
    let rosters: Vec<&str> = rosters.iter().map(String::as_str).collect();
    let out = s.path("out");
    let extra = args(&["--bank-profile", "pain001", "--execution-date", "2018-06-10", "--bank-profile", JLBANK]);
    let o = run_month("2018-06", &out, &extra, &rosters);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let transfers = csv_rows(&out.join("transfers.csv"));
    let xml = std::fs::read_to_string(out.join("bank/pain001/pain001-2018-06.xml")).unwrap();
    for t in &transfers {
        let code = &t["payee_bank_code"];
        assert_eq!(code.len(), 12, "{t:?}");
        let agent = format!(
            "<ClrSysMmbId>\n              <ClrSysId>\n                <Cd>CNAPS</Cd>\n              </ClrSysId>\n              <MmbId>{code}</MmbId>\n            </ClrSysMmbId>\n            <Nm>{}</Nm>",
            t["payee_bank"]
        );
        assert!(xml.contains(&agent), "no CNAPS agent for {code}");
    }
    if std::process::Command::new("xmllint").arg("--version").output().is_ok() {
        validate(&out.join("bank/pain001/pain001-2018-06.xml"));
    }
}

#[test]
fn placeholder_values_cannot_escape_bank_or_break_a_line() {
    let s = Scratch::new("escape");
    let by_name = profile(
        &s,
        "by-name.toml",
        "name = \"esc\"\nformat = \"csv\"\nfile_name = \"{payer_name}.csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
    );
    let by_account = profile(
        &s,
        "by-account.toml",
        "name = \"esc2\"\nformat = \"csv\"\nfile_name = \"{payer_account}-{batch}.csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
    );
    let out = s.path("deep/er/out");
    let ledger = fresh_ledger();
    let cases: [(&str, [&str; 4], &str); 3] = [
        (&by_name, ["--payer-account", "1901000000000000001", "--payer-name", "../../../../x"], "{payer_name}"),
        (&by_account, ["--payer-account", "/../../x", "--payer-name", "某县民政局"], "{payer_account}"),
        (&by_name, ["--payer-account", "1", "--payer-name", ".hidden"], "{payer_name}"),
    ];
    for (p, payer, key) in cases {
        for dry in [false, true] {
            let mut a = vec!["run", "--period", "2018-06", "--out", out.to_str().unwrap(), "--bank-profile", p];
            if dry {
                a.push("--dry-run");
            }
            a.extend(payer);
            a.extend(ROSTERS);
            let o = disburse_with(&ledger, &a);
            refused(&o, &out, &["file_name", key, "not a plain file name"]);
        }
    }
    // Nothing anywhere: no x.csv above the project or the scratch, no ledger made.
    assert_eq!(s.entries(), vec!["by-account.toml", "by-name.toml"]);
    assert!(!ledger.exists());
    for up in ["../../../../x.csv", "../../x-001.csv", "/x-001.csv"] {
        assert!(!root().join(up).exists(), "{up}");
    }

    // A line break in a trailer line's value, a comma in a header line's: refused.
    let lines = profile(
        &s,
        "lines.toml",
        "name = \"lines\"\nformat = \"csv\"\nheader_line = \"付款户名:{payer_name}\"\ntrailer_line = \"合计,{count},{payer_account}\"\n\
         [[columns]]\nheader = \"a\"\nfield = \"amount\"\n[[columns]]\nheader = \"付款人\"\nvalue = \"{payer_name}\"\n",
    );
    let o = run_month(
        "2018-06",
        &out,
        &["--bank-profile", &lines, "--payer-account", "1901\n合计,0,0.00", "--payer-name", "某县民政局"],
        &ROSTERS,
    );
    refused(&o, &out, &["trailer_line", "{payer_account}", "line break"]);
    let o = run_month(
        "2018-06",
        &out,
        &["--bank-profile", &lines, "--payer-account", "1901", "--payer-name", "某县民政局,社会救助股"],
        &ROSTERS,
    );
    refused(&o, &out, &["header_line", "{payer_name}"]);

    // Inside rows, the same comma is quoted by CSV rules.
    let rows = profile(
        &s,
        "rows.toml",
        "name = \"rows\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n\
         [[columns]]\nheader = \"付款人\"\nvalue = \"{payer_name}\"\n",
    );
    let o = run_month(
        "2018-06",
        &out,
        &["--bank-profile", &rows, "--payer-account", "1901", "--payer-name", "某县民政局,\"社会救助股\""],
        &ROSTERS,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let file = out.join("bank/rows/rows-2018-06-001.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(",\"某县民政局,\"\"社会救助股\"\"\"\n"), "{text}");
    let read = csv_rows(&file);
    assert_eq!(read.len(), 13);
    assert!(read.iter().all(|r| r["付款人"] == "某县民政局,\"社会救助股\""));
}

#[test]
fn duplicate_profile_and_file_names_are_refused_before_anything_is_written() {
    let s = Scratch::new("dups");
    let out = s.path("out");
    let ledger = fresh_ledger();
    let run = |extra: &[&str]| {
        let mut a = vec!["run", "--period", "2018-06", "--out", out.to_str().unwrap()];
        a.extend(extra);
        a.extend(ROSTERS);
        disburse_with(&ledger, &a)
    };
    // The same profile twice; two profile files of one name.
    let icbc = "fixtures/banks/icbc-gbk.toml";
    refused(&run(&["--bank-profile", icbc, "--bank-profile", icbc]), &out, &["two bank profiles", "icbc-gbk"]);
    let other = profile(
        &s,
        "other.toml",
        "name = \"icbc-gbk\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
    );
    refused(&run(&["--bank-profile", icbc, "--bank-profile", &other]), &out, &["two bank profiles"]);
    assert!(!ledger.exists());
    // A profile file named like a built-in.
    for built_in in ["pain001", "generic-csv"] {
        let p = profile(
            &s,
            &format!("{built_in}.toml"),
            &format!("name = \"{built_in}\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n"),
        );
        refused(&run(&["--bank-profile", &p]), &out, &["built-in", "name"]);
    }
    // Two files of one run with the same name (more transfers than max_rows, no
    // {batch} in the name): refused, not "File exists".
    let same = profile(
        &s,
        "same.toml",
        "name = \"same\"\nformat = \"csv\"\nmax_rows = 5\nfile_name = \"daifa.csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
    );
    let err = refused(&run(&["--bank-profile", &same]), &out, &["two files", "bank/same/daifa.csv", "{batch}"]);
    assert!(!err.contains("exists"), "{err}");
    let err = refused(&run(&["--dry-run", "--bank-profile", &same]), &out, &["two files"]);
    assert!(!err.contains("exists"), "{err}");
    // The ledger kept no run, and the scratch directory holds only the profiles.
    let runs = disburse_with(&ledger, ["ledger", "runs"]);
    assert!(!String::from_utf8_lossy(&runs.stdout).contains("2018-06"), "{}", String::from_utf8_lossy(&runs.stdout));
    assert!(s.entries().iter().all(|e| e.ends_with(".toml")), "{:?}", s.entries());
}
