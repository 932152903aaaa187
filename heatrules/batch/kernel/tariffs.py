"""Tariffs: area fee F × days / N (PR-RES; PR-NON), metered price (PR-MET), suspension fee (SUS).

The compiled twins of :mod:`heatrules.tariffs.area`, :mod:`heatrules.tariffs.metered` and
:mod:`heatrules.tariffs.suspension` (rules.md §3, §6), one function per line, returning the
line's fen or NONE when the account has no such line. A mid-season connection prorates the
area fee and the metered base part (``cd`` days of N); a cut-off leaves only the supplied days
(``cd − cut_days``); the energy part follows the meter (kWh in 1/1000, price in 1/10⁴ yuan:
fen = kWh·price / 10⁵); a temporary suspension pays the category's compensation rate × F, a
permanent one its own rate.
"""

from __future__ import annotations

from numba import njit

from ..seasonparams import PRICE_SCALE, RATE_SCALE
from .arith import NONE, mul_rdiv, rdiv
from .params import P_BASE, P_ENERGY, PERM_RATE, SUSP_RATE

KWH_PRICE_DIVISOR = 1000 * PRICE_SCALE // 100
"""kWh (1/1000) × price (1/10⁴ yuan) → fen: divide by 10⁵."""


@njit(cache=True, inline="always")
def area_fee(live, metered, ap_area, cd, cut_days, q_n, fee_connected):  # type: ignore[no-untyped-def]
    """``tariff.area``: F × (days connected − cut-off days) / N for area-billed accounts.

    ``fee_connected`` is F × days connected / N already rounded (:func:`.context.connected_fee`),
    the line itself when nothing is cut off.
    """
    if not live or metered:
        return NONE
    if cut_days == 0:
        return fee_connected
    return rdiv(ap_area * (cd - cut_days), q_n)


@njit(cache=True, inline="always")
def metered_base(P, si, cat, live, metered, area, cd, q_n):  # type: ignore[no-untyped-def]
    """``tariff.metered.base``: area × base price × days connected / N for metered accounts."""
    if live and metered:
        return rdiv(area * P[si, P_BASE + cat] * cd, q_n)
    return NONE


@njit(cache=True, inline="always")
def metered_energy(P, si, cat, live, metered, kwh):  # type: ignore[no-untyped-def]
    """``tariff.metered.energy``: season kWh × energy price (not prorated), metered accounts."""
    if live and metered and kwh != NONE:
        return mul_rdiv(kwh, P[si, P_ENERGY + cat], KWH_PRICE_DIVISOR)
    return NONE


@njit(cache=True, inline="always")
def suspension_compensation(P, si, cat, suspension, ap_area):  # type: ignore[no-untyped-def]
    """``fee.suspension_compensation``: F × the temporary (per category) or permanent rate."""
    if suspension == 0:
        return NONE
    rate = P[si, SUSP_RATE + cat] if suspension == 1 else P[si, PERM_RATE]
    return rdiv(ap_area * rate, PRICE_SCALE * RATE_SCALE)
