//! Command-line options, converted once into validated settings the rest of the
//! program trusts (so no command re-checks a flag).

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use crate::commands::run::{RunConfig, DEFAULT_CEILING};
use crate::core::detail::Lang;
use crate::core::money::parse_amount;
use crate::core::month::Month;
use crate::core::policy::Policy;
use crate::core::text::{fold_width, trim};
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::DEFAULT_LEDGER;
use crate::output::bank::{BankProfile, Payer};
use crate::output::report::ReportOptions;
use crate::roster::profile::RosterProfile;
use crate::roster::EncodingChoice;

mod help_zh;
mod usage_zh;

/// The environment variable that names the ledger when `--ledger` is not given.
pub const LEDGER_ENV: &str = "DISBURSE_LEDGER";

/// The ledger file: `--ledger` (or, through clap, `DISBURSE_LEDGER`), else the default.
fn ledger_path(flag: Option<PathBuf>) -> PathBuf {
    flag.unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER))
}

/// The ledger a writing command (a real run, an import) may create: one named with
/// `--ledger`/`DISBURSE_LEDGER`, or the default file when it already exists. Never a
/// second ledger started by accident in another folder (SPEC section 13).
fn writable_ledger(flag: Option<PathBuf>) -> Result<PathBuf, Fatal> {
    match flag {
        Some(path) => Ok(path),
        None if std::path::Path::new(DEFAULT_LEDGER).exists() => Ok(PathBuf::from(DEFAULT_LEDGER)),
        None => Err(usage(
            "no ledger here: name the office's ledger with --ledger or DISBURSE_LEDGER",
            "a real run never starts a new ledger unless one is named (to start one, name the new file)",
            (
                "此处没有台账，请用 --ledger 或 DISBURSE_LEDGER 指定本单位的台账",
                "正式运行不会自行新建台账（如需新建，请指定新文件的路径）",
            ),
        )),
    }
}

