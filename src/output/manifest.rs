//! `manifest.json`: what a run read, decided and wrote, with hashes to check it by.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sink::OutputInfo;

/// The manifest of SPEC section 4, members in contract order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub mode: String,
    pub period: String,
    pub policy: PolicyInfo,
    /// `--roster-profile`'s path and SHA-256, when one was given (SPEC section 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster_profile: Option<ProfileInfo>,
    pub ceiling: String,
    pub inputs: Vec<InputInfo>,
    pub outputs: Vec<OutputInfo>,
    pub totals: Totals,
    pub by_category: BTreeMap<String, Group>,
    pub by_region: BTreeMap<String, Group>,
    pub audit_head: String,
    /// The ledger's id for this run (real runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_run: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub name: String,
    pub sha256: String,
}

/// The roster profile a run read its rosters with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInfo {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputInfo {
    pub path: String,
    pub sha256: String,
    pub encoding: String,
    pub rows: u64,
    pub blank_rows: u64,
    /// Rows above the header (title, 填报单位...): SPEC section 15.
    #[serde(default)]
    pub preamble_rows: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub rows: u64,
    pub paid: u64,
    pub held: u64,
    pub excluded: u64,
    pub rejected: u64,
    pub amount: String,
    /// Back pay included in `amount` (SPEC section 8).
    pub arrears_amount: String,
    pub transfers: u64,
}

/// Paid children and amount of one category or region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub children: u64,
    pub amount: String,
}

pub const MANIFEST_FILE: &str = "manifest.json";

impl Manifest {
    /// The exact bytes disburse writes: pretty JSON and a final line end.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serializes");
        v.push(b'\n');
        v
    }
}

/// Writes a command's `manifest.json` (pretty JSON, a final line end) into the staged
/// directory, fsynced; returns its bytes.
pub fn write_json(
    staged: &super::staged::StagedDir,
    out: &std::path::Path,
    value: &impl Serialize,
) -> Result<Vec<u8>, crate::error::Fatal> {
    use std::io::Write;
    let mut bytes = serde_json::to_vec_pretty(value).expect("a manifest serializes");
    bytes.push(b'\n');
    let mut file = staged.create(MANIFEST_FILE)?;
    file.write_all(&bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| crate::error::Fatal::io(&out.join(MANIFEST_FILE), "writing the manifest", &e))?;
    Ok(bytes)
}
