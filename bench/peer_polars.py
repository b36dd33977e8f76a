#!/usr/bin/env python3
"""The peer: the same monthly job written the way a data engineer would, with polars.

Same rules as `disburse run` with the built-in hunan-2018 policy (SPEC sections 1-4),
the same five output files, the audit hash chain included. Used only by
bench/compare.sh to measure disburse against the tool people would reach for.

    python3 bench/peer_polars.py --period 2018-06 --out OUT ROSTER.csv
"""
import argparse
import hashlib
import json
import os

import polars as pl

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
ALIASES = {
    "child_id": ["身份证号", "身份证号码", "公民身份号码"], "name": ["姓名"], "category": ["供养方式"],
    "region_code": ["行政区划代码", "区划代码"], "approved_from": ["保障起始年月", "起始年月"],
    "ended_after": ["保障截止年月", "截止年月"], "status": ["状态"], "monthly_amount": ["月发放金额", "发放标准"],
    "payee_name": ["收款人", "收款人姓名"], "payee_account": ["收款账号", "银行账号"], "payee_bank": ["开户银行", "开户行"],
    "payee_bank_code": ["联行号", "行号", "开户行行号", "开户行联行号", "支付系统行号"],
}
REQUIRED = ["child_id", "name", "category", "region_code", "approved_from", "payee_name", "payee_account", "payee_bank"]
PROVINCES = [str(p) for p in list(range(11, 16)) + list(range(21, 24)) + list(range(31, 38)) + list(range(41, 47))
             + list(range(50, 55)) + list(range(61, 66)) + [71, 81, 82]]
FULL = [chr(c) for c in range(0xFF01, 0xFF5F)]
HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]
WS = " \t\r\n\u3000"


def month_expr(col):
    s = pl.col(col).str.replace_many(FULL, HALF)
    m = s.str.extract_groups(r"^(\d{4})(?:[-/]?(\d{1,2})|年(\d{1,2})月)$")
    y = m.struct.field("1").cast(pl.Int32, strict=False)
    mo = pl.coalesce(m.struct.field("2"), m.struct.field("3")).cast(pl.Int32, strict=False)
    ok = y.is_between(1900, 2199) & mo.is_between(1, 12) & ~(s.str.len_chars() == 5)
    return pl.when(ok).then(y * 12 + mo - 1).otherwise(None)


