//! The minimum standards: which floor applies to a child in a month.
//!
//! A policy is a small table `effective_from, category, region_prefix, minimum`. The
//! province sets the floor with the empty prefix; a city or county may add rows with
//! a longer prefix that raise it, never lower it, so the standard is the maximum over
//! every matching prefix of that prefix's latest row.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::money::{fmt_amount, parse_amount};
use super::month::Month;
use super::record::Category;
use super::text::{fold_width, trim};

/// One row of the policy table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub effective_from: Month,
    pub category: Category,
    /// 0 to 6 digits; empty matches every region.
    pub region_prefix: String,
    pub minimum: Decimal,
    /// Line in the policy file (1 for the header), 0 for the built-in table.
    pub line: u64,
}

/// A complete policy: its rows, its name and the SHA-256 the manifest records.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub sha256: String,
    rows: Vec<PolicyRow>,
}

/// A policy file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub line: Option<u64>,
    pub message: String,
    /// The same in Chinese, for `--lang zh`.
    pub message_zh: String,
}

impl PolicyError {
    fn at(line: u64, message: impl Into<String>, zh: impl Into<String>) -> PolicyError {
        PolicyError { line: Some(line), message: message.into(), message_zh: zh.into() }
    }

    fn whole(message: &str, zh: &str) -> PolicyError {
        PolicyError { line: None, message: message.to_owned(), message_zh: zh.to_owned() }
    }
}

/// The header of a policy file, also the first line of the built-in's canonical text.
pub const POLICY_HEADER: [&str; 4] = ["effective_from", "category", "region_prefix", "minimum"];

impl Policy {
    /// The built-in `hunan-2018` table.
    pub fn hunan_2018() -> Policy {
        let m = |s| Month::parse(s).expect("built-in month");
        let row = |from, category, minimum| PolicyRow {
            effective_from: m(from),
            category,
            region_prefix: String::new(),
            minimum: Decimal::new(minimum, 2),
            line: 0,
        };
        let rows = vec![
            row("2010-01", Category::Scattered, 60000),
            row("2010-01", Category::Institutional, 100000),
            row("2018-01", Category::Scattered, 80000),
            row("2018-01", Category::Institutional, 120000),
        ];
        let canonical = render_canonical(&rows);
        Policy { name: "hunan-2018".to_owned(), sha256: crate::sha256_hex(canonical.as_bytes()), rows }
    }

