//! `disburse ledger …`: import an older system's month, list runs, one child's
//! history, void a run, verify the journal. What a person reads follows `--lang`,
//! with the glossary's words, amounts in 元 and times in Beijing time under Chinese;
//! `--json` stays the machine's (codes and UTC).

mod import;

use std::io::Write;
use std::path::Path;

use rust_decimal::Decimal;

use crate::core::detail::Lang;
use crate::core::glossary::{self, Group};
use crate::core::id::ChildId;
use crate::core::money::fmt_amount;
use crate::core::month::Month;
use crate::core::text::{fold_width, mask, trim};
use crate::error::{Fatal, FatalKind, Finish};
use crate::ledger::{Ledger, RunInfo, RunMode, RunRecord};
use crate::text_table::{Align, TextTable};

use super::run_dirs::OutputDirs;
pub use import::read_import;

/// A label from the glossary.
fn label(code: &str, lang: Lang) -> &str {
    glossary::say(Group::Label, code, lang)
}

/// An amount the ledger lists as text (`800.00`), for a person: `800.00元` in Chinese.
fn money(text: &str, lang: Lang) -> String {
    match text.parse::<Decimal>() {
        Ok(d) => glossary::yuan(d, lang),
        Err(_) => text.to_owned(),
    }
}

/// A month the ledger lists as text (`2018-07`), for a person: `2018年7月` in Chinese.
fn month_text(text: &str, lang: Lang) -> String {
    Month::parse(text).map(|m| glossary::month(m, lang)).unwrap_or_else(|| text.to_owned())
}

/// How a run came into the ledger, in words.
fn mode_word(mode: RunMode, lang: Lang) -> &'static str {
    let code = match mode {
        RunMode::Run => "mode_run",
        RunMode::Import => "mode_import",
    };
    glossary::lookup(Group::Label, code).map_or(mode.as_str(), |t| t.say(lang))
}

/// `ledger import`.
pub fn import(ledger_path: &Path, period: Month, file: &str, lang: Lang, out: &mut dyn Write) -> Result<Finish, Fatal> {
    let (lines, sha256) = read_import(file, period)?;
    let new_ledger = !ledger_path.exists();
    let mut ledger = Ledger::open_for_write(ledger_path, &OutputDirs, lang, out)?;
    if ledger.live_run(period)?.is_some() {
        return Err(ledger.already_paid(period));
    }
    let id = ledger.begin_run(period, RunMode::Import, None, None)?;
    let amount: Decimal = lines.iter().map(|l| l.amount).sum();
    let record = RunRecord {
        manifest_sha256: sha256,
        rows: lines.len() as u64,
        paid: lines.len() as u64,
        amount,
        ..RunRecord::default()
    };
    if let Err(e) = ledger.commit_run(id, period, &lines, RunMode::Import, || Some(record)) {
        let _ = ledger.abandon_run(id);
        return Err(e);
    }
    let shown = ledger_path.display();
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "imported {} payments for {period} ({} yuan) from {file} as run {id} (mode import) into {shown}",
            lines.len(),
            fmt_amount(amount),
        ),
        Lang::Zh => writeln!(
            out,
            "已从 {file} 导入{}的历史发放记录{}条，共{}，记为批次{id}（历史导入），台账 {shown}",
            glossary::month(period, lang),
            lines.len(),
            glossary::yuan(amount, lang),
        ),
    };
    if new_ledger {
        let _ = match lang {
            Lang::En => writeln!(out, "  {shown} is a new ledger: it was created by this import"),
            Lang::Zh => writeln!(out, "  台账 {shown} 为本次导入新建"),
        };
    }
    print_head(&ledger, lang, out)?;
    Ok(Finish::Done)
}

/// The journal's head, for the paper register.
fn print_head(ledger: &Ledger, lang: Lang, out: &mut dyn Write) -> Result<(), Fatal> {
    if let Some(head) = ledger.journal_head()? {
        let _ = match lang {
            Lang::En => writeln!(out, "  {}: seq {} {}", label("journal_head", lang), head.seq, head.hash),
            Lang::Zh => writeln!(out, "  {}：第{}条，SHA-256 {}", label("journal_head", lang), head.seq, head.hash),
        };
    }
    Ok(())
}

