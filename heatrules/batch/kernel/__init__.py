"""The vectorised bill kernel: validated integer columns → bill lines and per-account totals.

Every line code of ``../shared/spec/rules.md`` is computed with polars expressions over whole
columns — no Python loop per account — in exact integer arithmetic:

* quantities are scaled integers (area in 1/100 m², prices in 1/10⁴ yuan, rates in 1/10⁴,
  the late-fee rate in 1/10⁶, kWh in 1/1000, money in fen, instants in µs, dates in days);
* each line is an exact rational ``p / q`` (p ≥ 0, q > 0) rounded **once**, half-up, to the
  fen as ``(2p + q) // (2q)`` (rules.md §2), and totals are sums of rounded lines;
* products that could leave int64 are formed as ``x·y/q = (x // q)·y + (x % q)·y / q`` (see
  :func:`~.arith.mul_rdiv`), which is exact; with the input bounds of
  :mod:`heatrules.batch.schema` every intermediate stays below 2⁶² (``docs/batch.md`` lists
  the bounds).

Each rule's batch form sits in the module named like its scalar module:

* :mod:`.context` — the season's parameters, N, F, the days connected and cut off, the
  supplied season and the due date (:mod:`heatrules.context`);
* :mod:`.tariffs` — area fee, metered base and energy, suspension compensation
  (:mod:`heatrules.tariffs`);
* :mod:`.cutoff` — cut-off compensation (:mod:`heatrules.fees.cutoff`);
* :mod:`.no_heat` — interval union, supplier and other hours, no-heat refunds
  (:mod:`heatrules.refunds.no_heat`);
* :mod:`.temperature` — temperature refunds (:mod:`heatrules.refunds.temperature`);
* :mod:`.waivers` — the widow waiver (:mod:`heatrules.waivers.cadre_widow`);
* :mod:`.late_payment` — the late fee, accruing up to the day before a cut-off
  (:mod:`heatrules.fees.late_payment`);
* :mod:`.totals` and :mod:`.lines` — payments, totals, the bills and lines frames;
* :mod:`.arith` and :mod:`.codes` — the exact rounding, dense account positions, the line codes;
* :mod:`.policy` — the alternative readings of :class:`heatrules.policy.Policy` (``run(...,
  policy=...)``): transforms of these inputs, and four internal switches it lists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from ...policy import Policy

if TYPE_CHECKING:
    from ...params import Parameters
    from ..validate import Validated

from .arith import Dense, int_col, mul_rdiv, rdiv
from .codes import BLOCK, CHARGE_CODES, CODES, NEGATIVE, REFUND_CODES, SEQ_BLOCK, col_name
from .context import account_frame
from .cutoff import cutoff_compensation
from .late_payment import late_fee
from .lines import lines_frame
from .no_heat import NH_SCHEMA, no_heat_refunds
from .policy import NOT_BILLED_SCHEMA, Inputs, apply
from .tariffs import area_fee, metered_base, metered_energy, suspension_compensation
from .temperature import temperature_refunds
from .totals import payments_column, totals
from .waivers import cadre_widow_waiver

__all__ = [
    "BLOCK",
    "CHARGE_CODES",
    "CODES",
    "NEGATIVE",
    "REFUND_CODES",
    "SEQ_BLOCK",
    "KernelResult",
    "col_name",
    "mul_rdiv",
    "rdiv",
    "run",
]


class _Clock:
    """Seconds per kernel stage, for the benchmark's profile."""

    def __init__(self, sink: dict[str, float] | None) -> None:
        self.sink = sink
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.sink is not None:
            self.sink[name] = self.sink.get(name, 0.0) + now - self.t
        self.t = now


@dataclass
class KernelResult:
    """Per-account figures (``bills``: fen per code and totals) and optionally the lines.

    ``not_billed``: the accounts the policy's reading cannot bill (``acct, line, account_id,
    season, reason``; never any under the legal reading) — they have no row in ``bills``.
    """

    bills: pl.DataFrame
    lines: pl.DataFrame | None
    not_billed: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NOT_BILLED_SCHEMA))


