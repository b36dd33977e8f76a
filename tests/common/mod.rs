//! A tiny work-directory harness: run the real binary from the project root (so the
//! fixtures' relative paths appear in outputs as a clerk would type them), in fresh
//! temporary directories, and compare with golden files a person can read.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ROSTERS: [&str; 3] = ["fixtures/changsha.csv", "fixtures/xiangtan-zh.csv", "fixtures/hengyang-crlf.csv"];
pub const OUTPUT_FILES: [&str; 5] =
    ["entitlements.csv", "transfers.csv", "exceptions.csv", "audit.jsonl", "manifest.json"];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty scratch directory (removed when dropped).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "disburse-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// Every entry left in the scratch directory (hidden ones too).
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh ledger path outside any scratch directory (so a test's directory listing
/// shows only what it expects), never the project's own `disburse-ledger.sqlite`.
pub fn fresh_ledger() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("disburse-test-ledgers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("ledger-{}.sqlite", N.fetch_add(1, Ordering::SeqCst)));
    // A process with the same id may have left one behind (ids are reused).
    for stale in [path.clone(), path.with_extension("sqlite.lock"), path.with_extension("sqlite-journal")] {
        let _ = std::fs::remove_file(stale);
    }
    path
}

/// A fresh ledger that exists and holds nothing (a zero-byte file, as SQLite starts
/// one), for reading commands, which refuse a ledger that is not there.
pub fn empty_ledger() -> PathBuf {
    let path = fresh_ledger();
    std::fs::write(&path, b"").unwrap();
    path
}

/// Runs the binary from the project root; unless the arguments name a `--ledger`,
/// `DISBURSE_LEDGER` points at a fresh ledger.
pub fn disburse<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    disburse_with(&fresh_ledger(), args)
}

/// Runs the binary with a given ledger.
pub fn disburse_with<I, S>(ledger: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .args(args)
        .current_dir(root())
        .env("DISBURSE_LEDGER", ledger)
        .env_remove("DISBURSE_FAILPOINT")
        .output()
        .expect("run disburse")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `run --period P --out OUT [extra] ROSTERS` and returns the output.
pub fn run_month(period: &str, out: &Path, extra: &[&str], rosters: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["run".into(), "--period".into(), period.into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(rosters.iter().map(|s| s.to_string()));
    disburse(args)
}

/// Compares `dir/file` with `tests/golden/<case>/<file>`; `UPDATE_GOLDEN=1` rewrites it.
pub fn assert_golden(case: &str, dir: &Path, file: &str) {
    let actual = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let golden = root().join("tests/golden").join(case).join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &actual).unwrap();
        return;
    }
    let expected = std::fs::read(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create)", golden.display()));
    if actual != expected {
        let a = String::from_utf8_lossy(&actual);
        let e = String::from_utf8_lossy(&expected);
        for (i, (la, le)) in a.lines().zip(e.lines()).enumerate() {
            if la != le {
                panic!(
                    "{case}/{file} differs from the golden file at line {}:\n  got:      {la}\n  expected: {le}",
                    i + 1
                );
            }
        }
        panic!(
            "{case}/{file} differs from the golden file in length ({} vs {} lines)",
            a.lines().count(),
            e.lines().count()
        );
    }
}

