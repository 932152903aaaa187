"""Differential test: random account sets billed by the batch and the scalar engine agree.

Hypothesis generates small cities — stations with outages of every cause, accounts with
their own outages, supply facts, mid-season connections, cut-offs, suspensions, widow
waivers, temperature records (re-measurement, deemed failures, user faults, offsets),
payments and statement dates, in ordinary and leap seasons, with boundary durations such as
exactly 24 h — and asserts that every account's lines and totals are equal to the fen, and
that the batch engine rejects exactly the accounts the scalar engine rejects. The batch run
happens with ``heatrules.engine.bill`` patched to raise.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatrules.batch.schema import TABLES

from .helpers import compare

SEASONS = (2004, 2006, 2010, 2011, 2015, 2019, 2023, 2023, 2024, 2024, 2027)
DURATIONS = (
    timedelta(hours=24),
    timedelta(hours=23, minutes=59),
    timedelta(hours=24, seconds=1),
    timedelta(hours=48),
    timedelta(hours=47, minutes=59, seconds=59),
    timedelta(hours=1),
    timedelta(hours=72, minutes=30),
    timedelta(days=10),
)


def _ts(t: datetime, style: int) -> str:
    if style == 1:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if style == 2:  # the same instant written in UTC
        return (t - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%MZ")
    if style == 3:
        return (t + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M+09:00")
    return t.strftime("%Y-%m-%dT%H:%M")


@st.composite
def instant(draw: st.DrawFn, year: int, measuring: bool = False) -> datetime:
    start = datetime(year, 11, 15)
    day = draw(st.integers(0, 120) | st.integers(-5, 125))
    if measuring:
        minute = draw(st.sampled_from([8 * 60, 9 * 60, 10 * 60 + 30, 14 * 60, 21 * 60]))
        if draw(st.integers(0, 40)) == 0:
            minute = 7 * 60 + 59  # outside the measuring hours: both engines reject
    else:
        minute = draw(st.sampled_from([0, 30, 6 * 60, 8 * 60, 12 * 60, 23 * 60 + 59]))
    return start + timedelta(days=day, minutes=minute)


@st.composite
def interval(draw: st.DrawFn, year: int) -> tuple[str, str, str]:
    t = draw(instant(year))
    d = draw(st.sampled_from(DURATIONS))
    style = draw(st.integers(0, 3))
    cause = draw(st.sampled_from(["supplier", "facility", "external"]))
    if draw(st.integers(0, 30)) == 0:
        d = timedelta(0)  # end == start: bad input for both engines
    return _ts(t, style), _ts(t + d, draw(st.integers(0, 3))), cause


def _day(year: int, offset: int) -> str:
    return (date(year, 11, 15) + timedelta(days=offset)).isoformat()


@st.composite
def city(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    year = draw(st.sampled_from(SEASONS))
    season = f"{year}-{year + 1}"
    stations = [f"S{i}" for i in range(draw(st.integers(1, 2)))]
    acc: list[dict[str, Any]] = []
    nh: list[dict[str, Any]] = []
    tp: list[dict[str, Any]] = []
    pm: list[dict[str, Any]] = []
    for s in stations:
        for _ in range(draw(st.integers(0, 3))):
            a, b, cause = draw(interval(year))
            nh.append({"season": season, "station_id": s, "start": a, "end": b, "cause": cause})
    for i in range(draw(st.integers(1, 5))):
        aid = draw(st.sampled_from([f"{i:04d}", f"-{i}", f"={i}"]))
        category = draw(st.sampled_from(["residential", "residential", "non_residential"]))
        area_fen = draw(st.integers(1, 500_000))
        area = f"{area_fen // 100}.{area_fen % 100:02d}"
        row: dict[str, Any] = {
            "account_id": aid,
            "season": season,
            "category": category,
            "billing_area_m2": area,
            "station_id": draw(st.sampled_from([*stations, None])),
        }
        rare = draw(st.integers(0, 15)) == 0  # allow one fact that both engines reject
        if (year >= 2014 or rare) and draw(st.integers(0, 3)) == 0:
            row["billing"] = "metered"
            row["metered_kwh"] = draw(st.sampled_from(["8100", "0", "12345.678", None]))
        if draw(st.integers(0, 4)) == 0:
            row["connected_on"] = _day(year, draw(st.integers(-30, 120) | st.integers(118, 125)))
        if (row.get("billing") is None or rare) and draw(st.integers(0, 4)) == 0:
            row["cutoff_from"] = _day(year, draw(st.integers(47, 120) | st.integers(40, 122)))
        if draw(st.integers(0, 5)) == 0:
            row["supply_started_at"] = _ts(draw(instant(year)), 0)
        if draw(st.integers(0, 5)) == 0:
            stop = draw(instant(year))
            if "supply_started_at" in row and not rare:
                stop = max(
                    stop, datetime.fromisoformat(row["supply_started_at"]) + timedelta(hours=1)
                )
            row["supply_stopped_at"] = _ts(stop, 0)
        if ((category == "residential" and year >= 2005) or rare) and draw(st.integers(0, 4)) == 0:
            row["waiver_kind"] = "cadre_widow"
            row["waiver_has_children"] = draw(st.sampled_from(["true", "false", "TRUE"]))
        if (
            rare
            or not any(k in row for k in ("supply_started_at", "supply_stopped_at", "cutoff_from"))
        ) and draw(st.integers(0, 6)) == 0:
            row["suspension_kind"] = draw(st.sampled_from(["temporary", "permanent"]))
        if draw(st.booleans()):
            row["as_of"] = _day(year, draw(st.integers(20, 200)))
        if draw(st.integers(0, 4)) == 0:
            row["late_fee_rate"] = draw(
                st.sampled_from(["0", "0.001", "0.0015", "0.002", "0.00125"])
            )
        acc.append(row)
        suspended = "suspension_kind" in row
        if not suspended or draw(st.integers(0, 12)) == 0:
            for _ in range(draw(st.integers(0, 2))):
                a, b, cause = draw(interval(year))
                nh.append(
                    {"season": season, "account_id": aid, "start": a, "end": b, "cause": cause}
                )
        if not suspended or draw(st.integers(0, 12)) == 0:
            rooms = ["bedroom", "living", "kitchen"]
            for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
                m = draw(instant(year, measuring=True))
                rec: dict[str, Any] = {
                    "season": season,
                    "account_id": aid,
                    "room": draw(st.sampled_from(rooms)),
                    "room_area_m2": f"{max(1, area_fen // draw(st.integers(1, 6))) / 100:.2f}",
                    "measured_at": _ts(m, draw(st.integers(0, 3))),
                }
                if draw(st.integers(0, 4)) == 0:
                    rec["deemed_failure"] = "true"
                else:
                    rec["celsius"] = draw(
                        st.sampled_from(["18.0", "17.9", "16.0", "15.9", "12.0", "11.9", "5", "22"])
                    )
                if category != "residential" or draw(st.integers(0, 4)) == 0:
                    rec["standard_celsius"] = draw(st.sampled_from(["16.0", "20", "18.0"]))
                if draw(st.booleans()):
                    hours = draw(st.sampled_from([24, 25, 49, 96, 300]))
                    r = m + timedelta(hours=hours)
                    rec["restored_at"] = _ts(r.replace(hour=max(8, min(r.hour, 20))), 0)
                if draw(st.integers(0, 6)) == 0:
                    rec["user_fault"] = "covered_radiator"
                tp.append(rec)
        for _ in range(draw(st.integers(0, 3))):
            amount = draw(st.sampled_from(["100.00", "2500.00", "520.00", "1.23", "9999.99"]))
            pm.append(
                {
                    "season": season,
                    "account_id": aid,
                    "date": _day(year, draw(st.integers(-10, 150))),
                    "amount": amount,
                }
            )

    def frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        cols = TABLES[name].names
        return pl.DataFrame(
            {c: [r.get(c) for r in rows] for c in cols}, schema={c: pl.String for c in cols}
        )

    return {
        "accounts": frame("accounts", acc),
        "no_heat": frame("no_heat", nh),
        "temperature": frame("temperature", tp),
        "payments": frame("payments", pm),
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(city())
def test_batch_equals_scalar(tables: dict[str, pl.DataFrame]) -> None:
    compare(tables)
