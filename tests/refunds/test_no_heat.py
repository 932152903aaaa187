"""No-heat refunds (FEE arts. 15-16, REG art. 23; rules.md §4.1): boundaries and properties."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules import CaseError

from ..conftest import fen, run

D = Fraction(2500, 121)


def outage(start: str, end: str, cause: str) -> dict[str, str]:
    return {"start": start, "end": end, "cause": cause}


@pytest.mark.parametrize(
    ("end", "days"),
    [
        ("2024-12-01T23:59:59", 0),  # 23:59:59 -> not counted
        ("2024-12-02T00:00:00", 1),  # exactly 24 h
        ("2024-12-02T00:00:01", 1),  # 24:00:01 -> still one full day
        ("2024-12-02T23:59:59", 1),
        ("2024-12-03T00:00:00", 2),
    ],
)
@pytest.mark.parametrize("cause", ["facility", "external"])
def test_facility_and_external_count_whole_days_only(end: str, days: int, cause: str) -> None:
    b = run(no_heat=[outage("2024-12-01T00:00", end, cause)])
    assert b.amount("refund.facility_outage") == -fen(D * days)
    assert b.amount("refund.supplier_outage") == Decimal("0.00")
    assert len(b.lines_of("refund.facility_outage")) == 1  # a 0.00 line explains a short outage


@pytest.mark.parametrize(
    ("end", "days"),
    [
        ("2024-12-01T00:00:01", 1),  # one second counts as a day
        ("2024-12-01T23:59:59", 1),
        ("2024-12-02T00:00:00", 1),  # exactly 24 h
        ("2024-12-02T00:00:01", 2),  # 24 h 00 m 01 s
    ],
)
def test_supplier_part_day_counts_as_one_and_doubles(end: str, days: int) -> None:
    b = run(no_heat=[outage("2024-12-01T00:00", end, "supplier")])
    assert b.amount("refund.supplier_outage") == -fen(2 * D * days)


def test_overlap_counts_supplier_hours_first_then_the_rest() -> None:
    # supplier [00:00, +30h) and facility [+10h, +80h): union 80 h, Hs = 30 h -> 2 days, Ho = 50 h -> 2
    b = run(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-02T06:00", "supplier"),
            outage("2024-12-01T10:00", "2024-12-04T08:00", "facility"),
        ]
    )
    assert b.amount("refund.supplier_outage") == -fen(2 * D * 2)
    assert b.amount("refund.facility_outage") == -fen(D * 2)


def test_separate_outages_are_not_summed() -> None:
    b = run(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-01T20:00", "facility"),
            outage("2024-12-02T00:00", "2024-12-02T20:00", "facility"),
        ]
    )
    assert b.totals.refunds == Decimal("0.00")
    assert len(b.lines_of("refund.facility_outage")) == 2


def test_clipping_to_the_season_ends_and_the_leap_divisor() -> None:
    b = run(
        season="2023-2024",
        no_heat=[
            outage("2023-11-10T00:00", "2023-11-16T00:00", "facility"),  # -> 24 h
            outage("2024-03-15T00:00", "2024-03-17T00:00", "facility"),  # -> 24 h
            outage("2024-02-28T00:00", "2024-03-01T00:00", "facility"),  # spans 29 Feb: 48 h
        ],
    )
    d = Fraction(2500, 122)
    assert b.totals.refunds == fen(d) + fen(d) + fen(2 * d)


def test_outage_wholly_outside_the_season_gives_no_line() -> None:
    b = run(no_heat=[outage("2025-03-16T00:00", "2025-03-20T00:00", "supplier")])
    assert b.lines_of("refund.supplier_outage") == []


def test_offsets_are_converted_before_counting() -> None:
    # 16:00Z = 00:00 local next day: [12-02 00:00, 12-03 00:00) local = 24 h exactly
    b = run(no_heat=[outage("2024-12-01T16:00:00Z", "2024-12-03T00:00:00+08:00", "facility")])
    assert b.amount("refund.facility_outage") == -fen(D)


def test_supply_started_late_and_stopped_early_are_supplier_intervals() -> None:
    b = run(supply={"started_at": "2024-11-15T00:00:01", "stopped_at": "2025-03-15T23:00"})
    assert b.amount("refund.supplier_outage") == -(fen(2 * D) + fen(2 * D))


def test_end_not_after_start_is_rejected() -> None:
    with pytest.raises(CaseError, match=r"no_heat\[0\]\.end"):
        run(no_heat=[outage("2024-12-02T00:00", "2024-12-01T00:00", "facility")])


start_hours = st.integers(min_value=0, max_value=24 * 100)
lengths = st.integers(min_value=1, max_value=24 * 6 * 60)  # minutes
causes = st.sampled_from(["supplier", "facility", "external"])
T0 = datetime(2024, 11, 20)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(start_hours, lengths, st.sampled_from(["facility", "external"])),
        min_size=1,
        max_size=5,
    ),
    lengths,
)
def test_longer_facility_outages_never_lower_the_refund(
    raw: list[tuple[int, int, str]], extra: int
) -> None:
    """Whole days only (floor): uniting or lengthening outages can only add days."""
    ivs = [
        outage(_iso(T0 + timedelta(hours=h)), _iso(T0 + timedelta(hours=h, minutes=m)), c)
        for h, m, c in raw
    ]
    base = run(no_heat=ivs).totals.refunds
    longer = [dict(ivs[0])]
    longer[0]["end"] = _iso(datetime.fromisoformat(ivs[0]["end"]) + timedelta(minutes=extra))
    assert run(no_heat=longer + ivs[1:]).totals.refunds >= base >= 0


@settings(max_examples=60, deadline=None)
@given(start_hours, lengths, lengths, causes)
def test_a_longer_single_outage_never_lowers_the_refund(
    h: int, m: int, extra: int, cause: str
) -> None:
    start = T0 + timedelta(hours=h)
    short = run(no_heat=[outage(_iso(start), _iso(start + timedelta(minutes=m)), cause)])
    long_ = run(no_heat=[outage(_iso(start), _iso(start + timedelta(minutes=m + extra)), cause)])
    assert long_.totals.refunds >= short.totals.refunds >= 0


def test_uniting_two_short_supplier_outages_counts_one_part_day() -> None:
    """The spec's algorithm (rules.md §4.1 [decision]) unites touching intervals first, so two
    short supplier outages that come to touch are one part day, not two: lengthening one of
    them can lower the refund. This is the rule, not a defect; the properties above hold where
    the rule is monotone."""
    apart = run(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-01T00:30", "supplier"),
            outage("2024-12-01T01:00", "2024-12-01T01:01", "supplier"),
        ]
    )
    joined = run(
        no_heat=[
            outage("2024-12-01T00:00", "2024-12-01T01:00", "supplier"),
            outage("2024-12-01T01:00", "2024-12-01T01:01", "supplier"),
        ]
    )
    assert apart.amount("refund.supplier_outage") == -2 * fen(2 * D)
    assert joined.amount("refund.supplier_outage") == -fen(2 * D)


@settings(max_examples=40, deadline=None)
@given(start_hours, lengths, causes, st.integers(min_value=1, max_value=4))
def test_refund_scales_with_area(h: int, m: int, cause: str, k: int) -> None:
    iv = [outage(_iso(T0 + timedelta(hours=h)), _iso(T0 + timedelta(hours=h, minutes=m)), cause)]
    one = run(no_heat=iv, account={"billing_area_m2": "25.00"}).totals.refunds
    many = run(no_heat=iv, account={"billing_area_m2": str(25 * k) + ".00"}).totals.refunds
    assert abs(many - one * k) <= Decimal("0.01") * k


def test_explanations_near_a_day_agree_with_the_day_count() -> None:
    # 24 h + 1 s supplier: two days; 23:59:59 external: none — the text shows the exact length
    b = run(
        no_heat=[
            outage("2024-12-01T08:00:00", "2024-12-02T08:00:01", "supplier"),
            outage("2024-12-05T08:00:00", "2024-12-06T07:59:59", "external"),
        ]
    )
    (sup,) = b.lines_of("refund.supplier_outage")
    (ext,) = b.lines_of("refund.facility_outage")
    assert sup.basis["days"] == 2 and ext.basis["days"] == 0
    assert "2024-12-02 08:00:01): 24 h 0 min 1 s, a part day counts as one" in sup.explain_en
    assert "24 小时 0 分钟 1 秒，不足24小时按1天计" in sup.explain_zh
    assert "2024-12-06 07:59:59): 23 h 59 min 59 s, a part day is not counted" in ext.explain_en
    assert "23 小时 59 分钟 59 秒，不足24小时不计" in ext.explain_zh


def test_a_cause_group_of_a_mixed_outage_says_it_is_part_of_it() -> None:
    # 1 h supplier inside 72 h facility: one continuous outage, 1 h supplier, 71 h other
    b = run(
        no_heat=[
            outage("2025-01-01T00:00", "2025-01-04T00:00", "facility"),
            outage("2025-01-02T00:00", "2025-01-02T01:00", "supplier"),
        ]
    )
    (sup,) = b.lines_of("refund.supplier_outage")
    (oth,) = b.lines_of("refund.facility_outage")
    assert sup.amount == -fen(2 * D) and oth.amount == -fen(2 * D)
    span = "(2025-01-01 00:00 to 2025-01-04 00:00, 72 h)"
    assert f"1 h of the continuous outage {span}" in sup.explain_en
    assert f"71 h of the continuous outage {span}" in oth.explain_en
    assert (
        "连续停热（2025-01-01 00:00 至 2025-01-04 00:00，共 72 小时）中属此类 1 小时"
        in sup.explain_zh
    )
