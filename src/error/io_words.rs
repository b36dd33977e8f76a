//! I/O failures in the clerk's words.
//!
//! `std::io::Error`'s text is the operating system's English (`No such file or
//! directory (os error 2)`). Under `--lang zh` a clerk reads what happened by its
//! kind instead; the OS text appears, in parentheses, only for a kind without a
//! Chinese phrase here. What disburse was doing is said in Chinese too: the English
//! phrases the code passes to `Fatal::io` are looked up in one table.

use std::io::{Error, ErrorKind};

/// What went wrong, in Chinese, and what to do about it.
pub fn io_zh(err: &Error) -> (String, &'static str) {
    let known = |what: &str, fix: &'static str| (what.to_owned(), fix);
    const CHECK: &str = "请检查路径是否正确、是否有读写权限、磁盘是否已满，然后重新运行";
    match err.kind() {
        ErrorKind::NotFound => known("找不到该文件或文件夹", "请检查路径和文件名是否写对"),
        ErrorKind::PermissionDenied => known("没有读写权限", "请检查文件的权限，或换一个有权限的位置"),
        ErrorKind::AlreadyExists => known("已经存在同名的文件或文件夹", "请换一个名称，或把原有的移走"),
        ErrorKind::IsADirectory => known("这是文件夹，不是文件", "请给出文件本身"),
        ErrorKind::NotADirectory => known("路径中有一段是文件，不是文件夹", "请检查路径"),
        ErrorKind::DirectoryNotEmpty => known("文件夹不是空的", "请换一个新的文件夹，或把原有内容移走"),
        ErrorKind::StorageFull => known("磁盘已满", "请腾出磁盘空间后重新运行"),
        ErrorKind::QuotaExceeded => known("超出了磁盘配额", "请腾出空间或请管理员提高配额后重新运行"),
        ErrorKind::FileTooLarge => known("文件超过了系统允许的大小", "请腾出空间或请管理员放宽限制后重新运行"),
        ErrorKind::ReadOnlyFilesystem => known("该磁盘是只读的", "请换一个可写的位置"),
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => {
            known("文件正被其他程序占用", "请关闭正在使用它的程序后重新运行")
        }
        ErrorKind::InvalidFilename => known("文件名不合法或太长", "请换一个较短、合法的文件名"),
        ErrorKind::CrossesDevices => known("不能跨磁盘移动", "请把输出目录放在同一个磁盘上"),
        ErrorKind::TooManyLinks => known("链接过多", "请直接给出文件本身"),
        ErrorKind::Interrupted => known("操作被中断", "请重新运行"),
        ErrorKind::TimedOut => known("操作超时", "请检查网络磁盘后重新运行"),
        ErrorKind::UnexpectedEof => known("文件不完整（意外结束）", "请重新导出或复制该文件后再运行"),
        ErrorKind::InvalidData => known("文件内容无法读取", "请重新导出该文件后再运行"),
        ErrorKind::WriteZero => known("无法写入", CHECK),
        ErrorKind::OutOfMemory => known("内存不足", "请关闭其他程序后重新运行"),
        ErrorKind::WouldBlock => known("文件暂时无法使用", "请稍后重新运行"),
        _ => (format!("系统报告错误（{err}）"), CHECK),
    }
}

/// The English phrases `Fatal::io` is called with, and their Chinese.
const DOING: &[(&str, &str)] = &[
    ("reading", "读取文件"),
    ("reading the roster", "读取花名册"),
    ("reading the policy file", "读取政策文件"),
    ("reading the bank return file", "读取银行回盘文件"),
    ("reading the run's pain.001 file", "读取本批次的pain.001文件"),
    ("reading back the report", "回读工作簿"),
    ("reading back the ledger lines", "回读台账记录"),
    ("writing the output", "写入输出文件"),
    ("syncing the output", "保存输出文件"),
    ("setting permissions", "设置文件权限"),
    ("parking the ledger lines", "暂存台账记录"),
    ("creating the output", "创建输出目录"),
    ("creating the output file", "创建输出文件"),
    ("creating the output's parent folder", "创建输出目录的上级文件夹"),
    ("writing the report", "写入工作簿"),
    ("writing the manifest", "写入manifest.json"),
    ("writing a bank file", "写入银行文件"),
    ("starting the writer thread", "启动写入线程"),
    ("removing an old temporary directory", "删除旧的临时目录"),
    ("removing a scratch file", "删除临时文件"),
    ("opening the ledger", "打开台账"),
    ("locking the ledger", "锁定台账"),
    ("moving the finished output into place", "把完成的输出移入目标目录"),
    ("looking at --out", "检查 --out 目录"),
    ("finishing the output", "完成输出"),
    ("finishing an interrupted run", "完成上次中断的运行"),
];

