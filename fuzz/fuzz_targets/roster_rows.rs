//! Fuzz the row reader: any bytes, split as CSV, every record checked in both
//! encodings and decided. Nothing may panic; every record must get one outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;

use disburse::batch::row::{check_row, Checked};
use disburse::core::decision::{decide, RosterFlags};
use disburse::core::month::Month;
use disburse::core::policy::Policy;
use disburse::csvsplit::{RawRow, Splitter};
use disburse::roster::{ColumnMap, Encoding};

const HEADER: [&str; 11] = [
    "child_id", "name", "category", "region_code", "approved_from", "ended_after", "status", "monthly_amount",
    "payee_name", "payee_account", "payee_bank",
];

fuzz_target!(|data: &[u8]| {
    let columns = ColumnMap::from_header(HEADER).expect("header");
    let period = Month::parse("2018-06").expect("month");
    let standards = Policy::hunan_2018().for_period(period);
    let mut split = Splitter::new(data);
    let mut row = RawRow::default();
    let mut last = 0;
    loop {
        match split.next(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading a slice fails only on a quote left open at the end.
                assert!(disburse::csvsplit::unclosed_quote(&e).is_some(), "{e}");
                break;
            }
        }
        assert!(row.line > last, "lines must increase");
        last = row.line;
        for enc in [Encoding::Utf8, Encoding::Gb18030] {
            if let Checked::Valid(rec) = check_row(&row, &columns, enc) {
                let standard = standards.standard(rec.category, &rec.region_code).unwrap_or_default();
                let _ = decide(&rec, period, standard, RosterFlags::default(), rust_decimal::Decimal::new(500000, 2));
            }
        }
    }
});
