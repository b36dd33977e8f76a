//! What a run's output directory is, told to the ledger's recovery.
//!
//! The ledger finishes or undoes runs a crash interrupted, but whether an output
//! directory is complete (its manifest is written last) and how a staged one is moved
//! into place are the output side's rules. The commands that open the ledger for
//! writing hand it this, so neither module imports the other.

use std::path::Path;

use crate::error::Fatal;
use crate::ledger::RunDirs;
use crate::output::manifest::MANIFEST_FILE;

/// Run output directories as `disburse run` writes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputDirs;

impl RunDirs for OutputDirs {
    fn is_complete(&self, dir: &Path) -> bool {
        dir.join(MANIFEST_FILE).exists()
    }

    fn remove_staged(&self, staged: &Path) {
        let _ = std::fs::remove_dir_all(staged);
    }

    fn move_into_place(&self, staged: &Path, out: &Path) -> Result<(), Fatal> {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::remove_file(staged.join(crate::output::staged::MARKER));
        std::fs::rename(staged, out).map_err(|e| Fatal::io(out, "finishing an interrupted run", &e))
    }
}
