//! The ledger end to end: the Hunan 2018 story (import, months at the old floor, June
//! with back pay, July with none), refusal of a paid period, void and rerun, dry runs
//! that leave the ledger untouched, and crashes at every step.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

const POLICY_2010: &str = "fixtures/hunan2018/policy-2010.csv";
const FEB_MAY: &str = "fixtures/hunan2018/roster-feb-may.csv";
const JUNE: &str = "fixtures/hunan2018/roster-june.csv";
const JANUARY: &str = "fixtures/hunan2018/january-old-system.csv";

fn run(ledger: &Path, period: &str, out: &Path, extra: &[&str], roster: &str) -> std::process::Output {
    let mut args = vec!["run".to_string(), "--period".into(), period.into(), "--out".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(roster.into());
    disburse_with(ledger, args)
}

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

/// Imports January and runs February to May at the 2010 floors.
fn history_to_may(s: &Scratch) -> PathBuf {
    let ledger = s.path("ledger.sqlite");
    ok(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-01", JANUARY]));
    for m in ["02", "03", "04", "05"] {
        ok(&run(&ledger, &format!("2018-{m}"), &s.path(&format!("2018-{m}")), &["--policy", POLICY_2010], FEB_MAY));
    }
    ledger
}

/// Entitlement lines by (name, kind): (months, amount).
fn lines(out: &Path) -> BTreeMap<(String, String), (String, String)> {
    csv_rows(&out.join("entitlements.csv"))
        .into_iter()
        .map(|r| ((r["name"].clone(), r["kind"].clone()), (r["months"].clone(), r["amount"].clone())))
        .collect()
}

fn entry(l: &BTreeMap<(String, String), (String, String)>, name: &str, kind: &str) -> (String, String) {
    l.get(&(name.to_owned(), kind.to_owned())).cloned().unwrap_or_else(|| panic!("no {kind} line for {name}"))
}

#[test]
fn the_hunan_2018_story() {
    let s = Scratch::new("hunan");
    let ledger = history_to_may(&s);
    let may = lines(&s.path("2018-05"));
    assert_eq!(entry(&may, "甲一", "regular").1, "600.00");
    assert_eq!(entry(&may, "丙三", "regular").1, "700.00");
    assert!(!may.contains_key(&("丁四".into(), "regular".into())), "the duplicate is held");

    let june = s.path("2018-06");
    let o = run(&ledger, "2018-06", &june, &["--arrears"], JUNE);
    ok(&o);
    let l = lines(&june);
    let five = "2018-01;2018-02;2018-03;2018-04;2018-05".to_owned();
    // Scattered: 800 now plus 5 x 200 for January (imported at 600) to May.
    assert_eq!(entry(&l, "甲一", "regular").1, "800.00");
    assert_eq!(entry(&l, "甲一", "arrears"), (five.clone(), "1000.00".into()));
    // Institutional: 1200 plus 5 x 200.
    assert_eq!(entry(&l, "乙二", "regular").1, "1200.00");
    assert_eq!(entry(&l, "乙二", "arrears"), (five.clone(), "1000.00".into()));
    // Recorded 700, already above the old floor: 5 x 100.
    assert_eq!(entry(&l, "丙三", "arrears"), (five.clone(), "500.00".into()));
    // Held as a duplicate January to May, resolved in June: every month at 800.
    assert_eq!(entry(&l, "丁四", "arrears"), (five, "4000.00".into()));
    // First on the June roster, entitled from March: three missed months.
    assert_eq!(entry(&l, "戊五", "arrears"), ("2018-03;2018-04;2018-05".into(), "2400.00".into()));
    // Turned 18 in April: excluded now, still owed January to April.
    assert!(!l.contains_key(&("己六".into(), "regular".into())));
    assert_eq!(entry(&l, "己六", "arrears"), ("2018-01;2018-02;2018-03;2018-04".into(), "800.00".into()));

    let m = manifest(&june);
    assert_eq!(m["totals"]["arrears_amount"], "9700.00");
    assert_eq!(m["totals"]["amount"], "14100.00");
    assert_eq!(m["ledger_run"], 6);
    // The arrears line comes right after the child's regular line, and the audit
    // line carries the months.
    let rows = csv_rows(&june.join("entitlements.csv"));
    let a = rows.iter().position(|r| r["name"] == "甲一" && r["kind"] == "regular").unwrap();
    assert_eq!((rows[a + 1]["name"].as_str(), rows[a + 1]["kind"].as_str()), ("甲一", "arrears"));
    assert_eq!(rows[a + 1]["basis"], "arrears");
    assert_eq!(rows[a + 1]["standard"], "");
    let audit = std::fs::read_to_string(june.join("audit.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(audit.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["arrears"][0],
        serde_json::json!({"month": "2018-01", "standard": "800.00", "paid": "600.00", "owed": "200.00"})
    );
    // Arrears are in the transfers.
    let transfers: rust_decimal::Decimal = csv_rows(&june.join("transfers.csv"))
        .iter()
        .map(|r| r["amount"].parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(transfers.to_string(), "14100.00");
    assert_eq!(code(&disburse(["verify".as_ref(), june.as_os_str()])), 0);

    // July: nothing is owed any more.
    let july = s.path("2018-07");
    ok(&run(&ledger, "2018-07", &july, &["--arrears"], JUNE));
    assert_eq!(manifest(&july)["totals"]["arrears_amount"], "0.00");
    assert!(csv_rows(&july.join("entitlements.csv")).iter().all(|r| r["kind"] == "regular"));

    // The ledger's history of one child, month by month.
    let ids: BTreeMap<String, String> = csv_rows(&june.join("entitlements.csv"))
        .into_iter()
        .map(|r| (r["name"].clone(), r["child_id"].clone()))
        .collect();
    let h = disburse_with(&ledger, ["ledger", "history", ids["甲一"].as_str(), "--json"]);
    ok(&h);
    let history: Vec<serde_json::Value> = serde_json::from_slice(&h.stdout).unwrap();
    let summary: Vec<(String, String, String)> = history
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap().into(),
                l["kind"].as_str().unwrap().into(),
                l["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(summary.len(), 12, "{summary:?}");
    assert_eq!(summary[0], ("2018-01".into(), "regular".into(), "600.00".into()));
    assert_eq!(summary[1], ("2018-01".into(), "arrears".into(), "200.00".into()));
    assert_eq!(summary[11], ("2018-07".into(), "regular".into(), "800.00".into()));

    let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&r.stdout).unwrap();
    let modes: Vec<&str> = runs.iter().map(|r| r["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["import", "run", "run", "run", "run", "run", "run"]);
    assert!(runs.iter().all(|r| r["status"] == "live" && r["id"].is_i64() && r["amount"].is_string()));
}

#[test]
fn a_paid_period_is_refused_until_its_run_is_void() {
    let s = Scratch::new("refuse");
    let ledger = s.path("ledger.sqlite");
    ok(&run(&ledger, "2018-06", &s.path("a"), &[], JUNE));
    let o = run(&ledger, "2018-06", &s.path("b"), &[], JUNE);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("run 1") && err.contains("disburse ledger void 1"), "{err}");
    assert!(!s.path("b").exists());
    // An import for a paid month is refused too.
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-06", JANUARY])), 2);
    // Void, then the period can be run again.
    let v = disburse_with(&ledger, ["ledger", "void", "1", "--reason", "wrong roster"]);
    ok(&v);
    ok(&run(&ledger, "2018-06", &s.path("c"), &[], JUNE));
    let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(runs[0]["status"], "void");
    assert_eq!(runs[0]["void_reason"], "wrong roster");
    assert_eq!(runs[1]["status"], "live");
    // A void reason is required, and voiding twice is an error.
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "void", "1", "--reason", " "])), 2);
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "void", "1", "--reason", "again"])), 2);
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "void", "99", "--reason", "nope"])), 2);
}

