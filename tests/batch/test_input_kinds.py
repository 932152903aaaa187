"""Inputs that are not tables: a clear error naming what they are, never a misleading hint."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from heatrules.batch import BatchInputError, bill_frame

CSV = "account_id,season,category,billing_area_m2\n1,2024-2025,residential,100\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "zip"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 40, "legacy Excel"),
        (gzip.compress(CSV.encode()), "gzip"),
    ],
)
def test_a_spreadsheet_or_archive_is_named_as_such(
    tmp_path: Path, content: bytes, kind: str
) -> None:
    p = tmp_path / "accounts.csv"
    p.write_bytes(content)
    with pytest.raises(BatchInputError, match=kind):
        bill_frame(p)


def test_a_parquet_file_named_csv_is_read_as_parquet(tmp_path: Path) -> None:
    p = tmp_path / "accounts.csv"
    pl.read_csv(CSV.encode(), infer_schema=False).write_parquet(p)
    assert str(bill_frame(p).bills.get_column("charges")[0]) == "2500.00"


def test_no_accounts_a_folder_or_an_empty_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="accounts table is missing"):
        bill_frame(None)
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    with pytest.raises(BatchInputError, match="no_heat table is missing"):
        bill_frame(tmp_path / "a.csv", no_heat="")
    with pytest.raises(BatchInputError, match="is a folder"):
        bill_frame(tmp_path)


def test_an_unclosed_quote_names_its_line_without_reader_advice(tmp_path: Path) -> None:
    p = tmp_path / "accounts.csv"
    p.write_text(CSV + '"2,2024-2025,residential,100\n3,2024-2025,residential,100\n', "utf-8")
    with pytest.raises(BatchInputError) as err:
        bill_frame(p)
    assert "line 3: a quoted field is never closed" in str(err.value)
    assert "infer_schema_length" not in str(err.value)
