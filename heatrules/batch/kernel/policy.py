"""Readings of the rules (:class:`heatrules.policy.Policy`) in the batch kernel.

The kernel computes the bills under any reading the scalar engine computes
(``heatrules.bill(case, policy=...)``), to the fen. As far as possible a reading is a
*transform of the kernel's inputs* (:func:`apply`), so the kernel's arithmetic is the same
code for every reading:

* ``part_day_flipped`` (outages) — the ``seasons`` table's part-day rules flipped
  (``sup_ceil``, ``oth_ceil``: ceil ↔ floor);
* ``band_shift`` — the ``bands`` table with each band's rate replaced by the rate of the band
  one place higher (the top band keeps its own) or lower (the first band refunds nothing), in
  the parameter data's band order; a complying room and a deemed failure are not banded;
* ``cause_swap`` — the no-heat rows' ``supplier`` flag: ``supplier_as_facility`` clears it and
  turns the supply facts (``supply_started_at`` / ``supply_stopped_at``, supplier intervals
  from the season start / to the season end) into own rows of the account without the flag;
  ``facility_as_supplier`` sets it on the rows whose ``facility`` column is true (the
  validation keeps only ``supplier``; :func:`with_facility` adds the column from the raw
  ``cause`` cells). External outages keep their cause;
* ``params_season`` — the ``seasons`` and ``bands`` tables built from the other season's
  parameter values on each account's own calendar (:func:`policy_tables`, i.e. under
  ``policy.parameters(params)``, as the scalar engine reads them). The scalar engine also
  *validates* under those parameters: validate the tables under ``policy.parameters(params)``
  (as :func:`heatrules.batch.bill_frame` does) to reject exactly the accounts it rejects;
* ``waiver`` — the accounts' ``waiver`` / ``has_children`` columns (``missing``: no waiver;
  ``extra_with_children``: a waiver with children on every residential account without one).

An account the scalar engine cannot bill under the reading — it raises "no rule in force"
for a parameter the reading needs, e.g. a widow waiver added in a season before 2005-2006 — is
not billed: :func:`apply` drops it (and its events) and names it in ``not_billed``.

What cannot be an input is one of four **kernel-internal switches** (:class:`Switches`, plain
ints and bools passed to the kernel modules; a re-implementation of the kernel must honour
exactly these):

1. ``divisor_days`` (int; :mod:`.context`) — what the *daily fee* used by the refunds divides
   by: ``0`` the statutory N (legal); ``> 0`` that fixed number of days (``divisor="fixed_120"``,
   ``Policy.fixed_season_days``); ``-1`` (:data:`SUPPLIED_DAYS`) the account's supplied days,
   days connected − cut-off days (``cd − cut_days``). The tariff's proration F × days / N, the
   cut-off compensation and the late fee's fee at the due date keep N.
2. ``daily_fee_rounded_first`` (bool; :mod:`.context`, :mod:`.temperature`) — the daily fee
   d = F / divisor (F = area × area price, or area × metered base price; in the kernel's
   scales ``ap_day / q_d`` fen with ``q_d`` = divisor × 10⁴) is rounded half-up to the fen
   first, ``d_r = (2·ap_day + q_d) // (2·q_d)``; a no-heat line is then exactly
   ``multiplier × d_r × days`` fen and a temperature line ``d_r × room area × rate × days /
   (area × 10⁴)`` (rate in 1/10⁴) rounded once, half-up. Otherwise d stays exact and each line
   (``multiplier × ap_day × days / q_d``; ``room area × price × rate × days / (q_d × 10⁴)``) is
   rounded once.
3. ``temperature_ceil`` (bool; :mod:`.temperature`) — a temperature record's days are
   ``ceil`` instead of ``floor`` of (window − hours without heat) / day (``part_day_flipped``;
   the outages' part days are flipped in the ``seasons`` table).
4. ``no_union`` (bool; :mod:`.no_heat`) — every no-heat interval (each row and each supply
   fact, clipped to the supplied season) is an outage of its own for the *refunds*: its whole
   length is supplier hours when it is a supplier interval, else other hours, each with its
   own line (``overlap_double_counted``). The hours a temperature window loses to outages are
   still measured against the union.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ...params import Parameters
from ...policy import Policy
from ..readers import LINE
from ..seasonparams import band_table, season_table

SUPPLIED_DAYS = -1
"""``Switches.divisor_days`` for the account's supplied days (``divisor="supplied_days"``)."""


