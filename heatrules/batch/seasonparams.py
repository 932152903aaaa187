"""Per-season parameter columns for the batch kernel, read from :class:`Parameters`.

Every number the kernel uses comes from the effective-dated parameter data (never a literal):
for each season present in the input, the parameters in force are turned into exact integers
at fixed scales (prices in 1/10⁴ yuan, rates in 1/10⁴, temperatures in 1/10⁶ °C, the late-fee
rate in 1/10⁶, money in fen, dates in days since 1970, instants in µs). A parameter value that
does not fit its scale exactly raises :class:`ParameterError` — nothing is rounded. A parameter
not in force for a season is null in that season's row (the validator turns it into the
scalar engine's "no rule in force for season …" rejection).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from ..errors import NoRuleInForce, ParameterError
from ..params import Band, Parameters
from ..season import Season

PRICE_SCALE = 10_000
RATE_SCALE = 10_000
CELSIUS_SCALE = 1_000_000
LATE_RATE_SCALE = 1_000_000
EPOCH = date(1970, 1, 1)
US_PER_DAY = 86_400_000_000


def scaled(value: Decimal, scale: int, name: str) -> int:
    """``value × scale`` as an exact integer, or ParameterError."""
    v = Decimal(value) * scale
    if v != v.to_integral_value():
        raise ParameterError(
            f"parameter {name} = {value} has more decimals than the batch engine's scale 1/{scale}"
        )
    return int(v)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def _tod_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _get(params: Parameters, name: str, season: Season) -> Any:
    try:
        return params.value(name, season)
    except NoRuleInForce:
        return None


def season_row(params: Parameters, year: int) -> dict[str, Any]:
    """The kernel's parameter columns for the season starting in ``year``."""
    s = Season(year)
    row: dict[str, Any] = {"season_year": year}

    def dec(col: str, name: str, scale: int) -> None:
        v = _get(params, name, s)
        row[col] = None if v is None else scaled(v, scale, name)

    def integer(col: str, name: str) -> None:
        v = _get(params, name, s)
        row[col] = None if v is None else int(v)

    for cat, short in (("residential", "res"), ("non_residential", "non")):
        dec(f"price_area_{short}", f"tariff.area.price.{cat}", PRICE_SCALE)
        dec(f"price_base_{short}", f"tariff.metered.base_price.{cat}", PRICE_SCALE)
        dec(f"price_energy_{short}", f"tariff.metered.energy_price.{cat}", PRICE_SCALE)
        dec(f"susp_rate_{short}", f"suspension.compensation_rate.{cat}", RATE_SCALE)
    dec("perm_rate", "suspension.permanent_compensation", RATE_SCALE)
    dec("cutoff_rate", "cutoff.compensation_rate", RATE_SCALE)
    dec("deemed_rate", "temperature.deemed_failure_rate", RATE_SCALE)
    dec("std_res", "temperature.standard.residential", CELSIUS_SCALE)
    dec("late_rate", "late_fee.daily_rate", LATE_RATE_SCALE)
    integer("sup_mult", "refund.supplier.multiplier")
    integer("oth_mult", "refund.other.multiplier")
    sup_rule = _get(params, "refund.supplier.part_day", s)
    oth_rule = _get(params, "refund.other.part_day", s)
    row["sup_ceil"] = None if sup_rule is None else sup_rule == "ceil"
    row["oth_ceil"] = None if oth_rule is None else oth_rule == "ceil"
    day_h = _get(params, "refund.day_hours", s)
    row["day_us"] = None if day_h is None else int(day_h) * 3_600_000_000
    trig_h = _get(params, "temperature.trigger_hours", s)
    row["trigger_us"] = None if trig_h is None else int(trig_h) * 3_600_000_000
    with_children = _get(params, "waiver.cadre_widow.with_children", s)
    row["widow_with"] = None if with_children is None else scaled(with_children, 100, "widow")
    row["widow_without"] = _get(params, "waiver.cadre_widow.without_children", s) is not None
    earliest = _get(params, "measurement.earliest", s)
    latest = _get(params, "measurement.latest", s)
    row["meas_from_us"] = None if earliest is None else _tod_us(earliest)
    row["meas_to_us"] = None if latest is None else _tod_us(latest)
    integer("meas_per_day", "measurement.max_per_day")
    # dates
    try:
        period = params.period(s)
    except NoRuleInForce:
        period = None
    if period is None:
        for c in ("first_day", "last_day", "n_days", "period_start", "period_end"):
            row[c] = None
    else:
        row["first_day"] = day_number(period.first_day)
        row["last_day"] = day_number(period.last_day)
        row["n_days"] = period.days
        row["period_start"] = day_number(period.first_day) * US_PER_DAY
        row["period_end"] = day_number(period.last_day + timedelta(days=1)) * US_PER_DAY
    due = _get(params, "late_fee.due_day", s)
    row["due_day"] = None if due is None else day_number(date(year, due[0], due[1]))
    cut = _get(params, "cutoff.first_day", s)
    row["cutoff_first"] = None if cut is None else day_number(date(year + 1, cut[0], cut[1]))
    return row


SCHEMA: dict[str, Any] = {
    "season_year": pl.Int64,
    **{
        f"{p}_{c}": pl.Int64
        for p in ("price_area", "price_base", "price_energy", "susp_rate")
        for c in ("res", "non")
    },
    "perm_rate": pl.Int64,
    "cutoff_rate": pl.Int64,
    "deemed_rate": pl.Int64,
    "std_res": pl.Int64,
    "late_rate": pl.Int64,
    "sup_mult": pl.Int64,
    "oth_mult": pl.Int64,
    "sup_ceil": pl.Boolean,
    "oth_ceil": pl.Boolean,
    "day_us": pl.Int64,
    "trigger_us": pl.Int64,
    "widow_with": pl.Int64,
    "widow_without": pl.Boolean,
    "meas_from_us": pl.Int64,
    "meas_to_us": pl.Int64,
    "meas_per_day": pl.Int64,
    "first_day": pl.Int64,
    "last_day": pl.Int64,
    "n_days": pl.Int64,
    "period_start": pl.Int64,
    "period_end": pl.Int64,
    "due_day": pl.Int64,
    "cutoff_first": pl.Int64,
}


def season_table(params: Parameters, years: list[int]) -> pl.DataFrame:
    """One row per season start year with every kernel parameter (null when not in force)."""
    rows = [season_row(params, y) for y in sorted(set(years))]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)


def band_table(params: Parameters, years: list[int]) -> pl.DataFrame:
    """Temperature bands per season: shortfall in (above, upto] → rate (scaled)."""
    out: dict[str, list[Any]] = {"season_year": [], "above": [], "upto": [], "band_rate": []}
    for y in sorted(set(years)):
        bands: tuple[Band, ...] | None = _get(params, "temperature.bands", Season(y))
        for b in bands or ():
            out["season_year"].append(y)
            out["above"].append(scaled(b.above, CELSIUS_SCALE, "temperature.bands"))
            out["upto"].append(
                None if b.upto is None else scaled(b.upto, CELSIUS_SCALE, "temperature.bands")
            )
            out["band_rate"].append(scaled(b.rate, RATE_SCALE, "temperature.bands"))
    return pl.DataFrame(
        out,
        schema={
            "season_year": pl.Int64,
            "above": pl.Int64,
            "upto": pl.Int64,
            "band_rate": pl.Int64,
        },
    )
