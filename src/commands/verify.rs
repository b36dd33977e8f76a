//! `disburse verify DIR`: is this run's output exactly what disburse wrote?
//!
//! Recomputes each output file's SHA-256 and row count against the manifest, walks the
//! audit hash chain to `audit_head`, checks the manifest is in the form disburse
//! writes and that its totals agree with the audit trail and the payment files; then
//! the files against each other (`cross`, `bank`) and, with `--ledger`, the run
//! against what the ledger recorded (`ledger`).

mod audit_chain;
mod bank;
mod cross;
mod ledger;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::core::decision::DecisionCounts;
use crate::core::detail::Lang;
use crate::core::money::{fmt_amount, parse_amount};
use crate::core::policy::Policy;
use crate::core::record::Category;
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::Ledger;
use crate::output::manifest::{Group, Manifest, MANIFEST_FILE};
use crate::output::monthly::{AUDIT, ENTITLEMENTS, EXCEPTIONS, TRANSFERS};

/// The first broken place found: in English (`.0`) and in Chinese (`.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken(pub String, pub String);

impl Broken {
    /// The sentence for a person reading `lang`.
    pub fn say(&self, lang: Lang) -> &str {
        lang.pick(&self.0, &self.1)
    }
}

/// `disburse verify DIR [--ledger PATH]`: checks and says so on `notes`; exit 1 when
/// broken.
pub fn verify_command(dir: &Path, ledger: Option<&Path>, lang: Lang, notes: &mut dyn Write) -> Result<Finish, Fatal> {
    let shown = dir.display();
    match verify_against(dir, ledger, lang, notes)? {
        Ok(()) => {
            let _ = match lang {
                Lang::En => writeln!(
                    notes,
                    "{shown}: intact (hashes, audit chain and totals agree with the manifest; the files agree with each other{})",
                    if ledger.is_some() { "; the ledger recorded this run" } else { "" }
                ),
                Lang::Zh => writeln!(
                    notes,
                    "{shown}：完好（哈希值、审计链和合计与 manifest.json 一致，各文件之间相互一致{}）",
                    if ledger.is_some() { "，台账中有此批次的记录" } else { "" }
                ),
            };
            Ok(Finish::Done)
        }
        Err(b) => {
            let _ = match lang {
                Lang::En => writeln!(notes, "{shown}: BROKEN: {}", b.say(lang)),
                Lang::Zh => writeln!(notes, "{shown}：核验不通过：{}", b.say(lang)),
            };
            Ok(Finish::Mismatch)
        }
    }
}

/// Checks `dir`; `Ok(Ok(()))` when intact, `Ok(Err(..))` at the first mismatch.
pub fn verify(dir: &Path) -> Result<Result<(), Broken>, Fatal> {
    verify_against(dir, None, Lang::En, &mut std::io::sink())
}

/// Checks `dir` and, given a ledger, the run against it. A ledger that does not
/// exist is a fatal error: it is opened read-only and never created.
pub fn verify_against(
    dir: &Path,
    ledger: Option<&Path>,
    lang: Lang,
    notes: &mut dyn Write,
) -> Result<Result<(), Broken>, Fatal> {
    let ledger = ledger.map(|p| Ledger::open_to_check(p, lang, notes)).transpose()?;
    if !dir.is_dir() {
        return Err(Fatal::new(FatalKind::Usage, "not a directory", "name the output directory of a run")
            .zh("不是目录", "请给出某次运行的输出目录")
            .in_file(dir.display().to_string()));
    }
    Ok(check(dir, ledger.as_ref()))
}

/// A broken place, said in English and in Chinese.
fn broken(en: impl Into<String>, zh: impl Into<String>) -> Broken {
    Broken(en.into(), zh.into())
}

