//! The ledger's words as types: a run's status and mode, and how each (with a payment
//! line's status) is stored. The stored text is the schema's (its `CHECK`
//! constraints list the same words); a word the build does not know is an error on
//! reading, never a silent default.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::core::payment::LineStatus;

/// Where a run stands (SPEC section 7): `pending` is recorded before any output is
/// moved into place, `committed` once its payment lines are in, `live` once its
/// output directory is in place; `void` takes it out of the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Pending,
    Committed,
    Live,
    Void,
}

impl RunStatus {
    pub const ALL: [RunStatus; 4] = [RunStatus::Pending, RunStatus::Committed, RunStatus::Live, RunStatus::Void];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Committed => "committed",
            RunStatus::Live => "live",
            RunStatus::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Interrupted: recovery finishes or undoes it.
    pub fn half_done(self) -> bool {
        matches!(self, RunStatus::Pending | RunStatus::Committed)
    }
}

/// How a run came into the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// `disburse run`: decided here, with an output directory.
    Run,
    /// `ledger import`: a month paid by an older system.
    Import,
}

impl RunMode {
    pub const ALL: [RunMode; 2] = [RunMode::Run, RunMode::Import];

    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::Run => "run",
            RunMode::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<RunMode> {
        RunMode::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The status a run of this mode has once its lines are committed: an import
    /// has no output to move into place, so it is live at once.
    pub fn committed_status(self) -> RunStatus {
        match self {
            RunMode::Run => RunStatus::Committed,
            RunMode::Import => RunStatus::Live,
        }
    }

    /// The status its payment lines start with: an import records what an older
    /// system already paid.
    pub fn line_status(self) -> LineStatus {
        match self {
            RunMode::Run => LineStatus::Issued,
            RunMode::Import => LineStatus::Settled,
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for RunMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Stored as its word (`as_str`), read back through `parse`. `LineStatus` is the
/// core's plain data; how it is stored is the ledger's business, so it is here too.
macro_rules! stored_as_text {
    ($($t:ident),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $t::parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {text:?} in the ledger", stringify!($t)).into())
                })
            }
        }
    )*};
}

stored_as_text!(RunStatus, RunMode, LineStatus);

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// Stores `value` and reads it back, and returns the text SQLite holds.
    fn round_trip<T: ToSql + FromSql + PartialEq + fmt::Debug>(conn: &Connection, value: T) -> String {
        let back: T = conn.query_row("SELECT ?1", [&value], |r| r.get(0)).unwrap();
        assert_eq!(back, value);
        conn.query_row("SELECT ?1", [&value], |r| r.get(0)).unwrap()
    }

    #[test]
    fn statuses_and_modes_are_stored_as_their_words() {
        let conn = Connection::open_in_memory().unwrap();
        let stored: Vec<String> = RunStatus::ALL.into_iter().map(|s| round_trip(&conn, s)).collect();
        assert_eq!(stored, ["pending", "committed", "live", "void"]);
        let stored: Vec<String> = RunMode::ALL.into_iter().map(|m| round_trip(&conn, m)).collect();
        assert_eq!(stored, ["run", "import"]);
        let stored: Vec<String> = LineStatus::ALL.into_iter().map(|s| round_trip(&conn, s)).collect();
        assert_eq!(stored, ["issued", "settled", "failed"]);
    }

    #[test]
    fn words_print_and_parse_back() {
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(&s.to_string()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        for m in RunMode::ALL {
            assert_eq!(RunMode::parse(&m.to_string()), Some(m));
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        assert_eq!(format!("{:<9}|", RunStatus::Committed), "committed|");
        assert_eq!(format!("{:<6}|", RunMode::Run), "run   |");
        assert_eq!(RunStatus::parse("Live"), None);
        assert_eq!(RunMode::parse("runs"), None);
    }

    #[test]
    fn an_unknown_word_is_an_error_not_a_default() {
        let conn = Connection::open_in_memory().unwrap();
        let read = conn.query_row("SELECT 'paused'", [], |r| r.get::<_, RunStatus>(0));
        assert!(matches!(read, Err(rusqlite::Error::FromSqlConversionFailure(..))), "{read:?}");
        let read = conn.query_row("SELECT 1", [], |r| r.get::<_, LineStatus>(0));
        assert!(read.is_err());
    }

    #[test]
    fn the_schema_allows_exactly_these_words() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let insert_run = |status: &dyn ToSql, mode: &dyn ToSql| {
            conn.execute(
                "INSERT INTO runs (period, mode, status, amount_fen, arrears_fen, created_at) VALUES ('2018-06', ?1, ?2, 0, 0, '')",
                rusqlite::params![mode, status],
            )
        };
        for (i, s) in RunStatus::ALL.into_iter().enumerate() {
            // One non-void run per period: void the previous one first.
            conn.execute("UPDATE runs SET status = 'void'", []).unwrap();
            insert_run(&s, &RunMode::ALL[i % 2]).unwrap();
        }
        assert!(insert_run(&"paused", &RunMode::Run).is_err());
        assert!(insert_run(&RunStatus::Void, &"manual").is_err());
        for s in LineStatus::ALL {
            conn.execute(
                "INSERT INTO payments (run_id, child_id, month, kind, amount_fen, category, region_code, status, live)
                 VALUES (1, 'x', '2018-06', 'regular', 0, 'scattered', '430102', ?1, 0)",
                [s],
            )
            .unwrap();
        }
    }

    #[test]
    fn a_mode_decides_its_committed_and_line_status() {
        assert_eq!(RunMode::Run.committed_status(), RunStatus::Committed);
        assert_eq!(RunMode::Import.committed_status(), RunStatus::Live);
        assert_eq!(RunMode::Run.line_status(), LineStatus::Issued);
        assert_eq!(RunMode::Import.line_status(), LineStatus::Settled);
        assert!(RunStatus::Pending.half_done() && RunStatus::Committed.half_done());
        assert!(!RunStatus::Live.half_done() && !RunStatus::Void.half_done());
    }
}
