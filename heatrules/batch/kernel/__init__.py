"""The bill kernel: validated tables → bill lines and per-account totals, compiled with numba.

Every line code of ``../shared/spec/rules.md`` is computed in one compiled pass over the
accounts (:mod:`.bill`, parallel over chunks of accounts) in exact integer arithmetic:

* quantities are scaled integers (area in 1/100 m², prices in 1/10⁴ yuan, rates in 1/10⁴,
  the late-fee rate in 1/10⁶, kWh in 1/1000, money in fen, instants in µs, dates in days);
* each line is an exact rational ``p / q`` (p ≥ 0, q > 0) rounded **once**, half-up, to the
  fen as ``(2p + q) // (2q)`` (rules.md §2), and totals are sums of rounded lines;
* products that could leave int64 are formed as ``x·y/q = (x // q)·y + (x % q)·y / q`` (see
  :func:`~.arith.mul_rdiv`), which is exact; with the input bounds of
  :mod:`heatrules.batch.schema` every intermediate stays below 2⁶² (``docs/batch.md`` lists
  the bounds).

Each rule's compiled form sits in the module named like its scalar module:

* :mod:`.context` — N, F, the days connected and cut off, the supplied season, the due date
  and the refunds' daily fee (:mod:`heatrules.context`); :mod:`.params` — the season's
  parameters as a matrix;
* :mod:`.tariffs` — area fee, metered base and energy, suspension compensation
  (:mod:`heatrules.tariffs`);
* :mod:`.cutoff` — cut-off compensation (:mod:`heatrules.fees.cutoff`);
* :mod:`.no_heat` — interval union, supplier and other hours, no-heat refunds
  (:mod:`heatrules.refunds.no_heat`);
* :mod:`.temperature` — temperature refunds (:mod:`heatrules.refunds.temperature`);
* :mod:`.waivers` — the widow waiver (:mod:`heatrules.waivers.cadre_widow`);
* :mod:`.late_payment` — the late fee, accruing up to the day before a cut-off
  (:mod:`heatrules.fees.late_payment`);
* :mod:`.bill` — the pass over the accounts and the totals; :mod:`.lines` — the long lines
  frame; :mod:`.arith` and :mod:`.codes` — the exact rounding and the line codes;
* :mod:`.policy` — the alternative readings of :class:`heatrules.policy.Policy` (``run(...,
  policy=...)``): transforms of these inputs, and four internal switches it lists.

This module prepares flat arrays from the validated polars tables (nulls as
:data:`~.arith.NONE`; events grouped by account position; station outages by station group),
runs the pass and assembles the ``bills`` frame (and, when asked, ``lines``). The first call in
a fresh installation compiles the kernel (some seconds); the machine code is cached next to
the modules (or in ``NUMBA_CACHE_DIR``) for every later process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ...errors import HeatrulesError
from ...policy import Policy
from ..validate import MAX_PAID_FEN
from . import cache  # noqa: F401  (numba's cache folder, before any compiled module)
from .arith import NONE
from .bill import (
    N_TOTALS,
    TOTALS,
    account_groups,
    bill_accounts,
    by_account,
    is_identity,
    new_outputs,
    positions,
    scratch_sizes,
)
from .codes import BLOCK, CHARGE_CODES, CODES, NEGATIVE, REFUND_CODES, SEQ_BLOCK, col_name
from .lines import lines_frame
from .memory import prefault
from .no_heat import station_profiles
from .params import COLUMNS as PARAM_COLUMNS
from .params import band_arrays, season_index, season_matrix
from .policy import NOT_BILLED_SCHEMA, Inputs, Switches, apply
from .temperature import WHY, records

if TYPE_CHECKING:
    from ...params import Parameters
    from ..validate import Validated

__all__ = [
    "BLOCK",
    "CHARGE_CODES",
    "CODES",
    "NEGATIVE",
    "REFUND_CODES",
    "SEQ_BLOCK",
    "KernelResult",
    "col_name",
    "run",
    "run_tables",
]

NH_CODES = ("refund.supplier_outage", "refund.facility_outage")
# An account's payments in one season sum to at most MAX_PAID_FEN (heatrules.limits.
# MAX_SEASON_PAID): validation rejects an account beyond it, the kernel checks it again.


class KernelRangeError(HeatrulesError):
    """An input whose bill would leave the batch engine's exact integer range."""


_bill_accounts: Any = bill_accounts  # a numba dispatcher (its call is not typed)


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


