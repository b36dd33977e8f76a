//! The catalogs a clerk reads: every reason code and every `detail` sentence, taken
//! from the enums themselves (never a list typed here), complete in both languages and
//! documented in `docs/`.

mod common;

use std::collections::BTreeSet;

use disburse::core::column::Column;
use disburse::core::detail::{Detail, Found, Lang, PayeeField, RowRef};
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
        Detail::Category(_) => 7,
        Detail::Region(_) => 8,
        Detail::Month(..) => 9,
        Detail::Status(_) => 10,
        Detail::Amount(AmountProblem::NotPlain, _) => 11,
        Detail::Amount(AmountProblem::TooPrecise, _) => 12,
        Detail::Amount(AmountProblem::TooLarge, _) => 13,
        Detail::Account { .. } => 14,
        Detail::FormulaText(..) => 15,
        Detail::ControlText(..) => 16,
        Detail::EndedBeforeApproved { .. } => 17,
        Detail::ApprovedBeforeBirth { .. } => 18,
        Detail::Malformed { .. } => 19,
        Detail::BadBytes { .. } => 20,
        Detail::DuplicateId { .. } => 21,
        Detail::PayeeConflict { .. } => 22,
        Detail::AboveCeiling { .. } => 23,
        Detail::Suspended => 24,
        Detail::NotStarted { .. } => 25,
        Detail::Ended { .. } => 26,
        Detail::AgedOut { .. } => 27,
        Detail::BankCode(_) => 28,
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
        Detail::Category(Found::new("孤残")),
        Detail::Region(Found::new("43010")),
        Detail::Month(Column::ApprovedFrom, Found::new("2018-13")),
        Detail::Status(Found::new("在册")),
        Detail::Amount(AmountProblem::NotPlain, Found::new("1,200")),
        Detail::Amount(AmountProblem::TooPrecise, Found::new("800.505")),
        Detail::Amount(AmountProblem::TooLarge, Found::new("99999999999999")),
        Detail::Account { digits: 7, stray: Some('a') },
        Detail::FormulaText(Column::PayeeName, '='),
        Detail::ControlText(Column::Name, 7),
        Detail::EndedBeforeApproved { end: m, approved: m },
        Detail::ApprovedBeforeBirth { approved: m, birth: m },
        Detail::Malformed { fields: 3, header: 11 },
        Detail::BadBytes { column: Some(Column::Name), field: 2, byte: 0xff, position: 1 },
        Detail::DuplicateId { other: other_row() },
        Detail::PayeeConflict { other: other_row(), field: PayeeField::Bank },
        Detail::AboveCeiling { amount: Decimal::new(600000, 2), ceiling: Decimal::new(500000, 2) },
        Detail::Suspended,
        Detail::NotStarted { from: m },
        Detail::Ended { end: m },
        Detail::AgedOut { last: m },
        Detail::BankCode(Found::new("10255100001")),
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

fn other_row() -> RowRef {
    RowRef { path: "fixtures/changsha.csv".into(), line: 5 }
}

/// More examples: every variant's other shapes (each column, each payee field, each
/// control character name), so the language checks see every sentence form.
fn variants() -> Vec<Detail> {
    let mut all = examples();
    for c in Column::ALL {
        all.push(Detail::MissingField(c));
        all.push(Detail::FormulaText(c, '\t'));
        all.push(Detail::ControlText(c, 10));
        all.push(Detail::BadBytes { column: Some(c), field: 3, byte: 0x80, position: 4 });
    }
    for m in [Column::ApprovedFrom, Column::EndedAfter] {
        all.push(Detail::Month(m, Found::new("someday")));
    }
    for f in [PayeeField::Name, PayeeField::Bank, PayeeField::BankCode] {
        all.push(Detail::PayeeConflict { other: other_row(), field: f });
    }
    for code in [0, 9, 13, 0x7f] {
        all.push(Detail::ControlText(Column::PayeeBank, code));
    }
    all.push(Detail::Account { digits: 40, stray: None });
    all.push(Detail::BadBytes { column: None, field: 14, byte: 0x80, position: 1 });
    all
}

/// Text outside quoted values: “…” in Chinese, "…" in English.
fn unquoted(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut ascii_open = false;
    for c in s.chars() {
        match c {
            '“' => depth += 1,
            '”' => depth -= 1,
            '"' => ascii_open = !ascii_open,
            c if depth == 0 && !ascii_open => out.push(c),
            _ => {}
        }
    }
    out
}

