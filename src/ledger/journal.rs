//! The ledger's journal: an append-only, hash-chained record of every change.
//!
//! The `runs` and `payments` tables can be edited by anyone holding the file; the
//! journal makes such an edit visible. Every change to a run (pending, committed,
//! live, void, removed; an import; a reconciliation's marks) appends one row whose
//! payload states what the run is after it: status, amounts, number of lines, how
//! many are settled and failed, and a digest over all its payment lines. Each row's
//! hash covers the previous row's hash and its payload, so a row cannot be changed,
//! removed or inserted without breaking the chain from there on; `ledger verify`
//! walks the chain and compares the tables with its last word on each run.
//!
//! One row per change, never one per payment line: a run's digest is computed while
//! its lines are inserted ([`LinesDigest`]), so a province's run stays fast.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev` of the first journal row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A real run recorded before its output is written.
    Pending,
    /// A real run's payment lines and totals are in.
    Committed,
    /// A real run's output is in place.
    Live,
    /// A run taken out of the count.
    Void,
    /// A run that never finished, removed (with its lines, if any).
    Removed,
    /// An older system's month, live at once.
    Import,
    /// A bank return's marks on a run's lines.
    Reconcile,
    /// A run that was in the ledger before it had a journal (the migration).
    Adopted,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Pending => "pending",
            EntryKind::Committed => "committed",
            EntryKind::Live => "live",
            EntryKind::Void => "void",
            EntryKind::Removed => "removed",
            EntryKind::Import => "import",
            EntryKind::Reconcile => "reconcile",
            EntryKind::Adopted => "adopted",
        }
    }
}

/// A run as the journal states it after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    pub run: i64,
    pub period: String,
    pub mode: String,
    /// The run's status, or `removed` once it is gone.
    pub status: String,
    pub amount_fen: i64,
    pub arrears_fen: i64,
    pub manifest_sha256: Option<String>,
    pub audit_head: Option<String>,
    /// Its payment lines: how many, how many settled and failed, their amounts' sum.
    pub lines: u64,
    pub settled: u64,
    pub failed: u64,
    pub lines_fen: i128,
    /// SHA-256 over its payment lines in the order of their ids ([`LinesDigest`]).
    pub lines_digest: String,
}

/// A reconciliation's marks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    pub settled: u64,
    pub failed: u64,
    pub conflicts: u64,
}

/// One journal payload (its JSON text is what is hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub kind: EntryKind,
    pub run: RunState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Marks>,
}

/// The last row of the journal: what the clerk writes in the paper register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The hash of a journal row: SHA-256 over `prev` (its 64 hex characters) then the
/// payload's bytes.
pub fn row_hash(prev: &str, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(payload.as_bytes());
    crate::hex(&h.finalize())
}

/// The journal's head, if it has any row.
pub fn head(conn: &Connection) -> rusqlite::Result<Option<Head>> {
    conn.query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| {
        Ok(Head { seq: r.get(0)?, hash: r.get(1)? })
    })
    .optional()
}

/// Appends one row (the caller holds the lock and, usually, a transaction).
pub fn append(conn: &Connection, kind: EntryKind, run: RunState, marks: Option<Marks>) -> rusqlite::Result<Head> {
    let last = head(conn)?;
    let seq = last.as_ref().map_or(1, |h| h.seq + 1);
    let prev = last.map_or_else(|| GENESIS.to_owned(), |h| h.hash);
    let entry = Entry { seq, kind, run, marks };
    let payload = serde_json::to_string(&entry).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let hash = row_hash(&prev, &payload);
    conn.execute(
        "INSERT INTO journal (seq, kind, payload, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![seq, kind.as_str(), payload, prev, hash],
    )?;
    Ok(Head { seq, hash })
}

/// The journal's last word on `run`, if it has one.
pub fn last_state(conn: &Connection, run: i64) -> rusqlite::Result<Option<RunState>> {
    let payload: Option<String> = conn
        .query_row(
            "SELECT payload FROM journal WHERE json_extract(payload, '$.run.run') = ?1 ORDER BY seq DESC LIMIT 1",
            [run],
            |r| r.get(0),
        )
        .optional()?;
    payload
        .map(|p| serde_json::from_str::<Entry>(&p).map(|e| e.run))
        .transpose()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// The digest of a run's payment lines, fed one line at a time in the order of their
/// ids. Each line is its fields as text, separated by 0x1F and ended by 0x1E (a
/// missing standard or transfer is empty).
pub struct LinesDigest {
    hasher: Sha256,
    buf: Vec<u8>,
    pub lines: u64,
    pub settled: u64,
    pub failed: u64,
    pub lines_fen: i128,
}

/// One payment line's stored fields.
pub struct LineFields<'a> {
    pub child_id: &'a str,
    pub month: &'a str,
    pub kind: &'a str,
    pub amount_fen: i64,
    pub category: &'a str,
    pub region_code: &'a str,
    pub standard_fen: Option<i64>,
    pub transfer_id: Option<&'a str>,
    pub status: &'a str,
    pub live: i64,
}

