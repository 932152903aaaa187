"""An account whose figures would leave the engine's decimal(18, 2) range is a clear error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import heatrules.batch.kernel as kernel
import heatrules.batch.validate as validate
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


TWO_ACCOUNTS = {k: [*v, v[0].replace("0001", "0002")] for k, v in ACCOUNT.items()}
THIRD_PAYMENT = {
    "account_id": "0002",
    "season": "2024-2025",
    "date": "2024-12-03",
    "amount": "600.00",
}


def _payments() -> pl.DataFrame:
    return pl.concat([pl.DataFrame(PAYMENTS), pl.DataFrame([THIRD_PAYMENT])])


def test_an_account_paid_beyond_the_range_is_rejected_with_its_payments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the real limit is 10^15 yuan (a hundred thousand payments of 10^10); 1 000 yuan here:
    # 0001 paid 1 200 and is rejected with both its payments, 0002 paid 600 and is billed
    monkeypatch.setattr(validate, "MAX_PAID_FEN", 100_000)
    r = bill_frame(pl.DataFrame(TWO_ACCOUNTS), payments=_payments())
    assert r.bills.get_column("account_id").to_list() == ["0002"]
    rows = r.rejects.select("table", "line", "column").rows()
    assert rows == [
        ("accounts", 1, "account_id"),
        ("payments", 1, "amount"),
        ("payments", 2, "amount"),
    ]
    reasons = r.rejects.get_column("reason").to_list()
    assert "sum to more than" in reasons[1] and "payments line 1 rejected" in reasons[0]
    assert r.summary["tables"]["payments"] == {"read": 3, "accepted": 1, "rejected": 2}
    assert r.summary["tables"]["accounts"] == {"read": 2, "accepted": 1, "rejected": 1}


def test_the_kernel_checks_the_range_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # validation lets 1 200 yuan through; a kernel with a lower limit refuses the account
    monkeypatch.setattr(kernel, "MAX_PAID_FEN", 100_000)
    with pytest.raises(kernel.KernelRangeError, match="account 0001 2024-2025"):
        bill_frame(pl.DataFrame(ACCOUNT), payments=pl.DataFrame(PAYMENTS))
    ok = bill_frame(pl.DataFrame(ACCOUNT), payments=pl.DataFrame(PAYMENTS).head(1))
    assert ok.bills.height == 1


def test_the_cli_bills_the_others_and_reports_the_reject(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path
    pl.DataFrame(TWO_ACCOUNTS).write_csv(out / "a.csv")
    _payments().write_csv(out / "p.csv")
    monkeypatch.setattr(validate, "MAX_PAID_FEN", 100_000)
    args = ["--accounts", str(out / "a.csv"), "--payments", str(out / "p.csv")]
    code = main(["batch", *args, "--out", str(out / "o"), "--format", "csv"])
    assert code == 0
    assert pl.read_csv(out / "o" / "bills.csv", infer_schema=False).get_column(
        "account_id"
    ).to_list() == ["0002"]
    rejects = pl.read_csv(out / "o" / "rejects.csv", infer_schema=False)
    assert rejects.height == 3
