//! Splitting CSV bytes into records while knowing, exactly, the line each starts on.
//!
//! The `csv` crate's record positions lag behind with CRLF line ends and after
//! skipped empty lines, and SPEC section 4 makes the line part of every `source`. So
//! records are split with `csv_core` over our own buffer: empty lines between records
//! are skipped here (and counted, they are blank rows), and every `\n` consumed is
//! counted, inside quoted fields too.

use std::io::Read;

/// One record as raw bytes: fields stored back to back, with their end offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    /// The 1-based line on which the record starts.
    pub line: u64,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Empty fields after the stored ones, counted but not stored: a workbook row
    /// padded to a wide header costs nothing per empty cell.
    pad: usize,
}

impl RawRow {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len() + self.pad
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of field `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).map(|r| &self.bytes[r])
    }

    /// The byte range of field `i` within `all_bytes`.
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        match self.ends.get(i) {
            Some(&end) => Some(if i == 0 { 0 } else { self.ends[i - 1] }..end),
            None if i < self.len() => Some(self.bytes.len()..self.bytes.len()),
            None => None,
        }
    }

    /// Every field's bytes, back to back.
    pub fn all_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i).expect("in range"))
    }

    /// Builds a row from fields (for tests and benches).
    pub fn from_fields<S: AsRef<[u8]>>(line: u64, fields: &[S]) -> RawRow {
        let mut row = RawRow { line, ..RawRow::default() };
        for f in fields {
            row.bytes.extend_from_slice(f.as_ref());
            row.ends.push(row.bytes.len());
        }
        row
    }

    /// Builds a row of `fields` followed by empty fields up to `len` in all.
    pub fn from_fields_padded<S: AsRef<[u8]>>(line: u64, fields: &[S], len: usize) -> RawRow {
        let mut row = RawRow::from_fields(line, fields);
        row.pad = len.saturating_sub(fields.len());
        row
    }
}

/// Streams records out of a reader.
pub struct Splitter<R> {
    input: R,
    core: csv_core::Reader,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// Line breaks consumed so far: `\n`, `\r\n`, and a lone `\r` (which csv also
    /// takes as a record end, so counting it keeps record lines increasing).
    newlines: u64,
    last_byte: u8,
    /// Line of the previous record's terminator (0 before the first record).
    prev_end_line: u64,
    /// Empty lines skipped between (and after) records.
    pub empty_lines: u64,
    finished: bool,
}

const BUFFER: usize = 1 << 20;

impl<R: Read> Splitter<R> {
    pub fn new(input: R) -> Splitter<R> {
        Splitter {
            input,
            core: csv_core::Reader::new(),
            buf: vec![0; BUFFER],
            pos: 0,
            len: 0,
            eof: false,
            newlines: 0,
            last_byte: 0,
            prev_end_line: 0,
            empty_lines: 0,
            finished: false,
        }
    }

    /// Makes input available; false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.input.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn consumed(&mut self, n: usize) {
        if n > 0 {
            let chunk = &self.buf[self.pos..self.pos + n];
            self.newlines += line_breaks(chunk, self.last_byte);
            self.last_byte = chunk[n - 1];
            self.pos += n;
        }
    }

    /// Reads the next record into `row`; false at the end of the input.
    pub fn next(&mut self, row: &mut RawRow) -> std::io::Result<bool> {
        if self.finished {
            return Ok(false);
        }
        // Skip line ends before the record: the rest of a CRLF, and empty lines.
        loop {
            if !self.fill()? {
                let last_line = if is_eol(self.last_byte) || self.newlines == 0 && self.last_byte == 0 {
                    self.newlines
                } else {
                    self.newlines + 1
                };
                self.empty_lines += last_line.saturating_sub(self.prev_end_line);
                self.finished = true;
                return Ok(false);
            }
            let skip = self.buf[self.pos..self.len].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            self.consumed(skip);
            if self.pos < self.len {
                break;
            }
        }
        row.line = self.newlines + 1;
        self.empty_lines += row.line.saturating_sub(self.prev_end_line + 1);
        row.bytes.clear();
        row.ends.clear();
        row.pad = 0;
        if row.bytes.capacity() == 0 {
            row.bytes.reserve(256);
        }
        let mut nout = 0;
        let mut nend = 0;
        // At the end of the input, one line break is fed before the end itself: it
        // ends the record unless a quoted field is still open (then the rest of the
        // file would silently have become one field).
        let mut probed = false;
        loop {
            let has_input = self.fill()?;
            let input: &[u8] = match (has_input, probed) {
                (true, _) => &self.buf[self.pos..self.len],
                (false, false) => b"\n",
                (false, true) => &[],
            };
            if row.bytes.len() < nout + 64 {
                let grow = row.bytes.len().max(256);
                row.bytes.resize(row.bytes.len() + grow, 0);
            }
            if row.ends.len() < nend + 1 {
                let grow = row.ends.len().max(16);
                row.ends.resize(row.ends.len() + grow, 0);
            }
            let (res, nin, o, e) = self.core.read_record(input, &mut row.bytes[nout..], &mut row.ends[nend..]);
            // csv_core reports field ends from the start of the record, across calls.
            nout += o;
            nend += e;
            if has_input {
                self.consumed(nin);
            } else if !probed && nin == 1 {
                probed = true;
                if matches!(res, csv_core::ReadRecordResult::InputEmpty) {
                    self.finished = true;
                    return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, UnclosedQuote { line: row.line }));
                }
            }
            use csv_core::ReadRecordResult::*;
            match res {
                InputEmpty | OutputFull | OutputEndsFull => continue,
                Record | End => break,
            }
        }
        row.bytes.truncate(nout);
        row.ends.truncate(nend);
        self.prev_end_line = if is_eol(self.last_byte) { self.newlines } else { self.newlines + 1 };
        Ok(true)
    }
}

/// A quoted field still open at the end of the input, in the record starting on
/// `line`: the error inside the `io::Error` that [`Splitter::next`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnclosedQuote {
    pub line: u64,
}

impl std::fmt::Display for UnclosedQuote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a quote opened in the record starting on line {} is never closed", self.line)
    }
}

impl std::error::Error for UnclosedQuote {}

/// The unclosed quote behind an error of [`Splitter::next`], if that is what it is.
pub fn unclosed_quote(e: &std::io::Error) -> Option<UnclosedQuote> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<UnclosedQuote>()).copied()
}

/// The fatal error for a failure of [`Splitter::next`] reading `path` (`what` names
/// the file: "roster", "policy file"...).
pub fn read_error(path: &str, what: &str, e: &std::io::Error) -> crate::error::Fatal {
    match unclosed_quote(e) {
        Some(q) => crate::error::Fatal::new(
            crate::error::FatalKind::Input,
            format!(
                "a quote (\") opened on line {} is never closed: the rest of the {what} would become one field",
                q.line
            ),
            "close the quote or remove it (a quote inside a field is written twice: \"\"), then run again",
        )
        .zh(
            format!("第{}行开始的引号（\"）没有闭合，其后的内容会被当成一个字段", q.line),
            "请补上或删去该引号（字段内的引号要写成两个：\"\"），然后重新运行",
        )
        .in_file(path)
        .at_line(q.line),
        None => crate::error::Fatal::io(path.as_ref(), &format!("reading the {what}"), e),
    }
}

fn is_eol(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Line breaks in `chunk`, given the byte before it (a `\r\n` is one break).
fn line_breaks(chunk: &[u8], before: u8) -> u64 {
    let (mut lf, mut cr) = (0usize, 0usize);
    for &b in chunk {
        lf += usize::from(b == b'\n');
        cr += usize::from(b == b'\r');
    }
    if cr == 0 && before != b'\r' {
        return lf as u64;
    }
    let pairs = chunk.windows(2).filter(|w| w == b"\r\n").count() + usize::from(before == b'\r' && chunk[0] == b'\n');
    (lf + cr - pairs) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(data: &[u8]) -> (Vec<(u64, Vec<String>)>, u64) {
        let mut s = Splitter::new(data);
        let mut row = RawRow::default();
        let mut out = Vec::new();
        while s.next(&mut row).unwrap() {
            out.push((row.line, row.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()));
        }
        (out, s.empty_lines)
    }

    fn lines(data: &[u8]) -> Vec<u64> {
        split(data).0.iter().map(|r| r.0).collect()
    }

    #[test]
    fn lf_and_crlf_give_the_same_lines() {
        assert_eq!(lines(b"h1,h2\na,b\nc,d\n"), [1, 2, 3]);
        assert_eq!(lines(b"h1,h2\r\na,b\r\nc,d\r\n"), [1, 2, 3]);
        assert_eq!(lines(b"h1,h2\r\na,b\r\nc,d"), [1, 2, 3]);
    }

    #[test]
    fn a_lone_carriage_return_is_a_line_break() {
        assert_eq!(lines(b"h\ra\rb\n"), [1, 2, 3]);
        assert_eq!(lines(b"h\r\r\na\r\n"), [1, 3]);
    }

    #[test]
    fn quoted_line_breaks_push_later_rows_down() {
        let (rows, _) = split(b"h1,h2\n\"x\ny\",b\nc,d\n");
        assert_eq!(rows[1], (2, vec!["x\ny".to_owned(), "b".to_owned()]));
        assert_eq!(rows[2].0, 4);
        assert_eq!(lines(b"h1,h2\r\n\"x\r\ny\",b\r\nc,d\r\n"), [1, 2, 4]);
    }

    #[test]
    fn empty_lines_are_counted() {
        assert_eq!(
            split(b"h\na\n\n\nc\n\n"),
            (vec![(1, vec!["h".into()]), (2, vec!["a".into()]), (5, vec!["c".into()])], 3)
        );
        assert_eq!(split(b"h\r\n\r\na\r\n").1, 1);
        assert_eq!(split(b"h\na").1, 0);
        assert_eq!(split(b"h\na\n").1, 0);
        assert_eq!(split(b"").0.len(), 0);
        assert_eq!(split(b"\n\nh\n"), (vec![(3, vec!["h".into()])], 2));
    }

    #[test]
    fn quotes_commas_and_big_fields() {
        let (rows, _) = split(b"a,\"b,c\",\"d\"\"e\"\n");
        assert_eq!(rows[0].1, ["a", "b,c", "d\"e"]);
        let big = format!("{},x\n", "y".repeat(3 << 20));
        let (rows, _) = split(big.as_bytes());
        assert_eq!(rows[0].1[0].len(), 3 << 20);
        let wide = format!("{}\n", vec!["1"; 200_000].join(","));
        assert_eq!(split(wide.as_bytes()).0[0].1.len(), 200_000);
    }

    fn first_error(data: &[u8]) -> Option<UnclosedQuote> {
        let mut s = Splitter::new(data);
        let mut row = RawRow::default();
        loop {
            match s.next(&mut row) {
                Ok(true) => continue,
                Ok(false) => return None,
                Err(e) => return Some(unclosed_quote(&e).expect("an unclosed quote")),
            }
        }
    }

    #[test]
    fn any_bytes_split_or_name_an_open_quote() {
        // Fuzz-style: short inputs over the bytes that matter to the splitter.
        let alphabet = [b'a', b',', b'"', b'\n', b'\r', 0xE5, 0x8C, b' '];
        let mut x: u32 = 1;
        for len in 0..60 {
            for _ in 0..200 {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        alphabet[(x >> 16) as usize % alphabet.len()]
                    })
                    .collect();
                let mut s = Splitter::new(&data[..]);
                let mut row = RawRow::default();
                let mut last = 0;
                loop {
                    match s.next(&mut row) {
                        Ok(true) => {
                            assert!(row.line > last, "{data:?}");
                            last = row.line;
                        }
                        Ok(false) => break,
                        Err(e) => {
                            let q = unclosed_quote(&e).expect("only an open quote fails");
                            assert!(q.line > last && data.contains(&b'"'), "{data:?}");
                            break;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        assert_eq!(first_error(b"h1,h2\n\"open,b\nc,d\n"), Some(UnclosedQuote { line: 2 }));
        assert_eq!(first_error(b"h1,h2\na,b\nc,\"d"), Some(UnclosedQuote { line: 3 }));
        assert_eq!(first_error(b"h\n\"x\ny\"\n\"z\n"), Some(UnclosedQuote { line: 4 }));
        // Closed quotes, a quote inside an unquoted field and a closing quote at the
        // very end are fine.
        assert_eq!(first_error(b"h1,h2\n\"a\nb\",c\n"), None);
        assert_eq!(first_error(b"h1,h2\nab\"c,d\n"), None);
        assert_eq!(first_error(b"h1,h2\n\"a\",\"b\""), None);
        assert_eq!(split(b"h1,h2\na,b").0, [(1, vec!["h1".into(), "h2".into()]), (2, vec!["a".into(), "b".into()])]);
    }
}