/// What disburse was doing, in Chinese: from the table, else by its first word.
pub fn doing_zh(doing: &str) -> String {
    if let Some((_, zh)) = DOING.iter().find(|(en, _)| *en == doing) {
        return (*zh).to_owned();
    }
    if let Some(what) = doing.strip_prefix("reading the ") {
        return format!("读取{}", thing_zh(what));
    }
    match doing.split_whitespace().next() {
        Some("reading") => "读取文件",
        Some("writing" | "creating" | "syncing") => "写入文件",
        Some("removing") => "删除文件",
        _ => "读写文件",
    }
    .to_owned()
}

/// The files disburse names in its English messages (`what`), and their Chinese.
const THINGS: &[(&str, &str)] = &[
    ("roster", "花名册"),
    ("the rosters", "花名册"),
    ("workbook", "工作簿"),
    ("policy file", "政策文件"),
    ("roster profile", "花名册配置文件"),
    ("bank profile", "银行模板"),
    ("bank return file", "银行回盘文件"),
    ("import file", "导入文件"),
    ("payment register", "实发名册"),
    ("status report", "银行状态报告"),
    ("manifest", "manifest.json"),
];

/// The Chinese name of a file `what` (\"roster\", \"policy file\"...); "文件" for one
/// not in the table.
pub fn thing_zh(what: &str) -> &'static str {
    THINGS.iter().find(|(en, _)| *en == what).map_or("文件", |(_, zh)| zh)
}

/// A TOML file (a profile) that does not parse, in Chinese: the line, and the key
/// when the parser names an unknown one; the parser's English stays out.
pub fn toml_zh(e: &toml::de::Error, text: &str) -> String {
    let line = e.span().map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
    let at = line.map(|l| format!("第{l}行")).unwrap_or_default();
    let message = e.message();
    let key = message.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next());
    match key {
        Some(k) => format!("{at}有无法识别的键“{k}”"),
        None if message.starts_with("missing field `") => {
            let k = message["missing field `".len()..].split('`').next().unwrap_or_default();
            format!("缺少键“{k}”")
        }
        None => format!("{at}不符合TOML格式，或某个值的类型不对"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_kinds_keep_the_os_text_out() {
        for kind in [ErrorKind::NotFound, ErrorKind::PermissionDenied, ErrorKind::StorageFull, ErrorKind::IsADirectory]
        {
            let err = Error::new(kind, "English words from the system");
            let (what, fix) = io_zh(&err);
            assert!(!what.contains("English") && !what.is_empty() && !fix.is_empty(), "{kind:?}");
        }
        let raw = Error::from_raw_os_error(2);
        assert_eq!(io_zh(&raw).0, "找不到该文件或文件夹");
        let odd = Error::other("strange");
        assert!(io_zh(&odd).0.contains("（strange）"));
    }

    #[test]
    fn toml_errors_name_the_line_and_the_key() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct P {
            name: Option<String>,
        }
        let text = "\nnmae = \"x\"\n";
        let e = toml::from_str::<P>(text).unwrap_err();
        assert_eq!(toml_zh(&e, text), "第2行有无法识别的键“nmae”");
        let text = "name = = 1";
        let e = toml::from_str::<P>(text).unwrap_err();
        assert!(toml_zh(&e, text).starts_with("第1行不符合TOML格式"), "{}", toml_zh(&e, text));
    }

    #[test]
    fn every_phrase_has_chinese() {
        assert_eq!(doing_zh("reading the roster"), "读取花名册");
        assert_eq!(doing_zh("reading the policy file"), "读取政策文件");
        assert_eq!(doing_zh("reading the unknown thing"), "读取文件");
        assert_eq!(thing_zh("payment register"), "实发名册");
        assert_eq!(doing_zh("frobbing"), "读写文件");
        for (en, zh) in DOING {
            assert!(!en.is_empty() && !zh.is_empty());
        }
    }
}
