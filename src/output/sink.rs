//! A file being written that hashes itself and counts its rows, for the manifest.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Fatal;

/// One output file as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputInfo {
    pub file: String,
    pub sha256: String,
    pub rows: u64,
    /// The sum of the amounts in a bank file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_total: Option<String>,
}

/// A buffered, hashing writer for one output file.
pub struct Sink {
    name: String,
    path: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
    rows: u64,
}

impl Sink {
    pub fn new(name: &str, path: PathBuf, file: File) -> Sink {
        Sink {
            name: name.to_owned(),
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            rows: 0,
        }
    }

    /// Writes bytes that are not a data row (a header).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Fatal> {
        self.hasher.update(bytes);
        self.out.write_all(bytes).map_err(|e| Fatal::io(&self.path, "writing the output", &e))
    }

    /// Writes one data row (its bytes include the line end).
    pub fn write_row(&mut self, bytes: &[u8]) -> Result<(), Fatal> {
        self.write_rows(bytes, 1)
    }

    /// Writes `rows` data rows at once.
    pub fn write_rows(&mut self, bytes: &[u8], rows: u64) -> Result<(), Fatal> {
        self.rows += rows;
        self.write_raw(bytes)
    }

    /// Counts rows written through `write_rows(.., 0)`.
    pub fn add_rows(&mut self, rows: u64) {
        self.rows += rows;
    }

    /// Flushes and fsyncs the file; returns its manifest entry.
    pub fn finish(self) -> Result<OutputInfo, Fatal> {
        let path = self.path;
        let file = self.out.into_inner().map_err(|e| Fatal::io(&path, "writing the output", e.error()))?;
        file.sync_all().map_err(|e| Fatal::io(&path, "syncing the output", &e))?;
        Ok(OutputInfo {
            file: self.name,
            sha256: crate::hex(&self.hasher.finalize()),
            rows: self.rows,
            control_total: None,
        })
    }
}
