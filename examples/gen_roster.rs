//! Writes a synthetic roster to stdout:
//! `cargo run --release --example gen_roster -- --rows 1000000 --seed 1 > roster.csv`

#[path = "../benches/support/synth.rs"]
mod synth;

use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().expect("a whole number"))
            .unwrap_or(default)
    };
    let rows = arg("--rows", 1_000_000);
    let seed = arg("--seed", 1);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    synth::write_roster(rows, seed, &mut out).expect("write roster");
    out.flush().expect("flush");
}
