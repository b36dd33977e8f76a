//! A bank profile: the TOML keys a clerk writes to describe one bank's upload
//! template, the built-ins, and the checks a profile passes before a run uses it.
//! Everything here can be checked without the run's transfers; what depends on the
//! run's values (the filled file names, the placeholder values) is in `names`.

use serde::Deserialize;

use crate::error::{Fatal, FatalKind};
use crate::returns::ReturnLayout;

/// The transfer fields a column may name: the columns of `transfers.csv`, the
/// payee's bank code, and `seq` (1, 2, … within each file).
pub const FIELDS: [&str; 9] = with_seq(crate::output::transfer_file::TRANSFERS_HEADER);

const fn with_seq(header: [&'static str; 8]) -> [&'static str; 9] {
    let mut out = ["seq"; 9];
    let mut i = 0;
    while i < header.len() {
        out[i] = header[i];
        i += 1;
    }
    out
}

/// The built-in profiles; a profile file may not take one of these names.
pub const BUILT_INS: [&str; 2] = ["generic-csv", "pain001"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Pain001,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum TextEncoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "gbk")]
    Gbk,
}

/// The cell type of a column in a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellType {
    Text,
    Number,
}

/// One column of the template: a header and either a transfer field or a constant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileColumn {
    pub header: String,
    pub field: Option<String>,
    pub value: Option<String>,
    /// `text` or `number` (the workbook cell type); default: numbers for `amount`
    /// and `seq`, text for everything else.
    #[serde(rename = "type")]
    pub cell_type: Option<CellType>,
    /// The most bytes a value may take in the file's encoding.
    pub max_bytes: Option<usize>,
    /// Cut a longer value at `max_bytes` instead of refusing it (constants only).
    #[serde(default)]
    pub truncate: bool,
}

impl ProfileColumn {
    /// A column holding a transfer field, with the default cell type.
    pub fn of_field(field: &str) -> ProfileColumn {
        ProfileColumn {
            header: field.into(),
            field: Some(field.into()),
            value: None,
            cell_type: None,
            max_bytes: None,
            truncate: false,
        }
    }

    /// The workbook cell type: as the profile says, else numbers for the amount and
    /// the sequence number.
    pub fn cell_type(&self) -> CellType {
        match (self.cell_type, self.field.as_deref()) {
            (Some(t), _) => t,
            (None, Some("amount" | "seq")) => CellType::Number,
            _ => CellType::Text,
        }
    }
}

/// The paying account.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    pub account: String,
    pub name: String,
    pub bank: Option<String>,
    /// The paying bank's BIC (pain.001's debtor agent).
    pub bic: Option<String>,
    /// The paying bank branch's 12-digit CNAPS code (pain.001's debtor agent).
    pub bank_code: Option<String>,
}

/// `LclInstrm`: a code (`"CORE"`) or a bank's own value (`{ proprietary = "…" }`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum LocalInstrument {
    Code(String),
    Proprietary { proprietary: String },
}

/// A bank profile (TOML).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankProfile {
    pub name: String,
    pub format: Format,
    #[serde(default)]
    pub encoding: TextEncoding,
    /// Most transfers per file (banks often take 5000); none = one file.
    pub max_rows: Option<usize>,
    /// `{period}`, `{batch}` (3 digits) and `{name}` are filled in.
    pub file_name: Option<String>,
    #[serde(default = "yes")]
    pub column_headers: bool,
    /// `lf` (default) or `crlf`.
    pub line_end: Option<String>,
    /// A line before the rows; `{count}`, `{total}`, `{batch}`, `{batches}`,
    /// `{period}`, `{payer_account}`, `{payer_name}` are filled in.
    pub header_line: Option<String>,
    /// A line after the rows, with the same placeholders.
    pub trailer_line: Option<String>,
    /// The workbook's sheet (xlsx only).
    pub sheet_name: Option<String>,
    /// Rows above the column headers, each a list of cells with placeholders.
    #[serde(default)]
    pub preamble: Vec<Vec<String>>,
    pub payer: Option<Payer>,
    #[serde(default)]
    pub columns: Vec<ProfileColumn>,
    /// pain001: `CtgyPurp/Cd` (default `SSBE`, social security benefit).
    pub category_purpose: Option<String>,
    /// pain001: `SvcLvl/Cd`.
    pub service_level: Option<String>,
    /// pain001: `LclInstrm/Cd` or `LclInstrm/Prtry`.
    pub local_instrument: Option<LocalInstrument>,
    /// pain001: `ChrgBr` (`DEBT`, `CRED`, `SHAR`, `SLEV`).
    pub charge_bearer: Option<String>,
    /// pain001: `InstrPrty` (`HIGH`, `NORM`).
    pub instruction_priority: Option<String>,
    /// pain001: `UltmtDbtr/Nm`, the party the money is paid on behalf of.
    pub ultimate_debtor: Option<String>,
    /// How the bank's return file for this template looks (for `reconcile`).
    pub returns: Option<ReturnLayout>,
}

