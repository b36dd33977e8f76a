//! The writer thread of a monthly run: it appends the rendered bytes of each chunk
//! to `entitlements.csv`, `exceptions.csv` and `audit.jsonl` in roster order, and
//! extends the audit hash chain (each line's `prev` is the SHA-256 of the line
//! before), so hashing and writing overlap with reading and deciding the next batch.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::render::Rendered;
use super::{header, open, AUDIT, ENTITLEMENTS, ENTITLEMENTS_HEADER, EXCEPTIONS, EXCEPTIONS_HEADER, GENESIS};
use crate::error::Fatal;
use crate::output::sink::Sink;
use crate::output::staged::StagedDir;

/// The files the writer thread owns.
pub(super) struct Files {
    pub entitlements: Sink,
    pub exceptions: Sink,
    pub audit: Sink,
    prev: [u8; 32],
    lines: u64,
}

impl Files {
    /// The `prev` the next audit line would carry: the chain's head.
    pub fn audit_head(&self) -> String {
        if self.lines == 0 {
            GENESIS.to_owned()
        } else {
            crate::hex(&self.prev)
        }
    }
}

/// The writer thread and the channel to it.
pub(super) struct Writer {
    to_writer: Option<SyncSender<Vec<Rendered>>>,
    thread: Option<JoinHandle<Result<Files, Fatal>>>,
}

impl Writer {
    /// Opens the three files (headers written) and starts the thread.
    pub fn start(dir: &StagedDir, bom: bool) -> Result<Writer, Fatal> {
        let mut entitlements = open(dir, ENTITLEMENTS)?;
        entitlements.write_raw(&header(&ENTITLEMENTS_HEADER, bom))?;
        let mut exceptions = open(dir, EXCEPTIONS)?;
        exceptions.write_raw(&header(&EXCEPTIONS_HEADER, bom))?;
        let audit = open(dir, AUDIT)?;
        let files = Files { entitlements, exceptions, audit, prev: [0; 32], lines: 0 };
        let (tx, rx) = sync_channel::<Vec<Rendered>>(4);
        let thread = std::thread::Builder::new()
            .name("disburse-writer".into())
            .spawn(move || write_all(files, rx))
            .map_err(|e| Fatal::io(dir.target(), "starting the writer thread", &e))?;
        Ok(Writer { to_writer: Some(tx), thread: Some(thread) })
    }

    /// Hands chunks to the thread, in order.
    pub fn send(&mut self, rendered: Vec<Rendered>) -> Result<(), Fatal> {
        let sent = self.to_writer.as_ref().map(|tx| tx.send(rendered).is_ok()).unwrap_or(false);
        if !sent {
            // The writer stopped: its error explains why.
            return Err(self.join()?.err().unwrap_or_else(writer_gone));
        }
        Ok(())
    }

    /// Waits for the thread to write everything; returns the files, still open.
    pub fn finish(&mut self) -> Result<Files, Fatal> {
        self.join()?
    }

    fn join(&mut self) -> Result<Result<Files, Fatal>, Fatal> {
        self.to_writer = None;
        match self.thread.take() {
            Some(h) => Ok(h.join().unwrap_or_else(|_| Err(writer_gone()))),
            None => Err(writer_gone()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.to_writer = None;
        if let Some(h) = self.thread.take() {
            let _ = h.join();
        }
    }
}

fn writer_gone() -> Fatal {
    Fatal::new(
        crate::FatalKind::Io,
        "the output writer stopped unexpectedly",
        "run again; if it repeats, check the disk",
    )
    .zh("写出文件的过程意外中止了", "请重新运行；如果再次出现，请检查磁盘")
}

/// The writer thread: appends rendered bytes and extends the audit chain.
fn write_all(mut files: Files, rx: Receiver<Vec<Rendered>>) -> Result<Files, Fatal> {
    let mut audit = Vec::with_capacity(1 << 20);
    let mut hex = [0u8; 64];
    for chunks in rx {
        for r in chunks {
            files.entitlements.write_rows(&r.entitlements, r.entitlement_rows)?;
            files.exceptions.write_rows(&r.exceptions, r.exception_rows)?;
            audit.clear();
            let mut start = 0;
            for &end in &r.audit_ends {
                let line_start = audit.len();
                audit.extend_from_slice(&r.audit[start..end]);
                crate::hex_into(&files.prev, &mut hex);
                audit.extend_from_slice(&hex);
                audit.extend_from_slice(b"\"}");
                files.prev = Sha256::digest(&audit[line_start..]).into();
                audit.push(b'\n');
                start = end;
            }
            files.lines += r.audit_ends.len() as u64;
            files.audit.write_rows(&audit, r.audit_ends.len() as u64)?;
        }
    }
    Ok(files)
}
