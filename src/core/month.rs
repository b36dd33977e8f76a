//! Calendar months, the unit of entitlement.
//!
//! Rosters write months in many ways (`2018-06`, `201806`, `2018/6`, `2018年6月`); the
//! rules only ever compare whole months, so a month is stored as one integer and
//! printed back as `YYYY-MM`.

use std::fmt;

/// A calendar month between 1900-01 and 2199-12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(u32);

impl Month {
    pub const MIN_YEAR: u32 = 1900;
    pub const MAX_YEAR: u32 = 2199;

    /// The month `year-month`, if both are in range.
    pub fn new(year: u32, month: u32) -> Option<Month> {
        if (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) && (1..=12).contains(&month) {
            Some(Month(year * 12 + month - 1))
        } else {
            None
        }
    }

    pub fn year(self) -> u32 {
        self.0 / 12
    }

    pub fn month(self) -> u32 {
        self.0 % 12 + 1
    }

    /// The same month `years` later (used for the 18th birthday).
    pub fn plus_years(self, years: u32) -> Month {
        Month(self.0 + years * 12)
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }

    /// `YYYYMM`, as used in transfer ids.
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.year(), self.month())
    }

    /// Parses every spelling SPEC section 1 accepts: `YYYY-MM`, `YYYY-M`, `YYYYMM`,
    /// `YYYY/MM`, `YYYY/M`, `YYYY年M月`. The value must already be trimmed and
    /// folded to ASCII digits.
    pub fn parse(s: &str) -> Option<Month> {
        let b = s.as_bytes();
        if b.len() < 6 || !b[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year = digits(&b[..4])?;
        let rest = &s[4..];
        let month_digits: &str = if rest.len() == 2 && rest.bytes().all(|c| c.is_ascii_digit()) {
            rest
        } else if let Some(m) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('/')) {
            m
        } else if let Some(m) = rest.strip_prefix('年') {
            m.strip_suffix('月')?
        } else {
            return None;
        };
        if month_digits.is_empty() || month_digits.len() > 2 {
            return None;
        }
        let month = digits(month_digits.as_bytes())?;
        Month::new(year, month)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: u32, mo: u32) -> Option<Month> {
        Month::new(y, mo)
    }

    #[test]
    fn every_spelling() {
        for s in ["2018-06", "201806", "2018/06", "2018-6", "2018/6", "2018年6月", "2018年06月"] {
            assert_eq!(Month::parse(s), m(2018, 6), "{s}");
        }
        assert_eq!(Month::parse("2018-12"), m(2018, 12));
        assert_eq!(Month::parse("1900-01"), m(1900, 1));
        assert_eq!(Month::parse("2199-12"), m(2199, 12));
    }

    #[test]
    fn bad_months() {
        for s in [
            "",
            "2018",
            "2018-13",
            "2018-00",
            "201813",
            "1899-12",
            "2200-01",
            "18-06",
            "2018-006",
            "2018_06",
            "2018-06-01",
            "2018年6",
            "June 2018",
            "2018-",
            "2018年月",
            "20186",
            "2018 06",
        ] {
            assert_eq!(Month::parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn display_and_order() {
        let a = Month::parse("2018-03").unwrap();
        assert_eq!(a.to_string(), "2018-03");
        assert_eq!(a.compact(), "201803");
        assert!(a < a.next());
        assert_eq!(a.plus_years(18).to_string(), "2036-03");
        assert_eq!(Month::parse("2018-12").unwrap().next().to_string(), "2019-01");
    }
}