#[derive(Debug, Parser)]
#[command(name = "disburse", version, about = "Monthly orphan basic living allowance: decide, pay, audit")]
pub struct Cli {
    /// Language for people (messages, details, the workbook): zh or en; default from LC_ALL/LANG.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// No progress bar.
    #[arg(long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Subcommand)]
// Parsed once per process: the size of `run`'s many options costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// The monthly payroll run: decide every roster row, write the bank file and audit trail.
    Run(RunArgs),
    /// Check a run's output directory against its manifest and audit hash chain.
    Verify {
        /// The output directory of a run.
        dir: PathBuf,
        /// Also check the run against what this ledger recorded (opened read-only).
        #[arg(long)]
        ledger: Option<PathBuf>,
    },
    /// Match the bank's return file against a run's transfers; mark the ledger.
    Reconcile {
        /// The output directory of the real run.
        #[arg(long)]
        run: PathBuf,
        /// The bank's return file (CSV transfer_id,payee_account,amount,status,reason).
        #[arg(long)]
        returns: String,
        /// Output directory; must not exist or be empty.
        #[arg(long)]
        out: PathBuf,
        /// The ledger file (default: disburse-ledger.sqlite here).
        #[arg(long, env = LEDGER_ENV)]
        ledger: Option<PathBuf>,
        /// A bank profile whose [returns] section describes the return file's layout.
        #[arg(long)]
        returns_profile: Option<String>,
        /// Exit 3 if a transfer is a conflict (the return would move the ledger backwards).
        #[arg(long)]
        strict: bool,
    },
    /// Check a payment register (CSV child_id,amount[,name]) against what the rules say was owed.
    Audit {
        #[arg(long)]
        period: String,
        /// The payment register to check.
        #[arg(long)]
        paid: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        policy: Option<String>,
        #[arg(long, default_value = DEFAULT_CEILING)]
        ceiling: String,
        #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
        encoding: EncodingArg,
        /// Exit 3 if anything but `match` is found.
        #[arg(long)]
        strict: bool,
        /// The roster sheet of .xlsx/.xls/.ods inputs (default: the first sheet).
        #[arg(long)]
        sheet: Option<String>,
        /// A roster profile (TOML): header texts, category words, sheet, header row.
        #[arg(long)]
        roster_profile: Option<String>,
        #[arg(required = true)]
        rosters: Vec<PathBuf>,
    },
    /// The whole reasoning for one child's decision, step by step.
    Explain {
        #[arg(long)]
        period: String,
        /// The child's ID number.
        child_id: String,
        #[arg(long)]
        policy: Option<String>,
        #[arg(long, default_value = DEFAULT_CEILING)]
        ceiling: String,
        /// A ledger to show the child's history and back pay from (read only; default: disburse-ledger.sqlite here).
        #[arg(long, env = LEDGER_ENV)]
        ledger: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
        encoding: EncodingArg,
        #[arg(long)]
        sheet: Option<String>,
        /// A roster profile (TOML): header texts, category words, sheet, header row.
        #[arg(long)]
        roster_profile: Option<String>,
        /// JSON for machines.
        #[arg(long)]
        json: bool,
        /// Show ID and account numbers in full.
        #[arg(long)]
        show_pii: bool,
        #[arg(required = true)]
        rosters: Vec<PathBuf>,
    },
    /// The ledger of what has been paid: import history, list runs, a child's history, void a run.
    Ledger {
        /// The ledger file (default: disburse-ledger.sqlite here).
        #[arg(long, global = true, env = LEDGER_ENV)]
        ledger: Option<PathBuf>,
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Load a month paid by an older system (CSV child_id,category,region_code,amount).
    Import {
        #[arg(long)]
        period: String,
        file: String,
    },
    /// List every run.
    Runs {
        /// An array of objects instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Every payment line of one child, month by month.
    History {
        child_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Take a run out of the count (its payments no longer count); the reason is kept.
    Void {
        run: i64,
        #[arg(long)]
        reason: String,
    },
    /// Check the ledger's journal chain and that the runs and payments agree with it.
    Verify,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The month being paid, e.g. 2018-06.
    #[arg(long)]
    pub period: String,
    /// Output directory; must not exist or be empty.
    #[arg(long)]
    pub out: PathBuf,
    /// Policy CSV (effective_from,category,region_prefix,minimum) replacing the built-in hunan-2018.
    #[arg(long)]
    pub policy: Option<String>,
    /// Hold any payment above this amount for review.
    #[arg(long, default_value = DEFAULT_CEILING)]
    pub ceiling: String,
    /// Worker threads (default: all cores). Output is identical whatever the count.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Validate and report only: no bank file.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 3 if any row is rejected or held (a real run then writes nothing).
    #[arg(long)]
    pub strict: bool,
    /// Roster text encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
    /// The ledger file (default: disburse-ledger.sqlite here).
    #[arg(long, env = LEDGER_ENV)]
    pub ledger: Option<PathBuf>,
    /// Also pay back pay owed for months already in the ledger.
    #[arg(long)]
    pub arrears: bool,
    /// The roster sheet of .xlsx/.xls/.ods inputs (default: the first sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// A roster profile (TOML): header texts, category words, sheet, header row.
    #[arg(long)]
    pub roster_profile: Option<String>,
    /// Write the CSV files with a UTF-8 BOM, so Excel shows the Chinese.
    #[arg(long)]
    pub bom: bool,
    /// A bank upload template: generic-csv, pain001 or a profile TOML file (repeatable).
    #[arg(long = "bank-profile")]
    pub bank_profiles: Vec<String>,
    /// The date the bank should pay, YYYY-MM-DD (needed for pain001).
    #[arg(long)]
    pub execution_date: Option<String>,
    /// The paying account, for bank profiles without a [payer] section.
    #[arg(long)]
    pub payer_account: Option<String>,
    /// The paying account's holder.
    #[arg(long)]
    pub payer_name: Option<String>,
    /// The paying account's bank.
    #[arg(long)]
    pub payer_bank: Option<String>,
    /// The paying bank's BIC (pain001's debtor agent).
    #[arg(long)]
    pub payer_bic: Option<String>,
    /// The paying bank branch's 12-digit CNAPS code, 联行号 (pain001's debtor agent).
    #[arg(long)]
    pub payer_bank_code: Option<String>,
    /// The office's name, printed at the top of every page of report.xlsx.
    #[arg(long)]
    pub office: Option<String>,
    /// Mask IDs and accounts in report.xlsx's payroll list (a copy for posting).
    #[arg(long)]
    pub mask_ids: bool,
    /// Roster files (CSV, .xlsx, .xls, .ods); together they form one roster.
    #[arg(required = true)]
    pub rosters: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(alias = "gb18030")]
    Gbk,
}

/// A usage error, in English and in Chinese.
fn usage(message: impl Into<String>, fix: &str, zh: (impl Into<String>, &str)) -> Fatal {
    Fatal::new(FatalKind::Usage, message, fix).zh(zh.0, zh.1)
}

fn load_policy(path: Option<&str>) -> Result<Policy, Fatal> {
    let Some(path) = path else { return Ok(Policy::hunan_2018()) };
    let bytes = crate::roster::input_file::read_all(path, "policy file")?;
    Policy::from_csv(path, &bytes).map_err(|e| {
        let f = Fatal::new(
            FatalKind::Policy,
            format!("bad policy: {}", e.message),
            "correct the policy file (columns effective_from,category,region_prefix,minimum)",
        )
        .zh(
            format!("政策文件有误：{}", e.message_zh),
            "请更正政策文件后重新运行（表头应为effective_from,category,region_prefix,minimum，另可有一列note作备注）",
        )
        .in_file(path);
        match e.line {
            Some(l) => f.at_line(l),
            None => f,
        }
    })
}

fn load_roster_profile(path: Option<&str>) -> Result<std::sync::Arc<RosterProfile>, Fatal> {
    Ok(std::sync::Arc::new(match path {
        Some(p) => RosterProfile::load(p)?,
        None => RosterProfile::default(),
    }))
}

fn parse_ceiling(text: &str) -> Result<Decimal, Fatal> {
    parse_amount(&fold_width(trim(text))).map_err(|_| {
        usage(
            format!("--ceiling {text:?} is not an amount"),
            "write it as a plain number such as 5000 or 5000.00",
            (format!("--ceiling 的值“{text}”不是金额"), "请写成普通数字，如5000或5000.00"),
        )
    })
}

impl EncodingArg {
    fn choice(self) -> EncodingChoice {
        match self {
            EncodingArg::Auto => EncodingChoice::Auto,
            EncodingArg::Utf8 => EncodingChoice::Utf8,
            EncodingArg::Gbk => EncodingChoice::Gbk,
        }
    }
}

fn parse_period(text: &str) -> Result<Month, Fatal> {
    Month::parse(&fold_width(trim(text))).ok_or_else(|| {
        usage(
            format!("--period {text:?} is not a month"),
            "write it as YYYY-MM, e.g. --period 2018-06",
            (format!("--period 的值“{text}”不是年月"), "请写成“年-月”，例如 --period 2018-06"),
        )
    })
}

/// The most worker threads a run may ask for (more only costs time).
pub const MAX_THREADS: usize = 256;

impl RunArgs {
    /// Checks every flag once.
    pub fn into_config(self) -> Result<(RunConfig, Option<usize>), Fatal> {
        let period = parse_period(&self.period)?;
        let ceiling = parse_ceiling(&self.ceiling)?;
        if self.threads == Some(0) {
            return Err(usage(
                "--threads must be at least 1",
                "leave it out to use every core",
                ("--threads 至少为1", "不写 --threads 即使用全部处理器核心"),
            ));
        }
        if self.threads.is_some_and(|n| n > MAX_THREADS) {
            return Err(usage(
                format!("--threads must be at most {MAX_THREADS}"),
                "give a number up to the machine's cores, or leave it out to use every core",
                (
                    format!("--threads 至多为{MAX_THREADS}"),
                    "请给出不超过本机核心数的数目，或不写 --threads 以使用全部核心",
                ),
            ));
        }
        let policy = load_policy(self.policy.as_deref())?;
        let bank_profiles: Vec<BankProfile> =
            self.bank_profiles.iter().map(|p| BankProfile::load(p)).collect::<Result<_, _>>()?;
        let execution_date = match &self.execution_date {
            Some(d) => Some(crate::core::date::parse_iso_date(trim(d)).ok_or_else(|| {
                usage(
                    format!("--execution-date {d:?} is not a date"),
                    "write it as YYYY-MM-DD, e.g. --execution-date 2018-06-10",
                    (
                        format!("--execution-date 的值“{d}”不是日期"),
                        "请写成“年-月-日”，例如 --execution-date 2018-06-10",
                    ),
                )
            })?),
            None => None,
        };
        let pain = bank_profiles.iter().any(|p| p.format == crate::output::bank::Format::Pain001);
        if pain && execution_date.is_none() && !self.dry_run {
            return Err(crate::output::bank::needs_execution_date());
        }
        let payer = match (&self.payer_account, &self.payer_name) {
            (Some(account), Some(name)) => Some(Payer {
                account: account.clone(),
                name: name.clone(),
                bank: self.payer_bank.clone(),
                bic: self.payer_bic.as_deref().map(|b| trim(b).to_ascii_uppercase()),
                bank_code: self.payer_bank_code.as_deref().map(|c| c.chars().filter(|c| !c.is_whitespace()).collect()),
            }),
            (None, None) if self.payer_bic.is_none() && self.payer_bank_code.is_none() => None,
            (None, None) => {
                return Err(usage(
                    "--payer-bic and --payer-bank-code describe the paying account",
                    "give --payer-account and --payer-name with them",
                    ("--payer-bic 和 --payer-bank-code 是付款账户的信息", "请同时给出 --payer-account 和 --payer-name"),
                ))
            }
            _ => {
                return Err(usage(
                    "--payer-account and --payer-name go together",
                    "give both, or neither",
                    ("--payer-account 和 --payer-name 须一起给出", "请两个都给，或都不给"),
                ))
            }
        };
        if let Some(p) = &payer {
            crate::output::bank::check_payer_codes(p).map_err(|(k, en, zh)| {
                let flag = format!("--payer-{}", k.replace('_', "-"));
                usage(format!("{flag}: {en}"), "correct it", (format!("{flag}：{zh}"), "请更正"))
            })?;
        }
        if pain
            && !self.dry_run
            && payer.is_none()
            && bank_profiles.iter().any(|p| p.format == crate::output::bank::Format::Pain001 && p.payer.is_none())
        {
            return Err(crate::output::bank::needs_payer());
        }
        let encoding = self.encoding.choice();
        let config = RunConfig {
            period,
            out: self.out,
            policy,
            ceiling,
            dry_run: self.dry_run,
            strict: self.strict,
            encoding,
            rosters: self.rosters.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
            ledger: if self.dry_run { ledger_path(self.ledger) } else { writable_ledger(self.ledger)? },
            arrears: self.arrears,
            lang: Lang::En,
            sheet: self.sheet,
            roster_profile: load_roster_profile(self.roster_profile.as_deref())?,
            quiet: false,
            bom: self.bom,
            bank_profiles,
            execution_date,
            payer,
            report: ReportOptions { office: self.office, mask_ids: self.mask_ids },
        };
        Ok((config, self.threads))
    }
}

/// Parses the command line, runs the command, returns the exit code.
pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language is known before clap parses, so `--help` and argument errors
    // speak it too.
    let lang = lang_of_args(&args);
    let gbk = crate::terminal::locale_wants_gbk();
    // Messages in the locale's encoding (GB18030 under a GBK locale), never raw UTF-8.
    let mut stderr = crate::terminal::LocaleWriter::new(std::io::stderr(), gbk);
    let command = match lang {
        Lang::Zh => help_zh::command_zh(Cli::command()),
        Lang::En => Cli::command(),
    };
    let cli = match command.try_get_matches_from(&args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => return clap_failed(&e, lang, &mut stderr),
    };
    match dispatch(cli, &mut stderr) {
        Ok(finish) => finish.code(),
        Err(fatal) => {
            let _ = writeln!(stderr, "{}{}", error_prefix(lang), fatal.render(lang));
            fatal.kind.exit_code()
        }
    }
}

/// What starts every fatal line on stderr.
pub fn error_prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "disburse: error: ",
        Lang::Zh => "disburse：错误：",
    }
}

