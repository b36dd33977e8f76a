//! The floor's ledger: the real ledger's schema (its own migrations, so the same
//! tables, indexes and triggers), its pragmas (rollback journal, `synchronous =
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

pub fn write(path: &Path, r: &Roster, p: &Paid) -> Res<()> {
    let t = Instant::now();
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
    )?;
    // The real ledger's schema, through its own migrations.
    disburse::ledger::migrate(&mut conn)?;
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
