//! What a run's output directory is, told to the ledger's recovery.
//!
//! The ledger finishes or undoes runs a crash interrupted, but whether an output
//! directory is complete (its manifest is written last), whether a directory is one
//! disburse staged, and how a staged one is moved into place are the output side's
//! rules. The commands that open the ledger for writing hand it this, so neither
//! module imports the other.
//!
//! A ledger row is data anyone with the file can edit: recovery removes or moves a
//! staged directory only if it is named `.<out name>.disburse-tmp-<pid>`, lies beside
//! the run's output (in its folder or the nearest folder that existed), is a real
//! directory and holds the marker disburse wrote into it.

use std::path::Path;

use crate::error::Fatal;
use crate::ledger::RunDirs;
use crate::output::manifest::MANIFEST_FILE;
use crate::output::staged::{remove_marker, MARKER};

/// Run output directories as `disburse run` writes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputDirs;

impl RunDirs for OutputDirs {
    fn is_complete(&self, dir: &Path) -> bool {
        dir.join(MANIFEST_FILE).exists()
    }

    fn check_staged(&self, staged: &Path, out: &Path) -> Result<(), String> {
        let out_name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let name = staged.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{out_name}.disburse-tmp-");
        let pid = name.strip_prefix(&prefix).unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("its name is not {prefix}<pid>"));
        }
        let home = staged.parent().filter(|p| !p.as_os_str().is_empty()).ok_or("it has no folder")?;
        if !out.parent().is_some_and(|p| p.starts_with(home)) || home.components().any(|c| c.as_os_str() == "..") {
            return Err("it does not lie beside the run's output".into());
        }
        match std::fs::symlink_metadata(staged) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return Err("it is not a directory".into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("it is not there".into()),
            Err(e) => return Err(format!("it cannot be read ({e})")),
        }
        match std::fs::symlink_metadata(staged.join(MARKER)) {
            Ok(m) if m.file_type().is_file() => Ok(()),
            _ => Err(format!("it does not hold the marker {MARKER} disburse writes into what it stages")),
        }
    }

    fn remove_staged(&self, staged: &Path) {
        let _ = std::fs::remove_dir_all(staged);
    }

    fn move_into_place(&self, staged: &Path, out: &Path) -> Result<(), Fatal> {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        remove_marker(staged)?;
        std::fs::rename(staged, out).map_err(|e| Fatal::io(out, "finishing an interrupted run", &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_directory_disburse_staged_is_one() {
        let dir = std::env::temp_dir().join(format!("disburse-unit-rundirs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("2018-06");
        let real = dir.join(".2018-06.disburse-tmp-42");
        std::fs::create_dir_all(&real).unwrap();
        let d = OutputDirs;
        assert!(d.check_staged(&real, &out).unwrap_err().contains("marker"));
        std::fs::write(real.join(MARKER), "").unwrap();
        assert_eq!(d.check_staged(&real, &out), Ok(()));
        // Beside an output further down a folder that did not exist yet: still beside.
        assert_eq!(d.check_staged(&real, &dir.join("new/2018-06")), Ok(()));
        for (staged, out, why) in [
            (dir.join("2018-06-old"), out.clone(), "name"),
            (dir.join(".2018-07.disburse-tmp-42"), out.clone(), "name"),
            (dir.join(".2018-06.disburse-tmp-"), out.clone(), "name"),
            (dir.join(".2018-06.disburse-tmp-4x"), out.clone(), "name"),
            (real.clone(), Path::new("/elsewhere/2018-06").to_path_buf(), "beside"),
            (dir.join("x/../.2018-06.disburse-tmp-42"), dir.join("x/../2018-06"), "beside"),
            (dir.join(".2018-06.disburse-tmp-43"), out.clone(), "not there"),
        ] {
            let err = d.check_staged(&staged, &out).unwrap_err();
            assert!(err.contains(why), "{}: {err}", staged.display());
        }
        let link = dir.join(".2018-06.disburse-tmp-44");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(d.check_staged(&link, &out).unwrap_err().contains("not a directory"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
