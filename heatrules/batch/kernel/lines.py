"""The long lines output (rules.md §8): one row per bill line, in bill order, with its citation key.

Mirrors :mod:`heatrules.lines`: each line's sequence number orders it like the scalar bill
(block of the line code, then the outage or record it counts); the ``cite_key`` names the
parameter that rules it (:mod:`heatrules.batch.explain` turns it into a citation and text).
"""

from __future__ import annotations

import polars as pl

from .codes import BLOCK, NEGATIVE, SEQ_BLOCK, col_name


def _line_days(code: str) -> pl.Expr:
    if code == "tariff.area":
        return pl.col("cd") - pl.col("cut_days")
    if code == "tariff.metered.base":
        return pl.col("cd")
    if code == "fee.cutoff_compensation":
        return pl.col("cut_days")
    return pl.lit(None, dtype=pl.Int64)


def lines_frame(
    acc: pl.DataFrame, nh: pl.DataFrame, tp: pl.DataFrame, payments: pl.DataFrame
) -> pl.DataFrame:
    """The long lines frame in bill order: pos, seq, code, fen (signed), kind, days, keys."""
    acc = acc.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    one = []
    for code in (
        "fee.suspension_compensation",
        "tariff.area",
        "tariff.metered.base",
        "tariff.metered.energy",
        "fee.cutoff_compensation",
        "waiver.cadre_widow",
        "fee.late_payment",
    ):
        c = col_name(code)
        idx = 1 if code == "tariff.metered.energy" else 0
        sign = -1 if code in NEGATIVE else 1
        one.append(
            acc.filter(pl.col(c).is_not_null()).select(
                "pos",
                pl.lit(BLOCK[code] * SEQ_BLOCK + idx, dtype=pl.Int64).alias("seq"),
                pl.lit(code).alias("code"),
                (pl.col(c) * sign).alias("fen"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                _line_days(code).cast(pl.Int64).alias("days"),
            )
        )
    nh = nh.select("pos", "seq", "code", "fen", pl.lit(None, dtype=pl.String).alias("kind"), "days")
    temp = tp.select(
        "pos",
        (4 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("refund.temperature").alias("code"),
        (-pl.col("fen")).alias("fen"),
        pl.col("why").alias("kind"),
        pl.col("days"),
    )
    pay = payments.select(
        "pos",
        (7 * SEQ_BLOCK + pl.col("line")).alias("seq"),
        pl.lit("payment").alias("code"),
        (-pl.col("amount")).alias("fen"),
        pl.lit(None, dtype=pl.String).alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("days"),
    )
    lines = pl.concat([*one, nh, temp, pay], how="vertical_relaxed").sort("pos", "seq")
    at = lines.get_column("pos")
    keys = acc.select(
        "account_id", "season", "season_year", "residential", "suspension", "has_children"
    )
    lines = pl.concat([lines, keys[at]], how="horizontal")
    cat = (
        pl.when(pl.col("residential"))
        .then(pl.lit("residential"))
        .otherwise(pl.lit("non_residential"))
    )
    lc = pl.col("code")
    cite = (
        pl.when(lc.is_in(["tariff.area"]))
        .then(pl.format("tariff.area.price.{}", cat))
        .when(lc == "tariff.metered.base")
        .then(pl.format("tariff.metered.base_price.{}", cat))
        .when(lc == "tariff.metered.energy")
        .then(pl.format("tariff.metered.energy_price.{}", cat))
        .when((lc == "fee.suspension_compensation") & (pl.col("suspension") == 2))
        .then(pl.lit("suspension.permanent_compensation"))
        .when(lc == "fee.suspension_compensation")
        .then(pl.format("suspension.compensation_rate.{}", cat))
        .when(lc == "fee.cutoff_compensation")
        .then(pl.lit("cutoff.compensation_rate"))
        .when(lc == "refund.supplier_outage")
        .then(pl.lit("refund.supplier"))
        .when(lc == "refund.facility_outage")
        .then(pl.lit("refund.other.multiplier"))
        .when((lc == "refund.temperature") & pl.col("kind").is_in(["user_fault", "not_triggered"]))
        .then(pl.lit("temperature.trigger_hours"))
        .when((lc == "refund.temperature") & (pl.col("kind") == "deemed"))
        .then(pl.lit("temperature.deemed_failure_rate"))
        .when(lc == "refund.temperature")
        .then(pl.lit("temperature.bands"))
        .when((lc == "waiver.cadre_widow") & pl.col("has_children"))
        .then(pl.lit("waiver.cadre_widow.with_children"))
        .when(lc == "waiver.cadre_widow")
        .then(pl.lit("waiver.cadre_widow.without_children"))
        .when(lc == "fee.late_payment")
        .then(pl.lit("late_fee.daily_rate"))
        .otherwise(pl.lit("payment"))
    )
    return lines.with_columns(cite.alias("cite_key"))
