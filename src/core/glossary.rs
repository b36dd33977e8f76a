//! The clerk's glossary (SPEC section 17): one name for each thing a person reads, in
//! English and in Chinese, kept in one table that every output uses.
//!
//! The CSV files keep their English code words (the machine contract); the terminal,
//! `explain`, the messages and the workbooks show the name from here. A word that is
//! not in the table (a category a policy file added, say) is shown as it is.

use rust_decimal::Decimal;

use super::lang::Lang;
use super::money::fmt_amount;
use super::month::Month;

/// Which list a code word belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// paid / held / excluded / rejected.
    Decision,
    /// scattered / institutional / de_facto_unsupported.
    Category,
    /// regular / arrears.
    Kind,
    /// standard / recorded / raised_to_minimum.
    Basis,
    /// A ledger run's status.
    RunStatus,
    /// A payment line's status.
    LineStatus,
    /// What `reconcile` made of one line of a bank's return.
    Outcome,
    /// What `audit` found for one child and month.
    AuditStatus,
    /// A reason code of SPEC section 3 (`INVALID_ID`, ...).
    Reason,
    /// A `changes.csv` change word.
    Change,
    /// Labels people read on every screen (period, run, amount, ...).
    Label,
}

/// One entry: the code word and its names for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub code: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Term {
    pub fn say(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

const fn t(code: &'static str, en: &'static str, zh: &'static str) -> Term {
    Term { code, en, zh }
}

/// Decisions (SPEC section 3).
pub const DECISIONS: &[Term] = &[
    t("paid", "paid", "发放"),
    t("held", "held", "暂缓发放"),
    t("excluded", "excluded", "本月不发放"),
    t("rejected", "rejected", "数据有误"),
];

/// The built-in categories.
pub const CATEGORIES: &[Term] = &[
    t("scattered", "scattered", "社会散居孤儿"),
    t("institutional", "institutional", "集中供养孤儿"),
    t("de_facto_unsupported", "de facto unsupported", "事实无人抚养儿童"),
];

/// Kinds of payment line.
pub const KINDS: &[Term] = &[t("regular", "regular", "当月"), t("arrears", "arrears", "补发")];

/// How an amount was set.
pub const BASES: &[Term] = &[
    t("standard", "standard", "按标准"),
    t("recorded", "recorded", "按花名册金额"),
    t("raised_to_minimum", "raised to minimum", "低于标准按标准补足"),
    t("arrears", "arrears", "补发各月合计"),
];

/// A ledger run's status.
pub const RUN_STATUSES: &[Term] = &[
    t("pending", "pending", "处理中"),
    t("committed", "committed", "待归档"),
    t("live", "live", "有效"),
    t("void", "void", "已作废"),
];

/// A payment line's status.
pub const LINE_STATUSES: &[Term] =
    &[t("issued", "issued", "已发出"), t("settled", "settled", "已到账"), t("failed", "failed", "失败")];

/// `reconcile` outcomes (SPEC sections 9 and 14).
pub const OUTCOMES: &[Term] = &[
    t("settled", "settled", "已到账"),
    t("failed", "failed", "失败"),
    t("pending", "pending", "银行处理中"),
    t("amount_mismatch", "amount mismatch", "金额不符"),
    t("missing", "missing", "回盘未列"),
    t("unknown", "unknown", "无此转账"),
    t("duplicate_return", "duplicate return", "重复回盘"),
    t("invalid_line", "invalid line", "无法读取"),
    t("conflict", "conflict", "与台账冲突"),
];

/// `audit` statuses.
pub const AUDIT_STATUSES: &[Term] = &[
    t("match", "match", "相符"),
    t("below_minimum", "below minimum", "低于最低标准"),
    t("underpaid", "underpaid", "少发"),
    t("overpaid", "overpaid", "多发"),
    t("not_entitled", "not entitled", "不应发放"),
    t("unknown_child", "unknown child", "名册外人员"),
    t("unpaid", "unpaid", "漏发"),
    t("duplicate_payment", "duplicate payment", "重复发放"),
    t("invalid_line", "unreadable line", "无法读取的行"),
];

/// Reason codes: the code itself is what an English reader sees.
pub const REASONS: &[Term] = &[
    t("MALFORMED_ROW", "MALFORMED_ROW", "行格式有误"),
    t("MISSING_FIELD", "MISSING_FIELD", "必填项为空"),
    t("INVALID_ID", "INVALID_ID", "身份证号码有误"),
    t("INVALID_CATEGORY", "INVALID_CATEGORY", "类别有误"),
    t("INVALID_REGION", "INVALID_REGION", "行政区划代码有误"),
    t("INVALID_MONTH", "INVALID_MONTH", "年月有误"),
    t("INVALID_STATUS", "INVALID_STATUS", "状态有误"),
    t("INVALID_AMOUNT", "INVALID_AMOUNT", "金额有误"),
    t("INVALID_ACCOUNT", "INVALID_ACCOUNT", "收款账号有误"),
    t("INVALID_BANK_CODE", "INVALID_BANK_CODE", "联行号有误"),
    t("INVALID_TEXT", "INVALID_TEXT", "含有不允许的字符"),
    t("INCONSISTENT_DATES", "INCONSISTENT_DATES", "年月前后矛盾"),
    t("DUPLICATE_ID", "DUPLICATE_ID", "身份证号码重复"),
    t("PAYEE_CONFLICT", "PAYEE_CONFLICT", "收款信息不一致"),
    t("EXCEEDS_CEILING", "EXCEEDS_CEILING", "金额超过上限"),
    t("SUSPENDED", "SUSPENDED", "花名册暂停发放"),
    t("NOT_STARTED", "NOT_STARTED", "保障尚未开始"),
    t("ENDED", "ENDED", "保障已终止"),
    t("AGED_OUT", "AGED_OUT", "已满18周岁"),
];

/// `changes.csv` change words.
pub const CHANGES: &[Term] =
    &[t("added", "added", "新增"), t("removed", "removed", "减少"), t("amount_changed", "amount changed", "金额变动")];

/// Labels used on more than one screen or sheet.
pub const LABELS: &[Term] = &[
    t("period", "period", "发放年月"),
    t("run", "run", "批次"),
    t("amount", "amount", "金额"),
    t("child_id", "child_id", "身份证号"),
    t("name", "name", "姓名"),
    t("category", "category", "类别"),
    t("region_code", "region_code", "行政区划代码"),
    t("county", "county", "县（市、区）"),
    t("decision", "decision", "处理结果"),
    t("reason", "reason", "原因"),
    t("reason_code", "reason code", "原因代码"),
    t("detail", "detail", "说明"),
    t("kind", "kind", "类型"),
    t("basis", "basis", "依据"),
    t("source", "source", "来源"),
    t("transfer_id", "transfer_id", "转账编号"),
    t("payee_name", "payee_name", "收款人"),
    t("payee_account", "payee_account", "收款账号"),
    t("payee_bank", "payee_bank", "开户银行"),
    t("payee_bank_code", "payee_bank_code", "开户行联行号"),
    t("children", "children", "儿童人数"),
    t("rows", "rows", "行数"),
    t("total", "total", "合计"),
    t("status", "status", "状态"),
    t("outcome", "outcome", "对账结果"),
    t("owed", "owed", "应发"),
    t("paid_amount", "paid", "实发"),
    t("difference", "difference", "差额"),
    t("ledger", "ledger", "台账"),
    t("time", "time", "时间"),
    t("change", "change", "变动"),
    t("previous_amount", "previous amount", "上月金额"),
    t("mode", "mode", "方式"),
    t("mode_run", "run", "正式发放"),
    t("mode_import", "import", "历史导入"),
    t("paid_count", "paid", "发放人数"),
    t("arrears_amount", "of it arrears", "其中补发"),
    t("created_beijing", "created (Beijing time)", "创建时间（北京时间）"),
    t("output_dir", "output", "输出目录"),
    t("month", "month", "月份"),
    t("run_status", "run status", "批次状态"),
    t("void_reason", "void because", "作废原因"),
    t("transfers", "transfers", "转账笔数"),
    t("returned_amount", "returned amount", "回盘金额"),
    t("return_line", "return line", "回盘行号"),
    t("journal_head", "ledger journal head (write it in the register)", "台账校验值（请抄入登记簿）"),
    t("summary", "Summary", "汇总"),
    t("reconciliation", "Reconciliation", "对账明细"),
    t("findings", "Findings", "审核结果"),
    t("audit_status", "status", "审核结论"),
    t("lines", "lines", "笔数"),
    t("approved_from", "approved_from", "保障起始年月"),
    t("ended_after", "ended_after", "保障截止年月"),
    t("monthly_amount", "monthly_amount", "月发放金额"),
    t("standard", "standard", "标准"),
    t("policy", "policy", "政策"),
    t("ceiling", "ceiling", "上限"),
    t("arrears", "back pay", "补发"),
    t("history", "ledger history", "台账记录"),
    t("NOT_ON_ROSTER", "NOT_ON_ROSTER", "本月花名册无此人"),
];

/// Every group with its list: the whole glossary, for tests and lookups.
pub const TABLE: &[(Group, &[Term])] = &[
    (Group::Decision, DECISIONS),
    (Group::Category, CATEGORIES),
    (Group::Kind, KINDS),
    (Group::Basis, BASES),
    (Group::RunStatus, RUN_STATUSES),
    (Group::LineStatus, LINE_STATUSES),
    (Group::Outcome, OUTCOMES),
    (Group::AuditStatus, AUDIT_STATUSES),
    (Group::Reason, REASONS),
    (Group::Change, CHANGES),
    (Group::Label, LABELS),
];

/// The list of one group.
pub fn terms(group: Group) -> &'static [Term] {
    TABLE.iter().find(|(g, _)| *g == group).map(|(_, list)| *list).unwrap_or(&[])
}