fn check(dir: &Path, ledger: Option<&Ledger>) -> Result<(), Broken> {
    let bytes = std::fs::read(dir.join(MANIFEST_FILE)).map_err(|e| {
        broken(format!("{MANIFEST_FILE}: cannot read it: {e}"), format!("{MANIFEST_FILE}：无法读取：{e}"))
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        broken(
            format!("{MANIFEST_FILE}: not a disburse manifest: {e}"),
            format!("{MANIFEST_FILE}：不是 disburse 写出的 manifest.json：{e}"),
        )
    })?;
    if manifest.to_bytes() != bytes {
        return Err(broken(
            format!("{MANIFEST_FILE}: edited after it was written (not in the form disburse writes)"),
            format!("{MANIFEST_FILE}：写出后被改动过（不是 disburse 写出的格式）"),
        ));
    }
    if manifest.tool != "disburse" {
        return Err(broken(
            format!("{MANIFEST_FILE}: tool is {:?}, not disburse", manifest.tool),
            format!("{MANIFEST_FILE}：tool 为{:?}，不是 disburse", manifest.tool),
        ));
    }
    for out in &manifest.outputs {
        if out.file.contains("..") || out.file.starts_with('/') {
            return Err(broken(
                format!("{MANIFEST_FILE}: output {:?} is outside the directory", out.file),
                format!("{MANIFEST_FILE}：输出文件{:?}在目录之外", out.file),
            ));
        }
        let (sha, lines) = hash_file(&dir.join(&out.file)).map_err(|e| {
            broken(format!("{}: cannot read it: {e}", out.file), format!("{}：无法读取：{e}", out.file))
        })?;
        if sha != out.sha256 {
            return Err(broken(
                format!("{}: SHA-256 {sha} does not match the manifest's {}", out.file, out.sha256),
                format!("{}：SHA-256 {sha} 与 manifest.json 中记载的 {} 不符（文件被改动过）", out.file, out.sha256),
            ));
        }
        // Rows as a CSV reader counts records (a quoted field may hold a line break);
        // audit.jsonl's lines as lines.
        let top = !out.file.contains('/');
        let rows = if top && out.file.ends_with(".csv") {
            Some(
                csv_records(&dir.join(&out.file))
                    .map_err(|e| broken(format!("{}:{e}", out.file), format!("{}：{e}", out.file)))?,
            )
        } else {
            (top && out.file.ends_with(".jsonl")).then_some(lines)
        };
        if let Some(rows) = rows.filter(|r| *r != out.rows) {
            return Err(broken(
                format!("{}: {rows} rows where the manifest says {}", out.file, out.rows),
                format!("{}：有{rows}行，而 manifest.json 记载为{}", out.file, out.rows),
            ));
        }
    }
    let listed = |name: &str| manifest.outputs.iter().any(|o| o.file == name);
    for required in [ENTITLEMENTS, AUDIT] {
        if !listed(required) {
            return Err(broken(
                format!("{MANIFEST_FILE}: does not list {required}"),
                format!("{MANIFEST_FILE}：没有列出 {required}"),
            ));
        }
    }
    let mut lockstep = cross::Lockstep::open(dir)?;
    let audit = audit_chain::walk_audit(&dir.join(AUDIT), &manifest, &mut lockstep)?;
    let t = &manifest.totals;
    let manifest_counts = DecisionCounts { paid: t.paid, held: t.held, excluded: t.excluded, rejected: t.rejected };
    if audit.counts != manifest_counts || t.rows != manifest_counts.rows() {
        return Err(broken(
            format!("{MANIFEST_FILE}: totals do not agree with the decisions in {AUDIT}"),
            format!("{MANIFEST_FILE}：合计与 {AUDIT} 中的处理结果不一致"),
        ));
    }
    if fmt_amount(audit.arrears) != t.arrears_amount {
        return Err(broken(
            format!(
                "{MANIFEST_FILE}: totals.arrears_amount {} but {AUDIT} owes {}",
                t.arrears_amount,
                fmt_amount(audit.arrears)
            ),
            format!(
                "{MANIFEST_FILE}：totals.arrears_amount 为{}，而 {AUDIT} 应补发{}",
                t.arrears_amount,
                fmt_amount(audit.arrears)
            ),
        ));
    }
    if fmt_amount(audit.amount) != t.amount {
        return Err(broken(
            format!("{MANIFEST_FILE}: totals.amount {} but {AUDIT} pays {}", t.amount, fmt_amount(audit.amount)),
            format!("{MANIFEST_FILE}：totals.amount 为{}，而 {AUDIT} 发放{}", t.amount, fmt_amount(audit.amount)),
        ));
    }
    // Each bank profile's files add up to the total.
    let mut by_profile: BTreeMap<&str, Decimal> = BTreeMap::new();
    for o in manifest.outputs.iter().filter(|o| o.file.starts_with("bank/")) {
        let profile = o.file.split('/').nth(1).unwrap_or("");
        let total = o.control_total.as_deref().and_then(|c| parse_amount(c).ok()).ok_or_else(|| {
            broken(
                format!("{MANIFEST_FILE}: {} has no control total", o.file),
                format!("{MANIFEST_FILE}：{}没有控制总额", o.file),
            )
        })?;
        *by_profile.entry(profile).or_default() += total;
    }
    for (profile, total) in by_profile {
        if fmt_amount(total) != t.amount {
            return Err(broken(
                format!(
                    "bank/{profile}: the files' control totals add up to {} but the run pays {}",
                    fmt_amount(total),
                    t.amount
                ),
                format!("bank/{profile}：各文件的控制总额合计{}，而本批次发放{}", fmt_amount(total), t.amount),
            ));
        }
    }
    let inputs: u64 = manifest.inputs.iter().map(|i| i.rows).sum();
    if inputs != t.rows {
        return Err(broken(
            format!("{MANIFEST_FILE}: the inputs' rows add up to {inputs}, not totals.rows {}", t.rows),
            format!("{MANIFEST_FILE}：各输入文件行数合计{inputs}，不等于 totals.rows {}", t.rows),
        ));
    }
    let dry = match manifest.mode.as_str() {
        "run" => false,
        "dry-run" => true,
        other => {
            return Err(broken(
                format!("{MANIFEST_FILE}: unknown mode {other:?}"),
                format!("{MANIFEST_FILE}：未知的方式{other:?}"),
            ))
        }
    };
    if dry == listed(TRANSFERS) {
        return Err(broken(
            format!(
                "{MANIFEST_FILE}: mode {} but transfers.csv is {}listed",
                manifest.mode,
                if dry { "" } else { "not " }
            ),
            format!(
                "{MANIFEST_FILE}：方式为 {}，但{}列出 transfers.csv",
                manifest.mode,
                if dry { "却" } else { "没有" }
            ),
        ));
    }
    if manifest.policy.name == "hunan-2018" && manifest.policy.sha256 != Policy::hunan_2018().sha256 {
        return Err(broken(
            format!("{MANIFEST_FILE}: policy.sha256 is not that of the built-in hunan-2018"),
            format!("{MANIFEST_FILE}：policy.sha256 不是内置政策 hunan-2018 的"),
        ));
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
        return Err(broken(
            format!(
                "{ENTITLEMENTS}: arrears lines sum to {} but the manifest says {}",
                fmt_amount(ent.arrears),
                t.arrears_amount
            ),
            format!(
                "{ENTITLEMENTS}：补发行合计{}，而 manifest.json 记载为{}",
                fmt_amount(ent.arrears),
                t.arrears_amount
            ),
        ));
    }
    if fmt_amount(ent.amount) != t.amount {
        return Err(broken(
            format!("{ENTITLEMENTS}: amounts sum to {} but the manifest says {}", fmt_amount(ent.amount), t.amount),
            format!("{ENTITLEMENTS}：金额合计{}，而 manifest.json 记载为{}", fmt_amount(ent.amount), t.amount),
        ));
    }
    if groups(&ent.by_category) != manifest.by_category || groups(&ent.by_region) != manifest.by_region {
        return Err(broken(
            format!("{MANIFEST_FILE}: by_category or by_region does not agree with {ENTITLEMENTS}"),
            format!("{MANIFEST_FILE}：by_category 或 by_region 与 {ENTITLEMENTS} 不一致"),
        ));
    }
    read_payments(&dir.join(EXCEPTIONS), &manifest.period)?;
    if listed(TRANSFERS) {
        let tr = read_payments(&dir.join(TRANSFERS), &manifest.period)?;
        if fmt_amount(tr.amount) != t.amount {
            return Err(broken(
                format!("{TRANSFERS}: amounts sum to {} but the manifest says {}", fmt_amount(tr.amount), t.amount),
                format!("{TRANSFERS}：金额合计{}，而 manifest.json 记载为{}", fmt_amount(tr.amount), t.amount),
            ));
        }
        if tr.rows != t.transfers {
            return Err(broken(
                format!("{TRANSFERS}: {} transfers but the manifest says {}", tr.rows, t.transfers),
                format!("{TRANSFERS}：有{}笔转账，而 manifest.json 记载为{}", tr.rows, t.transfers),
            ));
        }
    }
    let transfers = lockstep.finish(dir, &manifest.period, !dry)?;
    if !dry {
        bank::check(dir, &manifest, &transfers)?;
    }
    if let Some(l) = ledger {
        ledger::check(dir, &bytes, &manifest, l)?;
    }
    Ok(())
}

