//! The run's summary on stderr: how many rows got each decision, the amount, the main
//! reasons and where the files are, in the clerk's language. Under Chinese every word
//! is the glossary's (decisions, reason names, 发放年月, 批次), amounts carry 元 and
//! months read 2018年7月; the English form is the one scripts and tests have read.

use std::io::Write;

use super::RunConfig;
use crate::core::decision::Decision;
use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::money::fmt_amount;
use crate::output::manifest::{Manifest, MANIFEST_FILE};
use crate::output::monthly::RunTotals;
use crate::text_table::{pad, width};

pub(super) fn print_summary(w: &mut dyn Write, cfg: &RunConfig, t: &RunTotals, manifest: Option<&Manifest>) {
    match cfg.lang {
        Lang::En => english(w, cfg, t, manifest),
        Lang::Zh => chinese(w, cfg, t, manifest),
    }
}

fn english(w: &mut dyn Write, cfg: &RunConfig, t: &RunTotals, manifest: Option<&Manifest>) {
    let tt = &t.totals;
    let mode = if cfg.dry_run { "dry run" } else { "run" };
    let _ = writeln!(w, "disburse {mode} for {}: {} rows", cfg.period, tt.rows);
    let _ = writeln!(w, "  paid      {:>8}   amount {}", tt.paid, fmt_amount(t.amount));
    if !t.arrears_amount.is_zero() {
        let _ = writeln!(w, "  of which back pay (arrears): {}", fmt_amount(t.arrears_amount));
    }
    let _ = writeln!(w, "  held      {:>8}", tt.held);
    let _ = writeln!(w, "  excluded  {:>8}", tt.excluded);
    let _ = writeln!(w, "  rejected  {:>8}", tt.rejected);
    let transfers = if cfg.dry_run { "bank transfers (not written on a dry run)" } else { "bank transfers" };
    let _ = writeln!(w, "  {transfers}: {}", tt.transfers);
    if let Some(blank) = blank_rows(manifest) {
        let _ = writeln!(w, "  blank rows ignored: {blank}");
    }
    let top = top_reasons(t);
    if !top.is_empty() {
        let shown: Vec<String> = top.iter().map(|(code, n)| format!("{code} {n}")).collect();
        let _ = writeln!(w, "  top reasons: {}", shown.join(", "));
    }
    let _ = match &t.changes {
        Some((m, c)) => {
            writeln!(w, "  changes since {m}: {} added, {} removed, {} amount changed (changes.csv)", c[0], c[1], c[2])
        }
        None => writeln!(w, "  no earlier month in the ledger: no changes.csv"),
    };
    if let Some(m) = manifest {
        let files: Vec<&str> = m.outputs.iter().map(|o| o.file.as_str()).collect();
        let _ = writeln!(w, "  files in {}: {}, {MANIFEST_FILE}", cfg.out.display(), files.join(", "));
        let _ = writeln!(w, "  rows not paid are listed with their reasons in exceptions.csv");
    }
}

fn chinese(w: &mut dyn Write, cfg: &RunConfig, t: &RunTotals, manifest: Option<&Manifest>) {
    let l = Lang::Zh;
    let tt = &t.totals;
    let say = |group: Group, code: &'static str| glossary::say(group, code, l);
    let mode = if cfg.dry_run { "试算" } else { "正式运行" };
    let _ = writeln!(
        w,
        "disburse {mode}：{}{}，共{}行",
        say(Group::Label, "period"),
        glossary::month(cfg.period, l),
        tt.rows
    );
    let words = Decision::ALL.map(|d| glossary::say(Group::Decision, d.as_str(), l));
    let width = words.iter().map(|s| width(s)).max().unwrap_or(0);
    let counts = [tt.paid, tt.held, tt.excluded, tt.rejected];
    for (k, (word, n)) in words.iter().zip(counts).enumerate() {
        let _ = if k == 0 {
            writeln!(
                w,
                "  {}{n:>8}行   {}{}",
                pad(word, width),
                say(Group::Label, "amount"),
                glossary::yuan(t.amount, l)
            )
        } else {
            writeln!(w, "  {}{n:>8}行", pad(word, width))
        };
        if k == 0 && !t.arrears_amount.is_zero() {
            let _ = writeln!(w, "    其中{}：{}", say(Group::Kind, "arrears"), glossary::yuan(t.arrears_amount, l));
        }
    }
    let transfers =
        if cfg.dry_run { "银行转账笔数（试算不生成银行文件）" } else { "银行转账笔数" };
    let _ = writeln!(w, "  {transfers}：{}", tt.transfers);
    if let Some(blank) = blank_rows(manifest) {
        let _ = writeln!(w, "  忽略的空行：{blank}行");
    }
    let top = top_reasons(t);
    if !top.is_empty() {
        let shown: Vec<String> =
            top.iter().map(|(code, n)| format!("{}（{code}）{n}行", glossary::say(Group::Reason, code, l))).collect();
        let _ = writeln!(w, "  主要原因：{}", shown.join("，"));
    }
    let _ = match &t.changes {
        Some((m, c)) => writeln!(
            w,
            "  与{}相比：{}{}人，{}{}人，{}{}人（见 changes.csv）",
            glossary::month(*m, l),
            say(Group::Change, "added"),
            c[0],
            say(Group::Change, "removed"),
            c[1],
            say(Group::Change, "amount_changed"),
            c[2]
        ),
        None => writeln!(w, "  台账中没有上一个月的记录：不生成 changes.csv"),
    };
    if let Some(m) = manifest {
        let files: Vec<&str> = m.outputs.iter().map(|o| o.file.as_str()).collect();
        let _ = writeln!(w, "  文件在 {} 中：{}、{MANIFEST_FILE}", cfg.out.display(), files.join("、"));
        let _ = writeln!(w, "  未发放的行及原因见 exceptions.csv");
    }
}

fn blank_rows(manifest: Option<&Manifest>) -> Option<u64> {
    let blank: u64 = manifest?.inputs.iter().map(|i| i.blank_rows).sum();
    (blank > 0).then_some(blank)
}

/// The five most frequent reasons, most frequent first (ties in code order).
fn top_reasons(t: &RunTotals) -> Vec<(&'static str, u64)> {
    let mut reasons: Vec<_> = t.reasons.iter().map(|(r, n)| (*r, *n)).collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    reasons.into_iter().take(5).map(|(r, n)| (r.code(), n)).collect()
}
