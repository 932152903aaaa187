from __future__ import annotations

from datetime import date, datetime

import pytest

from heatrules.localtime import parse_date, parse_timestamp


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2024-12-01T08:00", datetime(2024, 12, 1, 8, 0)),
        ("2024-12-01 08:00", datetime(2024, 12, 1, 8, 0)),
        ("2024-12-01T08:00:30", datetime(2024, 12, 1, 8, 0, 30)),
        ("2024-12-01T00:00:00Z", datetime(2024, 12, 1, 8, 0)),
        ("2024-12-01T08:00:00+08:00", datetime(2024, 12, 1, 8, 0)),
        ("2024-12-03T08:00:00+09:00", datetime(2024, 12, 3, 7, 0)),
        ("2024-12-31T20:00:00-05:00", datetime(2025, 1, 1, 9, 0)),
    ],
)
def test_timestamps_are_read_as_shanghai_time(text: str, local: datetime) -> None:
    assert parse_timestamp(text) == local


@pytest.mark.parametrize(
    "text",
    ["2024-12-10", "2024-12-10T8:00", "2024/12/10 08:00", "１２", "2024-12-10T25:00", "", "today"],
)
def test_bad_timestamps_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_dates_are_calendar_dates_only() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    for bad in ("2025-02-29", "2025-01-03T10:00", "20250103", "2025-1-3"):
        with pytest.raises(ValueError):
            parse_date(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-12-01T08:00+25:00", "impossible UTC offset"),
        ("2024-12-01T08:00+08:60", "impossible UTC offset"),
        ("2024-12-01T08:00:00.123456789", "more than 6 fractional-second digits"),
    ],
)
def test_messages_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_timestamp(text)
