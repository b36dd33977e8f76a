//! What `audit` shows people: the summary on the terminal and `audit.xlsx` beside
//! `audit-findings.csv` in OUT (SPEC section 17), statuses and reasons in `--lang`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{AuditConfig, Finding, Status, FINDINGS};
use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::output::results_book::{Book, Cell, Sheet};
use crate::text_table::{Align, TextTable};

/// The workbook's file name in OUT.
pub const WORKBOOK: &str = "audit.xlsx";

fn label(code: &str, lang: Lang) -> String {
    glossary::say(Group::Label, code, lang).to_owned()
}

fn status_word(s: Status, lang: Lang) -> &'static str {
    glossary::lookup(Group::AuditStatus, s.as_str()).map_or(s.as_str(), |t| t.say(lang))
}

/// The summary printed once OUT is written.
pub(super) fn summary_text(
    cfg: &AuditConfig,
    children: usize,
    by_status: &BTreeMap<Status, (u64, Decimal, Decimal)>,
    owed: Decimal,
    paid: Decimal,
) -> String {
    let l = cfg.lang;
    let mut out = match l {
        Lang::En => format!("audit of {} against the rules for {} ({children} children):\n", cfg.paid, cfg.period),
        Lang::Zh => {
            format!("按{}的政策审核实发名册 {}（共{children}名儿童）：\n", glossary::month(cfg.period, l), cfg.paid)
        }
    };
    let mut t = TextTable::new(
        &[label("audit_status", l), label("children", l), label("owed", l), label("paid_amount", l)],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    )
    .indent(2);
    for (s, (n, o, p)) in by_status {
        t.row([status_word(*s, l).to_owned(), n.to_string(), glossary::yuan(*o, l), glossary::yuan(*p, l)]);
    }
    out.push_str(&t.render());
    let y = |d: Decimal| glossary::yuan(d, l);
    out.push_str(&match l {
        Lang::En => {
            format!("  owed {}, paid {}, net difference {} (paid minus owed)\n", y(owed), y(paid), y(paid - owed))
        }
        Lang::Zh => format!("  应发{}，实发{}，净差额{}（实发减应发）\n", y(owed), y(paid), y(paid - owed)),
    });
    let (csv, xlsx) = (cfg.out.join(FINDINGS), cfg.out.join(WORKBOOK));
    out.push_str(&match l {
        Lang::En => format!("  findings in {}; workbook {}\n", csv.display(), xlsx.display()),
        Lang::Zh => format!("  结果见 {}，工作簿见 {}\n", csv.display(), xlsx.display()),
    });
    out
}

/// The workbook: the totals per status, then every finding.
pub(super) fn book(
    cfg: &AuditConfig,
    findings: &[Finding],
    by_status: &BTreeMap<Status, (u64, Decimal, Decimal)>,
) -> Book {
    let l = cfg.lang;
    let mut summary = Sheet {
        name: label("summary", l),
        columns: vec![
            (label("audit_status", l), 20),
            (label("children", l), 12),
            (label("owed", l), 16),
            (label("paid_amount", l), 16),
            (label("difference", l), 16),
        ],
        ..Sheet::default()
    };
    let (mut n, mut o, mut p) = (0u64, Decimal::ZERO, Decimal::ZERO);
    for (s, (count, owed, paid)) in by_status {
        summary.rows.push(vec![
            Cell::text(status_word(*s, l)),
            Cell::Count(*count),
            Cell::Money(*owed),
            Cell::Money(*paid),
            Cell::Money(*paid - *owed),
        ]);
        n += count;
        o += owed;
        p += paid;
    }
    summary.total =
        Some(vec![Cell::text(label("total", l)), Cell::Count(n), Cell::Money(o), Cell::Money(p), Cell::Money(p - o)]);
    summary.facts = vec![
        (label("period", l), Cell::text(glossary::month(cfg.period, l))),
        (l.pick("payment register", "实发名册").to_owned(), Cell::text(&cfg.paid)),
        (l.pick("rosters", "花名册").to_owned(), Cell::text(cfg.rosters.join(" "))),
        (l.pick("policy", "政策").to_owned(), Cell::text(&cfg.policy.name)),
    ];
    let mut rows = Sheet {
        name: label("findings", l),
        columns: vec![
            (label("child_id", l), 22),
            (label("name", l), 12),
            (label("audit_status", l), 16),
            (label("owed", l), 14),
            (label("paid_amount", l), 14),
            (label("difference", l), 14),
            (label("reason", l), 60),
            (label("source", l), 30),
        ],
        ..Sheet::default()
    };
    for f in findings {
        rows.rows.push(vec![
            Cell::text(&f.child),
            Cell::text(&f.name),
            Cell::text(status_word(f.status, l)),
            Cell::Money(f.owed),
            Cell::Money(f.paid),
            Cell::Money(f.paid - f.owed),
            Cell::text(if l == Lang::Zh { &f.reason_zh } else { &f.reason }),
            Cell::text(&f.source),
        ]);
    }
    Book { title: format!("disburse {} audit", cfg.period), period: cfg.period, lang: l, sheets: vec![summary, rows] }
}
