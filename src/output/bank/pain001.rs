//! ISO 20022 pain.001.001.09 (CustomerCreditTransferInitiationV09): the payment file
//! in the international format, valid against `shared/iso20022/pain.001.001.09.xsd`.
//!
//! One `PmtInf` per batch of the profile's row limit, `NbOfTxs` and `CtrlSum` in the
//! group header and in each `PmtInf`, `EndToEndId` = transfer id, CNY, the creditor
//! account as `Othr/Id`, the bank name as the creditor agent. `MsgId` comes from the
//! run (period and audit head), `CreDtTm` from `SOURCE_DATE_EPOCH` or midnight of the
//! execution date, so the file is byte-identical run to run.

use std::path::Path;

use rust_decimal::Decimal;

use super::{store, BankContext, BankProfile, Payer, Transfer};
use crate::core::date::iso_datetime;
use crate::core::money::fmt_amount;
use crate::error::{Fatal, FatalKind};
use crate::output::sink::OutputInfo;
use crate::output::staged::StagedDir;

pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

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

/// Writes the whole run as one pain.001 message; returns its manifest entry.
pub(super) fn write(
    staged: &StagedDir,
    out: &Path,
    profile: &BankProfile,
    transfers: &[Transfer],
    ctx: &BankContext<'_>,
    payer: Option<Payer>,
) -> Result<Vec<OutputInfo>, Fatal> {
    let usage = |m: &str, fix: &str| Fatal::new(FatalKind::Usage, m.to_owned(), fix.to_owned());
    let date = ctx.execution_date.ok_or_else(|| {
        usage(
            "the pain001 bank file needs --execution-date",
            "give the date the bank should pay, e.g. --execution-date 2018-06-10",
        )
    })?;
    let payer = payer.ok_or_else(|| {
        usage(
            "the pain001 bank file needs the paying account",
            "give --payer-account and --payer-name (or a profile with a [payer] section)",
        )
    })?;
    if transfers.is_empty() {
        return Ok(Vec::new());
    }
    let created = match ctx.source_date_epoch {
        Some(epoch) => iso_datetime(epoch),
        None => format!("{date}T00:00:00"),
    };
    let size = profile.max_rows.unwrap_or(5000).max(1);
    let total: Decimal = transfers.iter().map(|t| t.amount).sum();
    let mut x = String::with_capacity(transfers.len() * 700 + 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<Document xmlns=\"{NAMESPACE}\">\n  <CstmrCdtTrfInitn>\n"));
    x.push_str("    <GrpHdr>\n");
    x.push_str(&format!("      <MsgId>{}</MsgId>\n", text(&ctx.message_id, 35)));
    x.push_str(&format!("      <CreDtTm>{created}</CreDtTm>\n"));
    x.push_str(&format!("      <NbOfTxs>{}</NbOfTxs>\n", transfers.len()));
    x.push_str(&format!("      <CtrlSum>{}</CtrlSum>\n", fmt_amount(total)));
    x.push_str(&format!("      <InitgPty>\n        <Nm>{}</Nm>\n      </InitgPty>\n", text(&payer.name, 140)));
    x.push_str("    </GrpHdr>\n");
    for (k, batch) in transfers.chunks(size).enumerate() {
        let sum: Decimal = batch.iter().map(|t| t.amount).sum();
        x.push_str("    <PmtInf>\n");
        x.push_str(&format!("      <PmtInfId>{}</PmtInfId>\n", text(&format!("{}-{:03}", ctx.message_id, k + 1), 35)));
        x.push_str("      <PmtMtd>TRF</PmtMtd>\n");
        x.push_str(&format!("      <NbOfTxs>{}</NbOfTxs>\n", batch.len()));
        x.push_str(&format!("      <CtrlSum>{}</CtrlSum>\n", fmt_amount(sum)));
        x.push_str(&format!("      <ReqdExctnDt>\n        <Dt>{date}</Dt>\n      </ReqdExctnDt>\n"));
        x.push_str(&format!("      <Dbtr>\n        <Nm>{}</Nm>\n      </Dbtr>\n", text(&payer.name, 140)));
        x.push_str(&format!(
            "      <DbtrAcct>\n        <Id>\n          <Othr>\n            <Id>{}</Id>\n          </Othr>\n        </Id>\n      </DbtrAcct>\n",
            text(&payer.account, 34)
        ));
        match &payer.bank {
            Some(bank) => x.push_str(&format!(
                "      <DbtrAgt>\n        <FinInstnId>\n          <Nm>{}</Nm>\n        </FinInstnId>\n      </DbtrAgt>\n",
                text(bank, 140)
            )),
            None => x.push_str(
                "      <DbtrAgt>\n        <FinInstnId>\n          <Othr>\n            <Id>NOTPROVIDED</Id>\n          </Othr>\n        </FinInstnId>\n      </DbtrAgt>\n",
            ),
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
            x.push_str(&format!(
                "        <CdtrAgt>\n          <FinInstnId>\n            <Nm>{}</Nm>\n          </FinInstnId>\n        </CdtrAgt>\n",
                text(&t.payee_bank, 140)
            ));
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
    let file = profile
        .file_name
        .as_deref()
        .unwrap_or("pain001-{period}.xml")
        .replace("{period}", &ctx.period.to_string())
        .replace("{name}", &profile.name)
        .replace("{batch}", "001");
    let rel = format!("bank/{}/{file}", profile.name);
    Ok(vec![store(staged, out, rel, x.as_bytes(), transfers.len() as u64, total, "writing the pain.001 file")?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_cut() {
        assert_eq!(text("A&B <c> \"d\" 'e'", 140), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
        assert_eq!(text("一二三", 2), "一二");
    }
}