#[test]
fn the_database_refuses_a_second_live_regular_payment() {
    let s = Scratch::new("unique");
    let ledger = s.path("ledger.sqlite");
    ok(&run(&ledger, "2018-06", &s.path("a"), &[], JUNE));
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    let dup = conn.execute(
        "INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, status, live)
         SELECT run_id, child_id, month, kind, amount_fen, category, region_code, status, live FROM payments LIMIT 1",
        [],
    );
    assert!(dup.is_err(), "the unique index must refuse a second live regular payment");
    let run2 = conn.execute(
        "INSERT INTO runs (period, mode, status, amount_fen, arrears_fen, created_at) VALUES ('2018-06', 'run', 'live', 0, 0, 'x')",
        [],
    );
    assert!(run2.is_err(), "one run per period that is not void");
}

#[test]
fn a_dry_run_leaves_the_ledger_byte_for_byte_unchanged() {
    let s = Scratch::new("dry");
    let ledger = history_to_may(&s);
    let before = std::fs::read(&ledger).unwrap();
    let out = s.path("dry");
    ok(&run(&ledger, "2018-06", &out, &["--dry-run", "--arrears"], JUNE));
    assert_eq!(std::fs::read(&ledger).unwrap(), before);
    assert_eq!(manifest(&out)["totals"]["arrears_amount"], "9700.00");
    assert!(manifest(&out).get("ledger_run").is_none());
    // A dry run with no ledger at all does not create one.
    let none = s.path("none.sqlite");
    ok(&run(&none, "2018-06", &s.path("dry2"), &["--dry-run", "--arrears"], JUNE));
    assert!(!none.exists());
}

