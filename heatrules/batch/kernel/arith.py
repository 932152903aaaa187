"""Exact integer arithmetic of one bill line (rules.md §2), compiled with numba.

A line is an exact rational ``p / q`` (p ≥ 0, q > 0) rounded **once**, half-up, to the fen as
``(2p + q) // (2q)``; products that could leave int64 are formed as
``x·y/q = (x // q)·y + (x % q)·y / q`` (:func:`mul_rdiv`), which is exact — with the input
bounds of :mod:`heatrules.batch.schema` every intermediate stays below 2⁶² (``docs/batch.md``).
"""

from __future__ import annotations

from numba import njit

NONE = -(1 << 62)
"""An absent value (null cell, absent line) in the kernel's int64 arrays."""


@njit(cache=True, inline="always")
def rdiv(p: int, q: int) -> int:
    """Round ``p / q`` half-up to an integer (p ≥ 0, q > 0): ``(2p + q) // (2q)``."""
    return (2 * p + q) // (2 * q)


@njit(cache=True, inline="always")
def mul_rdiv(x: int, y: int, q: int) -> int:
    """Round ``x·y / q`` half-up without forming ``x·y`` (x, y ≥ 0, q > 0): exact."""
    return (x // q) * y + rdiv((x % q) * y, q)


@njit(cache=True, inline="always")
def part_days(length: int, day: int, ceil: bool) -> int:
    """Days in ``length`` (same unit as ``day``): a part day counts as one (ceil) or none."""
    if ceil:
        return -((-length) // day)
    return length // day


@njit(cache=True, inline="always")
def rdiv_parts(quotient: int, remainder: int, y: int, q: int) -> int:
    """:func:`mul_rdiv` of x = quotient·q + remainder already divided: round x·y / q half-up.

    An account divides its daily fee by the divisor once and reuses the parts for every
    refund line; what is left to divide per line is below y·q (a fast division).
    """
    return quotient * y + rdiv(remainder * y, q)