    /// Reads a policy CSV (`effective_from,category,region_prefix,minimum[,note]`).
    /// `name` is what the manifest calls it; the SHA-256 is of `bytes` exactly.
    pub fn from_csv(name: &str, bytes: &[u8]) -> Result<Policy, PolicyError> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| PolicyError::whole("the policy file is not UTF-8 text", "政策文件不是UTF-8编码的文字"))?;
        let mut split = crate::csvsplit::Splitter::new(text.as_bytes());
        let mut header = crate::csvsplit::RawRow::default();
        let read_err = |e: std::io::Error| match crate::csvsplit::unclosed_quote(&e) {
            Some(q) => PolicyError::at(
                q.line,
                format!("cannot read it: {e}"),
                format!("第{}行开始的引号（\"）没有闭合", q.line),
            ),
            None => PolicyError {
                line: None,
                message: format!("cannot read it: {e}"),
                message_zh: format!("无法读取：{}", crate::error::io_zh(&e).0),
            },
        };
        if !split.next(&mut header).map_err(read_err)? {
            return Err(PolicyError::whole("the policy file is empty", "政策文件是空的"));
        }
        let cell = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let header: Vec<String> = header.iter().map(cell).collect();
        let mut idx = [usize::MAX; 4];
        for (i, h) in header.iter().enumerate() {
            let h = h.as_str();
            let h = trim(h).to_ascii_lowercase();
            if let Some(k) = POLICY_HEADER.iter().position(|c| *c == h) {
                if idx[k] != usize::MAX {
                    return Err(PolicyError::at(1, format!("column {h} appears twice"), format!("列“{h}”出现了两次")));
                }
                idx[k] = i;
            } else if h != "note" {
                return Err(PolicyError::at(
                    1,
                    format!("unknown column {h:?}: the columns are effective_from,category,region_prefix,minimum and an optional note"),
                    format!("无法识别的列“{h}”（可能是列名拼错了）"),
                ));
            }
        }
        if let Some(k) = idx.iter().position(|i| *i == usize::MAX) {
            return Err(PolicyError::at(
                1,
                format!("missing column {}", POLICY_HEADER[k]),
                format!("缺少列“{}”", POLICY_HEADER[k]),
            ));
        }
        let mut rows = Vec::new();
        let mut seen: HashMap<(Month, Category, String), u64> = HashMap::new();
        let mut raw = crate::csvsplit::RawRow::default();
        while split.next(&mut raw).map_err(read_err)? {
            let line = raw.line;
            let rec: Vec<String> = raw.iter().map(cell).collect();
            if rec.iter().all(|f| trim(f).is_empty()) {
                continue;
            }
            if rec.len() != header.len() {
                return Err(PolicyError::at(
                    line,
                    format!("{} fields where the header has {}", rec.len(), header.len()),
                    format!("这一行有{}个字段，而表头有{}个", rec.len(), header.len()),
                ));
            }
            let get = |k: usize| fold_width(trim(&rec[idx[k]])).into_owned();
            let from = get(0);
            let effective_from = Month::parse(&from).ok_or_else(|| {
                PolicyError::at(
                    line,
                    format!("effective_from {from:?} is not a month such as 2018-01"),
                    format!("起始年月（effective_from）“{from}”不是年月，应写成2018-01这样"),
                )
            })?;
            let cat = get(1);
            let category = Category::named(&cat).ok_or_else(|| {
                PolicyError::at(
                    line,
                    format!(
                        "unknown category {cat:?}: a category is lower-case ASCII letters, digits and _ (such as scattered, institutional, de_facto_unsupported)"
                    ),
                    format!(
                        "无法识别的供养方式（category）“{cat}”：应由小写英文字母、数字和_组成（如scattered、institutional、de_facto_unsupported）"
                    ),
                )
            })?;
            let region_prefix = get(2);
            if region_prefix.len() > 6 || !region_prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PolicyError::at(
                    line,
                    format!("region_prefix {region_prefix:?} must be 0 to 6 digits"),
                    format!("区划代码前缀（region_prefix）“{region_prefix}”应为0至6位数字"),
                ));
            }
            let min = get(3);
            let minimum = parse_amount(&min).map_err(|_| {
                PolicyError::at(
                    line,
                    format!("minimum {min:?} must be a non-negative amount such as 800 or 800.50"),
                    format!("最低标准（minimum）“{min}”应为不小于0的金额，如800或800.50"),
                )
            })?;
            let key = (effective_from, category, region_prefix.clone());
            if let Some(first) = seen.insert(key, line) {
                return Err(PolicyError::at(
                    line,
                    format!(
                        "a second row for {effective_from}, {}, prefix {region_prefix:?} (first on line {first})",
                        category.as_str()
                    ),
                    format!(
                        "{}、{}、前缀“{region_prefix}”的标准重复了（第一次在第{first}行）",
                        crate::core::glossary::month(effective_from, crate::core::detail::Lang::Zh),
                        crate::core::glossary::say(
                            crate::core::glossary::Group::Category,
                            category.as_str(),
                            crate::core::detail::Lang::Zh
                        )
                    ),
                ));
            }
            rows.push(PolicyRow { effective_from, category, region_prefix, minimum, line });
        }
        if rows.is_empty() {
            return Err(PolicyError::whole("the policy file has no rows", "政策文件中没有任何标准"));
        }
        Ok(Policy { name: name.to_owned(), sha256: crate::sha256_hex(bytes), rows })
    }

    /// Every category the policy has a standard for, in the order of first mention.
    pub fn categories(&self) -> Vec<Category> {
        let mut v: Vec<Category> = Vec::new();
        for r in &self.rows {
            if !v.contains(&r.category) {
                v.push(r.category);
            }
        }
        v
    }

    pub fn rows(&self) -> &[PolicyRow] {
        &self.rows
    }

    /// The policy rows that set the standard for a child in `period`: for each
    /// matching prefix, its latest row on or before `period`. Empty when the policy
    /// does not cover the child.
    pub fn applicable(&self, category: Category, region: &str, period: Month) -> Vec<&PolicyRow> {
        let mut best: BTreeMap<&str, &PolicyRow> = BTreeMap::new();
        for row in &self.rows {
            if row.category == category && row.effective_from <= period && region.starts_with(&row.region_prefix) {
                let slot = best.entry(row.region_prefix.as_str()).or_insert(row);
                if row.effective_from > slot.effective_from {
                    *slot = row;
                }
            }
        }
        best.into_values().collect()
    }

    /// The standard for a child in `period`, or `None` if the policy does not cover it.
    pub fn standard(&self, category: Category, region: &str, period: Month) -> Option<Decimal> {
        self.applicable(category, region, period).iter().map(|r| r.minimum).max()
    }

    /// The standards of one period, ready for fast lookup by region code.
    pub fn for_period(&self, period: Month) -> PeriodStandards {
        let width = self.rows.iter().map(|r| r.category.index() + 1).max().unwrap_or(0);
        let mut by_prefix: HashMap<String, Vec<Option<(Month, Decimal)>>> = HashMap::new();
        for row in &self.rows {
            if row.effective_from > period {
                continue;
            }
            let slot = &mut by_prefix.entry(row.region_prefix.clone()).or_insert_with(|| vec![None; width])
                [row.category.index()];
            if slot.is_none_or(|(from, _)| row.effective_from > from) {
                *slot = Some((row.effective_from, row.minimum));
            }
        }
        let mut lengths: Vec<usize> = by_prefix.keys().map(String::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        PeriodStandards {
            by_prefix: by_prefix
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().map(|s| s.map(|(_, m)| m)).collect()))
                .collect(),
            lengths,
        }
    }
}

