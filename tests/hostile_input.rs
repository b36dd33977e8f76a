//! Hostile and careless input (SPEC section 13): the same roster twice, files that
//! are not files, an unclosed quote, workbooks that ask for more memory than their
//! cells, amounts too large to hold, absurd `--threads`, and `--out` paths that
//! used to fail late or leave things behind. Every refusal is exit 2, one line, and
//! nothing written. The hostile inputs are built here.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const HEADER: &str = "child_id,name,category,region_code,approved_from,ended_after,status,monthly_amount,payee_name,payee_account,payee_bank\n";

fn row(i: u32, account: &str) -> String {
    format!("{},儿童{i},scattered,430102,2016-03,,active,,监护人,{account},中国工商银行长沙分行\n", valid_id(i))
}

fn roster(n: u32) -> String {
    let mut s = HEADER.to_owned();
    for i in 0..n {
        s.push_str(&row(i, &format!("62220210{:011}", i)));
    }
    s
}

fn no_panic(o: &Output) {
    assert!(o.status.code().is_some() && o.status.code() != Some(101), "crashed: {}", stderr(o));
}

/// A refusal: exit 2, one line on stderr containing every `says`, no panic.
fn refused(o: &Output, says: &[&str]) {
    no_panic(o);
    let err = stderr(o);
    assert_eq!(code(o), 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for s in says {
        assert!(err.contains(s), "{s:?} not in {err}");
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Runs the binary but gives up (and fails) after `secs`: nothing may block.
fn within(secs: u64, ledger: &Path, args: &[String]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env("DISBURSE_LEDGER", ledger)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run disburse");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("disburse {args:?} was still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Runs the binary with its address space limited to 2 GiB (`prlimit --as`).
fn limited(ledger: &Path, args: &[String]) -> Output {
    Command::new("prlimit")
        .arg(format!("--as={}", 2u64 << 30))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env("DISBURSE_LEDGER", ledger)
        .args(args)
        .current_dir(root())
        .output()
        .expect("run prlimit (util-linux)")
}

fn real_run(out: &Path, rosters: &[&str]) -> Vec<String> {
    let mut a = args(&["run", "--period", "2018-06", "--out"]);
    a.push(path_arg(out));
    a.extend(args(rosters));
    a
}

fn dry_run(out: &Path, rosters: &[&str]) -> Vec<String> {
    let mut a = real_run(out, rosters);
    a.insert(1, "--dry-run".into());
    a
}

#[test]
fn the_same_roster_twice_is_refused_by_device_and_inode() {
    let s = Scratch::new("twice");
    let a = s.write("a.csv", roster(3));
    let link = s.path("link.csv");
    std::os::unix::fs::symlink(&a, &link).unwrap();
    let hard = s.path("hard.csv");
    std::fs::hard_link(&a, &hard).unwrap();
    let dotted = format!("{}/./a.csv", s.0.display());
    for other in [a.clone(), path_arg(&link), path_arg(&hard), dotted] {
        let ledger = fresh_ledger();
        let out = s.path("out");
        let o = within(30, &ledger, &real_run(&out, &[&a, &other]));
        refused(&o, &[&a, &other, "same file"]);
        assert!(!out.exists() && !ledger.exists(), "{other}");
        assert_eq!(s.entries(), ["a.csv", "hard.csv", "link.csv"]);
    }
    // Two different files with the same rows are not the same file.
    let b = s.write("b.csv", roster(3));
    let o = within(30, &fresh_ledger(), &dry_run(&s.path("out"), &[&a, &b]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn inputs_that_are_not_regular_files_are_refused_at_once() {
    let s = Scratch::new("not-files");
    let fifo = s.path("roster.csv");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let socket_path = s.path("sock.csv");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let folder = s.path("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let good = s.write("good.csv", roster(2));
    for (input, says) in [
        (path_arg(&fifo), "not a regular file"),
        ("/dev/zero".to_owned(), "not a regular file"),
        (path_arg(&socket_path), "not a regular file"),
        (path_arg(&folder), "folder"),
    ] {
        let out = s.path("out");
        let ledger = fresh_ledger();
        // As a roster, a second roster, and as the policy file.
        for a in [
            real_run(&out, &[&input]),
            real_run(&out, &[&good, &input]),
            [args(&["run", "--policy", &input, "--period", "2018-06", "--out"]), vec![path_arg(&out), good.clone()]]
                .concat(),
        ] {
            let o = within(20, &ledger, &a);
            refused(&o, &[&input, says]);
            assert!(!out.exists() && !ledger.exists(), "{a:?}");
        }
    }
    // A bank profile too.
    let out = s.path("out");
    let mut a = args(&["run", "--dry-run", "--bank-profile", "/dev/zero", "--period", "2018-06", "--out"]);
    a.push(path_arg(&out));
    a.push(good.clone());
    refused(&within(20, &fresh_ledger(), &a), &["/dev/zero", "not a regular file"]);
    assert!(!out.exists());
    // The paid register of `audit` and the file of `ledger import` too.
    for a in [
        args(&["audit", "--period", "2018-06", "--paid", "/dev/zero", "--out"]),
        args(&["ledger", "import", "--period", "2018-05", "/dev/zero"]),
    ] {
        let mut a = a;
        if a[0] == "audit" {
            a.push(path_arg(&s.path("audit-out")));
            a.push(good.clone());
        }
        let ledger = fresh_ledger();
        let o = within(20, &ledger, &a);
        refused(&o, &["/dev/zero", "not a regular file"]);
        assert!(!s.path("audit-out").exists());
    }
}

#[test]
fn an_unclosed_quote_is_refused_naming_its_line() {
    let s = Scratch::new("quote");
    let mut text = roster(1000);
    // Row 6 (line 7): a name whose quote is never closed.
    let lines: Vec<&str> = text.lines().collect();
    let broken = lines[6].replacen("儿童", "\"儿童", 1);
    text = lines.iter().enumerate().map(|(i, l)| if i == 6 { broken.clone() } else { l.to_string() } + "\n").collect();
    let path = s.write("roster.csv", &text);
    let ledger = fresh_ledger();
    let out = s.path("out");
    let o = within(30, &ledger, &real_run(&out, &[&path]));
    refused(&o, &[&path, "line 7", "never closed"]);
    assert!(!out.exists() && !ledger.exists());
    assert_eq!(s.entries(), ["roster.csv"]);
    // The same quote closed is an ordinary row.
    let fixed = text.replacen("\"儿童5", "\"儿童5\"", 1);
    let path = s.write("fixed.csv", fixed);
    let o = within(30, &fresh_ledger(), &dry_run(&s.path("fixed-out"), &[&path]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&s.path("fixed-out"))["totals"]["paid"], 1000);
}

/// An `.xlsx` made by hand: one sheet whose XML is `sheet` (inline strings).
fn xlsx(sheet: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, bytes) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(sheet).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Column letters of a 0-based column.
fn letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// Sheet XML rows for a roster's CSV lines (every cell an inline string), plus
/// `extra` XML before `</sheetData>`.
fn sheet_xml(csv: &str, extra: &str) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, line) in csv.lines().enumerate() {
        xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in line.split(',').enumerate() {
            if !cell.is_empty() {
                xml.push_str(&format!(
                    "<c r=\"{}{}\" t=\"inlineStr\"><is><t>{cell}</t></is></c>",
                    letters(c as u32),
                    r + 1
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str(extra);
    xml.push_str("</sheetData></worksheet>");
    xml
}

#[test]
fn workbook_memory_follows_the_cells_present() {
    let s = Scratch::new("sparse");
    assert_eq!(letters(16383), "XFD");
    // One stray cell at XFD200000: a 2 KB file calamine's dense range made 100 GB.
    let stray = r#"<row r="200000"><c r="XFD200000" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let book = xlsx(sheet_xml(&roster(3), stray).as_bytes());
    assert!(book.len() < 4096, "{}", book.len());
    let path = s.write("stray.xlsx", &book);
    let out = s.path("stray-out");
    let o = limited(&fresh_ledger(), &dry_run(&out, &[&path]));
    no_panic(&o);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = manifest(&out);
    assert_eq!(m["totals"]["paid"], 3);
    assert_eq!(m["totals"]["rejected"], 1);
    let exc = csv_rows(&out.join("exceptions.csv"));
    assert_eq!(exc[0]["source"], format!("{path}:200000"));
    assert_eq!(exc[0]["reason"], "MALFORMED_ROW");
    // The same stray cell in the header row: every row stays as cheap as its cells.
    let wide = xlsx(
        sheet_xml(&roster(3), "")
            .replacen("</row>", r#"<c r="XFD1" t="inlineStr"><is><t>note</t></is></c></row>"#, 1)
            .as_bytes(),
    );
    let path = s.write("wide-header.xlsx", &wide);
    let o = limited(&fresh_ledger(), &dry_run(&s.path("wide-out"), &[&path]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&s.path("wide-out"))["totals"]["paid"], 3);

    // 64 MiB of white space in one run: refused, naming the part, in bounded memory.
    let padded = sheet_xml(&roster(3), &" ".repeat(64 << 20));
    let path = s.write("padded.xlsx", xlsx(padded.as_bytes()));
    let ledger = fresh_ledger();
    let out = s.path("padded-out");
    let o = limited(&ledger, &real_run(&out, &[&path]));
    refused(&o, &[&path, "xl/worksheets/sheet1.xml", "padding"]);
    assert!(!out.exists() && !ledger.exists());
    // The same white space spread thinly between rows is read (memory stays flat).
    let thin = sheet_xml(&roster(3), "").replace("</row>", &format!("</row>{}", " ".repeat(1 << 20)));
    let path = s.write("thin.xlsx", xlsx(thin.as_bytes()));
    let o = limited(&fresh_ledger(), &dry_run(&s.path("thin-out"), &[&path]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&s.path("thin-out"))["totals"]["paid"], 3);
}

#[test]
fn a_bank_return_workbook_is_read_by_its_cells_too() {
    let s = Scratch::new("sparse-return");
    let csv = "transfer_id,status,amount\nT1,success,800.00\n";
    let stray = r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let path = s.write("return.xlsx", xlsx(sheet_xml(csv, stray).as_bytes()));
    let wants = [
        disburse::table::Want { name: "transfer_id", aliases: &[], required: true },
        disburse::table::Want { name: "status", aliases: &[], required: true },
    ];
    let table = disburse::table::read_workbook_table(&path, "bank return file", &wants).unwrap();
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].fields, ["T1", "success"]);
    assert_eq!((table.rows[1].line, table.rows[1].fields.clone()), (1048576, vec![String::new(), String::new()]));
}

/// A policy paying `amount` to scattered children from 2018-01.
fn policy(s: &Scratch, amount: &str) -> String {
    s.write(
        "policy.csv",
        format!("effective_from,category,region_prefix,minimum,note\n2018-01,scattered,,{amount},huge\n2018-01,institutional,,{amount},huge\n"),
    )
}

#[test]
fn amounts_the_files_or_the_ledger_cannot_hold_are_refused() {
    let s = Scratch::new("bounds");
    let max = "9999999999999.99";
    let policy = policy(&s, max);
    // 10,000 children at the largest amount, all to one account.
    let mut one_account = HEADER.to_owned();
    for i in 0..10_000 {
        one_account.push_str(&row(i, "6222021001000000011"));
    }
    let path = s.write("one-account.csv", one_account);
    let run = |out: &Path, roster: &str, dry: bool| {
        let mut a = args(&["run", "--policy", &policy, "--ceiling", max, "--period", "2018-06", "--out"]);
        a.push(path_arg(out));
        a.push(roster.to_owned());
        if dry {
            a.insert(1, "--dry-run".into());
        }
        a
    };
    let ledger = fresh_ledger();
    // The ledger holds no run after a refusal (it may have been created for the run).
    let no_run = |ledger: &Path| {
        if ledger.exists() {
            let o = disburse_with(ledger, ["ledger", "runs", "--json"]);
            let runs: serde_json::Value = serde_json::from_slice(&o.stdout).expect("runs as JSON");
            assert_eq!(runs.as_array().map(Vec::len), Some(0), "{runs}");
        }
    };
    for dry in [false, true] {
        let out = s.path("out");
        let o = within(120, &ledger, &run(&out, &path, dry));
        refused(&o, &["transfer 1", "622202*********0011", "13 integer digits"]);
        assert!(!out.exists());
        no_run(&ledger);
    }
    // Each account within bounds, the run's total not.
    let mut two = HEADER.to_owned();
    two.push_str(&row(1, "6222021001000000011"));
    two.push_str(&row(2, "6222021001000000029"));
    let path = s.write("two.csv", two);
    let out = s.path("out");
    let o = within(60, &ledger, &run(&out, &path, false));
    refused(&o, &["the run's", "13 integer digits"]);
    assert!(!out.exists());
    no_run(&ledger);
    assert_eq!(s.entries(), ["one-account.csv", "policy.csv", "two.csv"]);
    // One child at the largest amount is paid exactly.
    let mut one = HEADER.to_owned();
    one.push_str(&row(1, "6222021001000000011"));
    let path = s.write("one.csv", one);
    let o = within(60, &ledger, &run(&out, &path, false));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&out)["totals"]["amount"], max);
    assert_eq!(csv_rows(&out.join("transfers.csv"))[0]["amount"], max);
}

#[test]
fn threads_above_256_are_refused() {
    let s = Scratch::new("threads");
    let path = s.write("r.csv", roster(2));
    for n in ["257", "100000"] {
        let mut a = dry_run(&s.path("out"), &[&path]);
        a.splice(1..1, args(&["--threads", n]));
        let o = within(20, &fresh_ledger(), &a);
        refused(&o, &["--threads", "256"]);
        assert!(!s.path("out").exists());
    }
    let mut a = dry_run(&s.path("out"), &[&path]);
    a.splice(1..1, args(&["--threads", "256"]));
    assert_eq!(code(&within(60, &fresh_ledger(), &a)), 0);
}

#[test]
fn out_through_a_link_or_with_dot_dot_is_refused_before_any_work() {
    let s = Scratch::new("out-path");
    let path = s.write("r.csv", roster(2));
    let empty = s.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let link = s.path("link");
    std::os::unix::fs::symlink(&empty, &link).unwrap();
    let ledger = fresh_ledger();
    let o = within(20, &ledger, &real_run(&link, &[&path]));
    refused(&o, &["symbolic link"]);
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    assert!(!ledger.exists());
    // `sub/..` would have created sub/ before failing.
    let dotdot = s.path("sub/../out");
    let o = within(20, &ledger, &real_run(&dotdot, &[&path]));
    refused(&o, &[".."]);
    assert_eq!(s.entries(), ["empty", "link", "r.csv"]);
    assert!(!ledger.exists());
    // `audit` and `reconcile` check their --out the same way, before reading.
    for a in [
        args(&["audit", "--period", "2018-06", "--paid", &path, "--out", &path_arg(&link), &path]),
        args(&["reconcile", "--run", &path_arg(&empty), "--returns", &path, "--out", &path_arg(&link)]),
    ] {
        refused(&within(20, &ledger, &a), &["symbolic link"]);
    }
    assert_eq!(s.entries(), ["empty", "link", "r.csv"]);
}

#[test]
fn a_killed_runs_temporary_folder_is_cleared_by_the_next_run() {
    let s = Scratch::new("stale");
    let path = s.write("r.csv", roster(2));
    // Processes that have ended: their pids are dead.
    let dead_pid = || {
        let mut gone = Command::new("true").spawn().unwrap();
        let pid = gone.id();
        gone.wait().unwrap();
        pid
    };
    let (dead, also_dead) = (dead_pid(), dead_pid());
    let make = |name: &str, marked: bool| -> PathBuf {
        let dir = s.path(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("entitlements.csv"), "partial").unwrap();
        if marked {
            std::fs::write(dir.join(disburse::output::staged::MARKER), "").unwrap();
        }
        dir
    };
    let stale = make(&format!(".out.disburse-tmp-{dead}"), true);
    let unmarked = make(&format!(".out.disburse-tmp-{also_dead}"), false);
    let alive = make(&format!(".out.disburse-tmp-{}", std::process::id()), true);
    let other_name = make(&format!(".other.disburse-tmp-{dead}"), true);
    let o = within(30, &fresh_ledger(), &dry_run(&s.path("out"), &[&path]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stale.exists(), "the dead run's marked folder is removed");
    for kept in [&unmarked, &alive, &other_name] {
        assert!(kept.exists(), "{} was removed: {:?}", kept.display(), s.entries());
    }
    // The output never carries the marker.
    assert!(!s.path("out").join(disburse::output::staged::MARKER).exists());
}

/// An `.ods` made by hand: one sheet of `rows` (table-row XML).
fn ods(rows: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", opts).unwrap();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

fn ods_rows(csv: &str) -> String {
    csv.lines()
        .map(|line| {
            let cells: String = line
                .split(',')
                .map(|c| {
                    if c.is_empty() {
                        "<table:table-cell/>".to_owned()
                    } else {
                        format!(
                            r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#
                        )
                    }
                })
                .collect();
            format!("<table:table-row>{cells}</table:table-row>")
        })
        .collect()
}

#[test]
fn an_ods_asking_for_far_more_cells_than_it_holds_is_refused() {
    let s = Scratch::new("ods");
    let plain = ods(&ods_rows(&roster(3)));
    let path = s.write("plain.ods", &plain);
    let o = limited(&fresh_ledger(), &dry_run(&s.path("plain-out"), &[&path]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&s.path("plain-out"))["totals"]["paid"], 3);
    // A stray cell 5,000 rows down and 16,384 columns right, by repeats: under
    // calamine's own cap of 100 million cells, but gigabytes all the same.
    let stray = format!(
        r#"{}<table:table-row table:number-rows-repeated="5000"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
        ods_rows(&roster(3))
    );
    let path = s.write("stray.ods", ods(&stray));
    let (ledger, out) = (fresh_ledger(), s.path("stray-out"));
    let o = limited(&ledger, &real_run(&out, &[&path]));
    refused(&o, &[&path, "stray"]);
    assert!(!out.exists() && !ledger.exists());
    // A date whose 7th byte falls inside a character, in a month column: no panic.
    let dated = ods_rows(&roster(1));
    let cell = r#"<table:table-cell office:value-type="date" office:date-value="2016-0年3"><text:p>2016-0年3</text:p></table:table-cell>"#;
    let dated = dated.replacen(
        r#"<table:table-cell office:value-type="string"><text:p>2016-03</text:p></table:table-cell>"#,
        cell,
        1,
    );
    assert!(dated.contains("2016-0年3"));
    let path = s.write("date.ods", ods(&dated));
    let out = s.path("date-out");
    let o = limited(&fresh_ledger(), &dry_run(&out, &[&path]));
    no_panic(&o);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&out)["totals"]["rejected"], 1);
}
