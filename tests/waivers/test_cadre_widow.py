"""Retired-cadre widow waiver (WID-08 第一条; WID-05; rules.md §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import CaseError, NoRuleInForce

from ..conftest import run

WITH = {"kind": "cadre_widow", "has_children": True}
WITHOUT = {"kind": "cadre_widow", "has_children": False}


@pytest.mark.parametrize(
    ("area", "waived"),
    [("20.76", "519.00"), ("20.80", "520.00"), ("20.84", "520.00"), ("20.00", "500.00")],
)
def test_fee_just_below_and_above_520(area: str, waived: str) -> None:
    b = run(account={"billing_area_m2": area}, waiver=WITH)
    assert b.totals.waivers == Decimal(waived)
    assert b.totals.waivers <= b.totals.charges


@pytest.mark.parametrize(
    ("season", "amount"),
    [("2005-2006", "420.00"), ("2007-2008", "420.00"), ("2008-2009", "520.00")],
)
def test_amount_by_season(season: str, amount: str) -> None:
    assert run(season=season, waiver=WITH).totals.waivers == Decimal(amount)


def test_no_waiver_before_2005_2006() -> None:
    with pytest.raises(NoRuleInForce, match="2004-2005"):
        run(season="2004-2005", waiver=WITH)


def test_without_children_waives_what_remains() -> None:
    b = run(
        waiver=WITHOUT,
        no_heat=[{"start": "2024-12-01T00:00", "end": "2024-12-03T00:00", "cause": "facility"}],
    )
    assert b.totals.waivers == b.totals.charges - b.totals.refunds
    assert b.totals.balance == Decimal("0.00")


def test_residential_only_and_has_children_required() -> None:
    with pytest.raises(CaseError, match="waiver"):
        run(account={"category": "non_residential"}, waiver=WITH)
    with pytest.raises(CaseError, match="has_children"):
        run(waiver={"kind": "cadre_widow"})
    with pytest.raises(CaseError, match="has_children"):
        run(waiver={"kind": "cadre_widow", "has_children": "yes"})


def test_line_says_the_city_office_funds_it() -> None:
    line = run(waiver=WITH).lines_of("waiver.cadre_widow")[0]
    assert "heating office" in line.explain_en and "供热办" in line.explain_zh


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=1, max_value=20000).map(lambda n: f"{n / 100:.2f}"),
    st.integers(min_value=0, max_value=24 * 120),
    st.booleans(),
)
def test_waiver_never_exceeds_the_fee_left_after_refunds(
    area: str, hours: int, children: bool
) -> None:
    from datetime import datetime, timedelta

    start = datetime(2024, 11, 15)
    facts = {}
    if hours:
        facts["no_heat"] = [
            {
                "start": start.isoformat(),
                "end": (start + timedelta(hours=hours)).isoformat(),
                "cause": "supplier",
            }
        ]
    b = run(
        account={"billing_area_m2": area},
        waiver={"kind": "cadre_widow", "has_children": children},
        **facts,
    )
    left = max(b.totals.charges - b.totals.refunds, Decimal(0))
    assert Decimal(0) <= b.totals.waivers <= left
