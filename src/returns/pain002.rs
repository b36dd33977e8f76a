//! An ISO 20022 pain.002.001.10 payment status report: one return line per
//! `TxInfAndSts`. `ACSC`/`ACCC` settle, `RJCT` fails (with the reason code and
//! text); any other status is not final and is reported as an unreadable line.

use rust_decimal::Decimal;

use super::{fatal, ReturnLine};
use crate::error::Fatal;

/// `ACSC`/`ACCC` settle, `RJCT` fails (with the reason code and text); any other
/// status is not final and is reported as an unreadable line.
pub(super) fn read(path: &str, bytes: &[u8]) -> Result<Vec<ReturnLine>, Fatal> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        fatal("the status report is not UTF-8 XML", "give the bank's pain.002 file as it was sent").in_file(path)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        fatal(format!("the status report is not well-formed XML: {e}"), "give the bank's pain.002 file as it was sent")
            .in_file(path)
    })?;
    if !doc.root_element().tag_name().namespace().is_some_and(|n| n.contains("pain.002")) {
        return Err(
            fatal("this XML is not a pain.002 payment status report", "give the bank's pain.002 file").in_file(path)
        );
    }
    let child = |n: roxmltree::Node<'_, '_>, path: &[&str]| -> Option<String> {
        let mut node = n;
        for name in path {
            node = node.children().find(|c| c.is_element() && c.tag_name().name() == *name)?;
        }
        node.text().map(|t| t.trim().to_owned())
    };
    let mut lines = Vec::new();
    for tx in doc.descendants().filter(|n| n.is_element() && n.tag_name().name() == "TxInfAndSts") {
        let line = text[..tx.range().start].matches('\n').count() as u64 + 1;
        let id = child(tx, &["OrgnlEndToEndId"]).unwrap_or_default();
        let status = child(tx, &["TxSts"]).unwrap_or_default();
        let success = match status.as_str() {
            "ACSC" | "ACCC" => Some(true),
            "RJCT" => Some(false),
            _ => None,
        };
        let amount = child(tx, &["OrgnlTxRef", "Amt", "InstdAmt"]).and_then(|a| a.parse::<Decimal>().ok());
        let code = child(tx, &["StsRsnInf", "Rsn", "Cd"]).or_else(|| child(tx, &["StsRsnInf", "Rsn", "Prtry"]));
        let info = child(tx, &["StsRsnInf", "AddtlInf"]);
        let reason = match (code, info) {
            (Some(c), Some(i)) => format!("{c}: {i}"),
            (Some(c), None) => c,
            (None, Some(i)) => i,
            (None, None) => String::new(),
        };
        let problem = if id.is_empty() {
            Some("OrgnlEndToEndId is missing".to_owned())
        } else if success.is_none() {
            Some(format!("status {status:?} is not final (ACSC, ACCC or RJCT)"))
        } else {
            None
        };
        lines.push(ReturnLine {
            line,
            transfer_id: id,
            account: child(tx, &["OrgnlTxRef", "CdtrAcct", "Id", "Othr", "Id"]).unwrap_or_default(),
            amount_reported: amount.is_some(),
            amount,
            success,
            reason,
            problem,
        });
    }
    Ok(lines)
}
