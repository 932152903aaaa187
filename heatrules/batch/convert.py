"""Conversions between case files (cases.md) and batch tables (batch-tables.md).

``tables_from_cases`` lays case mappings out as the four batch tables (text cells), so a set
of vectors written as cases runs through both engines; ``cases_from_tables`` goes back, one
case per account row, with the account's own events and its station's outages (a suspended
account has no supply, so its station's outages do not apply to it).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from .schema import TABLES

_ACCOUNT_FIELDS = (
    "category",
    "billing_area_m2",
    "billing",
    "metered_kwh",
    "connected_on",
    "late_fee_rate",
)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _frame(name: str, rows: list[dict[str, str | None]]) -> pl.DataFrame:
    cols = TABLES[name].names
    return pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in cols}, schema={c: pl.String for c in cols}
    )


def tables_from_cases(cases: list[dict[str, Any]]) -> dict[str, pl.DataFrame]:
    """The batch tables (every cell text) holding the facts of ``cases`` (case-file mappings)."""
    acc: list[dict[str, str | None]] = []
    nh: list[dict[str, str | None]] = []
    tp: list[dict[str, str | None]] = []
    pm: list[dict[str, str | None]] = []
    for case in cases:
        a = case["account"]
        season = _cell(case["season"])
        aid = _cell(a["id"])
        row: dict[str, str | None] = {"account_id": aid, "season": season}
        for f in _ACCOUNT_FIELDS:
            row[f] = _cell(a.get(f))
        row["station_id"] = _cell(case.get("station_id"))
        supply = case.get("supply") or {}
        row["supply_started_at"] = _cell(supply.get("started_at"))
        row["supply_stopped_at"] = _cell(supply.get("stopped_at"))
        waiver = case.get("waiver") or {}
        row["waiver_kind"] = _cell(waiver.get("kind"))
        row["waiver_has_children"] = _cell(waiver.get("has_children"))
        row["suspension_kind"] = _cell((case.get("suspension") or {}).get("kind"))
        row["cutoff_from"] = _cell(case.get("cutoff_from"))
        row["as_of"] = _cell(case.get("as_of"))
        acc.append(row)
        for n in case.get("no_heat") or []:
            nh.append(
                {
                    "season": season,
                    "account_id": aid,
                    "start": _cell(n["start"]),
                    "end": _cell(n["end"]),
                    "cause": _cell(n["cause"]),
                }
            )
        for t in case.get("temperature") or []:
            r = {"season": season, "account_id": aid}
            for c in TABLES["temperature"].names[2:]:
                r[c] = _cell(t.get(c))
            tp.append(r)
        for p in case.get("payments") or []:
            pm.append(
                {
                    "season": season,
                    "account_id": aid,
                    "date": _cell(p["date"]),
                    "amount": _cell(p["amount"]),
                }
            )
    return {
        "accounts": _frame("accounts", acc),
        "no_heat": _frame("no_heat", nh),
        "temperature": _frame("temperature", tp),
        "payments": _frame("payments", pm),
    }


def _rows(frame: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dicts()


def cases_from_tables(
    accounts: pl.DataFrame,
    no_heat: pl.DataFrame | None = None,
    temperature: pl.DataFrame | None = None,
    payments: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One case mapping per account row (text cells in, case-file values out), in row order."""
    own_nh: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    st_nh: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(no_heat):
        item = {"start": r["start"], "end": r["end"], "cause": r["cause"]}
        if r.get("account_id") is not None:
            own_nh[(r["account_id"], r["season"])].append(item)
        elif r.get("station_id") is not None:
            st_nh[(r["station_id"], r["season"])].append(item)
    temps: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(temperature):
        rec = {k: v for k, v in r.items() if k not in ("season", "account_id") and v is not None}
        if "deemed_failure" in rec:
            rec["deemed_failure"] = str(rec["deemed_failure"]).lower() == "true"
        temps[(r["account_id"], r["season"])].append(rec)
    pays: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(payments):
        pays[(r["account_id"], r["season"])].append({"date": r["date"], "amount": r["amount"]})
    cases = []
    for r in accounts.to_dicts():
        key = (r["account_id"], r["season"])
        account = {"id": r["account_id"]}
        for f in _ACCOUNT_FIELDS:
            if r.get(f) is not None:
                account[f] = r[f]
        case: dict[str, Any] = {"season": r["season"], "account": account}
        if r.get("supply_started_at") is not None or r.get("supply_stopped_at") is not None:
            case["supply"] = {
                "started_at": r.get("supply_started_at"),
                "stopped_at": r.get("supply_stopped_at"),
            }
        if r.get("waiver_kind") is not None:
            hc = r.get("waiver_has_children")
            case["waiver"] = {
                "kind": r["waiver_kind"],
                "has_children": None if hc is None else str(hc).lower() == "true",
            }
        if r.get("suspension_kind") is not None:
            case["suspension"] = {"kind": r["suspension_kind"]}
        for f in ("cutoff_from", "as_of"):
            if r.get(f) is not None:
                case[f] = r[f]
        events = list(own_nh.get(key, []))
        if r.get("station_id") is not None and r.get("suspension_kind") is None:
            events += st_nh.get((r["station_id"], r["season"]), [])
        if events:
            case["no_heat"] = events
        if temps.get(key):
            case["temperature"] = temps[key]
        if pays.get(key):
            case["payments"] = pays[key]
        cases.append(case)
    return cases
