//! Criterion benchmarks: parsing and validating one row, deciding one row, rendering
//! a row's audit and entitlement lines (by hand and through serde_json / the csv
//! serializer, same bytes), and the whole run on a generated 100k-row roster. `cargo bench`; not run in CI (CI only
//! compiles them with `cargo bench --no-run`).

#[path = "support/synth.rs"]
mod synth;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::Decimal;
use serde::Serialize;

use disburse::batch::row::check_row;
use disburse::batch::{RowOutcome, Subject};
use disburse::commands::run::{run, RunConfig};
use disburse::core::decision::{decide, RosterFlags};
use disburse::core::decision::{Decision, Entitlement};
use disburse::core::detail::Detail;
use disburse::core::money::fmt_amount;
use disburse::core::month::Month;
use disburse::core::policy::Policy;
use disburse::core::record::Record;
use disburse::csvsplit::{RawRow, Splitter};
use disburse::output::monthly::render::{push_audit_line, push_regular_line};
use disburse::roster::{ColumnMap, Encoding, EncodingChoice};

const ROW: &str = "430102201003120016,刘一鸣,scattered,430102,2016-03,,active,850.50,刘建国,6222 0210 0100 0000 011,中国工商银行长沙分行\n";

fn header() -> ColumnMap {
    ColumnMap::from_header(synth::HEADER.trim_end().split(',')).expect("header")
}

fn one_row(c: &mut Criterion) {
    let mut split = Splitter::new(ROW.as_bytes());
    let mut raw = RawRow::default();
    split.next(&mut raw).expect("row");
    let columns = header();
    let thousand = ROW.repeat(1000);
    let mut group = c.benchmark_group("split");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000 rows", |b| {
        b.iter(|| {
            let mut s = Splitter::new(black_box(thousand.as_bytes()));
            let mut r = RawRow::default();
            let mut n = 0;
            while s.next(&mut r).expect("row") {
                n += r.len();
            }
            n
        })
    });
    group.finish();
    c.bench_function("check one row (decode + field rules)", |b| {
        b.iter(|| {
            matches!(check_row(black_box(&raw), &columns, Encoding::Utf8), disburse::batch::row::Checked::Valid(_))
        })
    });
    let fields: Vec<&str> = ROW.trim_end().split(',').collect();
    let fields: [&str; 11] = fields.try_into().expect("11 fields");
    let record = Record::validate_strs(&fields).expect("valid");
    let period = Month::parse("2018-06").expect("month");
    let standards = Policy::hunan_2018().for_period(period);
    let ceiling = Decimal::new(500000, 2);
    c.bench_function("decide one row (standard + decision)", |b| {
        b.iter(|| {
            let standard = standards.standard(record.category, &record.region_code).expect("covered");
            decide(black_box(&record), period, standard, RosterFlags::default(), ceiling)
        })
    });
}

/// The audit line as a typed record for serde_json (same field order as the
/// hand-built line; `prev` empty, which the hand-built line leaves open).
#[derive(Serialize)]
struct AuditLine<'a> {
    seq: u64,
    source: &'a str,
    child_id: &'a str,
    decision: &'a str,
    reason: Option<&'a str>,
    category: Option<&'a str>,
    standard: Option<String>,
    recorded_amount: Option<String>,
    amount: Option<String>,
    basis: Option<&'a str>,
    /// Only on lines that pay money (SPEC 12).
    #[serde(skip_serializing_if = "Option::is_none")]
    payee_account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payee_bank_code: Option<Option<&'a str>>,
    prev: &'a str,
}

fn audit_line<'a>(seq: u64, source: &'a str, r: &'a RowOutcome<'a>) -> AuditLine<'a> {
    let rec = r.record();
    AuditLine {
        seq,
        source,
        child_id: r.child_id(),
        decision: r.decision.as_str(),
        reason: r.reason.map(|x| x.code()),
        category: rec.map(|x| x.category.as_str()),
        standard: r.standard.map(fmt_amount),
        recorded_amount: rec.and_then(|x| x.monthly_amount).map(fmt_amount),
        amount: r.entitlement.map(|e| fmt_amount(e.amount)),
        basis: r.entitlement.map(|e| e.basis.as_str()),
        payee_account: rec.filter(|_| r.decision == Decision::Paid).map(|x| &*x.payee_account),
        payee_bank_code: rec.filter(|_| r.decision == Decision::Paid).map(|x| x.payee_bank_code.as_deref()),
        prev: "",
    }
}