/// `--lang zh|en` (or `--lang=…`) among the raw arguments, else the locale.
pub fn lang_of_args(args: &[std::ffi::OsString]) -> Lang {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let value = match a.as_ref() {
            "--" => break,
            "--lang" => it.next().map(|v| v.into_owned()),
            other => other.strip_prefix("--lang=").map(str::to_owned),
        };
        match value.as_deref() {
            Some("zh") => return Lang::Zh,
            Some("en") => return Lang::En,
            _ => {}
        }
    }
    Lang::from_env()
}

/// Help, version and argument errors. English: clap's own output. Chinese: the help
/// with clap's words in Chinese, an error as one line with its fix; exit codes as
/// clap's (0 for help and version, 2 for an error).
fn clap_failed(e: &clap::Error, lang: Lang, stderr: &mut dyn Write) -> i32 {
    use clap::error::ErrorKind;
    if lang == Lang::En {
        let _ = e.print();
        return e.exit_code();
    }
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let mut out = terminal_stdout(false);
            let _ = write!(out, "{}", help_zh::clap_words_zh(&e.render().to_string()));
            let _ = out.flush();
            0
        }
        _ => {
            let _ = writeln!(stderr, "{}{}", error_prefix(lang), usage_zh::clap_fatal(e).render(lang));
            crate::error::FATAL_EXIT
        }
    }
}