/// The entry for `code` in `group`, if the glossary has one.
pub fn lookup(group: Group, code: &str) -> Option<&'static Term> {
    terms(group).iter().find(|term| term.code == code)
}

/// The name of `code` for a person reading `lang`; a code the glossary does not know
/// (a category a policy file added) is shown as it is.
pub fn say(group: Group, code: &str, lang: Lang) -> &str {
    match lookup(group, code) {
        Some(term) => term.say(lang),
        None => code,
    }
}

/// The same, for code words held as bytes (the monthly files' fields).
pub fn say_bytes(group: Group, code: &[u8], lang: Lang) -> &[u8] {
    match std::str::from_utf8(code).ok().and_then(|c| lookup(group, c)) {
        Some(term) => term.say(lang).as_bytes(),
        None => code,
    }
}

/// A month for a person: `2018-07` in English, `2018年7月` in Chinese.
pub fn month(m: Month, lang: Lang) -> String {
    match lang {
        Lang::En => m.to_string(),
        Lang::Zh => format!("{}年{}月", m.year(), m.month()),
    }
}

/// An amount for a person: `800.00` in English, `800.00元` in Chinese.
pub fn yuan(d: Decimal, lang: Lang) -> String {
    match lang {
        Lang::En => fmt_amount(d),
        Lang::Zh => format!("{}元", fmt_amount(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::reason::Reason;

    #[test]
    fn every_group_has_a_list_and_codes_are_unique_within_it() {
        for (group, list) in TABLE {
            assert!(!list.is_empty(), "{group:?} is empty");
            for (i, a) in list.iter().enumerate() {
                assert!(!a.zh.is_empty() && !a.en.is_empty(), "{group:?} {}", a.code);
                for b in &list[i + 1..] {
                    assert_ne!(a.code, b.code, "{group:?} lists {} twice", a.code);
                }
            }
        }
    }

    #[test]
    fn every_reason_code_has_a_chinese_name() {
        for r in Reason::ALL {
            let term = lookup(Group::Reason, r.code()).unwrap_or_else(|| panic!("{} has no name", r.code()));
            assert!(term.zh.chars().all(|c| !c.is_ascii_alphabetic()), "{}: {}", r.code(), term.zh);
        }
        assert_eq!(REASONS.len(), Reason::ALL.len());
    }

    #[test]
    fn names_in_the_same_group_differ_so_a_reader_can_tell_them_apart() {
        for (group, list) in TABLE {
            for (i, a) in list.iter().enumerate() {
                for b in &list[i + 1..] {
                    assert_ne!(a.zh, b.zh, "{group:?}: {} and {} share {}", a.code, b.code, a.zh);
                }
            }
        }
    }

    #[test]
    fn the_spec_table_is_kept_word_for_word() {
        let spec = [
            (Group::Decision, "held", "暂缓发放"),
            (Group::Decision, "excluded", "本月不发放"),
            (Group::Decision, "rejected", "数据有误"),
            (Group::Category, "de_facto_unsupported", "事实无人抚养儿童"),
            (Group::Basis, "raised_to_minimum", "低于标准按标准补足"),
            (Group::RunStatus, "committed", "待归档"),
            (Group::Outcome, "missing", "回盘未列"),
            (Group::AuditStatus, "unknown_child", "名册外人员"),
            (Group::Label, "period", "发放年月"),
        ];
        for (group, code, zh) in spec {
            assert_eq!(say(group, code, Lang::Zh), zh);
            assert_eq!(say(group, code, Lang::En), lookup(group, code).unwrap().en);
        }
        assert_eq!(say(Group::Category, "orphan_with_hiv", Lang::Zh), "orphan_with_hiv");
        assert_eq!(say_bytes(Group::Kind, b"arrears", Lang::Zh), "补发".as_bytes());
    }

    #[test]
    fn months_and_amounts_read_as_a_clerk_writes_them() {
        let m = Month::parse("2018-07").unwrap();
        assert_eq!(month(m, Lang::Zh), "2018年7月");
        assert_eq!(month(m, Lang::En), "2018-07");
        let d: Decimal = "800".parse().unwrap();
        assert_eq!(yuan(d, Lang::Zh), "800.00元");
        assert_eq!(yuan(d, Lang::En), "800.00");
    }
}