#[test]
fn a_bad_import_is_refused_whole() {
    let s = Scratch::new("import");
    let ledger = s.path("ledger.sqlite");
    let bad = s.write("bad.csv", "child_id,category,region_code,amount\n430102200801153010,scattered,430102,600\n11010519491231002X,scattered,430102,-5\n");
    let o = disburse_with(&ledger, ["ledger", "import", "--period", "2018-01", &bad]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.csv:3"), "{}", stderr(&o));
    // Refused whole: not even the ledger was created.
    assert!(!ledger.exists());
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "runs", "--json"])), 2);
    let twice = s.write("twice.csv", "child_id,category,region_code,amount\n430102200801153010,scattered,430102,600\n430102200801153010,scattered,430102,600\n");
    assert_eq!(code(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-01", &twice])), 2);
}

/// Where a crash leaves a run: undone (nothing was paid) or finished by the next command.
#[derive(Debug, PartialEq)]
enum Recovery {
    Undone,
    Finished,
}

/// After a crash at `point`, the next command finishes or undoes the run, as `expect`
/// says, and says so on stderr: either the ledger has a live run and the output
/// verifies, or neither exists.
fn crash_at(point: &str, expect: Recovery) {
    let s = Scratch::new("crash");
    let ledger = s.path("ledger.sqlite");
    let out = s.path("2018-06");
    let mut args = vec!["run", "--period", "2018-06", "--out"];
    let out_text = out.to_string_lossy().into_owned();
    args.push(&out_text);
    args.push(JUNE);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .args(&args)
        .current_dir(root())
        .env("DISBURSE_LEDGER", &ledger)
        .env("DISBURSE_FAILPOINT", point)
        .output()
        .unwrap();
    // The failpoint aborts: killed by SIGABRT, no exit code.
    assert_eq!(o.status.code(), None, "{point}: the failpoint did not fire: {}", stderr(&o));
    let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    ok(&r);
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&r.stdout).unwrap();
    let live: Vec<&serde_json::Value> = runs.iter().filter(|r| r["status"] == "live").collect();
    let said = stderr(&r);
    match expect {
        Recovery::Finished => {
            assert!(out.exists(), "{point}: the output should have been finished");
            assert_eq!(live.len(), 1, "{point}: output exists but the ledger has {runs:?}");
            assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0, "{point}");
            assert!(said.contains("recovered: run 1 for 2018-06") && said.contains("now complete"), "{point}: {said}");
        }
        Recovery::Undone => {
            assert!(!out.exists(), "{point}: the output should have been undone");
            assert!(runs.is_empty(), "{point}: the ledger still has {runs:?}");
            assert!(said.contains("recovered: run 1 for 2018-06") && said.contains("undone"), "{point}: {said}");
            // And the period can be run now.
            ok(&run(&ledger, "2018-06", &out, &[], JUNE));
        }
    }
    let hidden: Vec<String> = s.entries().into_iter().filter(|e| e.starts_with('.')).collect();
    assert!(hidden.is_empty(), "{point}: left {hidden:?}");
}

#[test]
fn crashes_at_every_step_leave_ledger_and_output_consistent() {
    for (point, expect) in [
        ("before-ledger", Recovery::Undone),
        ("before-ledger-commit", Recovery::Undone),
        ("after-outputs", Recovery::Undone),
        ("after-ledger", Recovery::Finished),
        ("after-rename", Recovery::Finished),
    ] {
        crash_at(point, expect);
    }
}

