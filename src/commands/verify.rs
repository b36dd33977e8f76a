//! `disburse verify DIR`: is this run's output exactly what disburse wrote?
//!
//! Recomputes each output file's SHA-256 and row count against the manifest, walks the
//! audit hash chain to `audit_head`, checks the manifest is in the form disburse
//! writes and that its totals agree with the audit trail and the payment files.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::core::decision::{Decision, DecisionCounts};
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::policy::Policy;
use crate::core::record::Category;
use crate::error::{Fatal, FatalKind};
use crate::output::manifest::{Group, Manifest, MANIFEST_FILE};
use crate::output::monthly::{AUDIT, ENTITLEMENTS, EXCEPTIONS, GENESIS, TRANSFERS};

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
    let bytes =
        std::fs::read(dir.join(MANIFEST_FILE)).map_err(|e| broken(format!("{MANIFEST_FILE}: cannot read it: {e}")))?;
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
        let (sha, lines) =
            hash_file(&dir.join(&out.file)).map_err(|e| broken(format!("{}: cannot read it: {e}", out.file)))?;
        if sha != out.sha256 {
            return Err(broken(format!("{}: SHA-256 {sha} does not match the manifest's {}", out.file, out.sha256)));
        }
        let header = u64::from(out.file.ends_with(".csv"));
        let text = !out.file.contains('/') && (out.file.ends_with(".csv") || out.file.ends_with(".jsonl"));
        if text && lines != out.rows + header {
            return Err(broken(format!(
                "{}: {} rows where the manifest says {}",
                out.file,
                lines - header.min(lines),
                out.rows
            )));
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
    let manifest_counts = DecisionCounts { paid: t.paid, held: t.held, excluded: t.excluded, rejected: t.rejected };
    if audit.counts != manifest_counts || t.rows != manifest_counts.rows() {
        return Err(broken(format!("{MANIFEST_FILE}: totals do not agree with the decisions in {AUDIT}")));
    }
    if fmt_amount(audit.arrears) != t.arrears_amount {
        return Err(broken(format!(
            "{MANIFEST_FILE}: totals.arrears_amount {} but {AUDIT} owes {}",
            t.arrears_amount,
            fmt_amount(audit.arrears)
        )));
    }
    if fmt_amount(audit.amount) != t.amount {
        return Err(broken(format!(
            "{MANIFEST_FILE}: totals.amount {} but {AUDIT} pays {}",
            t.amount,
            fmt_amount(audit.amount)
        )));
    }
    // Each bank profile's files add up to the total.
    let mut by_profile: BTreeMap<&str, Decimal> = BTreeMap::new();
    for o in manifest.outputs.iter().filter(|o| o.file.starts_with("bank/")) {
        let profile = o.file.split('/').nth(1).unwrap_or("");
        let total = o
            .control_total
            .as_deref()
            .and_then(|c| parse_amount(c).ok())
            .ok_or_else(|| broken(format!("{MANIFEST_FILE}: {} has no control total", o.file)))?;
        *by_profile.entry(profile).or_default() += total;
    }
    for (profile, total) in by_profile {
        if fmt_amount(total) != t.amount {
            return Err(broken(format!(
                "bank/{profile}: the files' control totals add up to {} but the run pays {}",
                fmt_amount(total),
                t.amount
            )));
        }
    }
    let inputs: u64 = manifest.inputs.iter().map(|i| i.rows).sum();
    if inputs != t.rows {
        return Err(broken(format!(
            "{MANIFEST_FILE}: the inputs' rows add up to {inputs}, not totals.rows {}",
            t.rows
        )));
    }
    let dry = match manifest.mode.as_str() {
        "run" => false,
        "dry-run" => true,
        other => return Err(broken(format!("{MANIFEST_FILE}: unknown mode {other:?}"))),
    };
    if dry == listed(TRANSFERS) {
        return Err(broken(format!(
            "{MANIFEST_FILE}: mode {} but transfers.csv is {}listed",
            manifest.mode,
            if dry { "" } else { "not " }
        )));
    }
    if manifest.policy.name == "hunan-2018" && manifest.policy.sha256 != Policy::hunan_2018().sha256 {
        return Err(broken(format!("{MANIFEST_FILE}: policy.sha256 is not that of the built-in hunan-2018")));
    }
    let mut ent = read_payments(&dir.join(ENTITLEMENTS), &manifest.period)?;
    // by_category lists every category of the policy, paid or not.
    for c in manifest.by_category.keys() {
        ent.by_category.entry(c.clone()).or_default();
    }
    if manifest.policy.name == "hunan-2018" {
        for c in Category::BUILT_IN_POLICY {
            ent.by_category.entry(c.as_str().to_owned()).or_default();
        }
    }
    if fmt_amount(ent.arrears) != t.arrears_amount {
        return Err(broken(format!(
            "{ENTITLEMENTS}: arrears lines sum to {} but the manifest says {}",
            fmt_amount(ent.arrears),
            t.arrears_amount
        )));
    }
    if fmt_amount(ent.amount) != t.amount {
        return Err(broken(format!(
            "{ENTITLEMENTS}: amounts sum to {} but the manifest says {}",
            fmt_amount(ent.amount),
            t.amount
        )));
    }
    if groups(&ent.by_category) != manifest.by_category || groups(&ent.by_region) != manifest.by_region {
        return Err(broken(format!("{MANIFEST_FILE}: by_category or by_region does not agree with {ENTITLEMENTS}")));
    }
    read_payments(&dir.join(EXCEPTIONS), &manifest.period)?;
    if listed(TRANSFERS) {
        let tr = read_payments(&dir.join(TRANSFERS), &manifest.period)?;
        if fmt_amount(tr.amount) != t.amount {
            return Err(broken(format!(
                "{TRANSFERS}: amounts sum to {} but the manifest says {}",
                fmt_amount(tr.amount),
                t.amount
            )));
        }
        if tr.rows != t.transfers {
            return Err(broken(format!("{TRANSFERS}: {} transfers but the manifest says {}", tr.rows, t.transfers)));
        }
    }
    Ok(())
}

