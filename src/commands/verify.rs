//! `disburse verify DIR`: is this run's output exactly what disburse wrote?
//!
//! Recomputes each output file's SHA-256 and row count against the manifest, walks the
//! audit hash chain to `audit_head`, checks the manifest is in the form disburse
//! writes and that its totals agree with the audit trail and the payment files.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::core::money::{fmt_amount, parse_amount};
use crate::error::{Fatal, FatalKind};
use crate::output::manifest::{Manifest, MANIFEST_FILE};
use crate::output::monthly::{AUDIT, ENTITLEMENTS, GENESIS, TRANSFERS};

/// The first broken place found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken(pub String);

/// Checks `dir`; `Ok(Ok(()))` when intact, `Ok(Err(..))` at the first mismatch.
pub fn verify(dir: &Path) -> Result<Result<(), Broken>, Fatal> {
    if !dir.is_dir() {
        return Err(Fatal::new(FatalKind::Usage, "not a directory", "name the output directory of a run")
            .in_file(dir.display().to_string()));
    }
    Ok(check(dir))
}

fn broken(s: impl Into<String>) -> Broken {
    Broken(s.into())
}

fn check(dir: &Path) -> Result<(), Broken> {
    let bytes = std::fs::read(dir.join(MANIFEST_FILE)).map_err(|e| broken(format!("{MANIFEST_FILE}: cannot read it: {e}")))?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| broken(format!("{MANIFEST_FILE}: not a disburse manifest: {e}")))?;
    if manifest.to_bytes() != bytes {
        return Err(broken(format!("{MANIFEST_FILE}: edited after it was written (not in the form disburse writes)")));
    }
    if manifest.tool != "disburse" {
        return Err(broken(format!("{MANIFEST_FILE}: tool is {:?}, not disburse", manifest.tool)));
    }
    for out in &manifest.outputs {
        if out.file.contains("..") || out.file.starts_with('/') {
            return Err(broken(format!("{MANIFEST_FILE}: output {:?} is outside the directory", out.file)));
        }
        let (sha, lines) = hash_file(&dir.join(&out.file)).map_err(|e| broken(format!("{}: cannot read it: {e}", out.file)))?;
        if sha != out.sha256 {
            return Err(broken(format!("{}: SHA-256 {sha} does not match the manifest's {}", out.file, out.sha256)));
        }
        let header = u64::from(out.file.ends_with(".csv"));
        if lines != out.rows + header {
            return Err(broken(format!("{}: {} rows where the manifest says {}", out.file, lines - header.min(lines), out.rows)));
        }
    }
    let listed = |name: &str| manifest.outputs.iter().any(|o| o.file == name);
    for required in [ENTITLEMENTS, AUDIT] {
        if !listed(required) {
            return Err(broken(format!("{MANIFEST_FILE}: does not list {required}")));
        }
    }
    let audit = walk_audit(&dir.join(AUDIT), &manifest)?;
    let t = &manifest.totals;
    if (audit.counts[0], audit.counts[1], audit.counts[2], audit.counts[3]) != (t.paid, t.held, t.excluded, t.rejected)
        || t.rows != t.paid + t.held + t.excluded + t.rejected
    {
        return Err(broken(format!("{MANIFEST_FILE}: totals do not agree with the decisions in {AUDIT}")));
    }
    if fmt_amount(audit.amount) != t.amount {
        return Err(broken(format!("{MANIFEST_FILE}: totals.amount {} but {AUDIT} pays {}", t.amount, fmt_amount(audit.amount))));
    }
    let ent = sum_column(&dir.join(ENTITLEMENTS), "amount")?;
    if fmt_amount(ent) != t.amount {
        return Err(broken(format!("{ENTITLEMENTS}: amounts sum to {} but the manifest says {}", fmt_amount(ent), t.amount)));
    }
    if listed(TRANSFERS) {
        let tr = sum_column(&dir.join(TRANSFERS), "amount")?;
        if fmt_amount(tr) != t.amount {
            return Err(broken(format!("{TRANSFERS}: amounts sum to {} but the manifest says {}", fmt_amount(tr), t.amount)));
        }
    }
    Ok(())
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok((crate::hex(&hasher.finalize()), lines))
}

struct AuditFacts {
    counts: [u64; 4],
    amount: Decimal,
}

fn walk_audit(path: &Path, manifest: &Manifest) -> Result<AuditFacts, Broken> {
    let f = std::fs::File::open(path).map_err(|e| broken(format!("{AUDIT}: cannot read it: {e}")))?;
    let mut prev = GENESIS.to_owned();
    let mut facts = AuditFacts { counts: [0; 4], amount: Decimal::ZERO };
    let mut reader = BufReader::with_capacity(1 << 20, f);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(|e| broken(format!("{AUDIT}: cannot read it: {e}")))?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.pop() != Some(b'\n') {
            return Err(broken(format!("{AUDIT}:{n}: the last line has no line end (the file was cut short)")));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&line).map_err(|e| broken(format!("{AUDIT}:{n}: not a JSON object: {e}")))?;
        if v.get("prev").and_then(|p| p.as_str()) != Some(prev.as_str()) {
            return Err(broken(format!("{AUDIT}:{n}: prev does not match the SHA-256 of line {} (the chain is broken here)", n - 1)));
        }
        if v.get("seq").and_then(|s| s.as_u64()) != Some(n) {
            return Err(broken(format!("{AUDIT}:{n}: seq is not {n}")));
        }
        let decision = v.get("decision").and_then(|d| d.as_str()).unwrap_or("");
        let k = match decision {
            "paid" => 0,
            "held" => 1,
            "excluded" => 2,
            "rejected" => 3,
            other => return Err(broken(format!("{AUDIT}:{n}: unknown decision {other:?}"))),
        };
        facts.counts[k] += 1;
        if k == 0 {
            let amount = v
                .get("amount")
                .and_then(|a| a.as_str())
                .and_then(|a| parse_amount(a).ok())
                .ok_or_else(|| broken(format!("{AUDIT}:{n}: a paid line without an amount")))?;
            facts.amount += amount;
        }
        prev = crate::hex(&Sha256::digest(&line));
    }
    if prev != manifest.audit_head {
        return Err(broken(format!("{AUDIT}: the last line's SHA-256 is not the manifest's audit_head (lines were removed or added)")));
    }
    Ok(facts)
}

fn sum_column(path: &Path, column: &str) -> Result<Decimal, Broken> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut rdr = csv::Reader::from_path(path).map_err(|e| broken(format!("{name}: cannot read it: {e}")))?;
    let idx = rdr
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c == column))
        .ok_or_else(|| broken(format!("{name}: no {column} column")))?;
    let mut sum = Decimal::ZERO;
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| broken(format!("{name}:{}: {e}", i + 2)))?;
        let amount = rec
            .get(idx)
            .and_then(|a| parse_amount(a).ok())
            .ok_or_else(|| broken(format!("{name}:{}: {column} is not an amount", i + 2)))?;
        sum += amount;
    }
    Ok(sum)
}
