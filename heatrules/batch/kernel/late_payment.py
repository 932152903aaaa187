"""Late-payment fee (违约金, FEE): 2 ‰ per day of the unpaid part of what was owed at the due date.

The compiled twin of :mod:`heatrules.fees.late_payment` (rules.md §7): due on 31 December of
the start year (or the connection date when later), day 1 the day after; owed = the heating fee
at the due date less the widow waiver as known then; a payment lowers the unpaid part from the
day after it; accrual runs through ``as_of``, or the day before a cut-off for non-payment.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..seasonparams import LATE_RATE_SCALE
from .arith import NONE, mul_rdiv
from .params import LATE_RATE

SORT_IN_PLACE = 16
"""Up to this many payments an account's are ordered by insertion sort, above by argsort."""


@njit(cache=True, inline="always")
def owed_at_due(fee_at_due, waiver, has_children, widow_with):  # type: ignore[no-untyped-def]
    """What was owed at the due date: the heating fee (F × days connected / N, see
    :func:`.context.connected_fee`) less the widow waiver known then."""
    widow = 0
    if waiver:
        widow = min(widow_with, fee_at_due) if has_children else fee_at_due
    return max(fee_at_due - widow, 0)


@njit(cache=True)
def _unpaid_day_sum(first, last, owed, lo, hi, pay_date, pay_amount, idx):  # type: ignore[no-untyped-def]
    """Σ over the days first..last of max(owed − payments made before the day, 0) (fen·days).

    A payment lowers the unpaid part from the day after it (``eff``). While the payments
    in effect never exceed what was owed the sum is owed × days − Σ amount × (days in
    effect), in any order; otherwise the days are walked in date order, the unpaid part
    floored at 0.
    """
    k = 0
    paid_in = 0
    paid_days = 0
    for j in range(lo, hi):
        eff = max(pay_date[j] + 1, first)
        if eff <= last:
            idx[k] = j
            k += 1
            paid_in += pay_amount[j]
            paid_days += pay_amount[j] * (last + 1 - eff)
    if paid_in <= owed:
        return owed * (last + 1 - first) - paid_days
    if k > SORT_IN_PLACE:
        dates = np.empty(k, dtype=np.int64)
        for m in range(k):
            dates[m] = pay_date[idx[m]]
        order = np.argsort(dates, kind="mergesort")
        sorted_idx = idx[:k][order]
        for m in range(k):
            idx[m] = sorted_idx[m]
    else:
        for m in range(1, k):
            cur = idx[m]
            p = m - 1
            while p >= 0 and pay_date[idx[p]] > pay_date[cur]:
                idx[p + 1] = idx[p]
                p -= 1
            idx[p + 1] = cur
    total = 0
    cursor = first
    paid = 0
    for m in range(k):
        j = idx[m]
        eff = max(pay_date[j] + 1, first)
        if eff > cursor:
            total += max(owed - paid, 0) * (eff - cursor)
            cursor = eff
        paid += pay_amount[j]
    if last + 1 > cursor:
        total += max(owed - paid, 0) * (last + 1 - cursor)
    return total


@njit(cache=True, inline="always")
def late_fee(P, si, live, as_of, due, cut, owed, own_rate, lo, hi, pay_date, pay_amount, idx):  # type: ignore[no-untyped-def]
    """``fee.late_payment`` (fen), or NONE when none is assessed or it is 0.

    ``lo:hi`` are the account's payments in ``pay_date`` / ``pay_amount``; ``idx`` is scratch
    space of at least ``hi − lo`` entries.
    """
    if not live or as_of == NONE:
        return NONE
    first = due + 1
    last = as_of if cut == NONE else min(as_of, cut - 1)
    if last < first:
        return NONE
    day_sum = _unpaid_day_sum(first, last, owed, lo, hi, pay_date, pay_amount, idx)
    rate = P[si, LATE_RATE] if own_rate == NONE else own_rate
    fee = mul_rdiv(day_sum, rate, LATE_RATE_SCALE)
    return fee if fee > 0 else NONE
