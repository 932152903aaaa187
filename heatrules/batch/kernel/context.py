"""What every rule needs about one account in one season, as columns (rules.md §1, §3, §4, §7).

Mirrors :mod:`heatrules.context`: the season's parameters for the account's category, the
divisor N, the area fee F (as area × price), the daily fee's price, the days connected, the
cut-off days, the *supplied season* ``[s_us, e_us)`` and the late fee's due date — and the
daily fee the refunds use, as the fraction ``ref_num / ref_den`` fen (:mod:`.policy`'s
internal switches ``divisor_days`` and ``daily_fee_rounded_first``: the divisor ``q_d`` is
N, a fixed number of days or the supplied days, and the daily fee is exact or rounded to the
fen first).
"""

from __future__ import annotations

import polars as pl

from ..seasonparams import PRICE_SCALE, US_PER_DAY
from .arith import rdiv

_ACCOUNT_PARAMS = (
    "perm_rate",
    "cutoff_rate",
    "late_rate",
    "sup_mult",
    "oth_mult",
    "day_us",
    "widow_with",
    "first_day",
    "last_day",
    "n_days",
    "period_start",
    "period_end",
    "due_day",
)


def account_frame(
    accounts: pl.DataFrame,
    seasons: pl.DataFrame,
    *,
    divisor_days: int = 0,
    daily_fee_rounded_first: bool = False,
) -> pl.DataFrame:
    """Join the season parameters and derive F's price, N, the supplied season, the due date.

    The daily fee of the refunds is ``ref_num / ref_den`` fen: ``ap_day / q_d`` with
    ``q_d`` = divisor × PRICE_SCALE (``divisor_days``: 0 → N, > 0 → that many days, −1 → the
    supplied days ``cd − cut_days``), or, with ``daily_fee_rounded_first``, that fee rounded
    half-up to the fen over 1.

    The parameters are joined per (season, category), only those the kernel uses, so a city
    of millions of accounts carries a dozen parameter columns, not every parameter.
    """
    by_cat = pl.concat(
        [
            seasons.select(
                "season_year",
                pl.lit(res).alias("residential"),
                pl.col(f"price_area_{short}").alias("p_area"),
                pl.col(f"price_base_{short}").alias("p_base"),
                pl.col(f"price_energy_{short}").alias("p_energy"),
                pl.col(f"susp_rate_{short}").alias("susp_rate"),
                *_ACCOUNT_PARAMS,
            )
            for res, short in ((True, "res"), (False, "non"))
        ]
    )
    a = accounts.join(by_cat, on=["season_year", "residential"], how="left", maintain_order="left")
    conn = pl.when(pl.col("connected_on") > pl.col("first_day")).then(pl.col("connected_on"))
    cut = pl.when(pl.col("suspension") == 0).then(pl.col("cutoff_from"))
    return (
        a.with_columns(conn.alias("conn"), cut.alias("cut"))
        .with_columns(
            (pl.col("last_day") - pl.coalesce("conn", "first_day") + 1).alias("cd"),
            (pl.col("last_day") - pl.col("cut") + 1).fill_null(0).alias("cut_days"),
            pl.coalesce(pl.col("conn") * US_PER_DAY, pl.col("period_start")).alias("s_us"),
            pl.coalesce(pl.col("cut") * US_PER_DAY, pl.col("period_end")).alias("e_us"),
            pl.when(pl.col("metered"))
            .then(pl.col("p_base"))
            .otherwise(pl.col("p_area"))
            .alias("p_day"),
            (pl.col("area") * pl.col("p_area")).alias("ap_area"),
            pl.when(pl.col("conn") > pl.col("due_day"))
            .then(pl.col("conn"))
            .otherwise(pl.col("due_day"))
            .alias("due"),
        )
        .with_columns(
            (pl.col("area") * pl.col("p_day")).alias("ap_day"),
            (pl.col("n_days") * PRICE_SCALE).alias("q_n"),
            (_divisor(divisor_days) * PRICE_SCALE).alias("q_d"),
        )
        .with_columns(
            (
                rdiv(pl.col("ap_day"), pl.col("q_d"))
                if daily_fee_rounded_first
                else pl.col("ap_day")
            ).alias("ref_num"),
            (pl.lit(1, dtype=pl.Int64) if daily_fee_rounded_first else pl.col("q_d")).alias(
                "ref_den"
            ),
        )
    )


def _divisor(divisor_days: int) -> pl.Expr:
    """The days the daily fee divides by (policy switch ``divisor_days``; 0: N)."""
    if divisor_days > 0:
        return pl.lit(divisor_days, dtype=pl.Int64)
    if divisor_days < 0:  # the supplied days: connected days less cut-off days (≥ 1, validated)
        return pl.col("cd") - pl.col("cut_days")
    return pl.col("n_days")
