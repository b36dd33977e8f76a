//! The ledger's lifecycle and recovery against a real SQLite file in a scratch
//! directory, with a stand-in for the output side's [`RunDirs`].

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{Ledger, RunDirs, RunMode, RunRecord, RunStatus};
use crate::core::arrears::Kind;
use crate::core::id::{check_char, ChildId};
use crate::core::lang::Lang;
use crate::core::month::Month;
use crate::core::payment::{LedgerLine, LineStatus};
use crate::core::record::Category;
use crate::error::Fatal;

/// Output directories as a set of complete paths; records what recovery asked.
#[derive(Default)]
struct FakeDirs {
    complete: RefCell<HashSet<PathBuf>>,
    removed: RefCell<Vec<PathBuf>>,
    moved: RefCell<Vec<(PathBuf, PathBuf)>>,
}

impl RunDirs for FakeDirs {
    fn is_complete(&self, dir: &Path) -> bool {
        self.complete.borrow().contains(dir)
    }
    fn check_staged(&self, _staged: &Path, _out: &Path) -> Result<(), String> {
        Ok(())
    }
    fn remove_staged(&self, staged: &Path) {
        self.removed.borrow_mut().push(staged.to_path_buf());
    }
    fn move_into_place(&self, staged: &Path, out: &Path) -> Result<(), Fatal> {
        let mut complete = self.complete.borrow_mut();
        complete.remove(staged);
        complete.insert(out.to_path_buf());
        self.moved.borrow_mut().push((staged.to_path_buf(), out.to_path_buf()));
        Ok(())
    }
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("disburse-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn ledger(&self) -> PathBuf {
        self.0.join("ledger.sqlite")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn child(digits: &str) -> ChildId {
    let d: [u8; 17] = digits.as_bytes().try_into().unwrap();
    ChildId::parse(&format!("{digits}{}", check_char(&d) as char)).unwrap()
}

fn line(id: ChildId, m: Month, transfer: Option<u32>) -> LedgerLine {
    LedgerLine {
        child_id: id,
        month: m,
        kind: Kind::Regular,
        amount: Decimal::new(60000, 2),
        category: Category::Scattered,
        region_code: *b"430102",
        standard: Some(Decimal::new(60000, 2)),
        transfer,
    }
}

fn record(sha: &str) -> RunRecord {
    RunRecord { manifest_sha256: sha.into(), rows: 1, paid: 1, amount: Decimal::new(60000, 2), ..RunRecord::default() }
}

/// Applies a bank return with nothing else to commit; (settled, failed) lines marked.
fn mark(l: &mut Ledger, run: i64, updates: &[(&str, LineStatus)]) -> (u64, u64) {
    let (_, applied, _) = l.apply_returns(run, updates, |_, _| Ok(())).unwrap();
    (applied.settled, applied.failed)
}

fn statuses(l: &Ledger) -> Vec<(i64, RunStatus)> {
    l.runs().unwrap().iter().map(|r| (r.id, r.status)).collect()
}

#[test]
fn a_run_goes_pending_committed_live_void() {
    let scratch = Scratch::new("lifecycle");
    let dirs = FakeDirs::default();
    let mut l = Ledger::open_for_write(&scratch.ledger(), &dirs, Lang::En, &mut Vec::new()).unwrap();
    let (june, july) = (month("2018-06"), month("2018-07"));
    let a = child("43010220100312001");

    // Totals that never come: nothing is kept, the run stays pending until abandoned.
    let id = l.begin_run(june, RunMode::Run, Some(Path::new("out")), Some(Path::new(".out.tmp"))).unwrap();
    assert_eq!(statuses(&l), [(id, RunStatus::Pending)]);
    assert!(!l.commit_run(id, june, &[line(a, june, Some(1))], RunMode::Run, || None).unwrap());
    assert!(l.child_history(a.as_str()).unwrap().is_empty());
    l.abandon_run(id).unwrap();
    assert!(l.runs().unwrap().is_empty());

    let id = l.begin_run(june, RunMode::Run, Some(Path::new("out")), None).unwrap();
    assert!(l.commit_run(id, june, &[line(a, june, Some(1))], RunMode::Run, || Some(record("abc"))).unwrap());
    assert_eq!(statuses(&l), [(id, RunStatus::Committed)]);
    let history = l.child_history(a.as_str()).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].run_status, history[0].status), (RunStatus::Committed, LineStatus::Issued));
    assert_eq!(history[0].transfer_id.as_deref(), Some("T201806-000001"));

    // A period is paid once.
    let refusal = l.begin_run(june, RunMode::Run, None, None).unwrap_err();
    assert!(refusal.message.contains(&format!("was already paid by run {id} (run, committed,")), "{refusal}");

    l.mark_live(id).unwrap();
    assert_eq!(l.live_run(june).unwrap().map(|r| r.status), Some(RunStatus::Live));
    assert_eq!(l.previous_month(july).unwrap(), Some(june));

    // The bank fails the transfer: back pay sees the line as failed; twice changes nothing.
    assert_eq!(mark(&mut l, id, &[("T201806-000001", LineStatus::Failed)]), (0, 1));
    assert_eq!(mark(&mut l, id, &[("T201806-000001", LineStatus::Failed)]), (0, 0));
    let before_july = l.history_before(july).unwrap();
    assert_eq!(before_july.live_months, [june]);
    assert!(before_july.of(a.key())[0].failed);

    let voided = l.void_run(id, "wrong roster").unwrap();
    assert_eq!(voided.status, RunStatus::Live);
    assert_eq!(statuses(&l), [(id, RunStatus::Void)]);
    assert!(l.void_run(id, "again").unwrap_err().message.contains("already void"));
    assert!(l.live_run(june).unwrap().is_none());
    let before_july = l.history_before(july).unwrap();
    assert!(before_july.live_months.is_empty() && before_july.of(a.key()).is_empty());
    // Every step went into the journal, and the tables agree with it.
    let report = l.verify_journal().unwrap();
    assert_eq!(report.findings, []);
    let kinds: Vec<String> = {
        let mut st = l.conn.prepare("SELECT kind FROM journal ORDER BY seq").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(kinds, ["pending", "removed", "pending", "committed", "live", "reconcile", "reconcile", "void"]);
    assert_eq!(report.head.unwrap().seq, 8);
}

