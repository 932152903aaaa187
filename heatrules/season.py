"""Heating seasons: ``"2024-2025"`` runs from 15 November to 15 March inclusive (REG art. 19).

The statutory days N count both ends: 121, or 122 when 29 February falls inside. As an
interval of local time the season is half-open: ``[Y-11-15T00:00, (Y+1)-03-16T00:00)``.
The first and last days come from the parameter data (``season.first_day``,
``season.last_day``), so :class:`SeasonPeriod` is built by :meth:`Parameters.period`.

>>> Season.parse("2023-2024").start_year
2023
>>> str(Season(2024))
'2024-2025'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .intervals import Interval
from .localtime import midnight

_SEASON = re.compile(r"(\d{4})-(\d{4})")


@dataclass(frozen=True, order=True)
class Season:
    """A heating season named by its start year (``Season(2024)`` is ``"2024-2025"``)."""

    start_year: int

    @classmethod
    def parse(cls, text: object) -> Season:
        """A season from text like ``"2024-2025"`` (consecutive years), or a Season as it is."""
        if isinstance(text, Season):
            return text
        if not isinstance(text, str):
            raise ValueError(f"a season is text like '2024-2025', not {type(text).__name__}")
        m = _SEASON.fullmatch(text)
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise ValueError(
                f"{text!r} is not a season: write the start and end years, consecutive, "
                "e.g. '2024-2025'"
            )
        return cls(int(m.group(1)))

    @property
    def end_year(self) -> int:
        """The year the season ends in (its start year + 1)."""
        return self.start_year + 1

    def __str__(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    def __repr__(self) -> str:
        return f"Season('{self}')"


@dataclass(frozen=True)
class SeasonPeriod:
    """A season's statutory dates: first and last day (inclusive) and the divisor N."""

    season: Season
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        """Statutory days N, both ends inclusive (121, or 122 in a leap season)."""
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        """00:00 of the season's first day (local time)."""
        return midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The exclusive end: 00:00 of the day after the last day."""
        return midnight(self.last_day + timedelta(days=1))

    @property
    def interval(self) -> Interval:
        """The whole season, first day 00:00 to the day after the last day 00:00."""
        return Interval(self.start, self.end)

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` falls within the season."""
        return self.start <= instant < self.end
