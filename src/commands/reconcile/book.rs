//! `reconciliation.xlsx`: the reconciliation for people (SPEC section 17), beside
//! `bank-reconciliation.csv` in OUT. A summary (count and amount per outcome, what
//! the ledger marked, the journal head) and every row of the CSV, with outcomes and
//! reasons in `--lang`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::classify::{Finding, Outcome};
use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::month::Month;
use crate::output::results_book::{Book, Cell, Sheet};

/// The workbook's file name in OUT.
pub const WORKBOOK: &str = "reconciliation.xlsx";

/// What the summary sheet states besides the outcomes.
pub(super) struct Facts<'a> {
    pub run: i64,
    pub period: Month,
    pub returns: &'a str,
    pub settled: u64,
    pub failed: u64,
    pub conflicts: u64,
    pub journal_seq: i64,
    pub journal_head: &'a str,
}

fn label(code: &str, lang: Lang) -> String {
    glossary::say(Group::Label, code, lang).to_owned()
}

/// The workbook, from the findings as they were written to the CSV.
pub(super) fn book(findings: &[Finding], outcomes: &BTreeMap<Outcome, (u64, Decimal)>, f: &Facts, lang: Lang) -> Book {
    let money = |d: Option<Decimal>| d.map_or(Cell::Empty, Cell::Money);
    let mut summary = Sheet {
        name: label("summary", lang),
        columns: vec![(label("outcome", lang), 20), (label("lines", lang), 10), (label("amount", lang), 16)],
        ..Sheet::default()
    };
    let (mut n, mut a) = (0u64, Decimal::ZERO);
    for (o, (count, amount)) in outcomes {
        summary.rows.push(vec![
            Cell::text(glossary::say(Group::Outcome, o.as_str(), lang)),
            Cell::Count(*count),
            Cell::Money(*amount),
        ]);
        n += count;
        a += amount;
    }
    summary.total = Some(vec![Cell::text(label("total", lang)), Cell::Count(n), Cell::Money(a)]);
    let zh = lang == Lang::Zh;
    summary.facts = vec![
        (label("run", lang), Cell::Count(f.run.max(0) as u64)),
        (label("period", lang), Cell::text(glossary::month(f.period, lang))),
        (lang.pick("bank return", "银行回盘").to_owned(), Cell::text(f.returns)),
        (lang.pick("payment lines marked settled", "标为已到账的发放记录").to_owned(), Cell::Count(f.settled)),
        (lang.pick("payment lines marked failed", "标为失败的发放记录").to_owned(), Cell::Count(f.failed)),
        (lang.pick("conflicts (not applied)", "与台账冲突（未采用）").to_owned(), Cell::Count(f.conflicts)),
        (
            label("journal_head", lang),
            Cell::text(if zh {
                format!("第{}条，SHA-256 {}", f.journal_seq, f.journal_head)
            } else {
                format!("seq {} {}", f.journal_seq, f.journal_head)
            }),
        ),
    ];
    let mut rows = Sheet {
        name: label("reconciliation", lang),
        columns: vec![
            (label("transfer_id", lang), 18),
            (label("payee_account", lang), 24),
            (label("amount", lang), 14),
            (label("returned_amount", lang), 14),
            (label("outcome", lang), 14),
            (label("reason", lang), 50),
            (label("return_line", lang), 12),
        ],
        ..Sheet::default()
    };
    for x in findings {
        rows.rows.push(vec![
            Cell::text(&x.transfer_id),
            Cell::text(&x.account),
            money(x.amount),
            money(x.returned),
            Cell::text(glossary::say(Group::Outcome, x.outcome.as_str(), lang)),
            Cell::text(if zh { &x.reason_zh } else { &x.reason }),
            x.line.map_or(Cell::Empty, Cell::Count),
        ]);
    }
    Book { title: format!("disburse {} reconcile", f.period), period: f.period, lang, sheets: vec![summary, rows] }
}
