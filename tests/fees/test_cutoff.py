"""Cut-off for non-payment (rules.md §7): supplied days, compensation, accrual stop."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from heatrules import CaseError

from ..conftest import fen, run


@pytest.mark.parametrize(("k", "c"), [("2025-01-01", 74), ("2025-02-01", 43), ("2025-03-15", 1)])
def test_cutoff_splits_the_season(k: str, c: int) -> None:
    b = run(cutoff_from=k)
    assert b.amount("tariff.area") == fen(Fraction(2500) * (121 - c) / 121)
    assert b.amount("fee.cutoff_compensation") == fen(Fraction(1, 5) * 2500 * c / 121)


def test_late_fee_stops_the_day_before_the_cutoff() -> None:
    b = run(cutoff_from="2025-02-01", as_of="2025-03-15")
    assert b.totals.late_fees == fen(Fraction(2, 1000) * 2500 * 31)


@pytest.mark.parametrize("k", ["2024-12-31", "2025-03-16", "2024-11-20"])
def test_cutoff_outside_january_to_15_march(k: str) -> None:
    with pytest.raises(CaseError, match="cutoff_from"):
        run(cutoff_from=k)


def test_cutoff_on_a_metered_account_is_an_error() -> None:
    with pytest.raises(CaseError, match="cutoff_from"):
        run(account={"billing": "metered", "metered_kwh": "10"}, cutoff_from="2025-02-01")


def test_no_refund_for_cut_off_days() -> None:
    b = run(
        cutoff_from="2025-02-01",
        no_heat=[{"start": "2025-01-30T00:00", "end": "2025-02-05T00:00", "cause": "supplier"}],
    )
    assert b.amount("refund.supplier_outage") == -fen(2 * Fraction(2500, 121) * 2)
    assert b.totals.charges == b.amount("tariff.area") + b.amount("fee.cutoff_compensation")
    assert b.totals.refunds > Decimal(0)
