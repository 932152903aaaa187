"""Shared test helpers: a case builder and an independent half-up rounding oracle."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from heatrules import Bill, bill


def fen(value: Fraction | Decimal | int) -> Decimal:
    """Independent oracle: exact value -> Decimal rounded half-up to the fen (via Decimal)."""
    f = Fraction(value)
    q = Decimal(f.numerator) / Decimal(f.denominator)  # 28 significant digits: enough here
    return q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) + Decimal("0.00")


BASE: dict[str, Any] = {
    "season": "2024-2025",
    "account": {"id": "T", "category": "residential", "billing_area_m2": "100.00"},
}


def make_case(**parts: Any) -> dict[str, Any]:
    """A residential 100 m2 case for 2024-2025 with ``parts`` merged in (``account`` merges)."""
    case = copy.deepcopy(BASE)
    for key, value in parts.items():
        if key == "account":
            case["account"].update(value)
        else:
            case[key] = value
    return case


def run(**parts: Any) -> Bill:
    return bill(make_case(**parts))


@pytest.fixture
def daily_fee() -> Fraction:
    """d = 2500 / 121 for the default case."""
    return Fraction(2500, 121)
