//! Criterion benchmarks: parsing and validating one row, deciding one row, and the
//! whole run on a generated 100k-row roster. `cargo bench`; not run in CI (CI only
//! compiles them with `cargo bench --no-run`).

#[path = "support/synth.rs"]
mod synth;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::Decimal;

use disburse::batch::row::check_row;
use disburse::commands::run::{run, RunConfig};
use disburse::core::decision::{decide, RosterFlags};
use disburse::core::month::Month;
use disburse::core::policy::Policy;
use disburse::core::record::Record;
use disburse::csvsplit::{RawRow, Splitter};
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

criterion_group!(benches, one_row, whole_run);
criterion_main!(benches);
