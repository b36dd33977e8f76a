//! A roster profile (`--roster-profile FILE`, SPEC section 15): what aliases cannot
//! guess about one office's roster — its header texts, its category words (such as
//! 在院供养2018), which sheet, which row is the header. Kept apart from the alias
//! tables so that a profile only ever narrows what the reader does, never widens the
//! built-in vocabulary for other offices.

use crate::core::column::Column;

/// A profile, read; `RosterProfile::default()` is "no profile".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterProfile {
    /// Header texts for some fields; those fields are found by these only.
    pub columns: Vec<(Column, Vec<String>)>,
    /// Roster word (normalized) → category name.
    pub categories: Vec<(String, String)>,
    pub sheet: Option<String>,
    /// The 1-based row holding the header; the rows above are preamble.
    pub header_row: Option<u64>,
}
