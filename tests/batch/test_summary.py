"""summary.json's totals are exact sums, whatever the city's size (batch-tables.md)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import polars as pl

from heatrules.batch import kernel
from heatrules.batch.api import summarise
from heatrules.batch.kernel.bill import TOTALS

INT64_MAX = 2**63 - 1


def _summary(rows: list[int]) -> dict[str, Any]:
    columns = [*TOTALS, *(kernel.col_name(c) for c in kernel.REFUND_CODES)]
    fen = pl.DataFrame({c: pl.Series(rows, dtype=pl.Int64) for c in columns})
    validated: Any = SimpleNamespace(counts={})
    params: Any = SimpleNamespace(version="test")
    return summarise(validated, fen, params, 0.0)


def test_totals_beyond_int64_are_exact() -> None:
    # every account is within int64, their sum is not: polars' own int64 sum would wrap
    rows = [INT64_MAX // 2 + 1] * 3
    summary = _summary(rows)
    expected = Decimal(sum(rows)) / 100
    for t in TOTALS:
        assert Decimal(summary["totals"][t]) == expected
    for refund in summary["refunds_by_kind"].values():
        assert Decimal(refund) == -expected


def test_no_accounts_sum_to_zero() -> None:
    summary = _summary([])
    assert set(summary["totals"].values()) == {"0.00"}
    assert set(summary["refunds_by_kind"].values()) == {"0.00"}
