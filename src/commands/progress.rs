//! The progress bar on a terminal: the listener `run` gives the pipeline.
//!
//! The pipeline (`batch`) only counts rows through [`Progress`]; drawing them is the
//! command's business, so indicatif is used here and nowhere else.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::batch::Progress;

/// A bar on stderr: rows checked in pass 1 (a spinner), then rows decided in pass 2
/// out of the total pass 1 found.
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// A bar when stderr is a terminal and `quiet` is off; `None` otherwise.
    pub fn on_stderr(quiet: bool) -> Option<TerminalProgress> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} rows")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message("checking");
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Some(TerminalProgress { bar })
    }
}

impl Progress for TerminalProgress {
    fn checked(&self, rows: u64) {
        self.bar.inc(rows);
    }

    fn deciding(&self, total: u64) {
        self.bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} rows, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.bar.reset();
        self.bar.set_message("deciding");
        self.bar.set_length(total);
    }

    fn decided(&self, rows: u64) {
        self.bar.inc(rows);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
