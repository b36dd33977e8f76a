//! The ledger against hostile and careless use (SPEC section 13): a ledger row naming
//! some other directory, the same ledger through a symbolic link while a run is in
//! flight, a ledger from a newer disburse, a mistyped path in a reading command, and
//! a real run in a folder that has no ledger.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

const ROSTER: &str = "fixtures/hunan2018/roster-june.csv";

fn ok(o: &Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

fn real_run(ledger: &Path, out: &Path) -> Output {
    disburse_with(
        ledger,
        ["run".as_ref(), "--period".as_ref(), "2018-06".as_ref(), "--out".as_ref(), out.as_os_str(), ROSTER.as_ref()],
    )
}

fn sql(ledger: &Path, statements: &str) {
    rusqlite::Connection::open(ledger).unwrap().execute_batch(statements).unwrap();
}

/// A pending run whose row names `staged` as its staged directory, for output `out`.
fn plant_pending(ledger: &Path, out: &Path, staged: &Path) {
    sql(
        ledger,
        &format!(
            "INSERT INTO runs (period, mode, status, out_dir, staged_dir, amount_fen, arrears_fen, created_at)
             VALUES ('2018-09', 'run', 'pending', '{}', '{}', 0, 0, '2018-09-01T00:00:00Z')",
            out.display(),
            staged.display()
        ),
    );
}

#[test]
fn a_ledger_row_naming_another_directory_never_gets_it_deleted() {
    let s = Scratch::new("hostile-staged");
    let ledger = s.path("ledger.sqlite");
    ok(&real_run(&ledger, &s.path("june")));
    let out = s.path("2018-09");
    // Any directory; one named like a staged one but without disburse's marker; one
    // with the marker but elsewhere than beside the output.
    let victims: [PathBuf; 3] =
        [s.path("precious"), s.path(".2018-09.disburse-tmp-12345"), s.path("elsewhere/.2018-09.disburse-tmp-12345")];
    for (k, v) in victims.iter().enumerate() {
        std::fs::create_dir_all(v).unwrap();
        std::fs::write(v.join("keep.txt"), "mine").unwrap();
        if k == 2 {
            std::fs::write(v.join(".disburse-staged"), "").unwrap();
        }
    }
    for v in &victims {
        plant_pending(&ledger, &out, v);
        let o = disburse_with(&ledger, ["ledger", "runs"]);
        ok(&o);
        assert!(stderr(&o).contains("it was left alone"), "{}", stderr(&o));
        assert!(stderr(&o).contains(&v.display().to_string()), "the directory is named: {}", stderr(&o));
        assert_eq!(std::fs::read_to_string(v.join("keep.txt")).unwrap(), "mine", "{}", v.display());
    }
    // A directory disburse staged (its name, beside the output, its marker) is removed.
    let staged = s.path(".2018-09.disburse-tmp-777");
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::write(staged.join(".disburse-staged"), "").unwrap();
    plant_pending(&ledger, &out, &staged);
    ok(&disburse_with(&ledger, ["ledger", "runs"]));
    assert!(!staged.exists());
    ok(&disburse_with(&ledger, ["ledger", "verify"]));
}

#[test]
fn a_run_in_flight_is_not_recovered_through_a_link_to_its_ledger() {
    let s = Scratch::new("hostile-link");
    let ledger = s.path("ledger.sqlite");
    ok(&real_run(&ledger, &s.path("may")));
    ok(&disburse_with(&ledger, ["ledger", "void", "1", "--reason", "test"]));
    // A real run stopped half way: recorded pending, its output staged.
    let out = s.path("june");
    let o = Command::new(env!("CARGO_BIN_EXE_disburse"))
        .args(["run", "--period", "2018-06", "--out"])
        .arg(&out)
        .arg("--ledger")
        .arg(&ledger)
        .arg(ROSTER)
        .current_dir(root())
        .env("DISBURSE_FAILPOINT", "before-ledger")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), None, "the failpoint aborts: {}", stderr(&o));
    let staged: Vec<PathBuf> = std::fs::read_dir(&s.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".june.disburse-tmp-"))
        .collect();
    assert_eq!(staged.len(), 1, "{:?}", s.entries());
    // Its writer still alive: it holds the lock of the ledger file (as a run does).
    let writer = std::fs::OpenOptions::new().read(true).write(true).open(&ledger).unwrap();
    writer.lock().unwrap();
    let link = s.path("link.sqlite");
    std::os::unix::fs::symlink(&ledger, &link).unwrap();
    let mut reader = Command::new(env!("CARGO_BIN_EXE_disburse"))
        .args(["ledger", "runs", "--ledger"])
        .arg(&link)
        .current_dir(root())
        .env_remove("DISBURSE_LEDGER")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(reader.try_wait().unwrap().is_none(), "the command through the link did not wait for the writer");
    assert!(staged[0].exists(), "the run in flight lost its staged output");
    // The writer is gone: now recovery may undo the run.
    drop(writer);
    let o = reader.wait_with_output().unwrap();
    ok(&o);
    assert!(stderr(&o).contains("waiting for another disburse"), "{}", stderr(&o));
    assert!(stderr(&o).contains("recovered: run 2 for 2018-06"), "{}", stderr(&o));
    assert!(!staged[0].exists());
}

