"""Account and temperature checks against the rules in force for the season, as column expressions.

The batch form of :func:`heatrules.validate.validate`: rules in force for the season (area
and metered prices, the widow waiver), metered kWh, connection after the season, the late-fee
maximum, facts of a suspended season, cut-off dates, widow waivers and temperature records
(room area, statutory season, measuring hours, one measurement per room and instant, MEAS's
daily maximum). The season's parameters are joined first; the reason names the column.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from .. import cells
from ..readers import LINE
from .checks import Check, str_lit, v


def account_checks(param: Callable[[str], pl.Expr] = pl.col) -> list[Check]:
    """The account-level checks of heatrules.validate; ``param(name)`` is the row's season's
    parameter ``name`` (a column of :func:`~heatrules.batch.seasonparams.season_table`)."""
    res = v("category") == "residential"

    def no_rule(what: str) -> pl.Expr:
        return pl.format("no rule in force for season {}: {}", pl.col("season"), str_lit(what))

    suspended = v("suspension_kind").is_not_null()
    metered = v("billing") == "metered"
    cut = v("cutoff_from")
    not_supplied = str_lit("not accepted for a suspended season: there is no supply")
    return [
        (
            "season",
            pl.when(res).then(param("price_area_res")).otherwise(param("price_area_non")).is_null(),
            no_rule("the area price for the category is not in force"),
        ),
        (
            "billing",
            metered
            & pl.when(res)
            .then(param("price_base_res").is_null() | param("price_energy_res").is_null())
            .otherwise(param("price_base_non").is_null() | param("price_energy_non").is_null()),
            no_rule("the metered two-part price (tariff.metered.*) is not in force"),
        ),
        (
            "connected_on",
            v("connected_on") > param("last_day"),
            str_lit("after the season's last day; bill the account in the season it was connected"),
        ),
        (
            "late_fee_rate",
            v("late_fee_rate") > param("late_rate"),
            pl.format("{} per day is above the legal maximum", pl.col("late_fee_rate")),
        ),
        ("supply_started_at", suspended & v("supply_started_at").is_not_null(), not_supplied),
        ("supply_stopped_at", suspended & v("supply_stopped_at").is_not_null(), not_supplied),
        ("cutoff_from", suspended & cut.is_not_null(), not_supplied),
        (
            "cutoff_from",
            ~suspended & cut.is_not_null() & metered,
            str_lit("a cut-off for non-payment applies to area-billed accounts only"),
        ),
        (
            "cutoff_from",
            ~suspended
            & cut.is_not_null()
            & ((cut < param("cutoff_first")) | (cut > param("last_day"))),
            str_lit("outside 01-01 .. the season's last day (a cut-off starts after the due date)"),
        ),
        (
            "cutoff_from",
            ~suspended & cut.is_not_null() & (cut <= v("connected_on")),
            pl.format(
                "{} must be later than the connection date {}",
                pl.col("cutoff_from"),
                pl.col("connected_on"),
            ),
        ),
        (
            "waiver_kind",
            v("waiver_kind").is_not_null() & ~res,
            str_lit("the retired-cadre widow waiver applies to residential accounts only"),
        ),
        (
            "waiver_kind",
            v("waiver_kind").is_not_null()
            & pl.when(v("waiver_has_children"))
            .then(param("widow_with").is_null())
            .otherwise(~param("widow_without")),
            no_rule("the retired-cadre widow waiver is in force from 2005-2006"),
        ),
    ]


def temperature_checks() -> list[Check]:
    """Temperature record checks needing the account and the season (heatrules.validate)."""
    susp = pl.col("k_susp") > 0
    live = ~susp
    tod_m = v("measured_at") % cells.US_PER_DAY
    tod_r = v("restored_at") % cells.US_PER_DAY
    return [
        ("account_id", susp, str_lit("not accepted for a suspended season: there is no supply")),
        (
            "standard_celsius",
            live & ~pl.col("k_res") & v("standard_celsius").is_null(),
            str_lit("required for a non-residential account (the contract temperature)"),
        ),
        (
            "room_area_m2",
            live & (v("room_area_m2") > pl.col("k_area")),
            str_lit("larger than the account's billing area"),
        ),
        (
            "measured_at",
            live
            & (
                (v("measured_at") < pl.col("period_start"))
                | (v("measured_at") >= pl.col("period_end"))
            ),
            str_lit("outside the statutory season"),
        ),
        (
            "measured_at",
            live & ((tod_m < pl.col("meas_from_us")) | (tod_m > pl.col("meas_to_us"))),
            str_lit("outside the measuring hours (local time)"),
        ),
        (
            "restored_at",
            live & ((tod_r < pl.col("meas_from_us")) | (tod_r > pl.col("meas_to_us"))),
            str_lit("a measurement too, outside the measuring hours (local time)"),
        ),
        (
            "measured_at",
            live & (pl.col("first_line") != pl.col(LINE)),
            pl.format(
                "room {} was already measured at this instant on line {}",
                pl.col("room"),
                pl.col("first_line"),
            ),
        ),
        (
            "measured_at",
            live & pl.col("n_inst").is_not_null(),
            pl.format(
                "{} measurement instants of the household on one day; at most {} (MEAS)",
                pl.col("n_inst"),
                pl.col("meas_per_day"),
            ),
        ),
    ]
