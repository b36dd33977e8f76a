//! The reason codes of SPEC section 3: the machine contract for why a row was not paid.

use std::fmt;

/// Why a row was rejected, held or excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    MalformedRow,
    MissingField,
    InvalidId,
    InvalidCategory,
    InvalidRegion,
    InvalidMonth,
    InvalidStatus,
    InvalidAmount,
    InvalidAccount,
    InvalidText,
    InconsistentDates,
    DuplicateId,
    PayeeConflict,
    ExceedsCeiling,
    Suspended,
    NotStarted,
    Ended,
    AgedOut,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::MalformedRow => "MALFORMED_ROW",
            Reason::MissingField => "MISSING_FIELD",
            Reason::InvalidId => "INVALID_ID",
            Reason::InvalidCategory => "INVALID_CATEGORY",
            Reason::InvalidRegion => "INVALID_REGION",
            Reason::InvalidMonth => "INVALID_MONTH",
            Reason::InvalidStatus => "INVALID_STATUS",
            Reason::InvalidAmount => "INVALID_AMOUNT",
            Reason::InvalidAccount => "INVALID_ACCOUNT",
            Reason::InvalidText => "INVALID_TEXT",
            Reason::InconsistentDates => "INCONSISTENT_DATES",
            Reason::DuplicateId => "DUPLICATE_ID",
            Reason::PayeeConflict => "PAYEE_CONFLICT",
            Reason::ExceedsCeiling => "EXCEEDS_CEILING",
            Reason::Suspended => "SUSPENDED",
            Reason::NotStarted => "NOT_STARTED",
            Reason::Ended => "ENDED",
            Reason::AgedOut => "AGED_OUT",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