#[test]
fn a_ledger_from_a_newer_disburse_is_refused_and_left_unchanged() {
    let s = Scratch::new("hostile-newer");
    let ledger = s.path("ledger.sqlite");
    ok(&real_run(&ledger, &s.path("june")));
    sql(&ledger, "INSERT INTO migrations VALUES (99, 'from the future', '2030-01-01T00:00:00Z')");
    let bytes = std::fs::read(&ledger).unwrap();
    let july = s.path("july");
    let commands: Vec<Vec<String>> = vec![
        vec!["ledger".into(), "runs".into()],
        vec!["ledger".into(), "verify".into()],
        vec!["ledger".into(), "void".into(), "1".into(), "--reason".into(), "x".into()],
        vec![
            "run".into(),
            "--period".into(),
            "2018-07".into(),
            "--out".into(),
            july.display().to_string(),
            ROSTER.into(),
        ],
        vec![
            "run".into(),
            "--dry-run".into(),
            "--period".into(),
            "2018-07".into(),
            "--out".into(),
            july.display().to_string(),
            ROSTER.into(),
        ],
    ];
    for args in commands {
        let o = disburse_with(&ledger, &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("made by a newer disburse"), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("upgrade"), "{}", stderr(&o));
        assert_eq!(stderr(&o).trim().lines().count(), 1, "one line: {}", stderr(&o));
        assert_eq!(std::fs::read(&ledger).unwrap(), bytes, "{args:?} changed the ledger");
        assert!(!july.exists());
    }
}

#[test]
fn reading_commands_never_create_a_ledger() {
    let s = Scratch::new("hostile-missing");
    let missing = s.path("typo.sqlite");
    let commands: [&[&str]; 4] = [
        &["ledger", "runs"],
        &["ledger", "history", "430102201003120016"],
        &["ledger", "verify"],
        &["explain", "--period", "2018-06", "430102201003120016", ROSTER],
    ];
    for args in commands {
        let mut with = args.to_vec();
        let flag = missing.display().to_string();
        with.extend(["--ledger", flag.as_str()]);
        let o = disburse_with(&s.path("unused.sqlite"), &with);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("there is no ledger at this path"), "{}", stderr(&o));
        assert!(stderr(&o).contains("typo.sqlite"), "the path is named: {}", stderr(&o));
        assert_eq!(s.entries(), Vec::<String>::new(), "{args:?} created something");
    }
}

#[test]
fn a_real_run_in_a_folder_without_a_ledger_is_refused() {
    let s = Scratch::new("hostile-noledger");
    let roster = root().join(ROSTER);
    let bare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_disburse"))
            .args(args)
            .arg(&roster)
            .current_dir(&s.0)
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("DISBURSE_LEDGER")
            .output()
            .unwrap()
    };
    let o = bare(&["run", "--period", "2018-06", "--out", "june"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no ledger here: name the office's ledger with --ledger or DISBURSE_LEDGER"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    assert_eq!(s.entries(), Vec::<String>::new(), "nothing written");
    // A dry run reads no ledger and needs none.
    ok(&bare(&["run", "--dry-run", "--period", "2018-06", "--out", "check"]));
    assert_eq!(s.entries(), ["check"]);
    // A ledger named explicitly is created, and the summary says so.
    let o = bare(&["run", "--period", "2018-06", "--out", "june", "--ledger", "office.sqlite"]);
    ok(&o);
    assert!(stderr(&o).contains("the ledger is new"), "{}", stderr(&o));
    assert!(s.path("office.sqlite").exists());
    // The default file, once it exists here, is the ledger without naming it.
    std::fs::rename(s.path("office.sqlite"), s.path("disburse-ledger.sqlite")).unwrap();
    let o = bare(&["run", "--period", "2018-06", "--out", "again"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("2018-06 was already paid by run 1"), "{}", stderr(&o));
}