fn yes() -> bool {
    true
}

/// What is wrong, in English and in Chinese.
pub(super) type Said = (String, String);

/// A bank profile that cannot be used: `said` in English and in Chinese.
pub(super) fn bad_profile(source: &str, said: Said) -> Fatal {
    Fatal::new(
        FatalKind::Usage,
        format!("bad bank profile: {}", said.0),
        "correct the profile (see docs/bank-profiles.md)",
    )
    .zh(format!("银行模板有误：{}", said.1), "请更正银行模板（见 docs/bank-profiles.md）")
    .in_file(source)
}

impl BankProfile {
    fn built_in(name: &str, format: Format, file_name: &str, columns: Vec<ProfileColumn>) -> BankProfile {
        BankProfile {
            name: name.into(),
            format,
            encoding: TextEncoding::Utf8,
            max_rows: (format == Format::Pain001).then_some(5000),
            file_name: Some(file_name.into()),
            column_headers: format != Format::Pain001,
            line_end: None,
            header_line: None,
            trailer_line: None,
            sheet_name: None,
            preamble: Vec::new(),
            payer: None,
            columns,
            category_purpose: None,
            service_level: None,
            local_instrument: None,
            charge_bearer: None,
            instruction_priority: None,
            ultimate_debtor: None,
            returns: None,
        }
    }