#[test]
fn a_failed_line_settles_only_while_its_month_was_not_paid_again() {
    let scratch = Scratch::new("forward");
    let mut l = Ledger::open_for_write(&scratch.ledger(), &FakeDirs::default(), Lang::En, &mut Vec::new()).unwrap();
    let (june, july) = (month("2018-06"), month("2018-07"));
    let (a, b) = (child("43010220100312001"), child("43010220100312000"));
    let june_run = l.begin_run(june, RunMode::Run, None, None).unwrap();
    l.commit_run(june_run, june, &[line(a, june, Some(1)), line(b, june, Some(2))], RunMode::Run, || Some(record("6")))
        .unwrap();
    l.mark_live(june_run).unwrap();
    let (t1, t2) = ("T201806-000001", "T201806-000002");
    assert_eq!(mark(&mut l, june_run, &[(t1, LineStatus::Failed), (t2, LineStatus::Failed)]), (0, 2));
    // July's back pay pays a's June again; b's is not re-paid.
    let july_run = l.begin_run(july, RunMode::Run, None, None).unwrap();
    let repay = LedgerLine { kind: Kind::Arrears, ..line(a, june, Some(1)) };
    l.commit_run(july_run, july, &[line(a, july, Some(1)), repay], RunMode::Run, || Some(record("7"))).unwrap();
    l.mark_live(july_run).unwrap();
    let (_, applied, _) =
        l.apply_returns(june_run, &[(t1, LineStatus::Settled), (t2, LineStatus::Settled)], |_, _| Ok(())).unwrap();
    assert_eq!((applied.settled, applied.failed), (1, 0));
    assert_eq!(applied.conflicts.len(), 1);
    let c = &applied.conflicts[0];
    assert_eq!(
        (c.transfer_id.as_str(), c.current, c.returned, c.repaid),
        (t1, LineStatus::Failed, LineStatus::Settled, true)
    );
    // A settled transfer cannot fail; settling it again is no change and no conflict.
    let (_, applied, _) = l.apply_returns(june_run, &[(t2, LineStatus::Failed)], |_, _| Ok(())).unwrap();
    assert_eq!((applied.settled, applied.failed, applied.conflicts[0].current), (0, 0, LineStatus::Settled));
    let (_, applied, _) = l.apply_returns(june_run, &[(t2, LineStatus::Settled)], |_, _| Ok(())).unwrap();
    assert_eq!((applied.settled, applied.failed, applied.conflicts.len()), (0, 0, 0));
    // An error in what follows the marks keeps none of them.
    let before = l.child_history(b.as_str()).unwrap();
    let err = l.apply_returns(july_run, &[("T201807-000001", LineStatus::Failed)], |_, _| {
        Err::<(), _>(Fatal::new(crate::error::FatalKind::Io, "disk full", "free space"))
    });
    assert!(err.is_err());
    assert_eq!(l.child_history(a.as_str()).unwrap().iter().filter(|h| h.status == LineStatus::Failed).count(), 1);
    assert_eq!(l.child_history(b.as_str()).unwrap().len(), before.len());
    assert_eq!(l.verify_journal().unwrap().findings, []);
}

