//! The roster columns of SPEC section 1: their names and aliases, which are
//! required. Their own file because both the record (field rules) and the detail
//! sentences (which column is wrong) name them, and neither should import the other.

/// The roster columns of SPEC section 1, in contract order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    ChildId,
    Name,
    Category,
    RegionCode,
    ApprovedFrom,
    EndedAfter,
    Status,
    MonthlyAmount,
    PayeeName,
    PayeeAccount,
    PayeeBank,
    /// The 12-digit CNAPS code of the payee's bank branch (联行号), optional (SPEC 14).
    PayeeBankCode,
}

impl Column {
    /// How many columns there are.
    pub const COUNT: usize = 12;

    pub const ALL: [Column; Column::COUNT] = [
        Column::ChildId,
        Column::Name,
        Column::Category,
        Column::RegionCode,
        Column::ApprovedFrom,
        Column::EndedAfter,
        Column::Status,
        Column::MonthlyAmount,
        Column::PayeeName,
        Column::PayeeAccount,
        Column::PayeeBank,
        Column::PayeeBankCode,
    ];

    /// The English header name.
    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The English name first, then the Chinese aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::ChildId => &[
                "child_id",
                "身份证号",
                "身份证号码",
                "公民身份号码",
                "身份证件号码",
                "儿童身份证号",
                "公民身份证号码",
                "儿童身份证号码",
            ],
            Column::Name => &["name", "姓名", "孤儿姓名", "儿童姓名"],
            Column::Category => &[
                "category",
                "供养方式",
                "补助类型",
                "供养类型",
                "养育方式",
                "孤儿类别",
                "类别",
                "儿童类型",
                "儿童类别",
            ],
            Column::RegionCode => &["region_code", "行政区划代码", "区划代码"],
            Column::ApprovedFrom => {
                &["approved_from", "保障起始年月", "起始年月", "享受起始年月", "发放起始年月", "起领年月"]
            }
            Column::EndedAfter => &["ended_after", "保障截止年月", "截止年月", "停发年月", "终止年月", "末领年月"],
            Column::Status => &["status", "状态"],
            Column::MonthlyAmount => &["monthly_amount", "月发放金额", "发放标准"],
            Column::PayeeName => &["payee_name", "收款人", "收款人姓名", "收款户名", "户名", "账户名称", "帐户名称"],
            Column::PayeeAccount => &[
                "payee_account",
                "收款账号",
                "银行账号",
                "卡号",
                "银行卡号",
                "账户",
                "账号",
                "收款账户",
                "邮局账号",
                "存折号",
                "收款帐号",
                "银行帐号",
                "帐号",
                "儿童本人银行账号",
            ],
            Column::PayeeBank => {
                &["payee_bank", "开户银行", "开户行", "银行名称", "收款银行", "开户网点", "儿童本人开户行"]
            }
            Column::PayeeBankCode => {
                &["payee_bank_code", "联行号", "行号", "开户行行号", "开户行联行号", "支付系统行号"]
            }
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Column::EndedAfter | Column::Status | Column::MonthlyAmount | Column::PayeeBankCode)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
