//! The batch pipeline: every row of every roster file to exactly one decision.
//!
//! Two streaming passes over the files. The first checks every row in parallel and
//! builds the [`RosterIndex`] (duplicate IDs, payee conflicts, policy coverage); the
//! second checks and decides every row again in parallel, batch by batch, and hands
//! each batch in input order to a consumer that writes it. Nothing holds all rows, so
//! memory follows the number of children and accounts, not the size of the files.

pub mod index;
pub mod progress;
pub mod row;

use std::borrow::Cow;
use std::time::SystemTime;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::core::arrears::{arrears_due, ArrearsMonth};
use crate::core::decision::{decide, Decision, Entitlement, Outcome, RosterFlags};
use crate::core::detail::Detail;
use crate::core::month::Month;
use crate::core::payment::History;
use crate::core::policy::{PeriodStandards, Policy};
use crate::core::reason::Reason;
use crate::core::record::{Category, Record};
use crate::error::{Fatal, FatalKind};
use crate::roster::{EncodingChoice, RawRow, RosterFile};
pub use index::RosterIndex;
pub use progress::{Progress, Silent};
use row::{check_row, Checked};

/// Rows read and decided together.
pub const BATCH_ROWS: usize = 16 * 1024;

/// What deciding needs besides the rows.
#[derive(Debug, Clone)]
pub struct Rules<'h> {
    pub period: Month,
    pub standards: PeriodStandards,
    pub ceiling: Decimal,
    /// With `--arrears`: today's policy (standards of past months) and the ledger's
    /// history before the period.
    pub arrears: Option<(&'h Policy, &'h History)>,
}

/// The decision for one data row, borrowing its text from the batch being read.
#[derive(Debug, Clone)]
pub struct RowOutcome<'a> {
    /// Line the row starts on (the file is the batch's).
    pub line: u64,
    pub decision: Decision,
    pub reason: Option<Reason>,
    /// A sentence for the clerk (`Detail::None` when paid).
    pub detail: Detail,
    /// What the whole roster says about the row (valid rows; none otherwise).
    pub flags: RosterFlags,
    pub subject: Subject<'a>,
    /// The standard for the child in the period (valid rows).
    pub standard: Option<Decimal>,
    /// What is paid (paid rows only).
    pub entitlement: Option<Entitlement>,
    /// Back pay owed for earlier months (valid rows that are not held, with `--arrears`).
    pub arrears: Vec<ArrearsMonth>,
}

/// Who the row is about: a valid record, or the values as found on a rejected row.
#[derive(Debug, Clone)]
pub enum Subject<'a> {
    Valid(Record<'a>),
    AsFound { child_id: Cow<'a, str>, name: Cow<'a, str> },
}

impl RowOutcome<'_> {
    /// The ID, normalized when valid, as found otherwise.
    pub fn child_id(&self) -> &str {
        match &self.subject {
            Subject::Valid(r) => r.child_id.as_str(),
            Subject::AsFound { child_id, .. } => child_id,
        }
    }

    pub fn name(&self) -> &str {
        match &self.subject {
            Subject::Valid(r) => &r.name,
            Subject::AsFound { name, .. } => name,
        }
    }

    /// The back pay of this row, summed over its months.
    pub fn arrears_total(&self) -> Decimal {
        self.arrears.iter().map(|a| a.owed).sum()
    }

    pub fn record(&self) -> Option<&Record<'_>> {
        match &self.subject {
            Subject::Valid(r) => Some(r),
            Subject::AsFound { .. } => None,
        }
    }
}

/// Where pass 2's decisions go. `render` runs in parallel on chunks of consecutive
/// rows (so the costly per-row work is spread over the cores); `accept` then takes
/// a batch's chunks, in input order, on one thread.
pub trait DecisionSink: Sync {
    type Chunk: Send;

    /// Renders rows of the file `path`; the first has audit sequence `first_seq`.
    fn render(&self, path: &str, first_seq: u64, rows: &[RowOutcome<'_>]) -> Self::Chunk;

    /// Takes the chunks of one batch, in order.
    fn accept(&mut self, chunks: Vec<Self::Chunk>) -> Result<(), Fatal>;
}

/// Rows decided and rendered together by one worker.
pub const CHUNK_ROWS: usize = 512;

/// Counts for one input file, for the manifest.
#[derive(Debug, Clone)]
pub struct InputSummary {
    pub path: String,
    pub sha256: String,
    pub encoding: String,
    pub rows: u64,
    pub blank_rows: u64,
    pub preamble_rows: u64,
}

/// A roster: the files given to one run, inspected (hash, encoding, header).
pub struct Roster {
    pub files: Vec<RosterFile>,
    stamps: Vec<Option<(u64, SystemTime)>>,
    /// Told how many rows each pass has done.
    progress: Box<dyn Progress>,
}

impl std::fmt::Debug for Roster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Roster").field("files", &self.files).field("stamps", &self.stamps).finish_non_exhaustive()
    }
}

