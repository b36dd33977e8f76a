//! `floor read PATH...`: every file read once and hashed (SHA-256), the files shared
//! out over the cores. The least any check of a run's files (`verify`) or any pass
//! over them can cost.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{timing, Res};

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else {
        files.push(path.to_path_buf());
    }
    Ok(())
}

fn hash(path: &Path) -> std::io::Result<u64> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    std::hint::black_box(hasher.finalize());
    Ok(bytes)
}

pub fn run(paths: &[String]) -> Res<()> {
    let t = Instant::now();
    let mut files = Vec::new();
    for p in paths {
        collect(Path::new(p), &mut files)?;
    }
    // The biggest first, so the two cores finish together.
    files.sort_by_key(|f| std::cmp::Reverse(f.metadata().map(|m| m.len()).unwrap_or(0)));
    let bytes: u64 = files.par_iter().map(|f| hash(f)).collect::<std::io::Result<Vec<u64>>>()?.iter().sum();
    println!("{} files, {bytes} bytes read and hashed", files.len());
    timing("read", t);
    Ok(())
}
