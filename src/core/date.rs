//! Calendar days: the one place that knows leap years and turns a day count into a
//! civil date. The ID's birth date, `--execution-date` and the pain.001 creation
//! time all ask it, so the Gregorian rules are written once.

/// Whether `year` is a Gregorian leap year.
pub fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1-12) of `year`; `None` for a month that does not exist.
pub fn days_in_month(year: u32, month: u32) -> Option<u32> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return None,
    })
}

/// Whether `year-month-day` is a real calendar date (year 1 or later).
pub fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    year > 0 && days_in_month(year, month).is_some_and(|days| (1..=days).contains(&day))
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's
/// `days_from_civil`), the inverse of `civil_from_days`.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) for seconds since the epoch.
pub fn iso_datetime(epoch: i64) -> String {
    let (y, m, d) = civil_from_days(epoch.div_euclid(86_400));
    let secs = epoch.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Checks a `YYYY-MM-DD` date (a real day in the years a `Month` can hold) and
/// returns it unchanged.
pub fn parse_iso_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let years = super::month::Month::MIN_YEAR..=super::month::Month::MAX_YEAR;
    (years.contains(&y) && is_real_date(y, m, d)).then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_convert_both_ways() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000) && is_leap(2016) && !is_leap(1900) && !is_leap(2018));
        assert!(is_real_date(2000, 2, 29) && !is_real_date(2001, 2, 29));
        assert!(!is_real_date(2000, 13, 1) && !is_real_date(2000, 4, 31) && !is_real_date(0, 1, 1));
    }

    #[test]
    fn epoch_to_iso() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00");
        assert_eq!(iso_datetime(1_528_588_800), "2018-06-10T00:00:00");
        assert_eq!(iso_datetime(951_782_400 + 3661), "2000-02-29T01:01:01");
        assert_eq!(iso_datetime(-1), "1969-12-31T23:59:59");
    }

    #[test]
    fn iso_dates() {
        assert!(parse_iso_date("2018-06-10").is_some());
        assert!(parse_iso_date("2000-02-29").is_some());
        for bad in ["2018-6-10", "2018-02-30", "20180610", "2018-13-01", "1899-12-31", "2200-01-01"] {
            assert!(parse_iso_date(bad).is_none(), "{bad}");
        }
    }
}