    /// `generic-csv`, `pain001`, or a TOML file.
    pub fn load(spec: &str) -> Result<BankProfile, Fatal> {
        let profile = match spec {
            "generic-csv" => BankProfile::built_in(
                "generic-csv",
                Format::Csv,
                "transfers-{period}-{batch}.csv",
                crate::output::transfer_file::TRANSFERS_HEADER.iter().map(|f| ProfileColumn::of_field(f)).collect(),
            ),
            "pain001" => BankProfile::built_in("pain001", Format::Pain001, "pain001-{period}.xml", Vec::new()),
            path => {
                crate::roster::input_file::check_regular(path, "bank profile")?;
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Fatal::new(
                        FatalKind::Usage,
                        format!("cannot read the bank profile: {e}"),
                        "give a profile file or generic-csv or pain001",
                    )
                    .zh(
                        format!("无法读取银行模板：{}", crate::error::io_zh(&e).0),
                        "请给出银行模板文件（UTF-8编码的TOML），或 generic-csv、pain001",
                    )
                    .in_file(path)
                })?;
                return BankProfile::from_toml(&text, path);
            }
        };
        profile.check(spec)?;
        Ok(profile)
    }

    /// A profile from its TOML text (`source` names it in errors), checked as
    /// `load` checks a file.
    pub fn from_toml(text: &str, source: &str) -> Result<BankProfile, Fatal> {
        let p = toml::from_str::<BankProfile>(text)
            .map_err(|e| bad_profile(source, (e.message().to_owned(), crate::error::toml_zh(&e, text))))?;
        if BUILT_INS.contains(&p.name.as_str()) {
            return Err(bad_profile(
                source,
                (
                    format!("key `name`: {:?} is a built-in profile's name; give this profile its own", p.name),
                    format!("“name”的值“{}”是内置模板的名称，请另起一个名称", p.name),
                ),
            ));
        }
        p.check(source)?;
        Ok(p)
    }

    fn check(&self, source: &str) -> Result<(), Fatal> {
        let bad = |en: &str, zh: &str| Err(bad_profile(source, (en.to_owned(), zh.to_owned())));
        if self.name.is_empty() || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return bad("key `name` must be letters, digits, - or _", "“name”只能由字母、数字、“-”或“_”组成");
        }
        if self.max_rows == Some(0) {
            return bad("key `max_rows` must be at least 1", "“max_rows”至少为1");
        }
        let template = self.format != Format::Pain001;
        if template && self.columns.is_empty() {
            return bad("key `columns` is empty: list the template's columns", "“columns”是空的，请列出模板的各列");
        }
        for (i, c) in self.columns.iter().enumerate() {
            self.check_column(i, c).map_err(|m| bad_profile(source, m))?;
        }
        if let Some(l) = &self.line_end {
            if l != "lf" && l != "crlf" {
                return bad("key `line_end` must be lf or crlf", "“line_end”只能是“lf”或“crlf”");
            }
        }
        if let Some(f) = &self.file_name {
            if let Err((en, zh)) = check_file_name(f) {
                return bad(&format!("key `file_name`: {en}"), &format!("“file_name”：{zh}"));
            }
        }
        if let Some(s) = &self.sheet_name {
            if self.format != Format::Xlsx {
                return bad("key `sheet_name` is for xlsx profiles", "“sheet_name”只用于xlsx模板");
            }
            let forbidden = |c: char| "[]:*?/\\".contains(c) || c.is_control();
            if s.is_empty() || s.chars().count() > 31 || s.chars().any(forbidden) || s.starts_with('\'') {
                return bad(
                    "key `sheet_name` must be 1 to 31 characters, none of [ ] : * ? / \\",
                    "“sheet_name”须为1至31个字符，且不含 [ ] : * ? / \\",
                );
            }
        }
        if !self.preamble.is_empty() && !template {
            return bad("key `preamble` is for csv and xlsx profiles", "“preamble”只用于csv和xlsx模板");
        }
        self.check_pain001_keys().map_err(|m| bad_profile(source, m))?;
        if let Some(p) = &self.payer {
            check_payer_codes(p).map_err(|(k, en, zh)| {
                bad_profile(source, (format!("key `payer.{k}`: {en}"), format!("“payer.{k}”：{zh}")))
            })?;
        }
        Ok(())
    }

    fn check_column(&self, i: usize, c: &ProfileColumn) -> Result<(), Said> {
        match (&c.field, &c.value) {
            (Some(f), None) if FIELDS.contains(&f.as_str()) => {}
            (Some(f), None) => {
                return Err((
                    format!("key `columns[{i}].field`: {f:?} is not one of {}", FIELDS.join(", ")),
                    format!("“columns[{i}].field”的值“{f}”不在可用的字段中（{}）", FIELDS.join("、")),
                ));
            }
            (None, Some(_)) => {}
            _ => {
                return Err((
                    format!("key `columns[{i}]` needs exactly one of `field` or `value`"),
                    format!("“columns[{i}]”须在“field”和“value”中恰好写一个"),
                ))
            }
        }
        let field = c.field.as_deref();
        if c.cell_type == Some(CellType::Number)
            && matches!(
                field,
                Some("transfer_id" | "period" | "payee_account" | "payee_bank_code" | "payee_name" | "payee_bank")
            )
        {
            return Err((
                format!(
                    "key `columns[{i}].type`: {} must be text (a number cell loses digits and leading zeros)",
                    field.unwrap_or_default()
                ),
                format!(
                    "“columns[{i}].type”：{}必须是文本（数字单元格会丢失位数和开头的0）",
                    field.unwrap_or_default()
                ),
            ));
        }
        if c.max_bytes == Some(0) {
            return Err((
                format!("key `columns[{i}].max_bytes` must be at least 1"),
                format!("“columns[{i}].max_bytes”至少为1"),
            ));
        }
        if c.truncate && (field.is_some() || c.max_bytes.is_none()) {
            return Err((
                format!(
                    "key `columns[{i}].truncate`: only a constant (`value`) column with `max_bytes` may be cut; \
                     a transfer's name, account or amount never is"
                ),
                format!(
                    "“columns[{i}].truncate”：只有写了“max_bytes”的固定值（“value”）列可以截断，户名、账号和金额决不截断"
                ),
            ));
        }
        Ok(())
    }

    fn check_pain001_keys(&self) -> Result<(), Said> {
        let keys = [
            ("category_purpose", self.category_purpose.is_some()),
            ("service_level", self.service_level.is_some()),
            ("local_instrument", self.local_instrument.is_some()),
            ("charge_bearer", self.charge_bearer.is_some()),
            ("instruction_priority", self.instruction_priority.is_some()),
            ("ultimate_debtor", self.ultimate_debtor.is_some()),
        ];
        if self.format != Format::Pain001 {
            return match keys.iter().find(|(_, set)| *set) {
                Some((key, _)) => {
                    Err((format!("key `{key}` is for pain001 profiles"), format!("“{key}”只用于pain001模板")))
                }
                None => Ok(()),
            };
        }
        let code = |key: &str, v: &Option<String>, max: usize| match v {
            Some(v) if v.is_empty() || v.len() > max || !v.bytes().all(|b| b.is_ascii_alphanumeric()) => Err((
                format!("key `{key}`: {v:?} must be a code of 1 to {max} letters or digits"),
                format!("“{key}”的值“{v}”须为1至{max}位字母或数字的代码"),
            )),
            _ => Ok(()),
        };
        code("category_purpose", &self.category_purpose, 4)?;
        code("service_level", &self.service_level, 4)?;
        match &self.local_instrument {
            Some(LocalInstrument::Code(c)) => code("local_instrument", &Some(c.clone()), 35)?,
            Some(LocalInstrument::Proprietary { proprietary: p }) if p.trim().is_empty() || p.chars().count() > 35 => {
                return Err((
                    "key `local_instrument.proprietary` must be 1 to 35 characters".into(),
                    "“local_instrument.proprietary”须为1至35个字符".into(),
                ));
            }
            _ => {}
        }
        let one_of = |key: &str, v: &Option<String>, allowed: &[&str]| match v {
            Some(v) if !allowed.contains(&v.as_str()) => Err((
                format!("key `{key}`: {v:?} is not one of {}", allowed.join(", ")),
                format!("“{key}”的值“{v}”不是{}之一", allowed.join("、")),
            )),
            _ => Ok(()),
        };
        one_of("charge_bearer", &self.charge_bearer, &["DEBT", "CRED", "SHAR", "SLEV"])?;
        one_of("instruction_priority", &self.instruction_priority, &["HIGH", "NORM"])?;
        if let Some(u) = &self.ultimate_debtor {
            if u.trim().is_empty() || u.chars().any(char::is_control) {
                return Err((
                    "key `ultimate_debtor` must be a name on one line".into(),
                    "“ultimate_debtor”须为写在一行内的名称".into(),
                ));
            }
        }
        Ok(())
    }
}

