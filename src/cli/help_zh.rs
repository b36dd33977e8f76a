//! `--help` in the clerk's language (SPEC section 17).
//!
//! The command line is declared once, in English (`cli.rs`). Under `--lang zh` (or a
//! `zh*` locale) the same clap command is rewritten from the table below before it
//! parses: every command's description, every option's help and value name. What
//! clap itself prints around them (headings, `[default: …]`) is put into Chinese on
//! the rendered text, so the help a clerk reads has no English sentence left.

use clap::{Arg, Command};

/// Each command's description: (command name, Chinese). "" is the program itself.
const ABOUT: &[(&str, &str)] = &[
    ("", "孤儿基本生活费按月发放：核定、发放、审核"),
    ("run", "按月发放：逐行核定花名册，写出银行文件和审计记录"),
    ("verify", "按清单（manifest.json）和审计哈希链核验一次运行的输出目录"),
    ("reconcile", "把银行回盘与一个批次的转账逐笔对账，并在台账上标记结果"),
    ("audit", "按政策审核一份实发名册（CSV：child_id,amount[,name]），查出多发、少发和漏发"),
    ("explain", "逐步说明某个儿童的核定过程"),
    ("ledger", "发放台账：导入历史、列出批次、查看儿童发放记录、作废批次"),
    ("import", "导入旧系统已发放的一个月（CSV：child_id,category,region_code,amount）"),
    ("runs", "列出所有批次"),
    ("history", "逐月列出某个儿童的每条发放记录"),
    ("void", "作废一个批次（其发放不再计入），并保留作废原因"),
    ("ledger verify", "核对台账的日志链，以及批次和发放记录是否与之一致"),
];

/// Each option: (command name or "" for any, argument id, Chinese help, value name).
const ARGS: &[(&str, &str, &str, &str)] = &[
    ("", "lang", "界面语言（提示、说明、工作簿）：zh（中文）或en（英文）；默认按LC_ALL/LANG", "语言"),
    ("", "quiet", "不显示进度条", ""),
    ("", "period", "发放年月，例如2018-06", "年月"),
    ("", "out", "输出目录；须不存在或为空", "目录"),
    ("", "policy", "政策文件（CSV：effective_from,category,region_prefix,minimum），代替内置的hunan-2018", "文件"),
    ("", "ceiling", "月发放金额超过此数的行暂缓发放，待人工复核", "金额"),
    ("", "threads", "工作线程数（默认用全部核心）；线程数不影响输出", "数目"),
    ("", "dry_run", "试算：只核对、出报表，不生成银行文件，不记入台账", ""),
    ("run", "strict", "有数据有误或暂缓发放的行时以退出码3结束（正式运行时不写出任何文件）", ""),
    ("reconcile", "strict", "有与台账冲突的转账（回盘会让台账倒退）时以退出码3结束", ""),
    ("audit", "strict", "发现任何不相符时以退出码3结束", ""),
    ("", "encoding", "花名册的文字编码", "编码"),
    ("verify", "ledger", "同时核对台账对这次运行的记录（只读打开）", "台账"),
    ("explain", "ledger", "用来显示该儿童发放记录和补发的台账（只读；默认为当前目录的disburse-ledger.sqlite）", "台账"),
    ("", "ledger", "台账文件（默认为当前目录的disburse-ledger.sqlite）", "台账"),
    ("", "arrears", "同时补发台账中已有月份欠发的金额", ""),
    ("", "sheet", ".xlsx/.xls/.ods花名册所在的工作表（默认第一个）", "工作表"),
    ("", "roster_profile", "花名册配置文件（TOML）：表头文字、供养方式用词、工作表、表头行", "文件"),
    ("", "bom", "CSV文件带UTF-8 BOM，让Excel正确显示中文", ""),
    ("", "bank_profiles", "银行上传模板：generic-csv、pain001或模板文件（TOML），可写多次", "模板"),
    ("", "execution_date", "银行付款日期，格式为年-月-日（pain001需要）", "日期"),
    ("", "payer_account", "付款账号（模板中没有付款账户信息时使用）", "账号"),
    ("", "payer_name", "付款账户户名", "户名"),
    ("", "payer_bank", "付款账户开户银行", "银行"),
    ("", "payer_bic", "付款银行的BIC代码（pain001的付款行）", "代码"),
    ("", "payer_bank_code", "付款银行网点的12位联行号（pain001的付款行）", "联行号"),
    ("", "office", "单位名称，印在report.xlsx每页的顶端", "单位"),
    ("", "mask_ids", "在report.xlsx的发放花名册中隐去身份证号码和收款账号的中间几位（用于张贴公示）", ""),
    ("", "rosters", "花名册文件（CSV、.xlsx、.xls、.ods），合起来作为一份花名册", "花名册"),
    ("verify", "dir", "一次运行的输出目录", "目录"),
    ("reconcile", "run", "正式运行的输出目录", "目录"),
    ("void", "run", "要作废的批次编号", "批次"),
    ("", "returns", "银行回盘文件（CSV：transfer_id,payee_account,amount,status,reason）", "文件"),
    ("", "returns_profile", "银行模板，其[returns]部分说明回盘文件的格式", "模板"),
    ("", "paid", "要审核的实发名册", "文件"),
    ("", "child_id", "儿童的身份证号码", "身份证号码"),
    ("", "json", "输出JSON（供程序读取）", ""),
    ("", "show_pii", "完整显示身份证号码和收款账号", ""),
    ("import", "file", "旧系统导出的发放文件（CSV）", "文件"),
    ("", "reason", "作废原因", "原因"),
];

