//! `--out` is checked before any work, and what a killed run left beside it is
//! cleared.
//!
//! The output is staged in a hidden sibling and renamed onto `--out` at the very
//! end, so an `--out` that cannot take that rename (a symbolic link) used to fail
//! only after all the work; one with `..` (`sub/..`) had `sub/` created on the way.
//! Both are refused at once. A run killed before its end leaves its hidden
//! `.<name>.disburse-tmp-<pid>` behind; the next run removes it when that process is
//! gone and the directory holds disburse's marker, and leaves anything else alone.

use std::path::{Component, Path, PathBuf};

use crate::error::{Fatal, FatalKind};
use crate::output::staged::MARKER;

/// Refuses an `--out` that is a symbolic link or has a `..` component.
pub fn check_out_path(target: &Path) -> Result<(), Fatal> {
    let refuse = |message: &str, fix: &str, zh: (&str, &str)| {
        Fatal::new(FatalKind::OutputNotEmpty, message, fix).zh(zh.0, zh.1).in_file(target.display().to_string())
    };
    if target.components().any(|c| c == Component::ParentDir) {
        return Err(refuse(
            "--out has a `..` in it, so the folders before it would be created for nothing",
            "name the output directory without `..`",
            ("--out 中含有“..”", "请直接写出输出目录，不要使用“..”"),
        ));
    }
    if target.as_os_str().is_empty() || target.file_name().is_none() {
        return Err(refuse(
            "--out names no directory",
            "name a new directory for --out",
            ("--out 没有指定目录", "请为 --out 指定一个新目录"),
        ));
    }
    if std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(refuse(
            "--out is a symbolic link: the output is moved into place as a new directory, which a link cannot take",
            "name the directory itself, or a new one, for --out",
            ("--out 是符号链接，无法把输出目录移到该处", "请给出目录本身或一个新目录作为 --out"),
        ));
    }
    Ok(())
}

/// The directory that holds `target`'s staging directories: its nearest existing
/// ancestor (as `StagedDir::prepare` chooses it).
fn staging_home(target: &Path) -> PathBuf {
    let mut home = target.parent().map(Path::to_path_buf).unwrap_or_default();
    while !home.as_os_str().is_empty() && !home.is_dir() {
        home = home.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    if home.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        home
    }
}

/// Removes the staging directories of `target` that killed runs left: named
/// exactly `.<name>.disburse-tmp-<pid>`, a real directory (not a link) holding
/// [`MARKER`], whose process is gone. Returns the names removed.
pub fn remove_stale_staged(target: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else { return removed };
    let prefix = format!(".{name}.disburse-tmp-");
    let home = staging_home(target);
    let Ok(entries) = std::fs::read_dir(&home) else { return removed };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else { continue };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || pid.len() > 10 {
            continue;
        }
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || process_alive(pid) != Some(false) {
            continue;
        }
        let dir = entry.path();
        let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_dir());
        let marked = std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.file_type().is_file());
        if is_dir && marked && std::fs::remove_dir_all(&dir).is_ok() {
            removed.push(file_name);
        }
    }
    removed.sort();
    removed
}

/// Whether process `pid` is running: None when this system cannot tell (no `/proc`).
fn process_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_and_empty_are_refused() {
        assert!(check_out_path(Path::new("sub/../out")).is_err());
        assert!(check_out_path(Path::new("..")).is_err());
        assert!(check_out_path(Path::new("")).is_err());
        assert!(check_out_path(Path::new("out/2018-06")).is_ok());
        assert!(check_out_path(Path::new("./out")).is_ok());
    }

    #[test]
    fn our_own_process_is_alive() {
        assert_ne!(process_alive(std::process::id()), Some(false));
    }
}
