//! What the run sent as pain.001: each message's `MsgId`, and each payment batch's
//! `PmtInfId` with its transfers (`EndToEndId`). A pain.002 answers one of these
//! messages; a group or batch status applies to the transfers listed here, which the
//! report itself need not repeat.
//!
//! Read from the run's own bank files (listed in its manifest, which `reconcile`
//! has already verified against their hashes), recognised by content, so a pain.001
//! profile with any file name is found.

use std::path::Path;

use super::xml_text::{check_shape, decode, MAX_DEPTH};
use crate::error::Fatal;

/// One pain.001 message of the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentMessage {
    /// The file, relative to the run directory.
    pub file: String,
    pub msg_id: String,
    /// `(PmtInfId, EndToEndIds)` in file order.
    pub batches: Vec<(String, Vec<String>)>,
}

impl SentMessage {
    /// Every transfer id of the message, in file order.
    pub fn transfers(&self) -> impl Iterator<Item = &str> {
        self.batches.iter().flat_map(|(_, ids)| ids.iter().map(String::as_str))
    }
}

/// The pain.001 messages among the run's `files` (paths relative to `dir`).
pub fn read_sent<'a>(dir: &Path, files: impl IntoIterator<Item = &'a str>) -> Result<Vec<SentMessage>, Fatal> {
    let mut sent = Vec::new();
    for rel in files {
        if !rel.starts_with("bank/") || !rel.to_ascii_lowercase().ends_with(".xml") {
            continue;
        }
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| Fatal::io(&path, "reading the run's pain.001 file", &e))?;
        if let Some(m) = parse_pain001(&bytes) {
            sent.push(SentMessage { file: rel.to_owned(), ..m });
        }
    }
    Ok(sent)
}

/// The message of a pain.001 document, or `None` when the bytes are not one.
pub fn parse_pain001(bytes: &[u8]) -> Option<SentMessage> {
    let text = decode(bytes).ok()?;
    check_shape(&text, MAX_DEPTH).ok()?;
    let doc = roxmltree::Document::parse(&text).ok()?;
    let root = doc.root_element();
    let body = element(root, "CstmrCdtTrfInitn")?;
    if root.tag_name().name() != "Document" {
        return None;
    }
    let msg_id = element(element(body, "GrpHdr")?, "MsgId").map(text_of).unwrap_or_default();
    let batches = body
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "PmtInf")
        .map(|p| {
            let id = element(p, "PmtInfId").map(text_of).unwrap_or_default();
            let ids = p
                .children()
                .filter(|n| n.is_element() && n.tag_name().name() == "CdtTrfTxInf")
                .filter_map(|t| element(element(t, "PmtId")?, "EndToEndId").map(text_of))
                .collect();
            (id, ids)
        })
        .collect();
    Some(SentMessage { file: String::new(), msg_id, batches })
}

/// The first child element named `name` (by local name).
pub(super) fn element<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

/// An element's text, outer white space trimmed (banks pad identifiers).
pub(super) fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.text().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_batches_and_transfers() {
        let xml = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn>\
            <GrpHdr><MsgId> M-1 </MsgId></GrpHdr>\
            <PmtInf><PmtInfId>M-1-001</PmtInfId><CdtTrfTxInf><PmtId><EndToEndId>T1</EndToEndId></PmtId></CdtTrfTxInf>\
            <CdtTrfTxInf><PmtId><EndToEndId>T2</EndToEndId></PmtId></CdtTrfTxInf></PmtInf>\
            <PmtInf><PmtInfId>M-1-002</PmtInfId><CdtTrfTxInf><PmtId><EndToEndId>T3</EndToEndId></PmtId></CdtTrfTxInf></PmtInf>\
            </CstmrCdtTrfInitn></Document>";
        let m = parse_pain001(xml.as_bytes()).unwrap();
        assert_eq!(m.msg_id, "M-1");
        assert_eq!(m.batches[0], ("M-1-001".to_owned(), vec!["T1".to_owned(), "T2".to_owned()]));
        assert_eq!(m.transfers().collect::<Vec<_>>(), ["T1", "T2", "T3"]);
        assert!(parse_pain001(b"<Document><CstmrPmtStsRpt/></Document>").is_none());
        assert!(parse_pain001(b"transfer_id,amount").is_none());
    }
}