#[test]
fn an_import_is_live_at_once_and_its_lines_settled() {
    let scratch = Scratch::new("import");
    let mut l = Ledger::open_for_write(&scratch.ledger(), &FakeDirs::default(), Lang::En, &mut Vec::new()).unwrap();
    let may = month("2018-05");
    let a = child("43010220100312001");
    let id = l.begin_run(may, RunMode::Import, None, None).unwrap();
    assert!(l.commit_run(id, may, &[line(a, may, None)], RunMode::Import, || Some(record("sha"))).unwrap());
    let run = &l.runs().unwrap()[0];
    assert_eq!((run.mode, run.status), (RunMode::Import, RunStatus::Live));
    let history = l.child_history(a.as_str()).unwrap();
    assert_eq!((history[0].status, history[0].transfer_id.clone()), (LineStatus::Settled, None));
}

#[test]
fn a_child_paid_twice_for_a_month_keeps_nothing_of_the_second_run() {
    let scratch = Scratch::new("twice");
    let mut l = Ledger::open_for_write(&scratch.ledger(), &FakeDirs::default(), Lang::En, &mut Vec::new()).unwrap();
    let (may, june) = (month("2018-05"), month("2018-06"));
    let a = child("43010220100312001");
    let first = l.begin_run(may, RunMode::Import, None, None).unwrap();
    l.commit_run(first, may, &[line(a, may, None)], RunMode::Import, || Some(record("1"))).unwrap();
    // June's run would pay May again (as back pay gone wrong): refused, nothing kept.
    let second = l.begin_run(june, RunMode::Run, None, None).unwrap();
    let lines = [line(child("43010220100312000"), june, Some(1)), line(a, may, Some(2))];
    let err = l.commit_run(second, june, &lines, RunMode::Run, || Some(record("2"))).unwrap_err();
    assert!(err.message.contains("already has a live regular payment for 2018-05"), "{err}");
    assert!(!err.message.contains(a.as_str()), "the whole ID is never shown: {err}");
    assert_eq!(statuses(&l), [(first, RunStatus::Live), (second, RunStatus::Pending)]);
    assert!(l.child_history("430102201003120000").unwrap().is_empty());
    // A paid line without its transfer is refused too, naming it; nothing is kept.
    let lines = [line(child("43010220100312000"), june, None)];
    let err = l.commit_run(second, june, &lines, RunMode::Run, || Some(record("2"))).unwrap_err();
    assert!(err.message.contains("for 2018-06 has no transfer"), "{err}");
    assert!(l.child_history("430102201003120000").unwrap().is_empty());
}

