//! Text clean-up shared by every field rule: trimming, full-width digits, the
//! spreadsheet-formula rule and masking of personal numbers for the terminal.
//!
//! Rosters are typed by clerks in Excel on Chinese Windows, so the same value arrives
//! with ideographic spaces around it or in full-width forms (`４３０１`). These helpers
//! turn such values into the one form the rules check.

use std::borrow::Cow;

/// Trims ASCII white space and the ideographic space U+3000 from both ends.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{3000}')
}

/// Maps full-width forms U+FF01–U+FF5E to their ASCII twins (`４` → `4`, `Ｘ` → `X`).
pub fn fold_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(is_full_width) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars().map(|c| if is_full_width(c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c }).collect(),
    )
}

fn is_full_width(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c)
}

/// Why a free-text field (`name`, `payee_name`, `payee_bank`) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Begins with `=`, `+`, `-`, `@`, tab or carriage return: a spreadsheet would
    /// run it as a formula.
    FormulaStart(char),
    /// Holds a control character (a line break, NUL, ...).
    Control(u32),
}

/// The free-text rule of SPEC section 1 (the value is already trimmed and non-empty).
pub fn check_text(s: &str) -> Result<(), TextProblem> {
    if let Some(first) = s.chars().next() {
        if matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
            return Err(TextProblem::FormulaStart(first));
        }
    }
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(TextProblem::Control(c as u32)),
        None => Ok(()),
    }
}

/// Makes a value that is written back as found (for example an invalid name in
/// `exceptions.csv`) inert in a spreadsheet: a leading formula character gets a `'`
/// in front, as OWASP recommends for CSV injection.
pub fn defuse(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Masks the middle of an ID or account number for the terminal:
/// `430102200001011234` → `430102********1234`. Short values keep less.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 14 {
        (6, 4)
    } else if n >= 8 {
        (2, 2)
    } else {
        (0, 0)
    };
    let mut out = String::with_capacity(n);
    for (i, c) in chars.iter().enumerate() {
        if i < head || i >= n - tail {
            out.push(*c);
        } else {
            out.push('*');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_ascii_and_ideographic_space() {
        assert_eq!(trim("\u{3000} 张三\t\u{3000}"), "张三");
        assert_eq!(trim("   "), "");
    }

    #[test]
    fn folds_full_width() {
        assert_eq!(fold_width("４３０１０２Ｘ"), "430102X");
        assert_eq!(fold_width("２０１８－０６"), "2018-06");
        assert_eq!(fold_width("张三"), "张三");
    }

    #[test]
    fn formula_and_control_rule() {
        assert!(check_text("张三").is_ok());
        assert!(check_text("O'Brien-Li").is_ok());
        for bad in ["=1+1", "+86", "-x", "@SUM(A1)", "\tx", "\rx"] {
            assert!(matches!(check_text(bad), Err(TextProblem::FormulaStart(_))), "{bad}");
        }
        assert_eq!(check_text("a\u{0}b"), Err(TextProblem::Control(0)));
        assert_eq!(check_text("a\nb"), Err(TextProblem::Control(10)));
    }

    #[test]
    fn defuse_prefixes_formulas_only() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("张三"), "张三");
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask("430102200001011234"), "430102********1234");
        assert_eq!(mask("6222021234"), "62******34");
        assert_eq!(mask("123"), "***");
    }
}