/// The `ledger runs` table (without `--json`).
pub fn runs_table(runs: &[RunInfo], lang: Lang) -> String {
    let l = |c| label(c, lang);
    let mut t = TextTable::new(
        &[
            l("run"),
            l("period"),
            l("mode"),
            l("status"),
            l("rows"),
            l("paid_count"),
            l("amount"),
            l("arrears_amount"),
            l("created_beijing"),
            l("output_dir"),
        ],
        &[
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Left,
        ],
    );
    for r in runs {
        t.row([
            r.id.to_string(),
            month_text(&r.period, lang),
            mode_word(r.mode, lang).to_owned(),
            glossary::say(Group::RunStatus, r.status.as_str(), lang).to_owned(),
            r.rows.to_string(),
            r.paid.to_string(),
            money(&r.amount, lang),
            money(&r.arrears_amount, lang),
            crate::beijing_time::cell(&r.created_at),
            r.out_dir.clone().unwrap_or_else(|| "-".into()),
        ]);
        if let Some(reason) = &r.void_reason {
            let sep = lang.pick(": ", "：");
            t.note(6, format!("{}{sep}{reason}", l("void_reason")));
        }
    }
    t.render()
}

/// `ledger runs`: a table on stdout, or JSON.
pub fn runs(
    ledger_path: &Path,
    json: bool,
    lang: Lang,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<Finish, Fatal> {
    let runs = existing_for_listing(ledger_path, lang, notes)?.runs()?;
    if json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&runs).expect("runs serialize"));
        return Ok(Finish::Done);
    }
    let _ = write!(stdout, "{}", runs_table(&runs, lang));
    if runs.is_empty() {
        let _ = match lang {
            Lang::En => writeln!(notes, "no runs in {}", ledger_path.display()),
            Lang::Zh => writeln!(notes, "台账 {} 中没有批次", ledger_path.display()),
        };
    }
    Ok(Finish::Done)
}

/// `ledger history CHILD_ID`.
pub fn history(
    ledger_path: &Path,
    child: &str,
    json: bool,
    lang: Lang,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<Finish, Fatal> {
    let id = ChildId::parse(&fold_width(trim(child))).map_err(|_| {
        Fatal::new(FatalKind::Usage, "that is not a valid ID number", "give the child's 18-character ID number")
            .zh("这不是有效的身份证号码", "请给出儿童的18位身份证号码")
    })?;
    let lines = existing_for_listing(ledger_path, lang, notes)?.child_history(id.as_str())?;
    if json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&lines).expect("history serializes"));
        return Ok(Finish::Done);
    }
    let _ = match lang {
        Lang::En => writeln!(stdout, "payments of {} in {}", mask(id.as_str()), ledger_path.display()),
        Lang::Zh => writeln!(stdout, "{} 在台账 {} 中的发放记录", mask(id.as_str()), ledger_path.display()),
    };
    let l = |c| label(c, lang);
    let mut t = TextTable::new(
        &[
            l("month"),
            l("kind"),
            l("amount"),
            l("category"),
            l("region_code"),
            l("status"),
            l("transfer_id"),
            l("run"),
            l("run_status"),
        ],
        &[Align::Left, Align::Left, Align::Right, Align::Left, Align::Left, Align::Left, Align::Left, Align::Right],
    );
    for h in &lines {
        t.row([
            month_text(&h.month, lang),
            glossary::say(Group::Kind, &h.kind, lang).to_owned(),
            money(&h.amount, lang),
            // In English the category's code, as the ledger and the CSV files hold it.
            match lang {
                Lang::En => h.category.clone(),
                Lang::Zh => glossary::say(Group::Category, &h.category, lang).to_owned(),
            },
            h.region_code.clone(),
            glossary::say(Group::LineStatus, h.status.as_str(), lang).to_owned(),
            h.transfer_id.clone().unwrap_or_else(|| "-".into()),
            h.run.to_string(),
            glossary::say(Group::RunStatus, h.run_status.as_str(), lang).to_owned(),
        ]);
    }
    let _ = write!(stdout, "{}", t.render());
    if lines.is_empty() {
        let _ = match lang {
            Lang::En => writeln!(notes, "no payments recorded for {}", mask(id.as_str())),
            Lang::Zh => writeln!(notes, "{} 没有发放记录", mask(id.as_str())),
        };
    }
    Ok(Finish::Done)
}

