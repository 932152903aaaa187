"""Local time: every instant is read as Asia/Shanghai (a fixed UTC+8, no DST).

rules.md §1: a naive timestamp is Asia/Shanghai; one with an offset is converted to it; dates
are local calendar dates. Timestamps must have a time part (``T`` or one space); a bare date
is an error where a timestamp is expected, and nothing is guessed.

>>> parse_timestamp("2024-12-01T00:00:00Z")
datetime.datetime(2024, 12, 1, 8, 0)
>>> parse_timestamp("2024-12-03 08:00+09:00")
datetime.datetime(2024, 12, 3, 7, 0)
>>> parse_date("2025-01-03")
datetime.date(2025, 1, 3)
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_TS = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d{1,6})?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp with a time part into a naive Asia/Shanghai datetime."""
    m = _TS.fullmatch(text) if isinstance(text, str) and text.isascii() else None
    if m is not None and m.group("tz") not in (None, "Z"):
        digits = m.group("tz")[1:].replace(":", "")
        if int(digits[:2]) > 23 or (len(digits) > 2 and int(digits[2:]) > 59):
            raise ValueError(f"{text!r} has an impossible UTC offset {m.group('tz')}")
    if (
        m is None
        and isinstance(text, str)
        and re.fullmatch(r".*[T ]\d{2}:\d{2}:\d{2}\.\d{7,}.*", text)
    ):
        raise ValueError(f"{text!r} has more than 6 fractional-second digits (microseconds)")
    if m is None:
        raise ValueError(
            f"{text!r} is not an ISO 8601 timestamp with a time part "
            "(e.g. 2024-12-01T08:00 or 2024-12-01 08:00:00+08:00)"
        )
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid timestamp: {exc}") from None
    return to_local(value)


def to_local(value: datetime) -> datetime:
    """Convert an aware datetime to naive Asia/Shanghai; a naive one is already local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(SHANGHAI).replace(tzinfo=None)


def parse_date(text: str) -> date:
    """Parse an ISO calendar date ``YYYY-MM-DD`` (no time part)."""
    if not isinstance(text, str) or not text.isascii() or not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not an ISO calendar date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from None


def midnight(day: date) -> datetime:
    """The local instant 00:00 that starts ``day``."""
    return datetime(day.year, day.month, day.day)
