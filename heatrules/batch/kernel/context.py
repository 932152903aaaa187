"""What every rule needs about one account in one season (rules.md §1, §3, §4, §7).

The compiled twin of :mod:`heatrules.context`: the category's prices, the divisor N (as
``q_n`` = N × the price scale), the area fee F (as area × price), the days connected and cut
off, the *supplied season* ``[s_us, e_us)`` and the late fee's due date — and the daily fee
the refunds use (:func:`refund_daily_fee`, with :mod:`.policy`'s internal switches).
"""

from __future__ import annotations

from numba import njit

from ..seasonparams import PRICE_SCALE, US_PER_DAY
from .arith import NONE, rdiv, rdiv_parts
from .params import (
    DUE_DAY,
    FIRST_DAY,
    LAST_DAY,
    N_DAYS,
    P_AREA,
    P_BASE,
    PERIOD_END,
    PERIOD_START,
)


@njit(cache=True, inline="always")
def account_context(P, si, residential, metered, area, connected_on, cutoff_from, suspension):  # type: ignore[no-untyped-def]
    """(conn, cut, cd, cut_days, s_us, e_us, ap_area, ap_day, p_day, q_n, due) of one account.

    ``conn`` is the connection date when it falls after the season's first day (else NONE);
    ``cut`` the cut-off date of a supplied account (else NONE); ``cd`` the days connected;
    ``cut_days`` the days from the cut-off to the season's end; ``p_day`` the price of the
    daily fee (the base price of a metered account); ``due`` the later of the due day and
    the connection date.
    """
    cat = 0 if residential else 1
    first = P[si, FIRST_DAY]
    last = P[si, LAST_DAY]
    conn = connected_on if connected_on != NONE and connected_on > first else NONE
    cut = cutoff_from if suspension == 0 and cutoff_from != NONE else NONE
    cd = last - (first if conn == NONE else conn) + 1
    cut_days = 0 if cut == NONE else last - cut + 1
    s_us = P[si, PERIOD_START] if conn == NONE else conn * US_PER_DAY
    e_us = P[si, PERIOD_END] if cut == NONE else cut * US_PER_DAY
    p_area = P[si, P_AREA + cat]
    p_day = P[si, P_BASE + cat] if metered else p_area
    q_n = P[si, N_DAYS] * PRICE_SCALE
    due_day = P[si, DUE_DAY]
    due = conn if conn != NONE and conn > due_day else due_day
    return conn, cut, cd, cut_days, s_us, e_us, area * p_area, area * p_day, p_day, q_n, due


@njit(cache=True, inline="always")
def refund_daily_fee(ap_day, q_n, cd, cut_days, divisor_days, rounded_first):  # type: ignore[no-untyped-def]
    """The refunds' daily fee d = F / divisor as the fraction (num, den) fen, and the divisor.

    Legal: d = area × price / N exact (``divisor_days`` 0, ``rounded_first`` False). The
    policy switches of :mod:`.policy`: ``divisor_days`` > 0 divides by that many days, −1 by
    the supplied days (``cd − cut_days``); ``rounded_first`` rounds d half-up to the fen
    before it is multiplied. Returns (num, den, q_d) with q_d = divisor × the price scale.
    """
    if divisor_days == 0:
        q_d = q_n
    elif divisor_days > 0:
        q_d = divisor_days * PRICE_SCALE
    else:
        q_d = (cd - cut_days) * PRICE_SCALE
    if rounded_first:
        return rdiv(ap_day, q_d), 1, q_d
    return ap_day, q_d, q_d


@njit(cache=True, inline="always")
def per_day(num, den):  # type: ignore[no-untyped-def]
    """A daily fee ``num / den`` as quotient and remainder (one division, reused per line)."""
    return num // den, num % den


@njit(cache=True, inline="always")
def connected_fee(f_qt, f_rm, cd, q_n):  # type: ignore[no-untyped-def]
    """F × days connected / N, half-up to the fen (F / N given by :func:`per_day`): the area
    fee of an account not cut off, and the heating fee owed at the late fee's due date."""
    return rdiv_parts(f_qt, f_rm, cd, q_n)
