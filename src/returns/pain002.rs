//! Reading an ISO 20022 pain.002 payment status report as banks send it: versions
//! .03 to .14 under the ISO namespace, a bank's own namespace that names the version
//! (the Swiss `…pain.002.001.03.ch.02.xsd`), or no namespace at all. Elements are read
//! by local name, since the parts disburse needs are named alike in every version.
//!
//! This file only reads what the report says at each of its three levels (group,
//! payment batch, transaction); `status` decides what that means for each transfer.
//! Every level is optional: real reports leave out the group status, the batch
//! status, or the transaction lines altogether.

use std::str::FromStr;

use roxmltree::Node;
use rust_decimal::Decimal;

use super::fatal;
use super::sent::{element, text_of};
use super::xml_text::{check_shape, decode, LineCounter, MAX_DEPTH};
use crate::error::Fatal;

/// What one level (group, batch or transaction) says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Level {
    /// `GrpSts`, `PmtInfSts` or `TxSts`, when given (empty counts as not given).
    pub status: Option<String>,
    /// `code: text` from its `StsRsnInf` (first code; every `AddtlInf` joined).
    pub reason: String,
    /// The line the level's element starts on.
    pub line: u64,
}

/// An amount as the report gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Amount {
    #[default]
    Absent,
    Given(Decimal),
    /// Text that is not a decimal number (`80O.00`).
    Bad(String),
}

/// One `TxInfAndSts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tx {
    pub end_to_end_id: Option<String>,
    pub level: Level,
    pub amount: Amount,
    pub currency: Option<String>,
    pub account: String,
}

/// One `OrgnlPmtInfAndSts` with its transaction lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub id: Option<String>,
    pub level: Level,
    pub txs: Vec<Tx>,
}

/// A whole status report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The version the namespace names (`None` without a namespace).
    pub version: Option<u8>,
    pub orgnl_msg_id: Option<String>,
    pub orgnl_msg_nm_id: Option<String>,
    pub group: Level,
    pub batches: Vec<Batch>,
}

const FIX: &str = "give the bank's pain.002 file as it was sent";
const FIX_ZH: &str = "请提供银行发来的原始pain.002文件";

