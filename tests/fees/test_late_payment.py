"""Late-payment fee (FEE; rules.md §7): due date, accrual, payments, contract rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import CaseError

from ..conftest import fen, run

RATE = Fraction(2, 1000)


def pay(day: str, amount: str = "2500.00") -> dict[str, str]:
    return {"date": day, "amount": amount}


@pytest.mark.parametrize(
    ("paid", "days"),
    [
        ("2024-12-30", 0),
        ("2024-12-31", 0),
        ("2025-01-01", 1),
        ("2025-01-02", 2),
        ("2025-03-15", 74),
    ],
)
def test_payment_on_the_due_date_vs_the_day_after(paid: str, days: int) -> None:
    b = run(payments=[pay(paid)], as_of="2025-03-31")
    assert b.totals.late_fees == fen(RATE * 2500 * days)
    assert len(b.lines_of("fee.late_payment")) == (1 if days else 0)


def test_no_as_of_no_late_fee_and_the_bill_says_so() -> None:
    b = run(payments=[pay("2025-03-01")])
    assert b.totals.late_fees == Decimal("0.00")
    assert any("as_of" in n.en for n in b.notes)


def test_accrual_continues_after_the_season() -> None:
    assert run(as_of="2025-06-30").totals.late_fees == fen(RATE * 2500 * 181)


def test_partial_payments_lower_the_unpaid_part_from_the_next_day() -> None:
    b = run(
        payments=[pay("2025-01-05", "1000.00"), pay("2025-01-20", "1500.00")], as_of="2025-03-15"
    )
    assert b.totals.late_fees == fen(RATE * (2500 * 5 + 1500 * 15))


@pytest.mark.parametrize(
    ("rate", "ok"), [("0", True), ("0.001", True), ("0.002", True), ("0.0021", False)]
)
def test_contract_rate_bounds(rate: str, ok: bool) -> None:
    if ok:
        b = run(account={"late_fee_rate": rate}, as_of="2025-01-10")
        assert b.totals.late_fees == fen(Fraction(rate) * 2500 * 10)
    else:
        with pytest.raises(CaseError, match="late_fee_rate"):
            run(account={"late_fee_rate": rate})


def test_connection_after_the_due_date_moves_it() -> None:
    b = run(account={"connected_on": "2025-02-01"}, as_of="2025-02-03")
    owed = fen(Fraction(2500) * 43 / 121)
    assert b.totals.late_fees == fen(RATE * Fraction(owed) * 2)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=-30, max_value=120),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=1, max_value=250000).map(lambda n: f"{n / 100:.2f}"),
)
def test_a_later_payment_never_lowers_the_late_fee(offset: int, delay: int, amount: str) -> None:
    first = date(2024, 12, 31) + timedelta(days=offset)
    later = first + timedelta(days=delay)
    early = run(payments=[pay(first.isoformat(), amount)], as_of="2025-04-30").totals.late_fees
    late = run(payments=[pay(later.isoformat(), amount)], as_of="2025-04-30").totals.late_fees
    assert late >= early >= 0
