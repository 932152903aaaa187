"""An account whose figures would leave the engine's decimal(18, 2) range is a clear error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import heatrules.batch.kernel as kernel
from heatrules.batch import bill_frame
from heatrules.cli import main

ACCOUNT = {
    "account_id": ["0001"],
    "season": ["2024-2025"],
    "category": ["residential"],
    "billing_area_m2": ["100"],
}
PAYMENTS = {
    "account_id": ["0001", "0001"],
    "season": ["2024-2025"] * 2,
    "date": ["2024-12-01", "2024-12-02"],
    "amount": ["600.00", "600.00"],
}


def test_payments_beyond_the_range_are_refused_naming_the_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the real limit is 10^15 yuan (a million payments of 10^10); 1 000 yuan here
    monkeypatch.setattr(kernel, "MAX_PAID_FEN", 100_000)
    with pytest.raises(kernel.KernelRangeError, match="account 0001 2024-2025"):
        bill_frame(pl.DataFrame(ACCOUNT), payments=pl.DataFrame(PAYMENTS))
    ok = bill_frame(pl.DataFrame(ACCOUNT), payments=pl.DataFrame(PAYMENTS).head(1))
    assert ok.bills.height == 1


def test_the_cli_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path
    pl.DataFrame(ACCOUNT).write_csv(out / "a.csv")
    pl.DataFrame(PAYMENTS).write_csv(out / "p.csv")
    monkeypatch.setattr(kernel, "MAX_PAID_FEN", 100_000)
    code = main(
        [
            "batch",
            "--accounts",
            str(out / "a.csv"),
            "--payments",
            str(out / "p.csv"),
            "--out",
            str(out / "o"),
        ]
    )
    assert code == 2
    assert "beyond the batch engine's range" in capsys.readouterr().err
