//! The thin binary: parse flags, run, map the outcome to an exit code.

fn main() {
    std::process::exit(disburse::cli::main());
}
