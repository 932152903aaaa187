from __future__ import annotations

import pytest

from heatrules import Parameters, Season


@pytest.mark.parametrize(
    ("season", "days"),
    [
        ("2023-2024", 122),
        ("2024-2025", 121),
        ("2027-2028", 122),
        ("2003-2004", 122),
        ("2099-2100", 121),
    ],
)
def test_statutory_days_count_29_february(season: str, days: int) -> None:
    assert Parameters.default().period(Season.parse(season)).days == days


def test_season_interval_is_half_open() -> None:
    period = Parameters.default().period(Season.parse("2024-2025"))
    assert period.start.isoformat() == "2024-11-15T00:00:00"
    assert period.end.isoformat() == "2025-03-16T00:00:00"
    assert not period.contains(period.end)


@pytest.mark.parametrize("bad", ["2024-2026", "2024", "24-25", "2024-2023", "2024–2025"])
def test_bad_season_names(bad: str) -> None:
    with pytest.raises(ValueError):
        Season.parse(bad)
