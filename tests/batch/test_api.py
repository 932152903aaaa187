"""The Python API: polars and pandas frames in and out, money as exact decimals."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from heatrules.batch import bill_frame

ROW = {
    "account_id": ["0010023", "0010024"],
    "season": ["2024-2025", "2023-2024"],
    "category": ["residential", "non_residential"],
    "billing_area_m2": ["100.00", "88.88"],
}


def test_polars_in_polars_out_decimal_money() -> None:
    r = bill_frame(pl.DataFrame(ROW))
    assert r.bills.schema["charges"] == pl.Decimal(18, 2)
    assert r.bills.get_column("charges").to_list() == [Decimal("2500.00"), Decimal("3555.20")]
    assert list(r.bills.columns[:9]) == [
        "account_id", "season", "charges", "refunds", "waivers", "late_fees", "payments",
        "balance", "rules_version",
    ]  # fmt: skip
    assert "tariff_area" in r.bills.columns and "refund_facility_outage" in r.bills.columns
    assert r.lines is not None and r.lines.height == 2
    assert "<table" in r._repr_html_()


def test_pandas_in_and_out() -> None:
    pd = pytest.importorskip("pandas")
    r = bill_frame(pd.DataFrame(ROW), pandas=True)
    assert isinstance(r.bills, pd.DataFrame)
    assert r.bills["charges"].tolist() == [Decimal("2500.00"), Decimal("3555.20")]
    assert all(isinstance(x, Decimal) for x in r.lines["amount"])
    assert isinstance(r.rejects, pd.DataFrame) and len(r.rejects) == 0


def test_integer_and_decimal_columns_accepted_float_refused() -> None:
    df = pl.DataFrame({**ROW, "billing_area_m2": [100, 80]})
    assert bill_frame(df).bills.get_column("charges").to_list() == [
        Decimal("2500.00"),
        Decimal("3200.00"),
    ]
    dec = pl.DataFrame(ROW).with_columns(pl.col("billing_area_m2").cast(pl.Decimal(10, 2)))
    assert bill_frame(dec).bills.height == 2
    from heatrules.batch import BatchInputError

    with pytest.raises(BatchInputError, match="float"):
        bill_frame(pl.DataFrame({**ROW, "billing_area_m2": [100.0, 80.5]}))


def test_empty_strings_in_a_dataframe_are_absent() -> None:
    df = pl.DataFrame({**ROW, "as_of": ["", ""], "station_id": ["", ""]})
    assert bill_frame(df).bills.height == 2
