//! Argument errors in the clerk's language: clap's error (unknown flag, missing
//! argument, bad value, missing command...) as one Chinese line saying what is wrong
//! and what to do, with the exit code of every usage error (2).

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::error::{Fatal, FatalKind};

/// A context value of the error as text (a list joined with 、).
fn said(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、")),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

const SEE_HELP: &str = "用 --help 可查看用法";

/// The usage error as a fatal error with its Chinese.
pub fn clap_fatal(err: &clap::Error) -> Fatal {
    let english = err.to_string();
    let first = english.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned();
    let (message, fix) = chinese(err);
    Fatal::new(FatalKind::Usage, first, "see --help").zh(message, fix)
}

fn chinese(err: &clap::Error) -> (String, String) {
    let arg = said(err, ContextKind::InvalidArg).unwrap_or_default();
    let value = said(err, ContextKind::InvalidValue).unwrap_or_default();
    let suggested = |kind: ContextKind| said(err, kind).map(|s| format!("是否想写 {s}？"));
    match err.kind() {
        ErrorKind::UnknownArgument => {
            let what = if arg.starts_with('-') { "选项" } else { "参数" };
            let fix = suggested(ContextKind::SuggestedArg)
                .unwrap_or_else(|| format!("请检查拼写，或删去它；用 --help 可查看可用的{what}"));
            (format!("无法识别的{what}“{arg}”"), fix)
        }
        ErrorKind::InvalidSubcommand => {
            let name = said(err, ContextKind::InvalidSubcommand).unwrap_or_default();
            let fix = suggested(ContextKind::SuggestedSubcommand)
                .unwrap_or_else(|| "可用的命令见 disburse --help".to_owned());
            (format!("无法识别的命令“{name}”"), fix)
        }
        ErrorKind::MissingRequiredArgument => {
            (format!("缺少必需的参数：{arg}"), format!("请补上后重新运行；{SEE_HELP}"))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let valid = said(err, ContextKind::ValidSubcommand).unwrap_or_default();
            let fix = if valid.is_empty() {
                format!("请写出要执行的命令；{SEE_HELP}")
            } else {
                format!("请写出要执行的命令（{valid}）")
            };
            ("缺少命令".to_owned(), fix)
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            (format!("{arg}后面缺少值"), format!("请在 {} 后面写上值", flag(&arg)))
        }
        ErrorKind::InvalidValue => {
            let valid = match err.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(v)) => v.iter().map(|v| format!("“{v}”")).collect::<Vec<_>>().join("、"),
                _ => said(err, ContextKind::ValidValue).unwrap_or_default(),
            };
            let fix = match suggested(ContextKind::SuggestedValue) {
                Some(s) => format!("可选的值为：{valid}；{s}"),
                None => format!("可选的值为：{valid}"),
            };
            (format!("{arg}的值“{value}”无效"), fix)
        }
        ErrorKind::ValueValidation => (format!("{arg}的值“{value}”无效"), "请写一个正整数".to_owned()),
        ErrorKind::ArgumentConflict => {
            let prior = said(err, ContextKind::PriorArg).unwrap_or_default();
            (format!("{arg}不能与{prior}同时使用"), "请只用其中一个".to_owned())
        }
        ErrorKind::TooManyValues => {
            (format!("多出了参数“{value}”"), "请删去多余的参数（值中有空格时请用引号括起来）".to_owned())
        }
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            (format!("{arg}的值的个数不对"), SEE_HELP.to_owned())
        }
        ErrorKind::NoEquals => (format!("{arg}须用“=”连接它的值"), format!("请写成 {}=值", flag(&arg))),
        ErrorKind::InvalidUtf8 => {
            ("命令行参数中有不是UTF-8编码的文字".to_owned(), "请检查文件名或参数的编码".to_owned())
        }
        _ => ("命令行参数有误".to_owned(), SEE_HELP.to_owned()),
    }
}

/// `--period <年月>` -> `--period`.
fn flag(arg: &str) -> &str {
    arg.split([' ', '=']).next().unwrap_or(arg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::detail::Lang;
    use clap::CommandFactory;

    fn zh_error(args: &[&str]) -> String {
        let cmd = super::super::help_zh::command_zh(crate::cli::Cli::command());
        let err = cmd.try_get_matches_from(args).unwrap_err();
        clap_fatal(&err).render(Lang::Zh)
    }

    #[test]
    fn argument_errors_read_in_chinese() {
        let cases: [(&[&str], &str); 6] = [
            (&["disburse", "run", "--perod", "2018-06"], "无法识别的选项“--perod”。是否想写 --period？"),
            (&["disburse", "rnu"], "无法识别的命令“rnu”"),
            (&["disburse", "run", "--out", "o", "r.csv"], "缺少必需的参数：--period <年月>"),
            (&["disburse", "--lang", "fr", "ledger", "runs"], "--lang <语言>的值“fr”无效"),
            (&["disburse", "run", "--threads", "x", "--period", "p", "--out", "o", "r.csv"], "“x”无效"),
            (&["disburse", "ledger", "void", "1"], "缺少必需的参数：--reason <原因>"),
        ];
        for (args, says) in cases {
            let line = zh_error(args);
            assert!(line.contains(says), "{args:?}: {line}");
            assert!(!line.contains('\n'), "{line}");
        }
    }
}
