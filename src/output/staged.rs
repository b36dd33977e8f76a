//! The output directory appears complete or not at all.
//!
//! Files are written into a hidden sibling directory, fsynced, and the directory is
//! renamed onto `--out` in one step. If the run fails (or is killed) the hidden
//! directory is removed (or left hidden, never mistaken for output).
//!
//! The hidden directory holds a marker file ([`MARKER`]) until just before the
//! rename: recovery after a crash removes or moves only a directory that has the
//! name, the place and the marker of one (`commands::run_dirs`), never whatever a
//! ledger row names.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Fatal, FatalKind};

/// The marker file disburse writes into every staged directory it makes.
pub const MARKER: &str = ".disburse-staged";

/// The name of the staged directory for an output named `out_name`, made by process `pid`.
pub fn staged_name(out_name: &str, pid: u32) -> String {
    format!(".{out_name}.disburse-tmp-{pid}")
}

/// A directory being filled, to be renamed onto its target when complete.
#[derive(Debug)]
pub struct StagedDir {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// A staging directory chosen but not yet created (see [`StagedDir::plan`]).
#[derive(Debug)]
pub struct PlannedDir {
    tmp: PathBuf,
    target: PathBuf,
}

impl PlannedDir {
    /// Where the staging directory will be.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Creates the directory, owner-only, with disburse's marker file in it.
    pub fn create_dir(self) -> Result<StagedDir, Fatal> {
        let PlannedDir { tmp, target } = self;
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| Fatal::io(&tmp, "removing an old temporary directory", &e))?;
        }
        fs::DirBuilder::new().mode(0o700).create(&tmp).map_err(|e| Fatal::io(&tmp, "creating the output", &e))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700))
            .map_err(|e| Fatal::io(&tmp, "setting permissions", &e))?;
        let staged = StagedDir { tmp, target, committed: false };
        drop(staged.create(MARKER)?);
        Ok(staged)
    }
}

impl StagedDir {
    /// Checks that `target` does not exist or is an empty directory, then creates the
    /// hidden staging directory beside it (in its nearest existing ancestor).
    pub fn prepare(target: &Path) -> Result<StagedDir, Fatal> {
        StagedDir::plan(target)?.create_dir()
    }

    /// Checks `target` as `prepare` does and says where the staging directory will
    /// be, without creating it: a real run records that path in the ledger first, so
    /// that a kill at any instant leaves no directory the ledger does not know.
    pub fn plan(target: &Path) -> Result<PlannedDir, Fatal> {
        check_empty(target)?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let mut home = target.parent().map(Path::to_path_buf).unwrap_or_default();
        while !home.as_os_str().is_empty() && !home.is_dir() {
            home = home.parent().map(Path::to_path_buf).unwrap_or_default();
        }
        let tmp = home.join(staged_name(&name, std::process::id()));
        Ok(PlannedDir { tmp, target: target.to_path_buf() })
    }

    /// Creates a file readable and writable by the owner only.
    pub fn create(&self, name: &str) -> Result<File, Fatal> {
        let path = self.tmp.join(name);
        if let Some(parent) = path.parent() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Fatal::io(parent, "creating the output", &e))?;
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| Fatal::io(&self.target.join(name), "creating the output file", &e))?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| Fatal::io(&path, "setting permissions", &e))?;
        Ok(file)
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where the files are being written until the commit.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the staging directory onto the target (creating missing parents).
    pub fn commit(mut self) -> Result<(), Fatal> {
        remove_marker(&self.tmp)?;
        sync_dir(&self.tmp).map_err(|e| Fatal::io(&self.tmp, "syncing the output", &e))?;
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Fatal::io(parent, "creating the output's parent folder", &e))?;
        }
        check_empty(&self.target)?;
        fs::rename(&self.tmp, &self.target).map_err(|e| {
            if e.kind() == std::io::ErrorKind::DirectoryNotEmpty || e.kind() == std::io::ErrorKind::AlreadyExists {
                not_empty(&self.target)
            } else {
                Fatal::io(&self.target, "moving the finished output into place", &e)
            }
        })?;
        self.committed = true;
        if let Some(parent) = self.target.parent() {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            let _ = sync_dir(parent);
        }
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Removes the marker of a staged directory about to become output.
pub fn remove_marker(dir: &Path) -> Result<(), Fatal> {
    match fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Fatal::io(&dir.join(MARKER), "finishing the output", &e))
        }
        _ => Ok(()),
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// `--out` must not exist or be an empty directory.
pub fn check_empty(target: &Path) -> Result<(), Fatal> {
    match fs::read_dir(target) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(not_empty(target))
            } else {
                Ok(())
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if target.exists() => Err(Fatal::new(
            FatalKind::OutputNotEmpty,
            "--out names something that is not a directory",
            "choose a new directory name for --out",
        )
        .zh("--out 指定的不是目录", "请为 --out 换一个新的目录名")
        .in_file(target.display().to_string())),
        Err(e) => Err(Fatal::io(target, "looking at --out", &e)),
    }
}

fn not_empty(target: &Path) -> Fatal {
    Fatal::new(
        FatalKind::OutputNotEmpty,
        "the output directory already exists and is not empty",
        "choose a new --out directory (each run writes into its own), or move the old one away",
    )
    .zh("输出目录已存在且不为空", "请换一个新的 --out 目录（每次运行各用一个），或把旧目录移走")
    .in_file(target.display().to_string())
}
