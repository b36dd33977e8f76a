//! The ledger's lock: one real run (or `ledger` command) at a time.
//!
//! An exclusive lock on the database file itself (`flock`, which SQLite's own
//! byte-range locks do not see), held for the writer's whole life. A lock belongs to
//! the file, not to the path that named it: the same ledger reached through a
//! symbolic link, a hard link or another relative path takes the same lock, so a
//! second disburse never mistakes a run in flight for a crashed one. The operating
//! system drops the lock when the process dies, so a run found half-done while
//! holding the lock belongs to a crashed process: recovery may finish or undo it.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::Fatal;

/// Opens a file owner-only (the ledger holds children's IDs), whatever the umask,
/// creating it when missing and never truncating it.
pub(super) fn open_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).mode(0o600).open(path)
}

/// Takes the lock of the ledger file `ledger` (already open), waiting (and saying
/// so on `notes`) while another disburse holds it. The lock lasts as long as the
/// returned file.
pub(super) fn acquire(
    ledger: &Path,
    file: File,
    lang: crate::core::detail::Lang,
    notes: &mut dyn Write,
) -> Result<File, Fatal> {
    if file.try_lock().is_err() {
        let _ = match lang {
            crate::core::detail::Lang::En => writeln!(
                notes,
                "disburse: waiting for another disburse that is using the ledger {} ...",
                ledger.display()
            ),
            crate::core::detail::Lang::Zh => {
                writeln!(notes, "disburse：另一个 disburse 正在使用台账 {}，正在等待……", ledger.display())
            }
        };
        file.lock().map_err(|e| Fatal::io(ledger, "locking the ledger", &e))?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_follows_the_file_through_links() {
        let dir = std::env::temp_dir().join(format!("disburse-unit-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ledger = dir.join("ledger.sqlite");
        let held =
            acquire(&ledger, open_private(&ledger).unwrap(), crate::core::detail::Lang::En, &mut Vec::new()).unwrap();
        std::os::unix::fs::symlink(&ledger, dir.join("link.sqlite")).unwrap();
        std::fs::hard_link(&ledger, dir.join("hard.sqlite")).unwrap();
        for other in ["link.sqlite", "hard.sqlite", "./ledger.sqlite"] {
            let f = open_private(&dir.join(other)).unwrap();
            assert!(f.try_lock().is_err(), "{other} took the lock the ledger's writer holds");
        }
        drop(held);
        assert!(open_private(&dir.join("link.sqlite")).unwrap().try_lock().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
