//! The floor's text files: entitlements, exceptions and transfers (one CSV line per
//! row or transfer, through `csv::Writer`), the audit file with its sequential
//! SHA-256 chain, and a small manifest of every file's hash.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use disburse::output::monthly::{ENTITLEMENTS_HEADER, EXCEPTIONS_HEADER, TRANSFERS_HEADER};

use super::roster::{self, Paid, Roster, STANDARD_FEN};
use super::sink::{hex_into, Sink, Written};
use super::{timing, Res, PERIOD};

/// About disburse's detail sentence for an excluded row.
const DETAIL: &[u8] = b"the child turned 18 in 2017-01; the allowance is paid through that month";

/// The text files; a dry run writes no transfers.csv.
pub fn write(out: &Path, r: &Roster, p: &Paid, dry: bool) -> Res<Vec<(&'static str, Written)>> {
    let mut written = Vec::new();
    let t = Instant::now();
    written.push(("entitlements.csv", entitlements(&out.join("entitlements.csv"), r, p)?));
    written.push(("exceptions.csv", exceptions(&out.join("exceptions.csv"), r)?));
    if !dry {
        written.push(("transfers.csv", transfers(&out.join("transfers.csv"), r, p)?));
    }
    timing("csv files", t);
    let t = Instant::now();
    written.push(("audit.jsonl", audit(&out.join("audit.jsonl"), r, p)?));
    timing("audit chain", t);
    Ok(written)
}

fn finish(w: csv::Writer<Sink>) -> Res<Written> {
    Ok(w.into_inner().map_err(|e| e.into_error())?.finish()?)
}

fn entitlements(path: &Path, r: &Roster, p: &Paid) -> Res<Written> {
    let mut w = csv::Writer::from_writer(Sink::create(path)?);
    w.write_record(ENTITLEMENTS_HEADER)?;
    let (mut standard, mut recorded, mut amount, mut source) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    roster::yuan(STANDARD_FEN, &mut standard);
    for (i, &row) in p.rows.iter().enumerate() {
        let row = row as usize;
        recorded.clear();
        amount.clear();
        source.clear();
        let rec = r.recorded_fen(row);
        if let Some(fen) = rec {
            roster::yuan(fen, &mut recorded);
        }
        roster::yuan(p.fen[i], &mut amount);
        r.source(row, &mut source);
        let f = |c| r.field(row, c);
        let basis: &[u8] = if rec.is_some() { b"recorded" } else { b"standard" };
        w.write_record([
            PERIOD.as_bytes(),
            b"regular",
            PERIOD.as_bytes(),
            f(roster::CHILD_ID),
            f(roster::NAME),
            f(roster::CATEGORY),
            f(roster::REGION),
            f(roster::PAYEE_NAME),
            f(roster::ACCOUNT),
            f(roster::BANK),
            &standard,
            &recorded,
            &amount,
            basis,
            &source,
        ])?;
    }
    finish(w)
}

fn exceptions(path: &Path, r: &Roster) -> Res<Written> {
    let mut w = csv::Writer::from_writer(Sink::create(path)?);
    w.write_record(EXCEPTIONS_HEADER)?;
    let mut source = Vec::new();
    for row in (0..r.rows).filter(|i| !Roster::is_paid(*i)) {
        source.clear();
        r.source(row, &mut source);
        w.write_record([
            PERIOD.as_bytes(),
            &source,
            b"excluded",
            b"AGED_OUT",
            r.field(row, roster::CHILD_ID),
            r.field(row, roster::NAME),
            DETAIL,
        ])?;
    }
    finish(w)
}

fn transfers(path: &Path, r: &Roster, p: &Paid) -> Res<Written> {
    let mut w = csv::Writer::from_writer(Sink::create(path)?);
    w.write_record(TRANSFERS_HEADER)?;
    let (mut id, mut amount) = (Vec::new(), Vec::new());
    let mut children = itoa::Buffer::new();
    for (n, t) in p.transfers.iter().enumerate() {
        id.clear();
        amount.clear();
        roster::transfer_id(n as u32, &mut id);
        roster::yuan(t.fen, &mut amount);
        let f = |c| r.field(t.row as usize, c);
        w.write_record([
            &id,
            PERIOD.as_bytes(),
            f(roster::ACCOUNT),
            f(roster::PAYEE_NAME),
            f(roster::BANK),
            &amount,
            children.format(t.children).as_bytes(),
            f(roster::BANK_CODE),
        ])?;
    }
    finish(w)
}