#[test]
fn two_runs_at_once_cannot_both_pay() {
    let s = Scratch::new("race");
    let ledger = s.path("ledger.sqlite");
    // A roster big enough that each run checks it for a good while before it takes the
    // ledger's lock, and holds the lock far longer than the two starts are apart.
    let roster = s.path("big.csv");
    let mut bytes = Vec::new();
    synth::write_roster(20_000, 11, &mut bytes).unwrap();
    std::fs::write(&roster, bytes).unwrap();
    let spawn = |name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .args(["run", "--period", "2018-06", "--out"])
            .arg(s.path(name))
            .arg(&roster)
            .current_dir(root())
            .env("DISBURSE_LEDGER", &ledger)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("a"), spawn("b"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let (winner, loser, loser_out) = match (code(&a), code(&b)) {
        (0, 2) => (&a, &b, s.path("b")),
        (2, 0) => (&b, &a, s.path("a")),
        codes => panic!("{codes:?}: {} / {}", stderr(&a), stderr(&b)),
    };
    // Both were in flight at once: the loser had passed the paid-period check (made
    // before any work, when the ledger had no run) and found the lock held by the
    // winner; it waited, and was then refused because of the winner's run.
    let refused = stderr(loser);
    assert!(refused.contains("waiting for another disburse that is using the ledger"), "{refused}");
    assert!(refused.contains("2018-06 was already paid by run 1"), "{refused}");
    assert!(!refused.contains("recovered"), "{refused}");
    assert!(stderr(winner).contains("recorded in the ledger"), "{}", stderr(winner));
    assert!(!loser_out.exists());
    // Exactly one run paid, and the ledger holds its lines once.
    let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["id"].as_i64(), runs[0]["status"].as_str()), (Some(1), Some("live")));
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    let (lines, runs_with_lines): (i64, i64) = conn
        .query_row("SELECT count(*), count(DISTINCT run_id) FROM payments", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(runs_with_lines, 1);
    let winner_out = if loser_out == s.path("a") { s.path("b") } else { s.path("a") };
    assert_eq!(lines as usize, csv_rows(&winner_out.join("entitlements.csv")).len());
}

#[path = "../benches/support/synth.rs"]
mod synth;

#[test]
fn sigkill_at_many_instants_leaves_ledger_and_output_consistent() {
    let s = Scratch::new("sigkill");
    let roster = s.path("big.csv");
    let mut bytes = Vec::new();
    synth::write_roster(60_000, 7, &mut bytes).unwrap();
    std::fs::write(&roster, bytes).unwrap();
    let ledger = s.path("ledger.sqlite");
    let mut survived = 0;
    for (k, delay_ms) in [5u64, 150, 400, 700, 1000, 1300, 1600, 1900, 2200, 3000].into_iter().enumerate() {
        let out = s.path(&format!("out{k}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .args(["run", "--period", &format!("2018-{:02}", k + 1), "--out"])
            .arg(&out)
            .arg(&roster)
            .current_dir(root())
            .env("DISBURSE_LEDGER", &ledger)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        survived += usize::from(status.success());
        // Killed before the ledger was created: nothing was recorded, nothing written
        // (a reading command finds no ledger and creates none).
        if !ledger.exists() {
            assert!(!out.exists(), "kill after {delay_ms} ms: output without a ledger");
            assert_eq!(code(&disburse_with(&ledger, ["ledger", "runs", "--json"])), 2);
            assert!(!ledger.exists());
        } else {
            // Any command repairs; then output and ledger agree.
            let r = disburse_with(&ledger, ["ledger", "runs", "--json"]);
            ok(&r);
            let runs: Vec<serde_json::Value> = serde_json::from_slice(&r.stdout).unwrap();
            let period = format!("2018-{:02}", k + 1);
            let live = runs.iter().filter(|r| r["period"] == period.as_str() && r["status"] == "live").count();
            assert!(runs.iter().all(|r| r["status"] == "live" || r["status"] == "void"), "{runs:?}");
            if out.exists() {
                assert_eq!(live, 1, "kill after {delay_ms} ms: output without a live run");
                assert_eq!(code(&disburse(["verify".as_ref(), out.as_os_str()])), 0, "kill after {delay_ms} ms");
            } else {
                assert_eq!(live, 0, "kill after {delay_ms} ms: a live run without output");
            }
            // Whatever instant the kill came at, the journal agrees with the tables.
            ok(&disburse_with(&ledger, ["ledger", "verify"]));
        }
        let hidden: Vec<String> = s.entries().into_iter().filter(|e| e.starts_with('.')).collect();
        assert!(hidden.is_empty(), "kill after {delay_ms} ms left {hidden:?}");
    }
    eprintln!("{survived} of 10 runs finished before their kill");
}
