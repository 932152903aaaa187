"""Temperature refunds (REF; REG arts. 20-21; rules.md §4.2): bands, windows, trigger, overlap."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import CaseError

from ..conftest import fen, run

D = Fraction(2500, 121)


def rec(celsius: str | None = "15.0", **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "room": "bedroom",
        "room_area_m2": "100",
        "measured_at": "2024-12-01T10:00",
        "restored_at": "2024-12-11T10:00",  # 240 h -> 10 days
    }
    if celsius is not None:
        r["celsius"] = celsius
    r.update(kw)
    return r


@pytest.mark.parametrize(
    ("celsius", "rate"),
    [
        ("18.0", Fraction(0)),
        ("17.99", Fraction(1, 10)),
        ("16.0", Fraction(1, 10)),  # exactly 2 below: 10 %
        ("15.99", Fraction(1, 2)),
        ("15.9", Fraction(1, 2)),
        ("12.0", Fraction(1, 2)),  # exactly 6 below: 50 %
        ("11.99", Fraction(1)),
        ("11.9", Fraction(1)),
        ("-5", Fraction(1)),
        ("25", Fraction(0)),
    ],
)
def test_bands_at_their_edges(celsius: str, rate: Fraction) -> None:
    b = run(temperature=[rec(celsius)])
    assert b.amount("refund.temperature") == -fen(D * rate * 10)
    assert len(b.lines_of("refund.temperature")) == 1


@pytest.mark.parametrize(
    ("restored", "days"),
    [
        ("2024-12-02T10:00", 0),  # exactly 24 h: not more than 24 h
        ("2024-12-02T10:01", 1),
        ("2024-12-03T09:59", 1),
        ("2024-12-03T10:00", 2),
    ],
)
def test_more_than_24_hours_trigger(restored: str, days: int) -> None:
    b = run(temperature=[rec("12.0", restored_at=restored)])
    assert b.amount("refund.temperature") == -fen(D * Fraction(1, 2) * days)


def test_room_share_of_the_daily_fee() -> None:
    b = run(temperature=[rec("12.0", room_area_m2="15.20")])
    assert b.amount("refund.temperature") == -fen(D * Fraction(1520, 10000) * Fraction(1, 2) * 10)


def test_outage_hours_are_removed_even_when_the_outage_refunds_nothing() -> None:
    # a 20 h facility outage inside the window refunds 0 but still removes its hours:
    # 240 - 20 = 220 h -> 9 days
    b = run(
        temperature=[rec("12.0")],
        no_heat=[{"start": "2024-12-05T00:00", "end": "2024-12-05T20:00", "cause": "facility"}],
    )
    assert b.amount("refund.facility_outage") == Decimal("0.00")
    assert b.amount("refund.temperature") == -fen(D * Fraction(1, 2) * 9)


def test_deemed_failure_and_user_fault() -> None:
    assert run(temperature=[rec(None, deemed_failure=True)]).amount("refund.temperature") == -fen(
        D * 10
    )
    assert run(temperature=[rec("17.9", deemed_failure=True)]).amount("refund.temperature") == -fen(
        D * 10
    )
    b = run(temperature=[rec("5", deemed_failure=True, user_fault="covered_radiator")])
    assert b.amount("refund.temperature") == Decimal("0.00")
    assert "radiator" in b.lines_of("refund.temperature")[0].explain_en


def test_remeasurement_rebands_and_cuts_the_earlier_window() -> None:
    b = run(
        temperature=[
            rec("12.0", restored_at=None),
            rec("17.0", measured_at="2024-12-05T10:00", restored_at="2024-12-08T10:00"),
        ]
    )
    assert b.amount("refund.temperature") == -(
        fen(D * Fraction(1, 2) * 4) + fen(D * Fraction(1, 10) * 3)
    )


def test_window_outside_the_supplied_season_refunds_zero_with_a_line() -> None:
    b = run(
        account={"connected_on": "2024-12-20"},
        temperature=[rec("5.0")],
    )
    line = b.lines_of("refund.temperature")[0]
    assert line.amount == Decimal("0.00")
    assert "outside" in line.explain_en


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("measured_at", "2024-12-01T07:59", "measured_at"),
        ("measured_at", "2024-12-01T21:00:01", "measured_at"),
        ("restored_at", "2024-12-05T21:01", "restored_at"),
        ("measured_at", "2024-11-14T10:00", "measured_at"),
        ("measured_at", "2025-03-16T10:00", "measured_at"),
        ("room_area_m2", "100.01", "room_area_m2"),
        ("celsius", "abc", "celsius"),
    ],
)
def test_bad_records_name_the_field(field: str, value: str, path: str) -> None:
    r = rec("15.0", restored_at=None)
    r[field] = value
    with pytest.raises(CaseError, match=rf"temperature\[0\]\.{path}"):
        run(temperature=[r])


def test_measuring_hours_are_inclusive_at_both_ends() -> None:
    b = run(
        temperature=[rec("15.0", measured_at="2024-12-01T08:00", restored_at="2024-12-03T21:00")]
    )
    assert b.amount("refund.temperature") == -fen(D * Fraction(1, 2) * 2)


def test_at_most_two_measurement_instants_a_day() -> None:
    two = [
        rec("15.0", room="a", restored_at=None),
        rec("15.0", room="b", measured_at="2024-12-01T15:00", restored_at=None),
    ]
    run(temperature=two)
    three = [*two, rec("15.0", room="c", measured_at="2024-12-01T20:00", restored_at=None)]
    with pytest.raises(CaseError, match="at most 2"):
        run(temperature=three)


def test_non_residential_needs_a_standard() -> None:
    with pytest.raises(CaseError, match="standard_celsius"):
        run(account={"category": "non_residential"}, temperature=[rec("15.0")])


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(min_value=-10, max_value=25, places=1),
    st.decimals(min_value=-10, max_value=25, places=1),
)
def test_colder_never_refunds_less(a: Decimal, b: Decimal) -> None:
    lo, hi = min(a, b), max(a, b)
    cold = run(temperature=[rec(str(lo))]).totals.refunds
    warm = run(temperature=[rec(str(hi))]).totals.refunds
    assert cold >= warm >= 0
