//! Placeholders and the values they bring in (SPEC section 13, bank profiles).
//!
//! A profile's texts carry placeholders (`{period}`, `{payer_name}`, …) whose values
//! come from the clerk's options, not from the profile's author: a payer name can
//! hold `../`, a line break or the delimiter. So a file name is checked after its
//! placeholders are filled, a header or trailer line refuses a value that would
//! break its line, and each profile's texts are checked for the run before anything
//! is written. Inside rows, values are quoted by CSV rules instead.

use std::collections::HashSet;

use super::profile::{bad_profile, byte_len, check_file_name, unwritable, BankProfile, Format, Payer};
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::error::Fatal;
use rust_decimal::Decimal;

/// The values of one file's placeholders.
pub(super) struct Values<'a> {
    pub name: &'a str,
    pub period: Month,
    pub payer: Option<&'a Payer>,
    pub count: usize,
    pub total: Decimal,
    /// 1, 2, … (written with 3 digits).
    pub batch: usize,
    pub batches: usize,
}

impl Values<'_> {
    /// The value of `{key}`, if it is a placeholder.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "name" => self.name.to_owned(),
            "period" => self.period.to_string(),
            "payer_account" => self.payer.map_or(String::new(), |p| p.account.clone()),
            "payer_name" => self.payer.map_or(String::new(), |p| p.name.clone()),
            "count" => self.count.to_string(),
            "total" => fmt_amount(self.total),
            "batch" => format!("{:03}", self.batch),
            "batches" => self.batches.to_string(),
            _ => return None,
        })
    }

    /// `template` with its placeholders filled in one pass (a value that itself
    /// reads like a placeholder stays as it is).
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').and_then(|close| Some((close, self.get(&after[..close])?))) {
                Some((close, value)) => {
                    out.push_str(&value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The placeholders `template` uses, with their values.
    fn used(&self, template: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                if let Some(v) = self.get(&rest[..close]) {
                    found.push((rest[..close].to_owned(), v));
                }
            }
        }
        found
    }
}

/// The file name of one file of `profile`, filled and checked.
pub(super) fn file_name(profile: &BankProfile, v: &Values<'_>, source: &str) -> Result<String, Fatal> {
    let default = match profile.format {
        Format::Xlsx => "{name}-{period}-{batch}.xlsx",
        Format::Csv => "{name}-{period}-{batch}.csv",
        Format::Pain001 => "pain001-{period}.xml",
    };
    let template = profile.file_name.as_deref().unwrap_or(default);
    let name = v.fill(template);
    check_file_name(&name).map_err(|(en, zh)| {
        let culprit =
            v.used(template).into_iter().find(|(_, value)| check_file_name(value).is_err() || value.is_empty());
        let by = culprit.as_ref().map(|(k, _)| format!(" (filled in from {{{k}}})")).unwrap_or_default();
        let by_zh = culprit.map(|(k, _)| format!("（由{{{k}}}填入）")).unwrap_or_default();
        bad_profile(source, (format!("key `file_name`: {en}{by}"), format!("“file_name”：{zh}{by_zh}")))
    })?;
    Ok(name)
}

/// A header or trailer line, filled: a value that holds a line break, the
/// delimiter or a quote is refused naming the key and the placeholder.
pub(super) fn line(key: &str, template: &str, v: &Values<'_>, source: &str) -> Result<String, Fatal> {
    for (k, value) in v.used(template) {
        if value.contains(['\r', '\n', ',', '"']) || value.chars().any(char::is_control) {
            return Err(bad_profile(
                source,
                (
                    format!(
                        "key `{key}`: the value of {{{k}}} holds a line break, a comma or a quote, which would break the line"
                    ),
                    format!("“{key}”：{{{k}}}的值含有换行、逗号或引号，会把这一行拆乱"),
                ),
            ));
        }
    }
    Ok(v.fill(template))
}

