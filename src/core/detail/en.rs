//! The English sentences: the value found, the rule, the fix. Chinese roster words
//! appear only in quotes.

use super::words::{categories, is_chinese, statuses};
use super::{Detail, Found, PayeeField};
use crate::core::id::IdProblem;
use crate::core::money::{fmt_amount, AmountProblem};
use crate::core::vocabulary::StatusKind;

fn q(f: &Found) -> String {
    format!("\"{}\"", f.as_str())
}

/// `scattered ("散居", "社会散居", ...), institutional (...) or ...`
fn category_words() -> String {
    let parts: Vec<String> = categories()
        .into_iter()
        .map(|(name, words)| {
            let zh: Vec<String> = words.iter().filter(|w| is_chinese(w)).map(|w| format!("\"{w}\"")).collect();
            format!("{name} ({})", zh.join(", "))
        })
        .collect();
    let mut parts = parts;
    parts.extend(super::words::declared().into_iter().map(|name| format!("\"{name}\"")));
    or_list(&parts)
}

fn status_words() -> String {
    let parts: Vec<String> = statuses()
        .into_iter()
        .map(|(kind, words)| {
            let name = match kind {
                StatusKind::Active => "active",
                StatusKind::Suspended => "suspended",
                StatusKind::Ended => "ended",
            };
            let zh: Vec<String> = words.iter().filter(|w| is_chinese(w)).map(|w| format!("\"{w}\"")).collect();
            format!("{name} ({})", zh.join(", "))
        })
        .collect();
    format!("{}, or leave it blank (active)", parts.join(", "))
}

fn or_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn control_name(code: u32) -> String {
    match code {
        0x0a => "a line break".into(),
        0x0d => "a carriage return".into(),
        0x09 => "a tab".into(),
        0x00 => "a NUL character".into(),
        c => format!("an invisible control character (U+{c:04X})"),
    }
}

fn payee_field(f: PayeeField) -> &'static str {
    f.column().name()
}

pub(super) fn sentence(d: &Detail) -> String {
    use Detail::*;
    match d {
        None => String::new(),
        MissingField(c) => format!("{} is empty: it is required, fill it in", c.name()),
        Id(IdProblem::ExcelNumber) => "child_id looks like an ID number that Excel turned into a number (such as 4.30102E+17): format the column as text, re-type the IDs and export again".into(),
        Id(IdProblem::Length(n)) => format!("child_id has {n} characters; an ID number has 18: correct it from the household register"),
        Id(IdProblem::Characters) => "child_id holds characters other than digits and a final X; an ID number is 17 digits followed by a digit or X: correct it from the household register".into(),
        Id(IdProblem::Check { expected, found }) => format!(
            "child_id check character is {found} but the first 17 digits give {expected}: a digit is probably mistyped, compare it with the household register"
        ),
        Id(IdProblem::BirthDate) => "child_id characters 7-14 are not a real birth date: compare the ID with the household register".into(),
        Category(f) => format!("category {} is not a category word: write {}", q(f), category_words()),
        Region(f) => format!(
            "region_code {} is not a division code: it must be 6 digits starting with a province code (11-82), such as 430102; correct it from the official list of division codes",
            q(f)
        ),
        Month(c, f) => format!(
            "{} {} is not a month: write it as 2018-06, 201806 or \"2018年6月\" (years 1900-2199)",
            c.name(),
            q(f)
        ),
        Status(f) => format!("status {} is not a status word: write {}", q(f), status_words()),
        Amount(AmountProblem::NotPlain, f) => format!(
            "monthly_amount {} is not a plain number of yuan: write it as 800 or 800.50 (no sign, separator or currency symbol), or leave it blank to pay the standard",
            q(f)
        ),
        Amount(AmountProblem::TooPrecise, f) => format!(
            "monthly_amount {} has more than 2 decimal places: amounts are in yuan and fen, such as 800.50",
            q(f)
        ),
        Amount(AmountProblem::TooLarge, f) => format!(
            "monthly_amount {} is far too large to be a monthly amount: check it and correct it",
            q(f)
        ),
        Account { digits, stray: Some(c) } => format!(
            "payee_account holds \"{c}\" and {digits} digits; an account number is 8 to 32 digits (spaces and dashes are allowed between them): copy it again from the bank card or passbook"
        ),
        Account { digits, stray: Option::None } => format!(
            "payee_account has {digits} digits; an account number has 8 to 32: copy it again from the bank card or passbook"
        ),
        BankCode(f) => format!(
            "payee_bank_code {} is not a bank code: it must be the 12-digit code of the payee's bank branch, or blank when not known",
            q(f)
        ),
        FormulaText(c, first) => format!(
            "{} begins with a character a spreadsheet treats as a formula ({}): delete that first character",
            c.name(),
            match first {
                '\t' => "a tab".to_owned(),
                '\r' => "a carriage return".to_owned(),
                other => format!("\"{other}\""),
            }
        ),
        ControlText(c, code) => format!(
            "{} holds {}, which cannot go into the bank file: delete it (in Excel, look for a line break inside the cell)",
            c.name(),
            control_name(*code)
        ),
        EndedBeforeApproved { end, approved } => format!(
            "ended_after {end} is before approved_from {approved}: one of the two months is wrong, correct it"
        ),
        ApprovedBeforeBirth { approved, birth } => format!(
            "approved_from {approved} is before the child's birth month {birth} (from the ID): correct approved_from or child_id"
        ),
        Malformed { fields, header } => format!(
            "the row has {fields} fields where the header has {header}: look for a stray comma or an unclosed quote in this row"
        ),
        BadBytes { column, field, byte, position } => format!(
            "{} holds bytes that are not valid text (byte 0x{byte:02X} at position {position}): re-type it, or save the file as CSV UTF-8",
            match column {
                Some(c) => c.name().to_owned(),
                Option::None => format!("field {field}"),
            }
        ),
        DuplicateId { other } => format!(
            "this ID is also on the valid row at {other}: keep one row per child; until then none of its rows is paid"
        ),
        PayeeConflict { other, field } => format!(
            "the row at {other} has the same payee_account but a different {}: the rows of one account must agree on payee_name, payee_bank and payee_bank_code; correct them",
            payee_field(*field)
        ),
        AboveCeiling { amount, ceiling } => format!(
            "amount {} is above the ceiling {}: if it is right, raise --ceiling and run again; otherwise correct monthly_amount",
            fmt_amount(*amount),
            fmt_amount(*ceiling)
        ),
        Suspended => "the roster's status is suspended: nothing is paid this month; set the status to active when payment resumes".into(),
        NotStarted { from } => format!(
            "the entitlement starts in {from} (approved_from), after this month: if approved_from is wrong, correct it"
        ),
        Ended { end } => format!(
            "the entitlement ended after {end} (ended_after): if it continues, correct ended_after"
        ),
        EndedStatus { word } => format!(
            "the roster's status is \"{word}\": the entitlement has ended; if that is wrong, correct the status"
        ),
        AgedOut { last } => format!(
            "the child turned 18 in {last}; the allowance is paid through that month: if the birth date is wrong, correct child_id"
        ),
    }
}
