//! `explain` for a person: the steps with a mark (✓ passed, ✗ failed, · a fact) and
//! a label padded by display width (a Chinese character takes two columns), then the
//! back pay and the ledger history, with months and amounts as the clerk writes them.

use std::io::Write;

use rust_decimal::Decimal;

use super::steps::source;
use super::{ExplainConfig, Explanation};
use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::month::Month;
use crate::text_table::{pad, width};

/// A month written `YYYY-MM` (the ledger's), as the clerk reads it.
fn month_text(m: &str, l: Lang) -> String {
    Month::parse(m).map_or_else(|| m.to_owned(), |m| glossary::month(m, l))
}

/// An amount written `800.00`, as the clerk reads it.
fn amount_text(a: &str, l: Lang) -> String {
    a.parse::<Decimal>().map_or_else(|_| a.to_owned(), |d| glossary::yuan(d, l))
}

pub(super) fn print(out: &mut dyn Write, cfg: &ExplainConfig, shown: &str, e: &Explanation) {
    let l = cfg.lang;
    let _ = match l {
        Lang::En => writeln!(out, "child {shown} — period {} (policy {})", cfg.period, cfg.policy.name),
        Lang::Zh => writeln!(
            out,
            "儿童{shown}，{}{}（政策：{}）",
            glossary::say(Group::Label, "period", l),
            glossary::month(cfg.period, l),
            cfg.policy.name
        ),
    };
    if e.rows.is_empty() {
        let _ = writeln!(out, "{}", l.pick("no roster row has this ID", "花名册中没有该身份证号码"));
    }
    for (n, row) in e.rows.iter().enumerate() {
        let (path, line) = row.source.rsplit_once(':').unwrap_or((&row.source, ""));
        let at = match line.parse() {
            Ok(line) => source(path, line, l),
            Err(_) => row.source.clone(),
        };
        let _ = match l {
            Lang::En => writeln!(out, "\nrow {} — {at}", n + 1),
            Lang::Zh => writeln!(out, "\n第{}条记录：{at}", n + 1),
        };
        let width = row.steps.iter().map(|s| width(&s.label)).max().unwrap_or(0).max(12);
        for s in row.steps.iter().filter(|s| s.check != "row") {
            let mark = match s.result.as_str() {
                "pass" => "✓",
                "fail" => "✗",
                _ => "·",
            };
            let _ = writeln!(out, "  {mark} {} {}", pad(&s.label, width), s.detail);
        }
        for a in &row.arrears {
            let _ = match l {
                Lang::En => {
                    writeln!(out, "    back pay {}: standard {}, paid {}, owed {}", a.month, a.standard, a.paid, a.owed)
                }
                Lang::Zh => writeln!(
                    out,
                    "    补发{}：标准{}，已发{}，应补{}",
                    month_text(&a.month, l),
                    amount_text(&a.standard, l),
                    amount_text(&a.paid, l),
                    amount_text(&a.owed, l)
                ),
            };
        }
    }
    if let Some(h) = &e.history {
        let _ = writeln!(out, "\n{}", l.pick("ledger history:", "台账记录："));
        if h.is_empty() {
            let _ = writeln!(out, "  {}", l.pick("none", "无"));
        }
        for x in h {
            let _ = match l {
                Lang::En => writeln!(
                    out,
                    "  {} {:<8} {:>10} {:<8} run {} ({})",
                    x.month, x.kind, x.amount, x.status, x.run, x.run_status
                ),
                Lang::Zh => writeln!(
                    out,
                    "  {} {} {} {} {}{}（{}）",
                    month_text(&x.month, l),
                    glossary::say(Group::Kind, &x.kind, l),
                    amount_text(&x.amount, l),
                    glossary::say(Group::LineStatus, x.status.as_str(), l),
                    glossary::say(Group::Label, "run", l),
                    x.run,
                    glossary::say(Group::RunStatus, x.run_status.as_str(), l)
                ),
            };
        }
    }
}
