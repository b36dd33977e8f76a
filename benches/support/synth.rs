//! A deterministic synthetic roster generator for benchmarks and the comparison
//! script: realistic field widths, Chinese names, both categories, a small share of
//! defects, duplicate IDs and shared guardian and institution accounts. Synthetic:
//! no real person is in it.

#![allow(dead_code)]

use std::io::Write;

/// SplitMix64: small, fast and the same everywhere for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华", "慧",
    "宇", "浩然", "子涵", "欣怡", "梓轩",
];
const BANKS: &[&str] = &[
    "中国工商银行长沙分行",
    "中国农业银行湘潭分行",
    "中国建设银行衡阳分行",
    "中国邮政储蓄银行株洲分行",
    "湖南农村信用社岳阳分社",
    "中国银行常德分行",
];
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

pub const HEADER: &str = "child_id,name,category,region_code,approved_from,ended_after,status,monthly_amount,payee_name,payee_account,payee_bank\n";

fn check_char(first17: &[u8]) -> u8 {
    let s: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(s % 11) as usize]
}

fn region(i: u64) -> u64 {
    // 120 Hunan-like county codes: 43CCDD.
    let city = 1 + i % 12;
    let county = 2 + (i / 12) % 10;
    430000 + city * 100 + county
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// Unique ID for row `i`: the birth date and sequence follow from `i`. Also returns
/// the birth month as `year * 12 + month - 1`.
fn child_id(i: u64, region: u64) -> (String, u64) {
    let day = i % 6400; // 1999-01-01 + day, with simple 28-day months
    let year = 1999 + day / (12 * 28);
    let month = 1 + (day / 28) % 12;
    let dom = 1 + day % 28;
    let seq = (i / 6400) % 1000;
    let first = format!("{region}{year:04}{month:02}{dom:02}{seq:03}");
    let c = check_char(first.as_bytes());
    (format!("{first}{}", c as char), year * 12 + month - 1)
}

fn month_text(m: u64) -> String {
    format!("{}-{:02}", m / 12, m % 12 + 1)
}

/// Writes a roster of `rows` data rows for `seed` to `out`.
pub fn write_roster(rows: u64, seed: u64, out: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    out.write_all(HEADER.as_bytes())?;
    let mut last_guardian: Option<(String, String, String)> = None;
    let mut recent_ids: Vec<String> = Vec::new();
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        let region = region(i.wrapping_mul(7919) / 9000 + rng.below(3));
        let (mut id, birth) = child_id(i, region);
        if rng.chance(2) && !recent_ids.is_empty() {
            id = rng.pick(&recent_ids).clone(); // a duplicate, often across counties
        }
        if recent_ids.len() < 512 {
            recent_ids.push(id.clone());
        } else {
            let k = rng.below(512) as usize;
            recent_ids[k] = id.clone();
        }
        let institutional = rng.chance(150);
        let category = match (institutional, rng.below(4)) {
            (true, 0) => "集中供养",
            (true, _) => "institutional",
            (false, 0) => "散居",
            (false, _) => "scattered",
        };
        let first = birth.max(2010 * 12);
        let from = first + rng.below((2018u64 * 12 + 11).saturating_sub(first) + 1);
        let approved = month_text(from);
        let ended = if rng.chance(30) { month_text(from + rng.below(24)) } else { String::new() };
        let status = match rng.below(100) {
            0 => "suspended",
            1..=20 => "active",
            _ => "",
        };
        let amount = match rng.below(10) {
            0 => "600",
            1 => "850.50",
            2 if institutional => "1300",
            _ => "",
        };
        let (payee, account, bank) = if institutional {
            (
                format!("{}市儿童福利院", ["长沙", "湘潭", "衡阳", "株洲"][(region % 4) as usize]),
                format!("62170020{:011}", region),
                BANKS[(region % 6) as usize].to_owned(),
            )
        } else if rng.chance(60) && last_guardian.is_some() {
            last_guardian.clone().expect("some") // a sibling with the same guardian
        } else {
            let g =
                (name(&mut rng), format!("6222{:015}", rng.below(1_000_000_000_000_000)), rng.pick(BANKS).to_string());
            last_guardian = Some(g.clone());
            g
        };
        let mut fields = [
            id,
            name(&mut rng),
            category.to_owned(),
            region.to_string(),
            approved,
            ended,
            status.to_owned(),
            amount.to_owned(),
            payee,
            account,
            bank,
        ];
        if rng.chance(10) {
            // A defect the rules must catch.
            match rng.below(6) {
                0 => fields[0].replace_range(17..18, if fields[0].ends_with('0') { "1" } else { "0" }),
                1 => fields[4] = "2018-13".into(),
                2 => fields[7] = "1,200".into(),
                3 => fields[9] = "12345".into(),
                4 => fields[1] = String::new(),
                _ => fields[0] = "4.30102E+17".into(),
            }
        }
        line.clear();
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            if f.contains(',') {
                line.push('"');
                line.push_str(f);
                line.push('"');
            } else {
                line.push_str(f);
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
