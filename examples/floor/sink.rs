//! An output file that is hashed as it is written and fsynced once when finished.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

pub struct Sink {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

/// What a finished file was: its SHA-256 (hex) and size.
pub struct Written {
    pub sha256: String,
    pub bytes: u64,
}

impl Sink {
    pub fn create(path: &Path) -> std::io::Result<Sink> {
        Ok(Sink { file: BufWriter::with_capacity(1 << 20, File::create(path)?), hasher: Sha256::new(), bytes: 0 })
    }

    pub fn finish(mut self) -> std::io::Result<Written> {
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        Ok(Written { sha256: hex(&self.hasher.finalize()), bytes: self.bytes })
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len() * 2);
    hex_into(bytes, &mut v);
    String::from_utf8(v).expect("hex digits")
}

/// Each byte as two lower-case hex digits, onto `buf`.
pub fn hex_into(bytes: &[u8], buf: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        buf.extend_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]);
    }
}
