//! Errors the caller can match on, and how they map to exit codes (SPEC section 6).
//!
//! A `Fatal` stops the run before anything is written. Its `Display` is the one line a
//! clerk sees: the file (and line), what is wrong, and what to do.

use std::fmt;
use std::path::Path;

mod io_words;
#[cfg(test)]
mod zh_everywhere;

pub use io_words::{doing_zh, io_zh, thing_zh, toml_zh};

/// What kind of fatal error happened: SPEC section 6's list, each exit 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FatalKind {
    /// Bad flags or arguments.
    Usage,
    /// A roster file that cannot be read or is not CSV.
    Input,
    /// A roster header lacks a required column (or has one twice).
    MissingColumn,
    /// A policy file that cannot be used.
    Policy,
    /// The policy has no standard for a child's category, region and period.
    PolicyGap,
    /// `--out` exists and is not empty.
    OutputNotEmpty,
    /// Reading or writing failed (disk full, permissions, ...).
    Io,
}

impl FatalKind {
    pub const ALL: [FatalKind; 7] = [
        FatalKind::Usage,
        FatalKind::Input,
        FatalKind::MissingColumn,
        FatalKind::Policy,
        FatalKind::PolicyGap,
        FatalKind::OutputNotEmpty,
        FatalKind::Io,
    ];

    /// The process's exit code for this kind. Every kind SPEC section 6 lists is 2;
    /// the match has no catch-all, so a new kind has to say its code here.
    pub fn exit_code(self) -> i32 {
        match self {
            FatalKind::Usage
            | FatalKind::Input
            | FatalKind::MissingColumn
            | FatalKind::Policy
            | FatalKind::PolicyGap
            | FatalKind::OutputNotEmpty
            | FatalKind::Io => FATAL_EXIT,
        }
    }
}

/// A fatal error: nothing is written, exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    pub kind: FatalKind,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub message: String,
    pub fix: String,
    /// The message and the fix in Chinese, for `--lang zh`.
    pub zh: Option<Box<(String, String)>>,
    /// How the Chinese names the file, when not by its path alone (a workbook's sheet).
    pub file_zh: Option<Box<String>>,
}

impl Fatal {
    pub fn new(kind: FatalKind, message: impl Into<String>, fix: impl Into<String>) -> Fatal {
        Fatal { kind, file: None, line: None, message: message.into(), fix: fix.into(), zh: None, file_zh: None }
    }

    /// The same error in Chinese.
    pub fn zh(mut self, message: impl Into<String>, fix: impl Into<String>) -> Fatal {
        self.zh = Some(Box::new((message.into(), fix.into())));
        self
    }

    /// The one line for the terminal, in `lang` (English where no Chinese is given).
    pub fn render(&self, lang: crate::core::detail::Lang) -> String {
        match (self.zh.as_deref(), lang) {
            (Some((m, f)), crate::core::detail::Lang::Zh) => self.render_zh(m, f),
            _ => self.render_en(),
        }
    }

    fn render_en(&self) -> String {
        let mut out = String::new();
        match (&self.file, self.line) {
            (Some(file), Some(line)) => out.push_str(&format!("{file}:{line}: ")),
            (Some(file), None) => out.push_str(&format!("{file}: ")),
            _ => {}
        }
        out.push_str(&self.message.replace(['\n', '\r'], " "));
        if !self.fix.is_empty() {
            out.push_str(" — ");
            out.push_str(&self.fix);
        }
        out
    }

