"""Indoor temperature refunds: 10 %, 50 % or 100 % of the room's daily fee per day below standard.

The batch form of :mod:`heatrules.refunds.temperature` — REF (with REG arts. 20-21), rules.md
§4.2: per record, the window ``[measured_at, restored_at)`` cut by the room's next record and
clipped to the supplied season, refunded only when longer than ``temperature.trigger_hours``
(REF art. 5), per whole day not covered by the account's continuous outages; the rate is the
band of the shortfall (a deemed failure: its rate; a user fault: nothing).

The room's daily fee is d × room area / area with the refunds' daily fee d of :mod:`.context`
(divisor ``q_d``). Internal switches (:mod:`.policy`): ``daily_fee_rounded_first`` — d is the
fen amount ``ref_num`` (rounded first), so a line is round(ref_num × room area × rate × days
/ (area × rate scale)); ``temperature_ceil`` — the days are ceil, not floor, of the window less
the hours without heat.
"""

from __future__ import annotations

import polars as pl

from ..seasonparams import RATE_SCALE
from .arith import Dense, int_col, mul_rdiv


def temperature_refunds(
    temperature: pl.DataFrame,
    acc: pl.DataFrame,
    acct_pid: pl.DataFrame,
    comps: pl.DataFrame,
    bands: pl.DataFrame,
    seasons: pl.DataFrame,
    dense: Dense,
    *,
    daily_fee_rounded_first: bool = False,
    temperature_ceil: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``refund.temperature`` per account (fen), and the records with their account position."""
    tp = _records(
        temperature,
        acc,
        acct_pid,
        comps,
        bands,
        seasons,
        daily_fee_rounded_first=daily_fee_rounded_first,
        temperature_ceil=temperature_ceil,
    )
    tp = tp.with_columns(pl.Series("pos", dense.pos(tp.get_column("acct"))))
    acc = acc.with_columns(
        pl.Series("refund_temperature", dense.sum(int_col(tp, "pos"), int_col(tp, "fen")))
    )
    return acc, tp


def _records(
    temperature: pl.DataFrame,
    acc: pl.DataFrame,
    acct_pid: pl.DataFrame,
    comps: pl.DataFrame,
    bands: pl.DataFrame,
    seasons: pl.DataFrame,
    *,
    daily_fee_rounded_first: bool,
    temperature_ceil: bool,
) -> pl.DataFrame:
    """One refund per temperature record (fen), with the quantities the lines explain."""
    if temperature.height == 0:
        return pl.DataFrame(
            schema={
                "acct": pl.Int64,
                "line": pl.Int64,
                "fen": pl.Int64,
                "days": pl.Int64,
                "rate": pl.Int64,
                "why": pl.String,
                "season_year": pl.Int64,
            }
        )
    t = temperature.join(
        acc.select(
            "acct",
            "season_year",
            "s_us",
            "e_us",
            "period_end",
            "area",
            "p_day",
            "q_d",
            "ref_num",
            "day_us",
        ),
        on="acct",
    ).join(seasons.select("season_year", "trigger_us", "std_res", "deemed_rate"), on="season_year")
    t = t.sort("acct", "room", "measured_at").with_columns(
        pl.col("measured_at").shift(-1).over("acct", "room").alias("next_m")
    )
    end = pl.min_horizontal(pl.coalesce("restored_at", "period_end"), pl.col("next_m"))
    t = t.with_columns(
        pl.max_horizontal("measured_at", "s_us").alias("ws"),
        pl.min_horizontal(end, pl.col("e_us")).alias("we"),
    ).with_columns(
        pl.when(pl.col("we") > pl.col("ws"))
        .then(pl.col("we") - pl.col("ws"))
        .otherwise(0)
        .alias("length")
    )
    ov = (
        t.filter(pl.col("length") > 0)
        .select("acct", "line", "ws", "we")
        .join(acct_pid, on="acct")
        .join(comps.select("pid", "cs", "ce"), on="pid")
        .with_columns(
            (pl.min_horizontal("we", "ce") - pl.max_horizontal("ws", "cs"))
            .clip(lower_bound=0)
            .alias("ov")
        )
        .group_by("acct", "line")
        .agg(pl.col("ov").sum().alias("lost"))
    )
    t = t.join(ov, on=["acct", "line"], how="left").with_columns(pl.col("lost").fill_null(0))
    t = t.with_columns(
        (pl.coalesce("standard_celsius", "std_res") - pl.col("celsius")).alias("shortfall")
    )
    rated = (
        t.filter(pl.col("shortfall") > 0)
        .select("acct", "line", "season_year", "shortfall")
        .join(bands, on="season_year")
        .filter(
            (pl.col("shortfall") > pl.col("above"))
            & (pl.col("upto").is_null() | (pl.col("shortfall") <= pl.col("upto")))
        )
        .group_by("acct", "line")
        .agg(pl.col("band_rate").first())
    )
    t = t.join(rated, on=["acct", "line"], how="left")
    rate = (
        pl.when(pl.col("user_fault").is_not_null())
        .then(0)
        .when(pl.col("deemed_failure"))
        .then(pl.col("deemed_rate"))
        .otherwise(pl.col("band_rate").fill_null(0))
    )
    t = t.with_columns(
        rate.alias("rate"), (pl.col("length") > pl.col("trigger_us")).alias("triggered")
    )
    unlost = pl.col("length") - pl.col("lost")
    days = -((-unlost) // pl.col("day_us")) if temperature_ceil else unlost // pl.col("day_us")
    if daily_fee_rounded_first:  # d = ref_num fen: room area × d / area
        fen = mul_rdiv(
            pl.col("room_area") * pl.col("ref_num"),
            pl.col("rate") * pl.col("days"),
            pl.col("area") * RATE_SCALE,
        )
    else:  # d = area × p_day / q_d: room area × p_day / q_d, exact
        fen = mul_rdiv(
            pl.col("room_area") * pl.col("p_day"),
            pl.col("rate") * pl.col("days"),
            pl.col("q_d") * RATE_SCALE,
        )
    t = t.with_columns(
        pl.when(pl.col("triggered") & (pl.col("rate") != 0)).then(days).otherwise(0).alias("days")
    ).with_columns(
        fen.alias("fen"),
        pl.when(pl.col("user_fault").is_not_null())
        .then(pl.lit("user_fault"))
        .when(pl.col("rate") == 0)
        .then(pl.lit("complies"))
        .when(~pl.col("triggered"))
        .then(pl.lit("not_triggered"))
        .when(pl.col("deemed_failure"))
        .then(pl.lit("deemed"))
        .otherwise(pl.lit("band"))
        .alias("why"),
    )
    return t
