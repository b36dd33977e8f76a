//! The floor's workbook: the same data sheets as disburse's report.xlsx (the payroll
//! list, entitlements, exceptions, transfers), one row of inline-string and number
//! cells per line, deflated at level 1 (disburse's level) into a zip with the few
//! small parts that make it a workbook. The zip is streamed, so it is hashed as it
//! is written.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use disburse::output::monthly::{ENTITLEMENTS_HEADER, EXCEPTIONS_HEADER, TRANSFERS_HEADER};

use super::roster::{self, Paid, Roster, STANDARD_FEN};
use super::sink::{Sink, Written};
use super::{timing, Res, PERIOD};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>"#;
const TAIL: &str = "</sheetData></worksheet>";
const MONEY: &[u8] = b"2";
const EXCLUDED: &[u8] = b"7";

/// One sheet's XML, handed to the zip a megabyte at a time.
struct Sheet<'z> {
    zip: &'z mut ZipWriter<zip::write::StreamWriter<Sink>>,
    buf: Vec<u8>,
    row: itoa::Buffer,
    row_text: Vec<u8>,
}

impl<'z> Sheet<'z> {
    fn start(zip: &'z mut ZipWriter<zip::write::StreamWriter<Sink>>, n: u32, rows: usize) -> Res<Sheet<'z>> {
        zip.start_file(format!("xl/worksheets/sheet{n}.xml"), options(rows as u64 * 2048))?;
        let mut buf = Vec::with_capacity(1 << 21);
        buf.extend_from_slice(HEAD.as_bytes());
        Ok(Sheet { zip, buf, row: itoa::Buffer::new(), row_text: Vec::new() })
    }

    fn row(&mut self, n: usize) -> Res<()> {
        if self.buf.len() >= 1 << 20 {
            self.zip.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.row_text.clear();
        self.row_text.extend_from_slice(self.row.format(n).as_bytes());
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf.extend_from_slice(&self.row_text);
        self.buf.extend_from_slice(b"\">");
        Ok(())
    }

    fn end_row(&mut self) {
        self.buf.extend_from_slice(b"</row>");
    }

    fn cell(&mut self, col: usize, style: Option<&[u8]>) {
        self.buf.extend_from_slice(b"<c r=\"");
        self.buf.push(b'A' + col as u8);
        self.buf.extend_from_slice(&self.row_text);
        if let Some(s) = style {
            self.buf.extend_from_slice(b"\" s=\"");
            self.buf.extend_from_slice(s);
        }
        self.buf.push(b'"');
    }

    fn text(&mut self, col: usize, style: Option<&[u8]>, v: &[u8]) {
        self.cell(col, style);
        self.buf.extend_from_slice(b" t=\"inlineStr\"><is><t>");
        let mut rest = v;
        while let Some(at) = rest.iter().position(|b| matches!(b, b'&' | b'<' | b'>')) {
            self.buf.extend_from_slice(&rest[..at]);
            self.buf.extend_from_slice(match rest[at] {
                b'&' => b"&amp;",
                b'<' => b"&lt;",
                _ => b"&gt;",
            });
            rest = &rest[at + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.extend_from_slice(b"</t></is></c>");
    }

    fn num(&mut self, col: usize, style: Option<&[u8]>, v: &[u8]) {
        self.cell(col, style);
        self.buf.extend_from_slice(b"><v>");
        self.buf.extend_from_slice(v);
        self.buf.extend_from_slice(b"</v></c>");
    }

    fn header(&mut self, names: &[&str]) -> Res<()> {
        self.row(1)?;
        for (c, n) in names.iter().enumerate() {
            self.text(c, None, n.as_bytes());
        }
        self.end_row();
        Ok(())
    }

    fn finish(mut self) -> Res<()> {
        self.buf.extend_from_slice(TAIL.as_bytes());
        self.zip.write_all(&self.buf)?;
        Ok(())
    }
}

fn options(bound: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
        .large_file(bound >= u64::from(u32::MAX))
}

/// The workbook; a dry run's transfers sheet is empty, as disburse's dry run has none.
pub fn write(path: &Path, r: &Roster, p: &Paid, dry: bool) -> Res<Written> {
    let t = Instant::now();
    let mut zip = ZipWriter::new_stream(Sink::create(path)?);
    for (name, text) in PARTS {
        zip.start_file(*name, options(0))?;
        zip.write_all(text.as_bytes())?;
    }
    list(Sheet::start(&mut zip, 2, p.rows.len())?, r, p)?;
    entitlements(Sheet::start(&mut zip, 3, p.rows.len())?, r, p)?;
    exceptions(Sheet::start(&mut zip, 4, r.rows - p.rows.len())?, r)?;
    if dry {
        Sheet::start(&mut zip, 5, 0)?.finish()?;
    } else {
        transfers(Sheet::start(&mut zip, 5, p.transfers.len())?, r, p)?;
    }
    let written = zip.finish()?.into_inner().finish()?;
    timing("workbook", t);
    Ok(written)
}

/// The payroll list: the paid children, payee by payee.
fn list(mut s: Sheet<'_>, r: &Roster, p: &Paid) -> Res<()> {
    s.header(&["序号", "姓名", "身份证号", "供养方式", "发放月份", "金额", "收款人", "收款账号", "开户银行"])?;
    let (mut seq, mut amount) = (itoa::Buffer::new(), Vec::new());
    for (n, &i) in p.by_transfer.iter().enumerate() {
        let row = p.rows[i as usize] as usize;
        s.row(n + 2)?;
        s.num(0, None, seq.format(n + 1).as_bytes());
        s.text(1, None, r.field(row, roster::NAME));
        s.text(2, None, r.field(row, roster::CHILD_ID));
        s.text(3, None, r.field(row, roster::CATEGORY));
        s.text(4, None, PERIOD.as_bytes());
        amount.clear();
        roster::yuan(p.fen[i as usize], &mut amount);
        s.num(5, Some(MONEY), &amount);
        s.text(6, None, r.field(row, roster::PAYEE_NAME));
        s.text(7, None, r.field(row, roster::ACCOUNT));
        s.text(8, None, r.field(row, roster::BANK));
        s.end_row();
    }
    s.finish()
}

fn entitlements(mut s: Sheet<'_>, r: &Roster, p: &Paid) -> Res<()> {
    s.header(&ENTITLEMENTS_HEADER)?;
    let (mut money, mut source, mut standard) = (Vec::new(), Vec::new(), Vec::new());
    roster::yuan(STANDARD_FEN, &mut standard);
    for (n, &row) in p.rows.iter().enumerate() {
        let row = row as usize;
        s.row(n + 2)?;
        s.text(0, None, PERIOD.as_bytes());
        s.text(1, None, b"regular");
        s.text(2, None, PERIOD.as_bytes());
        for (c, f) in [roster::CHILD_ID, roster::NAME, roster::CATEGORY, roster::REGION].into_iter().enumerate() {
            s.text(3 + c, None, r.field(row, f));
        }
        for (c, f) in [roster::PAYEE_NAME, roster::ACCOUNT, roster::BANK].into_iter().enumerate() {
            s.text(7 + c, None, r.field(row, f));
        }
        s.num(10, Some(MONEY), &standard);
        let recorded = r.recorded_fen(row);
        if let Some(fen) = recorded {
            money.clear();
            roster::yuan(fen, &mut money);
            s.num(11, Some(MONEY), &money);
        }
        money.clear();
        roster::yuan(p.fen[n], &mut money);
        s.num(12, Some(MONEY), &money);
        s.text(13, None, if recorded.is_some() { b"recorded" } else { b"standard" });
        source.clear();
        r.source(row, &mut source);
        s.text(14, None, &source);
        s.end_row();
    }
    s.finish()
}

fn exceptions(mut s: Sheet<'_>, r: &Roster) -> Res<()> {
    s.header(&EXCEPTIONS_HEADER)?;
    let mut source = Vec::new();
    for (n, row) in (0..r.rows).filter(|i| !Roster::is_paid(*i)).enumerate() {
        s.row(n + 2)?;
        source.clear();
        r.source(row, &mut source);
        s.text(0, Some(EXCLUDED), PERIOD.as_bytes());
        s.text(1, Some(EXCLUDED), &source);
        s.text(2, Some(EXCLUDED), b"excluded");
        s.text(3, Some(EXCLUDED), b"AGED_OUT");
        s.text(4, Some(EXCLUDED), r.field(row, roster::CHILD_ID));
        s.text(5, Some(EXCLUDED), r.field(row, roster::NAME));
        s.text(6, Some(EXCLUDED), b"the child turned 18 in 2017-01; the allowance is paid through that month");
        s.end_row();
    }
    s.finish()
}

fn transfers(mut s: Sheet<'_>, r: &Roster, p: &Paid) -> Res<()> {
    s.header(&TRANSFERS_HEADER)?;
    let (mut id, mut amount, mut children) = (Vec::new(), Vec::new(), itoa::Buffer::new());
    for (n, t) in p.transfers.iter().enumerate() {
        let row = t.row as usize;
        s.row(n + 2)?;
        id.clear();
        roster::transfer_id(n as u32, &mut id);
        s.text(0, None, &id);
        s.text(1, None, PERIOD.as_bytes());
        s.text(2, None, r.field(row, roster::ACCOUNT));
        s.text(3, None, r.field(row, roster::PAYEE_NAME));
        s.text(4, None, r.field(row, roster::BANK));
        amount.clear();
        roster::yuan(t.fen, &mut amount);
        s.num(5, Some(MONEY), &amount);
        s.text(6, None, children.format(t.children).as_bytes());
        let code = r.field(row, roster::BANK_CODE);
        if !code.is_empty() {
            s.text(7, None, code);
        }
        s.end_row();
    }
    s.finish()
}

/// The small parts around the data sheets; sheet1 is a one-line summary.
const PARTS: &[(&str, &str)] = &[
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet4.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet5.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet3.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet4.xml"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet5.xml"/><Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="summary" sheetId="1" r:id="rId1"/><sheet name="list" sheetId="2" r:id="rId2"/><sheet name="entitlements" sheetId="3" r:id="rId3"/><sheet name="exceptions" sheetId="4" r:id="rId4"/><sheet name="transfers" sheetId="5" r:id="rId5"/></sheets></workbook>"#,
    ),
    (
        "xl/styles.xml",
        r##"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>"##,
    ),
    (
        "xl/worksheets/sheet1.xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>floor "#,
            "2018-06",
            r#"</t></is></c></row></sheetData></worksheet>"#
        ),
    ),
];
