//! The floor's ledger: the real ledger's schema (its three migrations applied, the
//! same tables, indexes and triggers), its pragmas (rollback journal, `synchronous =
//! FULL`, foreign keys, a 16 MiB cache), and one payment line per paid row inserted
//! through one prepared statement in one transaction, in child order, as disburse
//! inserts them, with the run row and the journal row that record the run and the
//! digest of its lines. A child ID the roster repeats gets one line.

use std::path::Path;
use std::time::Instant;

use rusqlite::{params, Connection, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::roster::{self, Paid, Roster, STANDARD_FEN};
use super::sink::hex;
use super::{timing, Res, PERIOD};

/// The ledger's schema as its migrations leave it (src/ledger/schema.rs).
const SCHEMA: &str = "
CREATE TABLE migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE runs (
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
CREATE UNIQUE INDEX one_live_regular_payment ON payments (child_id, month) WHERE kind = 'regular' AND live = 1;
CREATE INDEX payments_by_run ON payments (run_id);
CREATE TABLE journal (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE INDEX live_arrears ON payments (child_id, month) WHERE kind = 'arrears' AND live = 1;
INSERT INTO migrations VALUES (1, 'runs and payments', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    (2, 'payments indexed by run, not by transfer', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    (3, 'the journal, and live arrears lines indexed by child and month', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
";

pub fn write(path: &Path, r: &Roster, p: &Paid) -> Res<()> {
    let t = Instant::now();
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
    )?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(SCHEMA)?;
    tx.commit()?;
    // In child order, the unique index grows at its end (disburse sorts them too);
    // a child ID the roster repeats is recorded once, as the unique index demands.
    let id = |i: u32| r.field(p.rows[i as usize] as usize, roster::CHILD_ID);
    let mut keys: Vec<(u128, u32)> = (0..p.rows.len() as u32).map(|i| (roster::prefix(id(i)), i)).collect();
    roster::sort_by_text(&mut keys, id);
    let mut order: Vec<u32> = keys.into_iter().map(|(_, i)| i).collect();
    order.dedup_by_key(|i| id(*i));
    let lines = order.len();
    let amount: i64 = p.fen.iter().sum();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO runs (period, mode, status, rows, paid, held, excluded, rejected, amount_fen, arrears_fen, transfers, created_at)
         VALUES (?1, 'run', 'live', ?2, ?3, 0, ?4, 0, ?5, 0, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![PERIOD, r.rows as i64, p.rows.len() as i64, (r.rows - p.rows.len()) as i64, amount, p.transfers.len() as i64],
    )?;
    let run = tx.last_insert_rowid();
    let mut digest = Sha256::new();
    {
        let mut insert = tx.prepare(
            "INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, standard_fen, transfer_id, status, live)
             VALUES (?1, ?2, ?3, 'regular', ?4, ?5, ?6, ?7, ?8, 'issued', 1)",
        )?;
        let (mut id, mut line) = (Vec::new(), Vec::new());
        for i in order {
            let i = i as usize;
            let row = p.rows[i] as usize;
            id.clear();
            roster::transfer_id(p.transfer[i], &mut id);
            let text = |f| std::str::from_utf8(r.field(row, f)).unwrap_or("");
            let id = std::str::from_utf8(&id).expect("ascii");
            // The journal's digest of the lines: their fields, 0x1F apart, 0x1E ended.
            line.clear();
            for f in [text(roster::CHILD_ID), PERIOD, "regular", itoa::Buffer::new().format(p.fen[i])] {
                line.extend_from_slice(f.as_bytes());
                line.push(0x1F);
            }
            for f in
                [text(roster::CATEGORY), text(roster::REGION), itoa::Buffer::new().format(STANDARD_FEN), id, "issued"]
            {
                line.extend_from_slice(f.as_bytes());
                line.push(0x1F);
            }
            line.extend_from_slice(b"1\x1E");
            digest.update(&line);
            insert.execute(params![
                run,
                text(roster::CHILD_ID),
                PERIOD,
                p.fen[i],
                text(roster::CATEGORY),
                text(roster::REGION),
                STANDARD_FEN,
                id
            ])?;
        }
    }
    let payload = format!("{{\"run\":{run},\"lines\":{lines},\"lines_digest\":\"{}\"}}", hex(&digest.finalize()));
    let prev = "0".repeat(64);
    let hash = hex(&Sha256::digest(format!("{prev}{payload}").as_bytes()));
    tx.execute(
        "INSERT INTO journal (kind, payload, prev, hash) VALUES ('run', ?1, ?2, ?3)",
        params![payload, prev, hash],
    )?;
    tx.commit()?;
    timing("ledger", t);
    Ok(())
}
