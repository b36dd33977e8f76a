//! County names for region codes (SPEC section 17): a clerk reads `430102 芙蓉区`,
//! not a bare six-digit code.
//!
//! The table is data kept in the project (`divisions/china.tsv`, with its public
//! sources in its header): China's province-level divisions and every prefecture-
//! and county-level division of Hunan, GB/T 2260 codes as the Ministry of Civil
//! Affairs lists them. A code the table does not know is shown as it is: the table
//! only names places, it never decides whether a code is valid (`INVALID_REGION`
//! checks the form of a code, and a county added after this table is still paid).

use std::sync::OnceLock;

/// The table as kept in the project.
const TABLE: &str = include_str!("divisions/china.tsv");

/// (code, name) sorted by code, parsed once.
fn table() -> &'static [(u32, &'static str)] {
    static PARSED: OnceLock<Vec<(u32, &'static str)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut rows: Vec<(u32, &'static str)> = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (code, name) = l.split_once('\t')?;
                Some((parse(code.as_bytes())?, name.trim()))
            })
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        rows
    })
}

/// Six ASCII digits as a number; anything else is not a code.
fn parse(code: &[u8]) -> Option<u32> {
    if code.len() != 6 || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(code.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// The name of the division with this six-digit code (`430102` → `芙蓉区`), if the
/// table has it. No allocation: a parse and a binary search.
pub fn name(code: &str) -> Option<&'static str> {
    name_bytes(code.as_bytes())
}

/// The same, for a code held as bytes (a CSV field).
pub fn name_bytes(code: &[u8]) -> Option<&'static str> {
    let n = parse(code)?;
    let t = table();
    t.binary_search_by_key(&n, |r| r.0).ok().map(|i| t[i].1)
}

/// The code with its name beside it (`430102 芙蓉区`); an unknown code alone.
pub fn label(code: &str) -> String {
    match name(code) {
        Some(n) => format!("{code} {n}"),
        None => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_resolve() {
        assert_eq!(name("430000"), Some("湖南省"));
        assert_eq!(name("430100"), Some("长沙市"));
        assert_eq!(name("430102"), Some("芙蓉区"));
        assert_eq!(name("430103"), Some("天心区"));
        assert_eq!(name("430104"), Some("岳麓区"));
        assert_eq!(name("430302"), Some("雨湖区"));
        assert_eq!(name("430304"), Some("岳塘区"));
        assert_eq!(name("430407"), Some("石鼓区"));
        assert_eq!(name("430408"), Some("蒸湘区"));
        assert_eq!(name("433100"), Some("湘西土家族苗族自治州"));
        assert_eq!(name("433130"), Some("龙山县"));
        assert_eq!(name("431181"), Some("祁阳市"));
        assert_eq!(name("110000"), Some("北京市"));
        assert_eq!(name_bytes(b"430212"), Some("渌口区"));
    }

    #[test]
    fn unknown_or_malformed_codes_have_no_name() {
        for code in ["", "4301", "43010", "4301020", "430199", "430171", "43O102", "４３０１０２", " 430102"] {
            assert_eq!(name(code), None, "{code}");
            assert_eq!(label(code), code);
        }
        assert_eq!(label("430102"), "430102 芙蓉区");
    }

    #[test]
    fn all_of_hunan_every_province_and_no_code_twice() {
        // Hunan: the province, 14 prefecture-level and 122 county-level divisions.
        let hunan: Vec<u32> = table().iter().map(|r| r.0).filter(|c| c / 10_000 == 43).collect();
        assert_eq!(hunan.len(), 137);
        assert_eq!(hunan.iter().filter(|&&c| c % 100 == 0 && c != 430_000).count(), 14);
        assert_eq!(hunan.iter().filter(|&&c| c % 100 != 0).count(), 122);
        // 34 province-level divisions.
        assert_eq!(table().iter().filter(|r| r.0 % 10_000 == 0).count(), 34);
        let t = table();
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0), "a code listed twice");
        // Every county sits under a prefecture the table names, in the same province.
        for &(code, name) in t {
            assert!(!name.is_empty() && name.chars().all(|c| !c.is_ascii()), "{code}: {name}");
            if code % 100 != 0 {
                assert!(t.binary_search_by_key(&(code / 100 * 100), |r| r.0).is_ok(), "{code} has no prefecture");
            }
            assert!(t.binary_search_by_key(&(code / 10_000 * 10_000), |r| r.0).is_ok(), "{code} has no province");
        }
    }
}
