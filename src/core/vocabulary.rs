//! The words rosters use for a child's category and status, in one table each.
//!
//! Offices write the same thing many ways (散居, 社会散居孤儿, 社会散住...). Keeping
//! every accepted word in one table means the parser, the documentation and the
//! tests all read the same list, and adding a word is one line.

/// Roster word → category name. Category names are the policy's (SPEC section 15):
/// a word whose category the policy has no standard for is a coverage gap.
pub const CATEGORY_WORDS: &[(&str, &str)] = &[
    ("scattered", "scattered"),
    ("散居", "scattered"),
    ("社会散居", "scattered"),
    ("散居孤儿", "scattered"),
    ("社会散居孤儿", "scattered"),
    ("社会散住", "scattered"),
    ("institutional", "institutional"),
    ("集中供养", "institutional"),
    ("集中", "institutional"),
    ("集中养育", "institutional"),
    ("集中养育孤儿", "institutional"),
    ("机构养育", "institutional"),
    ("在院供养", "institutional"),
    ("集中供养孤儿", "institutional"),
    ("机构供养", "institutional"),
    ("机构供养孤儿", "institutional"),
    ("福利机构", "institutional"),
    ("福利机构养育孤弃儿童", "institutional"),
    ("de_facto_unsupported", "de_facto_unsupported"),
    ("事实无人抚养儿童", "de_facto_unsupported"),
    ("事实孤儿", "de_facto_unsupported"),
];

/// The three statuses a roster row can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Active,
    Suspended,
    /// Entitlement is over (death, adoption, exit), whatever `ended_after` says.
    Ended,
}

/// Roster word → status. A blank status is active.
pub const STATUS_WORDS: &[(&str, StatusKind)] = &[
    ("active", StatusKind::Active),
    ("正常", StatusKind::Active),
    ("在保", StatusKind::Active),
    ("suspended", StatusKind::Suspended),
    ("暂停", StatusKind::Suspended),
    ("停发", StatusKind::Suspended),
    ("ended", StatusKind::Ended),
    ("终止", StatusKind::Ended),
    ("死亡", StatusKind::Ended),
    ("注销", StatusKind::Ended),
    ("已收养", StatusKind::Ended),
    ("被收养", StatusKind::Ended),
];

/// The form a word is compared in: full-width forms folded, white space inside
/// removed (`散 居`), ASCII lower-cased.
pub fn normalize_word(s: &str) -> String {
    super::text::fold_width(s).chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The category name a (trimmed) roster word stands for, if it is in the table.
pub fn category_word(s: &str) -> Option<&'static str> {
    // The common case first, without allocating: the word as the table spells it.
    if let Some((_, c)) = CATEGORY_WORDS.iter().find(|(word, _)| word.eq_ignore_ascii_case(s)) {
        return Some(c);
    }
    let w = normalize_word(s);
    CATEGORY_WORDS.iter().find(|(word, _)| *word == w).map(|(_, c)| *c)
}

/// The status a roster word stands for, with the table's spelling of the word.
pub fn status_word(s: &str) -> Option<(StatusKind, &'static str)> {
    if s.is_empty() {
        return Some((StatusKind::Active, ""));
    }
    if let Some((word, k)) = STATUS_WORDS.iter().find(|(word, _)| word.eq_ignore_ascii_case(s)) {
        return Some((*k, *word));
    }
    let w = normalize_word(s);
    STATUS_WORDS.iter().find(|(word, _)| *word == w).map(|(word, k)| (*k, *word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_found_in_any_spelling() {
        for (word, cat) in CATEGORY_WORDS {
            assert_eq!(category_word(word), Some(*cat), "{word}");
            let spaced: String = word.chars().flat_map(|c| [c, '\u{3000}']).collect();
            assert_eq!(category_word(&spaced), Some(*cat), "{spaced}");
        }
        for (word, kind) in STATUS_WORDS {
            assert_eq!(status_word(word), Some((*kind, *word)), "{word}");
            assert_eq!(status_word(&word.to_uppercase()).map(|s| s.0), Some(*kind));
        }
        assert_eq!(status_word(""), Some((StatusKind::Active, "")));
        assert_eq!(category_word("orphanage"), None);
        assert_eq!(status_word("dead"), None);
    }

    #[test]
    fn category_names_are_policy_names() {
        for (_, cat) in CATEGORY_WORDS {
            assert!(cat.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{cat}");
        }
    }
}
