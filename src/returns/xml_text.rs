//! The safe first steps for an XML file from outside (a bank's status report, or the
//! run's own pain.001 read back): decode it (UTF-8, or UTF-16 as some Windows tools
//! save XML), refuse what no bank sends and what would exhaust the stack (a DTD,
//! nesting deeper than `MAX_DEPTH`), and give line numbers in one forward pass.
//!
//! All of this is linear in the file's size: the depth is found by one scan of the
//! text, and line numbers are counted from the last position asked, never from the
//! start of the file again.

use std::borrow::Cow;

/// Deeper than any pain.001 or pain.002 (their deepest path is about 12 elements).
pub const MAX_DEPTH: usize = 64;

/// The file as text, or why it is not XML text this reader takes.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, 2)),
        [b'<', 0, ..] => Some((encoding_rs::UTF_16LE, 0)),
        [0, b'<', ..] => Some((encoding_rs::UTF_16BE, 0)),
        _ => None,
    };
    let text = match utf16 {
        Some((enc, skip)) => enc
            .decode_without_bom_handling_and_without_replacement(&bytes[skip..])
            .map(|t| Cow::Owned(t.into_owned()))
            .ok_or("it is UTF-16 with a broken character")?,
        None => Cow::Borrowed(std::str::from_utf8(bytes).map_err(|_| "it is neither UTF-8 nor UTF-16 text")?),
    };
    Ok(match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{feff}').unwrap_or(t)),
        Cow::Owned(t) => Cow::Owned(t.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(t)),
    })
}

/// True when the bytes look like XML: `<` first (after a byte order mark and white
/// space), in UTF-8 or UTF-16.
pub fn looks_like_xml(bytes: &[u8]) -> bool {
    match bytes {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [b'<', 0, ..] | [0, b'<', ..] => {
            // Decided by the first characters, so a broken character further on is
            // reported as broken XML, not as some other kind of file.
            let le = matches!(bytes, [0xFF, 0xFE, ..] | [b'<', 0, ..]);
            let units = bytes.chunks_exact(2).map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .find(|c| !c.is_whitespace() && *c != '\u{feff}')
                == Some('<')
        }
        _ => {
            let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
        }
    }
}

/// Checks, without recursion, that elements nest at most `max` deep and that the
/// text has no document type declaration (entities are how XML bombs are built; no
/// bank report carries one). Returns the 1-based line of the problem with its text.
/// Malformed markup is left for the parser to report.
pub fn check_shape(text: &str, max: usize) -> Result<(), (u64, String)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut lines = LineCounter::new(text);
    let find = |from: usize, pat: &[u8]| -> usize {
        b[from.min(b.len())..].windows(pat.len()).position(|w| w == pat).map_or(b.len(), |p| from + p + pat.len())
    };
    while i < b.len() {
        let Some(off) = b[i..].iter().position(|&c| c == b'<') else { break };
        let at = i + off;
        let rest = &b[at + 1..];
        i = if rest.starts_with(b"!--") {
            find(at + 4, b"-->")
        } else if rest.starts_with(b"![CDATA[") {
            find(at + 9, b"]]>")
        } else if rest.starts_with(b"?") {
            find(at + 2, b"?>")
        } else if rest.starts_with(b"!") {
            return Err((lines.line_at(at), "it has a document type declaration (<!DOCTYPE …>)".to_owned()));
        } else if rest.starts_with(b"/") {
            depth = depth.saturating_sub(1);
            find(at + 2, b">")
        } else {
            // A start tag: find its end outside quoted attribute values.
            let mut j = at + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"' | b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            if j >= b.len() || b[j - 1] != b'/' {
                depth += 1;
                if depth > max {
                    return Err((lines.line_at(at), format!("its elements nest deeper than {max} levels")));
                }
            }
            j + 1
        };
    }
    Ok(())
}

/// Line numbers for byte positions asked in increasing order, counted in one pass
/// (a position before the last one asked starts again from the top: still right).
pub struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter { text: text.as_bytes(), pos: 0, line: 1 }
    }

    /// The 1-based line of byte position `pos`.
    pub fn line_at(&mut self, pos: usize) -> u64 {
        let pos = pos.min(self.text.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..pos].iter().filter(|&&c| c == b'\n').count() as u64;
        self.pos = pos;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_counted_without_recursion() {
        let deep = format!("{}{}", "<a>".repeat(20_000), "</a>".repeat(20_000));
        let (line, why) = check_shape(&deep, MAX_DEPTH).unwrap_err();
        assert_eq!(line, 1);
        assert!(why.contains("deeper than 64"), "{why}");
        let ok = format!("<?xml version=\"1.0\"?>\n{}<b x='>'/><!-- <c> -->{}", "<a>".repeat(64), "</a>".repeat(64));
        assert!(check_shape(&ok, MAX_DEPTH).is_ok());
        let cdata = format!("<a><![CDATA[{}]]></a>", "<a>".repeat(100));
        assert!(check_shape(&cdata, MAX_DEPTH).is_ok());
    }

    #[test]
    fn a_dtd_is_refused() {
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"aaaa\">]>\n<d>&a;</d>";
        assert_eq!(check_shape(bomb, MAX_DEPTH).unwrap_err().0, 2);
    }

    #[test]
    fn utf16_is_decoded_either_way() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Document/>";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(xml.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(xml.encode_utf16().flat_map(|u| u.to_be_bytes())).collect();
        let bare: Vec<u8> = xml.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        for bytes in [le, be, bare] {
            assert!(looks_like_xml(&bytes));
            assert_eq!(decode(&bytes).unwrap(), xml);
        }
        assert!(decode(b"\xEF\xBB\xBF<a/>").unwrap().starts_with('<'));
        assert!(decode(b"<a>\xFF</a>").is_err());
        let broken = [0xFF, 0xFE, b'<', 0, 0x00, 0xD8, b'a', 0];
        assert!(looks_like_xml(&broken) && decode(&broken).is_err());
        assert!(!looks_like_xml(&[0xFF, 0xFE, b'a', 0, b',', 0]));
    }

    #[test]
    fn lines_are_counted_forward() {
        let t = "a\nb\nc\nd";
        let mut c = LineCounter::new(t);
        assert_eq!(c.line_at(0), 1);
        assert_eq!(c.line_at(2), 2);
        assert_eq!(c.line_at(6), 4);
        assert_eq!(c.line_at(3), 2);
        assert_eq!(c.line_at(100), 4);
    }
}