def run_tables(
    v: Validated,
    *,
    with_lines: bool = False,
    profile: dict[str, float] | None = None,
    policy: Policy | None = None,
    params: Parameters | None = None,
) -> KernelResult:
    """:func:`run` on the tables of a validation (accounts, outages, records, payments)."""
    return run(
        v.accounts,
        v.own_no_heat,
        v.station_no_heat,
        v.temperature,
        v.payments,
        v.seasons,
        v.bands,
        with_lines=with_lines,
        profile=profile,
        policy=policy,
        params=params,
    )


def run(
    accounts: pl.DataFrame,
    own_no_heat: pl.DataFrame,
    station_no_heat: pl.DataFrame,
    temperature: pl.DataFrame,
    payments: pl.DataFrame,
    seasons: pl.DataFrame,
    bands: pl.DataFrame,
    *,
    with_lines: bool = False,
    profile: dict[str, float] | None = None,
    policy: Policy | None = None,
    params: Parameters | None = None,
) -> KernelResult:
    """Bill every (validated) account; see the module docstring for the arithmetic.

    ``accounts`` must be in input order (its rows are the bills' rows); ``profile``, when
    given, receives the seconds spent in each stage. ``policy`` (default: the legal reading)
    reads the rules another way, as ``heatrules.bill(case, policy=...)`` does (:mod:`.policy`;
    ``params``, the parameter data, is needed for ``params_season``; ``facility_as_supplier``
    needs the no-heat tables' ``facility`` column).
    """
    clock = _Clock(profile)
    not_billed = pl.DataFrame(schema=NOT_BILLED_SCHEMA)
    divisor_days, rounded_first, temperature_ceil, no_union = 0, False, False, False
    if policy is not None and not policy.legal:
        inputs, sw, not_billed = apply(
            Inputs(accounts, own_no_heat, station_no_heat, temperature, payments, seasons, bands),
            policy,
            params,
        )
        accounts, own_no_heat, station_no_heat = (
            inputs.accounts,
            inputs.own_no_heat,
            inputs.station_no_heat,
        )
        temperature, payments, seasons, bands = (
            inputs.temperature,
            inputs.payments,
            inputs.seasons,
            inputs.bands,
        )
        divisor_days, rounded_first = sw.divisor_days, sw.daily_fee_rounded_first
        temperature_ceil, no_union = sw.temperature_ceil, sw.no_union
        clock.lap("policy")
    acc = account_frame(
        accounts, seasons, divisor_days=divisor_days, daily_fee_rounded_first=rounded_first
    )
    dense = Dense(acc.get_column("acct"))
    # ---------------------------------------------------------------- charges (§3, §6, §7)
    acc = acc.with_columns(
        area_fee(),
        metered_base(),
        metered_energy(),
        suspension_compensation(),
        cutoff_compensation(),
    )
    clock.lap("charges")
    # ---------------------------------------------------------------- no-heat refunds (§4.1)
    acc, acct_pid, comps, long_parts = no_heat_refunds(
        acc,
        own_no_heat,
        station_no_heat,
        seasons,
        dense,
        with_lines=with_lines,
        lap=clock.lap,
        no_union=no_union,
    )
    # ---------------------------------------------------------------- temperature (§4.2)
    acc, tp = temperature_refunds(
        temperature,
        acc,
        acct_pid,
        comps,
        bands,
        seasons,
        dense,
        daily_fee_rounded_first=rounded_first,
        temperature_ceil=temperature_ceil,
    )
    clock.lap("temperature refunds")
    # ---------------------------------------------------------------- widow waiver (§5)
    acc = cadre_widow_waiver(acc)
    clock.lap("widow waiver")
    # ---------------------------------------------------------------- late fee (§7)
    pay_pos = dense.pos(payments.get_column("acct"))
    pay_amount = int_col(payments, "amount")
    acc = late_fee(acc, dense, payments, pay_pos, pay_amount)
    clock.lap("late fee")
    # ---------------------------------------------------------------- payments
    acc = acc.with_columns(payments_column(dense, pay_pos, pay_amount))
    clock.lap("payments")
    # ---------------------------------------------------------------- totals (§8)
    acc, bills = totals(acc)
    clock.lap("totals")
    lines = None
    if with_lines:
        nh_long = pl.concat(long_parts) if long_parts else pl.DataFrame(schema=NH_SCHEMA)
        lines = lines_frame(acc, nh_long, tp, payments.with_columns(pl.Series("pos", pay_pos)))
    clock.lap("lines")
    return KernelResult(bills, lines, not_billed)