/// How many records (the header aside) a CSV reader finds in a file.
fn csv_records(path: &Path) -> Result<u64, String> {
    let mut rdr =
        csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| format!(" cannot read it: {e}"))?;
    let mut n = 0u64;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => n += 1,
            Ok(false) => return Ok(n),
            Err(e) => return Err(format!("{}: {e}", e.position().map_or(0, |p| p.line()))),
        }
    }
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
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| broken(format!("{name}: cannot read it: {e}"), format!("{name}：无法读取：{e}")))?;
    let headers = rdr.headers().map_err(|e| broken(format!("{name}: {e}"), format!("{name}：{e}")))?.clone();
    let col = |c: &str| headers.iter().position(|h| h == c);
    let (amount, category, region, period_col) = (col("amount"), col("category"), col("region_code"), col("period"));
    let (kind, source) = (col("kind"), col("source"));
    let mut p = Payments::default();
    let mut last_source = String::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| broken(format!("{name}:{line}: {e}"), format!("{name}:{line}：{e}")))?;
        p.rows += 1;
        if period_col.and_then(|c| rec.get(c)) != Some(period) {
            return Err(broken(
                format!("{name}:{line}: the period is not the manifest's {period}"),
                format!("{name}:{line}：发放年月不是 manifest.json 中的{period}"),
            ));
        }
        let Some(a) = amount else { continue };
        let value = rec.get(a).and_then(|v| parse_amount(v).ok()).ok_or_else(|| {
            broken(format!("{name}:{line}: amount is not an amount"), format!("{name}:{line}：金额不是有效的数字"))
        })?;
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
