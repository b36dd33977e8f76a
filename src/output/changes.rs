//! `changes.csv`: what changed since the ledger's previous live month, the first thing
//! a clerk checks before paying (SPEC section 10). Children `added` (paid now, not
//! then), `removed` (paid then, not now, with the reason), `amount_changed`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_decimal::Decimal;

use super::csvline::push_row;
use super::monthly::SeenChild;
use super::sink::{OutputInfo, Sink};
use super::staged::StagedDir;
use crate::core::money::fmt_amount;
use crate::core::text::defuse;
use crate::error::Fatal;

pub const CHANGES: &str = "changes.csv";
const HEADER: [&str; 6] = ["change", "child_id", "name", "previous_amount", "amount", "reason"];

/// Writes `changes.csv`; returns its manifest entry and the counts (added, removed,
/// amount_changed).
pub fn write_changes(
    staged: &StagedDir,
    out: &Path,
    children: &[SeenChild],
    previous: &HashMap<String, Decimal>,
    bom: bool,
) -> Result<(OutputInfo, [u64; 3]), Fatal> {
    let mut sink = Sink::new(CHANGES, out.join(CHANGES), staged.create(CHANGES)?);
    let mut buf = Vec::new();
    sink.write_raw(&super::monthly::header(&HEADER, bom))?;
    let mut counts = [0u64; 3];
    let mut seen: HashSet<&str> = HashSet::new();
    // A child on several rows (a duplicate) is paid now if any row is.
    let mut now: HashMap<&str, &SeenChild> = HashMap::new();
    for c in children {
        match now.get(c.child_id.as_str()) {
            Some(existing) if existing.paid.is_some() => {}
            _ => {
                now.insert(c.child_id.as_str(), c);
            }
        }
    }
    let mut write = |fields: [&str; 6], k: usize| -> Result<(), Fatal> {
        buf.clear();
        push_row(&mut buf, &fields.map(|f| defuse(f).into_owned()));
        counts[k] += 1;
        sink.write_row(&buf)
    };
    for c in children {
        if !seen.insert(c.child_id.as_str()) {
            continue;
        }
        let c = now[c.child_id.as_str()];
        let before = previous.get(&c.child_id).copied();
        match (before, c.paid) {
            (None, Some(a)) => write(["added", &c.child_id, &c.name, "", &fmt_amount(a), ""], 0)?,
            (Some(b), None) => {
                let reason = c.reason.map(|r| r.code()).unwrap_or("");
                write(["removed", &c.child_id, &c.name, &fmt_amount(b), "", reason], 1)?
            }
            (Some(b), Some(a)) if a != b => {
                write(["amount_changed", &c.child_id, &c.name, &fmt_amount(b), &fmt_amount(a), ""], 2)?
            }
            _ => {}
        }
    }
    // Paid last month, and not on today's roster at all.
    let mut gone: Vec<(&String, &Decimal)> = previous.iter().filter(|(id, _)| !now.contains_key(id.as_str())).collect();
    gone.sort();
    for (id, b) in gone {
        write(["removed", id, "", &fmt_amount(*b), "", "NOT_ON_ROSTER"], 1)?;
    }
    Ok((sink.finish()?, counts))
}
