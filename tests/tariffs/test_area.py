"""Area tariff (PR-RES 第一条; PR-NON 第一条; rules.md §3): prices by season and proration."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from heatrules import CaseError, NoRuleInForce

from ..conftest import fen, run


@pytest.mark.parametrize(
    ("season", "category", "price"),
    [
        ("2003-2004", "residential", 20),
        ("2007-2008", "residential", 20),
        ("2008-2009", "residential", 25),
        ("2025-2026", "residential", 25),
        ("2003-2004", "non_residential", 40),
        ("2024-2025", "non_residential", 40),
    ],
)
def test_price_in_force_by_season(season: str, category: str, price: int) -> None:
    b = run(season=season, account={"category": category, "billing_area_m2": "64.21"})
    assert b.amount("tariff.area") == fen(Fraction("64.21") * price)


def test_before_the_earliest_season_is_an_error() -> None:
    with pytest.raises(NoRuleInForce, match="no rule in force for season 2002-2003"):
        run(season="2002-2003")


@pytest.mark.parametrize(
    ("connected", "days"),
    [
        ("2019-06-01", 121),
        ("2024-11-15", 121),
        ("2024-11-16", 120),
        ("2024-12-31", 75),
        ("2025-01-01", 74),
        ("2025-03-15", 1),
    ],
)
def test_mid_season_connection_is_prorated(connected: str, days: int) -> None:
    b = run(account={"connected_on": connected})
    assert b.amount("tariff.area") == fen(Fraction(2500) * days / 121)


def test_connection_after_the_season_is_an_error() -> None:
    with pytest.raises(CaseError, match="connected_on"):
        run(account={"connected_on": "2025-03-16"})


def test_leap_season_proration_uses_122() -> None:
    b = run(season="2023-2024", account={"connected_on": "2024-03-01"})
    assert b.amount("tariff.area") == fen(Fraction(2500) * 15 / 122)
    assert b.totals.charges == Decimal(str(b.amount("tariff.area")))
