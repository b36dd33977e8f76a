//! The language of everything meant for people (`--lang`, or the locale).
//!
//! Its own module because the sentences (`detail`), the glossary and every writer
//! need it, and none of them should need the others to name it.

/// The language of everything meant for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `zh*` in `LC_ALL`, else `LANG`, means Chinese; anything else English.
    pub fn from_env() -> Lang {
        let pick =
            |v: Option<std::ffi::OsString>| v.map(|s| s.to_string_lossy().to_lowercase()).filter(|s| !s.is_empty());
        match pick(std::env::var_os("LC_ALL")).or_else(|| pick(std::env::var_os("LANG"))) {
            Some(l) if l.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// Picks the English or Chinese text.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}
