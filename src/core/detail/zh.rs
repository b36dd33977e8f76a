//! The Chinese sentences: the value found (in “”), the rule, the fix, with full-width
//! punctuation, months as 2018年7月, amounts in 元 and the glossary's words for
//! columns, categories and reasons. No English word is left in them.

use super::words::{categories, is_chinese, statuses};
use super::{Detail, Found, PayeeField};
use crate::core::column::Column;
use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::id::IdProblem;
use crate::core::money::AmountProblem;
use crate::core::vocabulary::StatusKind;

/// A column's Chinese name: the glossary's label (the label codes are the headers).
pub(crate) fn column(c: Column) -> &'static str {
    glossary::lookup(Group::Label, c.name()).map_or(c.name(), |t| t.zh)
}

fn q(f: &Found) -> String {
    format!("“{}”", f.as_str())
}

fn month(m: crate::core::month::Month) -> String {
    glossary::month(m, Lang::Zh)
}

fn join(words: &[&str]) -> String {
    words.join("、")
}

/// `社会散居孤儿（也可写散居、…）、集中供养孤儿（…）或事实无人抚养儿童（…）`
fn category_words() -> String {
    let parts: Vec<String> = categories()
        .into_iter()
        .map(|(name, words)| {
            let shown = glossary::say(Group::Category, name, Lang::Zh);
            let others: Vec<&str> = words.iter().copied().filter(|w| is_chinese(w) && *w != shown).collect();
            if others.is_empty() {
                shown.to_owned()
            } else {
                format!("{shown}（也可写{}）", join(&others))
            }
        })
        .collect();
    let mut parts = parts;
    parts.extend(super::words::declared().into_iter().map(|name| format!("“{name}”")));
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}或{last}", rest.join("、")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn status_words() -> String {
    let parts: Vec<String> = statuses()
        .into_iter()
        .map(|(kind, words)| {
            let zh: Vec<&str> = words.iter().copied().filter(|w| is_chinese(w)).collect();
            let meaning = match kind {
                StatusKind::Active => "照常发放".to_owned(),
                StatusKind::Suspended => glossary::say(Group::Reason, "SUSPENDED", Lang::Zh).to_owned(),
                StatusKind::Ended => glossary::say(Group::Reason, "ENDED", Lang::Zh).to_owned(),
            };
            format!("{}（{meaning}）", join(&zh))
        })
        .collect();
    format!("{}，或留空（视为正常）", parts.join("；"))
}

fn control_name(code: u32) -> &'static str {
    match code {
        0x0a => "换行符",
        0x0d => "回车符",
        0x09 => "制表符",
        _ => "不可见的控制字符",
    }
}

fn payee_field(f: PayeeField) -> &'static str {
    column(f.column())
}

fn row_ref(r: &super::RowRef) -> String {
    format!("{}第{}行", r.path, r.line)
}