/// Checks every profile for the run before anything is written: no two profiles
/// of one name, file names and header/trailer lines whose placeholder values fit,
/// and the profile's own texts writable in its encoding.
pub fn check_for_run(profiles: &[BankProfile], period: Month, payer: Option<&Payer>) -> Result<(), Fatal> {
    let mut seen = HashSet::new();
    for p in profiles {
        let source = format!("bank profile {}", p.name);
        if !seen.insert(p.name.as_str()) {
            return Err(bad_profile(
                &source,
                (
                    format!("two bank profiles are named {:?}: their files would mix in bank/{}/", p.name, p.name),
                    format!("有两个银行模板都叫“{}”，它们的文件会混在 bank/{}/ 中", p.name, p.name),
                ),
            ));
        }
        let payer = p.payer.as_ref().or(payer);
        let v = Values { name: &p.name, period, payer, count: 0, total: Decimal::ZERO, batch: 1, batches: 1 };
        file_name(p, &v, &source)?;
        let mut texts: Vec<(String, String)> = Vec::new();
        for (key, t) in [("header_line", &p.header_line), ("trailer_line", &p.trailer_line)] {
            if let Some(t) = t {
                texts.push((key.into(), line(key, t, &v, &source)?));
            }
        }
        for (r, row) in p.preamble.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                texts.push((format!("preamble[{r}][{c}]"), v.fill(cell)));
            }
        }
        for (i, c) in p.columns.iter().enumerate() {
            texts.push((format!("columns[{i}].header"), c.header.clone()));
            if let Some(value) = &c.value {
                let filled = v.fill(value);
                let len = byte_len(&filled, p.encoding);
                if let (Some(max), false) = (c.max_bytes, c.truncate) {
                    if len > max {
                        return Err(bad_profile(
                            &source,
                            (
                                format!("key `columns[{i}].value` takes {len} bytes, more than its max_bytes {max}"),
                                format!("“columns[{i}].value”占{len}字节，超过了它的“max_bytes”（{max}）"),
                            ),
                        ));
                    }
                }
                texts.push((format!("columns[{i}].value"), filled));
            }
        }
        if p.format != Format::Pain001 {
            for (key, text) in &texts {
                if let Some(bad) = unwritable(text, p.encoding) {
                    return Err(bad_profile(
                        &source,
                        (
                            format!(
                                "key `{key}`: the character {bad:?} cannot be written in GBK, which this profile asks for"
                            ),
                            format!("“{key}”：字符“{bad}”无法用该模板要求的GBK编码写出"),
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::bank::profile::TextEncoding;

    fn values(payer: &Payer) -> Values<'_> {
        Values {
            name: "p",
            period: Month::parse("2018-06").unwrap(),
            payer: Some(payer),
            count: 3,
            total: Decimal::new(150050, 2),
            batch: 2,
            batches: 4,
        }
    }

    #[test]
    fn fills_in_one_pass() {
        let payer = Payer { account: "{count}".into(), name: "局".into(), ..Payer::default() };
        let v = values(&payer);
        assert_eq!(v.fill("{payer_account}/{count}/{total}/{batch}/{batches}/{x}/{"), "{count}/3/1500.50/002/4/{x}/{");
    }

    #[test]
    fn file_names_are_checked_after_filling() {
        for bad in ["../../../../x", "/../../x", "a\\b", ".hidden", "a\nb", "a\0b"] {
            let payer = Payer { account: bad.into(), name: bad.into(), ..Payer::default() };
            let p: BankProfile = toml::from_str(
                "name = \"p\"\nformat = \"csv\"\nfile_name = \"{payer_name}.csv\"\n[[columns]]\nheader = \"a\"\nfield = \"amount\"\n",
            )
            .unwrap();
            let e = file_name(&p, &values(&payer), "x").unwrap_err();
            assert!(e.message.contains("file_name") && e.message.contains("{payer_name}"), "{}", e.message);
        }
        assert!(check_file_name("代发-2018-06-001.csv").is_ok());
    }

    #[test]
    fn header_lines_refuse_values_that_break_them() {
        for bad in ["a\nb", "a,b", "a\"b", "a\rb"] {
            let payer = Payer { account: "1".into(), name: bad.into(), ..Payer::default() };
            let e = line("trailer_line", "合计,{count},{payer_name}", &values(&payer), "x").unwrap_err();
            assert!(e.message.contains("trailer_line") && e.message.contains("{payer_name}"), "{}", e.message);
        }
        let payer = Payer { account: "1".into(), name: "某县民政局".into(), ..Payer::default() };
        assert_eq!(line("header_line", "{payer_name},{count}", &values(&payer), "x").unwrap(), "某县民政局,3");
    }

    #[test]
    fn finds_what_gbk_cannot_write() {
        assert_eq!(unwritable("刘建国", TextEncoding::Gbk), None);
        assert_eq!(unwritable("刘𠀀国", TextEncoding::Gbk), Some('𠀀'));
        assert_eq!(unwritable("刘😀", TextEncoding::Gbk), Some('😀'));
        assert_eq!(unwritable("😀", TextEncoding::Utf8), None);
    }
}
