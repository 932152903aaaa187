"""Unusable batch inputs are clear errors (exit 2), found by a new user trying to break them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heatrules.cli import main

HEADER = "account_id,season,category,billing_area_m2\n"


def test_out_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(HEADER + "001,2024-2025,residential,100\n", encoding="utf-8")
    target = tmp_path / "afile"
    target.write_text("", encoding="utf-8")
    assert main(["batch", "--accounts", str(acc), "--out", str(target)]) == 2
    assert "--out" in capsys.readouterr().err


def test_a_row_with_too_many_fields_is_rejected_on_its_own(tmp_path: Path) -> None:
    """batch-tables.md: a bad row is rejected whole; the run goes on (not exit 2)."""
    acc = tmp_path / "a.csv"
    acc.write_text(
        HEADER
        + "001,2024-2025,residential,100\n002,2024-2025,residential,100,x\n003,2024-2025,residential\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert main(["batch", "--accounts", str(acc), "--out", str(out), "--format", "csv"]) == 0
    rejects = (out / "rejects.csv").read_text(encoding="utf-8").splitlines()
    assert any(r.startswith("accounts,") and ",3,(row)," in r and "5 fields" in r for r in rejects)
    # a short row's missing trailing cells are empty: here a required one
    assert any(",4,billing_area_m2," in r for r in rejects)
    bills = (out / "bills.csv").read_text(encoding="utf-8")
    assert "001,2024-2025" in bills and "002," not in bills


def test_kwh_on_an_area_account_rejected_like_the_scalar_engine(tmp_path: Path) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(
        "account_id,season,category,billing_area_m2,metered_kwh\n001,2024-2025,residential,100,5\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert main(["batch", "--accounts", str(acc), "--out", str(out), "--format", "csv"]) == 0
    assert "area-billed" in (out / "rejects.csv").read_text(encoding="utf-8")


def test_a_run_replaces_the_outputs_of_the_last(tmp_path: Path) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(HEADER + "001,2024-2025,residential,100\n", encoding="utf-8")
    bad = tmp_path / "b.csv"
    bad.write_text(HEADER + "001,2024-2025,residential,abc\n", encoding="utf-8")
    out = tmp_path / "o"
    assert (
        main(["batch", "--accounts", str(acc), "--out", str(out), "--format", "csv", "--lines"])
        == 0
    )
    assert (out / "lines.csv").exists()
    assert main(["batch", "--accounts", str(bad), "--out", str(out), "--max-rejects", "0"]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["rejects.csv", "summary.json"]


def test_negative_max_rejects_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["batch", "--accounts", "a.csv", "--out", str(tmp_path), "--max-rejects", "-1"])
    assert exc.value.code == 2


def test_integer_id_column_in_parquet_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "a.parquet"
    pl.DataFrame(
        {
            "account_id": [1],
            "season": ["2024-2025"],
            "category": ["residential"],
            "billing_area_m2": [100],
        }
    ).write_parquet(p)
    assert main(["batch", "--accounts", str(p), "--out", str(tmp_path / "o")]) == 2
    assert "account_id" in capsys.readouterr().err


def test_impossible_temperature_rejected_like_the_scalar_engine(tmp_path: Path) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(HEADER + "001,2024-2025,residential,100\n", encoding="utf-8")
    temp = tmp_path / "t.csv"
    temp.write_text(
        "season,account_id,room,room_area_m2,measured_at,celsius\n"
        "2024-2025,001,bedroom,10,2024-12-01T10:00,-300\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert (
        main(
            [
                "batch",
                "--accounts",
                str(acc),
                "--temperature",
                str(temp),
                "--out",
                str(out),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "celsius" in rejects and "not a possible temperature" in rejects
