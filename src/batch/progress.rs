//! How the pipeline reports its progress, without knowing who listens.
//!
//! A roster of millions of rows takes minutes; the command shows a bar on a terminal.
//! The pipeline only counts rows and calls this trait, so it stays free of the
//! terminal (and testable); the command supplies the listener.

/// Told the rows as the two passes go (from the thread that reads the files).
pub trait Progress: Send + Sync {
    /// Pass 1 checked `rows` more rows.
    fn checked(&self, _rows: u64) {}
    /// Pass 1 is over: pass 2 will decide `total` rows.
    fn deciding(&self, _total: u64) {}
    /// Pass 2 decided `rows` more rows.
    fn decided(&self, _rows: u64) {}
    /// The passes are over (clear what is shown).
    fn finish(&self) {}
}

/// No one listens.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
