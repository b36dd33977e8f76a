//! Print setup shared by every sheet of `report.xlsx` (SPEC section 16).
//!
//! Offices print the workbook as it is and file the paper, so each sheet prints
//! landscape on A4, one page wide, its header row repeated, the office's name at the
//! top and, at the foot, the period (`发放年月 2018年6月`), `第 N 页 共 M 页` and the first 12 hex digits of
//! the audit head: any printed page ties back to its run.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::month::Month;

/// Excel's paper size code for A4.
const A4: u8 = 9;
/// Excel holds at most 255 characters in a header or footer.
const HEADER_CHARS: usize = 255;
/// How much of `--office` a page header shows (it must leave room for the codes).
const OFFICE_CHARS: usize = 120;

/// What every printed page carries.
#[derive(Debug, Clone)]
pub struct PageSetup {
    pub lang: Lang,
    pub period: Month,
    /// The first 12 hex digits of the manifest's `audit_head`.
    pub audit_prefix: String,
    pub office: Option<String>,
}

impl PageSetup {
    pub fn new(lang: Lang, period: Month, audit_head: &str, office: Option<&str>) -> PageSetup {
        PageSetup {
            lang,
            period,
            audit_prefix: audit_head.chars().take(12).collect(),
            office: office.map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned),
        }
    }

    /// The page header: the office's name in the middle, the sheet's name right.
    pub fn header(&self) -> String {
        let office = self.office.as_deref().map(|o| escape(&o.chars().take(OFFICE_CHARS).collect::<String>()));
        let header = match office {
            Some(o) => format!("&C&B{o}&R&A"),
            None => "&R&A".to_owned(),
        };
        debug_assert!(header.encode_utf16().count() <= HEADER_CHARS);
        header
    }

    /// The page footer: the period left (its code, `2018-06`, as the run and the ledger
    /// name it, so a printed page ties to them), page N of M centred, the audit head right.
    pub fn footer(&self) -> String {
        let l = self.lang;
        format!(
            "&L{} {}&C{}&R{} {}",
            l.pick("Period", glossary::say(Group::Label, "period", l)),
            self.period,
            l.pick("Page &P of &N", "第 &P 页 共 &N 页"),
            l.pick("Audit", "审计链"),
            escape(&self.audit_prefix),
        )
    }

    /// Applies the print setup to one sheet; `header_row` repeats on every page.
    pub fn apply(&self, ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
        ws.set_landscape();
        ws.set_paper_size(A4);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_header(self.header());
        ws.set_footer(self.footer());
        if let Some(r) = header_row {
            ws.set_repeat_rows(r, r)?;
        }
        Ok(())
    }
}

/// A literal `&` in a header or footer is written `&&`.
fn escape(text: &str) -> String {
    text.replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(lang: Lang, office: Option<&str>) -> PageSetup {
        PageSetup::new(lang, Month::parse("2018-06").unwrap(), &"ab".repeat(32), office)
    }

    #[test]
    fn footer_has_period_pages_and_audit_head() {
        assert_eq!(setup(Lang::Zh, None).footer(), "&L发放年月 2018-06&C第 &P 页 共 &N 页&R审计链 abababababab");
        assert_eq!(setup(Lang::En, None).footer(), "&LPeriod 2018-06&CPage &P of &N&RAudit abababababab");
    }

    #[test]
    fn header_carries_the_office() {
        assert_eq!(setup(Lang::Zh, Some(" 长沙市芙蓉区民政局 ")).header(), "&C&B长沙市芙蓉区民政局&R&A");
        assert_eq!(setup(Lang::Zh, Some("A & B")).header(), "&C&BA && B&R&A");
        assert_eq!(setup(Lang::Zh, Some("  ")).header(), "&R&A");
        assert_eq!(setup(Lang::Zh, None).header(), "&R&A");
        // A very long name is cut so the header stays within Excel's limit.
        let long = setup(Lang::Zh, Some(&"局&".repeat(200))).header();
        assert!(long.encode_utf16().count() <= HEADER_CHARS, "{}", long.len());
    }
}
