//! Transfer ids, `T<YYYYMM>-<n>`: a run numbers its transfers from 1 in account
//! order, the number zero-padded to at least six digits. The run's files and the
//! ledger both spell them, so the spelling lives here once.

use super::month::Month;

/// Builds the transfer ids of one period without an allocation per id.
pub struct TransferIds {
    text: String,
    prefix: usize,
}

impl TransferIds {
    pub fn new(period: Month) -> TransferIds {
        let text = format!("T{}-", period.compact());
        TransferIds { prefix: text.len(), text }
    }

    /// The id of transfer `n` (valid until the next call).
    pub fn get(&mut self, n: u64) -> &str {
        self.text.truncate(self.prefix);
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(n);
        for _ in digits.len()..6 {
            self.text.push('0');
        }
        self.text.push_str(digits);
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_to_six_digits() {
        let mut ids = TransferIds::new(Month::new(2018, 6).unwrap());
        assert_eq!(ids.get(1), "T201806-000001");
        assert_eq!(ids.get(123_456), "T201806-123456");
        assert_eq!(ids.get(1_234_567), "T201806-1234567");
        assert_eq!(ids.get(42), "T201806-000042");
    }
}
