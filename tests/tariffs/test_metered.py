"""Metered two-part price (PR-MET; rules.md §3)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from heatrules import CaseError, NoRuleInForce

from ..conftest import fen, run


def test_two_parts_rounded_separately_half_up() -> None:
    b = run(account={"billing": "metered", "metered_kwh": "12.5", "billing_area_m2": "100.03"})
    assert b.amount("tariff.metered.base") == fen(Fraction("7.50") * Fraction("100.03"))
    assert b.amount("tariff.metered.energy") == fen(Fraction("0.13") * Fraction("12.5"))
    assert b.totals.charges == b.amount("tariff.metered.base") + b.amount("tariff.metered.energy")


def test_public_worked_figure_8100_kwh() -> None:
    b = run(account={"billing": "metered", "metered_kwh": "8100"})
    assert b.totals.charges == fen(Fraction("7.50") * 100 + Fraction("0.13") * 8100)


def test_first_metered_season_and_before() -> None:
    run(season="2014-2015", account={"billing": "metered", "metered_kwh": "0"})
    with pytest.raises(NoRuleInForce, match="2013-2014"):
        run(season="2013-2014", account={"billing": "metered", "metered_kwh": "0"})


def test_kwh_required_and_non_negative() -> None:
    with pytest.raises(CaseError, match="metered_kwh"):
        run(account={"billing": "metered"})
    with pytest.raises(CaseError, match="metered_kwh"):
        run(account={"billing": "metered", "metered_kwh": "-0.1"})


def test_connection_prorates_base_not_energy() -> None:
    b = run(account={"billing": "metered", "metered_kwh": "3000", "connected_on": "2025-01-01"})
    assert b.amount("tariff.metered.base") == fen(Fraction(750) * 74 / 121)
    assert b.amount("tariff.metered.energy") == Decimal("390.00")


def test_metered_refund_uses_the_exact_base_daily_fee() -> None:
    b = run(
        account={"billing": "metered", "metered_kwh": "1000", "billing_area_m2": "50.47"},
        no_heat=[{"start": "2024-12-01T00:00", "end": "2024-12-04T00:00", "cause": "facility"}],
    )
    assert b.amount("refund.facility_outage") == -fen(
        Fraction("7.50") * Fraction("50.47") * 3 / 121
    )
