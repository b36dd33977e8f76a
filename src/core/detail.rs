//! What is wrong with a row, in words a clerk understands, in English or Chinese.
//!
//! The rules produce a `Detail` (structured, language-free); the writers render it in
//! the run's `--lang`. Reason codes stay the machine contract; this is for people.

use std::fmt;

use rust_decimal::Decimal;

use super::column::Column;
use super::id::IdProblem;
use super::money::{fmt_amount, AmountProblem};
use super::month::Month;

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

/// Every sentence a row can get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    MissingField(Column),
    Id(IdProblem),
    Category,
    Region,
    Month(Column),
    Status,
    Amount(AmountProblem),
    Account,
    BankCode,
    FormulaText(Column),
    ControlText(Column, u32),
    EndedBeforeApproved {
        end: Month,
        approved: Month,
    },
    ApprovedBeforeBirth {
        approved: Month,
        birth: Month,
    },
    Malformed {
        fields: usize,
        header: usize,
    },
    BadBytes {
        field: usize,
        byte: u8,
        position: usize,
    },
    DuplicateId,
    PayeeConflict,
    AboveCeiling {
        amount: Decimal,
        ceiling: Decimal,
    },
    Suspended,
    NotStarted {
        from: Month,
    },
    Ended {
        end: Month,
    },
    /// The roster's status says the entitlement is over (死亡, 已收养...).
    EndedStatus {
        word: &'static str,
    },
    AgedOut {
        last: Month,
    },
}

fn zh_column(c: Column) -> &'static str {
    match c {
        Column::ChildId => "身份证号",
        Column::Name => "姓名",
        Column::Category => "供养方式",
        Column::RegionCode => "行政区划代码",
        Column::ApprovedFrom => "保障起始年月",
        Column::EndedAfter => "保障截止年月",
        Column::Status => "状态",
        Column::MonthlyAmount => "月发放金额",
        Column::PayeeName => "收款人",
        Column::PayeeAccount => "收款账号",
        Column::PayeeBank => "开户银行",
        Column::PayeeBankCode => "开户行联行号",
    }
}

