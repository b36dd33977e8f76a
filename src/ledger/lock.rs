//! The ledger's lock: one real run (or `ledger` command) at a time.
//!
//! An exclusive lock on `<ledger>.lock`, held for the writer's whole life. The
//! operating system drops it when the process dies, so a run found half-done while
//! holding the lock belongs to a crashed process: recovery may finish or undo it.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Fatal;

/// Opens a file owner-only (the ledger holds children's IDs), whatever the umask,
/// creating it when missing and never truncating it.
pub(super) fn open_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(path)
}

/// Takes the lock of the ledger at `ledger`, waiting (and saying so on `notes`)
/// while another disburse holds it. The lock lasts as long as the returned file.
pub(super) fn acquire(ledger: &Path, notes: &mut dyn Write) -> Result<File, Fatal> {
    let lock_path = lock_path(ledger);
    let lock = open_private(&lock_path).map_err(|e| Fatal::io(&lock_path, "opening the ledger lock", &e))?;
    if lock.try_lock().is_err() {
        let _ =
            writeln!(notes, "disburse: waiting for another disburse that is using the ledger {} ...", ledger.display());
        lock.lock().map_err(|e| Fatal::io(&lock_path, "locking the ledger", &e))?;
    }
    Ok(lock)
}

fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_sits_beside_the_ledger() {
        assert_eq!(lock_path(Path::new("a/b.sqlite")), Path::new("a/b.sqlite.lock"));
        assert_eq!(lock_path(Path::new("ledger")), Path::new("ledger.lock"));
    }
}
