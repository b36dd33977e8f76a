//! ISO 20022 pain.001.001.09 (CustomerCreditTransferInitiationV09): the payment file
//! in the international format, valid against `shared/iso20022/pain.001.001.09.xsd`.
//!
//! One `PmtInf` per batch of the profile's row limit, `NbOfTxs` and `CtrlSum` in the
//! group header and in each `PmtInf`, `EndToEndId` = transfer id, CNY, the creditor
//! account as `Othr/Id`. A Chinese bank routes an interbank transfer by the payee
//! branch's CNAPS code, so the creditor agent carries it (`ClrSysMmbId`) when the
//! roster gives one, with the bank's name; the debtor agent is the payer's BIC or
//! CNAPS code. `MsgId` is unique per real run (see `message_id`), `CreDtTm` comes
//! from `SOURCE_DATE_EPOCH` or midnight of the execution date, so the file is
//! byte-identical for the same inputs and the same ledger.

use rust_decimal::Decimal;

use super::profile::{BankProfile, LocalInstrument, Payer};
use super::{BankContext, Transfer};
use crate::core::date::iso_datetime;
use crate::core::money::fmt_amount;
use crate::error::{Fatal, FatalKind};

pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// The category purpose when the profile names none: social security benefit.
pub const DEFAULT_CATEGORY_PURPOSE: &str = "SSBE";

/// XML text with the five special characters escaped, cut to `max` characters.
fn text(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().take(max) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `PmtInfId` of batch `k` (from 1): the message id and the batch number, the
/// number kept whole when the two are longer than the schema's 35 characters.
fn payment_id(message_id: &str, k: usize) -> String {
    let suffix = format!("-{k:03}");
    let keep = 35usize.saturating_sub(suffix.len());
    let head: String = message_id.chars().take(keep).collect();
    format!("{head}{suffix}")
}

/// A `FinInstnId`: BIC, CNAPS member id, name; `NOTPROVIDED` when none is known.
fn institution(bic: Option<&str>, cnaps: Option<&str>, name: Option<&str>, indent: &str) -> String {
    let mut x = format!("{indent}<FinInstnId>\n");
    if let Some(b) = bic {
        x.push_str(&format!("{indent}  <BICFI>{}</BICFI>\n", text(b, 11)));
    }
    if let Some(c) = cnaps {
        x.push_str(&format!(
            "{indent}  <ClrSysMmbId>\n{indent}    <ClrSysId>\n{indent}      <Cd>CNAPS</Cd>\n{indent}    </ClrSysId>\n{indent}    <MmbId>{}</MmbId>\n{indent}  </ClrSysMmbId>\n",
            text(c, 35)
        ));
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name {
        x.push_str(&format!("{indent}  <Nm>{}</Nm>\n", text(n, 140)));
    }
    if bic.is_none() && cnaps.is_none() && name.is_none() {
        x.push_str(&format!("{indent}  <Othr>\n{indent}    <Id>NOTPROVIDED</Id>\n{indent}  </Othr>\n"));
    }
    x.push_str(&format!("{indent}</FinInstnId>\n"));
    x
}

/// `PmtTpInf` from the profile's keys (the category purpose always).
fn payment_type(p: &BankProfile) -> String {
    let mut x = String::from("      <PmtTpInf>\n");
    if let Some(prio) = &p.instruction_priority {
        x.push_str(&format!("        <InstrPrty>{}</InstrPrty>\n", text(prio, 4)));
    }
    if let Some(level) = &p.service_level {
        x.push_str(&format!("        <SvcLvl>\n          <Cd>{}</Cd>\n        </SvcLvl>\n", text(level, 4)));
    }
    match &p.local_instrument {
        Some(LocalInstrument::Code(c)) => {
            x.push_str(&format!("        <LclInstrm>\n          <Cd>{}</Cd>\n        </LclInstrm>\n", text(c, 35)))
        }
        Some(LocalInstrument::Proprietary { proprietary }) => x.push_str(&format!(
            "        <LclInstrm>\n          <Prtry>{}</Prtry>\n        </LclInstrm>\n",
            text(proprietary, 35)
        )),
        None => {}
    }
    let purpose = p.category_purpose.as_deref().unwrap_or(DEFAULT_CATEGORY_PURPOSE);
    x.push_str(&format!("        <CtgyPurp>\n          <Cd>{}</Cd>\n        </CtgyPurp>\n", text(purpose, 4)));
    x.push_str("      </PmtTpInf>\n");
    x
}

/// A pain.001 file without `--execution-date`.
pub fn needs_execution_date() -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        "the pain001 bank file needs --execution-date",
        "give the date the bank should pay, e.g. --execution-date 2018-06-10",
    )
    .zh("pain001银行文件需要 --execution-date", "请给出银行付款的日期，例如 --execution-date 2018-06-10")
}