/// The `regular` entitlement line as a record for the csv serializer.
fn regular_fields(period: &str, r: &RowOutcome<'_>, source: &str) -> [String; 15] {
    let rec = r.record().expect("valid");
    let e = r.entitlement.expect("paid");
    [
        period.into(),
        "regular".into(),
        period.into(),
        rec.child_id.as_str().into(),
        rec.name.to_string(),
        rec.category.as_str().into(),
        rec.region_code.to_string(),
        rec.payee_name.to_string(),
        rec.payee_account.to_string(),
        rec.payee_bank.to_string(),
        fmt_amount(e.standard),
        rec.monthly_amount.map(fmt_amount).unwrap_or_default(),
        fmt_amount(e.amount),
        e.basis.as_str().into(),
        source.into(),
    ]
}

/// 1000 paid rows rendered by hand against serde_json / csv::Writer (`-- render`).
fn render(c: &mut Criterion) {
    let fields: Vec<&str> = ROW.trim_end().split(',').collect();
    let fields: [&str; 11] = fields.try_into().expect("11 fields");
    let record = Record::validate_strs(&fields).expect("valid");
    let standard = Decimal::new(95000, 2);
    let row = RowOutcome {
        line: 2,
        decision: Decision::Paid,
        reason: None,
        detail: Detail::None,
        flags: Default::default(),
        standard: Some(standard),
        entitlement: Some(Entitlement::new(record.monthly_amount, standard)),
        subject: Subject::Valid(record.clone()),
        arrears: Vec::new(),
    };
    let (source, period) = ("roster.csv:2", "2018-06");

    // The same bytes both ways, or the comparison means nothing.
    let mut hand = Vec::new();
    push_audit_line(&mut hand, 1, source, &row);
    hand.extend_from_slice(b",\"prev\":\"\"}");
    assert_eq!(hand, serde_json::to_vec(&audit_line(1, source, &row)).expect("json"));
    let mut hand = Vec::new();
    push_regular_line(&mut hand, period, row.record().expect("valid"), &row.entitlement.expect("paid"), source);
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.serialize(regular_fields(period, &row, source)).expect("csv");
    assert_eq!(hand, w.into_inner().expect("csv"));

    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(1000));
    let mut buf = Vec::with_capacity(1 << 20);
    group.bench_function("audit line by hand", |b| {
        b.iter(|| {
            buf.clear();
            for seq in 1..=1000 {
                push_audit_line(&mut buf, seq, source, black_box(&row));
                buf.extend_from_slice(b",\"prev\":\"\"}");
            }
            buf.len()
        })
    });
    group.bench_function("audit line serde_json", |b| {
        b.iter(|| {
            buf.clear();
            for seq in 1..=1000 {
                serde_json::to_writer(&mut buf, &audit_line(seq, source, black_box(&row))).expect("json");
            }
            buf.len()
        })
    });
    group.bench_function("entitlement row by hand", |b| {
        b.iter(|| {
            buf.clear();
            for _ in 0..1000 {
                let r = black_box(&row);
                push_regular_line(&mut buf, period, r.record().expect("valid"), &r.entitlement.expect("paid"), source);
            }
            buf.len()
        })
    });
    group.bench_function("entitlement row csv serializer", |b| {
        b.iter(|| {
            buf.clear();
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut buf);
            for _ in 0..1000 {
                w.serialize(regular_fields(period, black_box(&row), source)).expect("csv");
            }
            w.flush().expect("csv");
            drop(w);
            buf.len()
        })
    });
    group.finish();
}

fn whole_run(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("disburse-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let roster = dir.join("roster-100k.csv");
    let mut bytes = Vec::new();
    synth::write_roster(100_000, 1, &mut bytes).expect("generate");
    std::fs::write(&roster, &bytes).expect("write roster");
    let mut group = c.benchmark_group("run");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("100k rows, all outputs", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let out = dir.join(format!("out-{i}"));
                let cfg = RunConfig {
                    period: Month::parse("2018-06").expect("month"),
                    out: out.clone(),
                    policy: Policy::hunan_2018(),
                    ceiling: Decimal::new(500000, 2),
                    dry_run: false,
                    strict: false,
                    encoding: EncodingChoice::Auto,
                    rosters: vec![roster.to_string_lossy().into_owned()],
                    ledger: dir.join(format!("ledger-{i}.sqlite")),
                    arrears: false,
                    lang: disburse::core::detail::Lang::En,
                    sheet: None,
                    roster_profile: Default::default(),
                    quiet: true,
                    bom: false,
                    bank_profiles: Vec::new(),
                    execution_date: None,
                    payer: None,
                    report: Default::default(),
                };
                let start = Instant::now();
                run(&cfg, &mut std::io::sink()).expect("run");
                total += start.elapsed();
                std::fs::remove_dir_all(&out).expect("clean");
                let _ = std::fs::remove_file(dir.join(format!("ledger-{i}.sqlite")));
            }
            total
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, one_row, render, whole_run);
criterion_main!(benches);
