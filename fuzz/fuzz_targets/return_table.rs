//! Fuzz the tabular return reader: any bytes as a CSV bank return, read in the plain
//! layout and in a profile layout matched by account. Nothing may panic; every line
//! must carry a verdict or a problem, and lines must increase.
#![no_main]

use libfuzzer_sys::fuzz_target;

use disburse::returns::{tabular, ReturnLayout, Words};

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("disburse-fuzz-return-{}.csv", std::process::id()));
    std::fs::write(&path, data).expect("writing the scratch file");
    let path = path.to_string_lossy().into_owned();
    let by_account = ReturnLayout {
        transfer_id: None,
        amount: "金额".into(),
        status: "回盘状态".into(),
        reason: Some("失败原因".into()),
        payee_account: Some("银行账户".into()),
        success: Words::Many(vec!["成功".into(), "S".into()]),
        failed: Words::One("失败".into()),
        pending: Words::Many(vec!["L".into()]),
    };
    for layout in [None, Some(&by_account)] {
        if let Ok((lines, _)) = tabular::read(&path, layout) {
            let mut last = 0;
            for l in &lines {
                assert!(l.verdict.is_some() || l.problem.is_some(), "a line with neither verdict nor problem");
                assert!(l.line > last, "lines must increase");
                last = l.line;
            }
        }
    }
});