/// The policy resolved for one period: prefix → minimum per category.
#[derive(Debug, Clone)]
pub struct PeriodStandards {
    by_prefix: rustc_hash::FxHashMap<String, Vec<Option<Decimal>>>,
    /// The prefix lengths the policy uses (most policies: only the empty prefix).
    lengths: Vec<usize>,
}

impl PeriodStandards {
    /// The standard for `category` in `region` (a valid 6-digit code).
    pub fn standard(&self, category: Category, region: &str) -> Option<Decimal> {
        self.lengths
            .iter()
            .filter_map(|n| region.get(..*n).and_then(|p| self.by_prefix.get(p)))
            .filter_map(|v| v.get(category.index()).copied().flatten())
            .max()
    }
}

fn render_canonical(rows: &[PolicyRow]) -> String {
    let mut s = POLICY_HEADER.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{}\n",
            r.effective_from,
            r.category.as_str(),
            r.region_prefix,
            fmt_amount(r.minimum)
        ));
    }
    s
}

impl Policy {
    /// The text whose SHA-256 identifies the built-in policy in the manifest.
    pub fn canonical_text(&self) -> String {
        render_canonical(&self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn d(s: &str) -> Decimal {
        parse_amount(s).unwrap()
    }

    const COUNTY: &str = "effective_from,category,region_prefix,minimum,note\n\
        2010-01,scattered,,600,province\n\
        2010-01,institutional,,1000,province\n\
        2018-01,scattered,,800,province\n\
        2018-01,institutional,,1200,province\n\
        2016-07,scattered,4301,900,city top-up\n\
        2018-03,scattered,430102,850,county row below the provincial floor\n\
        2019-01,institutional,43,1300,province raise later\n";

    #[test]
    fn built_in_hunan_floors() {
        let p = Policy::hunan_2018();
        assert_eq!(p.standard(Category::Scattered, "430102", m("2017-12")), Some(d("600")));
        assert_eq!(p.standard(Category::Scattered, "430102", m("2018-01")), Some(d("800")));
        assert_eq!(p.standard(Category::Institutional, "110105", m("2018-06")), Some(d("1200")));
        assert_eq!(p.standard(Category::Institutional, "110105", m("2009-12")), None);
        assert_eq!(p.sha256, crate::sha256_hex(p.canonical_text().as_bytes()));
        assert!(p
            .canonical_text()
            .starts_with("effective_from,category,region_prefix,minimum\n2010-01,scattered,,600.00\n"));
    }

    #[test]
    fn prefixes_take_the_maximum_of_each_latest_row() {
        let p = Policy::from_csv("county.csv", COUNTY.as_bytes()).unwrap();
        // City top-up from 2016-07 beats the 600 floor, and the 800 floor in 2018 does not beat 900.
        assert_eq!(p.standard(Category::Scattered, "430102", m("2016-06")), Some(d("600")));
        assert_eq!(p.standard(Category::Scattered, "430102", m("2016-07")), Some(d("900")));
        assert_eq!(p.standard(Category::Scattered, "430102", m("2018-06")), Some(d("900")));
        // The county row of 850 is below the city's 900: the maximum wins.
        assert_eq!(p.standard(Category::Scattered, "430103", m("2018-06")), Some(d("900")));
        // Outside the city, only the province.
        assert_eq!(p.standard(Category::Scattered, "430202", m("2018-06")), Some(d("800")));
        assert_eq!(p.standard(Category::Institutional, "430202", m("2018-12")), Some(d("1200")));
        assert_eq!(p.standard(Category::Institutional, "430202", m("2019-01")), Some(d("1300")));
        assert_eq!(p.standard(Category::Institutional, "110105", m("2019-01")), Some(d("1200")));
        for (cat, region, period) in [
            (Category::Scattered, "430102", "2016-07"),
            (Category::Scattered, "430102", "2018-03"),
            (Category::Institutional, "430202", "2019-02"),
            (Category::Scattered, "110105", "2009-12"),
        ] {
            assert_eq!(
                p.for_period(m(period)).standard(cat, region),
                p.standard(cat, region, m(period)),
                "{cat:?} {region} {period}"
            );
        }
    }

    #[test]
    fn a_county_row_alone_covers_only_its_county() {
        let p =
            Policy::from_csv("c.csv", b"effective_from,category,region_prefix,minimum\n2018-01,scattered,4301,900\n")
                .unwrap();
        assert_eq!(p.standard(Category::Scattered, "430102", m("2018-06")), Some(d("900")));
        assert_eq!(p.standard(Category::Scattered, "440102", m("2018-06")), None);
        assert_eq!(p.standard(Category::Institutional, "430102", m("2018-06")), None);
        assert_eq!(p.for_period(m("2018-06")).standard(Category::Scattered, "440102"), None);
    }

    #[test]
    fn a_policy_file_may_add_categories() {
        let p = Policy::from_csv(
            "p.csv",
            b"effective_from,category,region_prefix,minimum\n2018-01,scattered,,800\n2018-01,de_facto_unsupported,,800\n2019-01,de_facto_unsupported,4301,950\n2018-01,test_policy_aids,,700\n",
        )
        .unwrap();
        let aids = Category::known("test_policy_aids").unwrap();
        assert_eq!(p.categories(), vec![Category::Scattered, Category::DeFactoUnsupported, aids]);
        let de_facto = Category::DeFactoUnsupported;
        assert_eq!(p.standard(de_facto, "430102", m("2018-06")), Some(d("800")));
        assert_eq!(p.standard(de_facto, "430102", m("2019-06")), Some(d("950")));
        assert_eq!(p.for_period(m("2019-06")).standard(de_facto, "430102"), Some(d("950")));
        assert_eq!(p.for_period(m("2019-06")).standard(aids, "110105"), Some(d("700")));
        assert_eq!(p.for_period(m("2019-06")).standard(Category::Institutional, "110105"), None);
        // The built-in policy has no standard for de facto unsupported children.
        assert_eq!(Policy::hunan_2018().categories(), Category::BUILT_IN_POLICY.to_vec());
        assert_eq!(Policy::hunan_2018().for_period(m("2019-06")).standard(de_facto, "430102"), None);
    }

    #[test]
    fn bad_policy_files() {
        let h = "effective_from,category,region_prefix,minimum\n";
        for (body, line) in [
            ("2018-01,Orphan,,800\n", Some(2)),
            ("2018-01,散居,,800\n", Some(2)),
            ("2018-01,de-facto,,800\n", Some(2)),
            ("2018-13,scattered,,800\n", Some(2)),
            ("2018-01,scattered,,-800\n", Some(2)),
            ("2018-01,scattered,,eight hundred\n", Some(2)),
            ("2018-01,scattered,4301023,800\n", Some(2)),
            ("2018-01,scattered,43a,800\n", Some(2)),
            ("2018-01,scattered,,800\n2018-01,scattered,,900\n", Some(3)),
            ("2018-01,scattered,,800,extra\n", Some(2)),
            ("", None),
        ] {
            let err = Policy::from_csv("p.csv", format!("{h}{body}").as_bytes()).expect_err(body);
            assert_eq!(err.line, line, "{body}: {}", err.message);
        }
        assert!(Policy::from_csv("p.csv", b"effective_from,category,minimum\n2018-01,scattered,800\n").is_err());
        assert!(Policy::from_csv("p.csv", b"").is_err());
        assert!(Policy::from_csv(
            "p.csv",
            format!("{h}2018-01,scattered,,800\n").replace("minimum", "minimun").as_bytes()
        )
        .is_err());
    }
}
