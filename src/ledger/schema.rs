//! The ledger's schema, versioned by a migrations table so later releases can evolve it.

use rusqlite::{params, Connection, TransactionBehavior};

/// Each migration, in order; the version is its position (1-based). Never edit one
/// that has shipped: add another.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "runs and payments",
        "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL CHECK (length(period) = 7),
        mode TEXT NOT NULL CHECK (mode IN ('run', 'import')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'committed', 'live', 'void')),
        out_dir TEXT,
        staged_dir TEXT,
        manifest_sha256 TEXT,
        audit_head TEXT,
        rows INTEGER, paid INTEGER, held INTEGER, excluded INTEGER, rejected INTEGER,
        amount_fen INTEGER NOT NULL,
        arrears_fen INTEGER NOT NULL,
        transfers INTEGER,
        created_at TEXT NOT NULL,
        void_reason TEXT,
        voided_at TEXT
    );
    -- One run per period that is not void: a period is paid once.
    CREATE UNIQUE INDEX one_run_per_period ON runs (period) WHERE status != 'void';
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        child_id TEXT NOT NULL,
        month TEXT NOT NULL CHECK (length(month) = 7),
        kind TEXT NOT NULL CHECK (kind IN ('regular', 'arrears')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
        category TEXT NOT NULL,
        region_code TEXT NOT NULL,
        standard_fen INTEGER,
        transfer_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('issued', 'settled', 'failed')),
        live INTEGER NOT NULL CHECK (live IN (0, 1))
    );
    -- At most one live regular payment per child per month, enforced here, not only in code.
    CREATE UNIQUE INDEX one_live_regular_payment ON payments (child_id, month) WHERE kind = 'regular' AND live = 1;
    CREATE INDEX payments_by_transfer ON payments (run_id, transfer_id);",
    ),
    (
        "payments indexed by run, not by transfer",
        // A run's lines go in sorted by child; transfers are numbered by account, so an
        // index on (run_id, transfer_id) took them in random order: at a province's
        // millions of lines it outgrew the page cache and dominated the run. An index
        // on run_id alone grows at its end. Bank returns join through a temporary
        // table instead (`set_transfer_statuses`).
        "DROP INDEX payments_by_transfer;
    CREATE INDEX payments_by_run ON payments (run_id);",
    ),
    (
        "the journal, and live arrears lines indexed by child and month",
        // The journal (SPEC section 12): append-only, hash-chained; the triggers keep
        // disburse itself from ever changing a row. The runs already in the ledger are
        // adopted, one row each, by `after_migration`. The partial index lets a bank
        // return find, for a failed line, whether back pay has paid its month again;
        // it holds only arrears lines, so a run's regular lines do not feed it.
        "CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE INDEX live_arrears ON payments (child_id, month) WHERE kind = 'arrears' AND live = 1;",
    ),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// What a migration does beyond its SQL, inside its transaction.
fn after_migration(version: i64, tx: &Connection) -> rusqlite::Result<()> {
    if version == 3 {
        super::journal::adopt_existing(tx)?;
    }
    Ok(())
}

/// A bank return's statuses, per transfer, for one `reconcile` (connection-local).
pub const RETURNED_TABLE: &str =
    "CREATE TEMP TABLE IF NOT EXISTS returned (transfer_id TEXT PRIMARY KEY, status TEXT NOT NULL);
     DELETE FROM temp.returned;";

/// Sets the returned status `?2` on run `?1`'s lines: the run's lines through
/// `payments_by_run`, each one's transfer looked up among those returned with `?2`.
pub const APPLY_RETURNS: &str = "UPDATE payments SET status = ?2
     WHERE run_id = ?1 AND status != ?2
       AND transfer_id IN (SELECT transfer_id FROM temp.returned WHERE status = ?2)";

/// The schema version of an open database (0 for an empty file).
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_table: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrations'", [], |r| {
            r.get(0)
        })?;
    if has_table == 0 {
        return Ok(0);
    }
    conn.query_row("SELECT COALESCE(MAX(version), 0) FROM migrations", [], |r| r.get(0))
}

/// Applies the migrations this database lacks, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let current = version(conn)?;
    for (i, (description, sql)) in MIGRATIONS.iter().enumerate() {
        let v = i as i64 + 1;
        if v <= current {
            continue;
        }
        // Dropped without `commit` (an error below), the transaction rolls back.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        after_migration(v, &tx)?;
        tx.execute(
            "INSERT INTO migrations (version, description, applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![v, description],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment_indexes(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn a_first_version_ledger_is_migrated_and_keeps_its_payments() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(
            "INSERT INTO migrations VALUES (1, 'runs and payments', '2018-06-01T00:00:00Z');
             INSERT INTO runs (id, period, mode, status, amount_fen, arrears_fen, created_at)
               VALUES (1, '2018-05', 'run', 'live', 80000, 0, '2018-05-01T00:00:00Z');
             INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, transfer_id, status, live)
               VALUES (1, '430102201003120016', '2018-05', 'regular', 80000, 'scattered', '430102', 'T201805-000001', 'issued', 1);",
        )
        .unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
        assert!(payment_indexes(&conn).contains(&"payments_by_transfer".to_owned()));
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(payment_indexes(&conn), ["live_arrears", "one_live_regular_payment", "payments_by_run"]);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM payments WHERE transfer_id = 'T201805-000001'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        // Applying the migrations again changes nothing.
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn returns_reach_the_run_lines_through_the_run_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch(RETURNED_TABLE).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {APPLY_RETURNS}")).unwrap();
        let plan: Vec<String> =
            st.query_map(params![1, "failed"], |r| r.get::<_, String>(3)).unwrap().collect::<Result<_, _>>().unwrap();
        let plan = plan.join(" / ");
        // The returned transfers become one list, built once; the run's lines are
        // found through the run index and each checked against that list.
        assert!(plan.starts_with("SEARCH payments USING INDEX payments_by_run"), "{plan}");
        assert!(plan.contains("LIST SUBQUERY"), "{plan}");
        assert!(!plan.contains("SCAN payments"), "{plan}");
    }
}
