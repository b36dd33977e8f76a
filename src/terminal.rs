//! What the terminal reads: text in the encoding of the clerk's locale.
//!
//! Everything disburse prints is built as UTF-8. On a Chinese Windows-era setup the
//! locale's codeset is GBK (`zh_CN.GBK`, `zh_CN.GB18030`), and UTF-8 bytes print as
//! garbage there. `LocaleWriter` re-encodes what is printed into GB18030 (a superset
//! of GBK that can write every character) when the locale asks for it, and passes
//! bytes through untouched otherwise. Files are never written through it.

use std::io::{self, Write};

/// True when the locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`) names a GBK-family
/// codeset.
pub fn locale_wants_gbk() -> bool {
    let var = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    var.is_some_and(|v| codeset_is_gbk(&v))
}

/// True for a locale value such as `zh_CN.GBK`, `zh_CN.gb18030@stroke`, `zh_CN.GB2312`.
pub fn codeset_is_gbk(locale: &str) -> bool {
    let Some((_, codeset)) = locale.split_once('.') else { return false };
    let codeset = codeset.split('@').next().unwrap_or_default().to_ascii_lowercase().replace(['-', '_'], "");
    matches!(codeset.as_str(), "gbk" | "gb2312" | "gb18030" | "cp936" | "euccn")
}

/// A writer that re-encodes UTF-8 text into GB18030 when `gbk`, else passes it on.
pub struct LocaleWriter<W: Write> {
    inner: W,
    gbk: bool,
    /// The start of a character cut by the end of the last write.
    pending: Vec<u8>,
}

impl<W: Write> LocaleWriter<W> {
    pub fn new(inner: W, gbk: bool) -> LocaleWriter<W> {
        LocaleWriter { inner, gbk, pending: Vec::new() }
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        self.inner.write_all(&bytes)
    }
}

impl<W: Write> Write for LocaleWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.gbk {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        let pending = std::mem::take(&mut self.pending);
        let valid = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            // An incomplete character at the end waits for the next write; a byte
            // that is not UTF-8 at all is written as the replacement character.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => pending.len(),
        };
        let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
        self.pending = pending[valid..].to_vec();
        self.emit(&text)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned();
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for LocaleWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_codesets() {
        for l in ["zh_CN.GBK", "zh_CN.gbk", "zh_CN.GB18030", "zh_CN.gb2312", "zh_CN.GB-18030@stroke", "zh_CN.CP936"] {
            assert!(codeset_is_gbk(l), "{l}");
        }
        for l in ["zh_CN.UTF-8", "zh_CN", "C", "en_US.UTF-8", "POSIX", ""] {
            assert!(!codeset_is_gbk(l), "{l}");
        }
    }

    #[test]
    fn text_is_reencoded_even_when_a_character_is_split_between_writes() {
        let text = "disburse: 错误：花名册第2行\n";
        let mut out = LocaleWriter::new(Vec::new(), true);
        let bytes = text.as_bytes();
        // Cut inside 错 (3 UTF-8 bytes).
        out.write_all(&bytes[..11]).unwrap();
        out.write_all(&bytes[11..]).unwrap();
        out.flush().unwrap();
        let (decoded, _, errors) = encoding_rs::GB18030.decode(&out.inner);
        assert!(!errors);
        assert_eq!(decoded, text);
        assert_ne!(&out.inner[..], bytes, "GB18030 bytes, not UTF-8");
    }

    #[test]
    fn utf8_locales_get_the_bytes_untouched() {
        let mut out = LocaleWriter::new(Vec::new(), false);
        out.write_all("错误\n".as_bytes()).unwrap();
        out.flush().unwrap();
        assert_eq!(out.inner, "错误\n".as_bytes());
    }
}
