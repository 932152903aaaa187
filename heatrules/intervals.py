"""Half-open local time intervals ``[start, end)``: clipping, union and exact hours.

>>> a = Interval(datetime(2024, 12, 1), datetime(2024, 12, 2))
>>> b = Interval(datetime(2024, 12, 2), datetime(2024, 12, 3))
>>> union([a, b])
[Interval(start=datetime.datetime(2024, 12, 1, 0, 0), end=datetime.datetime(2024, 12, 3, 0, 0))]
>>> whole_days_floor(timedelta(hours=47)), whole_days_ceil(timedelta(hours=24, seconds=1))
(1, 2)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

DAY = timedelta(hours=24)


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open interval of local time; ``start < end`` for a non-empty one."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """The interval's length (zero when it is empty)."""
        return self.end - self.start if self.end > self.start else timedelta(0)

    def clip(self, bounds: Interval) -> Interval | None:
        """The part inside ``bounds``, or None when nothing of positive length remains."""
        start = max(self.start, bounds.start)
        end = min(self.end, bounds.end)
        return Interval(start, end) if end > start else None

    def overlap(self, other: Interval) -> timedelta:
        """How long this interval and ``other`` overlap."""
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return end - start if end > start else timedelta(0)


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals into maximal continuous ones, sorted."""
    merged: list[Interval] = []
    for iv in sorted(intervals):
        if merged and iv.start <= merged[-1].end:
            if iv.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, iv.end)
        else:
            merged.append(iv)
    return merged


def covered(window: Interval, disjoint: Iterable[Interval]) -> timedelta:
    """Time of ``window`` covered by ``disjoint`` (a union: non-overlapping intervals)."""
    total = timedelta(0)
    for iv in disjoint:
        total += window.overlap(iv)
    return total


def whole_days_floor(length: timedelta, day: timedelta = DAY) -> int:
    """Whole days in ``length``; a part day is not counted."""
    return length // day


def whole_days_ceil(length: timedelta, day: timedelta = DAY) -> int:
    """Days in ``length`` where a part day counts as one."""
    return -(-length // day)


def hours(length: timedelta) -> Fraction:
    """Exact hours in ``length`` (microsecond precision, never a float)."""
    return Fraction(length // timedelta(microseconds=1), 3_600_000_000)


def show_hours(length: timedelta) -> str:
    """Hours for an explanation: exact when they terminate within two decimals, else ≈."""
    from .money import approx

    return approx(hours(length), places=2)


def show_duration(length: timedelta) -> tuple[str, str]:
    """A length for an explanation, exactly, as (zh, en): ``24 小时`` / ``24 h``, or in hours,
    minutes and seconds when it is not whole hours (``24 小时 0 分钟 1 秒`` / ``24 h 0 min 1 s``)
    — so that a length just over or under a day never reads as 24.00 h."""
    us = length // timedelta(microseconds=1)
    h, rest = divmod(us, 3_600_000_000)
    m, rest = divmod(rest, 60_000_000)
    sec = Decimal(rest) / 1_000_000
    units: list[tuple[int | Decimal, str, str]] = [
        (h, "小时", "h"),
        (m, "分钟", "min"),
        (sec, "秒", "s"),
    ]
    shown = [i for i, (n, _, _) in enumerate(units) if n]
    if not shown:
        return "0 小时", "0 h"
    picked = units[shown[0] : shown[-1] + 1]
    zh = " ".join(f"{_number(n)} {u}" for n, u, _ in picked)
    en = " ".join(f"{_number(n)} {u}" for n, _, u in picked)
    return zh, en


def show_instant(at: datetime) -> str:
    """A local date and time for an explanation, with seconds only when it has them."""
    if at.microsecond:
        return f"{at:%Y-%m-%d %H:%M:%S.%f}".rstrip("0")
    return f"{at:%Y-%m-%d %H:%M:%S}" if at.second else f"{at:%Y-%m-%d %H:%M}"


def _number(n: int | Decimal) -> str:
    return format(n.normalize(), "f") if isinstance(n, Decimal) else str(n)


def seconds(length: timedelta) -> Decimal:
    """Exact seconds in ``length`` (a decimal: microseconds are kept)."""
    return Decimal(length // timedelta(microseconds=1)) / 1_000_000


def hours_text(length: timedelta) -> str:
    """Hours as a decimal string for a line's basis: exact when it terminates (50, 42.5),
    otherwise to 4 decimals (42 h 20 min -> 42.3333); the exact length is in ``seconds``."""
    from .money import decimal_str

    h = hours(length)
    text = decimal_str(h)
    if "/" not in text:
        return text
    q = Decimal(h.numerator) / Decimal(h.denominator)
    return format(q.quantize(Decimal("0.0001")), "f")
