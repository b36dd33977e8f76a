//! Real-world input and faults (SPEC sections 1, 4 and 6): Excel's encodings, damaged
//! bytes, garbage of every kind, a full disk, two processes racing for one `--out`.
//! Every case checks the exit code, the shape of the message, and that nothing panics.

mod common;

use std::path::Path;

use common::*;

fn dry(out: &Path, roster: &str) -> std::process::Output {
    let mut args = vec!["run".to_string(), "--dry-run".into(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.push(roster.into());
    disburse(args)
}

fn no_panic(o: &std::process::Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked") && o.status.code() != Some(101), "panic: {err}");
}

/// Decisions without the source column (which names the file).
fn decisions(out: &Path, file: &str) -> Vec<String> {
    csv_rows(&out.join(file))
        .into_iter()
        .map(|mut r| {
            r.remove("source");
            format!("{r:?}")
        })
        .collect()
}

#[test]
fn a_gbk_export_decides_exactly_like_its_utf8_twin() {
    let s = Scratch::new("gbk");
    let (a, b) = (s.path("utf8"), s.path("gbk"));
    assert_eq!(code(&dry(&a, "fixtures/xiangtan-zh.csv")), 0);
    let o = dry(&b, "fixtures/encoding/xiangtan-gbk.csv");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["entitlements.csv", "exceptions.csv"] {
        assert_eq!(decisions(&a, f), decisions(&b, f), "{f}");
    }
    assert_eq!(manifest(&a)["inputs"][0]["encoding"], "utf-8");
    assert_eq!(manifest(&b)["inputs"][0]["encoding"], "gb18030");
    // Forced GBK reads it too; forced UTF-8 cannot read its header.
    let mut args = vec!["run", "--dry-run", "--encoding", "gbk", "--period", "2018-06", "--out"];
    let forced = s.path("forced");
    let forced_text = forced.to_string_lossy().into_owned();
    args.push(&forced_text);
    args.push("fixtures/encoding/xiangtan-gbk.csv");
    assert_eq!(code(&disburse(&args)), 0);
    assert_eq!(decisions(&a, "entitlements.csv"), decisions(&forced, "entitlements.csv"));
    let bad_out = s.path("utf8-forced").to_string_lossy().into_owned();
    let o = disburse([
        "run",
        "--dry-run",
        "--encoding",
        "utf-8",
        "--period",
        "2018-06",
        "--out",
        &bad_out,
        "fixtures/encoding/xiangtan-gbk.csv",
    ]);
    assert_eq!(code(&o), 2);
    no_panic(&o);
}

#[test]
fn damaged_utf8_rejects_only_the_rows_holding_the_bytes() {
    let s = Scratch::new("damaged");
    let (good, bad) = (s.path("good"), s.path("bad"));
    assert_eq!(code(&dry(&good, "fixtures/changsha.csv")), 0);
    let o = dry(&bad, "fixtures/encoding/changsha-damaged.csv");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(manifest(&bad)["inputs"][0]["encoding"], "utf-8-damaged");
    let exc = csv_rows(&bad.join("exceptions.csv"));
    let damaged: Vec<&str> = exc
        .iter()
        .filter(|r| r["reason"] == "INVALID_TEXT" && r["detail"].contains("0x"))
        .map(|r| r["source"].as_str())
        .collect();
    assert_eq!(damaged, ["fixtures/encoding/changsha-damaged.csv:3", "fixtures/encoding/changsha-damaged.csv:9"]);
    // Every other row is decided as before.
    let strip =
        |v: Vec<String>| v.into_iter().filter(|r| !r.contains("INVALID_TEXT") || !r.contains("0x")).collect::<Vec<_>>();
    let good_ent = decisions(&good, "entitlements.csv");
    let bad_ent = decisions(&bad, "entitlements.csv");
    assert_eq!(good_ent.len(), bad_ent.len() + 2);
    assert!(bad_ent.iter().all(|r| good_ent.contains(r)));
    assert_eq!(strip(decisions(&bad, "exceptions.csv")).len() + 2, exc.len());
}

/// Runs a dry run on `bytes` and returns the output.
fn try_bytes(s: &Scratch, name: &str, bytes: &[u8]) -> (std::process::Output, std::path::PathBuf) {
    let path = s.write(name, bytes);
    let out = s.path(&format!("out-{name}"));
    let o = dry(&out, &path);
    no_panic(&o);
    (o, out)
}

const HEADER: &str = "child_id,name,category,region_code,approved_from,ended_after,status,monthly_amount,payee_name,payee_account,payee_bank\n";
const ROW: &str =
    "430102201003120016,刘一鸣,scattered,430102,2016-03,,active,,刘建国,6222021001000000011,中国工商银行长沙分行\n";

#[test]
fn a_catalog_of_bad_files() {
    let s = Scratch::new("catalog");
    // Fatal: one line naming the file, exit 2, nothing written.
    let mut random = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        random.push((x >> 16) as u8);
    }
    let zip_as_csv = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml".to_vec();
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old excel".to_vec();
    for (name, bytes, says) in [
        ("empty.csv", Vec::new(), "empty"),
        ("random.csv", random, "CSV"),
        ("roster-zip.csv", zip_as_csv, "Excel"),
        ("old-excel.csv", ole, "Excel"),
        ("nul-header.csv", b"child_id\x00,name\n".to_vec(), "column"),
        ("only-commas.csv", b",,,,\n,,,\n".to_vec(), "column"),
        // An unclosed quote would swallow the rest of the file into one field.
        ("unterminated.csv", format!("{HEADER}{ROW}\"430102201003120016,unclosed\n{ROW}").into_bytes(), "line 3"),
    ] {
        let (o, out) = try_bytes(&s, name, &bytes);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(!out.exists(), "{name}");
    }
    // Not fatal: header only is an empty roster.
    let (o, out) = try_bytes(&s, "header-only.csv", HEADER.as_bytes());
    assert_eq!(code(&o), 0);
    assert_eq!(manifest(&out)["totals"]["rows"], 0);
    assert_eq!(manifest(&out)["audit_head"], "0".repeat(64).as_str());
    // Row-level problems go to exceptions.csv with a reason.
    let row_cases: [(&str, String, &str); 3] = [
        ("nul.csv", format!("{HEADER}{}", ROW.replace("刘一鸣", "刘\u{0}鸣")), "INVALID_TEXT"),
        ("wide.csv", format!("{HEADER}{}\n", vec!["1"; 200_000].join(",")), "MALFORMED_ROW"),
        ("formula.csv", format!("{HEADER}{}", ROW.replace("刘建国", "@SUM(A1:A9)")), "INVALID_TEXT"),
    ];
    for (name, text, reason) in row_cases {
        let (o, out) = try_bytes(&s, name, text.as_bytes());
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        let exc = csv_rows(&out.join("exceptions.csv"));
        assert!(exc.iter().any(|r| r["reason"] == reason), "{name}: {exc:?}");
        let m = manifest(&out);
        assert_eq!(m["totals"]["rows"], m["inputs"][0]["rows"], "{name}");
    }
    // A 1 MB field is just a long (valid) name.
    let long = format!("{HEADER}{}", ROW.replace("刘一鸣", &"名".repeat(350_000)));
    let (o, out) = try_bytes(&s, "long.csv", long.as_bytes());
    assert_eq!(code(&o), 0);
    assert_eq!(manifest(&out)["totals"]["paid"], 1);
}

#[test]
fn a_hundred_thousand_rows_on_one_id_or_one_account() {
    let s = Scratch::new("many");
    let one_id = format!("{HEADER}{}", ROW.repeat(100_000));
    let (o, out) = try_bytes(&s, "one-id.csv", one_id.as_bytes());
    assert_eq!(code(&o), 0);
    assert_eq!(manifest(&out)["totals"]["held"], 100_000);
    // One guardian account for 100,000 children (valid distinct IDs).
    let mut text = String::from(HEADER);
    for i in 0..100_000u32 {
        let id = valid_id(i);
        text.push_str(&ROW.replace("430102201003120016", &id));
    }
    let (o, out) = try_bytes(&s, "one-account.csv", text.as_bytes());
    assert_eq!(code(&o), 0);
    let m = manifest(&out);
    assert_eq!(m["totals"]["transfers"], 1);
    assert_eq!(m["totals"]["paid"].as_u64().unwrap() + m["totals"]["excluded"].as_u64().unwrap(), 100_000);
}

#[test]
#[ignore = "needs bash: `ulimit -f` makes the disk look full"]
fn a_full_disk_leaves_nothing_behind() {
    // RLIMIT_FSIZE makes writes past the limit fail (with SIGXFSZ ignored) as a full
    // disk would.
    let s = Scratch::new("diskfull");
    let roster = s.write("big.csv", format!("{HEADER}{}", ROW.repeat(20_000)).as_bytes());
    let out = s.path("out");
    let ledger = s.path("ledger.sqlite");
    let script = format!(
        "trap '' XFSZ; ulimit -f 1500; LANG=en_US.UTF-8 exec {} run --period 2018-06 --out {} --ledger {} {}",
        env!("CARGO_BIN_EXE_disburse"),
        out.display(),
        ledger.display(),
        roster
    );
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("needs bash to set a file size limit: {e}"));
    no_panic(&o);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    // One line naming a file of --out and the system's own words for the limit.
    assert!(err.starts_with("disburse: error: ") && err.trim_end().lines().count() == 1, "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert!(err.contains("writing the output failed: File too large"), "{err}");
    assert!(!out.exists());
    let left: Vec<String> = s.entries().into_iter().filter(|e| e.starts_with('.')).collect();
    assert!(left.is_empty(), "{left:?}");
    // The ledger holds no run: the month can be paid once there is space.
    let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), "[]");
}

