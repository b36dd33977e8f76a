//! One roster row, validated: the field rules and row consistency of SPEC section 1.
//!
//! `Record::validate` is pure: it takes the row's raw field texts and returns either a
//! `Record` the rest of the program can trust, or the `Rejection` (reason code and a
//! detail a clerk understands) for the exceptions file.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::column::Column;
use super::detail::{Detail, Found};
use super::id::{ChildId, IdProblem};
use super::money::{parse_amount, AmountProblem};
use super::month::Month;
use super::reason::Reason;
use super::text::{check_text, fold_width, trim, TextProblem};

pub use super::category::Category;

/// Whether payment is running, stopped for now, or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Suspended,
    /// Over whatever `ended_after` says; holds the roster's word (死亡, 已收养...).
    Ended(&'static str),
}

impl Status {
    fn parse(s: &str) -> Option<Status> {
        use super::vocabulary::{status_word, StatusKind};
        status_word(s).map(|(kind, word)| match kind {
            StatusKind::Active => Status::Active,
            StatusKind::Suspended => Status::Suspended,
            StatusKind::Ended => Status::Ended(word),
        })
    }
}

/// A roster row that passed every field and consistency rule. Text borrows from the
/// row's bytes where it can (no allocation on the hot path); `into_owned` keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    pub child_id: ChildId,
    pub name: Cow<'a, str>,
    pub category: Category,
    pub region_code: Cow<'a, str>,
    pub approved_from: Month,
    pub ended_after: Option<Month>,
    pub status: Status,
    pub monthly_amount: Option<Decimal>,
    pub payee_name: Cow<'a, str>,
    /// Digits only (spaces and `-` removed).
    pub payee_account: Cow<'a, str>,
    pub payee_bank: Cow<'a, str>,
    /// The 12-digit CNAPS code of the payee's bank branch (spaces removed, full-width
    /// digits folded); `None` when the roster has no such column or leaves it blank.
    pub payee_bank_code: Option<Cow<'a, str>>,
}

/// Why a row is rejected: the reason code and a sentence for the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: Reason,
    pub detail: Detail,
}

impl Rejection {
    pub fn new(reason: Reason, detail: Detail) -> Rejection {
        Rejection { reason, detail }
    }
}

/// The raw texts of one row, indexed by `Column` (an absent optional column is "").
pub type RawFields<'a> = [Cow<'a, str>; Column::COUNT];

/// Trims a field, keeping it borrowed when it was.
fn trimmed(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(trim(s)),
        Cow::Owned(s) if trim(&s).len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(trim(&s).to_owned()),
    }
}

/// Folds full-width forms, keeping the field borrowed when nothing changes.
fn folded(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => fold_width(s),
        Cow::Owned(s) => match fold_width(&s) {
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(f) => Cow::Owned(f),
        },
    }
}

