"""Retired-cadre widow waiver (离休干部遗孀, WID-08 第一条; WID-05): the remaining fee, capped.

The compiled twin of :mod:`heatrules.waivers.cadre_widow` (rules.md §5): with children
min(amount, remaining), without children the whole remaining amount, where remaining = tariff
charges − refunds floored at 0; 0 in a suspended season. (The hardship subsidies of
:mod:`heatrules.waivers.subsidy` are a separate statement, not part of the batch bill.)
"""

from __future__ import annotations

from numba import njit

from .arith import NONE


@njit(cache=True, inline="always")
def cadre_widow_waiver(waiver, has_children, live, widow_with, tariff, refunds):  # type: ignore[no-untyped-def]
    """``waiver.cadre_widow`` (fen), or NONE for an account without the waiver."""
    if not waiver:
        return NONE
    if not live:
        return 0
    remaining = max(tariff - refunds, 0)
    if has_children:
        return min(widow_with, remaining)
    return remaining