/// `ledger void RUN --reason TEXT`.
pub fn void(ledger_path: &Path, run: i64, reason: &str, lang: Lang, out: &mut dyn Write) -> Result<Finish, Fatal> {
    if trim(reason).is_empty() {
        return Err(Fatal::new(
            FatalKind::Usage,
            "--reason is empty",
            "say why the run is void; it is kept in the ledger",
        )
        .zh("--reason 为空", "请写明作废原因，它会记入台账"));
    }
    if !ledger_path.exists() {
        return Err(Fatal::new(
            FatalKind::Usage,
            "there is no ledger here",
            "give --ledger PATH or set DISBURSE_LEDGER",
        )
        .zh("此处没有台账", "请用 --ledger 指定台账路径，或设置 DISBURSE_LEDGER")
        .in_file(ledger_path.display().to_string()));
    }
    let mut ledger = Ledger::open_for_write(ledger_path, &OutputDirs, lang, out)?;
    let info = ledger.void_run(run, trim(reason))?;
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "run {run} ({} {}, {} yuan) is void: its payments no longer count{}",
            info.mode,
            info.period,
            info.amount,
            info.out_dir.map(|d| format!("; its output {d} is kept as a record")).unwrap_or_default()
        ),
        Lang::Zh => writeln!(
            out,
            "批次{run}（{}，{}，{}）已作废，其发放记录不再计入{}",
            mode_word(info.mode, lang),
            month_text(&info.period, lang),
            money(&info.amount, lang),
            info.out_dir.map(|d| format!("；其输出目录 {d} 保留备查")).unwrap_or_default()
        ),
    };
    Ok(Finish::Done)
}

/// The refusal of a reading command whose ledger does not exist.
pub fn missing(ledger_path: &Path) -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        "there is no ledger at this path",
        "check the path given with --ledger or DISBURSE_LEDGER (a reading command never creates a ledger)",
    )
    .zh("此路径下没有台账", "请检查 --ledger 或 DISBURSE_LEDGER 指定的路径（只读命令不会新建台账）")
    .in_file(ledger_path.display().to_string())
}

/// A read-only command's ledger: it must exist (a mistyped path never creates one).
fn existing(ledger_path: &Path, lang: Lang, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
    Ledger::open_read_only(ledger_path, lang, notes)?.ok_or_else(|| missing(ledger_path))
}

/// A `ledger` command that lists: the ledger must exist; it is opened for writing
/// (under its lock) only to finish or undo a run a crash left half done.
fn existing_for_listing(ledger_path: &Path, lang: Lang, notes: &mut dyn Write) -> Result<Ledger, Fatal> {
    if !ledger_path.exists() {
        return Err(missing(ledger_path));
    }
    Ledger::open_for_write(ledger_path, &OutputDirs, lang, notes)
}

/// `ledger verify`: exit 0 intact, exit 1 naming what disagrees.
pub fn verify(ledger_path: &Path, lang: Lang, stdout: &mut dyn Write, notes: &mut dyn Write) -> Result<Finish, Fatal> {
    let ledger = existing(ledger_path, lang, notes)?;
    if ledger.schema_version()? < crate::ledger::SCHEMA_VERSION {
        return Err(Fatal::new(
            FatalKind::Usage,
            "this ledger was made by an older disburse and has no journal yet",
            "run `disburse ledger runs` once (it brings the ledger up to date and starts its journal), then verify",
        )
        .zh(
            "此台账由旧版 disburse 建立，还没有日志",
            "请先运行一次 disburse ledger runs（它会升级台账并开始记日志），再核验",
        )
        .in_file(ledger_path.display().to_string()));
    }
    let report = ledger.verify_journal()?;
    let shown = ledger_path.display();
    let broken = lang.pick("BROKEN", "核验不通过");
    let sep = lang.pick(": ", "：");
    for f in &report.findings {
        let _ = writeln!(stdout, "{shown}{sep}{broken}{sep}{}", f.say(lang));
    }
    if report.findings.is_empty() {
        let _ = match (lang, &report.head) {
            (Lang::En, head) => writeln!(
                notes,
                "{shown}: intact ({} journal entries; the runs and payments agree with it); journal head {}",
                report.entries,
                head.as_ref().map(|h| format!("seq {} {}", h.seq, h.hash)).unwrap_or_else(|| "empty".into())
            ),
            (Lang::Zh, head) => writeln!(
                notes,
                "{shown}：完好（日志共{}条，批次和发放记录与日志一致）；台账校验值：{}",
                report.entries,
                head.as_ref().map(|h| format!("第{}条，SHA-256 {}", h.seq, h.hash)).unwrap_or_else(|| "空".into())
            ),
        };
        Ok(Finish::Done)
    } else {
        let _ = writeln!(notes, "{shown}{sep}{broken}{sep}{}", report.findings[0].say(lang));
        Ok(Finish::Mismatch)
    }
}