pub(super) fn sentence(d: &Detail) -> String {
    use Detail::*;
    match d {
        None => String::new(),
        MissingField(c) => format!("{}为空：此项必须填写，请补填", column(*c)),
        Id(IdProblem::ExcelNumber) => {
            "身份证号码看起来被Excel转成了科学计数法的数字：请把该列设为文本格式，重新录入身份证号码后再导出".into()
        }
        Id(IdProblem::Length(n)) => format!("身份证号码有{n}位，应为18位：请对照户口簿更正"),
        Id(IdProblem::Characters) => {
            "身份证号码中有数字和末位X以外的字符，应为17位数字加1位数字或X：请对照户口簿更正".into()
        }
        Id(IdProblem::Check { expected, found }) => {
            format!("身份证号码末位校验码为{found}，按前17位计算应为{expected}：可能有数字录错，请对照户口簿核对")
        }
        Id(IdProblem::BirthDate) => "身份证号码第7至14位不是有效的出生日期：请对照户口簿核对".into(),
        Category(f) => format!("类别{}无法识别：请填写{}", q(f), category_words()),
        Region(f) => format!(
            "行政区划代码{}不是有效的代码：应为6位数字，前两位是省级代码（11至82），如430102；请按民政部门公布的区划代码更正",
            q(f)
        ),
        Month(c, f) => format!(
            "{}{}不是有效的年月：请写成2018-06、201806或2018年6月这样的形式（1900年至2199年）",
            column(*c),
            q(f)
        ),
        Status(f) => format!("状态{}无法识别：请填写{}", q(f), status_words()),
        Amount(AmountProblem::NotPlain, f) => format!(
            "月发放金额{}不是普通数字：请写成800或800.50这样以元为单位的数字（不带正负号、千位分隔符或货币符号），留空则按标准发放",
            q(f)
        ),
        Amount(AmountProblem::TooPrecise, f) => {
            format!("月发放金额{}的小数超过2位：金额最多精确到分（如800.50），请更正", q(f))
        }
        Amount(AmountProblem::TooLarge, f) => {
            format!("月发放金额{}过大，不可能是每月的发放金额：请核对后更正", q(f))
        }
        Account { digits, stray: Some(c) } => format!(
            "收款账号中有字符“{c}”，数字共{digits}位，应为8至32位数字（中间可有空格或短横线）：请对照银行卡或存折重新填写"
        ),
        Account { digits, stray: Option::None } => {
            format!("收款账号有{digits}位数字，应为8至32位：请对照银行卡或存折重新填写")
        }
        BankCode(f) => format!(
            "开户行联行号{}不是有效的联行号：应为收款人开户网点的12位数字行号，不清楚时可留空",
            q(f)
        ),
        FormulaText(c, first) => format!(
            "{}以{}开头，电子表格会把它当作公式：请删去开头的这个字符",
            column(*c),
            match first {
                '\t' => "制表符".to_owned(),
                '\r' => "回车符".to_owned(),
                other => format!("“{other}”"),
            }
        ),
        ControlText(c, code) => format!(
            "{}中有{}，银行文件不能带这种字符：请删去（在Excel中多为单元格内的换行）",
            column(*c),
            control_name(*code)
        ),
        EndedBeforeApproved { end, approved } => format!(
            "保障截止年月{}早于保障起始年月{}：两个年月中有一个填错了，请更正",
            month(*end),
            month(*approved)
        ),
        ApprovedBeforeBirth { approved, birth } => format!(
            "保障起始年月{}早于儿童的出生年月{}（按身份证号码）：请更正保障起始年月或身份证号码",
            month(*approved),
            month(*birth)
        ),
        Malformed { fields, header } => {
            format!("该行有{fields}列，表头有{header}列：可能多了逗号或引号没有配对，请检查这一行")
        }
        BadBytes { column: c, field, .. } => format!(
            "{}中有无法识别的文字（可能是文件编码不对）：请重新录入，或把文件另存为UTF-8编码的CSV",
            match c {
                Some(c) => column(*c).to_owned(),
                Option::None => format!("第{field}列"),
            }
        ),
        DuplicateId { other } => format!(
            "该身份证号码在{}也有一行有效记录：每名儿童只能保留一行，请删去多余的行；删去之前，这些行都暂缓发放",
            row_ref(other)
        ),
        PayeeConflict { other, field } => format!(
            "{}的收款账号与本行相同，但{}不同：同一账号各行的收款人、开户银行和开户行联行号必须一致，请更正",
            row_ref(other),
            payee_field(*field)
        ),
        AboveCeiling { amount, ceiling } => format!(
            "金额{}超过上限{}：核实无误的，请用 --ceiling 调高上限后重新运行；否则请更正月发放金额",
            glossary::yuan(*amount, Lang::Zh),
            glossary::yuan(*ceiling, Lang::Zh)
        ),
        Suspended => "花名册状态为暂停：本月不发放；恢复发放时请把状态改为正常".into(),
        NotStarted { from } => {
            format!("保障起始年月为{}，晚于本月：本月不发放；如起始年月填错，请更正", month(*from))
        }
        Ended { end } => format!("保障截止年月为{}，本月已过截止年月：如保障仍在继续，请更正截止年月", month(*end)),
        EndedStatus { word } => format!("花名册状态为“{word}”：保障已终止；如有误，请更正状态"),
        AgedOut { last } => format!(
            "该儿童已于{}年满18周岁，发放到该月为止：如出生日期有误，请更正身份证号码",
            month(*last)
        ),
    }
}
