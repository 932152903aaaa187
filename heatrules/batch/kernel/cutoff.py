"""Cut-off for non-payment: compensation for the cut-off days, 20 % × F × c / N (rules.md §7).

The compiled twin of :mod:`heatrules.fees.cutoff` [decision; the per-day amount is not stated].
``c`` (``cut_days``: the cut-off date to the season's last day inclusive) and the supplied
season's end come from :mod:`.context`; the area fee's reduction is in :mod:`.tariffs`, the
late fee's accrual end (the day before the cut-off) in :mod:`.late_payment`.
"""

from __future__ import annotations

from numba import njit

from ..seasonparams import RATE_SCALE
from .arith import NONE, mul_rdiv
from .params import CUTOFF_RATE


@njit(cache=True, inline="always")
def cutoff_compensation(P, si, cut, cut_days, ap_area, q_n):  # type: ignore[no-untyped-def]
    """``fee.cutoff_compensation``: F × cut-off rate × c / N for an account cut off."""
    if cut == NONE:
        return NONE
    return mul_rdiv(ap_area, P[si, CUTOFF_RATE] * cut_days, q_n * RATE_SCALE)
