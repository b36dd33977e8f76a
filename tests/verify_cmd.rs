//! `disburse verify`: an intact run passes; any one-byte change is caught.

mod common;

use common::*;

fn fresh_run(s: &Scratch, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = s.path(name);
    let o = run_month("2018-06", &out, extra, &ROSTERS);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    out
}

fn verify(dir: &std::path::Path) -> (i32, String) {
    let o = disburse(["verify".as_ref(), dir.as_os_str()]);
    (code(&o), stderr(&o))
}

#[test]
fn an_intact_run_verifies() {
    let s = Scratch::new("verify-ok");
    for (name, extra) in [("run", &[][..]), ("dry", &["--dry-run"][..])] {
        let out = fresh_run(&s, name, extra);
        let (c, err) = verify(&out);
        assert_eq!(c, 0, "{err}");
        assert!(err.contains("intact"));
    }
}

/// Changes one byte at `at` (a fraction of the file's length) to another value that
/// keeps the file's shape where possible (a digit for a digit, a letter for a letter).
fn flip(path: &std::path::Path, at: f64) -> usize {
    let mut bytes = std::fs::read(path).unwrap();
    let mut i = ((bytes.len() as f64) * at) as usize;
    while !bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    bytes[i] = match bytes[i] {
        b'9' => b'8',
        b'0'..=b'8' => bytes[i] + 1,
        b'z' | b'Z' => bytes[i] - 1,
        b => b + 1,
    };
    std::fs::write(path, bytes).unwrap();
    i
}

#[test]
fn a_one_byte_change_in_any_output_file_is_caught() {
    let s = Scratch::new("verify-flip");
    for file in ["entitlements.csv", "transfers.csv", "exceptions.csv", "audit.jsonl"] {
        for (k, at) in [0.0, 0.3, 0.55, 0.9].into_iter().enumerate() {
            let out = fresh_run(&s, &format!("{}-{k}", file.replace('.', "_")), &[]);
            let i = flip(&out.join(file), at);
            let (c, err) = verify(&out);
            assert_eq!(c, 1, "{file} byte {i} changed but verify said: {err}");
            assert!(err.contains(file), "{file}: the message should name the file: {err}");
        }
    }
}

#[test]
fn manifest_edits_are_caught() {
    let s = Scratch::new("verify-manifest");
    let edits: [(&str, &str, &str); 7] = [
        ("amount", "\"amount\": \"13800.50\"", "\"amount\": \"13800.51\""),
        ("paid", "\"paid\": 15", "\"paid\": 16"),
        ("transfers", "\"transfers\": 13", "\"transfers\": 12"),
        ("head", "\"audit_head\": \"", "\"audit_head\": \"0"),
        ("region", "\"430102\": {\n      \"children\": 5", "\"430102\": {\n      \"children\": 6"),
        ("whitespace", "{\n  \"tool\"", "{\n   \"tool\""),
        ("mode", "\"mode\": \"run\"", "\"mode\": \"dry-run\""),
    ];
    for (name, from, to) in edits {
        let out = fresh_run(&s, name, &[]);
        let path = out.join("manifest.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{name}: {from} not in the manifest");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let (c, err) = verify(&out);
        assert_eq!(c, 1, "{name}: {err}");
    }
}

#[test]
fn removed_or_reordered_audit_lines_are_caught() {
    let s = Scratch::new("verify-audit");
    let out = fresh_run(&s, "cut", &[]);
    let path = out.join("audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n", lines[..lines.len() - 1].join("\n"))).unwrap();
    let (c, err) = verify(&out);
    assert_eq!(c, 1);
    assert!(err.contains("audit.jsonl"), "{err}");

    let out = fresh_run(&s, "swap", &[]);
    let path = out.join("audit.jsonl");
    let mut lines: Vec<String> = std::fs::read_to_string(&path).unwrap().lines().map(String::from).collect();
    lines.swap(3, 4);
    std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
    assert_eq!(verify(&out).0, 1);
}

#[test]
fn a_missing_file_is_caught_and_a_missing_dir_is_fatal() {
    let s = Scratch::new("verify-missing");
    let out = fresh_run(&s, "run", &[]);
    std::fs::remove_file(out.join("transfers.csv")).unwrap();
    let (c, err) = verify(&out);
    assert_eq!(c, 1);
    assert!(err.contains("transfers.csv"), "{err}");
    let (c, _) = verify(&s.path("nowhere"));
    assert_eq!(c, 2);
}
