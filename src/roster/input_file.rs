//! Input files are looked at before they are opened: a pipe, a device or a socket
//! given as a roster would block or never end, so only regular files are read; and
//! the same file given twice (by the same path, a symlink or a hard link) would make
//! every row a duplicate, so files are told apart by device and inode, not by name.

use std::fs::{File, Metadata};
use std::io::Read;

use crate::error::{Fatal, FatalKind};

/// What makes two paths the same file: device and inode on unix, the canonical path
/// elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileId {
    Inode(u64, u64),
    Path(std::path::PathBuf),
}

/// The identity of `path`'s file (following symlinks); None when it cannot be read.
pub fn file_id(path: &str) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    id_of(path, &meta)
}

#[cfg(unix)]
fn id_of(_path: &str, meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId::Inode(meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn id_of(path: &str, _meta: &Metadata) -> Option<FileId> {
    std::fs::canonicalize(path).ok().map(FileId::Path)
}

fn cannot_open(path: &str, what: &str, e: &std::io::Error) -> Fatal {
    let (why, fix) = crate::error::io_zh(e);
    Fatal::new(FatalKind::Input, format!("cannot open the {what}: {e}"), "check the file name and that you may read it")
        .zh(format!("无法打开{}：{why}", crate::error::thing_zh(what)), fix)
        .in_file(path)
}

/// Checks, without opening it, that `path` (the `what`, e.g. "roster") is a regular
/// file: a folder, pipe, device or socket is refused at once.
pub fn check_regular(path: &str, what: &str) -> Result<Metadata, Fatal> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_open(path, what, &e))?;
    if meta.is_dir() {
        return Err(Fatal::new(
            FatalKind::Input,
            format!("this is a folder, not a {what} file"),
            "name the files themselves",
        )
        .zh(format!("这是文件夹，不是{}文件", crate::error::thing_zh(what)), "请给出文件本身，而不是它所在的文件夹")
        .in_file(path));
    }
    if !meta.is_file() {
        return Err(Fatal::new(
            FatalKind::Input,
            format!("the {what} is not a regular file (a pipe, device or socket), so it is not read"),
            "save the data to a file and name that file",
        )
        .zh("这不是普通文件（管道、设备或套接字），不予读取", "请把数据保存为文件后给出该文件")
        .in_file(path));
    }
    Ok(meta)
}

/// Opens a regular file for reading (see [`check_regular`]); the file opened is
/// checked again, in case the name was pointed elsewhere in between.
pub fn open_regular(path: &str, what: &str) -> Result<File, Fatal> {
    let before = check_regular(path, what)?;
    let file = File::open(path).map_err(|e| cannot_open(path, what, &e))?;
    let same = file.metadata().is_ok_and(|m| m.is_file() && id_of(path, &m) == id_of(path, &before));
    if !same {
        return Err(Fatal::new(
            FatalKind::Input,
            format!("the {what} was replaced while disburse opened it"),
            "leave the file alone while disburse runs, and run again",
        )
        .zh("打开文件时该文件被替换了", "运行期间请勿改动该文件，然后重新运行")
        .in_file(path));
    }
    Ok(file)
}

/// Refuses the same file named twice among `paths` (the `what`s of one command),
/// naming both arguments.
pub fn refuse_same_file_twice(paths: &[String], what: &str) -> Result<(), Fatal> {
    let mut seen: Vec<(FileId, usize)> = Vec::with_capacity(paths.len());
    for (i, p) in paths.iter().enumerate() {
        let Some(id) = file_id(p) else { continue };
        if let Some((_, j)) = seen.iter().find(|(s, _)| *s == id) {
            let first = &paths[*j];
            return Err(Fatal::new(
                FatalKind::Usage,
                format!("{what} {first:?} and {p:?} are the same file (given twice, or through a link)"),
                "give each file once",
            )
            .zh(format!("“{first}”与“{p}”是同一个文件（重复给出，或经由链接）"), "每个文件只给一次"));
        }
        seen.push((id, i));
    }
    Ok(())
}

/// Reads a whole small file (policy, manifest) with a fatal error naming it.
pub fn read_all(path: &str, what: &str) -> Result<Vec<u8>, Fatal> {
    check_regular(path, what)?;
    let mut bytes = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| {
        let (why, fix) = crate::error::io_zh(&e);
        Fatal::new(
            FatalKind::Input,
            format!("cannot read the {what}: {e}"),
            "check the file name and that you may read it",
        )
        .zh(format!("无法读取{}：{why}", crate::error::thing_zh(what)), fix)
        .in_file(path)
    })?;
    Ok(bytes)
}
