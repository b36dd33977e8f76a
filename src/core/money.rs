//! Money: exact yuan amounts with two fraction digits, never floating point.
//!
//! Amounts are parsed straight from the text into integer fen and held as
//! `rust_decimal::Decimal` with scale 2, so `800.50` is exactly 80050 fen and sums
//! never drift.

use rust_decimal::Decimal;

/// Why an amount is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountProblem {
    /// Not a plain decimal: a sign, exponent, separator, symbol or letter.
    NotPlain,
    /// More than two fraction digits.
    TooPrecise,
    /// Too many digits to be a real monthly amount.
    TooLarge,
}

/// The most integer digits an amount may have (far above any real allowance).
const MAX_INT_DIGITS: usize = 13;

/// The largest amount the files (13 integer digits) and the ledger (integer fen in
/// an `i64`) both hold exactly: 9,999,999,999,999.99 yuan.
pub const MAX_FEN: i64 = 999_999_999_999_999;
const _: () = assert!(MAX_FEN < i64::MAX);

/// The largest amount, as a decimal (see [`MAX_FEN`]).
pub fn max_amount() -> Decimal {
    Decimal::new(MAX_FEN, 2)
}

/// True when `d` (a row's amount, an account's sum, a total) can be written to the
/// files and the ledger exactly: not negative, at most two fraction digits, at most
/// [`MAX_FEN`] fen. A sum over many rows can exceed what one row can hold; such an
/// amount is refused, never capped.
pub fn within_bounds(d: Decimal) -> bool {
    !d.is_sign_negative() && d.normalize().scale() <= 2 && d <= max_amount()
}

/// Parses a plain decimal (`800`, `800.5`, `800.50`): digits, optionally a point and
/// one or two digits. The value must already be trimmed and folded to ASCII.
pub fn parse_amount(s: &str) -> Result<Decimal, AmountProblem> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) {
        return Err(AmountProblem::NotPlain);
    }
    let frac = match frac {
        None => "",
        Some(f) if all_digits(f) => f,
        Some(_) => return Err(AmountProblem::NotPlain),
    };
    if frac.len() > 2 {
        return Err(AmountProblem::TooPrecise);
    }
    let int = int.trim_start_matches('0');
    if int.len() > MAX_INT_DIGITS {
        return Err(AmountProblem::TooLarge);
    }
    let mut fen: i64 = 0;
    for b in int.bytes().chain(frac.bytes()).chain(std::iter::repeat_n(b'0', 2 - frac.len())) {
        fen = fen * 10 + i64::from(b - b'0');
    }
    Ok(Decimal::new(fen, 2))
}

/// Renders an amount with exactly two fraction digits (`800` → `800.00`).
pub fn fmt_amount(d: Decimal) -> String {
    let mut v = Vec::with_capacity(16);
    push_amount(&mut v, d);
    String::from_utf8(v).expect("ASCII")
}

/// Appends an amount with exactly two fraction digits to `buf` (no allocation).
pub fn push_amount(buf: &mut Vec<u8>, d: Decimal) {
    let d = if d.scale() == 2 {
        d
    } else {
        let mut r = d.round_dp(2);
        r.rescale(2);
        r
    };
    let m = d.mantissa();
    if m < 0 {
        buf.push(b'-');
    }
    let m = m.unsigned_abs();
    push_u128(buf, m / 100);
    let frac = (m % 100) as u8;
    buf.extend_from_slice(&[b'.', b'0' + frac / 10, b'0' + frac % 10]);
}

/// Appends a whole number in decimal.
pub fn push_u128(buf: &mut Vec<u8>, n: u128) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals() {
        assert_eq!(parse_amount("800"), Ok(Decimal::new(80000, 2)));
        assert_eq!(parse_amount("800.5"), Ok(Decimal::new(80050, 2)));
        assert_eq!(parse_amount("800.50"), Ok(Decimal::new(80050, 2)));
        assert_eq!(parse_amount("0"), Ok(Decimal::ZERO));
        assert_eq!(parse_amount("0800.05"), Ok(Decimal::new(80005, 2)));
    }

    #[test]
    fn refused_forms() {
        use AmountProblem::*;
        for (s, why) in [
            ("8e2", NotPlain),
            ("-1", NotPlain),
            ("+800", NotPlain),
            ("1,200", NotPlain),
            ("¥800", NotPlain),
            ("800元", NotPlain),
            ("", NotPlain),
            (".5", NotPlain),
            ("800.", NotPlain),
            ("8 00", NotPlain),
            ("800.001", TooPrecise),
            ("99999999999999", TooLarge),
        ] {
            assert_eq!(parse_amount(s), Err(why), "{s:?}");
        }
    }

    #[test]
    fn bounds_of_the_files_and_the_ledger() {
        assert_eq!(parse_amount("9999999999999.99"), Ok(max_amount()));
        assert!(within_bounds(max_amount()) && within_bounds(Decimal::ZERO));
        assert!(!within_bounds(max_amount() + Decimal::new(1, 2)));
        assert!(!within_bounds(max_amount() * Decimal::from(10_000)));
        assert!(!within_bounds(Decimal::new(-1, 2)));
        assert!(!within_bounds(Decimal::new(1, 3)));
        assert_eq!(fmt_amount(max_amount()).split('.').next().map(str::len), Some(MAX_INT_DIGITS));
    }

    #[test]
    fn formats_two_digits() {
        assert_eq!(fmt_amount(Decimal::new(800, 0)), "800.00");
        assert_eq!(fmt_amount(Decimal::new(80050, 2)), "800.50");
        assert_eq!(fmt_amount(Decimal::ZERO), "0.00");
        assert_eq!(fmt_amount(Decimal::new(5, 1)), "0.50");
        assert_eq!(fmt_amount(Decimal::new(-150, 2)), "-1.50");
        assert_eq!(fmt_amount(Decimal::new(1234567890123, 2)), "12345678901.23");
    }
}