/// A JSON string (or `null` for `None`) onto `buf`.
fn json(buf: &mut Vec<u8>, s: Option<&[u8]>) {
    let Some(s) = s else { return buf.extend_from_slice(b"null") };
    buf.push(b'"');
    let mut rest = s;
    while let Some(at) = rest.iter().position(|b| matches!(b, b'"' | b'\\' | 0..=0x1f)) {
        buf.extend_from_slice(&rest[..at]);
        match rest[at] {
            b @ (b'"' | b'\\') => buf.extend_from_slice(&[b'\\', b]),
            b => buf.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
        rest = &rest[at + 1..];
    }
    buf.extend_from_slice(rest);
    buf.push(b'"');
}

/// One line per row; each line's `prev` is the SHA-256 of the line before it.
fn audit(path: &Path, r: &Roster, p: &Paid) -> Res<Written> {
    let mut w = Sink::create(path)?;
    let mut prev = vec![b'0'; 64];
    let (mut line, mut source, mut money) = (Vec::with_capacity(512), Vec::new(), Vec::new());
    let mut seq = itoa::Buffer::new();
    let mut paid = p.rows.iter().enumerate().peekable();
    let mut standard = Vec::new();
    roster::yuan(STANDARD_FEN, &mut standard);
    for row in 0..r.rows {
        let this = paid.next_if(|(_, &pr)| pr as usize == row).map(|(i, _)| i);
        source.clear();
        r.source(row, &mut source);
        line.clear();
        line.extend_from_slice(b"{\"seq\":");
        line.extend_from_slice(seq.format(row + 1).as_bytes());
        line.extend_from_slice(b",\"source\":");
        json(&mut line, Some(&source));
        line.extend_from_slice(b",\"child_id\":");
        json(&mut line, Some(r.field(row, roster::CHILD_ID)));
        line.extend_from_slice(if this.is_some() {
            b",\"decision\":\"paid\",\"reason\":null"
        } else {
            b",\"decision\":\"excluded\",\"reason\":\"AGED_OUT\""
        });
        line.extend_from_slice(b",\"category\":");
        json(&mut line, Some(r.field(row, roster::CATEGORY)));
        line.extend_from_slice(b",\"standard\":");
        json(&mut line, Some(&standard));
        money.clear();
        let recorded = r.recorded_fen(row);
        if let Some(fen) = recorded {
            roster::yuan(fen, &mut money);
        }
        line.extend_from_slice(b",\"recorded_amount\":");
        json(&mut line, recorded.map(|_| &money[..]));
        match this {
            Some(i) => {
                money.clear();
                roster::yuan(p.fen[i], &mut money);
                line.extend_from_slice(b",\"amount\":");
                json(&mut line, Some(&money));
                line.extend_from_slice(b",\"basis\":");
                json(&mut line, Some(if recorded.is_some() { b"recorded" } else { b"standard" }));
                line.extend_from_slice(b",\"payee_account\":");
                json(&mut line, Some(r.field(row, roster::ACCOUNT)));
                line.extend_from_slice(b",\"payee_bank_code\":");
                let code = r.field(row, roster::BANK_CODE);
                json(&mut line, Some(code).filter(|c| !c.is_empty()));
            }
            None => line.extend_from_slice(b",\"amount\":null,\"basis\":null"),
        }
        line.extend_from_slice(b",\"prev\":\"");
        line.extend_from_slice(&prev);
        line.extend_from_slice(b"\"}");
        prev.clear();
        hex_into(&Sha256::digest(&line), &mut prev);
        line.push(b'\n');
        w.write_all(&line)?;
    }
    Ok(w.finish()?)
}

/// The manifest: each file's name, size and SHA-256.
pub fn manifest(out: &Path, written: &[(&str, Written)]) -> Res<()> {
    let mut w = Sink::create(&out.join("manifest.json"))?;
    let files: Vec<serde_json::Value> = written
        .iter()
        .map(|(name, f)| serde_json::json!({"file": name, "sha256": f.sha256, "bytes": f.bytes}))
        .collect();
    serde_json::to_writer_pretty(&mut w, &serde_json::json!({"tool": "floor", "period": PERIOD, "outputs": files}))?;
    w.finish()?;
    Ok(())
}