impl<'a> Record<'a> {
    /// `validate` over plain strings in `Column` order; columns past `N` are absent
    /// (so the eleven columns of SPEC section 1 alone are a whole row).
    pub fn validate_strs<const N: usize>(raw: &[&'a str; N]) -> Result<Record<'a>, Rejection> {
        Record::validate(std::array::from_fn(|i| Cow::Borrowed(raw.get(i).copied().unwrap_or(""))))
    }

    /// Applies every field rule of SPEC section 1, then row consistency.
    pub fn validate(raw: RawFields<'a>) -> Result<Record<'a>, Rejection> {
        let mut f = raw.map(trimmed);
        let field = |c: Column| -> &str { f[c.index()].as_ref() };
        for c in Column::ALL {
            if c.required() && field(c).is_empty() {
                return Err(Rejection::new(Reason::MissingField, Detail::MissingField(c)));
            }
        }

        let id_text = fold_width(field(Column::ChildId));
        let child_id = ChildId::parse(&id_text).map_err(id_rejection)?;

        text_field(Column::Name, field(Column::Name))?;

        let category = Category::parse(field(Column::Category)).ok_or_else(|| {
            Rejection::new(Reason::InvalidCategory, Detail::Category(Found::new(field(Column::Category))))
        })?;

        if !valid_region(&fold_width(field(Column::RegionCode))) {
            return Err(Rejection::new(Reason::InvalidRegion, Detail::Region(Found::new(field(Column::RegionCode)))));
        }

        let approved_from = month_field(Column::ApprovedFrom, field(Column::ApprovedFrom))?;
        let ended_text = field(Column::EndedAfter);
        let ended_after = if ended_text.is_empty() { None } else { Some(month_field(Column::EndedAfter, ended_text)?) };

        let status = Status::parse(field(Column::Status))
            .ok_or_else(|| Rejection::new(Reason::InvalidStatus, Detail::Status(Found::new(field(Column::Status)))))?;

        let amount_text = fold_width(field(Column::MonthlyAmount));
        let monthly_amount = if amount_text.is_empty() {
            None
        } else {
            Some(parse_amount(&amount_text).map_err(|p| amount_rejection(p, field(Column::MonthlyAmount)))?)
        };

        let account_text = fold_width(field(Column::PayeeAccount));
        let account_ok = {
            let digits = account_text.bytes().filter(|b| *b != b' ' && *b != b'-');
            let n = digits.clone().count();
            (8..=32).contains(&n) && digits.clone().all(|b| b.is_ascii_digit())
        };
        if !account_ok {
            return Err(account_rejection(&account_text));
        }

        text_field(Column::PayeeName, field(Column::PayeeName))?;
        text_field(Column::PayeeBank, field(Column::PayeeBank))?;
        let payee_bank_code = bank_code(field(Column::PayeeBankCode))?;

        if let Some(end) = ended_after {
            if end < approved_from {
                return Err(Rejection::new(
                    Reason::InconsistentDates,
                    Detail::EndedBeforeApproved { end, approved: approved_from },
                ));
            }
        }
        let (by, bm, _) = child_id.birth_date();
        if let Some(birth) = Month::new(by, bm).filter(|b| approved_from < *b) {
            return Err(Rejection::new(
                Reason::InconsistentDates,
                Detail::ApprovedBeforeBirth { approved: approved_from, birth },
            ));
        }

        let mut take = |c: Column| std::mem::take(&mut f[c.index()]);
        let payee_account = match folded(take(Column::PayeeAccount)) {
            a if a.bytes().any(|b| b == b' ' || b == b'-') => {
                Cow::Owned(a.chars().filter(|c| *c != ' ' && *c != '-').collect())
            }
            a => a,
        };
        Ok(Record {
            child_id,
            name: take(Column::Name),
            category,
            region_code: folded(take(Column::RegionCode)),
            approved_from,
            ended_after,
            status,
            monthly_amount,
            payee_name: take(Column::PayeeName),
            payee_account,
            payee_bank: take(Column::PayeeBank),
            payee_bank_code: payee_bank_code.map(|code| match take(Column::PayeeBankCode) {
                Cow::Borrowed(b) if b == code => Cow::Borrowed(b),
                _ => Cow::Owned(code),
            }),
        })
    }

    /// The same record owning its text.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            name: Cow::Owned(self.name.into_owned()),
            region_code: Cow::Owned(self.region_code.into_owned()),
            payee_name: Cow::Owned(self.payee_name.into_owned()),
            payee_account: Cow::Owned(self.payee_account.into_owned()),
            payee_bank: Cow::Owned(self.payee_bank.into_owned()),
            payee_bank_code: self.payee_bank_code.map(|c| Cow::Owned(c.into_owned())),
            ..self
        }
    }

    /// The bank code as a number (12 digits fit a `u64`), for compact keys.
    pub fn bank_code_number(&self) -> Option<u64> {
        self.payee_bank_code.as_deref().and_then(|c| c.parse().ok())
    }

    /// The month of the 18th birthday: the last month the allowance is paid.
    pub fn last_month_before_adulthood(&self) -> Option<Month> {
        let (y, m, _) = self.child_id.birth_date();
        Month::new(y, m).map(|b| b.plus_years(18))
    }
}

/// True for exactly six ASCII digits whose first two are a province code.
pub fn valid_region(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let p = (b[0] - b'0') * 10 + (b[1] - b'0');
    matches!(p, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

/// The payee's bank code (联行号): blank is unknown; otherwise, with spaces (ASCII and
/// U+3000) removed and full-width digits read as ASCII, exactly 12 ASCII digits. No
/// check-digit algorithm for CNAPS codes is published, so none is applied.
fn bank_code(s: &str) -> Result<Option<String>, Rejection> {
    if s.is_empty() {
        return Ok(None);
    }
    let code: String = fold_width(s).chars().filter(|c| *c != ' ' && *c != '\u{3000}').collect();
    if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(code))
    } else {
        Err(Rejection::new(Reason::InvalidBankCode, Detail::BankCode(Found::new(s))))
    }
}

fn id_rejection(p: IdProblem) -> Rejection {
    Rejection::new(Reason::InvalidId, Detail::Id(p))
}

fn amount_rejection(p: AmountProblem, found: &str) -> Rejection {
    Rejection::new(Reason::InvalidAmount, Detail::Amount(p, Found::new(found)))
}

/// The account is never quoted: the sentence says how many digits it has and the
/// first character that does not belong.
fn account_rejection(account: &str) -> Rejection {
    let kept = || account.chars().filter(|c| *c != ' ' && *c != '-');
    let digits = kept().filter(char::is_ascii_digit).count();
    let stray = kept().find(|c| !c.is_ascii_digit()).map(|c| if c.is_control() { '\u{fffd}' } else { c });
    Rejection::new(Reason::InvalidAccount, Detail::Account { digits, stray })
}

fn month_field(c: Column, s: &str) -> Result<Month, Rejection> {
    Month::parse(&fold_width(s)).ok_or_else(|| Rejection::new(Reason::InvalidMonth, Detail::Month(c, Found::new(s))))
}

fn text_field(c: Column, s: &str) -> Result<&str, Rejection> {
    match check_text(s) {
        Ok(()) => Ok(s),
        Err(TextProblem::FormulaStart(first)) => {
            Err(Rejection::new(Reason::InvalidText, Detail::FormulaText(c, first)))
        }
        Err(TextProblem::Control(code)) => Err(Rejection::new(Reason::InvalidText, Detail::ControlText(c, code))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn good_row() -> [String; Column::COUNT] {
        [
            "11010519491231002X",
            "张三",
            "scattered",
            "430102",
            "2018-01",
            "",
            "",
            "",
            "李四",
            "6222 0200-1234 5678",
            "中国工商银行",
            "",
        ]
        .map(String::from)
    }

    fn validate(row: &[String; Column::COUNT]) -> Result<Record<'_>, Rejection> {
        let raw: [&str; Column::COUNT] = std::array::from_fn(|i| row[i].as_str());
        Record::validate_strs(&raw)
    }

    fn reason_with(col: Column, value: &str) -> Reason {
        let mut row = good_row();
        row[col.index()] = value.to_owned();
        validate(&row).expect_err(value).reason
    }

    #[test]
    fn good_row_is_valid_and_normalised() {
        let row = good_row();
        let r = validate(&row).unwrap();
        assert_eq!(r.payee_account, "6222020012345678");
        assert_eq!(r.category, Category::Scattered);
        assert_eq!(r.status, Status::Active);
        assert_eq!(r.monthly_amount, None);
    }

    #[test]
    fn aliases_and_full_width() {
        let mut row = good_row();
        row[Column::ChildId.index()] = "１１０１０５１９４９１２３１００２ｘ".into();
        row[Column::Category.index()] = "集中供养".into();
        row[Column::RegionCode.index()] = "\u{3000}４３０１０２ ".into();
        row[Column::ApprovedFrom.index()] = "２０１８年１月".into();
        row[Column::Status.index()] = "暂停".into();
        row[Column::MonthlyAmount.index()] = "１２００.５".into();
        let r = validate(&row).unwrap();
        assert_eq!(r.child_id.as_str(), "11010519491231002X");
        assert_eq!(r.category, Category::Institutional);
        assert_eq!(r.region_code, "430102");
        assert_eq!(r.status, Status::Suspended);
        assert_eq!(r.monthly_amount, Some(Decimal::new(120050, 2)));
    }

    /// Every category word of the vocabulary table whose category is known parses to it.
    #[test]
    fn every_category_word_of_the_table() {
        for (word, name) in crate::core::vocabulary::CATEGORY_WORDS {
            let mut row = good_row();
            row[Column::Category.index()] = format!(" {word} ");
            let c = Category::named(name).unwrap();
            assert_eq!(validate(&row).unwrap().category, c, "{word}");
        }
    }

    #[test]
    fn each_rejection_reason() {
        assert_eq!(reason_with(Column::Name, "  "), Reason::MissingField);
        assert_eq!(reason_with(Column::PayeeBank, ""), Reason::MissingField);
        assert_eq!(reason_with(Column::ChildId, "110105194912310021"), Reason::InvalidId);
        assert_eq!(reason_with(Column::Category, "orphanage"), Reason::InvalidCategory);
        assert_eq!(reason_with(Column::RegionCode, "990102"), Reason::InvalidRegion);
        assert_eq!(reason_with(Column::RegionCode, "43010"), Reason::InvalidRegion);
        assert_eq!(reason_with(Column::ApprovedFrom, "2018-13"), Reason::InvalidMonth);
        assert_eq!(reason_with(Column::EndedAfter, "someday"), Reason::InvalidMonth);
        assert_eq!(reason_with(Column::Status, "dead"), Reason::InvalidStatus);
        assert_eq!(reason_with(Column::MonthlyAmount, "1,200"), Reason::InvalidAmount);
        assert_eq!(reason_with(Column::PayeeAccount, "1234567"), Reason::InvalidAccount);
        assert_eq!(reason_with(Column::PayeeAccount, "6222abc012345678"), Reason::InvalidAccount);
        assert_eq!(reason_with(Column::PayeeName, "=cmd|' /C calc'!A0"), Reason::InvalidText);
        assert_eq!(reason_with(Column::Name, "张\u{7}三"), Reason::InvalidText);
        assert_eq!(reason_with(Column::EndedAfter, "2017-12"), Reason::InconsistentDates);
        assert_eq!(reason_with(Column::ApprovedFrom, "1949-11"), Reason::InconsistentDates);
    }

    #[test]
    fn bank_code_is_twelve_digits_spaces_ignored() {
        let code = |v: &str| {
            let mut row = good_row();
            row[Column::PayeeBankCode.index()] = v.to_owned();
            validate(&row).map(|r| r.payee_bank_code.map(|c| c.into_owned()))
        };
        assert_eq!(code(""), Ok(None));
        assert_eq!(code("102551000011"), Ok(Some("102551000011".into())));
        assert_eq!(code(" 1025 5100\u{3000}0011 "), Ok(Some("102551000011".into())));
        assert_eq!(code("１０２５５１０００FF１１").map_err(|e| e.reason), Err(Reason::InvalidBankCode));
        assert_eq!(code("１０２５５１００００１１"), Ok(Some("102551000011".into())));
        for bad in
            ["10255100001", "1025510000111", "10255100001A", "ICBC", "1025-5100-0011", "１０２５５１０００\u{0661}１１"]
        {
            assert_eq!(code(bad).map_err(|e| e.reason), Err(Reason::InvalidBankCode), "{bad}");
        }
    }

    #[test]
    fn eleven_columns_are_a_whole_row() {
        let row = good_row();
        let raw: [&str; 11] = std::array::from_fn(|i| row[i].as_str());
        assert_eq!(Record::validate_strs(&raw).unwrap().payee_bank_code, None);
    }

    #[test]
    fn approved_in_birth_month_is_fine() {
        let mut row = good_row();
        row[Column::ApprovedFrom.index()] = "1949-12".into();
        assert!(validate(&row).is_ok());
    }

    #[test]
    fn region_province_codes() {
        for ok in ["110000", "430102", "710000", "820000", "650102"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in ["100000", "160000", "240000", "470000", "720000", "830000", "43010a", "4301023"] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