/// A pain.001 file without the paying account.
pub fn needs_payer() -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        "the pain001 bank file needs the paying account",
        "give --payer-account and --payer-name (or a profile with a [payer] section)",
    )
    .zh("pain001银行文件需要付款账户", "请给出 --payer-account 和 --payer-name（或使用含有付款账户信息的银行模板）")
}

/// The whole run as one pain.001 message.
pub(super) fn render(
    profile: &BankProfile,
    transfers: &[Transfer],
    ctx: &BankContext<'_>,
    payer: Option<&Payer>,
) -> Result<Vec<u8>, Fatal> {
    let date = ctx.execution_date.ok_or_else(needs_execution_date)?;
    let payer = payer.ok_or_else(needs_payer)?;
    let created = match ctx.source_date_epoch {
        Some(epoch) => iso_datetime(epoch),
        None => format!("{date}T00:00:00"),
    };
    let size = profile.max_rows.unwrap_or(5000).max(1);
    let total: Decimal = transfers.iter().map(|t| t.amount).sum();
    let mut x = String::with_capacity(transfers.len() * 800 + 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<Document xmlns=\"{NAMESPACE}\">\n  <CstmrCdtTrfInitn>\n"));
    x.push_str("    <GrpHdr>\n");
    x.push_str(&format!("      <MsgId>{}</MsgId>\n", text(&ctx.message_id, 35)));
    x.push_str(&format!("      <CreDtTm>{created}</CreDtTm>\n"));
    x.push_str(&format!("      <NbOfTxs>{}</NbOfTxs>\n", transfers.len()));
    x.push_str(&format!("      <CtrlSum>{}</CtrlSum>\n", fmt_amount(total)));
    x.push_str(&format!("      <InitgPty>\n        <Nm>{}</Nm>\n      </InitgPty>\n", text(&payer.name, 140)));
    x.push_str("    </GrpHdr>\n");
    let debtor_agent = institution(payer.bic.as_deref(), payer.bank_code.as_deref(), payer.bank.as_deref(), "        ");
    let kind = payment_type(profile);
    for (k, batch) in transfers.chunks(size).enumerate() {
        let sum: Decimal = batch.iter().map(|t| t.amount).sum();
        x.push_str("    <PmtInf>\n");
        x.push_str(&format!("      <PmtInfId>{}</PmtInfId>\n", text(&payment_id(&ctx.message_id, k + 1), 35)));
        x.push_str("      <PmtMtd>TRF</PmtMtd>\n");
        x.push_str(&format!("      <NbOfTxs>{}</NbOfTxs>\n", batch.len()));
        x.push_str(&format!("      <CtrlSum>{}</CtrlSum>\n", fmt_amount(sum)));
        x.push_str(&kind);
        x.push_str(&format!("      <ReqdExctnDt>\n        <Dt>{date}</Dt>\n      </ReqdExctnDt>\n"));
        x.push_str(&format!("      <Dbtr>\n        <Nm>{}</Nm>\n      </Dbtr>\n", text(&payer.name, 140)));
        x.push_str(&format!(
            "      <DbtrAcct>\n        <Id>\n          <Othr>\n            <Id>{}</Id>\n          </Othr>\n        </Id>\n      </DbtrAcct>\n",
            text(&payer.account, 34)
        ));
        x.push_str("      <DbtrAgt>\n");
        x.push_str(&debtor_agent);
        x.push_str("      </DbtrAgt>\n");
        if let Some(u) = &profile.ultimate_debtor {
            x.push_str(&format!("      <UltmtDbtr>\n        <Nm>{}</Nm>\n      </UltmtDbtr>\n", text(u, 140)));
        }
        if let Some(c) = &profile.charge_bearer {
            x.push_str(&format!("      <ChrgBr>{}</ChrgBr>\n", text(c, 4)));
        }
        for t in batch {
            x.push_str("      <CdtTrfTxInf>\n");
            x.push_str(&format!(
                "        <PmtId>\n          <EndToEndId>{}</EndToEndId>\n        </PmtId>\n",
                text(&t.transfer_id, 35)
            ));
            x.push_str(&format!(
                "        <Amt>\n          <InstdAmt Ccy=\"CNY\">{}</InstdAmt>\n        </Amt>\n",
                fmt_amount(t.amount)
            ));
            x.push_str("        <CdtrAgt>\n");
            x.push_str(&institution(None, t.payee_bank_code.as_deref(), Some(&t.payee_bank), "          "));
            x.push_str("        </CdtrAgt>\n");
            x.push_str(&format!("        <Cdtr>\n          <Nm>{}</Nm>\n        </Cdtr>\n", text(&t.payee_name, 140)));
            x.push_str(&format!(
                "        <CdtrAcct>\n          <Id>\n            <Othr>\n              <Id>{}</Id>\n            </Othr>\n          </Id>\n        </CdtrAcct>\n",
                text(&t.payee_account, 34)
            ));
            x.push_str(&format!(
                "        <RmtInf>\n          <Ustrd>{}</Ustrd>\n        </RmtInf>\n",
                text(&format!("孤儿基本生活费 {} ({} children)", t.period, t.children), 140)
            ));
            x.push_str("      </CdtTrfTxInf>\n");
        }
        x.push_str("    </PmtInf>\n");
    }
    x.push_str("  </CstmrCdtTrfInitn>\n</Document>\n");
    Ok(x.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_cut() {
        assert_eq!(text("A&B <c> \"d\" 'e'", 140), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
        assert_eq!(text("一二三", 2), "一二");
    }

    fn transfer(n: u32, code: Option<&str>, bank: &str) -> Transfer {
        Transfer {
            transfer_id: format!("T201806-{n:06}"),
            period: "2018-06".into(),
            payee_account: format!("62220210010000000{n:02}"),
            payee_name: "刘建国".into(),
            payee_bank: bank.into(),
            amount: Decimal::new(85050, 2),
            children: 1,
            payee_bank_code: code.map(str::to_owned),
        }
    }

    fn profile(keys: &str) -> BankProfile {
        toml::from_str(&format!("name = \"p\"\nformat = \"pain001\"\nmax_rows = 2\n{keys}")).unwrap()
    }

    /// Three transfers: a CNAPS code with a bank name, a code alone, neither.
    fn render_three(p: &BankProfile, payer: &Payer) -> String {
        let ctx = BankContext {
            period: crate::core::month::Month::parse("2018-06").unwrap(),
            execution_date: Some("2018-06-10"),
            source_date_epoch: None,
            message_id: "DISBURSE-201806-R3-abcdef01".into(),
            payer: None,
            entitlements: None,
        };
        let transfers = [
            transfer(1, Some("102551000011"), "中国工商银行长沙分行"),
            transfer(2, Some("105551000022"), ""),
            transfer(3, None, ""),
        ];
        String::from_utf8(render(p, &transfers, &ctx, Some(payer)).unwrap()).unwrap()
    }

    fn payer() -> Payer {
        Payer {
            account: "1901000000000000001".into(),
            name: "某县民政局".into(),
            bank: Some("中国工商银行某县支行".into()),
            bic: Some("ICBKCNBJHUN".into()),
            bank_code: Some("102551001234".into()),
        }
    }

    const KEYS: &str = "category_purpose = \"GOVT\"\nservice_level = \"URGP\"\nlocal_instrument = \"CORE\"\n\
        charge_bearer = \"SLEV\"\ninstruction_priority = \"NORM\"\nultimate_debtor = \"某县民政局社会救助股\"\n";

    #[test]
    fn agents_carry_cnaps_codes_and_the_profile_keys_fill_the_payment_type() {
        let x = render_three(&profile(KEYS), &payer());
        let cnaps = |code: &str, indent: &str| {
            format!("{indent}<ClrSysMmbId>\n{indent}  <ClrSysId>\n{indent}    <Cd>CNAPS</Cd>\n{indent}  </ClrSysId>\n{indent}  <MmbId>{code}</MmbId>\n{indent}</ClrSysMmbId>\n")
        };
        let agent = |code: &str| format!("<CdtrAgt>\n          <FinInstnId>\n{}", cnaps(code, "            "));
        assert!(x.contains(&format!("{}            <Nm>中国工商银行长沙分行</Nm>", agent("102551000011"))), "{x}");
        assert!(x.contains(&format!("{}          </FinInstnId>", agent("105551000022"))), "{x}");
        assert!(x.contains("<CdtrAgt>\n          <FinInstnId>\n            <Othr>\n              <Id>NOTPROVIDED</Id>"));
        let debtor = format!(
            "<DbtrAgt>\n        <FinInstnId>\n          <BICFI>ICBKCNBJHUN</BICFI>\n{}          <Nm>中国工商银行某县支行</Nm>",
            cnaps("102551001234", "          ")
        );
        assert!(x.contains(&debtor), "{x}");
        let kind = "<PmtTpInf>\n        <InstrPrty>NORM</InstrPrty>\n        <SvcLvl>\n          <Cd>URGP</Cd>\n        </SvcLvl>\n        <LclInstrm>\n          <Cd>CORE</Cd>\n        </LclInstrm>\n        <CtgyPurp>\n          <Cd>GOVT</Cd>\n        </CtgyPurp>\n      </PmtTpInf>";
        assert_eq!(x.matches(kind).count(), 2, "one per PmtInf");
        assert_eq!(
            x.matches(
                "<UltmtDbtr>\n        <Nm>某县民政局社会救助股</Nm>\n      </UltmtDbtr>\n      <ChrgBr>SLEV</ChrgBr>"
            )
            .count(),
            2
        );
        assert!(x.contains("<PmtInfId>DISBURSE-201806-R3-abcdef01-002</PmtInfId>"));
        // Without keys: the category purpose alone, SSBE.
        let plain = render_three(&profile(""), &Payer { bic: None, bank_code: None, ..payer() });
        assert!(plain.contains(
            "<PmtTpInf>\n        <CtgyPurp>\n          <Cd>SSBE</Cd>\n        </CtgyPurp>\n      </PmtTpInf>"
        ));
        assert!(!plain.contains("ChrgBr") && !plain.contains("UltmtDbtr") && !plain.contains("BICFI"));
    }

    #[test]
    #[ignore = "needs xmllint (libxml2-utils): validates against the ISO 20022 schema"]
    fn cnaps_agents_and_profile_keys_validate_against_the_schema() {
        let dir = std::env::temp_dir().join(format!("disburse-pain001-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/iso20022/pain.001.001.09.xsd");
        let proprietary = "local_instrument = { proprietary = \"CNAPS-HVPS\" }\n";
        for (i, (keys, payer)) in [
            (KEYS, payer()),
            (proprietary, Payer { bic: None, ..payer() }),
            ("", Payer { bank: None, bic: None, bank_code: None, ..payer() }),
        ]
        .into_iter()
        .enumerate()
        {
            let doc = dir.join(format!("p{i}.xml"));
            std::fs::write(&doc, render_three(&profile(keys), &payer)).unwrap();
            let o = std::process::Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(&xsd)
                .arg(&doc)
                .output()
                .unwrap_or_else(|e| panic!("needs xmllint (libxml2-utils): {e}"));
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn payment_ids_keep_the_batch_number() {
        assert_eq!(payment_id("DISBURSE-201806-R7-3fa2b4c1", 2), "DISBURSE-201806-R7-3fa2b4c1-002");
        let long = "X".repeat(35);
        assert_eq!(payment_id(&long, 1234), format!("{}-1234", "X".repeat(30)));
    }
}