fn groups(m: &BTreeMap<String, (u64, Decimal)>) -> BTreeMap<String, Group> {
    m.iter().map(|(k, (n, a))| (k.clone(), Group { children: *n, amount: fmt_amount(*a) })).collect()
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
    counts: DecisionCounts,
    amount: Decimal,
    arrears: Decimal,
}

fn walk_audit(path: &Path, manifest: &Manifest) -> Result<AuditFacts, Broken> {
    let f = std::fs::File::open(path).map_err(|e| broken(format!("{AUDIT}: cannot read it: {e}")))?;
    let mut prev = GENESIS.to_owned();
    let mut facts = AuditFacts { counts: DecisionCounts::default(), amount: Decimal::ZERO, arrears: Decimal::ZERO };
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
            return Err(broken(format!(
                "{AUDIT}:{n}: prev does not match the SHA-256 of line {} (the chain is broken here)",
                n - 1
            )));
        }
        if v.get("seq").and_then(|s| s.as_u64()) != Some(n) {
            return Err(broken(format!("{AUDIT}:{n}: seq is not {n}")));
        }
        let decision = v.get("decision").and_then(|d| d.as_str()).unwrap_or("");
        let Some(decision) = Decision::parse(decision) else {
            return Err(broken(format!("{AUDIT}:{n}: unknown decision {decision:?}")));
        };
        facts.counts.add(decision);
        if decision == Decision::Paid {
            let amount = v
                .get("amount")
                .and_then(|a| a.as_str())
                .and_then(|a| parse_amount(a).ok())
                .ok_or_else(|| broken(format!("{AUDIT}:{n}: a paid line without an amount")))?;
            facts.amount += amount;
        }
        if let Some(months) = v.get("arrears").and_then(|a| a.as_array()) {
            for m in months {
                let owed = m
                    .get("owed")
                    .and_then(|a| a.as_str())
                    .and_then(|a| parse_amount(a).ok())
                    .ok_or_else(|| broken(format!("{AUDIT}:{n}: an arrears month without an amount owed")))?;
                facts.amount += owed;
                facts.arrears += owed;
            }
        }
        prev = crate::hex(&Sha256::digest(&line));
    }
    if prev != manifest.audit_head {
        return Err(broken(format!(
            "{AUDIT}: the last line's SHA-256 is not the manifest's audit_head (lines were removed or added)"
        )));
    }
    Ok(facts)
}

/// What a CSV output says: rows, amount (where it has one), groups, all of one period.
#[derive(Default)]
struct Payments {
    rows: u64,
    amount: Decimal,
    /// Amounts on `kind=arrears` lines.
    arrears: Decimal,
    by_category: BTreeMap<String, (u64, Decimal)>,
    by_region: BTreeMap<String, (u64, Decimal)>,
}

fn read_payments(path: &Path, period: &str) -> Result<Payments, Broken> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut rdr = csv::Reader::from_path(path).map_err(|e| broken(format!("{name}: cannot read it: {e}")))?;
    let headers = rdr.headers().map_err(|e| broken(format!("{name}: {e}")))?.clone();
    let col = |c: &str| headers.iter().position(|h| h == c);
    let (amount, category, region, period_col) = (col("amount"), col("category"), col("region_code"), col("period"));
    let (kind, source) = (col("kind"), col("source"));
    let mut p = Payments::default();
    let mut last_source = String::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| broken(format!("{name}:{line}: {e}")))?;
        p.rows += 1;
        if period_col.and_then(|c| rec.get(c)) != Some(period) {
            return Err(broken(format!("{name}:{line}: the period is not the manifest's {period}")));
        }
        let Some(a) = amount else { continue };
        let value = rec
            .get(a)
            .and_then(|v| parse_amount(v).ok())
            .ok_or_else(|| broken(format!("{name}:{line}: amount is not an amount")))?;
        p.amount += value;
        if kind.and_then(|c| rec.get(c)) == Some("arrears") {
            p.arrears += value;
        }
        // A child's arrears line follows its regular line: one child, one source.
        let this_source = source.and_then(|c| rec.get(c)).unwrap_or("");
        let new_child = source.is_none() || this_source != last_source;
        last_source = this_source.to_owned();
        for (col, map) in [(category, &mut p.by_category), (region, &mut p.by_region)] {
            if let Some(key) = col.and_then(|c| rec.get(c)) {
                let g = map.entry(key.to_owned()).or_default();
                g.0 += u64::from(new_child);
                g.1 += value;
            }
        }
    }
    Ok(p)
}
