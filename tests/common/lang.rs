//! Is a text in the clerk's language? (SPEC section 17.)
//!
//! Chinese text may keep a few things in Latin letters: file names and paths, codes
//! (INVALID_ID, T201806-000001, effective_from), flags (--ledger), config keys
//! ([returns]), XML element names (CstmrPmtStsRpt), product names (CSV, Excel,
//! UTF-8, SQLite) and quoted values. Anything else in Latin letters is an English
//! word left behind. English text, in turn, holds no Chinese outside quoted values
//! and parenthesised lists (the Chinese header aliases a roster may use).

/// Product and program names written in Latin letters in Chinese text.
pub const PRODUCT_NAMES: &[&str] =
    &["Excel", "SQLite", "disburse", "Ctrl+End", "zip", "xlsx", "xls", "ods", "csv", "xml", "json", "toml", "gbk"];

fn is_han(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c)
}

/// `text` without its quoted values: “…”, "…" and `…`.
pub fn without_quotes(text: &str) -> String {
    let mut out = String::new();
    let mut close: Option<char> = None;
    for c in text.chars() {
        match close {
            Some(end) if c == end => close = None,
            Some(_) => {}
            None => match c {
                '“' => close = Some('”'),
                '"' => close = Some('"'),
                '`' => close = Some('`'),
                _ => out.push(c),
            },
        }
    }
    out
}

fn allowed(token: &str, extra: &[&str]) -> bool {
    let bare = token.trim_matches(|c: char| "()[]{}<>,;:!?'".contains(c));
    let letters = bare.chars().any(|c| c.is_ascii_alphabetic());
    !letters
        || bare.starts_with('-')
        || token.contains('[')
        || bare.contains(['/', '\\', '.', '_', '=', '@', '+', '{'])
        || bare.chars().any(|c| c.is_ascii_digit())
        || bare.chars().filter(|c| c.is_ascii_alphabetic()).all(|c| c.is_ascii_uppercase())
        || bare.chars().skip(1).any(|c| c.is_ascii_uppercase())
        || PRODUCT_NAMES.iter().any(|p| p.eq_ignore_ascii_case(bare))
        || extra.contains(&bare)
}

/// The English words left in a Chinese `text` (empty when it reads as Chinese);
/// `extra` are more tokens this text may hold (command names, value words).
pub fn english_words(text: &str, extra: &[&str]) -> Vec<String> {
    let plain = without_quotes(text);
    plain
        .split(|c: char| c.is_whitespace() || !c.is_ascii())
        .filter(|t| !t.is_empty() && !allowed(t, extra))
        .map(str::to_owned)
        .collect()
}

/// True when `text` has Han characters.
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(is_han)
}

/// The Han characters of an English `text` outside quoted values and parentheses.
pub fn chinese_outside_quotes(text: &str) -> String {
    let plain = without_quotes(text);
    let mut depth = 0usize;
    let mut out = String::new();
    for c in plain.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && is_han(c) => out.push(c),
            _ => {}
        }
    }
    out
}
