"""A synthetic company export with seeded mistakes, for the tutorial, the tests and benchmarks.

:func:`seeded_cases` gives one hand-made account per difference class, each with the facts the
mistake needs; :func:`random_cases` adds ordinary accounts (stations, outages, temperature
records, payments). :func:`export` turns cases into the batch tables and a claimed file, the
claimed figures of a mistaken account being its bill under the mistaken reading — the same
engine, another :class:`~heatrules.policy.Policy` — as a billing system with that reading
would produce them.

    python -m heatrules.audit.demo OUT_DIR [N [MISTAKE_RATE]]  # the CSV tables, claimed.csv
"""

from __future__ import annotations

import copy
import csv
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..batch.schema import TABLES
from ..engine import bill
from ..lines import TOTAL_NAMES
from ..money import fmt
from ..policy import Policy
from ..season import Season
from .claimed import LINE_FIGURES

SEASON = "2024-2025"


def _case(account_id: str, **parts: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "season": SEASON,
        "account": {"id": account_id, "category": "residential", "billing_area_m2": "100.00"},
    }
    for key, value in parts.items():
        if key == "account":
            case["account"].update(value)
        else:
            case[key] = value
    return case


def _out(start: str, end: str, cause: str) -> dict[str, str]:
    return {"start": start, "end": end, "cause": cause}


def _temp(celsius: str) -> list[dict[str, str]]:
    return [
        {
            "room": "bedroom",
            "room_area_m2": "20.00",
            "measured_at": "2024-12-01T09:00",
            "celsius": celsius,
            "restored_at": "2024-12-04T09:00",
        }
    ]


@dataclass
class Seeded:
    """An account, the station it hangs on, and the reading its claimed figures follow."""

    case: dict[str, Any]
    policy: Policy = field(default_factory=Policy)
    klass: str | None = None
    station: str | None = None
    station_no_heat: list[dict[str, str]] = field(default_factory=list)
    claimed_offset: dict[str, Decimal] = field(default_factory=dict)
    """Amounts added to claimed figures (a mistake no reading explains)."""


def seeded_cases() -> list[Seeded]:
    """One account per difference class (ids ``S01`` … ``S13``), each class seeded once."""
    fac10 = [_out("2024-12-01T00:00", "2024-12-11T00:00", "facility")]
    fac2 = [_out("2024-12-01T00:00", "2024-12-03T00:00", "facility")]
    widow = {"kind": "cadre_widow", "has_children": True}
    return [
        Seeded(
            _case("S01", no_heat=fac10),
            Policy(daily_fee_rounded_first=True),
            "daily_fee_rounded_first",
        ),
        Seeded(_case("S02", no_heat=fac2), Policy(divisor="fixed_120"), "divisor_120"),
        Seeded(
            _case(
                "S03",
                account={"connected_on": "2025-01-15"},
                no_heat=[_out("2025-02-01T00:00", "2025-02-03T00:00", "facility")],
            ),
            Policy(divisor="supplied_days"),
            "divisor_supplied_days",
        ),
        Seeded(
            _case("S04", no_heat=[_out("2024-12-01T00:00", "2024-12-02T06:00", "facility")]),
            Policy(part_day_flipped=True),
            "part_day_rounding",
        ),
        Seeded(_case("S05", temperature=_temp("16.0")), Policy(band_shift=1), "temperature_band"),
        Seeded(_case("S06", temperature=_temp("12.0")), Policy(band_shift=-1), "temperature_band"),
        Seeded(
            _case("S07", no_heat=fac2),
            Policy(overlap_double_counted=True),
            "overlap_double_counted",
            station="ST-9",
            station_no_heat=[_out("2024-12-02T00:00", "2024-12-04T00:00", "facility")],
        ),
        Seeded(
            _case("S08", no_heat=[_out("2024-12-01T00:00", "2024-12-03T00:00", "supplier")]),
            Policy(cause_swap="supplier_as_facility"),
            "supplier_as_facility",
        ),
        Seeded(
            _case("S09", no_heat=fac2),
            Policy(cause_swap="facility_as_supplier"),
            "facility_as_supplier",
        ),
        Seeded(_case("S10"), Policy(params_season=Season(2007)), "other_season_rule"),
        Seeded(_case("S11", waiver=widow), Policy(waiver="missing"), "waiver_missing"),
        Seeded(_case("S12"), Policy(waiver="extra_with_children"), "waiver_extra"),
        Seeded(_case("S13"), klass="unexplained", claimed_offset={"tariff_area": Decimal("1.00")}),
    ]