#[test]
fn an_unwritable_out_is_fatal() {
    let s = Scratch::new("unwritable");
    let file = s.write("not-a-dir", "x");
    let o = dry(Path::new(&file), ROSTERS[0]);
    assert_eq!(code(&o), 2);
    no_panic(&o);
    let o = dry(Path::new("/proc/disburse-cannot-write-here/out"), ROSTERS[0]);
    assert_eq!(code(&o), 2);
    no_panic(&o);
}

#[path = "../benches/support/synth.rs"]
mod synth;

#[test]
fn two_processes_racing_for_one_out_give_one_output() {
    let s = Scratch::new("outrace");
    let out = s.path("out");
    // A roster that takes each run a good while, so both start before either finishes.
    let roster = s.path("big.csv");
    let mut bytes = Vec::new();
    synth::write_roster(20_000, 5, &mut bytes).unwrap();
    std::fs::write(&roster, bytes).unwrap();
    // Each run has its own ledger: only --out is shared.
    let ledgers = [s.path("a.sqlite"), s.path("b.sqlite")];
    let spawn = |period: &str, ledger: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .args(["run", "--period", period, "--out"])
            .arg(&out)
            .arg(&roster)
            .current_dir(root())
            .env("DISBURSE_LEDGER", ledger)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("2018-06", &ledgers[0]), spawn("2018-07", &ledgers[1]));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let (winner, loser, loser_ledger) = match (code(&a), code(&b)) {
        (0, 2) => (0, &b, &ledgers[1]),
        (2, 0) => (1, &a, &ledgers[0]),
        codes => panic!("{codes:?}: {} / {}", stderr(&a), stderr(&b)),
    };
    let refused = stderr(loser);
    assert!(refused.contains("the output directory already exists and is not empty"), "{refused}");
    // Both were in flight at once: the loser found --out free when it started (it
    // checks that first, before the ledger), checked its roster, recorded its run in
    // its own ledger, wrote its files, and only then found the winner's output in
    // the way. Its ledger exists, and its run was taken back out.
    assert!(loser_ledger.exists(), "the loser was refused before it began: {refused}");
    let r = disburse_with(loser_ledger, ["ledger", "runs", "--json"]);
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), "[]", "the loser's run was not undone");
    let conn = rusqlite::Connection::open(loser_ledger).unwrap();
    let lines: i64 = conn.query_row("SELECT count(*) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(lines, 0);
    // The output is the winner's, complete.
    assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0);
    assert_eq!(manifest(&out)["period"], ["2018-06", "2018-07"][winner]);
    assert_eq!(manifest(&out)["ledger_run"], 1);
    let left: Vec<String> = s.entries().into_iter().filter(|e| e.starts_with('.')).collect();
    assert!(left.is_empty(), "{left:?}");
}
