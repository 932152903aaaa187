"""Indoor temperature refunds: 10 %, 50 % or 100 % of the room's daily fee per day below standard.

The compiled twin of :mod:`heatrules.refunds.temperature` — REF (with REG arts. 20-21),
rules.md §4.2: per record, the window ``[measured_at, restored_at)`` cut by the room's next
record and clipped to the supplied season, refunded only when longer than
``temperature.trigger_hours`` (REF art. 5), per whole day not covered by the account's
continuous outages; the rate is the band of the shortfall (a deemed failure: its rate; a user
fault: nothing).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from ..seasonparams import RATE_SCALE
from .arith import NONE, mul_rdiv, part_days
from .params import DAY_US, DEEMED_RATE, PERIOD_END, STD_RES, TRIGGER_US

WHY = ("user_fault", "complies", "not_triggered", "deemed", "band")
"""Why a record's refund is what it is (the ``kind`` of its line), by code."""
USER_FAULT, COMPLIES, NOT_TRIGGERED, DEEMED, BAND = range(len(WHY))


def records(temperature: pl.DataFrame, pos: np.ndarray) -> pl.DataFrame:
    """The records ordered by account position, room and time, with the room's next record.

    ``pos`` is each record's account position; the result carries it and ``next_m`` (the
    room's next measurement, which ends this record's window).
    """
    t = temperature.with_columns(pl.Series("pos", pos, dtype=pl.Int64)).sort(
        "pos", "room", "measured_at", maintain_order=True
    )
    same_room = (pl.col("pos") == pl.col("pos").shift(-1)) & (
        pl.col("room") == pl.col("room").shift(-1)
    )
    return t.with_columns(pl.when(same_room).then(pl.col("measured_at").shift(-1)).alias("next_m"))


@njit(cache=True, inline="always")
def band_rate(shortfall, lo, hi, above, upto, rate):  # type: ignore[no-untyped-def]
    """The rate of the first band ``(above, upto]`` the shortfall falls in, else 0."""
    if shortfall <= 0:
        return 0
    for b in range(lo, hi):
        if shortfall > above[b] and (upto[b] == NONE or shortfall <= upto[b]):
            return rate[b]
    return 0


@njit(cache=True, inline="always")
def room_daily_fee(room_area, area, p_day, d_num, q_d, rounded_first):  # type: ignore[no-untyped-def]
    """The room's daily fee d × room area / area as (num, den) per unit of rate (1/10⁴).

    Legal: room area × price / divisor, exact; with the daily fee rounded first (policy
    switch ``daily_fee_rounded_first``) the fen amount d_num × room area / area.
    """
    if rounded_first:
        return room_area * d_num, area * RATE_SCALE
    return room_area * p_day, q_d * RATE_SCALE


@njit(cache=True)
def record_refund(  # type: ignore[no-untyped-def]
    P,
    si,
    b_lo,
    b_hi,
    above,
    upto,
    b_rate,
    measured_at,
    restored_at,
    next_m,
    celsius,
    standard,
    deemed,
    user_fault,
    s_us,
    e_us,
    cs,
    ce,
    n_out,
    fee_num,
    fee_den,
    ceil,
):
    """(fen, days, why) of one record; ``cs``/``ce`` are the account's ``n_out`` outages.

    The room's daily fee is ``fee_num / fee_den`` per unit of rate (:func:`room_daily_fee`);
    ``ceil`` counts a part day as one (policy switch ``temperature_ceil``), else none.
    """
    end = P[si, PERIOD_END] if restored_at == NONE else restored_at
    if next_m != NONE and next_m < end:
        end = next_m
    ws = max(measured_at, s_us)
    we = min(end, e_us)
    length = we - ws if we > ws else 0
    lost = 0
    if length > 0:
        for o in range(n_out):
            ov = min(we, ce[o]) - max(ws, cs[o])
            if ov > 0:
                lost += ov
    std = P[si, STD_RES] if standard == NONE else standard
    band = 0
    if celsius != NONE and std != NONE:
        band = band_rate(std - celsius, b_lo, b_hi, above, upto, b_rate)
    rate = 0 if user_fault else (P[si, DEEMED_RATE] if deemed else band)
    triggered = length > P[si, TRIGGER_US]
    days = part_days(length - lost, P[si, DAY_US], ceil) if triggered and rate != 0 else 0
    fen = mul_rdiv(fee_num, rate * days, fee_den)
    if user_fault:
        why = USER_FAULT
    elif rate == 0:
        why = COMPLIES
    elif not triggered:
        why = NOT_TRIGGERED
    elif deemed:
        why = DEEMED
    else:
        why = BAND
    return fen, days, why