def _ro(values: Any, dtype: type | None = None) -> np.ndarray:
    """A read-only, C-contiguous view (a copy only when needed) of an input of the kernel.

    Every input array reaches the compiled functions with the same type (read-only,
    contiguous, int64 or bool: ``dtype``, else the input's), whether polars shared its buffer
    or made a new one, so the
    kernel is compiled once and found in the cache by every later run.
    """
    out: np.ndarray = np.ascontiguousarray(values, dtype=dtype).view()
    out.flags.writeable = False
    return out


def _ints(frame: pl.DataFrame, col: str, fill: int = NONE) -> np.ndarray:
    """An integer column as int64 numpy, nulls as ``fill`` (exact, never through floats)."""
    return _ro(frame.get_column(col).cast(pl.Int64).fill_null(fill).to_numpy())


def _bools(frame: pl.DataFrame, col: str) -> np.ndarray:
    return _ro(frame.get_column(col).fill_null(False).to_numpy(), np.bool_)


_ACCOUNT_INTS = (
    ("area", NONE),
    ("kwh", NONE),
    ("suspension", 0),
    ("connected_on", NONE),
    ("cutoff_from", NONE),
    ("supply_started_at", NONE),
    ("supply_stopped_at", NONE),
    ("as_of", NONE),
    ("late_fee_rate", NONE),
)
_ACCOUNT_BOOLS = ("residential", "metered", "waiver", "has_children")


def _account_columns(accounts: pl.DataFrame) -> list[np.ndarray]:
    """The account columns in :func:`.bill.bill_accounts`' order (one parallel polars pass).

    Optional facts nobody has (no connection dates, no supply facts in most cities) share one
    array of NONE instead of a filled copy each.
    """
    n = accounts.height
    empty = [c for c, fill in _ACCOUNT_INTS if fill == NONE and accounts[c].null_count() == n]
    cols = accounts.select(
        *(pl.col(c).cast(pl.Int64).fill_null(fill) for c, fill in _ACCOUNT_INTS if c not in empty),
        *(pl.col(c).fill_null(False) for c in _ACCOUNT_BOOLS),
    )
    none = _ro(np.full(n, NONE, dtype=np.int64)) if empty else None
    ints = {c: _ro(cols.get_column(c).to_numpy()) for c, _ in _ACCOUNT_INTS if c not in empty}
    ints.update({c: none for c in empty if none is not None})
    bools = {c: _ro(cols.get_column(c).to_numpy(), np.bool_) for c in _ACCOUNT_BOOLS}
    return [
        bools["residential"],
        bools["metered"],
        *(ints[c] for c in ("area", "kwh", "suspension", "connected_on", "cutoff_from")),
        *(ints[c] for c in ("supply_started_at", "supply_stopped_at")),
        bools["waiver"],
        bools["has_children"],
        ints["as_of"],
        ints["late_fee_rate"],
    ]


def _account_positions(keys: np.ndarray, pos_of: np.ndarray) -> np.ndarray:
    """The positions of the accounts of event rows (``pos_of`` empty: keys are positions)."""
    return pos_of[keys] if len(pos_of) else keys


