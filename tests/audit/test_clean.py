"""A clean export yields zero differences; reconciliation holds for any perturbation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatrules.audit import CLASSES, FIGURES, audit, write_all
from heatrules.audit.demo import random_cases, write_export


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_export(
        tmp_path_factory.mktemp("clean"), random_cases(80, seed=5, mistake_rate=0.0)
    )


def tables(paths: dict[str, Path]) -> dict[str, Any]:
    return {
        "no_heat": paths["no_heat"],
        "temperature": paths["temperature"],
        "payments": paths["payments"],
    }


def test_a_clean_export_has_no_differences(clean: dict[str, Path], tmp_path: Path) -> None:
    result = audit(clean["accounts"], clean["claimed"], **tables(clean))
    assert result.differences == []
    assert result.accounts_audited == 80
    assert result.figures_compared == 80 * len(FIGURES)
    summary = result.summary()
    assert summary["differences"] == {k: 0 for k in CLASSES}
    for figure, r in summary["reconciliation"].items():
        assert r["claimed"] == r["expected"], figure
        assert r["difference"] == "0.00"
    write_all(result, tmp_path)
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["rejects"] == 0


def test_missing_columns_and_empty_cells_are_not_compared(clean: dict[str, Path]) -> None:
    frame = pl.read_csv(clean["claimed"], infer_schema=False).select(
        "account_id", "season", "balance", "refunds"
    )
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(None)
        .otherwise(pl.col("refunds"))
        .alias("refunds")
    )
    result = audit(clean["accounts"], frame, **tables(clean))
    assert result.figures == ["balance", "refunds"]
    assert result.figures_compared == 80 + 40
    assert result.differences == []


@st.composite
def perturbations(draw: st.DrawFn) -> list[tuple[int, str, int | None]]:
    """(row, figure, offset in fen or None to blank the cell) — a few per example."""
    return draw(
        st.lists(
            st.tuples(
                st.integers(0, 79),
                st.sampled_from(FIGURES),
                st.one_of(st.none(), st.integers(-500_000, 500_000).filter(lambda n: n != 0)),
            ),
            max_size=12,
        )
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=perturbations())
def test_reconciliation_holds(
    clean: dict[str, Path], changes: list[tuple[int, str, int | None]]
) -> None:
    rows = pl.read_csv(clean["claimed"], infer_schema=False).to_dicts()
    for i, figure, offset in changes:
        if offset is None:
            rows[i][figure] = None
        elif rows[i][figure] is not None:
            rows[i][figure] = f"{Decimal(rows[i][figure]) + Decimal(offset) / 100:.2f}"
    frame = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})
    result = audit(clean["accounts"], frame, **tables(clean))
    recon = result.reconciliation()
    summary = result.summary()["reconciliation"]
    for figure in FIGURES:
        r = recon[figure]
        assert r["claimed"] - r["expected"] == r["difference"]
        s = summary[figure]
        assert Decimal(s["claimed"]) - Decimal(s["expected"]) == Decimal(s["difference"])
        assert r["difference"] == sum(
            (d.difference for d in result.differences if d.figure == figure), Decimal("0.00")
        )
    changed = {(i, f) for i, f, off in changes if off is not None}
    blanked = {(i, f) for i, f, off in changes if off is None}
    assert result.figures_compared == 80 * len(FIGURES) - len(blanked)
    # every perturbed cell that was not blanked afterwards, and did not cancel out, differs
    net: dict[tuple[int, str], int] = {}
    for i, f, off in changes:
        if off is not None and (i, f) not in blanked:
            net[(i, f)] = net.get((i, f), 0) + off
    expected_diffs = {k for k, v in net.items() if v != 0}
    ids = [r["account_id"] for r in rows]
    found = {(ids.index(d.account_id), d.figure) for d in result.differences}
    assert found == expected_diffs
    assert changed >= expected_diffs
