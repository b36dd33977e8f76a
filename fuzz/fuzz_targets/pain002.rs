//! Fuzz the pain.002 reader: any bytes as a status report; when it reads, its levels
//! are resolved against a pain.001 made of the report's own ids (so resolution runs
//! deep), and the same bytes are tried as the run's pain.001. Nothing may panic;
//! every line must carry a verdict or a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;

use disburse::returns::sent::{parse_pain001, SentMessage};
use disburse::returns::{pain002, status};

fuzz_target!(|data: &[u8]| {
    let _ = parse_pain001(data);
    let Ok(report) = pain002::parse("fuzz.xml", data) else { return };
    let mut batches: Vec<(String, Vec<String>)> = report
        .batches
        .iter()
        .map(|b| (b.id.clone().unwrap_or_default(), b.txs.iter().filter_map(|t| t.end_to_end_id.clone()).collect()))
        .collect();
    batches.push(("UNLISTED".into(), vec!["T-UNLISTED".into()]));
    let sent = [SentMessage {
        file: "bank/pain001/p.xml".into(),
        msg_id: report.orgnl_msg_id.clone().unwrap_or_default(),
        batches,
    }];
    if let Ok(lines) = status::resolve("fuzz.xml", &report, &sent) {
        for l in &lines {
            assert!(l.verdict.is_some() || l.problem.is_some(), "a line with neither verdict nor problem");
        }
    }
});