MISTAKES: tuple[tuple[str, Policy], ...] = (
    ("daily_fee_rounded_first", Policy(daily_fee_rounded_first=True)),
    ("divisor_120", Policy(divisor="fixed_120")),
    ("part_day_rounding", Policy(part_day_flipped=True)),
    ("temperature_band", Policy(band_shift=1)),
    ("overlap_double_counted", Policy(overlap_double_counted=True)),
    ("supplier_as_facility", Policy(cause_swap="supplier_as_facility")),
    ("facility_as_supplier", Policy(cause_swap="facility_as_supplier")),
    ("other_season_rule", Policy(params_season=Season(2007))),
    ("waiver_missing", Policy(waiver="missing")),
    ("waiver_extra", Policy(waiver="extra_with_children")),
)


def random_cases(n: int, seed: int = 6, mistake_rate: float = 0.05) -> list[Seeded]:
    """``n`` ordinary accounts (ids ``R000001`` …) on 20 stations; ``mistake_rate`` of them
    carry one mistake of :data:`MISTAKES` (given the facts it needs)."""
    rng = random.Random(seed)
    out: list[Seeded] = []
    stations = [f"ST-{i:02d}" for i in range(1, 21)]
    for i in range(1, n + 1):
        area = f"{rng.randint(3000, 15000) / 100:.2f}"
        residential = rng.random() < 0.9
        case = _case(
            f"R{i:06d}",
            account={
                "billing_area_m2": area,
                "category": "residential" if residential else "non_residential",
            },
        )
        mistake = rng.random() < mistake_rate
        klass, policy = rng.choice(MISTAKES) if mistake else (None, Policy())
        day = rng.randint(1, 27)
        if (
            klass in ("daily_fee_rounded_first", "divisor_120", "part_day_rounding")
            or rng.random() < 0.2
        ):
            cause = rng.choice(("facility", "supplier", "external"))
            hours = rng.randint(5, 120)
            case["no_heat"] = [_out(f"2024-12-{day:02d}T08:00", _plus_hours(day, 8, hours), cause)]
        if klass == "overlap_double_counted":
            case["no_heat"] = [
                _out(f"2024-12-{day:02d}T00:00", f"2024-12-{day + 2:02d}T00:00", "facility"),
                _out(f"2024-12-{day + 1:02d}T00:00", f"2024-12-{day + 3:02d}T00:00", "facility"),
            ]
        if klass == "supplier_as_facility":
            case["no_heat"] = [
                _out(f"2024-12-{day:02d}T08:00", _plus_hours(day, 8, 30), "supplier")
            ]
        if klass == "facility_as_supplier":
            case["no_heat"] = [
                _out(f"2024-12-{day:02d}T08:00", _plus_hours(day, 8, 50), "facility")
            ]
        if residential and (klass == "temperature_band" or rng.random() < 0.05):
            case["temperature"] = _temp(rng.choice(("16.5", "15.0", "11.0")))
        if residential and (klass == "waiver_missing" or (klass is None and rng.random() < 0.02)):
            case["waiver"] = {"kind": "cadre_widow", "has_children": rng.random() < 0.7}
        if klass == "waiver_extra" and not residential:
            klass, policy = None, Policy()
        if not residential and klass == "temperature_band":
            klass, policy = None, Policy()
        if rng.random() < 0.3:
            case["as_of"] = "2025-02-28"
            case["payments"] = [{"date": "2024-12-20", "amount": f"{rng.randint(100, 2000)}.00"}]
        out.append(Seeded(case, policy, klass, station=rng.choice(stations)))
    return out


