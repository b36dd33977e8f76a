//! The ledger's schema, versioned by a migrations table so later releases can evolve it.

use rusqlite::{params, Connection};

/// Each migration, in order; the version is its position (1-based). Never edit one
/// that has shipped: add another.
const MIGRATIONS: &[(&str, &str)] = &[(
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
)];

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
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let current = version(conn)?;
    for (i, (description, sql)) in MIGRATIONS.iter().enumerate() {
        let v = i as i64 + 1;
        if v <= current {
            continue;
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let applied = conn.execute_batch(sql).and_then(|_| {
            conn.execute(
                "INSERT INTO migrations (version, description, applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![v, description],
            )
        });
        match applied {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}