impl Roster {
    /// Inspects every file; any unreadable file or bad header is fatal.
    pub fn open(paths: &[String], choice: EncodingChoice, sheet: Option<&str>) -> Result<Roster, Fatal> {
        Roster::open_with(paths, choice, sheet, std::sync::Arc::default())
    }

    /// `open` with a roster profile (SPEC section 15).
    pub fn open_with(
        paths: &[String],
        choice: EncodingChoice,
        sheet: Option<&str>,
        profile: std::sync::Arc<crate::roster::profile::RosterProfile>,
    ) -> Result<Roster, Fatal> {
        for p in paths {
            crate::roster::input_file::check_regular(p, "roster")?;
        }
        crate::roster::input_file::refuse_same_file_twice(paths, "the rosters")?;
        let files: Vec<RosterFile> = paths
            .iter()
            .map(|p| RosterFile::inspect_with(p, choice, sheet, profile.clone()))
            .collect::<Result<_, _>>()?;
        let stamps = paths.iter().map(|p| stamp(p)).collect();
        Ok(Roster { files, stamps, progress: Box::new(Silent) })
    }

    /// Reports the passes' progress to `progress` (nothing is told by default).
    pub fn report_progress(&mut self, progress: Box<dyn Progress>) {
        self.progress = progress;
    }

    /// Tells the listener the passes are over.
    pub fn progress_done(&self) {
        self.progress.finish();
    }

    /// Pass 1: checks every row and indexes the valid ones.
    pub fn index(&self) -> Result<RosterIndex, Fatal> {
        let mut builder = index::IndexBuilder::default();
        let mut checked = 0u64;
        for (file_no, file) in self.files.iter().enumerate() {
            file.rows()?.for_each_batch(BATCH_ROWS, |batch| {
                let keys: Vec<index::RowKeys> = batch
                    .par_iter()
                    .filter_map(|raw| match check_row(raw, &file.columns, file.detected.encoding) {
                        Checked::Valid(rec) => Some(index::RowKeys::of(&rec, raw.line)),
                        Checked::Rejected { .. } => None,
                    })
                    .collect();
                for k in keys {
                    builder.add(k, file_no);
                }
                checked += batch.len() as u64;
                self.progress.checked(batch.len() as u64);
                Ok(())
            })?;
        }
        self.progress.deciding(checked);
        Ok(builder.finish(self.files.iter().map(|f| std::sync::Arc::from(f.path.as_str())).collect()))
    }

    /// Every valid row's category and region must have a standard in the period.
    pub fn check_coverage(&self, index: &RosterIndex, rules: &Rules<'_>) -> Result<(), Fatal> {
        let first_gap = index
            .coverage
            .iter()
            .filter(|((region, category), _)| {
                rules.standards.standard(*category, std::str::from_utf8(region).unwrap_or("")).is_none()
            })
            .min_by_key(|(_, at)| **at);
        match first_gap {
            None => Ok(()),
            Some(((region, category), (file, line))) => {
                Err(policy_gap(*category, &String::from_utf8_lossy(region), rules.period, false)
                    .in_file(self.files[*file].path.clone())
                    .at_line(*line))
            }
        }
    }

    /// Pass 2: decides every row, chunk by chunk in parallel, and hands the rendered
    /// chunks, in input order, to `sink`.
    pub fn decide<S: DecisionSink>(
        &self,
        index: &RosterIndex,
        rules: &Rules<'_>,
        sink: &mut S,
    ) -> Result<Vec<InputSummary>, Fatal> {
        let mut summaries = Vec::with_capacity(self.files.len());
        let mut seq = 0u64;
        for (file_no, (file, stamp_before)) in self.files.iter().zip(&self.stamps).enumerate() {
            let reader = file.rows()?.for_each_batch(BATCH_ROWS, |batch| {
                let shared: &S = sink;
                let chunks: Vec<S::Chunk> = batch
                    .par_chunks(CHUNK_ROWS)
                    .enumerate()
                    .map(|(k, raws)| {
                        let outcomes: Vec<RowOutcome<'_>> = raws
                            .iter()
                            .map(|raw| decide_row(raw, (file_no, file), index, rules))
                            .collect::<Result<_, _>>()?;
                        Ok(shared.render(&file.path, seq + (k * CHUNK_ROWS) as u64 + 1, &outcomes))
                    })
                    .collect::<Result<_, Fatal>>()?;
                seq += batch.len() as u64;
                self.progress.decided(batch.len() as u64);
                sink.accept(chunks)
            })?;
            if stamp(&file.path) != *stamp_before {
                return Err(Fatal::new(
                    FatalKind::Input,
                    "the file changed while disburse was reading it",
                    "close any program editing the roster and run again",
                )
                .zh("读取过程中文件被修改了", "请关闭正在编辑花名册的程序后重新运行")
                .in_file(file.path.clone()));
            }
            summaries.push(InputSummary {
                path: file.path.clone(),
                sha256: file.sha256.clone(),
                encoding: file.label.clone(),
                rows: reader.rows,
                blank_rows: reader.blank_rows(),
                preamble_rows: file.preamble_rows,
            });
        }
        Ok(summaries)
    }
}

