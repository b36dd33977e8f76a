//! `--roster-profile` (SPEC section 15): what aliases cannot guess, said once per
//! office — odd header texts, category words with a year, the sheet, the header row.

mod common;

use common::*;

const ROSTER: &str = "fixtures/profiles/odd-county.csv";
const PROFILE: &str = "fixtures/profiles/odd-county.toml";

#[test]
fn a_profile_maps_odd_headers_and_category_words() {
    let s = Scratch::new("profile");
    // Without the profile the guardian's column is not guessed to be the payee's.
    let o = dry(&s.path("bare"), &[], &[ROSTER]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("监护人姓名"), "{}", stderr(&o));

    let out = s.path("out");
    let o = dry(&out, &["--roster-profile", PROFILE], &[ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let paid = csv_rows(&out.join("entitlements.csv"));
    let line = |id: &str| paid.iter().find(|r| r["child_id"] == id).unwrap_or_else(|| panic!("{id} not paid"));
    // 社会散住2018 → scattered (800), 在院供养2018 → institutional (recorded 1200 floor).
    assert_eq!(line("430102201003120016")["category"], "scattered");
    assert_eq!(line("430102201003120016")["source"], format!("{ROSTER}:4"));
    assert_eq!(line("430103200907010022")["category"], "institutional");
    assert_eq!(line("430103200907010022")["amount"], "1200.00");
    // Built-in words still work beside the profile's.
    assert_eq!(line("430103200006200080")["category"], "scattered");
    assert_eq!(paid.len(), 4);
    // The 合计 row is not a child: it is rejected, never paid.
    let exc = csv_rows(&out.join("exceptions.csv"));
    assert_eq!(exc.len(), 1);
    assert_eq!(exc[0]["source"], format!("{ROSTER}:8"));

    let m = manifest(&out);
    assert_eq!(m["roster_profile"]["path"], PROFILE);
    let sha = disburse::sha256_hex(&std::fs::read(root().join(PROFILE)).unwrap());
    assert_eq!(m["roster_profile"]["sha256"], sha.as_str());
    assert_eq!(m["inputs"][0]["preamble_rows"], 2);
    // The folder still verifies.
    let o = disburse(["verify".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_profile_can_name_the_header_row_and_the_sheet() {
    let s = Scratch::new("profile-row");
    let profile = std::fs::read_to_string(root().join(PROFILE)).unwrap();
    let p = s.write("p.toml", format!("header_row = 3\n{profile}"));
    let o = dry(&s.path("a"), &["--roster-profile", &p], &[ROSTER]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The wrong row is refused naming what is missing there.
    let p = s.write("q.toml", format!("header_row = 2\n{profile}"));
    let o = dry(&s.path("b"), &["--roster-profile", &p], &[ROSTER]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(":2: the header has no column"), "{}", stderr(&o));
    // sheet = names the workbook's roster sheet.
    let p = s.write("w.toml", "sheet = \"花名册\"\n");
    let o = dry(&s.path("c"), &["--roster-profile", &p], &["fixtures/xlsx/excel-habits.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn unknown_keys_are_refused_naming_the_key() {
    let s = Scratch::new("profile-bad");
    for (text, key) in [
        ("[columns]\nchild_name = \"孩子名字\"\n", "child_name"),
        ("[column]\nname = \"孩子名字\"\n", "column"),
        ("header = 3\n", "header"),
    ] {
        let p = s.write("bad.toml", text);
        let o = dry(&s.path("out"), &["--roster-profile", &p], &[ROSTER]);
        assert_eq!(code(&o), 2, "{text}");
        assert!(stderr(&o).contains(key) && stderr(&o).contains("bad.toml"), "{text}: {}", stderr(&o));
        assert!(!s.path("out").exists());
    }
}
