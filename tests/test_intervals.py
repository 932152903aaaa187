from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatrules.intervals import (
    Interval,
    covered,
    hours,
    show_duration,
    show_instant,
    union,
    whole_days_ceil,
    whole_days_floor,
)

T0 = datetime(2024, 12, 1)


def iv(a: int, b: int) -> Interval:
    return Interval(T0 + timedelta(hours=a), T0 + timedelta(hours=b))


def test_touching_and_duplicate_intervals_merge() -> None:
    assert union([iv(0, 10), iv(10, 20), iv(0, 10)]) == [iv(0, 20)]
    assert union([iv(30, 40), iv(0, 5)]) == [iv(0, 5), iv(30, 40)]


def test_clip_drops_what_lies_outside() -> None:
    bounds = iv(0, 100)
    assert iv(-10, 5).clip(bounds) == iv(0, 5)
    assert iv(100, 110).clip(bounds) is None
    assert iv(-5, 0).clip(bounds) is None


def test_day_counting_boundaries() -> None:
    day = timedelta(hours=24)
    assert whole_days_floor(day) == 1
    assert whole_days_floor(day - timedelta(seconds=1)) == 0
    assert whole_days_ceil(day) == 1
    assert whole_days_ceil(day + timedelta(seconds=1)) == 2
    assert whole_days_ceil(timedelta(0)) == 0
    assert hours(timedelta(hours=42, minutes=20)) * 3 == 127


spans = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 100)), max_size=8)


@given(spans)
def test_union_is_disjoint_sorted_and_covers_the_same_time(raw: list[tuple[int, int]]) -> None:
    ivs = [iv(a, a + n) for a, n in raw]
    merged = union(ivs)
    for a, b in itertools.pairwise(merged):
        assert a.end < b.start
    for x in ivs:
        assert covered(x, merged) == x.length
    total = sum((m.length for m in merged), timedelta(0))
    assert total <= sum((x.length for x in ivs), timedelta(0))


@pytest.mark.parametrize(
    ("length", "zh", "en"),
    [
        (timedelta(hours=24), "24 小时", "24 h"),
        (timedelta(hours=24, seconds=1), "24 小时 0 分钟 1 秒", "24 h 0 min 1 s"),
        (timedelta(hours=23, minutes=59, seconds=59), "23 小时 59 分钟 59 秒", "23 h 59 min 59 s"),
        (timedelta(hours=42, minutes=20), "42 小时 20 分钟", "42 h 20 min"),
        (timedelta(minutes=30), "30 分钟", "30 min"),
        (timedelta(seconds=1, microseconds=500_000), "1.5 秒", "1.5 s"),
        (timedelta(0), "0 小时", "0 h"),
    ],
)
def test_durations_are_shown_exactly(length: timedelta, zh: str, en: str) -> None:
    # never "≈24.00 h" for a length a second off a day: the text must agree with the day count
    assert show_duration(length) == (zh, en)


def test_instants_show_seconds_only_when_they_have_them() -> None:
    assert show_instant(datetime(2024, 12, 1, 8, 0)) == "2024-12-01 08:00"
    assert show_instant(datetime(2024, 12, 1, 8, 0, 1)) == "2024-12-01 08:00:01"
    assert show_instant(datetime(2024, 12, 1, 8, 0, 0, 250_000)) == "2024-12-01 08:00:00.25"