#[test]
fn recovery_undoes_pending_runs_finishes_complete_ones_and_voids_lost_ones() {
    let scratch = Scratch::new("recover");
    let dirs = FakeDirs::default();
    let (p, c1, c2) = (month("2018-04"), month("2018-05"), month("2018-06"));
    let dir = |name: &str| std::path::absolute(scratch.0.join(name)).unwrap();
    let (pending, lost, finished) = {
        let mut l = Ledger::open_for_write(&scratch.ledger(), &dirs, Lang::En, &mut Vec::new()).unwrap();
        let pending = l.begin_run(p, RunMode::Run, Some(&dir("out4")), Some(&dir("staged4"))).unwrap();
        let lost = l.begin_run(c1, RunMode::Run, Some(&dir("out5")), Some(&dir("staged5"))).unwrap();
        l.commit_run(lost, c1, &[], RunMode::Run, || Some(record("5"))).unwrap();
        let finished = l.begin_run(c2, RunMode::Run, Some(&dir("out6")), Some(&dir("staged6"))).unwrap();
        l.commit_run(finished, c2, &[], RunMode::Run, || Some(record("6"))).unwrap();
        (pending, lost, finished)
    };
    // Only June's staged output was complete when the process died.
    dirs.complete.borrow_mut().insert(dir("staged6"));
    let mut notes = Vec::new();
    let l = Ledger::open_for_write(&scratch.ledger(), &dirs, Lang::En, &mut notes).unwrap();
    let notes = String::from_utf8(notes).unwrap();
    assert_eq!(statuses(&l), [(lost, RunStatus::Void), (finished, RunStatus::Live)]);
    assert_eq!(*dirs.removed.borrow(), [dir("staged4")]);
    assert_eq!(*dirs.moved.borrow(), [(dir("staged6"), dir("out6"))]);
    assert!(notes.contains(&format!("run {pending} for 2018-04 was interrupted before it was recorded")), "{notes}");
    assert!(notes.contains(&format!("run {lost} for 2018-05 was interrupted and its output is gone")), "{notes}");
    assert!(notes.contains(&format!("run {finished} for 2018-06 was interrupted after it was recorded")), "{notes}");
    drop(l);
    // Nothing is left to recover.
    let mut again = Vec::new();
    Ledger::open_for_write(&scratch.ledger(), &dirs, Lang::En, &mut again).unwrap();
    assert!(again.is_empty());
}

#[test]
fn a_read_only_ledger_reports_half_done_runs_without_touching_them() {
    let scratch = Scratch::new("readonly");
    let path = scratch.ledger();
    assert!(Ledger::open_read_only(&path, Lang::En, &mut Vec::new()).unwrap().is_none());
    {
        let mut l = Ledger::open_for_write(&path, &FakeDirs::default(), Lang::En, &mut Vec::new()).unwrap();
        l.begin_run(month("2018-06"), RunMode::Run, None, None).unwrap();
    }
    let mut notes = Vec::new();
    let l = Ledger::open_read_only(&path, Lang::En, &mut notes).unwrap().unwrap();
    assert!(String::from_utf8(notes).unwrap().contains("run 1 for 2018-06 was interrupted (pending)"));
    assert_eq!(statuses(&l), [(1, RunStatus::Pending)]);
}

#[test]
fn amounts_are_whole_fen() {
    use super::{from_fen, to_fen};
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let fen = |s: &str| to_fen(d(s)).unwrap();
    assert_eq!(fen("600"), 60000);
    assert_eq!(fen("600.5"), 60050);
    assert_eq!(fen("0.005"), 0);
    assert_eq!(fen("0.015"), 2);
    assert_eq!(from_fen(60050), d("600.50"));
    assert_eq!(from_fen(fen("1234.56")).to_string(), "1234.56");
    assert_eq!(fen("92233720368547758.07"), i64::MAX);
    // One fen more does not fit: an error naming the amount, never a capped value.
    let err = to_fen(d("92233720368547758.08")).unwrap_err();
    assert!(err.message.contains("92233720368547758.08"), "{err}");
}

#[test]
fn a_history_row_that_cannot_be_read_stops_back_pay_naming_it() {
    let scratch = Scratch::new("unreadable");
    let mut l = Ledger::open_for_write(&scratch.ledger(), &FakeDirs::default(), Lang::En, &mut Vec::new()).unwrap();
    let (may, june) = (month("2018-05"), month("2018-06"));
    let id = l.begin_run(may, RunMode::Import, None, None).unwrap();
    let lines = [line(child("43010220100312001"), may, None), line(child("43010220100312000"), may, None)];
    l.commit_run(id, may, &lines, RunMode::Import, || Some(record("sha"))).unwrap();
    assert_eq!(l.history_before(june).unwrap().live_months, [may]);
    for (edit, named) in [
        ("UPDATE payments SET kind = 'bonus' WHERE id = 2", "payment row 2: its kind \"bonus\""),
        ("UPDATE payments SET month = '2017-1x' WHERE id = 2", "payment row 2: its month"),
        ("UPDATE payments SET child_id = '123' WHERE id = 1", "payment row 1: its child_id"),
        ("UPDATE payments SET category = 'Other category!' WHERE id = 1", "payment row 1: its category"),
    ] {
        l.conn.execute_batch("PRAGMA ignore_check_constraints = 1").unwrap();
        let tx = l.conn.unchecked_transaction().unwrap();
        tx.execute_batch(edit).unwrap();
        let err = l.history_before(june).unwrap_err();
        assert!(err.message.contains(named), "{edit}: {err}");
        drop(tx);
    }
}
