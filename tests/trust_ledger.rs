//! The ledger can be trusted (SPEC section 12): its journal catches hand edits of the
//! tables and of itself, an old ledger gets a journal, a bank return never moves a
//! payment line backwards (the double-pay story ends in `conflict`), and a reconcile
//! that fails leaves the ledger exactly as it was.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const RETURN: &str = "fixtures/returns/2018-06-return.csv";
const ROSTER: &str = "fixtures/hunan2018/roster-june.csv";

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

fn reconcile(ledger: &Path, run: &Path, returns: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "reconcile".to_string(),
        "--run".into(),
        run.display().to_string(),
        "--returns".into(),
        returns.into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    disburse_with(ledger, args)
}

fn run(ledger: &Path, period: &str, out: &Path, extra: &[&str], roster: &str) -> std::process::Output {
    let mut args = vec!["run".to_string(), "--period".into(), period.into(), "--out".into()];
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(roster.into());
    disburse_with(ledger, args)
}

fn ledger_verify(ledger: &Path) -> std::process::Output {
    disburse_with(ledger, ["ledger", "verify"])
}

/// Every row of a table, as text, in rowid order.
fn rows(ledger: &Path, table: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(ledger, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid")).unwrap();
    let n = st.column_count();
    let mut out = Vec::new();
    let mut q = st.query([]).unwrap();
    while let Some(r) = q.next().unwrap() {
        let cells: Vec<String> =
            (0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
        out.push(cells.join("|"));
    }
    out
}

fn tables(ledger: &Path) -> [Vec<String>; 3] {
    [rows(ledger, "runs"), rows(ledger, "payments"), rows(ledger, "journal")]
}

fn sql(ledger: &Path, statements: &str) {
    rusqlite::Connection::open(ledger).unwrap().execute_batch(statements).unwrap();
}

/// June paid and reconciled (some transfers settled, some failed): (ledger, run dir).
fn reconciled_june(s: &Scratch) -> (PathBuf, PathBuf) {
    let (ledger, june) = june_run(s);
    ok(&reconcile(&ledger, &june, RETURN, &s.path("rec"), &[]));
    (ledger, june)
}

#[test]
fn the_journal_head_is_printed_and_a_clean_ledger_verifies() {
    let s = Scratch::new("trust-head");
    let ledger = s.path("ledger.sqlite");
    let o = run(&ledger, "2018-06", &s.path("june"), &[], ROSTER);
    ok(&o);
    let head = |o: &std::process::Output| -> String {
        let e = stderr(o);
        let line = e.lines().find(|l| l.contains("journal head")).unwrap_or_else(|| panic!("no head: {e}")).to_owned();
        line.split("seq ").nth(1).unwrap().trim().to_owned()
    };
    let after_run = head(&o);
    assert!(after_run.starts_with("3 "), "pending, committed, live: {after_run}");
    let v = ledger_verify(&ledger);
    ok(&v);
    assert!(stderr(&v).contains("intact") && stderr(&v).contains(&after_run), "{}", stderr(&v));
    let o = reconcile(&ledger, &s.path("june"), RETURN, &s.path("rec"), &[]);
    ok(&o);
    let after_reconcile = head(&o);
    assert!(after_reconcile.starts_with("4 "), "{after_reconcile}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path("rec/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["ledger"]["journal_seq"], 4);
    assert_eq!(format!("4 {}", manifest["ledger"]["journal_head"].as_str().unwrap()), after_reconcile);
    let v = ledger_verify(&ledger);
    ok(&v);
    assert!(stderr(&v).contains(&after_reconcile), "{}", stderr(&v));
}

#[test]
fn ledger_verify_names_every_hand_edit() {
    let s = Scratch::new("trust-edits");
    let (ledger, _) = reconciled_june(&s);
    ok(&ledger_verify(&ledger));
    let cases: [(&str, &str); 8] = [
        ("UPDATE runs SET amount_fen = amount_fen + 100 WHERE id = 1", "run 1: amount_fen is"),
        ("UPDATE runs SET status = 'void' WHERE id = 1", "run 1: status is void in the tables, the journal says live"),
        (
            "UPDATE payments SET status = 'settled' WHERE id = (SELECT min(id) FROM payments WHERE status = 'failed')",
            "run 1: the number of settled lines",
        ),
        ("UPDATE payments SET amount_fen = amount_fen + 1 WHERE id = 5", "run 1: the sum of its payment lines"),
        ("DELETE FROM payments WHERE id = 3", "run 1: the number of payment lines is"),
        ("UPDATE payments SET transfer_id = 'T201806-000001' WHERE id = 4", "run 1: its payment lines differ"),
        (
            "DROP TRIGGER journal_is_append_only_update;
             UPDATE journal SET payload = replace(payload, '\"status\":\"live\"', '\"status\":\"void\"') WHERE seq = 3",
            "journal seq 3: its hash does not match its payload",
        ),
        (
            "DROP TRIGGER journal_is_append_only_delete; DELETE FROM journal WHERE seq = 2",
            "journal seq 3: expected seq 2 here",
        ),
    ];
    for (i, (edit, named)) in cases.iter().enumerate() {
        let copy = s.path(&format!("edited-{i}.sqlite"));
        std::fs::copy(&ledger, &copy).unwrap();
        sql(&copy, edit);
        let o = ledger_verify(&copy);
        assert_eq!(code(&o), 1, "{edit}: {}", stderr(&o));
        let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert!(said.contains(named), "{edit}: expected {named:?} in:\n{said}");
        assert!(said.contains("BROKEN"), "{said}");
    }
}

#[test]
fn a_ledger_changed_by_hand_is_not_built_on() {
    let s = Scratch::new("trust-guard");
    let (ledger, june) = june_run(&s);
    sql(&ledger, "UPDATE payments SET amount_fen = amount_fen + 100 WHERE id = 1");
    let before = tables(&ledger);
    let o = reconcile(&ledger, &june, RETURN, &s.path("rec"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("does not agree with the ledger's journal"), "{}", stderr(&o));
    assert_eq!(tables(&ledger), before);
    assert!(!s.path("rec").exists());
}

#[test]
fn an_old_ledger_gets_a_journal_of_its_runs_and_imports() {
    let s = Scratch::new("trust-migrate");
    let ledger = s.path("ledger.sqlite");
    let import =
        s.write("may.csv", "child_id,category,region_code,amount\n430102201003120016,scattered,430102,600.00\n");
    ok(&disburse_with(&ledger, ["ledger", "import", "--period", "2018-05", import.as_str()]));
    ok(&run(&ledger, "2018-06", &s.path("june"), &[], ROSTER));
    ok(&reconcile(&ledger, &s.path("june"), RETURN, &s.path("rec"), &[]));
    // Back to what version 2 of the schema was: no journal, no arrears index.
    sql(&ledger, "DROP TABLE journal; DROP INDEX live_arrears; DELETE FROM migrations WHERE version > 2;");
    let before = [rows(&ledger, "runs"), rows(&ledger, "payments")];
    let o = ledger_verify(&ledger);
    assert_eq!(code(&o), 2, "verify does not write: it asks for the upgrade: {}", stderr(&o));
    assert!(stderr(&o).contains("older disburse"), "{}", stderr(&o));
    ok(&disburse_with(&ledger, ["ledger", "runs"]));
    assert_eq!([rows(&ledger, "runs"), rows(&ledger, "payments")], before, "the migration keeps every row");
    let journal = rows(&ledger, "journal");
    assert_eq!(journal.len(), 2, "one entry per existing run and import: {journal:#?}");
    assert!(journal.iter().all(|r| r.contains("Text(\"adopted\")")), "{journal:#?}");
    let v = ledger_verify(&ledger);
    ok(&v);
    assert!(stderr(&v).contains("intact (2 journal entries"), "{}", stderr(&v));
    // And it carries on: an edit after the migration is caught.
    sql(&ledger, "UPDATE runs SET amount_fen = 1 WHERE mode = 'import'");
    assert_eq!(code(&ledger_verify(&ledger)), 1);
}

#[test]
fn a_return_that_would_pay_a_month_twice_is_a_conflict_and_changes_nothing() {
    let s = Scratch::new("trust-double");
    let ledger = s.path("ledger.sqlite");
    let june = s.path("2018-06");
    ok(&run(&ledger, "2018-06", &june, &[], ROSTER));
    let transfers = csv_rows(&june.join("transfers.csv"));
    let line = |k: usize, status: &str| {
        let t = &transfers[k];
        format!("{},{},{},{status},test\n", t["transfer_id"], t["payee_account"], t["amount"])
    };
    let header = "transfer_id,payee_account,amount,status,reason\n";
    // June: the second transfer fails, the others settle.
    let mut first = String::from(header);
    for k in 0..transfers.len() {
        first.push_str(&line(k, if k == 1 { "failed" } else { "success" }));
    }
    let first = s.write("june-1.csv", first);
    ok(&reconcile(&ledger, &june, &first, &s.path("rec-1"), &[]));
    // July with back pay pays it again.
    let july = s.path("2018-07");
    ok(&run(&ledger, "2018-07", &july, &["--arrears"], ROSTER));
    assert_eq!(csv_rows(&july.join("entitlements.csv")).iter().filter(|r| r["kind"] == "arrears").count(), 1);
    // The bank now says June's failed transfer succeeded after all.
    let failed_id = transfers[1]["transfer_id"].clone();
    let second = s.write("june-2.csv", format!("{header}{}", line(1, "success")));
    let before = [rows(&ledger, "runs"), rows(&ledger, "payments")];
    let journal_before = rows(&ledger, "journal").len();
    let o = reconcile(&ledger, &june, &second, &s.path("rec-2"), &[]);
    ok(&o);
    assert!(stderr(&o).contains("conflict"), "{}", stderr(&o));
    let found: Vec<_> = csv_rows(&s.path("rec-2/bank-reconciliation.csv"))
        .into_iter()
        .filter(|r| r["transfer_id"] == failed_id)
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["outcome"], "conflict");
    assert!(found[0]["reason"].contains("the ledger has this transfer failed"), "{:?}", found[0]);
    assert!(found[0]["reason"].contains("back pay has paid its month again"), "{:?}", found[0]);
    assert_eq!([rows(&ledger, "runs"), rows(&ledger, "payments")], before, "the ledger is unchanged");
    // The reconciliation itself is journaled (with its conflict), and the ledger verifies.
    let journal = rows(&ledger, "journal");
    assert_eq!(journal.len(), journal_before + 1);
    assert!(journal.last().unwrap().contains("\\\"conflicts\\\":1"), "{}", journal.last().unwrap());
    ok(&ledger_verify(&ledger));
    // With --strict: exit 3, still nothing changed.
    let o = reconcile(&ledger, &june, &second, &s.path("rec-3"), &["--strict"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!([rows(&ledger, "runs"), rows(&ledger, "payments")], before);
    // Re-applying the first return changes nothing and is no conflict.
    let o = reconcile(&ledger, &june, &first, &s.path("rec-4"), &["--strict"]);
    ok(&o);
    assert!(!csv_rows(&s.path("rec-4/bank-reconciliation.csv")).iter().any(|r| r["outcome"] == "conflict"));
    assert_eq!([rows(&ledger, "runs"), rows(&ledger, "payments")], before);
}

#[test]
fn a_settled_transfer_never_fails_afterwards() {
    let s = Scratch::new("trust-settled");
    let ledger = s.path("ledger.sqlite");
    let june = s.path("2018-06");
    ok(&run(&ledger, "2018-06", &june, &[], ROSTER));
    let t = &csv_rows(&june.join("transfers.csv"))[0];
    let ret = |status: &str| {
        format!(
            "transfer_id,payee_account,amount,status,reason\n{},{},{},{status},x\n",
            t["transfer_id"], t["payee_account"], t["amount"]
        )
    };
    let settled = s.write("a.csv", ret("success"));
    ok(&reconcile(&ledger, &june, &settled, &s.path("rec-1"), &[]));
    let before = rows(&ledger, "payments");
    let failed = s.write("b.csv", ret("failed"));
    ok(&reconcile(&ledger, &june, &failed, &s.path("rec-2"), &[]));
    let row =
        csv_rows(&s.path("rec-2/bank-reconciliation.csv")).into_iter().find(|r| r["transfer_id"] == t["transfer_id"]);
    let row = row.unwrap();
    assert_eq!(row["outcome"], "conflict");
    assert!(row["reason"].contains("the ledger has this transfer settled; the return says failed"), "{row:?}");
    assert_eq!(rows(&ledger, "payments"), before);
}

#[test]
fn a_reconcile_whose_output_cannot_be_committed_leaves_the_ledger_unchanged() {
    let s = Scratch::new("trust-nothing");
    let (ledger, june) = june_run(&s);
    let before = tables(&ledger);
    // OUT is a dangling symbolic link: free when checked, but the finished output
    // cannot be renamed onto it.
    let out = s.path("rec");
    std::os::unix::fs::symlink(s.path("nowhere"), &out).unwrap();
    let o = reconcile(&ledger, &june, RETURN, &out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(tables(&ledger), before, "byte for byte, the tables are as they were");
    assert!(std::fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    assert!(!s.path("nowhere").exists());
    // Killed just before OUT is moved into place: no OUT, no marks.
    let out = s.path("rec-killed");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_disburse"))
        .args(["reconcile", "--run"])
        .arg(&june)
        .args(["--returns", RETURN, "--out"])
        .arg(&out)
        .arg("--ledger")
        .arg(&ledger)
        .current_dir(root())
        .env("DISBURSE_FAILPOINT", "before-reconcile-rename")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), None, "the failpoint aborts: {}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(tables(&ledger), before);
    // The same return, reconciled normally, then marks the ledger.
    ok(&reconcile(&ledger, &june, RETURN, &s.path("rec-ok"), &[]));
    assert_ne!(tables(&ledger), before);
    ok(&ledger_verify(&ledger));
}