@dataclass(frozen=True)
class Switches:
    """The kernel-internal switches of a reading (see the module docstring)."""

    divisor_days: int = 0
    daily_fee_rounded_first: bool = False
    temperature_ceil: bool = False
    no_union: bool = False


@dataclass
class Inputs:
    """The kernel's input tables (as :class:`~heatrules.batch.validate.Validated` holds them)."""

    accounts: pl.DataFrame
    own_no_heat: pl.DataFrame
    station_no_heat: pl.DataFrame
    temperature: pl.DataFrame
    payments: pl.DataFrame
    seasons: pl.DataFrame
    bands: pl.DataFrame


NOT_BILLED_SCHEMA = {
    "acct": pl.Int64,
    "line": pl.Int64,
    "account_id": pl.String,
    "season": pl.String,
    "reason": pl.String,
}


def switches(policy: Policy) -> Switches:
    """The kernel-internal switches of ``policy``."""
    if policy.divisor == "fixed_120":
        divisor = policy.fixed_season_days
    elif policy.divisor == "supplied_days":
        divisor = SUPPLIED_DAYS
    else:
        divisor = 0
    return Switches(
        divisor_days=divisor,
        daily_fee_rounded_first=policy.daily_fee_rounded_first,
        temperature_ceil=policy.part_day_flipped,
        no_union=policy.overlap_double_counted,
    )


