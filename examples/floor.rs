//! The yardstick for `bench/compare.sh` (issue 17): the least work any program must
//! do to leave behind what `disburse run` leaves behind, written plainly and with no
//! decisions, so that disburse's time can be read against it.
//!
//! - `floor job --out DIR --ledger FILE ROSTER`: the composite floor. Parses every
//!   record once, then, on overlapping threads, writes entitlements, exceptions and
//!   transfers files of about disburse's bytes, the audit file with its sequential
//!   SHA-256 chain, the workbook's sheet XML deflated at disburse's level into a zip,
//!   and the same ledger rows through one prepared statement in one transaction
//!   under the real ledger's schema and pragmas. Every file is hashed and fsynced once.
//! - `floor job --dry-run --out DIR ROSTER`: the same without what a dry run does not
//!   write (the ledger, transfers.csv and the workbook's transfers sheet).
//! - `floor read PATH...`: reads and hashes every file (the floor of `verify` and of
//!   a dry run).
//! - `floor parse ROSTER`: reads every record once with a reused `csv::ByteRecord`.
//!
//! Which rows are "paid" is not decided: every fifth row goes to the exceptions, the
//! others are paid at their recorded amount (or the standard), about disburse's share
//! on the generated rosters. `FLOOR_TIMINGS=1` prints each part's time.
//!
//! `cargo run --release --example floor -- job --out OUT --ledger L.sqlite roster.csv`

#[path = "floor/files.rs"]
mod files;
#[path = "floor/ledger.rs"]
mod ledger;
#[path = "floor/read.rs"]
mod read;
#[path = "floor/roster.rs"]
mod roster;
#[path = "floor/sheets.rs"]
mod sheets;
#[path = "floor/sink.rs"]
mod sink;

use std::path::PathBuf;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The month the floor pays (the benchmark's `--period`).
pub const PERIOD: &str = "2018-06";

/// Prints a part's time when `FLOOR_TIMINGS` is set.
pub fn timing(what: &str, since: Instant) {
    if std::env::var_os("FLOOR_TIMINGS").is_some() {
        eprintln!("floor: {what}: {:.3} s", since.elapsed().as_secs_f64());
    }
}

fn usage() -> ! {
    eprintln!("usage: floor job [--dry-run] --out DIR --ledger FILE ROSTER | floor read PATH... | floor parse ROSTER");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("job") => job(&args[1..]),
        Some("read") if args.len() > 1 => read::run(&args[1..]),
        Some("parse") if args.len() == 2 => parse(&args[1]),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("floor: {e}");
        std::process::exit(2);
    }
}

fn job(args: &[String]) -> Res<()> {
    let (mut out, mut ledger, mut roster, mut dry) = (None, None, None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = it.next().map(PathBuf::from),
            "--ledger" => ledger = it.next().map(PathBuf::from),
            "--dry-run" => dry = true,
            _ if roster.is_none() => roster = Some(a.clone()),
            _ => usage(),
        }
    }
    let (Some(out), Some(roster)) = (out, roster) else { usage() };
    if ledger.is_none() && !dry {
        usage()
    }
    let start = Instant::now();
    std::fs::create_dir(&out)?;
    let t = Instant::now();
    let roster = roster::Roster::read(&roster)?;
    timing("parse", t);
    let t = Instant::now();
    let paid = roster::Paid::group(&roster);
    timing("group by account", t);
    let (written, sheet, ledger_result) = std::thread::scope(|s| {
        let ledger = s.spawn(|| match &ledger {
            Some(path) if !dry => ledger::write(path, &roster, &paid),
            _ => Ok(()),
        });
        let sheet = s.spawn(|| sheets::write(&out.join("report.xlsx"), &roster, &paid, dry));
        let written = files::write(&out, &roster, &paid, dry);
        (written, sheet.join().expect("workbook thread"), ledger.join().expect("ledger thread"))
    });
    let mut written = written?;
    written.push(("report.xlsx", sheet?));
    ledger_result?;
    files::manifest(&out, &written)?;
    std::fs::File::open(&out)?.sync_all()?;
    timing("job", start);
    Ok(())
}

fn parse(path: &str) -> Res<()> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(path)?;
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec)? {
        records += 1;
        bytes += rec.as_slice().len() as u64;
    }
    println!("{records} records, {bytes} field bytes");
    Ok(())
}