def _plus_hours(day: int, hour: int, hours: int) -> str:
    from datetime import datetime, timedelta

    t = datetime(2024, 12, day, hour) + timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M")


def figures(b: Any) -> dict[str, Decimal]:
    """Every figure of a bill in the bills naming (totals, then line codes)."""
    totals = b.totals
    out: dict[str, Decimal] = {name: totals.get(name) for name in TOTAL_NAMES}
    for fig, code in LINE_FIGURES.items():
        out[fig] = b.amount(code)
    return out


def export(accounts: list[Seeded]) -> tuple[dict[str, list[dict[str, str]]], list[dict[str, str]]]:
    """The batch tables (rows of text cells) and the claimed rows of ``accounts``."""
    tables: dict[str, list[dict[str, str]]] = {t: [] for t in TABLES}
    claimed: list[dict[str, str]] = []
    station_rows: dict[str, list[dict[str, str]]] = {}
    for s in accounts:
        case = s.case
        acc = case["account"]
        row = {
            "account_id": acc["id"],
            "season": case["season"],
            "category": acc["category"],
            "billing_area_m2": acc["billing_area_m2"],
        }
        for key in ("billing", "metered_kwh", "connected_on", "late_fee_rate"):
            if key in acc:
                row[key] = acc[key]
        if s.station:
            row["station_id"] = s.station
        if "waiver" in case:
            row["waiver_kind"] = case["waiver"]["kind"]
            row["waiver_has_children"] = "true" if case["waiver"]["has_children"] else "false"
        for key in ("cutoff_from", "as_of"):
            if key in case:
                row[key] = case[key]
        tables["accounts"].append(row)
        for nh in case.get("no_heat", []):
            tables["no_heat"].append({"season": case["season"], "account_id": acc["id"], **nh})
        for t in case.get("temperature", []):
            tables["temperature"].append({"season": case["season"], "account_id": acc["id"], **t})
        for p in case.get("payments", []):
            tables["payments"].append({"season": case["season"], "account_id": acc["id"], **p})
        full = copy.deepcopy(case)
        if s.station_no_heat:
            assert s.station is not None
            station_rows.setdefault(s.station, []).extend(s.station_no_heat)
            full["no_heat"] = full.get("no_heat", []) + s.station_no_heat
        claim = figures(bill(full, policy=s.policy))
        for fig, extra in s.claimed_offset.items():
            claim[fig] += extra
        claimed.append(
            {
                "account_id": acc["id"],
                "season": case["season"],
                **{k: fmt(v) for k, v in claim.items()},
            }
        )
    for station, rows in station_rows.items():
        for nh in rows:
            tables["no_heat"].append({"season": SEASON, "station_id": station, **nh})
    return tables, claimed


def write_csv(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def write_export(folder: str | Path, accounts: list[Seeded]) -> dict[str, Path]:
    """Write ``accounts.csv``, ``no_heat.csv``, ``temperature.csv``, ``payments.csv`` and
    ``claimed.csv`` into ``folder``; returns their paths by table name."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables, claimed = export(accounts)
    paths = {
        name: write_csv(rows, TABLES[name].names, out / f"{name}.csv")
        for name, rows in tables.items()
    }
    paths["claimed"] = write_csv(
        claimed, ["account_id", "season", *TOTAL_NAMES, *LINE_FIGURES], out / "claimed.csv"
    )
    return paths


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else "audit-demo"
    n = int(argv[1]) if len(argv) > 1 else 200
    rate = float(argv[2]) if len(argv) > 2 else 0.05
    paths = write_export(folder, seeded_cases() + random_cases(n, mistake_rate=rate))
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
