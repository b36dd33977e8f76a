//! The catalogs a clerk reads: every reason code and every `detail` sentence, taken
//! from the enums themselves (never a list typed here), complete in both languages and
//! documented in `docs/`.

mod common;

use std::collections::BTreeSet;

use disburse::core::column::Column;
use disburse::core::detail::{Detail, Lang};
use disburse::core::id::IdProblem;
use disburse::core::money::AmountProblem;
use disburse::core::month::Month;
use disburse::core::reason::Reason;
use rust_decimal::Decimal;

/// Which sentence a detail is. The match is exhaustive (no `_` arm), so a new variant
/// of `Detail`, `IdProblem` or `AmountProblem` does not compile until it is numbered
/// here; give it the next number and add an example to `examples()`.
fn sentence(d: &Detail) -> usize {
    match d {
        Detail::None => 0,
        Detail::MissingField(_) => 1,
        Detail::Id(IdProblem::ExcelNumber) => 2,
        Detail::Id(IdProblem::Length(_)) => 3,
        Detail::Id(IdProblem::Characters) => 4,
        Detail::Id(IdProblem::Check { .. }) => 5,
        Detail::Id(IdProblem::BirthDate) => 6,
        Detail::Category => 7,
        Detail::Region => 8,
        Detail::Month(_) => 9,
        Detail::Status => 10,
        Detail::Amount(AmountProblem::NotPlain) => 11,
        Detail::Amount(AmountProblem::TooPrecise) => 12,
        Detail::Amount(AmountProblem::TooLarge) => 13,
        Detail::Account => 14,
        Detail::FormulaText(_) => 15,
        Detail::ControlText(..) => 16,
        Detail::EndedBeforeApproved { .. } => 17,
        Detail::ApprovedBeforeBirth { .. } => 18,
        Detail::Malformed { .. } => 19,
        Detail::BadBytes { .. } => 20,
        Detail::DuplicateId => 21,
        Detail::PayeeConflict => 22,
        Detail::AboveCeiling { .. } => 23,
        Detail::Suspended => 24,
        Detail::NotStarted { .. } => 25,
        Detail::Ended { .. } => 26,
        Detail::AgedOut { .. } => 27,
        Detail::BankCode => 28,
        Detail::EndedStatus { .. } => 29,
    }
}

/// One example of every sentence, in the order `sentence` numbers them.
fn examples() -> Vec<Detail> {
    let m = Month::parse("2018-06").unwrap();
    vec![
        Detail::None,
        Detail::MissingField(Column::Name),
        Detail::Id(IdProblem::ExcelNumber),
        Detail::Id(IdProblem::Length(15)),
        Detail::Id(IdProblem::Characters),
        Detail::Id(IdProblem::Check { expected: 'X', found: '1' }),
        Detail::Id(IdProblem::BirthDate),
        Detail::Category,
        Detail::Region,
        Detail::Month(Column::ApprovedFrom),
        Detail::Status,
        Detail::Amount(AmountProblem::NotPlain),
        Detail::Amount(AmountProblem::TooPrecise),
        Detail::Amount(AmountProblem::TooLarge),
        Detail::Account,
        Detail::FormulaText(Column::PayeeName),
        Detail::ControlText(Column::Name, 7),
        Detail::EndedBeforeApproved { end: m, approved: m },
        Detail::ApprovedBeforeBirth { approved: m, birth: m },
        Detail::Malformed { fields: 3, header: 11 },
        Detail::BadBytes { field: 2, byte: 0xff, position: 1 },
        Detail::DuplicateId,
        Detail::PayeeConflict,
        Detail::AboveCeiling { amount: Decimal::new(600000, 2), ceiling: Decimal::new(500000, 2) },
        Detail::Suspended,
        Detail::NotStarted { from: m },
        Detail::Ended { end: m },
        Detail::AgedOut { last: m },
        Detail::BankCode,
        Detail::EndedStatus { word: "死亡" },
    ]
}

#[test]
fn every_detail_sentence_exists_in_both_languages() {
    let all = examples();
    for (i, d) in all.iter().enumerate() {
        assert_eq!(sentence(d), i, "examples() is out of step with sentence() at {d:?}");
    }
    let mut seen = BTreeSet::new();
    for d in &all[1..] {
        let (en, zh) = (d.render(Lang::En), d.render(Lang::Zh));
        assert!(!en.is_empty() && !zh.is_empty(), "{d:?}");
        assert_ne!(en, zh, "{d:?}");
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{d:?}: {zh}");
        assert!(seen.insert(en.clone()), "two details say the same: {en}");
    }
    // `None` is the empty detail of a paid row.
    assert_eq!(Detail::None.render(Lang::En), "");
    // Every column a sentence can name has its Chinese name.
    for c in Column::ALL {
        let zh = Detail::MissingField(c).render(Lang::Zh);
        assert!(!zh.contains(c.name()), "{c:?} has no Chinese name: {zh}");
    }
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(common::root().join("docs").join(name)).unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

#[test]
fn every_reason_code_is_documented_with_what_to_do() {
    let text = doc("reasons.md");
    for r in Reason::ALL {
        let heading = format!("### `{}`", r.code());
        let at = text.find(&heading).unwrap_or_else(|| panic!("docs/reasons.md has no section {heading}"));
        let section = &text[at + heading.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        assert!(section.contains("**Do:**"), "docs/reasons.md: {} says nothing about what to do", r.code());
    }
}

#[test]
fn every_column_of_every_output_file_is_documented() {
    let text = doc("formats.md");
    let golden = common::root().join("tests/golden");
    let mut files = Vec::new();
    for case in std::fs::read_dir(&golden).unwrap() {
        for f in std::fs::read_dir(case.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "csv") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let first = std::fs::read_to_string(&f).unwrap();
        for column in first.lines().next().unwrap().trim_start_matches('\u{feff}').split(',') {
            assert!(text.contains(&format!("`{column}`")), "docs/formats.md does not name {column} ({})", f.display());
        }
    }
}

/// The README and docs/ stand alone: every relative link names a file of the
/// repository (and an anchor of it, when given), and none leads outside it.
#[test]
fn documentation_links_stay_inside_the_repository() {
    let root = common::root();
    let mut pages = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        pages.push(e.unwrap().path());
    }
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let dir = page.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap()];
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let path = if file.is_empty() { page.clone() } else { dir.join(file) };
            let resolved = path.canonicalize().unwrap_or_else(|e| panic!("{}: link {target}: {e}", page.display()));
            assert!(
                resolved.starts_with(root.canonicalize().unwrap()),
                "{}: {target} leaves the repository",
                page.display()
            );
            if !anchor.is_empty() {
                let body = std::fs::read_to_string(&resolved).unwrap();
                let anchors: Vec<String> = body.lines().filter(|l| l.starts_with('#')).map(github_anchor).collect();
                assert!(anchors.iter().any(|a| a == anchor), "{}: no heading for #{anchor} in {file}", page.display());
            }
            checked += 1;
        }
        assert!(!text.contains("../shared"), "{} points outside the repository", page.display());
    }
    assert!(checked >= 10, "only {checked} links found");
}

/// The anchor GitHub gives a heading: lower case, spaces to `-`, punctuation dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}
