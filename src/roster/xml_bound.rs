//! A zipped workbook's XML is looked at before calamine reads it: calamine's XML
//! reader holds one whole event (a tag, a run of text, a comment) in memory, so a
//! sheet padded with gigabytes of white space in one run would take memory in
//! proportion to the padding. Every XML part is streamed once, in constant memory,
//! and a part with one event longer than [`MAX_EVENT`] is refused: no program that
//! writes workbooks makes one (a cell holds at most 32,767 characters).

use std::io::Read;

/// The longest tag, text run or comment accepted in a workbook's XML (bytes).
pub const MAX_EVENT: u64 = 4 << 20;

/// What the scan found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbounded {
    /// Part `part` holds an event longer than `MAX_EVENT`.
    Event { part: String },
    /// The zip cannot be read.
    Zip(String),
}

/// Scans every XML part of the zip at `path`.
pub fn check_zip_xml(path: &str) -> Result<(), Unbounded> {
    let file = std::fs::File::open(path).map_err(|e| Unbounded::Zip(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| Unbounded::Zip(e.to_string()))?;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| Unbounded::Zip(e.to_string()))?;
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml")) {
            continue;
        }
        match longest_event(&mut part, MAX_EVENT) {
            Ok(n) if n <= MAX_EVENT => {}
            Ok(_) => return Err(Unbounded::Event { part: name }),
            Err(e) => return Err(Unbounded::Zip(e.to_string())),
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`: what follows decides the kind of markup.
    Open,
    Tag {
        quote: u8,
    },
    /// `<!` or `<?`: `kind` is `-` for a comment (ended by `-->`), `[` for CDATA
    /// (`]]>`), `?` for a processing instruction (`?>`), `!` for a declaration (`>`
    /// outside brackets).
    Bang {
        kind: u8,
        depth: u32,
    },
}

/// The longest XML event in `input`, stopping early once one exceeds `limit`.
pub fn longest_event(input: &mut impl Read, limit: u64) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut state = State::Text;
    let (mut run, mut longest) = (0u64, 0u64);
    // The last two bytes, for the end markers.
    let (mut p1, mut p2) = (0u8, 0u8);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for &b in &buf[..n] {
            run += 1;
            let mut end = false;
            state = match state {
                State::Text if b == b'<' => {
                    longest = longest.max(run - 1);
                    run = 1;
                    State::Open
                }
                State::Text => State::Text,
                State::Open if b == b'!' || b == b'?' => State::Bang { kind: b, depth: 0 },
                State::Open | State::Tag { quote: 0 } if b == b'>' => {
                    end = true;
                    State::Text
                }
                State::Open | State::Tag { quote: 0 } if b == b'"' || b == b'\'' => State::Tag { quote: b },
                State::Open => State::Tag { quote: 0 },
                State::Tag { quote } if quote != 0 && b == quote => State::Tag { quote: 0 },
                State::Tag { quote } => State::Tag { quote },
                State::Bang { kind: b'!', depth: 0 } if p1 == b'!' && (b == b'-' || b == b'[') => {
                    State::Bang { kind: b, depth: 0 }
                }
                State::Bang { kind, depth } => {
                    let closes = match kind {
                        b'-' => p1 == b'-' && p2 == b'-',
                        b'[' => p1 == b']' && p2 == b']',
                        b'?' => p1 == b'?',
                        _ => depth == 0,
                    };
                    if b == b'>' && closes {
                        end = true;
                        State::Text
                    } else if kind == b'!' && b == b'[' {
                        State::Bang { kind, depth: depth + 1 }
                    } else if kind == b'!' && b == b']' {
                        State::Bang { kind, depth: depth.saturating_sub(1) }
                    } else {
                        State::Bang { kind, depth }
                    }
                }
            };
            if end {
                longest = longest.max(run);
                run = 0;
            }
            if run > limit {
                return Ok(run);
            }
            p2 = p1;
            p1 = b;
        }
    }
    Ok(longest.max(run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longest(s: &str) -> u64 {
        longest_event(&mut s.as_bytes(), u64::MAX).unwrap()
    }

    #[test]
    fn events_are_measured() {
        assert_eq!(longest("<a>hello</a>"), 5);
        assert_eq!(longest("<row r=\"1\">x</row>"), 11);
        // Markup holding `<` or `>` is one event.
        for event in [
            "<a b=\">>>>>>>>>>>>>>>\"/>",
            "<!-- <<<<<<<>>>>>>> -->",
            "<!DOCTYPE a [<!ENTITY b \"c\">]>",
            "<![CDATA[<<<<<<<<>>>>]]>",
        ] {
            assert_eq!(longest(&format!("<x>{event}</x>")), event.len() as u64, "{event}");
        }
        let padded = format!("<sheetData>{}<row/></sheetData>", " ".repeat(10_000));
        assert_eq!(longest(&padded), 10_000);
    }

    #[test]
    fn a_long_run_stops_the_scan_early() {
        let mut endless = std::io::repeat(b' ').take(1 << 30);
        assert!(longest_event(&mut endless, 1 << 20).unwrap() > 1 << 20);
    }
}