/// What clap prints around the help texts, and its Chinese (longer phrases first).
const CLAP_WORDS: &[(&str, &str)] = &[
    ("Print this message or the help of the given subcommand(s)", "显示本帮助或指定命令的帮助"),
    ("Print help (see more with '--help')", "显示帮助（--help 显示更多）"),
    ("Print help (see a summary with '-h')", "显示帮助（-h 显示摘要）"),
    ("Print help", "显示帮助"),
    ("Print version", "显示版本号"),
    ("Usage: ", "用法："),
    ("Usage:", "用法："),
    ("Commands:", "命令："),
    ("命令:", "命令："),
    ("Options:", "选项："),
    ("Arguments:", "参数："),
    ("[OPTIONS]", "[选项]"),
    ("<COMMAND>", "<命令>"),
    ("[COMMAND]", "[命令]"),
    ("[default: ", "[默认："),
    ("[env: ", "[环境变量："),
    ("[possible values: ", "[可选值："),
    ("[aliases: ", "[别名："),
];

fn about(path: &str) -> Option<&'static str> {
    let last = path.rsplit(' ').next().unwrap_or("");
    ABOUT.iter().find(|(p, _)| *p == path).or_else(|| ABOUT.iter().find(|(p, _)| *p == last)).map(|(_, zh)| *zh)
}

fn arg_zh(command: &str, id: &str) -> Option<(&'static str, &'static str)> {
    let of = |c: &str| ARGS.iter().find(|(cmd, i, _, _)| *cmd == c && *i == id);
    of(command).or_else(|| of("")).map(|(_, _, help, value)| (*help, *value))
}

fn arg(command: &str, a: Arg) -> Arg {
    let Some((help, value)) = arg_zh(command, a.get_id().as_str()) else { return a };
    let a = a.help(help).long_help(None::<&str>);
    if value.is_empty() {
        a
    } else {
        a.value_name(value)
    }
}

/// The command with every description and option help in Chinese.
pub fn command_zh(cmd: Command) -> Command {
    rewrite(cmd, "")
}

fn rewrite(mut cmd: Command, path: &str) -> Command {
    let name = path.rsplit(' ').next().unwrap_or("");
    if let Some(text) = about(path) {
        cmd = cmd.about(text).long_about(None::<&str>);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| arg(name, a));
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for sub in subs {
        let sub_path = if path.is_empty() { sub.clone() } else { format!("{path} {sub}") };
        cmd = cmd.mut_subcommand(sub, |s| rewrite(s, &sub_path));
    }
    cmd.subcommand_value_name("命令").subcommand_help_heading("命令")
}

/// Help text rendered by clap, with clap's own words in Chinese.
pub fn clap_words_zh(text: &str) -> String {
    CLAP_WORDS.iter().fold(text.to_owned(), |t, (en, zh)| t.replace(en, zh))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every option of the real command line has its Chinese.
    #[test]
    fn the_table_covers_the_whole_command_line() {
        fn walk(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            let name = path.rsplit(' ').next().unwrap_or("");
            if about(path).is_none() {
                missing.push(format!("about of {path:?}"));
            }
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id != "help" && id != "version" && arg_zh(name, id).is_none() {
                    missing.push(format!("{path}: {id}"));
                }
            }
            for s in cmd.get_subcommands() {
                let p = if path.is_empty() { s.get_name().to_owned() } else { format!("{path} {}", s.get_name()) };
                walk(s, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&crate::cli::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no Chinese for: {missing:?}");
    }
}
