//! disburse: the monthly orphan basic living allowance, decided row by row, paid
//! through one bank file, with an audit trail anyone can verify.
//!
//! The library does the work; `main.rs` only parses flags and maps errors to exit
//! codes. Layout:
//! - [`core`]: the pure rules (ID, months, money, policy, the decision for one row)
//!   and the plain data of what was paid ([`core::payment`]);
//! - [`roster`]: reading roster files (columns, encodings, line numbers);
//! - [`returns`]: reading a bank's return file (CSV, profile layout, pain.002);
//! - [`batch`]: the two-pass parallel pipeline that decides a whole roster (it takes
//!   the payment history as data and reports progress through a trait);
//! - [`output`]: the files of a run, written atomically;
//! - [`ledger`]: the SQLite record of every run and payment line;
//! - [`commands`]: one module per command, the only place that joins the pipeline,
//!   the output files, the ledger and the terminal.
//!
//! Imports go one way: `commands` → `output` → `batch` → `roster` → `core`,
//! `commands` → `ledger` → `core`, and `commands`/`output` → `returns` → `roster`
//! (a bank profile names its return layout).

pub mod batch;
pub mod beijing_time;
pub mod cli;
pub mod commands;
pub mod core;
pub mod csvsplit;
pub mod error;
pub mod ledger;
pub mod output;
pub mod returns;
pub mod roster;
pub mod table;
pub mod terminal;
pub mod text_table;

pub use error::{Fatal, FatalKind, Finish};

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    hex_into(bytes, &mut out);
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// Lower-case hex of `bytes` into `out` (twice as long), without allocating: the
/// audit chain writes one digest per line.
pub fn hex_into(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
}

/// Test hook for crash tests: when `DISBURSE_FAILPOINT` names this point, the process
/// dies on the spot (as a `kill -9` would), leaving whatever is half done.
pub fn failpoint(name: &str) {
    if std::env::var_os("DISBURSE_FAILPOINT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}
