from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from heatrules.money import fmt, to_fen

from .conftest import fen


def test_half_up_at_the_half_fen() -> None:
    assert to_fen(Fraction(5, 1000)) == Decimal("0.01")
    assert to_fen(Fraction(2500125, 1000)) == Decimal("2500.13")  # half-even would give .12
    assert to_fen(Fraction(4, 1000)) == Decimal("0.00")


def test_never_negative_zero() -> None:
    assert str(to_fen(Fraction(-1, 1000))) == "0.00"
    assert fmt(Decimal("-0.00")) == "0.00"
    assert fmt(Decimal("-0.004")) == "0.00"


@given(st.fractions(min_value=-(10**7), max_value=10**7, max_denominator=10**6))
def test_to_fen_matches_decimal_half_up(value: Fraction) -> None:
    expected = fen(abs(value)) * (1 if value >= 0 else -1)
    assert to_fen(value) == expected + Decimal("0.00")
    assert not str(to_fen(value)).startswith("-0.00")
