//! How the pipeline reports its progress, without knowing who listens.
//!
//! A roster of millions of rows takes minutes; the command shows a bar on a terminal.
//! The pipeline only counts rows and calls this trait, so it stays free of the
//! terminal (and testable); the command supplies the listener.

/// Told the rows as the two passes go (from the thread that reads the files).
pub trait Progress: Send + Sync {
    /// Pass 1 checked `rows` more rows.
    fn checked(&self, _rows: u64) {}
    /// Pass 1 is over: pass 2 will decide `total` rows.
    fn deciding(&self, _total: u64) {}
    /// Pass 2 decided `rows` more rows.
    fn decided(&self, _rows: u64) {}
    /// The passes are over (clear what is shown).
    fn finish(&self) {}
}

/// No one listens.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::batch::{DecisionSink, Roster, RowOutcome, Rules};
    use crate::core::month::Month;
    use crate::core::policy::Policy;
    use crate::error::Fatal;
    use crate::roster::EncodingChoice;

    /// Writes down every call, in order.
    #[derive(Default)]
    struct Recorder(std::sync::Arc<Mutex<Vec<(&'static str, u64)>>>);

    impl Progress for Recorder {
        fn checked(&self, rows: u64) {
            self.0.lock().unwrap().push(("checked", rows));
        }
        fn deciding(&self, total: u64) {
            self.0.lock().unwrap().push(("deciding", total));
        }
        fn decided(&self, rows: u64) {
            self.0.lock().unwrap().push(("decided", rows));
        }
        fn finish(&self) {
            self.0.lock().unwrap().push(("finish", 0));
        }
    }

    /// Counts the rows it is given.
    struct Count(u64);

    impl DecisionSink for Count {
        type Chunk = u64;
        fn render(&self, _path: &str, _first_seq: u64, rows: &[RowOutcome<'_>]) -> u64 {
            rows.len() as u64
        }
        fn accept(&mut self, chunks: Vec<u64>) -> Result<(), Fatal> {
            self.0 += chunks.iter().sum::<u64>();
            Ok(())
        }
    }

    #[test]
    fn both_passes_report_every_row_then_finish() {
        let files = ["fixtures/changsha.csv".to_owned(), "fixtures/hengyang-crlf.csv".to_owned()];
        let mut roster = Roster::open(&files, EncodingChoice::Auto, None).unwrap();
        let calls = Recorder::default();
        let seen = calls.0.clone();
        roster.report_progress(Box::new(calls));
        let index = roster.index().unwrap();
        let period = Month::parse("2018-06").unwrap();
        let policy = Policy::hunan_2018();
        let rules = Rules { period, standards: policy.for_period(period), ceiling: 5000.into(), arrears: None };
        let mut sink = Count(0);
        let inputs = roster.decide(&index, &rules, &mut sink).unwrap();
        roster.progress_done();

        // Every row handed to the sink was counted, in both passes.
        let rows = sink.0;
        assert_eq!(inputs.len(), 2);
        let seen = seen.lock().unwrap().clone();
        let sum = |what: &str| seen.iter().filter(|(w, _)| *w == what).map(|(_, n)| n).sum::<u64>();
        assert!(rows > 0);
        assert_eq!(sum("checked"), rows, "{seen:?}");
        assert_eq!(sum("decided"), rows, "{seen:?}");
        let order: Vec<&str> = seen.iter().map(|(w, _)| *w).collect();
        let deciding = order.iter().position(|w| *w == "deciding").unwrap();
        assert!(order[..deciding].iter().all(|w| *w == "checked"), "{order:?}");
        assert_eq!(seen[deciding], ("deciding", rows));
        assert!(order[deciding + 1..order.len() - 1].iter().all(|w| *w == "decided"), "{order:?}");
        assert_eq!(order.last(), Some(&"finish"));
    }
}