    /// `文件:N：问题。办法。` with full-width punctuation.
    fn render_zh(&self, message: &str, fix: &str) -> String {
        let mut out = String::new();
        // A file's line as everywhere else (`r.csv:7`, the `source` column), a
        // workbook sheet's in words.
        match (&self.file_zh, &self.file, self.line) {
            (Some(sheet), _, Some(line)) => out.push_str(&format!("{sheet}第{line}行：")),
            (Some(sheet), _, None) => out.push_str(&format!("{sheet}：")),
            (None, Some(file), Some(line)) => out.push_str(&format!("{file}:{line}：")),
            (None, Some(file), None) => out.push_str(&format!("{file}：")),
            _ => {}
        }
        for part in [message, fix] {
            let part = part.replace(['\n', '\r'], " ");
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            out.push_str(part);
            if !part.ends_with(['。', '；', '！', '？']) {
                out.push('。');
            }
        }
        out
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Fatal {
        self.file = Some(file.into());
        self
    }

    /// In sheet `sheet` of the workbook `path`.
    pub fn in_sheet(mut self, path: &str, sheet: &str) -> Fatal {
        self.file = Some(format!("{path} sheet {sheet}"));
        self.file_zh = Some(Box::new(format!("{path}的工作表“{sheet}”")));
        self
    }

    pub fn at_line(mut self, line: u64) -> Fatal {
        self.line = Some(line);
        self
    }

    /// An I/O failure on `path`; `doing` is one of the phrases
    /// [`doing_zh`] knows, so the Chinese says it too.
    pub fn io(path: &Path, doing: &str, err: &std::io::Error) -> Fatal {
        let (what, fix) = io_zh(err);
        Fatal::new(
            FatalKind::Io,
            format!("{doing} failed: {err}"),
            "check that the path exists, is writable and the disk is not full, then run again",
        )
        .zh(format!("{}失败：{what}", doing_zh(doing)), fix)
        .in_file(path.display().to_string())
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(crate::core::detail::Lang::En))
    }
}

impl std::error::Error for Fatal {}

/// How a command that did not fail fatally finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Exit 0.
    Done,
    /// Exit 1: `verify` found a mismatch.
    Mismatch,
    /// Exit 3: `--strict` and some row was rejected or held.
    StrictFailed,
}

impl Finish {
    pub fn code(self) -> i32 {
        match self {
            Finish::Done => 0,
            Finish::Mismatch => 1,
            Finish::StrictFailed => 3,
        }
    }
}

/// Exit code for a fatal error.
pub const FATAL_EXIT: i32 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fatal_kind_exits_2_and_apart_from_the_other_outcomes() {
        for kind in FatalKind::ALL {
            assert_eq!(kind.exit_code(), 2, "{kind:?}");
            assert_eq!(Fatal::new(kind, "m", "f").kind.exit_code(), FATAL_EXIT);
        }
        let finishes = [Finish::Done, Finish::Mismatch, Finish::StrictFailed].map(Finish::code);
        assert_eq!(finishes, [0, 1, 3]);
        assert!(!finishes.contains(&FATAL_EXIT));
    }

    #[test]
    fn a_fatal_line_names_the_file_and_line_then_the_fix() {
        let f = Fatal::new(FatalKind::Input, "bad\nrow", "fix it").in_file("r.csv").at_line(7).zh("坏行", "改正");
        assert_eq!(f.render(crate::core::detail::Lang::En), "r.csv:7: bad row — fix it");
        assert_eq!(f.render(crate::core::detail::Lang::Zh), "r.csv:7：坏行。改正。");
        let s = Fatal::new(FatalKind::Input, "m", "f").zh("坏", "改").in_sheet("b.xlsx", "花名册").at_line(3);
        assert_eq!(s.render(crate::core::detail::Lang::Zh), "b.xlsx的工作表“花名册”第3行：坏。改。");
        assert_eq!(s.render(crate::core::detail::Lang::En), "b.xlsx sheet 花名册:3: m — f");
        let g = Fatal::new(FatalKind::Input, "m", "").in_file("p.csv").zh("问题：没有表头行。", "");
        assert_eq!(g.render(crate::core::detail::Lang::Zh), "p.csv：问题：没有表头行。");
        assert_eq!(f.to_string(), f.render(crate::core::detail::Lang::En));
    }

    #[test]
    fn an_io_failure_reads_in_chinese_without_the_os_text() {
        let err = std::io::Error::from_raw_os_error(2);
        let f = Fatal::io(Path::new("r.csv"), "reading the roster", &err);
        let zh = f.render(crate::core::detail::Lang::Zh);
        assert_eq!(zh, "r.csv：读取花名册失败：找不到该文件或文件夹。请检查路径和文件名是否写对。");
        assert!(f.render(crate::core::detail::Lang::En).contains("os error 2"));
    }
}