def fmt_fen(e):
    return pl.concat_str([(e // 100).cast(pl.Utf8), pl.lit("."), (e % 100).cast(pl.Utf8).str.zfill(2)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ceiling", default="5000.00")
    ap.add_argument("rosters", nargs="+")
    a = ap.parse_args()
    y, m = a.period.split("-")
    period = int(y) * 12 + int(m) - 1
    ceiling = int(round(float(a.ceiling) * 100))
    frames = []
    for path in a.rosters:
        df = pl.read_csv(path, infer_schema=False, has_header=True).fill_null("")
        rename = {}
        for c in df.columns:
            key = c.strip().lower()
            for eng, al in ALIASES.items():
                if key == eng or key in al:
                    rename[c] = eng
        df = df.rename(rename)
        for c in ALIASES:
            if c not in df.columns:
                df = df.with_columns(pl.lit("").alias(c))
        df = df.with_row_index("row").with_columns(
            pl.concat_str([pl.lit(path + ":"), (pl.col("row") + 2).cast(pl.Utf8)]).alias("source"))
        frames.append(df.select(list(ALIASES) + ["source"]))
    df = pl.concat(frames).with_columns([pl.col(c).str.strip_chars(WS) for c in ALIASES])
    df = df.filter(~pl.all_horizontal([pl.col(c) == "" for c in ALIASES]))

    cid = pl.col("child_id").str.replace_many(FULL, HALF).str.to_uppercase()
    digits = [cid.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(17)]
    s = pl.sum_horizontal([d * w for d, w in zip(digits, WEIGHTS)])
    df = df.with_columns(
        cid.alias("cid"),
        (s % 11).alias("_s"),
        cid.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("birth"),
        pl.col("region_code").str.replace_many(FULL, HALF).alias("region"),
        month_expr("approved_from").alias("from_m"),
        month_expr("ended_after").alias("end_m"),
        pl.col("monthly_amount").str.replace_many(FULL, HALF).alias("amt"),
        pl.col("payee_account").str.replace_many(FULL, HALF).str.replace_all(r"[ \-]", "").alias("account"),
        pl.col("payee_bank_code").str.replace_many(FULL, HALF).str.replace_all("[ \u3000]", "").alias("code"),
    )
    expected = pl.col("_s").replace_strict(list(range(11)), list(CHECK), default="?")
    id_ok = pl.col("cid").str.contains(r"^\d{17}[\dX]$") & (expected == pl.col("cid").str.slice(17, 1)) & pl.col("birth").is_not_null()
    cat = pl.col("category").str.to_lowercase().replace_strict(
        ["scattered", "散居", "社会散居", "institutional", "集中供养", "集中"],
        ["scattered", "scattered", "scattered", "institutional", "institutional", "institutional"], default=None)
    status = pl.col("status").str.to_lowercase().replace_strict(
        ["", "active", "正常", "suspended", "暂停"], ["active", "active", "active", "suspended", "suspended"], default=None)
    amt_ok = (pl.col("amt") == "") | pl.col("amt").str.contains(r"^\d{1,13}(\.\d{1,2})?$")
    fen = pl.when(pl.col("amt") == "").then(None).otherwise(
        pl.col("amt").str.split(".").list.get(0).cast(pl.Int64, strict=False) * 100
        + pl.col("amt").str.split(".").list.get(1, null_on_oob=True).fill_null("0").str.pad_end(2, "0").cast(pl.Int64, strict=False))
    def text_bad(c):
        return pl.col(c).str.contains(r"^[=+\-@\t\r]") | pl.col(c).str.contains(r"[\x00-\x1f\x7f-\x9f]")
    birth_m = pl.col("birth").dt.year() * 12 + pl.col("birth").dt.month() - 1
    reason = (
        pl.when(pl.any_horizontal([pl.col(c) == "" for c in REQUIRED])).then(pl.lit("MISSING_FIELD"))
        .when(~id_ok).then(pl.lit("INVALID_ID"))
        .when(text_bad("name")).then(pl.lit("INVALID_TEXT"))
        .when(cat.is_null()).then(pl.lit("INVALID_CATEGORY"))
        .when(~(pl.col("region").str.contains(r"^\d{6}$") & pl.col("region").str.slice(0, 2).is_in(PROVINCES))).then(pl.lit("INVALID_REGION"))
        .when(pl.col("from_m").is_null() | ((pl.col("ended_after") != "") & pl.col("end_m").is_null())).then(pl.lit("INVALID_MONTH"))
        .when(status.is_null()).then(pl.lit("INVALID_STATUS"))
        .when(~amt_ok).then(pl.lit("INVALID_AMOUNT"))
        .when(~pl.col("account").str.contains(r"^\d{8,32}$")).then(pl.lit("INVALID_ACCOUNT"))
        .when(text_bad("payee_name") | text_bad("payee_bank")).then(pl.lit("INVALID_TEXT"))
        .when((pl.col("payee_bank_code") != "") & ~pl.col("code").str.contains(r"^\d{12}$")).then(pl.lit("INVALID_BANK_CODE"))
        .when((pl.col("end_m") < pl.col("from_m")) | (pl.col("from_m") < birth_m)).then(pl.lit("INCONSISTENT_DATES"))
        .otherwise(None)
    )
    df = df.with_columns(reason.alias("rej"), cat.alias("cat"), status.alias("st"), fen.alias("fen"), birth_m.alias("birth_m"))
    valid = pl.col("rej").is_null()
    df = df.with_columns(
        (pl.col("cid").count().over(pl.when(valid).then(pl.col("cid"))) > 1).fill_null(False).alias("dup"),
        ((pl.concat_str(["payee_name", pl.lit("\x00"), "payee_bank"]).n_unique().over(pl.when(valid).then(pl.col("account"))) > 1)
         | (pl.when(pl.col("code") != "").then(pl.col("code")).drop_nulls().n_unique()
            .over(pl.when(valid).then(pl.col("account"))) > 1))
        .fill_null(False).alias("conflict"),
    )
    std = pl.when(pl.col("cat") == "institutional").then(120000 if period >= 2018 * 12 else 100000).otherwise(80000 if period >= 2018 * 12 else 60000)
    amount = pl.max_horizontal(pl.col("fen").fill_null(0), std)
    df = df.with_columns(std.alias("std"), amount.alias("pay"))
    decision_reason = (
        pl.when(~valid).then(pl.col("rej"))
        .when(pl.col("dup")).then(pl.lit("DUPLICATE_ID"))
        .when(pl.col("conflict")).then(pl.lit("PAYEE_CONFLICT"))
        .when(pl.col("pay") > ceiling).then(pl.lit("EXCEEDS_CEILING"))
        .when(pl.col("st") == "suspended").then(pl.lit("SUSPENDED"))
        .when(period < pl.col("from_m")).then(pl.lit("NOT_STARTED"))
        .when(pl.col("end_m").is_not_null() & (period > pl.col("end_m"))).then(pl.lit("ENDED"))
        .when(period > pl.col("birth_m") + 18 * 12).then(pl.lit("AGED_OUT"))
        .otherwise(None)
    )
    decision = (
        pl.when(~valid).then(pl.lit("rejected"))
        .when(pl.col("dup") | pl.col("conflict") | (pl.col("pay") > ceiling)).then(pl.lit("held"))
        .when(pl.col("reason").is_not_null()).then(pl.lit("excluded"))
        .otherwise(pl.lit("paid"))
    )
    df = df.with_columns(decision_reason.alias("reason")).with_columns(decision.alias("decision"))
    basis = pl.when(pl.col("fen").is_null()).then(pl.lit("standard")).when(pl.col("fen") >= pl.col("std")).then(pl.lit("recorded")).otherwise(pl.lit("raised_to_minimum"))
    df = df.with_columns(basis.alias("basis"), fmt_fen(pl.col("std")).alias("std_s"), fmt_fen(pl.col("fen")).alias("rec_s"), fmt_fen(pl.col("pay")).alias("pay_s"))

    os.makedirs(a.out, mode=0o700)
    outputs = []
    paid = df.filter(pl.col("decision") == "paid")
    ent = paid.select(
        pl.lit(a.period).alias("period"), pl.lit("regular").alias("kind"), pl.lit(a.period).alias("months"),
        pl.col("cid").alias("child_id"), "name", pl.col("cat").alias("category"), pl.col("region").alias("region_code"),
        "payee_name", pl.col("account").alias("payee_account"), "payee_bank", pl.col("std_s").alias("standard"),
        pl.col("rec_s").alias("recorded_amount"), pl.col("pay_s").alias("amount"), "basis", "source")
    ent.write_csv(os.path.join(a.out, "entitlements.csv"))
    outputs.append(("entitlements.csv", ent.height))
    tr = (paid.group_by("account").agg(pl.col("payee_name").first(), pl.col("payee_bank").first(), pl.col("pay").sum(), pl.len().alias("children"),
                                        pl.when(pl.col("code") != "").then(pl.col("code")).drop_nulls().first().alias("code"))
          .sort("account"))
    tr = tr.with_row_index("n", 1).select(
        pl.concat_str([pl.lit("T" + a.period.replace("-", "") + "-"), pl.col("n").cast(pl.Utf8).str.zfill(6)]).alias("transfer_id"),
        pl.lit(a.period).alias("period"), pl.col("account").alias("payee_account"), "payee_name", "payee_bank",
        fmt_fen(pl.col("pay")).alias("amount"), "children", pl.col("code").alias("payee_bank_code"))
    tr.write_csv(os.path.join(a.out, "transfers.csv"))
    outputs.append(("transfers.csv", tr.height))
    exc = df.filter(pl.col("decision") != "paid").select(
        pl.lit(a.period).alias("period"), "source", "decision", "reason", "child_id", "name", pl.col("reason").alias("detail"))
    exc.write_csv(os.path.join(a.out, "exceptions.csv"))
    outputs.append(("exceptions.csv", exc.height))

    def js(e):
        return pl.when(e.is_null()).then(pl.lit("null")).otherwise(pl.concat_str([pl.lit('"'), e, pl.lit('"')]))
    is_paid = pl.col("decision") == "paid"
    heads = df.with_row_index("seq", 1).select(pl.concat_str([
        pl.lit('{"seq":'), pl.col("seq").cast(pl.Utf8), pl.lit(',"source":'), js(pl.col("source")),
        pl.lit(',"child_id":'), js(pl.when(valid).then(pl.col("cid")).otherwise(pl.col("child_id"))),
        pl.lit(',"decision":'), js(pl.col("decision")), pl.lit(',"reason":'), js(pl.col("reason")),
        pl.lit(',"category":'), js(pl.when(valid).then(pl.col("cat"))), pl.lit(',"standard":'), js(pl.when(valid).then(pl.col("std_s"))),
        pl.lit(',"recorded_amount":'), js(pl.when(valid).then(pl.col("rec_s"))), pl.lit(',"amount":'), js(pl.when(is_paid).then(pl.col("pay_s"))),
        pl.lit(',"basis":'), js(pl.when(is_paid).then(pl.col("basis"))),
        pl.when(is_paid).then(pl.concat_str([
            pl.lit(',"payee_account":'), js(pl.col("account")),
            pl.lit(',"payee_bank_code":'), js(pl.when(pl.col("code") != "").then(pl.col("code")))])).otherwise(pl.lit("")),
        pl.lit(',"prev":"')])).to_series().to_list()
    prev = "0" * 64
    file_hash = hashlib.sha256()
    with open(os.path.join(a.out, "audit.jsonl"), "wb") as f:
        for h in heads:
            line = (h + prev + '"}').encode()
            prev = hashlib.sha256(line).hexdigest()
            f.write(line + b"\n")
    outputs.append(("audit.jsonl", len(heads)))
    counts = df.group_by("decision").len()
    counts = dict(zip(counts["decision"].to_list(), counts["len"].to_list()))
    manifest = {
        "tool": "peer_polars", "mode": "run", "period": a.period,
        "outputs": [{"file": n, "sha256": hashlib.sha256(open(os.path.join(a.out, n), "rb").read()).hexdigest(), "rows": r} for n, r in outputs],
        "totals": {"rows": df.height, **{k: counts.get(k, 0) for k in ["paid", "held", "excluded", "rejected"]},
                   "amount": "%d.%02d" % divmod(int(paid["pay"].sum() or 0), 100), "transfers": tr.height},
        "audit_head": prev,
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main()
