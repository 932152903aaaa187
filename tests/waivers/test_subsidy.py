"""Hardship subsidies (CIV; rules.md §5): a separate statement, by household kind."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from heatrules import CaseError, NoRuleInForce, subsidy

from ..conftest import fen, make_case


def stmt(household: str, central: bool = True, **parts: object) -> Decimal:
    case = make_case(subsidy={"household": household, "central_heating": central}, **parts)
    return subsidy(case).subsidy


@pytest.mark.parametrize(
    ("area", "household", "expected"),
    [
        ("40.00", "full", Fraction(1000)),
        ("40.00", "tekun", Fraction(1000)),
        ("40.00", "dibao", Fraction(6, 10) * 1000),
        ("40.00", "youfu", Fraction(7, 10) * 1000),
        ("50.00", "dibao", Fraction(6, 10) * 1250),  # at the cap
        ("50.04", "dibao", Fraction(6, 10) * 1250),  # above the cap
        ("49.96", "youfu", Fraction(7, 10) * 1249),  # below the cap
    ],
)
def test_central_heating_percentages_and_cap(area: str, household: str, expected: Fraction) -> None:
    assert stmt(household, account={"billing_area_m2": area}) == fen(expected)


@pytest.mark.parametrize(
    ("household", "flat"), [("youfu", "460.00"), ("dibao", "340.00"), ("tekun", "340.00")]
)
def test_flat_amounts_without_central_heating(household: str, flat: str) -> None:
    assert stmt(household, central=False) == Decimal(flat)
    assert stmt(household, central=False, suspension={"kind": "temporary"}) == Decimal(flat)


def test_suspended_season_central_heating_subsidy_is_zero() -> None:
    assert stmt("full", suspension={"kind": "temporary"}) == Decimal("0.00")


def test_fee_is_prorated_for_a_connection_but_not_cut_off() -> None:
    assert stmt("full", account={"connected_on": "2025-01-01"}, cutoff_from="2025-02-01") == fen(
        Fraction(2500) * 74 / 121
    )


def test_errors() -> None:
    with pytest.raises(CaseError, match="household"):
        stmt("full", central=False)
    with pytest.raises(CaseError, match="subsidy"):
        stmt("dibao", account={"category": "non_residential"})
    with pytest.raises(NoRuleInForce, match="2011-2012"):
        stmt("dibao", season="2011-2012")