/// A valid ID number for child `i` (distinct for every i below 3,360,000).
pub fn valid_id(i: u32) -> String {
    let first =
        format!("430102{:04}{:02}{:02}{:03}", 2005 + i % 10, 1 + (i / 10) % 12, 1 + (i / 120) % 28, (i / 3360) % 1000);
    let weights = [7u32, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Parses a CSV output into header-keyed rows.
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
        .collect()
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// A real 2018-06 run of the three rosters with its own ledger in `s`: (ledger, out).
pub fn june_run(s: &Scratch) -> (PathBuf, PathBuf) {
    let ledger = s.path("ledger.sqlite");
    let out = s.path("2018-06");
    let mut args = vec!["run".to_string(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(ROSTERS.iter().map(|r| r.to_string()));
    let o = disburse_with(&ledger, args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (ledger, out)
}

/// The message id the pain.002 fixtures in `fixtures/returns/` were written for (the
/// 2018-06 run's pain.001); their batch ids are this and `-001`, `-002`, ...
pub const FIXTURE_MSG_ID: &str = "DISBURSE-201806-b5ce4984c185";

/// A real 2018-06 run (as `june_run`) that also sends a pain.001 with the bank
/// profile `profile` (`pain001` or a file): a pain.002 can only answer one.
pub fn june_pain001_run(s: &Scratch, profile: &str) -> (PathBuf, PathBuf) {
    let ledger = s.path("ledger.sqlite");
    let out = s.path("2018-06");
    let mut args = vec!["run".to_string(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    for a in ["--bank-profile", profile, "--execution-date", "2018-06-10", "--payer-account", "1901000000000000001"] {
        args.push(a.into());
    }
    args.extend(["--payer-name".to_string(), "某县民政局".into()]);
    args.extend(ROSTERS.iter().map(|r| r.to_string()));
    let o = disburse_with(&ledger, args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (ledger, out)
}

/// The `MsgId` and the `PmtInfId`s of the run's pain.001 file.
pub fn sent_ids(run: &Path) -> (String, Vec<String>) {
    let texts = |xml: &str, tag: &str| -> Vec<String> {
        xml.split(&format!("<{tag}>")).skip(1).map(|p| p.split('<').next().unwrap().to_owned()).collect()
    };
    for dir in std::fs::read_dir(run.join("bank")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let xml = std::fs::read_to_string(f.unwrap().path()).unwrap_or_default();
            if xml.contains("<CstmrCdtTrfInitn>") {
                return (texts(&xml, "MsgId").remove(0), texts(&xml, "PmtInfId"));
            }
        }
    }
    panic!("the run has no pain.001 file");
}

/// A copy (in `s`) of the pain.002 fixture `fixture`, with `FIXTURE_MSG_ID` and its
/// batch ids replaced by those the run's pain.001 really has (they are unique per
/// run); returns its path.
pub fn adapt_pain002(s: &Scratch, fixture: &str, run: &Path) -> String {
    let (msg, batches) = sent_ids(run);
    let mut text = std::fs::read_to_string(root().join(fixture)).unwrap();
    for k in 1..=batches.len() {
        text = text.replace(&format!("{FIXTURE_MSG_ID}-{k:03}"), &format!("\u{1}B{k}\u{1}"));
    }
    text = text.replace(FIXTURE_MSG_ID, "\u{1}M\u{1}");
    for (k, b) in batches.iter().enumerate() {
        text = text.replace(&format!("\u{1}B{}\u{1}", k + 1), b);
    }
    text = text.replace("\u{1}M\u{1}", &msg);
    let name = Path::new(fixture).file_name().unwrap().to_string_lossy().into_owned();
    s.write(&format!("adapted-{name}"), text)
}

/// Is a text in the clerk's language? (SPEC section 17.)
pub mod lang;

/// A ledger in `s` holding January 2018 (imported from the old system) and May 2018
/// (paid under the 2010 policy from the February-May roster): a child owed back pay
/// for the months between, with a history to show.
pub fn ledger_paid_through_may(s: &Scratch) -> PathBuf {
    let ledger = s.path("ledger.sqlite");
    let ok = |o: Output| assert_eq!(code(&o), 0, "{}", stderr(&o));
    ok(disburse_with(
        &ledger,
        ["ledger", "import", "--period", "2018-01", "fixtures/hunan2018/january-old-system.csv"],
    ));
    let may = s.path("may").to_string_lossy().into_owned();
    ok(disburse_with(
        &ledger,
        [
            "run",
            "--period",
            "2018-05",
            "--out",
            &may,
            "--policy",
            "fixtures/hunan2018/policy-2010.csv",
            "fixtures/hunan2018/roster-feb-may.csv",
        ],
    ));
    ledger
}

/// `disburse run --dry-run --period 2018-06 --out OUT EXTRA... ROSTERS...`.
pub fn dry(out: &Path, extra: &[&str], rosters: &[&str]) -> Output {
    let mut args = vec!["run".to_string(), "--dry-run".into(), "--period".into(), "2018-06".into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(rosters.iter().map(|s| s.to_string()));
    disburse(args)
}
