//! The child's category, which decides the minimum standard. Categories come from
//! the policy (SPEC section 15): the built-in policy knows `scattered` and
//! `institutional`, a policy file may add more (`de_facto_unsupported`, ...). A
//! category is a small interned id, so a row carries one byte and compares in one
//! instruction at a million rows; its name is held in a process-wide table that only
//! grows (policy files and roster profiles add names before any row is read).

use std::sync::RwLock;

/// A category: an id into the table of names. `Copy`, one byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(u8);

/// The names every policy may use without declaring them, in id order.
const BUILT_IN: [&str; 3] = ["scattered", "institutional", "de_facto_unsupported"];

/// Names added by policies and profiles, ids from `BUILT_IN.len()` on.
static ADDED: RwLock<Vec<&'static str>> = RwLock::new(Vec::new());

/// True for a category name: lower-case ASCII letters, digits and `_`, not empty.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn added() -> std::sync::RwLockReadGuard<'static, Vec<&'static str>> {
    ADDED.read().unwrap_or_else(|e| e.into_inner())
}

#[allow(non_upper_case_globals)]
impl Category {
    /// Raised in the community by relatives or a guardian (社会散居孤儿).
    pub const Scattered: Category = Category(0);
    /// Raised in a welfare institution (集中供养孤儿).
    pub const Institutional: Category = Category(1);
    /// A de facto unsupported child (事实无人抚养儿童): a policy file gives the standard.
    pub const DeFactoUnsupported: Category = Category(2);

    /// The categories of the built-in policy.
    pub const BUILT_IN_POLICY: [Category; 2] = [Category::Scattered, Category::Institutional];

    /// The category a roster value names: a word of the vocabulary table, or the
    /// name of a category some policy or profile has declared.
    pub fn parse(s: &str) -> Option<Category> {
        match super::vocabulary::category_word(s) {
            Some(name) => Category::named(name),
            None => Category::known(&super::vocabulary::normalize_word(s)),
        }
    }

    /// A category already in the table.
    pub fn known(name: &str) -> Option<Category> {
        if let Some(i) = BUILT_IN.iter().position(|n| *n == name) {
            return Some(Category(i as u8));
        }
        let i = added().iter().position(|n| *n == name)?;
        u8::try_from(i + BUILT_IN.len()).ok().map(Category)
    }

    /// The category of this name, added to the table if new; `None` when the name
    /// is not of the allowed form or the table is full (256 categories).
    pub fn named(name: &str) -> Option<Category> {
        if !valid_name(name) {
            return None;
        }
        if let Some(c) = Category::known(name) {
            return Some(c);
        }
        let mut table = ADDED.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = table.iter().position(|n| *n == name) {
            return u8::try_from(i + BUILT_IN.len()).ok().map(Category);
        }
        let id = u8::try_from(table.len() + BUILT_IN.len()).ok()?;
        table.push(Box::leak(name.to_owned().into_boxed_str()));
        Some(Category(id))
    }

    /// The category with this id, if there is one.
    pub fn from_index(i: u8) -> Option<Category> {
        (usize::from(i) < BUILT_IN.len() + added().len()).then_some(Category(i))
    }

    pub fn as_str(self) -> &'static str {
        match BUILT_IN.get(usize::from(self.0)) {
            Some(n) => n,
            None => added().get(usize::from(self.0) - BUILT_IN.len()).copied().unwrap_or("unknown"),
        }
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl std::fmt::Debug for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_and_added_ones() {
        assert_eq!(Category::parse("scattered"), Some(Category::Scattered));
        assert_eq!(Category::parse("在院供养"), Some(Category::Institutional));
        assert_eq!(Category::parse("事实孤儿"), Some(Category::DeFactoUnsupported));
        assert_eq!(Category::DeFactoUnsupported.as_str(), "de_facto_unsupported");
        // A name no policy declared is not a category.
        assert_eq!(Category::parse("test_only_unheard_of"), None);
        let c = Category::named("test_only_aids_affected").unwrap();
        assert_eq!(Category::named("test_only_aids_affected"), Some(c));
        assert_eq!(Category::parse("test_only_aids_affected"), Some(c));
        assert_eq!(c.as_str(), "test_only_aids_affected");
        assert_eq!(Category::from_index(c.index() as u8), Some(c));
        for bad in ["", "Scattered", "散居", "a-b", "a b"] {
            assert_eq!(Category::named(bad), None, "{bad}");
        }
    }
}