/// The pain.002 version a namespace names, if it is one this reader takes: the ISO
/// `urn:iso:std:iso:20022:tech:xsd:pain.002.001.NN`, or a bank's `urn:`/`http(s):`
/// namespace whose last part is `pain.002.001.NN` (optionally followed by `.` and a
/// bank suffix such as `.ch.02.xsd`), NN from 03 to 14.
pub fn namespace_version(ns: &str) -> Option<u8> {
    const ISO: &str = "urn:iso:std:iso:20022:tech:xsd:";
    let is_url = ns.starts_with("http://") || ns.starts_with("https://") || ns.starts_with("urn:");
    if !is_url || ns.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let last = &ns[ns.rfind(['/', ':']).map_or(0, |i| i + 1)..];
    let rest = last.strip_prefix("pain.002.001.")?;
    let (nn, suffix) = rest.split_at_checked(2)?;
    if !nn.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ok_suffix = suffix.is_empty()
        || (suffix.starts_with('.')
            && suffix.len() > 1
            && suffix[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'));
    if !ok_suffix || (ns.starts_with(ISO) && !suffix.is_empty()) {
        return None;
    }
    let v: u8 = nn.parse().ok()?;
    (3..=14).contains(&v).then_some(v)
}

/// Parses a pain.002 report (`path` names it in messages).
pub fn parse(path: &str, bytes: &[u8]) -> Result<Report, Fatal> {
    let text = decode(bytes).map_err(|why| {
        fatal(
            format!("the status report is not readable XML text: {why}"),
            "save it as UTF-8 XML and try again",
            ("银行状态报告不是可以读取的XML文字".to_owned(), "请保存为UTF-8编码的XML后重试"),
        )
        .in_file(path)
    })?;
    check_shape(&text, MAX_DEPTH).map_err(|(line, why)| {
        fatal(
            format!("the status report cannot be read safely: {why}"),
            FIX,
            ("银行状态报告含有不安全的结构（文档类型声明或嵌套过深），不予读取".to_owned(), FIX_ZH),
        )
        .in_file(path)
        .at_line(line)
    })?;
    let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX };
    let doc = roxmltree::Document::parse_with_options(&text, opts).map_err(|e| {
        fatal(
            format!("the status report is not well-formed XML: {e}"),
            FIX,
            ("银行状态报告不是格式正确的XML".to_owned(), FIX_ZH),
        )
        .in_file(path)
        .at_line(e.pos().row.into())
    })?;
    let root = doc.root_element();
    let version = match root.tag_name().namespace() {
        None => None,
        Some(ns) => Some(namespace_version(ns).ok_or_else(|| {
            fatal(
                format!("the XML namespace {ns:?} is not a pain.002 status report (versions 03 to 14)"),
                "give the bank's pain.002 status report",
                (format!("XML命名空间“{ns}”不是pain.002状态报告（版本03至14）"), "请提供银行的pain.002状态报告"),
            )
            .in_file(path)
        })?),
    };
    let body = (root.tag_name().name() == "Document").then(|| element(root, "CstmrPmtStsRpt")).flatten();
    let Some(body) = body else {
        let what = if root.tag_name().name() == "Document" {
            "a Document without CstmrPmtStsRpt".to_owned()
        } else {
            format!("its root element is {}", root.tag_name().name())
        };
        return Err(fatal(
            format!("this XML is not a pain.002 payment status report ({what}; expected CstmrPmtStsRpt in a Document)"),
            "give the bank's pain.002 file itself (take the Document out of any envelope)",
            (
                "该XML不是pain.002付款状态报告（其中没有CstmrPmtStsRpt）".to_owned(),
                "请提供银行的pain.002文件本身（如有外层封装，请去掉）",
            ),
        )
        .in_file(path));
    };
    let mut lines = LineCounter::new(&text);
    let mut report = Report { version, ..Report::default() };
    for n in body.children().filter(Node::is_element) {
        match n.tag_name().name() {
            "OrgnlGrpInfAndSts" => {
                report.orgnl_msg_id = element(n, "OrgnlMsgId").map(text_of);
                report.orgnl_msg_nm_id = element(n, "OrgnlMsgNmId").map(text_of);
                report.group = level(n, "GrpSts", &mut lines);
            }
            "OrgnlPmtInfAndSts" => {
                let mut batch = Batch {
                    id: element(n, "OrgnlPmtInfId").map(text_of),
                    level: level(n, "PmtInfSts", &mut lines),
                    txs: Vec::new(),
                };
                for t in n.children().filter(|c| c.is_element() && c.tag_name().name() == "TxInfAndSts") {
                    batch.txs.push(tx(t, &mut lines));
                }
                report.batches.push(batch);
            }
            // Not where pain.002 puts it (pacs.002 does): kept, in a batch of its own.
            "TxInfAndSts" => {
                let level = Level { line: lines.line_at(n.range().start), ..Level::default() };
                report.batches.push(Batch { id: None, level, txs: vec![tx(n, &mut lines)] });
            }
            _ => {}
        }
    }
    Ok(report)
}

/// The status named `status` under `n`, with its reason.
fn level(n: Node<'_, '_>, status: &str, lines: &mut LineCounter<'_>) -> Level {
    Level {
        status: element(n, status).map(text_of).filter(|s| !s.is_empty()),
        reason: reason(n),
        line: lines.line_at(n.range().start),
    }
}

/// `code: text`: the first `Rsn/Cd` (or `Rsn/Prtry`) of all `StsRsnInf`, and every
/// `AddtlInf` joined (banks split long text over several). Empty when none is given.
pub fn reason(n: Node<'_, '_>) -> String {
    let infos = n.children().filter(|c| c.is_element() && c.tag_name().name() == "StsRsnInf");
    let mut code = String::new();
    let mut text: Vec<String> = Vec::new();
    for inf in infos {
        if code.is_empty() {
            if let Some(rsn) = element(inf, "Rsn") {
                code = element(rsn, "Cd").or_else(|| element(rsn, "Prtry")).map(text_of).unwrap_or_default();
            }
        }
        for a in inf.children().filter(|c| c.is_element() && c.tag_name().name() == "AddtlInf") {
            let t = text_of(a);
            if !t.is_empty() {
                text.push(t);
            }
        }
    }
    match (code.is_empty(), text.is_empty()) {
        (false, false) => format!("{code}: {}", text.join(" ")),
        (false, true) => code,
        (true, _) => text.join(" "),
    }
}

fn tx(t: Node<'_, '_>, lines: &mut LineCounter<'_>) -> Tx {
    let reference = element(t, "OrgnlTxRef");
    let amt = reference.and_then(|r| element(r, "Amt"));
    let (amount_node, currency) = match amt.and_then(|a| element(a, "InstdAmt")) {
        Some(i) => (Some(i), i.attribute("Ccy").map(|c| c.trim().to_owned())),
        None => {
            let eq = amt.and_then(|a| element(a, "EqvtAmt"));
            (eq.and_then(|e| element(e, "Amt")), eq.and_then(|e| element(e, "CcyOfTrf")).map(text_of))
        }
    };
    let amount = match amount_node.map(text_of) {
        None => Amount::Absent,
        Some(a) => decimal(&a).map_or(Amount::Bad(a), Amount::Given),
    };
    let account = reference
        .and_then(|r| element(r, "CdtrAcct"))
        .and_then(|a| element(a, "Id"))
        .and_then(|id| element(id, "Othr").and_then(|o| element(o, "Id")).or_else(|| element(id, "IBAN")))
        .map(text_of)
        .unwrap_or_default();
    Tx {
        end_to_end_id: element(t, "OrgnlEndToEndId").map(text_of).filter(|s| !s.is_empty()),
        level: level(t, "TxSts", lines),
        amount,
        currency,
        account,
    }
}

/// An `xs:decimal` (`800`, `800.00`, `0.00000`, `.5`), nothing else: no exponent,
/// no group separators, no letters.
pub fn decimal(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !plain(int) || !plain(frac) || s.len() > 40 {
        return None;
    }
    let d = Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()?;
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_by_pattern_not_substring() {
        let ok = [
            ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", 3),
            ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.10", 10),
            ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.14", 14),
            ("http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd", 3),
            ("https://bank.example/xsd/pain.002.001.09.xsd", 9),
        ];
        for (ns, v) in ok {
            assert_eq!(namespace_version(ns), Some(v), "{ns}");
        }
        for ns in [
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.02",
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.15",
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.99",
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.3",
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03x",
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03.ch.02",
            "urn:evil:pain.002.001.03x",
            "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
            "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10",
            "xpain.002.001.03",
            "http://x/notpain.002.001.03.xsd",
            "http://x/pain.002.001.03.",
            "http://x/pain.002.001.03 .xsd",
            "",
        ] {
            assert_eq!(namespace_version(ns), None, "{ns}");
        }
    }

    #[test]
    fn decimals_are_strict() {
        assert_eq!(decimal("800.00"), Some(Decimal::new(80000, 2)));
        assert_eq!(decimal("0.00000"), Some(Decimal::ZERO));
        assert_eq!(decimal("4277084.260"), Some(Decimal::new(427708426, 2)));
        assert_eq!(decimal(".5"), Some(Decimal::new(5, 1)));
        for bad in ["80O.00", "", ".", "1e3", "1_000", "1,000.00", "¥800", "+", "1.2.3", " 8", "NaN"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        assert_eq!(decimal(&"9".repeat(41)), None);
    }

    fn parsed(xml: &str) -> Result<Report, Fatal> {
        parse("r.xml", xml.as_bytes())
    }

    #[test]
    fn every_level_is_read_by_local_name() {
        let xml = "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">\n\
            <CstmrPmtStsRpt>\n<GrpHdr><MsgId>R</MsgId></GrpHdr>\n\
            <OrgnlGrpInfAndSts><OrgnlMsgId>  M-1 </OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>\
            <GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>\n\
            <OrgnlPmtInfAndSts><OrgnlPmtInfId> B 1 </OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>\
            <StsRsnInf><Orgtr><Nm>X</Nm></Orgtr></StsRsnInf><StsRsnInf></StsRsnInf>\
            <StsRsnInf><Rsn><Cd>DT01</Cd></Rsn><AddtlInf>Invalid</AddtlInf><AddtlInf>date</AddtlInf></StsRsnInf>\n\
            <TxInfAndSts><OrgnlEndToEndId>T1</OrgnlEndToEndId><TxSts>RJCT</TxSts>\
            <OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">0.00000</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n\
            <TxInfAndSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">80O.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n\
            </OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>";
        let r = parsed(xml).unwrap();
        assert_eq!(r.version, Some(3));
        assert_eq!(r.orgnl_msg_id.as_deref(), Some("M-1"));
        assert_eq!(r.group.status.as_deref(), Some("PART"));
        assert_eq!(r.group.line, 5);
        let b = &r.batches[0];
        assert_eq!((b.id.as_deref(), b.level.status.as_deref(), b.level.line), (Some("B 1"), Some("RJCT"), 6));
        assert_eq!(b.level.reason, "DT01: Invalid date");
        assert_eq!(b.txs[0].end_to_end_id.as_deref(), Some("T1"));
        assert_eq!(b.txs[0].amount, Amount::Given(Decimal::ZERO));
        assert_eq!(b.txs[0].currency.as_deref(), Some("EUR"));
        assert_eq!(b.txs[0].level.line, 7);
        assert_eq!(b.txs[1].amount, Amount::Bad("80O.00".into()));
        assert_eq!(b.txs[1].end_to_end_id, None);
    }

    #[test]
    fn wrong_roots_and_namespaces_are_refused_by_name() {
        let e = parsed("<Document xmlns=\"urn:evil:pain.002.001.03x\"><CstmrPmtStsRpt/></Document>").unwrap_err();
        assert!(e.to_string().contains("urn:evil:pain.002.001.03x"), "{e}");
        let e = parsed("<BusMsgEnvlp><Document><CstmrPmtStsRpt/></Document></BusMsgEnvlp>").unwrap_err();
        assert!(e.to_string().contains("root element is BusMsgEnvlp"), "{e}");
        let e = parsed("<Document><CstmrCdtTrfInitn/></Document>").unwrap_err();
        assert!(e.to_string().contains("without CstmrPmtStsRpt"), "{e}");
        assert!(parsed("<Document><CstmrPmtStsRpt/></Document>").is_ok());
        let deep = format!("<Document>{}", "<a>".repeat(20_000));
        assert!(parsed(&deep).unwrap_err().to_string().contains("deeper than 64"));
    }

    #[test]
    fn twenty_thousand_transactions_read_in_one_pass() {
        let mut xml = String::from("<Document><CstmrPmtStsRpt><OrgnlPmtInfAndSts>\n");
        for k in 0..20_000 {
            xml.push_str(&format!(
                "<TxInfAndSts><OrgnlEndToEndId>T{k}</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>\n"
            ));
        }
        xml.push_str("</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n");
        let r = parsed(&xml).unwrap();
        assert_eq!(r.batches[0].txs.len(), 20_000);
        assert_eq!(r.batches[0].txs[19_999].level.line, 20_001);
    }
}
