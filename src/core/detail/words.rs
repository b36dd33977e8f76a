//! The accepted roster words a sentence lists, read from the vocabulary table (so a
//! word added there is named in the sentences too), grouped by what they mean.

use crate::core::category::Category;
use crate::core::vocabulary::{StatusKind, CATEGORY_WORDS, STATUS_WORDS};

/// The category names of the vocabulary, in table order, each with its roster words.
pub fn categories() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for (word, name) in CATEGORY_WORDS {
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, words)) => words.push(word),
            None => out.push((name, vec![word])),
        }
    }
    out
}

/// Category names a policy file or roster profile declared in this run, beyond the
/// vocabulary's (a roster may write the name itself).
pub fn declared() -> Vec<&'static str> {
    (0..=u8::MAX)
        .map_while(Category::from_index)
        .map(Category::as_str)
        .filter(|name| !CATEGORY_WORDS.iter().any(|(_, c)| c == name))
        .collect()
}

/// The status kinds in table order, each with its roster words.
pub fn statuses() -> Vec<(StatusKind, Vec<&'static str>)> {
    let mut out: Vec<(StatusKind, Vec<&'static str>)> = Vec::new();
    for (word, kind) in STATUS_WORDS {
        match out.iter_mut().find(|(k, _)| k == kind) {
            Some((_, words)) => words.push(word),
            None => out.push((*kind, vec![word])),
        }
    }
    out
}

/// True for a word written in Chinese (a roster word, not an English code word).
pub fn is_chinese(word: &str) -> bool {
    !word.is_ascii()
}
