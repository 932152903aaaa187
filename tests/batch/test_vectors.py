"""Shared vectors run by both engines: tests/vectors/batch-city.yaml and ../shared/cases.

The vector file holds the four batch tables and the expected bill (totals and lines, in
order) or rejection of every account. The batch engine runs the tables (with the scalar
engine patched to raise); the scalar engine runs the cases the tables describe. The public
reference cases of ../shared/cases that bill without error are laid out as batch tables and
must give the same lines with both engines; the ones that expect an error and can be written
as tables must be rejected by the batch engine too.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import heatrules
from heatrules.batch.convert import cases_from_tables, tables_from_cases
from heatrules.batch.schema import TABLES
from heatrules.caseio import iter_case_files, read_cases
from heatrules.errors import CaseError
from heatrules.textyaml import load_yaml_text

from .helpers import batch_without_scalar, compare

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "batch-city.yaml"
SHARED = ROOT.parent / "shared" / "cases"


def _frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    cols = TABLES[name].names
    return pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in cols}, schema={c: pl.String for c in cols}
    )


def load_vectors() -> tuple[dict[str, pl.DataFrame], list[dict[str, Any]], list[dict[str, Any]]]:
    doc = load_yaml_text(VECTORS.read_text(encoding="utf-8"), str(VECTORS))
    tables = {name: _frame(name, rows) for name, rows in doc["tables"].items()}
    return tables, doc["expect"], doc["rejects"]


def test_vectors_batch_engine() -> None:
    tables, expect, rejects = load_vectors()
    result = batch_without_scalar(tables)
    bills = {(r["account_id"], r["season"]): r for r in result.bills.iter_rows(named=True)}
    for item in expect:
        key = (item["account_id"], item["season"])
        if "rejected" in item:
            assert key not in bills
            reasons = result.rejects.filter(
                (pl.col("table") == "accounts") & (pl.col("value").is_not_null())
            ).get_column("reason")
            assert any(item["rejected"] in r for r in reasons.to_list()), item
            continue
        row = bills[key]
        for name, amount in item["totals"].items():
            assert row[name] == Decimal(amount), (key, name)
        mine = result.lines.filter(
            (pl.col("account_id") == key[0]) & (pl.col("season") == key[1])
        ).select("code", "amount")
        assert [(c, f"{a:.2f}") for c, a in mine.iter_rows()] == [tuple(x) for x in item["lines"]]
    got = [
        {"table": t, "line": ln, "column": c}
        for t, ln, c in result.rejects.select("table", "line", "column").iter_rows()
    ]
    assert got == [{**r, "line": int(r["line"])} for r in rejects]


def test_vectors_scalar_engine() -> None:
    tables, expect, _ = load_vectors()
    cases = {
        (c["account"]["id"], c["season"]): c
        for c in cases_from_tables(
            tables["accounts"], tables["no_heat"], tables["temperature"], tables["payments"]
        )
    }
    for item in expect:
        case = cases[(item["account_id"], item["season"])]
        if "rejected" in item:
            if "appears on" in item["rejected"]:
                continue  # a duplicate account-season is a table-level rule
            with pytest.raises(CaseError, match=item["rejected"]):
                heatrules.bill(case)
            continue
        b = heatrules.bill(case)
        assert b.totals.to_dict() == item["totals"]
        assert [[ln.code, f"{ln.amount:.2f}"] for ln in b.lines] == item["lines"]


def test_vectors_differential() -> None:
    tables, _, _ = load_vectors()
    billed, rejected = compare(
        {**tables, "accounts": tables["accounts"].filter(pl.col("account_id") != "0040003")}
    )
    assert billed == 13 and rejected == 2


def _shared_cases(errors: bool) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in iter_case_files([SHARED]):
        for raw in read_cases(f):
            d = raw.data
            if not isinstance(d, dict):
                continue
            if bool((d.get("expect") or {}).get("error")) != errors:
                continue
            if errors and "subsidy" in d:
                continue  # a subsidy is not a batch fact
            d = {k: v for k, v in d.items() if k not in ("expect", "subsidy", "name")}
            out.append((raw.name, d))
    return out


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not present")
def test_shared_reference_cases_both_engines() -> None:
    cases = []
    for i, (_, d) in enumerate(_shared_cases(errors=False)):
        d["account"] = {**d["account"], "id": f"{i:04d}-{d['account']['id']}"}
        cases.append(d)
    tables = tables_from_cases(cases)
    billed, rejected = compare(tables)
    assert billed > 100 and rejected == 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not present")
def test_shared_error_cases_are_rejected() -> None:
    checked = 0
    for name, d in _shared_cases(errors=True):
        try:
            tables = tables_from_cases([d])
        except (KeyError, TypeError):
            continue  # not expressible as tables (a missing key of the case format)
        try:
            heatrules.bill(d)
        except CaseError:
            pass
        else:  # pragma: no cover
            raise AssertionError(name)
        try:
            from heatrules.batch import bill_frame

            r = bill_frame(
                tables["accounts"], tables["no_heat"], tables["temperature"], tables["payments"]
            )
        except Exception:
            continue
        if (
            not isinstance(d["account"].get("id"), str)
            or set(d)
            - {
                "season",
                "account",
                "supply",
                "no_heat",
                "temperature",
                "waiver",
                "suspension",
                "cutoff_from",
                "payments",
                "as_of",
            }
            or set(d["account"])
            - {
                "id",
                "category",
                "billing_area_m2",
                "billing",
                "metered_kwh",
                "connected_on",
                "late_fee_rate",
            }
        ):
            continue  # unknown keys and non-text ids are errors of the case format only
        assert r.bills.height == 0, name
        checked += 1
    assert checked > 50
