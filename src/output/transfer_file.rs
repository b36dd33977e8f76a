//! A run's `transfers.csv`: its name, its header, and the one reader of it.
//!
//! The run writes the file (see `monthly`); the bank writers read it back from the
//! staged directory and `reconcile` reads it from a finished run. Both go through
//! [`read`], which finds each column by its header name, so a column added or moved
//! later cannot shift what a reader takes for the amount. The last column,
//! `payee_bank_code`, is optional when reading: runs written before it existed
//! lack it, and their transfers read with no code.

use std::path::Path;

use rust_decimal::Decimal;

use crate::core::money::{fmt_amount, parse_amount};
use crate::error::{Fatal, FatalKind};

pub const TRANSFERS: &str = "transfers.csv";
pub const TRANSFERS_HEADER: [&str; 8] =
    ["transfer_id", "period", "payee_account", "payee_name", "payee_bank", "amount", "children", "payee_bank_code"];

/// The columns every `transfers.csv` has (the header without `payee_bank_code`).
const REQUIRED: usize = 7;

/// One line of `transfers.csv`: everything paid to one payee account this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub transfer_id: String,
    pub period: String,
    pub payee_account: String,
    pub payee_name: String,
    pub payee_bank: String,
    pub amount: Decimal,
    pub children: u64,
    /// The payee bank's 12-digit CNAPS code (联行号), when the roster gives one.
    pub payee_bank_code: Option<String>,
}

impl Transfer {
    /// A field by its column name (as a bank template names it).
    pub fn field(&self, name: &str) -> Option<String> {
        Some(match name {
            "transfer_id" => self.transfer_id.clone(),
            "period" => self.period.clone(),
            "payee_account" => self.payee_account.clone(),
            "payee_name" => self.payee_name.clone(),
            "payee_bank" => self.payee_bank.clone(),
            "amount" => fmt_amount(self.amount),
            "children" => self.children.to_string(),
            "payee_bank_code" => self.payee_bank_code.clone().unwrap_or_default(),
            _ => return None,
        })
    }
}

/// Reads every transfer of `path`. A missing column, a short line or a bad amount
/// is a one-line error naming the file and the line.
pub fn read(path: &Path) -> Result<Vec<Transfer>, Fatal> {
    let file = path.display().to_string();
    let err = |line: u64, message: String| {
        Fatal::new(FatalKind::Input, format!("transfers.csv: {message}"), "give the output directory of a real run")
            .zh("transfers.csv无法读取或不完整", "请给出正式运行的输出目录")
            .in_file(file.clone())
            .at_line(line)
    };
    let mut rdr =
        csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| err(1, format!("cannot read it: {e}")))?;
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| err(1, format!("the header has no column {name:?}")))
    };
    let at: Vec<usize> = TRANSFERS_HEADER[..REQUIRED].iter().map(|n| column(n)).collect::<Result<_, _>>()?;
    let code_at = column(TRANSFERS_HEADER[REQUIRED]).ok();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |k: usize| {
            rec.get(at[k]).ok_or_else(|| {
                err(line, format!("the line has {} fields, the header has {}", rec.len(), headers.len()))
            })
        };
        out.push(Transfer {
            transfer_id: get(0)?.to_owned(),
            period: get(1)?.to_owned(),
            payee_account: get(2)?.to_owned(),
            payee_name: get(3)?.to_owned(),
            payee_bank: get(4)?.to_owned(),
            amount: parse_amount(get(5)?)
                .map_err(|_| err(line, format!("amount {:?} is not an amount", &rec[at[5]])))?,
            children: get(6)?.parse().map_err(|_| err(line, format!("children {:?} is not a count", &rec[at[6]])))?,
            payee_bank_code: match code_at {
                Some(c) => Some(
                    rec.get(c)
                        .ok_or_else(|| {
                            err(line, format!("the line has {} fields, the header has {}", rec.len(), headers.len()))
                        })?
                        .to_owned(),
                )
                .filter(|c| !c.is_empty()),
                None => None,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempdir::Dir, std::path::PathBuf) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join(TRANSFERS);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let p = std::env::temp_dir().join(format!(
                    "disburse-transfers-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn reads_by_header_name() {
        let (_d, p) = file(
            "\u{feff}amount,transfer_id,children,period,payee_account,payee_name,payee_bank,extra\n\
             850.50,T201806-000001,2,2018-06,62220210,\"Liu, J\",ICBC,x\n",
        );
        let t = read(&p).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].transfer_id, "T201806-000001");
        assert_eq!(t[0].amount, Decimal::new(85050, 2));
        assert_eq!(t[0].payee_name, "Liu, J");
        assert_eq!(t[0].children, 2);
        assert_eq!(t[0].payee_bank_code, None);
    }

    #[test]
    fn reads_the_bank_code_when_present() {
        let header = TRANSFERS_HEADER.join(",");
        let (_d, p) = file(&format!(
            "{header}\nT201806-000001,2018-06,62220210,Liu,ICBC,850.00,1,102551000011\nT201806-000002,2018-06,62220211,Wu,ABC,800.00,1,\n"
        ));
        let t = read(&p).unwrap();
        assert_eq!(t[0].payee_bank_code.as_deref(), Some("102551000011"));
        assert_eq!(t[1].payee_bank_code, None);
        assert_eq!(t[0].field("payee_bank_code").as_deref(), Some("102551000011"));
    }

    #[test]
    fn short_lines_and_missing_columns_are_errors() {
        let header = TRANSFERS_HEADER.join(",");
        let (_d, p) =
            file(&format!("{header}\nT201806-000001,2018-06,62220210,Liu,ICBC,850.00,1,\nT201806-000002,2018-06\n"));
        let e = read(&p).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("2 fields"), "{}", e.message);
        assert!(e.file.as_deref().unwrap().ends_with(TRANSFERS));

        let (_d, p) = file("transfer_id,period,payee_account\nT1,2018-06,1\n");
        let e = read(&p).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("\"payee_name\""), "{}", e.message);

        let (_d, p) = file(&format!("{header}\nT201806-000001,2018-06,62220210,Liu,ICBC,8e2,1,\n"));
        assert_eq!(read(&p).unwrap_err().line, Some(2));
    }
}
