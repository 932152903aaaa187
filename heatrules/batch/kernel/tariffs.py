"""Tariffs: area fee F × days / N (PR-RES; PR-NON), metered price (PR-MET), suspension fee (SUS).

The batch forms of :mod:`heatrules.tariffs.area`, :mod:`heatrules.tariffs.metered` and
:mod:`heatrules.tariffs.suspension` (rules.md §3, §6): one column expression each, null where
the line is absent. A mid-season connection prorates the area fee and the metered base part
(``cd`` days of N); a cut-off leaves only the supplied days (``cd − cut_days``); the energy
part follows the meter (kWh in 1/1000, price in 1/10⁴ yuan: fen = kWh·price / 10⁵); a
temporary suspension pays the category's compensation rate × F, a permanent one its own rate.
"""

from __future__ import annotations

import polars as pl

from ..seasonparams import PRICE_SCALE, RATE_SCALE
from .arith import mul_rdiv, rdiv

LIVE = pl.col("suspension") == 0
"""The account is supplied this season (not suspended)."""


def area_fee() -> pl.Expr:
    """``tariff.area``: F × (days connected − cut-off days) / N for area-billed accounts."""
    return (
        pl.when(LIVE & ~pl.col("metered"))
        .then(rdiv(pl.col("ap_area") * (pl.col("cd") - pl.col("cut_days")), pl.col("q_n")))
        .alias("tariff_area")
    )


def metered_base() -> pl.Expr:
    """``tariff.metered.base``: area × base price × days connected / N for metered accounts."""
    return (
        pl.when(LIVE & pl.col("metered"))
        .then(rdiv(pl.col("area") * pl.col("p_base") * pl.col("cd"), pl.col("q_n")))
        .alias("tariff_metered_base")
    )


def metered_energy() -> pl.Expr:
    """``tariff.metered.energy``: season kWh × energy price (not prorated) for metered accounts."""
    return (
        pl.when(LIVE & pl.col("metered"))
        .then(mul_rdiv(pl.col("kwh"), pl.col("p_energy"), 10**5))
        .alias("tariff_metered_energy")
    )


def suspension_compensation() -> pl.Expr:
    """``fee.suspension_compensation``: F × the temporary (per category) or permanent rate."""
    return (
        pl.when(pl.col("suspension") > 0)
        .then(
            rdiv(
                pl.col("ap_area")
                * pl.when(pl.col("suspension") == 1)
                .then(pl.col("susp_rate"))
                .otherwise(pl.col("perm_rate")),
                PRICE_SCALE * RATE_SCALE,
            )
        )
        .alias("fee_suspension_compensation")
    )
