//! No fatal error may be English only (SPEC section 17): this test reads the crate's
//! own source and fails for any `Fatal::new(` whose statement has no `.zh(` before its
//! end, so a new error cannot slip in without its Chinese.

use std::path::{Path, PathBuf};

/// The source with the insides of comments, string and char literals blanked (one
/// space per character), so only code is searched and positions stay the same.
fn code_only(src: &str) -> Vec<char> {
    let c: Vec<char> = src.chars().collect();
    let mut out = c.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for ch in out.iter_mut().take(to.min(c.len())).skip(from) {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    };
    let ident = |i: usize| i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '/' if c.get(i + 1) == Some(&'/') => {
                let end = (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
                blank(&mut out, i, end);
                i = end;
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                let mut j = i;
                while j < c.len() {
                    if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            'r' if !ident(i) || (i > 0 && c[i - 1] == 'b' && !ident(i - 1)) => {
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                if c.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = i + 2 + hashes;
                let mut j = start;
                while j < c.len()
                    && !(c[j] == '"' && c[j + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes)
                {
                    j += 1;
                }
                blank(&mut out, start, j);
                i = j + 1 + hashes;
            }
            '"' => {
                let mut j = i + 1;
                while j < c.len() && c[j] != '"' {
                    j += if c[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j);
                i = j + 1;
            }
            '\'' if c.get(i + 1) == Some(&'\\') => {
                let end = (i + 3..c.len()).find(|&j| c[j] == '\'').unwrap_or(c.len());
                blank(&mut out, i + 1, end);
                i = end + 1;
            }
            '\'' if c.get(i + 2) == Some(&'\'') => {
                blank(&mut out, i + 1, i + 2);
                i += 3;
            }
            _ => i += 1,
        }
    }
    out
}

fn find(hay: &[char], needle: &str, from: usize) -> Option<usize> {
    let n: Vec<char> = needle.chars().collect();
    (from..hay.len().saturating_sub(n.len() - 1)).find(|&i| hay[i..i + n.len()] == n[..])
}

/// Blanks every item under `#[cfg(test)]`; returns the names of test-only module files.
fn drop_test_items(code: &mut [char]) -> Vec<String> {
    let mut files = Vec::new();
    let mut from = 0;
    while let Some(at) = find(code, "#[cfg(test)]", from) {
        from = at + 1;
        let (brace, semi) = (find(code, "{", at), find(code, ";", at));
        match (brace, semi) {
            (_, Some(s)) if brace.is_none_or(|b| s < b) => {
                let decl: String = code[at + 12..s].iter().collect();
                if let Some(name) = decl.trim().strip_prefix("mod ") {
                    files.push(name.trim().to_owned());
                }
            }
            (Some(b), _) => {
                let mut depth = 0;
                for i in b..code.len() {
                    match code[i] {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        code[at..=i].iter_mut().filter(|ch| **ch != '\n').for_each(|ch| *ch = ' ');
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    files
}

/// `file:line` of each `Fatal::new(` whose statement has no `.zh(`.
fn english_only(path: &Path, src: &str) -> Vec<String> {
    let mut code = code_only(src);
    drop_test_items(&mut code);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&code, "Fatal::new(", from) {
        from = at + 1;
        let mut depth = 0i32;
        let mut end = code.len();
        for (i, &ch) in code.iter().enumerate().skip(at) {
            match ch {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ';' | ',' if depth == 0 => {}
                _ => continue,
            }
            if depth < 0 || (depth == 0 && matches!(ch, ';' | ',')) {
                end = i;
                break;
            }
        }
        if find(&code[..end], ".zh(", at).is_none() {
            let line = code[..at].iter().filter(|&&c| c == '\n').count() + 1;
            found.push(format!("{}:{line}", path.display()));
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file a `mod name;` in `parent` names.
fn module_file(parent: &Path, name: &str) -> [PathBuf; 2] {
    let dir = match parent.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") => parent.parent().unwrap().to_path_buf(),
        _ => parent.with_extension(""),
    };
    [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
}

#[test]
fn every_fatal_has_its_chinese() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    let mut test_only: Vec<PathBuf> = Vec::new();
    for f in &files {
        let mut code = code_only(&std::fs::read_to_string(f).unwrap());
        for name in drop_test_items(&mut code) {
            test_only.extend(module_file(f, &name));
        }
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !test_only.contains(f))
        .flat_map(|f| english_only(f.strip_prefix(root).unwrap(), &std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(missing.is_empty(), "Fatal::new without .zh(message, fix):\n{}", missing.join("\n"));
}

#[test]
fn the_scanner_sees_statements_not_strings_or_tests() {
    let src = r#"
fn a() -> Fatal { Fatal::new(K, "x;", "y").in_file(p) }
fn b() -> Fatal { Fatal::new(K, format!("{}", f(1)), "y").zh("甲", "乙").in_file(p) }
fn c() { let s = "Fatal::new( inside a string"; let ch = '"'; g(Fatal::new(K, "a", "b"), 1); }
// Fatal::new( in a comment
#[cfg(test)]
mod tests { fn t() { Fatal::new(K, "m", "f"); } }
"#;
    let found = english_only(Path::new("x.rs"), src);
    assert_eq!(found, ["x.rs:2", "x.rs:4"]);
}
