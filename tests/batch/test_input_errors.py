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


def test_ragged_row_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(HEADER + "001,2024-2025,residential,100\n002,2024-2025,residential,100,x\n", encoding="utf-8")
    assert main(["batch", "--accounts", str(acc), "--out", str(tmp_path / "o")]) == 2
    assert "line 3 has 5 fields" in capsys.readouterr().err


def test_integer_id_column_in_parquet_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "a.parquet"
    pl.DataFrame(
        {"account_id": [1], "season": ["2024-2025"], "category": ["residential"], "billing_area_m2": [100]}
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
    assert main(["batch", "--accounts", str(acc), "--temperature", str(temp), "--out", str(out), "--format", "csv"]) == 0
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "celsius" in rejects and "not a possible temperature" in rejects