impl Detail {
    /// The sentence in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Zh => self.zh(),
        }
    }

    fn en(&self) -> String {
        use Detail::*;
        match self {
            None => String::new(),
            MissingField(c) => format!("{} is empty: fill it in", c.name()),
            Id(IdProblem::ExcelNumber) => "this looks like an ID number that Excel turned into a number: format the column as text and export again".into(),
            Id(IdProblem::Length(n)) => format!("child_id has {n} characters; an ID number has 18"),
            Id(IdProblem::Characters) => "child_id must be 17 digits followed by a digit or X".into(),
            Id(IdProblem::Check { expected, found }) => format!(
                "child_id check character is {found} but the first 17 digits give {expected}: a digit is probably mistyped"
            ),
            Id(IdProblem::BirthDate) => "child_id characters 7-14 are not a real birth date".into(),
            Category => "category must be scattered (散居) or institutional (集中供养)".into(),
            Region => "region_code must be a 6-digit administrative division code starting with a province code (11-82)".into(),
            Month(c) => format!("{} must be a month such as 2018-06, 201806 or 2018年6月 (years 1900-2199)", c.name()),
            Status => "status must be active (正常), suspended (暂停) or blank".into(),
            Amount(AmountProblem::NotPlain) => "monthly_amount must be a plain number of yuan such as 800 or 800.50 (no sign, separator or symbol)".into(),
            Amount(AmountProblem::TooPrecise) => "monthly_amount has more than 2 decimal places".into(),
            Amount(AmountProblem::TooLarge) => "monthly_amount is too large to be a monthly amount".into(),
            Account => "payee_account must be 8 to 32 digits (spaces and dashes are allowed between them)".into(),
            BankCode => "payee_bank_code (联行号) must be the 12-digit code of the payee's bank branch, or blank".into(),
            FormulaText(c) => format!("{} begins with a character a spreadsheet treats as a formula (= + - @)", c.name()),
            ControlText(c, code) => format!("{} holds a control character (U+{code:04X})", c.name()),
            EndedBeforeApproved { end, approved } => format!("ended_after {end} is before approved_from {approved}"),
            ApprovedBeforeBirth { approved, birth } => format!("approved_from {approved} is before the child's birth month {birth}"),
            Malformed { fields, header } => format!(
                "the row has {fields} fields where the header has {header}: look for a stray comma or an unclosed quote"
            ),
            BadBytes { field, byte, position } => format!(
                "field {field} holds bytes that are not valid text (byte 0x{byte:02X} at position {position}): re-type it or save the file as UTF-8"
            ),
            DuplicateId => "this ID is on more than one valid roster row: none is paid until the roster keeps one".into(),
            PayeeConflict => "rows with this payee account disagree on the payee name, bank or bank code: correct them so they match".into(),
            AboveCeiling { amount, ceiling } => format!(
                "amount {} is above the ceiling {}: confirm it and raise --ceiling, or correct monthly_amount",
                fmt_amount(*amount),
                fmt_amount(*ceiling)
            ),
            Suspended => "payment is suspended on the roster".into(),
            NotStarted { from } => format!("entitlement starts in {from}"),
            Ended { end } => format!("entitlement ended after {end}"),
            EndedStatus { word } => format!("the roster's status is {word}: the entitlement has ended"),
            AgedOut { last } => format!("the child turned 18 in {last}; the allowance is paid through that month"),
        }
    }

    fn zh(&self) -> String {
        use Detail::*;
        match self {
            None => String::new(),
            MissingField(c) => format!("{}为空：请填写", zh_column(*c)),
            Id(IdProblem::ExcelNumber) => "身份证号看起来被Excel转成了数字：请把该列设为文本格式后重新导出".into(),
            Id(IdProblem::Length(n)) => format!("身份证号有{n}位，应为18位"),
            Id(IdProblem::Characters) => "身份证号应为17位数字加1位数字或X".into(),
            Id(IdProblem::Check { expected, found }) => {
                format!("身份证号校验码为{found}，按前17位应为{expected}：可能有数字录错")
            }
            Id(IdProblem::BirthDate) => "身份证号第7至14位不是有效的出生日期".into(),
            Category => "供养方式应为散居（scattered）或集中供养（institutional）".into(),
            Region => "行政区划代码应为6位数字，且以省级代码（11-82）开头".into(),
            Month(c) => format!("{}应为年月，如2018-06、201806或2018年6月（1900-2199年）", zh_column(*c)),
            Status => "状态应为正常（active）、暂停（suspended）或留空".into(),
            Amount(AmountProblem::NotPlain) => {
                "月发放金额应为普通数字，如800或800.50（不带符号、分隔符或货币符号）".into()
            }
            Amount(AmountProblem::TooPrecise) => "月发放金额的小数超过2位".into(),
            Amount(AmountProblem::TooLarge) => "月发放金额过大，不像是月发放金额".into(),
            Account => "收款账号应为8至32位数字（中间可有空格或短横线）".into(),
            BankCode => "开户行联行号应为收款人开户网点的12位行号，或留空".into(),
            FormulaText(c) => format!("{}以电子表格会当作公式的字符开头（= + - @）", zh_column(*c)),
            ControlText(c, code) => format!("{}含有控制字符（U+{code:04X}）", zh_column(*c)),
            EndedBeforeApproved { end, approved } => format!("保障截止年月{end}早于保障起始年月{approved}"),
            ApprovedBeforeBirth { approved, birth } => format!("保障起始年月{approved}早于儿童出生年月{birth}"),
            Malformed { fields, header } => {
                format!("该行有{fields}个字段，表头有{header}个：请检查多余的逗号或未闭合的引号")
            }
            BadBytes { field, byte, position } => format!(
                "第{field}个字段含有无法识别的字节（第{position}个字节为0x{byte:02X}）：请重新录入或另存为UTF-8"
            ),
            DuplicateId => "该身份证号出现在多个有效行中：在花名册只保留一行之前，均不发放".into(),
            PayeeConflict => "同一收款账号的各行收款人姓名、开户银行或联行号不一致：请更正使其一致".into(),
            AboveCeiling { amount, ceiling } => format!(
                "金额{}超过上限{}：请核实后调高--ceiling，或更正月发放金额",
                fmt_amount(*amount),
                fmt_amount(*ceiling)
            ),
            Suspended => "花名册上该儿童暂停发放".into(),
            NotStarted { from } => format!("保障自{from}开始"),
            Ended { end } => format!("保障已于{end}截止"),
            EndedStatus { word } => format!("花名册状态为“{word}”：保障已终止"),
            AgedOut { last } => format!("该儿童已于{last}年满18周岁，发放至该月为止"),
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

// Every sentence in both languages: `tests/catalog.rs`, through an exhaustive match
// over `Detail`, so a new sentence cannot slip past.
