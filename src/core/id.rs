//! The child's resident identity number (GB 11643-1999).
//!
//! The ID is the key that stops a child being paid twice, so it is checked fully:
//! 17 digits, the ISO 7064 MOD 11-2 check character and a real birth date. Values that
//! Excel has turned into numbers (`4.30101E+17`, or the last digits zeroed) are called
//! out so the clerk knows to re-export the column as text.

use std::fmt;

use super::date::is_real_date;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A valid 18-character ID, upper-case `X` where the check character is ten.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChildId([u8; 18]);

/// Why an ID is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// Looks like a number Excel converted (scientific notation or zeroed digits).
    ExcelNumber,
    /// Not 18 characters.
    Length(usize),
    /// A character other than digits (and a final `X`).
    Characters,
    /// The check character does not match the first 17 digits.
    Check { expected: char, found: char },
    /// Characters 7–14 are not a real calendar date.
    BirthDate,
}

impl ChildId {
    /// Checks an ID already trimmed and folded to ASCII.
    pub fn parse(s: &str) -> Result<ChildId, IdProblem> {
        let b = s.as_bytes();
        if looks_like_excel_float(s) {
            return Err(IdProblem::ExcelNumber);
        }
        if b.len() != 18 {
            if (15..=17).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) && s.ends_with("000") {
                return Err(IdProblem::ExcelNumber);
            }
            return Err(IdProblem::Length(s.chars().count()));
        }
        if !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdProblem::Characters);
        }
        let last = b[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(IdProblem::Characters);
        }
        let expected = check_char(b[..17].try_into().expect("17 bytes"));
        if expected != last {
            if s.ends_with("000") {
                return Err(IdProblem::ExcelNumber);
            }
            return Err(IdProblem::Check { expected: expected as char, found: last as char });
        }
        let mut id = [0u8; 18];
        id.copy_from_slice(b);
        id[17] = last;
        let parsed = ChildId(id);
        let (y, m, d) = parsed.birth_date();
        if !is_real_date(y, m, d) {
            return Err(IdProblem::BirthDate);
        }
        Ok(parsed)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }

    /// Birth date (year, month, day) from characters 7–14.
    pub fn birth_date(&self) -> (u32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
        (n(6..10), n(10..12), n(12..14))
    }

    /// The first 17 digits as one number: the check character follows from them, so
    /// this identifies a valid ID in eight bytes.
    pub fn key(&self) -> u64 {
        self.0[..17].iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0'))
    }
}

impl fmt::Debug for ChildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChildId({})", crate::core::text::mask(self.as_str()))
    }
}

/// The ISO 7064 MOD 11-2 check character for 17 digits.
pub fn check_char(digits: &[u8; 17]) -> u8 {
    let s: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(s % 11) as usize]
}

fn looks_like_excel_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(e) = b.windows(2).position(|w| w.eq_ignore_ascii_case(b"E+")) else { return false };
    let (mantissa, exp) = (&b[..e], &b[e + 2..]);
    !exp.is_empty()
        && exp.iter().all(u8::is_ascii_digit)
        && !mantissa.is_empty()
        && mantissa.iter().all(|c| c.is_ascii_digit() || *c == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid ID from 17 digits (the test's own copy of the rule would be
    /// circular, so the known-good examples below anchor it).
    fn with_check(first17: &str) -> String {
        let c = check_char(first17.as_bytes().try_into().unwrap());
        format!("{first17}{}", c as char)
    }

    #[test]
    fn spec_examples_are_valid() {
        assert_eq!(ChildId::parse("11010519491231002X").unwrap().as_str(), "11010519491231002X");
        assert_eq!(ChildId::parse("440524188001010014").unwrap().birth_date(), (1880, 1, 1));
    }

    #[test]
    fn lower_case_x_is_written_upper() {
        assert_eq!(ChildId::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_check_character() {
        assert_eq!(ChildId::parse("110105194912310021"), Err(IdProblem::Check { expected: 'X', found: '1' }));
        assert!(matches!(ChildId::parse("440524188001010015"), Err(IdProblem::Check { .. })));
    }

    #[test]
    fn impossible_birth_dates() {
        for d in ["20010229", "20001301", "20000431", "20000100", "20000001"] {
            let id = with_check(&format!("430102{d}123"));
            assert_eq!(ChildId::parse(&id), Err(IdProblem::BirthDate), "{id}");
        }
        assert!(ChildId::parse(&with_check("43010220000229123")).is_ok(), "2000 is a leap year");
    }

    #[test]
    fn wrong_lengths_and_characters() {
        assert_eq!(ChildId::parse("430102000101123"), Err(IdProblem::Length(15)));
        assert_eq!(ChildId::parse(""), Err(IdProblem::Length(0)));
        assert_eq!(ChildId::parse("43010220000101123A"), Err(IdProblem::Characters));
        assert_eq!(ChildId::parse("4301022000010112X3"), Err(IdProblem::Characters));
    }

    #[test]
    fn excel_damage_is_recognised() {
        assert_eq!(ChildId::parse("4.30101E+17"), Err(IdProblem::ExcelNumber));
        assert_eq!(ChildId::parse("4.30101e+17"), Err(IdProblem::ExcelNumber));
        // 18 digits whose last three were zeroed by Excel's 15-digit precision.
        let damaged = "430102200001011000";
        assert_ne!(check_char(damaged.as_bytes()[..17].try_into().unwrap()), b'0');
        assert_eq!(ChildId::parse(damaged), Err(IdProblem::ExcelNumber));
        assert_eq!(ChildId::parse("430102200001000"), Err(IdProblem::ExcelNumber));
    }

    #[test]
    fn key_identifies_the_id() {
        let a = ChildId::parse("11010519491231002X").unwrap();
        assert_eq!(a.key(), 11010519491231002);
    }
}