/// The payer's BIC and bank code, when given: `Err` is the key (`bic` or
/// `bank_code`) and what is wrong, in English and in Chinese.
pub fn check_payer_codes(p: &Payer) -> Result<(), (&'static str, String, String)> {
    if let Some(bic) = &p.bic {
        let b = bic.as_bytes();
        let alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
        // ISO 9362: 4 letters or digits (the bank), 2 letters (the country), 2 (the
        // place), optionally 3 (the branch).
        let ok = (b.len() == 8 || b.len() == 11)
            && b[..4].iter().all(alnum)
            && b[4..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(alnum);
        if !ok {
            return Err((
                "bic",
                format!("{bic:?} is not a BIC (8 or 11 letters and digits, e.g. ICBKCNBJHUN)"),
                format!("“{bic}”不是BIC代码（8或11位字母和数字，如ICBKCNBJHUN）"),
            ));
        }
    }
    if let Some(code) = &p.bank_code {
        if code.len() != 12 || !code.bytes().all(|c| c.is_ascii_digit()) {
            return Err((
                "bank_code",
                format!("{code:?} is not a 12-digit CNAPS bank code (联行号)"),
                format!("“{code}”不是12位的联行号"),
            ));
        }
    }
    Ok(())
}

/// A file name as it will be created: one plain name, kept inside the profile's
/// folder. `Err` says what is wrong, in English and in Chinese.
pub(super) fn check_file_name(name: &str) -> Result<(), Said> {
    if name.is_empty() {
        return Err(("the file name is empty".into(), "文件名是空的".into()));
    }
    if name.contains(['/', '\\']) || name.contains("..") || name.starts_with('.') {
        return Err((
            format!("{name:?} is not a plain file name (no / or \\, no .., not starting with .)"),
            format!("“{name}”不是单纯的文件名（不能含 / 或 \\ 或 ..，不能以 . 开头）"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err((
            format!("{name:?} holds a line break or another control character"),
            format!("文件名“{}”含有换行或其他控制字符", name.escape_debug()),
        ));
    }
    if name.len() > 255 {
        return Err(("the file name is longer than 255 bytes".into(), "文件名超过255字节".into()));
    }
    Ok(())
}

/// The length of `s` in bytes in `encoding`.
pub(super) fn byte_len(s: &str, encoding: TextEncoding) -> usize {
    match encoding {
        TextEncoding::Utf8 => s.len(),
        TextEncoding::Gbk => encoding_rs::GBK.encode(s).0.len(),
    }
}

/// The first character of `s` that `encoding` cannot write.
pub(super) fn unwritable(s: &str, encoding: TextEncoding) -> Option<char> {
    match encoding {
        TextEncoding::Utf8 => None,
        TextEncoding::Gbk => {
            if !encoding_rs::GBK.encode(s).2 {
                return None;
            }
            let mut buf = [0u8; 4];
            s.chars().find(|c| encoding_rs::GBK.encode(c.encode_utf8(&mut buf)).2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<BankProfile, String> {
        let p: BankProfile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        p.check("p.toml").map_err(|e| e.message)?;
        Ok(p)
    }

    const COLUMN: &str = "[[columns]]\nheader = \"金额\"\nfield = \"amount\"\n";

    #[test]
    fn template_keys_are_checked() {
        let ok = check(&format!(
            "name = \"t\"\nformat = \"xlsx\"\nsheet_name = \"代发工资模板\"\npreamble = [[\"总金额\", \"{{total}}\"]]\n{COLUMN}\
             [[columns]]\nheader = \"序号\"\nfield = \"seq\"\n[[columns]]\nheader = \"备注\"\nvalue = \"孤儿\"\nmax_bytes = 4\ntruncate = true\n"
        ))
        .unwrap();
        assert_eq!(ok.columns[0].cell_type(), CellType::Number);
        assert_eq!(ok.columns[1].cell_type(), CellType::Number);
        assert_eq!(ok.columns[2].cell_type(), CellType::Text);
        for (bad, key) in [
            (format!("name = \"t\"\nformat = \"csv\"\nsheet_name = \"s\"\n{COLUMN}"), "sheet_name"),
            (format!("name = \"t\"\nformat = \"xlsx\"\nsheet_name = \"a/b\"\n{COLUMN}"), "sheet_name"),
            (format!("name = \"t\"\nformat = \"xlsx\"\nsheet_name = \"{}\"\n{COLUMN}", "表".repeat(32)), "sheet_name"),
            ("name = \"t\"\nformat = \"pain001\"\npreamble = [[\"x\"]]\n".into(), "preamble"),
            (
                "name = \"t\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"payee_name\"\nmax_bytes = 4\ntruncate = true\n"
                    .into(),
                "truncate",
            ),
            ("name = \"t\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nvalue = \"x\"\ntruncate = true\n".into(), "truncate"),
            (
                "name = \"t\"\nformat = \"xlsx\"\n[[columns]]\nheader = \"a\"\nfield = \"payee_account\"\ntype = \"number\"\n"
                    .into(),
                "type",
            ),
            ("name = \"t\"\nformat = \"csv\"\n[[columns]]\nheader = \"a\"\nfield = \"seq\"\nmax_bytes = 0\n".into(), "max_bytes"),
            (format!("name = \"t\"\nformat = \"csv\"\nfile_name = \"../x.csv\"\n{COLUMN}"), "file_name"),
        ] {
            let e = check(&bad).unwrap_err();
            assert!(e.contains(key), "{bad}: {e}");
        }
        assert!(check(&format!(
            "name = \"t\"\nformat = \"csv\"\n{COLUMN}[[columns]]\nheader = \"a\"\nvalue = \"x\"\ntype = \"date\"\n"
        ))
        .is_err());
    }

    #[test]
    fn pain001_keys_are_checked() {
        let p = check(
            "name = \"p\"\nformat = \"pain001\"\ncategory_purpose = \"SALA\"\nlocal_instrument = { proprietary = \"CNAPS-HVPS\" }\n\
             charge_bearer = \"SLEV\"\ninstruction_priority = \"NORM\"\nservice_level = \"URGP\"\nultimate_debtor = \"某县民政局\"\n",
        )
        .unwrap();
        assert_eq!(p.local_instrument, Some(LocalInstrument::Proprietary { proprietary: "CNAPS-HVPS".into() }));
        let p = check("name = \"p\"\nformat = \"pain001\"\nlocal_instrument = \"INST\"\n").unwrap();
        assert_eq!(p.local_instrument, Some(LocalInstrument::Code("INST".into())));
        for (bad, key) in [
            ("charge_bearer = \"PAYER\"", "charge_bearer"),
            ("instruction_priority = \"URGENT\"", "instruction_priority"),
            ("category_purpose = \"SOCIAL\"", "category_purpose"),
            ("service_level = \"\"", "service_level"),
            ("local_instrument = \"A B\"", "local_instrument"),
            ("ultimate_debtor = \"a\\nb\"", "ultimate_debtor"),
            ("[payer]\naccount = \"1\"\nname = \"n\"\nbic = \"ICBK1\"", "payer.bic"),
            ("[payer]\naccount = \"1\"\nname = \"n\"\nbank_code = \"10255100123X\"", "payer.bank_code"),
        ] {
            let e = check(&format!("name = \"p\"\nformat = \"pain001\"\n{bad}\n")).unwrap_err();
            assert!(e.contains(key), "{bad}: {e}");
        }
        let e = check(&format!("name = \"t\"\nformat = \"csv\"\nservice_level = \"URGP\"\n{COLUMN}")).unwrap_err();
        assert!(e.contains("service_level") && e.contains("pain001"), "{e}");
    }

    #[test]
    fn bics_and_bank_codes() {
        let payer = |bic: &str, code: &str| Payer {
            account: "1".into(),
            name: "n".into(),
            bic: Some(bic.into()),
            bank_code: Some(code.into()),
            ..Payer::default()
        };
        assert!(check_payer_codes(&payer("ICBKCNBJ", "102551001234")).is_ok());
        assert!(check_payer_codes(&payer("ICBKCNBJHUN", "102551001234")).is_ok());
        assert_eq!(check_payer_codes(&payer("ICBK12BJ", "102551001234")).unwrap_err().0, "bic");
        assert_eq!(check_payer_codes(&payer("icbkcnbj", "102551001234")).unwrap_err().0, "bic");
        assert_eq!(check_payer_codes(&payer("ICBKCNBJ", "10255100123")).unwrap_err().0, "bank_code");
    }
}