impl Default for LinesDigest {
    fn default() -> Self {
        LinesDigest {
            hasher: Sha256::new(),
            buf: Vec::with_capacity(128),
            lines: 0,
            settled: 0,
            failed: 0,
            lines_fen: 0,
        }
    }
}

impl LinesDigest {
    pub fn push(&mut self, l: &LineFields<'_>) {
        let mut ints = itoa::Buffer::new();
        let b = &mut self.buf;
        b.clear();
        for text in [l.child_id, l.month, l.kind] {
            b.extend_from_slice(text.as_bytes());
            b.push(0x1F);
        }
        b.extend_from_slice(ints.format(l.amount_fen).as_bytes());
        b.push(0x1F);
        for text in [l.category, l.region_code] {
            b.extend_from_slice(text.as_bytes());
            b.push(0x1F);
        }
        if let Some(s) = l.standard_fen {
            b.extend_from_slice(ints.format(s).as_bytes());
        }
        b.push(0x1F);
        b.extend_from_slice(l.transfer_id.unwrap_or("").as_bytes());
        b.push(0x1F);
        b.extend_from_slice(l.status.as_bytes());
        b.push(0x1F);
        b.extend_from_slice(ints.format(l.live).as_bytes());
        b.push(0x1E);
        self.hasher.update(&self.buf);
        self.lines += 1;
        self.settled += u64::from(l.status == "settled");
        self.failed += u64::from(l.status == "failed");
        self.lines_fen += i128::from(l.amount_fen);
    }

    /// Fills the line fields of `state`.
    pub fn finish_into(self, state: &mut RunState) {
        state.lines = self.lines;
        state.settled = self.settled;
        state.failed = self.failed;
        state.lines_fen = self.lines_fen;
        state.lines_digest = crate::hex(&self.hasher.finalize());
    }
}

/// The run's row and its payment lines, as the tables hold them now (`None`: no such
/// run). Reads every line of the run.
pub fn state_from_tables(conn: &Connection, run: i64) -> rusqlite::Result<Option<RunState>> {
    let Some(mut state) = run_row(conn, run)? else { return Ok(None) };
    lines_digest(conn, run)?.finish_into(&mut state);
    Ok(Some(state))
}

/// The run's row alone (its line fields empty, for the caller to fill).
pub fn run_row(conn: &Connection, run: i64) -> rusqlite::Result<Option<RunState>> {
    conn.query_row(
        "SELECT period, mode, status, amount_fen, arrears_fen, manifest_sha256, audit_head FROM runs WHERE id = ?1",
        [run],
        |r| {
            Ok(RunState {
                run,
                period: r.get(0)?,
                mode: r.get(1)?,
                status: r.get(2)?,
                amount_fen: r.get(3)?,
                arrears_fen: r.get(4)?,
                manifest_sha256: r.get(5)?,
                audit_head: r.get(6)?,
                lines: 0,
                settled: 0,
                failed: 0,
                lines_fen: 0,
                lines_digest: String::new(),
            })
        },
    )
    .optional()
}

/// The digest of the run's payment lines as stored.
pub fn lines_digest(conn: &Connection, run: i64) -> rusqlite::Result<LinesDigest> {
    let mut st = conn.prepare_cached(
        "SELECT child_id, month, kind, amount_fen, category, region_code, standard_fen, transfer_id, status, live
         FROM payments WHERE run_id = ?1 ORDER BY id",
    )?;
    let mut rows = st.query([run])?;
    let mut digest = LinesDigest::default();
    while let Some(r) = rows.next()? {
        let texts: [String; 6] = [r.get(0)?, r.get(1)?, r.get(2)?, r.get(4)?, r.get(5)?, r.get(8)?];
        let transfer: Option<String> = r.get(7)?;
        digest.push(&LineFields {
            child_id: &texts[0],
            month: &texts[1],
            kind: &texts[2],
            amount_fen: r.get(3)?,
            category: &texts[3],
            region_code: &texts[4],
            standard_fen: r.get(6)?,
            transfer_id: transfer.as_deref(),
            status: &texts[5],
            live: r.get(9)?,
        });
    }
    Ok(digest)
}

/// A removed run: nothing of it is left.
pub fn removed(mut state: RunState) -> RunState {
    state.status = "removed".into();
    state.lines = 0;
    state.settled = 0;
    state.failed = 0;
    state.lines_fen = 0;
    state.lines_digest = crate::hex(&Sha256::digest(b""));
    state
}

/// Adds one `adopted` row per run already in the ledger (the migration that brings
/// the journal to an older ledger), oldest first.
pub fn adopt_existing(conn: &Connection) -> rusqlite::Result<()> {
    let ids: Vec<i64> = {
        let mut st = conn.prepare("SELECT id FROM runs ORDER BY id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in ids {
        if let Some(state) = state_from_tables(conn, id)? {
            append(conn, EntryKind::Adopted, state, None)?;
        }
    }
    Ok(())
}