fn decide_row<'a>(
    raw: &'a RawRow,
    (file_no, file): (usize, &RosterFile),
    index: &RosterIndex,
    rules: &Rules<'_>,
) -> Result<RowOutcome<'a>, Fatal> {
    Ok(match check_row(raw, &file.columns, file.detected.encoding) {
        Checked::Rejected { rejection, child_id, name } => RowOutcome {
            line: raw.line,
            decision: Decision::Rejected,
            reason: Some(rejection.reason),
            detail: rejection.detail,
            flags: RosterFlags::default(),
            subject: Subject::AsFound { child_id, name },
            standard: None,
            entitlement: None,
            arrears: Vec::new(),
        },
        Checked::Valid(rec) => {
            // Coverage was checked in pass 1, so every valid row has a standard; a row
            // without one (the file changed in between?) is fatal, never paid 0.
            let standard = rules.standards.standard(rec.category, &rec.region_code).ok_or_else(|| {
                policy_gap(rec.category, &rec.region_code, rules.period, false)
                    .in_file(file.path.clone())
                    .at_line(raw.line)
            })?;
            let flags = index.flags(&rec, file_no, raw.line);
            let outcome = decide(&rec, rules.period, standard, flags.clone(), rules.ceiling);
            let (decision, reason, detail, entitlement) = match outcome {
                Outcome::Paid(e) => (Decision::Paid, None, Detail::None, Some(e)),
                Outcome::NotPaid { decision, reason, detail } => (decision, Some(reason), detail, None),
            };
            let arrears = match rules.arrears {
                Some((policy, history)) if decision != Decision::Held => {
                    arrears_due(&rec, &history.live_months, history.of(rec.child_id.key()), |c, r, m| {
                        policy.standard(c, r, m)
                    })
                    .map_err(|gap| {
                        policy_gap(gap.category, &gap.region_code, gap.month, true)
                            .in_file(file.path.clone())
                            .at_line(raw.line)
                    })?
                }
                _ => Vec::new(),
            };
            RowOutcome {
                line: raw.line,
                decision,
                reason,
                detail,
                flags,
                subject: Subject::Valid(rec),
                standard: Some(standard),
                entitlement,
                arrears,
            }
        }
    })
}

/// The policy has no standard for a child's category and region in a month (of the
/// period, or with `back_pay` a month already in the ledger).
fn policy_gap(category: Category, region: &str, month: Month, back_pay: bool) -> Fatal {
    use crate::core::detail::Lang;
    use crate::core::glossary::{self, Group};
    let (en_pre, en_fix, zh_pre, zh_fix) = if back_pay {
        (
            "for back pay, ",
            "add policy rows covering the months already in the ledger, or run without --arrears",
            "补发时，",
            "请在政策文件中补上台账中已有月份的标准，或去掉 --arrears 再运行",
        )
    } else {
        (
            "",
            "add a policy row for this category and region (or an empty prefix) effective on or before the period",
            "",
            "请在政策文件中为该供养方式和行政区划代码（或空前缀）加一行，生效年月不晚于发放年月",
        )
    };
    Fatal::new(
        FatalKind::PolicyGap,
        format!("{en_pre}the policy has no standard for {} children in region {region} in {month}", category.as_str()),
        en_fix,
    )
    .zh(
        format!(
            "{zh_pre}政策中没有适用于{}、行政区划代码{region}的{}标准",
            glossary::month(month, Lang::Zh),
            glossary::say(Group::Category, category.as_str(), Lang::Zh)
        ),
        zh_fix,
    )
}

fn stamp(path: &str) -> Option<(u64, SystemTime)> {
    std::fs::metadata(path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)))
}
