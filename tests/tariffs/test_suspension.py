"""Suspension compensation (SUS; rules.md §6)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from heatrules import CaseError

from ..conftest import fen, run


@pytest.mark.parametrize(
    ("season", "category", "rate"),
    [
        ("2009-2010", "non_residential", Fraction(0)),
        ("2010-2011", "non_residential", Fraction(1, 5)),
        ("2010-2011", "residential", Fraction(0)),
        ("2011-2012", "residential", Fraction(1, 5)),
    ],
)
def test_compensation_starts_by_category(season: str, category: str, rate: Fraction) -> None:
    b = run(season=season, account={"category": category}, suspension={"kind": "temporary"})
    price = 25 if category == "residential" else 40
    if season < "2008-2009" and category == "residential":
        price = 20
    assert b.amount("fee.suspension_compensation") == fen(rate * 100 * price)
    assert b.lines_of("tariff.area") == []
    assert len(b.lines_of("fee.suspension_compensation")) == 1  # 0.00 lines say why


def test_permanent_suspension_has_no_charges() -> None:
    b = run(suspension={"kind": "permanent"}, payments=[{"date": "2024-12-01", "amount": "1.00"}])
    assert b.totals.charges == Decimal("0.00")
    assert b.totals.balance == Decimal("-1.00")


@pytest.mark.parametrize(
    "fact",
    [
        {
            "no_heat": [
                {"start": "2024-12-01T00:00", "end": "2024-12-02T00:00", "cause": "supplier"}
            ]
        },
        {"supply": {"started_at": "2024-11-20T00:00"}},
        {"cutoff_from": "2025-02-01"},
        {
            "temperature": [
                {
                    "room": "a",
                    "room_area_m2": "10",
                    "measured_at": "2024-12-01T10:00",
                    "celsius": "15",
                }
            ]
        },
    ],
)
@pytest.mark.parametrize("kind", ["temporary", "permanent"])
def test_no_supply_facts_in_a_suspended_season(fact: dict[str, object], kind: str) -> None:
    with pytest.raises(CaseError, match="suspended season"):
        run(suspension={"kind": kind}, **fact)


def test_no_late_fee_on_compensation() -> None:
    b = run(suspension={"kind": "temporary"}, as_of="2025-06-30")
    assert b.totals.late_fees == Decimal("0.00")
