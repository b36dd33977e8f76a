//! What is wrong with a row, in words a clerk understands, in English or Chinese.
//!
//! The rules produce a `Detail` (structured, language-free): the value found, which
//! rule it broke, and for the roster-wide checks the other row involved. The writers
//! render it in the run's `--lang` (`en.rs`, `zh.rs`), each sentence saying the value
//! found, the rule and the fix. Reason codes stay the machine contract; this is for
//! people. Values are quoted short and masked where they could be a personal number,
//! because the same sentence reaches the terminal through `explain`.

mod en;
mod words;
mod zh;

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::column::Column;
use super::id::IdProblem;
use super::money::AmountProblem;
use super::month::Month;

pub use super::lang::Lang;

/// A value as the roster gave it, made fit to quote: at most [`Found::MAX_CHARS`]
/// characters (longer ones are cut, with `…`), control and invisible characters shown
/// as `�`, and a value holding a long run of digits (an ID or account typed into the
/// wrong column) masked in the middle as on the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found(String);

impl Found {
    /// The most characters quoted.
    pub const MAX_CHARS: usize = 20;

    pub fn new(s: &str) -> Found {
        let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
        let shown = if digits >= 14 { super::text::mask(s) } else { s.to_owned() };
        let mut out = String::with_capacity(shown.len().min(4 * Self::MAX_CHARS));
        let n = shown.chars().count();
        for (i, c) in shown.chars().enumerate() {
            if n > Self::MAX_CHARS && i == Self::MAX_CHARS - 1 {
                out.push('…');
                break;
            }
            out.push(if invisible(c) { '\u{fffd}' } else { c });
        }
        Found(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that would hide or reorder what a clerk reads.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// Another roster row, by file and line (a `source` of the output files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    pub path: Arc<str>,
    pub line: u64,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

/// The payee field on which two rows of one account disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayeeField {
    Name,
    Bank,
    BankCode,
}

impl PayeeField {
    pub fn column(self) -> Column {
        match self {
            PayeeField::Name => Column::PayeeName,
            PayeeField::Bank => Column::PayeeBank,
            PayeeField::BankCode => Column::PayeeBankCode,
        }
    }
}

/// Every sentence a row can get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    MissingField(Column),
    Id(IdProblem),
    Category(Found),
    Region(Found),
    Month(Column, Found),
    Status(Found),
    Amount(AmountProblem, Found),
    /// How many digits the account has, and the first character that is neither a
    /// digit nor an allowed separator (the account itself is never quoted).
    Account {
        digits: usize,
        stray: Option<char>,
    },
    BankCode(Found),
    /// The field begins with this formula character.
    FormulaText(Column, char),
    ControlText(Column, u32),
    EndedBeforeApproved {
        end: Month,
        approved: Month,
    },
    ApprovedBeforeBirth {
        approved: Month,
        birth: Month,
    },
    Malformed {
        fields: usize,
        header: usize,
    },
    /// Bytes that are not text in the given encoding, in field `field` (1-based), the
    /// roster column when that field is one.
    BadBytes {
        column: Option<Column>,
        field: usize,
        byte: u8,
        position: usize,
    },
    /// The other valid row with the same ID.
    DuplicateId {
        other: RowRef,
    },
    /// A valid row with the same payee account that disagrees, and on what.
    PayeeConflict {
        other: RowRef,
        field: PayeeField,
    },
    AboveCeiling {
        amount: Decimal,
        ceiling: Decimal,
    },
    Suspended,
    NotStarted {
        from: Month,
    },
    Ended {
        end: Month,
    },
    /// The roster's status says the entitlement is over (死亡, 已收养...).
    EndedStatus {
        word: &'static str,
    },
    AgedOut {
        last: Month,
    },
}

impl Detail {
    /// The sentence in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::sentence(self),
            Lang::Zh => zh::sentence(self),
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&en::sentence(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_values_are_short_visible_and_masked() {
        assert_eq!(Found::new("孤残").as_str(), "孤残");
        assert_eq!(Found::new("a\u{202e}b\nc").as_str(), "a\u{fffd}b\u{fffd}c");
        let long = "一二三四五六七八九十一二三四五六七八九十一二三";
        let f = Found::new(long);
        assert_eq!(f.as_str().chars().count(), Found::MAX_CHARS);
        assert!(f.as_str().ends_with('…'));
        assert_eq!(Found::new("430102200001011234").as_str(), "430102********1234");
    }

    #[test]
    fn a_category_a_policy_declared_is_named_too() {
        let name = "declared_for_detail_test";
        assert!(crate::core::category::Category::named(name).is_some());
        for lang in [Lang::En, Lang::Zh] {
            let said = Detail::Category(Found::new("x")).render(lang);
            assert!(said.contains(name), "{said}");
        }
    }

    #[test]
    fn row_refs_read_as_sources() {
        let r = RowRef { path: "a.csv".into(), line: 7 };
        assert_eq!(r.to_string(), "a.csv:7");
    }
}

// Every sentence in both languages: `tests/catalog.rs`, through an exhaustive match
// over `Detail`, so a new sentence cannot slip past.
