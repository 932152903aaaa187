"""Retired-cadre widow waiver (离休干部遗孀, WID-08 第一条; WID-05): the remaining heating fee, capped.

The batch form of :mod:`heatrules.waivers.cadre_widow` (rules.md §5): with children
min(amount, remaining), without children the whole remaining amount, where remaining = tariff
charges − refunds floored at 0; 0 in a suspended season. (The hardship subsidies of
:mod:`heatrules.waivers.subsidy` are a separate statement, not part of the batch bill.)
"""

from __future__ import annotations

import polars as pl


def cadre_widow_waiver(acc: pl.DataFrame) -> pl.DataFrame:
    """The accounts with ``waiver_cadre_widow`` (fen; null without a waiver)."""
    live = pl.col("suspension") == 0
    zero = pl.lit(0, dtype=pl.Int64)
    tariff = (
        pl.col("tariff_area").fill_null(0)
        + pl.col("tariff_metered_base").fill_null(0)
        + pl.col("tariff_metered_energy").fill_null(0)
    )
    refunds = (
        pl.col("refund_supplier_outage")
        + pl.col("refund_facility_outage")
        + pl.col("refund_temperature")
    )
    remaining = pl.max_horizontal(tariff - refunds, zero)
    acc = acc.with_columns(
        pl.when(pl.col("waiver") & ~live)
        .then(zero)
        .when(pl.col("waiver") & pl.col("has_children"))
        .then(pl.min_horizontal(pl.col("widow_with"), remaining))
        .when(pl.col("waiver"))
        .then(remaining)
        .alias("waiver_cadre_widow")
    )
    return acc