/// Standard output for people (tables, `explain`) in the locale's encoding; `--json`
/// output stays UTF-8, as JSON must be.
fn terminal_stdout(json: bool) -> crate::terminal::LocaleWriter<std::io::Stdout> {
    crate::terminal::LocaleWriter::new(std::io::stdout(), !json && crate::terminal::locale_wants_gbk())
}

fn cli_lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env(),
    }
}

fn dispatch(cli: Cli, stderr: &mut (dyn Write + Send)) -> Result<Finish, Fatal> {
    let lang = cli_lang(cli.lang);
    match cli.command {
        Command::Run(args) => {
            let (mut config, threads) = args.into_config()?;
            config.lang = lang;
            config.quiet = cli.quiet;
            let mut pool = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("disburse-work{i}"));
            if let Some(n) = threads {
                pool = pool.num_threads(n);
            }
            let pool = pool.build().map_err(|e| {
                Fatal::new(FatalKind::Usage, format!("cannot start worker threads: {e}"), "try a smaller --threads")
                    .zh("无法启动工作线程", "请把 --threads 改小一些")
            })?;
            pool.install(|| crate::commands::run::run(&config, stderr))
        }
        Command::Verify { dir, ledger } => {
            crate::commands::verify::verify_command(&dir, ledger.as_deref(), lang, stderr)
        }
        Command::Reconcile { run, returns, out, ledger, returns_profile, strict } => {
            let returns_profile = match returns_profile {
                Some(p) => {
                    let profile = BankProfile::load(&p)?;
                    if profile.returns.is_none() {
                        return Err(usage(
                            format!("the bank profile {p} has no [returns] section"),
                            "describe the bank's result file in the profile, or leave --returns-profile out",
                            (
                                format!("银行模板{p}中没有描述回盘文件的部分（[returns]）"),
                                "请在模板中写明银行回盘文件的格式，或不用 --returns-profile",
                            ),
                        ));
                    }
                    Some(profile)
                }
                None => None,
            };
            let cfg = crate::commands::reconcile::ReconcileConfig {
                run_dir: run,
                returns,
                out,
                ledger: ledger_path(ledger),
                returns_profile,
                lang,
                strict,
            };
            crate::commands::reconcile::reconcile(&cfg, stderr)
        }
        Command::Audit { period, paid, out, policy, ceiling, encoding, strict, sheet, roster_profile, rosters } => {
            let cfg = crate::commands::audit::AuditConfig {
                period: parse_period(&period)?,
                paid,
                out,
                policy: load_policy(policy.as_deref())?,
                ceiling: parse_ceiling(&ceiling)?,
                encoding: encoding.choice(),
                rosters: rosters.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
                strict,
                lang,
                sheet,
                roster_profile: load_roster_profile(roster_profile.as_deref())?,
            };
            crate::commands::audit::audit(&cfg, stderr)
        }
        Command::Explain {
            period,
            child_id,
            policy,
            ceiling,
            ledger,
            encoding,
            sheet,
            roster_profile,
            json,
            show_pii,
            rosters,
        } => {
            let cfg = crate::commands::explain::ExplainConfig {
                period: parse_period(&period)?,
                child: child_id,
                policy: load_policy(policy.as_deref())?,
                ceiling: parse_ceiling(&ceiling)?,
                encoding: encoding.choice(),
                rosters: rosters.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
                sheet,
                roster_profile: load_roster_profile(roster_profile.as_deref())?,
                // --ledger, else DISBURSE_LEDGER (either must exist), else the default
                // file if it exists.
                ledger: match ledger {
                    Some(p) if !p.exists() => return Err(crate::commands::ledger::missing(&p)),
                    Some(p) => Some(p),
                    None => Some(PathBuf::from(DEFAULT_LEDGER)).filter(|p| p.exists()),
                },
                json,
                show_pii,
                lang,
            };
            crate::commands::explain::explain(&cfg, &mut terminal_stdout(cfg.json), stderr)
        }
        Command::Ledger { ledger, command } => {
            let path = match command {
                LedgerCommand::Import { .. } => writable_ledger(ledger)?,
                _ => ledger_path(ledger),
            };
            use crate::commands::ledger as l;
            match command {
                LedgerCommand::Import { period, file } => l::import(&path, parse_period(&period)?, &file, lang, stderr),
                LedgerCommand::Runs { json } => l::runs(&path, json, lang, &mut terminal_stdout(json), stderr),
                LedgerCommand::History { child_id, json } => {
                    l::history(&path, &child_id, json, lang, &mut terminal_stdout(json), stderr)
                }
                LedgerCommand::Void { run, reason } => l::void(&path, run, &reason, lang, stderr),
                LedgerCommand::Verify => l::verify(&path, lang, &mut terminal_stdout(false), stderr),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn ledger_of(args: &[&str]) -> PathBuf {
        let cli = Cli::try_parse_from(args).unwrap();
        match cli.command {
            Command::Run(run) => ledger_path(run.ledger),
            Command::Ledger { ledger, .. } => ledger_path(ledger),
            Command::Reconcile { ledger, .. } | Command::Explain { ledger, .. } => ledger_path(ledger),
            _ => unreachable!(),
        }
    }

    /// One test changes the variable (tests run in parallel in one process).
    #[test]
    fn the_ledger_is_the_flag_else_the_variable_else_the_default() {
        let run = ["disburse", "run", "--period", "2018-06", "--out", "o", "r.csv"];
        let with_flag = |args: &[&'static str], flag: &'static str| {
            let mut v = args.to_vec();
            v.insert(2, flag);
            v.insert(2, "--ledger");
            v
        };
        let runs = ["disburse", "ledger", "runs"];
        let explain = ["disburse", "explain", "--period", "2018-06", "430102201003120016", "r.csv"];
        let reconcile = ["disburse", "reconcile", "--run", "d", "--returns", "r.csv", "--out", "o"];
        std::env::remove_var(LEDGER_ENV);
        for args in [&run[..], &runs, &explain, &reconcile] {
            assert_eq!(ledger_of(args), Path::new(DEFAULT_LEDGER), "{args:?}");
            assert_eq!(ledger_of(&with_flag(args, "flag.sqlite")), Path::new("flag.sqlite"), "{args:?}");
        }
        std::env::set_var(LEDGER_ENV, "env.sqlite");
        for args in [&run[..], &runs, &explain, &reconcile] {
            assert_eq!(ledger_of(args), Path::new("env.sqlite"), "{args:?}");
            assert_eq!(ledger_of(&with_flag(args, "flag.sqlite")), Path::new("flag.sqlite"), "{args:?}");
        }
        // `ledger`'s flag is global: also after the subcommand.
        assert_eq!(ledger_of(&["disburse", "ledger", "runs", "--ledger", "late.sqlite"]), Path::new("late.sqlite"));
        std::env::remove_var(LEDGER_ENV);
        let help = Cli::try_parse_from(["disburse", "run", "--help"]).unwrap_err().to_string();
        assert!(help.contains("[env: DISBURSE_LEDGER"), "{help}");
        assert!(help.contains("default: disburse-ledger.sqlite here"), "{help}");
    }
}
