//! A roster profile (`--roster-profile FILE`, SPEC section 15): what aliases cannot
//! guess about one office's roster — its header texts, its category words (such as
//! 在院供养2018), which sheet, which row is the header. Kept apart from the alias
//! tables so that a profile only ever speaks for the rosters it is given with, never
//! widens the built-in vocabulary for other offices.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::core::column::Column;
use crate::core::vocabulary::normalize_word;
use crate::error::{Fatal, FatalKind};

/// A profile, read; `RosterProfile::default()` is "no profile".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterProfile {
    /// Header texts for some fields; those fields are found by these only.
    pub columns: Vec<(Column, Vec<String>)>,
    /// Roster word (normalized) → category name.
    pub categories: Vec<(String, String)>,
    pub sheet: Option<String>,
    /// The 1-based row holding the header; the rows above are preamble.
    pub header_row: Option<u64>,
    /// The file's path as given and its SHA-256, for the manifest.
    pub source: Option<(String, String)>,
}

/// The TOML as written; unknown keys are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    sheet: Option<String>,
    header_row: Option<u64>,
    #[serde(default)]
    columns: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    categories: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl RosterProfile {
    /// Reads a profile file; anything it cannot use is a usage error naming the file.
    pub fn load(path: &str) -> Result<RosterProfile, Fatal> {
        let bytes = super::input_file::read_all(path, "roster profile")?;
        let mut p = RosterProfile::parse(&bytes).map_err(|(m, zh)| {
            Fatal::new(
                FatalKind::Usage,
                format!("bad roster profile: {m}"),
                "correct the roster profile (see docs/formats.md)",
            )
            .zh(format!("花名册配置文件有误：{zh}"), "请更正花名册配置文件（见 docs/formats.md）")
            .in_file(path)
        })?;
        p.source = Some((path.to_owned(), crate::sha256_hex(&bytes)));
        Ok(p)
    }

    /// Parses the TOML text of a profile; `Err` says why in English and in Chinese.
    pub fn parse(bytes: &[u8]) -> Result<RosterProfile, (String, String)> {
        let said = |en: String, zh: String| (en, zh);
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| said("the file is not UTF-8 text".to_owned(), "文件不是UTF-8编码的文字".to_owned()))?;
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| said(e.message().to_owned(), crate::error::toml_zh(&e, text)))?;
        let mut columns = Vec::new();
        for (key, names) in file.columns {
            let column = Column::ALL.into_iter().find(|c| c.name() == key).ok_or_else(|| {
                let known: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
                said(
                    format!("unknown key {key:?} in [columns]: the columns are {}", known.join(", ")),
                    format!("[columns]中的键“{key}”无法识别，可用的列为{}", known.join(",")),
                )
            })?;
            let names = match names {
                OneOrMany::One(n) => vec![n],
                OneOrMany::Many(v) => v,
            };
            if names.is_empty() || names.iter().any(|n| normalize_word(n).is_empty()) {
                return Err(said(
                    format!("[columns] {key} names no header text"),
                    format!("[columns]中的“{key}”没有写表头文字"),
                ));
            }
            columns.push((column, names));
        }
        let mut categories = Vec::new();
        for (word, name) in file.categories {
            // Declared here, so a row of a category the policy lacks is a coverage gap.
            if crate::core::category::Category::named(&name).is_none() {
                return Err(said(
                    format!(
                        "[categories] {word:?} = {name:?}: a category is lower-case ASCII letters, digits and _ (such as scattered, institutional)"
                    ),
                    format!(
                        "[categories]中“{word}”对应的“{name}”不是供养方式代码：应由小写英文字母、数字和_组成（如scattered、institutional）"
                    ),
                ));
            }
            let w = normalize_word(&word);
            if w.is_empty() {
                return Err(said("[categories] has an empty word".into(), "[categories]中有一个空的词".into()));
            }
            categories.push((w, name));
        }
        if file.header_row == Some(0) {
            return Err(said("header_row counts from 1".into(), "“header_row”从1开始计数".into()));
        }
        Ok(RosterProfile { columns, categories, sheet: file.sheet, header_row: file.header_row, source: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_categories_sheet_and_header_row() {
        let p = RosterProfile::parse(
            "sheet = \"花名册\"\nheader_row = 3\n[columns]\nname = \"孩子姓名\"\npayee_name = [\"监护人姓名\", \"领取人\"]\n[categories]\n\"在院供养2018\" = \"institutional\"\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(p.sheet.as_deref(), Some("花名册"));
        assert_eq!(p.header_row, Some(3));
        assert_eq!(p.columns[0], (Column::Name, vec!["孩子姓名".to_owned()]));
        assert_eq!(p.columns[1].1.len(), 2);
        assert_eq!(p.categories, vec![("在院供养2018".to_owned(), "institutional".to_owned())]);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        for (text, key) in [
            ("sheeet = \"a\"", "sheeet"),
            ("[columns]\nchild = \"x\"", "child"),
            ("[colums]\nname = \"x\"", "colums"),
            ("[categories]\n\"x\" = \"Scattered\"", "Scattered"),
            ("header_row = 0", "header_row"),
        ] {
            let e = RosterProfile::parse(text.as_bytes()).unwrap_err();
            assert!(e.0.contains(key) && e.1.contains(key), "{text}: {e:?}");
        }
    }
}
