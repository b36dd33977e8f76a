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
    InvalidBankCode,
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
    /// Every reason, in the contract's order (rejected, then held, then excluded).
    /// Kept complete by the exhaustive match in this file's tests.
    pub const ALL: [Reason; 19] = [
        Reason::MalformedRow,
        Reason::MissingField,
        Reason::InvalidId,
        Reason::InvalidCategory,
        Reason::InvalidRegion,
        Reason::InvalidMonth,
        Reason::InvalidStatus,
        Reason::InvalidAmount,
        Reason::InvalidAccount,
        Reason::InvalidBankCode,
        Reason::InvalidText,
        Reason::InconsistentDates,
        Reason::DuplicateId,
        Reason::PayeeConflict,
        Reason::ExceedsCeiling,
        Reason::Suspended,
        Reason::NotStarted,
        Reason::Ended,
        Reason::AgedOut,
    ];

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
            Reason::InvalidBankCode => "INVALID_BANK_CODE",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Where each reason sits in `Reason::ALL`. The match is exhaustive (no `_` arm):
    /// a new variant does not compile until it is given its place here, and indexing
    /// `ALL` past its end is a compile error, so `ALL` must grow with it.
    fn listed(r: Reason) -> Reason {
        match r {
            Reason::MalformedRow => Reason::ALL[0],
            Reason::MissingField => Reason::ALL[1],
            Reason::InvalidId => Reason::ALL[2],
            Reason::InvalidCategory => Reason::ALL[3],
            Reason::InvalidRegion => Reason::ALL[4],
            Reason::InvalidMonth => Reason::ALL[5],
            Reason::InvalidStatus => Reason::ALL[6],
            Reason::InvalidAmount => Reason::ALL[7],
            Reason::InvalidAccount => Reason::ALL[8],
            Reason::InvalidBankCode => Reason::ALL[9],
            Reason::InvalidText => Reason::ALL[10],
            Reason::InconsistentDates => Reason::ALL[11],
            Reason::DuplicateId => Reason::ALL[12],
            Reason::PayeeConflict => Reason::ALL[13],
            Reason::ExceedsCeiling => Reason::ALL[14],
            Reason::Suspended => Reason::ALL[15],
            Reason::NotStarted => Reason::ALL[16],
            Reason::Ended => Reason::ALL[17],
            Reason::AgedOut => Reason::ALL[18],
        }
    }

    #[test]
    fn all_lists_every_reason_once_with_a_distinct_code() {
        for r in Reason::ALL {
            assert_eq!(listed(r), r, "{r:?} is not at its place in Reason::ALL");
        }
        let codes: std::collections::BTreeSet<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
        assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')));
    }
}