def _take(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Event column values in account order (``order`` empty: already in account order)."""
    return _ro(values[order], values.dtype.type) if len(order) else values


def _station_groups(
    accounts: pl.DataFrame, station: pl.DataFrame, sidx: np.ndarray, seasons: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Station group of each account and of each station outage (−1: none), groups' seasons.

    A group is a (station, season) with outages; its season is a row of ``seasons``. Stations
    are joined on the integer ``station_code`` the validation gave them (null: no outage).
    """
    n_seasons = max(seasons.height, 1)
    if station.height == 0:
        none = np.zeros(0, dtype=np.int64)
        return np.full(accounts.height, -1, dtype=np.int64), none, none
    st_code = station.get_column("station_code").to_numpy()
    acc_code = accounts.get_column("station_code").fill_null(-1).to_numpy()
    n_codes = max(int(st_code.max()), int(acc_code.max()) if len(acc_code) else -1) + 1
    flat = st_code * n_seasons + season_index(station.get_column("season_year"), seasons)
    uniq = np.unique(flat)
    table = np.full(n_codes * n_seasons, -1, dtype=np.int64)
    table[uniq] = np.arange(len(uniq), dtype=np.int64)
    acc_group = account_groups(_ro(acc_code), sidx, _ro(table), n_seasons)
    return acc_group, table[flat], (uniq % n_seasons).astype(np.int64)


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
    sw = Switches()
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
        temperature, payments = inputs.temperature, inputs.payments
        seasons, bands = inputs.seasons, inputs.bands
        clock.lap("policy")
    n = accounts.height
    # the per-account outputs (17 int64 columns) are faulted in by the operating system on a
    # second thread while the inputs are prepared and the pass begins
    B = new_outputs(N_TOTALS + len(CODES), n, 0, False)[0]
    populating = prefault(B)
    no_map = _ro(np.zeros(0, dtype=np.int64))
    acct = _ints(accounts, "acct")
    # an account's key is its position when no account row was rejected (the usual case):
    # an empty map then, and events reach their account without a look-up table
    pos_of = no_map if is_identity(acct) else _ro(positions(acct))
    P = _ro(season_matrix(seasons))
    b_off, b_above, b_upto, b_rate = (_ro(a) for a in band_arrays(bands, seasons))
    sidx = _ro(season_index(accounts.get_column("season_year"), seasons))
    # station outages by station group, united once per group
    clock.lap("prepare: seasons")
    acc_group, st_group, g_season = (
        _ro(a) for a in _station_groups(accounts, station_no_heat, sidx, seasons)
    )
    st = station_no_heat
    st_off, st_order = by_account(st_group, no_map, len(g_season))
    st_start = _take(_ints(st, "start"), st_order)
    st_end = _take(_ints(st, "end"), st_order)
    st_sup = _take(_bools(st, "supplier"), st_order)
    # own outages, temperature records (by room and time) and payments by account
    clock.lap("prepare: station groups")
    own = own_no_heat
    own_off, own_order = by_account(_ints(own, "acct"), pos_of, n)
    own_start = _take(_ints(own, "start"), own_order)
    own_end = _take(_ints(own, "end"), own_order)
    own_sup = _take(_bools(own, "supplier"), own_order)
    tp = records(temperature, _account_positions(_ints(temperature, "acct"), pos_of))
    t_off, _ = by_account(_ints(tp, "pos"), no_map, n)
    clock.lap("prepare: own outages, temperature")
    pay_off, pay_order = by_account(_ints(payments, "acct"), pos_of, n)
    pay_date = _take(_ints(payments, "date"), pay_order)
    pay_amount = _take(_ints(payments, "amount"), pay_order)
    clock.lap("prepare: payments")
    # scratch space: an account's intervals, its payments
    st_off, own_off, t_off, pay_off = (_ro(a) for a in (st_off, own_off, t_off, pay_off))
    max_iv, max_pay, too_much = scratch_sizes(
        own_off, st_off, acc_group, pay_off, pay_amount, MAX_PAID_FEN
    )
    if too_much >= 0:
        row = accounts.row(too_much, named=True)
        raise KernelRangeError(
            f"account {row['account_id']} {row['season']}: its payments sum to more than "
            f"{MAX_PAID_FEN // 100:,} yuan, beyond the batch engine's range (a bill's figures "
            "are decimal(18, 2))"
        )
    st_n = np.diff(st_off)
    g_count, g_cs, g_ce, _, g_sd, g_od = (
        _ro(a)
        for a in station_profiles(
            P,
            g_season,
            st_off,
            st_start,
            st_end,
            st_sup,
            max(int(st_n.max()) if len(st_n) else 1, 1),
        )
    )
    clock.lap("prepare: station outages")

    _, present, D, t_fen, t_days, t_why, nh_count = new_outputs(0, n, tp.height, with_lines)
    S = _ro(
        np.array(
            [sw.divisor_days, sw.daily_fee_rounded_first, sw.temperature_ceil, sw.no_union],
            dtype=np.int64,
        )
    )
    clock.lap("prepare: outputs")
    args: list[Any] = [
        P, b_off, b_above, b_upto, b_rate, S,
        sidx,
        *_account_columns(accounts),
        acc_group,
        own_off, own_start, own_end, own_sup,
        st_off, st_start, st_end, st_sup,
        g_count, g_cs, g_ce, g_sd, g_od,
        t_off,
        _ints(tp, "measured_at"),
        _ints(tp, "restored_at"),
        _ints(tp, "next_m"),
        _ints(tp, "celsius"),
        _ints(tp, "standard_celsius"),
        _ints(tp, "room_area"),
        _bools(tp, "deemed_failure"),
        _ro(tp.get_column("user_fault").is_not_null().to_numpy(), np.bool_),
        pay_off, pay_date, pay_amount,
        max_iv, max_pay,
    ]  # fmt: skip
    clock.lap("prepare: account columns")
    outputs = [B, present, D, t_fen, t_days, t_why, nh_count]
    empty = np.zeros(0, dtype=np.int64)
    _bill_accounts(*args, False, empty, *outputs, empty, empty, empty)
    populating.join()
    clock.lap("bill")
    bills = accounts.select("acct", "line", "account_id", "season", "season_year").with_columns(
        *[pl.Series(name, B[k]) for k, name in enumerate(TOTALS)],
        *[pl.Series(col_name(c), B[N_TOTALS + k]) for k, c in enumerate(CODES)],
    )
    clock.lap("bills frame")
    lines = None
    if with_lines:
        # a second pass writes the per-outage lines at their offsets
        nh_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(nh_count, out=nh_off[1:])
        m = int(nh_off[-1])
        nh_seq, nh_fen, nh_days = (np.empty(m, dtype=np.int64) for _ in range(3))
        _bill_accounts(*args, True, nh_off, *outputs, nh_seq, nh_fen, nh_days)
        tp = tp.with_columns(
            pl.Series("fen", t_fen),
            pl.Series("days", t_days),
            pl.Series("why", np.asarray(WHY, dtype=object)[t_why].tolist(), dtype=pl.String),
        )
        pays = payments.with_columns(
            pl.Series("pos", _account_positions(_ints(payments, "acct"), pos_of))
        )
        lines = _lines(accounts, B, present, D, nh_off, nh_seq, nh_fen, nh_days, tp, pays)
        clock.lap("lines")
    return KernelResult(bills, lines, not_billed)


def _lines(
    accounts: pl.DataFrame,
    B: np.ndarray,
    present: np.ndarray,
    D: np.ndarray,
    nh_off: np.ndarray,
    nh_seq: np.ndarray,
    nh_fen: np.ndarray,
    nh_days: np.ndarray,
    tp: pl.DataFrame,
    payments: pl.DataFrame,
) -> pl.DataFrame:
    """The long lines frame of the pass's outputs (:func:`.lines.lines_frame`)."""
    cols = {}
    for k, c in enumerate(CODES):
        absent = pl.Series((present & (1 << k)) == 0)
        cols[col_name(c)] = pl.Series(np.abs(B[N_TOTALS + k])).scatter(
            np.flatnonzero(absent.to_numpy()), None
        )
    acc = accounts.with_columns(**cols, cd=pl.Series(D[0]), cut_days=pl.Series(D[1]))
    pos = np.repeat(np.arange(accounts.height, dtype=np.int64), np.diff(nh_off))
    nh = pl.DataFrame(
        {
            "pos": pos,
            "seq": 3 * SEQ_BLOCK + nh_seq,
            "code": np.where(nh_seq % 2 == 0, NH_CODES[0], NH_CODES[1]),
            "fen": -nh_fen,
            "days": nh_days,
        },
        schema={
            "pos": pl.Int64,
            "seq": pl.Int64,
            "code": pl.String,
            "fen": pl.Int64,
            "days": pl.Int64,
        },
    )
    return lines_frame(acc, nh, tp, payments)


def load_compiled() -> None:
    """Load the kernel's machine code (compiling it once per installation, ~15 s).

    Called when this module is imported, so a run's time is the bills' time. The arguments
    have the types :func:`run` passes (read-only int64 / bool arrays, writable outputs); the
    test suite checks that a real run finds this one compiled signature.
    """
    i = _ro(np.zeros(0, dtype=np.int64))
    b = _ro(np.zeros(0, dtype=np.bool_), np.bool_)
    one = _ro(np.zeros(1, dtype=np.int64))
    P = _ro(np.zeros((1, len(PARAM_COLUMNS)), dtype=np.int64))
    S = _ro(np.zeros(4, dtype=np.int64))
    positions(i)
    is_identity(i)
    new_outputs(1, 0, 0, False)
    account_groups(i, i, i, 1)
    scratch_sizes(one, one, i, one, i, MAX_PAID_FEN)
    by_account(i, i, 0)
    station_profiles(P, i, one, i, i, b, 1)
    w = np.zeros(0, dtype=np.int64)
    _bill_accounts(
        P, one, i, i, i, S,
        i, b, b, i, i, i, i, i, i, i, b, b, i, i, i,
        one, i, i, b,
        one, i, i, b,
        i, i, i, i, i,
        one, i, i, i, i, i, i, b, b,
        one, i, i,
        1, 1, False, w,
        np.zeros((N_TOTALS + len(CODES), 0), dtype=np.int64), w,
        np.zeros((2, 0), dtype=np.int64), w, w, w, w, w, w, w,
    )  # fmt: skip


load_compiled()
