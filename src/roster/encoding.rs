//! Which text encoding a roster file is in (SPEC section 1, `--encoding`).
//!
//! Excel on Chinese Windows saves CSV as GB18030/GBK; everything else writes UTF-8.
//! Under `auto` the whole file is scanned once: valid UTF-8 is UTF-8; a file whose
//! non-ASCII bytes mostly do not form UTF-8 sequences is GB18030; anything else is
//! damaged UTF-8, whose rows holding invalid bytes are rejected one by one.
//!
//! Fields are decoded one at a time after CSV splitting: in GB18030 no byte of a
//! multi-byte character is a comma, quote or line break, so splitting the raw bytes
//! is safe in both encodings.

use std::borrow::Cow;
use std::io::Read;

/// What the clerk asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    #[default]
    Auto,
    Utf8,
    Gbk,
}

/// How a file's bytes are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

/// The result of looking at a whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    /// UTF-8 with some invalid bytes: those rows are rejected.
    pub damaged: bool,
}

impl Detected {
    /// The label the manifest records.
    pub fn label(&self) -> &'static str {
        match (self.encoding, self.damaged) {
            (Encoding::Gb18030, _) => "gb18030",
            (Encoding::Utf8, false) => "utf-8",
            (Encoding::Utf8, true) => "utf-8-damaged",
        }
    }
}

/// Byte counts gathered over a whole file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByteStats {
    /// Non-ASCII bytes that are part of valid UTF-8 sequences.
    pub utf8_bytes: u64,
    /// Bytes that do not form UTF-8.
    pub invalid_bytes: u64,
}

impl ByteStats {
    /// Scans `reader` to the end; `also` sees every byte (for hashing).
    pub fn scan(mut reader: impl Read, mut also: impl FnMut(&[u8])) -> std::io::Result<ByteStats> {
        let mut stats = ByteStats::default();
        let mut buf = vec![0u8; 1 << 20];
        let mut carry = 0usize;
        loop {
            let n = reader.read(&mut buf[carry..])?;
            if n == 0 {
                stats.invalid_bytes += carry as u64;
                return Ok(stats);
            }
            also(&buf[carry..carry + n]);
            let end = carry + n;
            let mut rest = &buf[..end];
            let tail_start;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        stats.utf8_bytes += non_ascii(s.as_bytes());
                        tail_start = end;
                        break;
                    }
                    Err(e) => {
                        stats.utf8_bytes += non_ascii(&rest[..e.valid_up_to()]);
                        match e.error_len() {
                            Some(bad) => {
                                stats.invalid_bytes += bad as u64;
                                rest = &rest[e.valid_up_to() + bad..];
                            }
                            None => {
                                tail_start = end - (rest.len() - e.valid_up_to());
                                break;
                            }
                        }
                    }
                }
            }
            buf.copy_within(tail_start..end, 0);
            carry = end - tail_start;
        }
    }

    /// The `auto` rule of SPEC section 1.
    pub fn detect(&self) -> Detected {
        if self.invalid_bytes == 0 {
            Detected { encoding: Encoding::Utf8, damaged: false }
        } else if self.invalid_bytes > self.utf8_bytes {
            Detected { encoding: Encoding::Gb18030, damaged: false }
        } else {
            Detected { encoding: Encoding::Utf8, damaged: true }
        }
    }
}

fn non_ascii(b: &[u8]) -> u64 {
    b.iter().filter(|c| **c >= 0x80).count() as u64
}

/// Where a field's bytes stop being text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadBytes {
    pub offset: usize,
    pub byte: u8,
}

/// Decodes one field.
pub fn decode(encoding: Encoding, bytes: &[u8]) -> Result<Cow<'_, str>, BadBytes> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| BadBytes { offset: e.valid_up_to(), byte: bytes[e.valid_up_to()] }),
        Encoding::Gb18030 => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(|| {
                let offset = bytes.iter().position(|b| *b >= 0x80).unwrap_or(0);
                BadBytes { offset, byte: bytes[offset] }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(bytes: &[u8]) -> Detected {
        ByteStats::scan(bytes, |_| {}).unwrap().detect()
    }

    #[test]
    fn utf8_gbk_and_damaged() {
        assert_eq!(detect("姓名,张三\n".as_bytes()).label(), "utf-8");
        let (gbk, _, _) = encoding_rs::GB18030.encode("姓名,张三,社会散居\n");
        assert_eq!(detect(&gbk).label(), "gb18030");
        let mut damaged = "姓名,张三,社会散居,长沙市\n".as_bytes().to_vec();
        damaged.extend_from_slice(b"x,\xff\n");
        assert_eq!(detect(&damaged).label(), "utf-8-damaged");
        assert_eq!(detect(b"plain ascii").label(), "utf-8");
    }

    #[test]
    fn sequences_split_across_reads_are_not_damage() {
        // A reader that returns one byte at a time splits every multi-byte character.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let stats = ByteStats::scan(OneByte("张三李四".as_bytes()), |_| {}).unwrap();
        assert_eq!(stats, ByteStats { utf8_bytes: 12, invalid_bytes: 0 });
        let truncated = ByteStats::scan(&"张".as_bytes()[..2], |_| {}).unwrap();
        assert_eq!(truncated.invalid_bytes, 2);
    }

    #[test]
    fn decodes_fields() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("集中供养");
        assert_eq!(decode(Encoding::Gb18030, &gbk).unwrap(), "集中供养");
        assert_eq!(decode(Encoding::Utf8, b"ab\xffc"), Err(BadBytes { offset: 2, byte: 0xff }));
        assert_eq!(decode(Encoding::Utf8, b"abc").unwrap(), "abc");
    }
}
