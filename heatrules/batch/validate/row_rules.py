"""Row rules of the batch tables: the cells of one row agree with each other (the case format's model validators).

Accounts: ``waiver_has_children`` goes with ``waiver_kind``, a metered account needs its kWh;
no_heat: ``end`` after ``start``, either ``account_id`` or ``station_id``; temperature:
``celsius`` unless a deemed failure, ``restored_at`` after ``measured_at``
(:mod:`heatrules.case`).
"""

from __future__ import annotations

import polars as pl

from ..schema import Table
from .checks import Check, str_lit, v


def row_checks(table: Table) -> list[Check]:
    """Checks between the cells of one row (the model validators of the case format)."""
    if table.name == "accounts":
        suspended = v("suspension_kind").is_not_null()
        return [
            (
                "waiver_has_children",
                v("waiver_kind").is_not_null() & pl.col("waiver_has_children").is_null(),
                str_lit("required with waiver_kind (true or false)"),
            ),
            (
                "waiver_has_children",
                pl.col("waiver_kind").is_null() & pl.col("waiver_has_children").is_not_null(),
                str_lit("given without waiver_kind"),
            ),
            (
                "metered_kwh",
                (v("billing") == "metered") & pl.col("metered_kwh").is_null() & ~suspended,
                str_lit("required for a metered account (billing: metered)"),
            ),
            (
                "metered_kwh",
                (v("billing").fill_null("area") != "metered") & pl.col("metered_kwh").is_not_null(),
                str_lit("given for an area-billed account; set billing: metered"),
            ),
        ]
    if table.name == "no_heat":
        return [
            (
                "end",
                v("end") <= v("start"),
                pl.format("{} must be later than start {}", pl.col("end"), pl.col("start")),
            ),
            (
                "account_id",
                pl.col("account_id").is_not_null() & pl.col("station_id").is_not_null(),
                str_lit("a no_heat row names either account_id or station_id, not both"),
            ),
            (
                "station_id",
                pl.col("account_id").is_null() & pl.col("station_id").is_null(),
                str_lit("a no_heat row needs account_id or station_id"),
            ),
        ]
    if table.name == "temperature":
        return [
            (
                "celsius",
                pl.col("celsius").is_null() & ~v("deemed_failure").fill_null(False),
                str_lit("required unless deemed_failure is true"),
            ),
            (
                "restored_at",
                v("restored_at") <= v("measured_at"),
                str_lit("must be later than measured_at"),
            ),
        ]
    return []
