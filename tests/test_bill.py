"""Bill-level properties: totals are sums of rounded lines, no -0.00, lossless JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import bill
from heatrules.lines import CHARGE_CODES, REFUND_CODES

from .conftest import make_case

T0 = datetime(2024, 11, 10)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    area = f"{draw(st.integers(1, 30000)) / 100:.2f}"
    category = draw(st.sampled_from(["residential", "non_residential"]))
    metered = draw(st.booleans())
    account: dict[str, Any] = {"billing_area_m2": area, "category": category}
    if metered:
        account.update(billing="metered", metered_kwh=str(draw(st.integers(0, 20000))))
    no_heat = []
    for _ in range(draw(st.integers(0, 4))):
        s = T0 + timedelta(minutes=draw(st.integers(0, 130 * 24 * 60)))
        e = s + timedelta(minutes=draw(st.integers(1, 6 * 24 * 60)))
        no_heat.append(
            {
                "start": s.isoformat(),
                "end": e.isoformat(),
                "cause": draw(st.sampled_from(["supplier", "facility", "external"])),
            }
        )
    temps = []
    for i in range(draw(st.integers(0, 2))):
        day = datetime(2024, 11, 20) + timedelta(days=draw(st.integers(0, 100)))
        t = day.replace(hour=10 + i)
        rec: dict[str, Any] = {
            "room": f"r{i}",
            "room_area_m2": area,
            "measured_at": t.isoformat(),
            "celsius": str(draw(st.integers(0, 200)) / 10),
            "standard_celsius": "18.0",
        }
        if draw(st.booleans()):
            rec["restored_at"] = (t + timedelta(days=draw(st.integers(1, 20)))).isoformat()
        temps.append(rec)
    payments = [
        {
            "date": (datetime(2024, 12, 1) + timedelta(days=draw(st.integers(0, 90))))
            .date()
            .isoformat(),
            "amount": f"{draw(st.integers(1, 500000)) / 100:.2f}",
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["as_of"] = (
            (datetime(2024, 12, 15) + timedelta(days=draw(st.integers(0, 200)))).date().isoformat()
        )
    if category == "residential" and draw(st.integers(0, 4)) == 0:
        extra["waiver"] = {"kind": "cadre_widow", "has_children": draw(st.booleans())}
    return make_case(
        account=account, no_heat=no_heat, temperature=temps, payments=payments, **extra
    )


@settings(max_examples=80, deadline=None)
@given(cases())
def test_totals_are_sums_of_rounded_lines(case: dict[str, Any]) -> None:
    b = bill(case)
    t = b.totals
    assert t.charges == sum((ln.amount for ln in b.lines if ln.code in CHARGE_CODES), Decimal(0))
    assert t.refunds == -sum((ln.amount for ln in b.lines if ln.code in REFUND_CODES), Decimal(0))
    assert t.balance == t.charges + t.late_fees - t.refunds - t.waivers - t.payments
    for name in ("charges", "refunds", "waivers", "late_fees", "payments"):
        assert t.get(name) >= 0
    for ln in b.lines:
        assert ln.amount == ln.amount.quantize(Decimal("0.01"))
        assert ln.citation.document and ln.explain_zh and ln.explain_en


@settings(max_examples=40, deadline=None)
@given(cases())
def test_json_round_trip_is_lossless(case: dict[str, Any]) -> None:
    b = bill(case)
    data = json.loads(b.to_json())
    assert "-0.00" not in b.to_json()
    assert [Decimal(ln["amount"]) for ln in data["lines"]] == [ln.amount for ln in b.lines]
    assert {k: Decimal(v) for k, v in data["totals"].items()} == {
        k: Decimal(v) for k, v in b.totals.to_dict().items()
    }
    assert data["rules_version"] and data["account_id"] == case["account"]["id"]
    # the bill JSON's facts re-enter as a case (a case is JSON): same bill
    assert bill(json.loads(json.dumps(case))).to_dict() == b.to_dict()


def test_an_unknown_line_code_or_total_is_an_error_not_zero() -> None:
    from heatrules.case import LINE_CODES
    from heatrules.lines import LINE_CODES as BILL_CODES

    assert set(LINE_CODES) == BILL_CODES
    b = bill(
        {
            "season": "2024-2025",
            "account": {"id": "T1", "category": "residential", "billing_area_m2": "100.00"},
        }
    )
    assert b.amount("refund.temperature") == Decimal("0.00")  # a known code, no line
    with pytest.raises(ValueError, match=r"did you mean 'refund\.temperature'"):
        b.amount("refund.temprature")
    with pytest.raises(ValueError, match="unknown line code"):
        b.lines_of("refund")
    assert b.totals.get("balance") == Decimal("2500.00")
    with pytest.raises(ValueError, match="did you mean 'late_fees'"):
        b.totals.get("late_fee")
