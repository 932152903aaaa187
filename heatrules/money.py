"""Exact money: amounts are computed as exact rationals and rounded once per line.

rules.md §2: no intermediate rounding (the daily fee 2500/121 stays exact); each line item is
rounded once, half-up, to the fen (0.01 yuan); totals are sums of rounded lines; ``-0.00``
never appears.

>>> to_fen(Fraction(2500, 121))
Decimal('20.66')
>>> to_fen(Fraction(5, 1000))   # 0.005 rounds half-up
Decimal('0.01')
>>> to_fen(Fraction(-5, 1000))  # half away from zero, and never -0.00
Decimal('-0.01')
>>> str(to_fen(Fraction(-1, 1000)))
'0.00'
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

Exact = Fraction | Decimal | int


def exact(value: Exact) -> Fraction:
    """Return ``value`` as an exact rational (a Decimal converts without loss)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(value)


def to_fen(value: Exact) -> Decimal:
    """Round an exact amount once, half-up (away from zero), to 0.01 yuan; never ``-0.00``."""
    f = exact(value)
    num, den = abs(f.numerator) * 100, f.denominator
    fen = (2 * num + den) // (2 * den)  # half-up on the magnitude: floor(x + 1/2)
    if fen == 0:
        return ZERO
    sign = -1 if f.numerator < 0 else 1
    return Decimal(sign * fen).scaleb(-2)


def fmt(amount: Decimal) -> str:
    """Format a money amount with exactly two decimals (``-0.00`` is printed as ``0.00``)."""
    q = amount.quantize(FEN)
    if q == 0:
        q = ZERO
    return f"{q:.2f}"


def decimal_str(value: Decimal | Fraction | int) -> str:
    """Render a basis quantity exactly: decimals as written, fractions as ``p/q``."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(d) == value:
            return _plain(d)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return _plain(value)
    return str(value)


def _plain(d: Decimal) -> str:
    s = format(d, "f")
    return "0" if s in ("-0", "-0.0") else s


def approx(value: Fraction, places: int = 4) -> str:
    """A human-readable rounding of an exact quantity, for explanations only (never summed)."""
    text = decimal_str(value)
    if "/" not in text:
        return text
    q = Decimal(10) ** -places
    return "≈" + format((Decimal(value.numerator) / Decimal(value.denominator)).quantize(q), "f")


def pct(rate: Decimal) -> str:
    """A rate as a percentage for explanations: ``Decimal('0.10')`` -> ``'10%'``."""
    return f"{(rate * 100).normalize():f}%"