/// The English words left in a Chinese sentence: runs of ASCII letters that are not
/// a code (INVALID_ID), a flag (--ceiling), a file name (changsha.csv), the ID's
/// check letter X or a product name.
fn english_words(zh: &str) -> Vec<String> {
    const PRODUCTS: [&str; 6] = ["CSV", "Excel", "UTF", "GBK", "SQLite", "X"];
    let text = unquoted(zh);
    let mut words = Vec::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c))) {
        if !token.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let code =
            token.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') && token.contains('_');
        let flag = token.starts_with("--");
        let file = token.contains('.') && token.rsplit('.').next().is_some_and(|e| !e.is_empty());
        let product = token.split('-').all(|p| PRODUCTS.contains(&p) || p.chars().all(|c| c.is_ascii_digit()));
        if !(code || flag || file || product) {
            words.push(token.to_owned());
        }
    }
    words
}

#[test]
fn chinese_sentences_keep_no_english_word_and_english_ones_no_chinese() {
    for d in variants() {
        let zh = d.render(Lang::Zh);
        let left = english_words(&zh);
        assert!(left.is_empty(), "{d:?}: {zh} keeps {left:?}");
        let bare = unquoted(&zh);
        assert!(
            !bare.contains(':') && !bare.contains(';') && !bare.contains('(') && !bare.contains(','),
            "{d:?}: half-width punctuation in {zh}"
        );
        let en = d.render(Lang::En);
        let cjk: Vec<char> = unquoted(&en)
            .chars()
            .filter(|c| ('\u{3000}'..='\u{9fff}').contains(c) || ('\u{ff00}'..='\u{ffef}').contains(c))
            .collect();
        assert!(cjk.is_empty(), "{d:?}: {en} holds {cjk:?} outside quotes");
    }
}

/// Every value found is quoted, every accepted word of the vocabulary is named, and
/// the roster-wide sentences name the other row and the field.
#[test]
fn sentences_quote_the_value_found_and_name_the_other_row() {
    use disburse::core::vocabulary::{CATEGORY_WORDS, STATUS_WORDS};
    let quoted = [
        (Detail::Category(Found::new("孤残")), "孤残"),
        (Detail::Region(Found::new("43010")), "43010"),
        (Detail::Month(Column::EndedAfter, Found::new("2018-13")), "2018-13"),
        (Detail::Status(Found::new("在册")), "在册"),
        (Detail::Amount(AmountProblem::NotPlain, Found::new("1,200")), "1,200"),
        (Detail::Amount(AmountProblem::TooPrecise, Found::new("800.505")), "800.505"),
        (Detail::BankCode(Found::new("ICBC")), "ICBC"),
    ];
    for (d, v) in quoted {
        assert!(d.render(Lang::Zh).contains(&format!("“{v}”")), "{}", d.render(Lang::Zh));
        assert!(d.render(Lang::En).contains(&format!("\"{v}\"")), "{}", d.render(Lang::En));
    }
    let category = Detail::Category(Found::new("x")).render(Lang::Zh);
    let category_en = Detail::Category(Found::new("x")).render(Lang::En);
    for (word, _) in CATEGORY_WORDS {
        if !word.is_ascii() {
            assert!(category.contains(word), "{word} missing from {category}");
        }
        assert!(category_en.contains(word), "{word} missing from {category_en}");
    }
    let status = Detail::Status(Found::new("x")).render(Lang::Zh);
    let status_en = Detail::Status(Found::new("x")).render(Lang::En);
    for (word, _) in STATUS_WORDS {
        if !word.is_ascii() {
            assert!(status.contains(word), "{word} missing from {status}");
        }
        assert!(status_en.contains(word), "{word} missing from {status_en}");
    }
    let dup = Detail::DuplicateId { other: other_row() };
    assert!(dup.render(Lang::Zh).contains("fixtures/changsha.csv第5行"), "{}", dup.render(Lang::Zh));
    assert!(dup.render(Lang::En).contains("fixtures/changsha.csv:5"), "{}", dup.render(Lang::En));
    for (f, zh, en) in [
        (PayeeField::Name, "收款人", "payee_name"),
        (PayeeField::Bank, "开户银行", "payee_bank"),
        (PayeeField::BankCode, "开户行联行号", "payee_bank_code"),
    ] {
        let d = Detail::PayeeConflict { other: other_row(), field: f };
        assert!(d.render(Lang::Zh).contains(&format!("但{zh}不同")), "{}", d.render(Lang::Zh));
        assert!(d.render(Lang::En).contains(&format!("a different {en}")), "{}", d.render(Lang::En));
    }
    // Months and amounts as a clerk writes them.
    let ceiling = Detail::AboveCeiling { amount: Decimal::new(600000, 2), ceiling: Decimal::new(500000, 2) };
    assert!(ceiling.render(Lang::Zh).contains("金额6000.00元超过上限5000.00元"), "{}", ceiling.render(Lang::Zh));
    let aged = Detail::AgedOut { last: Month::parse("2018-07").unwrap() };
    assert!(aged.render(Lang::Zh).contains("2018年7月"), "{}", aged.render(Lang::Zh));
    // A whole ID typed into another column is masked, never quoted whole.
    let d = Detail::Status(Found::new("430102200001011234"));
    assert!(!d.render(Lang::Zh).contains("430102200001011234"));
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