def policy_tables(
    params: Parameters, policy: Policy, years: list[int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The ``seasons`` and ``bands`` tables of ``years`` as ``policy`` reads the parameters
    (another season's values on each season's own calendar under ``params_season``)."""
    read = policy.parameters(params)
    return season_table(read, years), band_table(read, years)


def with_facility(no_heat: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """Validated no-heat rows (with ``line``) with a ``facility`` column: the raw row's
    ``cause`` is ``facility`` (``raw``: the table's text cells with ``__line``)."""
    if "facility" in no_heat.columns:
        return no_heat
    causes = raw.select(
        pl.col(LINE).alias("line"), (pl.col("cause") == "facility").alias("facility")
    )
    return no_heat.join(causes, on="line", how="left", maintain_order="left").with_columns(
        pl.col("facility").fill_null(False)
    )


def apply(
    inputs: Inputs, policy: Policy, params: Parameters | None = None
) -> tuple[Inputs, Switches, pl.DataFrame]:
    """The kernel's inputs and internal switches under ``policy``, and the accounts it cannot
    bill (``acct, line, account_id, season, reason``; they are removed from the inputs).

    ``params`` (the parameter data) is needed for ``params_season``.
    """
    if policy.legal:
        return inputs, Switches(), pl.DataFrame(schema=NOT_BILLED_SCHEMA)
    acc = inputs.accounts
    own, station = inputs.own_no_heat, inputs.station_no_heat
    seasons, bands = inputs.seasons, inputs.bands
    if policy.params_season is not None:
        if params is None:
            raise ValueError("params_season: the kernel needs the parameter data (params=...)")
        years = acc.get_column("season_year").unique().to_list()
        seasons, bands = policy_tables(params, policy, years)
    if policy.part_day_flipped:
        seasons = seasons.with_columns(~pl.col("sup_ceil"), ~pl.col("oth_ceil"))
    if policy.band_shift:
        bands = _shift_bands(bands, policy.band_shift)
    if policy.cause_swap == "supplier_as_facility":
        own = pl.concat(
            [own.with_columns(pl.lit(False).alias("supplier")), _supply_rows(acc, seasons, own)],
            how="vertical_relaxed",
        )
        station = station.with_columns(pl.lit(False).alias("supplier"))
        acc = acc.with_columns(
            pl.lit(None, dtype=acc.schema["supply_started_at"]).alias("supply_started_at"),
            pl.lit(None, dtype=acc.schema["supply_stopped_at"]).alias("supply_stopped_at"),
        )
    elif policy.cause_swap == "facility_as_supplier":
        for table in (own, station):
            if "facility" not in table.columns:
                raise ValueError(
                    "cause_swap=facility_as_supplier: the no-heat tables need a 'facility' "
                    "column (see with_facility)"
                )
        own = own.with_columns(pl.col("supplier") | pl.col("facility"))
        station = station.with_columns(pl.col("supplier") | pl.col("facility"))
    if policy.waiver == "missing":
        acc = acc.with_columns(pl.lit(False).alias("waiver"))
    elif policy.waiver == "extra_with_children":
        extra = ~pl.col("waiver") & pl.col("residential")
        acc = acc.with_columns(
            (pl.col("waiver") | extra).alias("waiver"),
            pl.when(extra).then(True).otherwise(pl.col("has_children")).alias("has_children"),
        )
    acc, dropped = _not_in_force(acc, seasons, bands, inputs.temperature)
    out = Inputs(acc, own, station, inputs.temperature, inputs.payments, seasons, bands)
    if dropped.height:
        keep = acc.select("acct")
        out = Inputs(
            acc,
            own.join(keep, on="acct", how="semi"),
            station,
            inputs.temperature.join(keep, on="acct", how="semi"),
            inputs.payments.join(keep, on="acct", how="semi"),
            seasons,
            bands,
        )
    return out, switches(policy), dropped


def _shift_bands(bands: pl.DataFrame, shift: int) -> pl.DataFrame:
    """Each band refunded at the rate of the band ``shift`` places higher (clamped at the top)
    or lower (nothing below the first), bands in the parameter data's order per season."""
    rate = pl.col("band_rate")
    if shift > 0:
        shifted = rate.shift(-1).over("season_year").fill_null(rate)
    else:
        shifted = rate.shift(1).over("season_year").fill_null(0)
    return bands.with_columns(shifted.alias("band_rate"))


def _supply_rows(acc: pl.DataFrame, seasons: pl.DataFrame, own: pl.DataFrame) -> pl.DataFrame:
    """The supply facts as own no-heat rows without the supplier flag (as the kernel builds
    them: a late start from the season start, an early stop to the season end)."""
    a = acc.select("acct", "season_year", "supply_started_at", "supply_stopped_at").join(
        seasons.select("season_year", "period_start", "period_end"), on="season_year", how="left"
    )
    rows = pl.concat(
        [
            a.filter(pl.col("supply_started_at") > pl.col("period_start")).select(
                "acct",
                pl.col("period_start").alias("start"),
                pl.col("supply_started_at").alias("end"),
            ),
            a.filter(pl.col("supply_stopped_at") < pl.col("period_end")).select(
                "acct",
                pl.col("supply_stopped_at").alias("start"),
                pl.col("period_end").alias("end"),
            ),
        ]
    )
    extra = [pl.lit(None, dtype=pl.Int64).alias("line"), pl.lit(False).alias("supplier")]
    if "facility" in own.columns:
        extra.append(pl.lit(False).alias("facility"))
    return rows.with_columns(extra).select(own.columns).cast(own.schema)


def _not_in_force(
    acc: pl.DataFrame, seasons: pl.DataFrame, bands: pl.DataFrame, temperature: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off the accounts whose bill needs a parameter that is not in force in their
    (possibly re-read) season — where the scalar engine raises "no rule in force"."""
    live = pl.col("suspension") == 0
    res = pl.col("residential")
    with_temp = pl.col("acct").is_in(temperature.get_column("acct").unique().implode())
    banded = pl.col("season_year").is_in(bands.get_column("season_year").unique().implode())

    def missing(*cols: str) -> pl.Expr:
        return pl.any_horizontal([pl.col(c).is_null() for c in cols])

    checks = [
        (
            pl.col("waiver") & pl.col("has_children") & pl.col("widow_with").is_null(),
            "the widow waiver with children (waiver.cadre_widow.with_children)",
        ),
        (
            pl.col("waiver") & ~pl.col("has_children") & ~pl.col("widow_without").fill_null(False),
            "the widow waiver without children (waiver.cadre_widow.without_children)",
        ),
        (
            pl.when(res)
            .then(pl.col("price_area_res").is_null())
            .otherwise(pl.col("price_area_non").is_null()),
            "the area price (tariff.area.price.*)",
        ),
        (
            pl.col("metered")
            & pl.when(res)
            .then(missing("price_base_res", "price_energy_res"))
            .otherwise(missing("price_base_non", "price_energy_non")),
            "the metered price (tariff.metered.*)",
        ),
        (
            live & missing("sup_mult", "oth_mult", "sup_ceil", "oth_ceil", "day_us"),
            "the no-heat refund rules (refund.*)",
        ),
        (
            live & with_temp & (missing("std_res", "trigger_us", "deemed_rate") | ~banded),
            "the temperature refund rules (temperature.*)",
        ),
        (
            (pl.col("suspension") == 1)
            & pl.when(res)
            .then(pl.col("susp_rate_res").is_null())
            .otherwise(pl.col("susp_rate_non").is_null()),
            "the suspension compensation rate",
        ),
        ((pl.col("suspension") == 2) & missing("perm_rate"), "the permanent suspension rate"),
        (
            live & pl.col("cutoff_from").is_not_null() & missing("cutoff_rate"),
            "the cut-off compensation rate",
        ),
        (live & pl.col("as_of").is_not_null() & missing("late_rate", "due_day"), "the late fee"),
    ]
    cols = [
        "season_year",
        "widow_with",
        "widow_without",
        *(f"price_{k}_{c}" for k in ("area", "base", "energy") for c in ("res", "non")),
        "sup_mult",
        "oth_mult",
        "sup_ceil",
        "oth_ceil",
        "day_us",
        "std_res",
        "trigger_us",
        "deemed_rate",
        "susp_rate_res",
        "susp_rate_non",
        "perm_rate",
        "cutoff_rate",
        "late_rate",
        "due_day",
    ]
    joined = acc.select(
        "acct",
        "line",
        "account_id",
        "season",
        "season_year",
        "residential",
        "metered",
        "suspension",
        "waiver",
        "has_children",
        "cutoff_from",
        "as_of",
    ).join(seasons.select(cols), on="season_year", how="left", maintain_order="left")
    why = pl.coalesce([pl.when(c.fill_null(False)).then(pl.lit(what)) for c, what in checks])
    flagged = joined.select("acct", "line", "account_id", "season", why.alias("what")).filter(
        pl.col("what").is_not_null()
    )
    if flagged.height == 0:
        return acc, pl.DataFrame(schema=NOT_BILLED_SCHEMA)
    dropped = flagged.select(
        "acct",
        "line",
        "account_id",
        "season",
        pl.format("no rule in force for season {} under this reading: {}", "season", "what").alias(
            "reason"
        ),
    )
    return acc.join(dropped.select("acct"), on="acct", how="anti", maintain_order="left"), dropped


__all__ = [
    "NOT_BILLED_SCHEMA",
    "SUPPLIED_DAYS",
    "Inputs",
    "Switches",
    "apply",
    "policy_tables",
    "switches",
    "with_facility",
]
