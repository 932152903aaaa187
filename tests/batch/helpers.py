"""Shared helpers of the batch tests: run both engines over the same tables and compare."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest

import heatrules
import heatrules.engine
from heatrules.batch import bill_frame
from heatrules.batch.api import BatchResult
from heatrules.batch.convert import cases_from_tables
from heatrules.errors import CaseError

TOTALS = ("charges", "refunds", "waivers", "late_fees", "payments", "balance")


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the batch engine called the scalar engine")


def batch_without_scalar(tables: dict[str, pl.DataFrame], **kwargs: Any) -> BatchResult:
    """Run the batch engine with the scalar ``bill`` patched to raise."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(heatrules.engine, "bill", _boom)
        mp.setattr(heatrules, "bill", _boom)
        return bill_frame(
            tables["accounts"],
            tables.get("no_heat"),
            tables.get("temperature"),
            tables.get("payments"),
            **kwargs,
        )


def compare(tables: dict[str, pl.DataFrame]) -> tuple[int, int]:
    """Both engines on ``tables``: equal lines and totals for every account, and the batch
    rejects exactly the accounts the scalar engine rejects. Returns (billed, rejected)."""
    result = batch_without_scalar(tables)
    accounts = tables["accounts"]
    cases = cases_from_tables(
        accounts, tables.get("no_heat"), tables.get("temperature"), tables.get("payments")
    )
    bills = {(r["account_id"], r["season"]): r for r in result.bills.iter_rows(named=True)}
    lines: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    for r in result.lines.iter_rows(named=True):
        lines.setdefault((r["account_id"], r["season"]), []).append((r["code"], r["amount"]))
    # the bills alone (no lines) take the kernel's other code paths: the same figures
    without_lines = batch_without_scalar(tables, lines=False)
    assert without_lines.bills.equals(result.bills)
    counts = result.summary["tables"]
    for name, c in counts.items():
        assert c["read"] == c["accepted"] + c["rejected"], name
        assert c["read"] == (tables[name].height if name in tables else 0), name
    billed = rejected = 0
    for case in cases:
        key = (case["account"]["id"], case["season"])
        try:
            scalar = heatrules.bill(case)
        except CaseError as exc:
            assert key not in bills, f"scalar rejects {key} ({exc}) but the batch billed it"
            rejected += 1
            continue
        assert key in bills, f"batch rejected {key}: {result.rejects.to_dicts()}"
        expected = [(ln.code, ln.amount) for ln in scalar.lines]
        assert lines.get(key, []) == expected, (key, case)
        row = bills[key]
        for t in TOTALS:
            assert row[t] == scalar.totals.get(t), (key, t, case)
        for code in heatrules.case.LINE_CODES:
            assert row[code.replace(".", "_")] == scalar.amount(code), (key, code)
        billed += 1
    return billed, rejected
