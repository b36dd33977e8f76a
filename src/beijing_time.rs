//! Times on screen in Beijing time (UTC+8); the ledger keeps UTC.
//!
//! A clerk in Hunan reads the ledger's `2026-11-29T08:20:00Z` as 16:20 on the same
//! day, so every screen shows times shifted to UTC+8 and says so. Only the terminal
//! gets these: no output file carries a wall-clock time.

use crate::core::date::{civil_from_days, days_from_civil};
use crate::core::detail::Lang;

/// `2026-11-29T08:20:00Z` (as the ledger stores it) as `2026-11-29 16:20` in Beijing
/// time; `None` for text that is not such a time.
pub fn beijing(utc: &str) -> Option<String> {
    let b = utc.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit());
    if !shape {
        return None;
    }
    let n = |r: std::ops::Range<usize>| utc[r].parse::<i64>().ok();
    let (y, mo, d, h, mi) = (n(0..4)?, n(5..7)?, n(8..10)?, n(11..13)?, n(14..16)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 {
        return None;
    }
    let minutes = days_from_civil(y, mo, d) * 1440 + h * 60 + mi + 8 * 60;
    let (y, mo, d) = civil_from_days(minutes.div_euclid(1440));
    let m = minutes.rem_euclid(1440);
    Some(format!("{y:04}-{mo:02}-{d:02} {:02}:{:02}", m / 60, m % 60))
}

/// A ledger time for a sentence: `2026-11-29 16:20 Beijing time` or
/// `2026-11-29 16:20（北京时间）`; text that is not a time is shown as it is.
pub fn say(utc: &str, lang: Lang) -> String {
    match beijing(utc) {
        Some(t) => match lang {
            Lang::En => format!("{t} Beijing time"),
            Lang::Zh => format!("{t}（北京时间）"),
        },
        None => utc.to_owned(),
    }
}

/// A ledger time for a table cell whose heading already says Beijing time.
pub fn cell(utc: &str) -> String {
    beijing(utc).unwrap_or_else(|| if utc.is_empty() { "-".to_owned() } else { utc.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_hours_ahead_across_days_months_and_years() {
        assert_eq!(beijing("2026-11-29T08:20:00Z").as_deref(), Some("2026-11-29 16:20"));
        assert_eq!(beijing("2026-11-29T16:20:59Z").as_deref(), Some("2026-11-30 00:20"));
        assert_eq!(beijing("2018-02-28T20:00:00Z").as_deref(), Some("2018-03-01 04:00"));
        assert_eq!(beijing("2020-02-28T20:00:00Z").as_deref(), Some("2020-02-29 04:00"));
        assert_eq!(beijing("2018-12-31T23:59:00Z").as_deref(), Some("2019-01-01 07:59"));
        assert_eq!(beijing("1970-01-01T00:00:00Z").as_deref(), Some("1970-01-01 08:00"));
    }

    #[test]
    fn what_is_not_a_time_is_shown_as_it_is() {
        for text in ["", "2026-11-29", "2026-13-01T00:00:00Z", "2026-11-29 08:20:00", "２026-11-29T08:20:00Z"] {
            assert_eq!(beijing(text), None, "{text}");
            assert_eq!(say(text, Lang::Zh), text);
        }
        assert_eq!(cell(""), "-");
    }

    #[test]
    fn sentences_say_which_time_it_is() {
        assert_eq!(say("2026-11-29T08:20:00Z", Lang::Zh), "2026-11-29 16:20（北京时间）");
        assert_eq!(say("2026-11-29T08:20:00Z", Lang::En), "2026-11-29 16:20 Beijing time");
    }
}
