"""Unusable input is refused (exit 2, naming the problem); bad rows become rejects with lines."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from heatrules.audit import audit
from heatrules.audit.demo import random_cases, write_export
from heatrules.cli import main
from heatrules.errors import InputFileError

from .conftest import table_args


@pytest.fixture
def export(tmp_path: Path) -> dict[str, Path]:
    return write_export(tmp_path / "in", random_cases(6, seed=2, mistake_rate=0.0))


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def claimed_rows(export: dict[str, Path]) -> list[dict[str, str]]:
    return (
        pl.read_csv(export["claimed"], infer_schema=False)
        .select("account_id", "season", "charges", "refunds")
        .to_dicts()
    )


def test_unknown_claimed_columns_exit_2_naming_them(
    export: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = claimed_rows(export)
    claimed = write(
        tmp_path / "claimed.csv",
        ["户号", "供热期", "应收金额", "退费金额", "备注"],
        [[r["account_id"], r["season"], r["charges"], r["refunds"], "x"] for r in rows],
    )
    out = tmp_path / "out"
    args = ["audit", *table_args(export), "--claimed", str(claimed), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    for name in ("户号", "供热期", "应收金额", "退费金额", "备注"):
        assert name in err
    assert not out.exists()

    partial = tmp_path / "partial.yaml"
    partial.write_text("户号: account_id\n供热期: season\n应收金额: charges\n", encoding="utf-8")
    assert main([*args, "--mapping", str(partial)]) == 2
    err = capsys.readouterr().err
    assert "退费金额" in err and "备注" in err and "'户号'" not in err

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "户号: account_id\n供热期: season\n应收金额: charges\n退费金额: refunds\n备注: null\n",
        encoding="utf-8",
    )
    assert main([*args, "--mapping", str(mapping), "--quiet"]) == 0
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert '"figures_compared": 12' in summary


def test_a_mapping_to_an_unknown_name_is_refused(export: dict[str, Path], tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("退费金额: refund\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="refund"):
        audit(export["accounts"], export["claimed"], mapping=mapping)


@pytest.mark.parametrize("missing", ["accounts", "claimed", "no_heat"])
def test_a_missing_file_exits_2(
    export: dict[str, Path], tmp_path: Path, missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = dict(export)
    paths[missing] = tmp_path / "nowhere.csv"
    args = [
        "audit",
        *table_args(paths),
        "--claimed",
        str(paths["claimed"]),
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(args) == 2
    assert "nowhere.csv" in capsys.readouterr().err


def test_a_float_column_in_a_parquet_claimed_file_exits_2(
    export: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "claimed.parquet"
    pl.DataFrame(
        {"account_id": ["R000001"], "season": ["2024-2025"], "charges": [2500.0]}
    ).write_parquet(path)
    with pytest.raises(InputFileError, match="float"):
        audit(export["accounts"], path)


def test_bad_numbers_and_unknown_accounts_become_rejects_with_lines(
    export: dict[str, Path], tmp_path: Path
) -> None:
    rows = claimed_rows(export)
    body = [[r["account_id"], r["season"], r["charges"], r["refunds"]] for r in rows]
    body[1][2] = "2,500.00"  # line 3: a thousands separator
    body[2][3] = "12.345"  # line 4: three decimals
    body[3][0] = "NOBODY"  # line 5: no such account
    body[4][1] = "2023-2024"  # line 6: the account exists, not in that season
    body[5][2] = "２５００"  # line 7: full-width digits
    claimed = write(tmp_path / "claimed.csv", ["account_id", "season", "charges", "refunds"], body)
    out = tmp_path / "out"
    args = ["audit", *table_args(export), "--claimed", str(claimed), "--out", str(out), "--quiet"]
    assert main(args) == 0
    rejects = pl.read_csv(out / "rejects.csv", infer_schema=False)
    got = {(int(r["line"]), r["column"]): r for r in rejects.to_dicts()}
    assert set(got) == {
        (3, "charges"),
        (4, "refunds"),
        (5, "account_id"),
        (6, "account_id"),
        (7, "charges"),
    }
    assert got[(3, "charges")]["value"] == "2,500.00"
    assert "plain" in got[(3, "charges")]["reason"]
    assert "more than 2 decimals" in got[(4, "refunds")]["reason"]
    assert "matches no account" in got[(5, "account_id")]["reason"]
    assert "matches no account" in got[(6, "account_id")]["reason"]
    assert all(r["table"] == "claimed" and r["file"] == str(claimed) for r in got.values())
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert '"accounts_audited": 1' in summary


def test_a_rejected_account_is_not_audited_and_says_where(
    export: dict[str, Path], tmp_path: Path
) -> None:
    accounts = pl.read_csv(export["accounts"], infer_schema=False)
    accounts = accounts.with_columns(
        pl.when(pl.col("account_id") == "R000002")
        .then(pl.lit("-5.00"))
        .otherwise(pl.col("billing_area_m2"))
        .alias("billing_area_m2")
    )
    path = tmp_path / "accounts.csv"
    accounts.write_csv(path)
    result = audit(
        path,
        export["claimed"],
        no_heat=export["no_heat"],
        temperature=export["temperature"],
        payments=export["payments"],
    )
    assert result.accounts_audited == 5
    rej = result.rejects.to_dicts()
    acc = [r for r in rej if r["table"] == "accounts"]
    assert acc and acc[0]["line"] == 3 and acc[0]["column"] == "billing_area_m2"
    claimed = [r for r in rej if r["table"] == "claimed"]
    assert len(claimed) == 1 and claimed[0]["line"] == 3
    assert "rejected (accounts line 3" in claimed[0]["reason"]


def test_repeated_claimed_rows_are_all_rejected(export: dict[str, Path], tmp_path: Path) -> None:
    rows = claimed_rows(export)
    body = [[r["account_id"], r["season"], r["charges"], r["refunds"]] for r in rows]
    body.append(list(body[0]))
    claimed = write(tmp_path / "claimed.csv", ["account_id", "season", "charges", "refunds"], body)
    result = audit(
        export["accounts"],
        claimed,
        no_heat=export["no_heat"],
        payments=export["payments"],
        temperature=export["temperature"],
    )
    lines = sorted(result.rejects.filter(pl.col("table") == "claimed").get_column("line").to_list())
    assert lines == [2, 8]
    assert result.accounts_audited == 5


def test_csv_outputs_neutralise_formulas(tmp_path: Path) -> None:
    accounts = random_cases(2, seed=1, mistake_rate=0.0)
    accounts[0].case["account"]["id"] = "=1+2"
    export = write_export(tmp_path / "in", accounts)
    rows = pl.read_csv(export["claimed"], infer_schema=False)
    rows = rows.with_columns(pl.lit("1.00").alias("charges"))
    rows.write_csv(export["claimed"])
    out = tmp_path / "out"
    args = [
        "audit",
        *table_args(export),
        "--claimed",
        str(export["claimed"]),
        "--out",
        str(out),
        "--format",
        "csv",
        "--quiet",
    ]
    assert main(args) == 0
    text = (out / "differences.csv").read_text(encoding="utf-8")
    assert "'=1+2" in text
    assert "\n=1+2" not in text


def test_a_duplicated_claim_with_one_bad_row_is_compared_on_neither(tmp_path: Path) -> None:
    """Found by a new user: the good row of a duplicated pair used to be compared."""
    from heatrules.cli import main

    root = Path(__file__).resolve().parents[2] / "examples" / "audit"
    claimed = tmp_path / "claimed.csv"
    claimed.write_text(
        "account_id,season,charges\nS03,2024-2025,abc\nS03,2024-2025,2400.00\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            "--claimed",
            str(claimed),
            "--accounts",
            str(root / "accounts.csv"),
            "--no-heat",
            str(root / "no_heat.csv"),
            "--temperature",
            str(root / "temperature.csv"),
            "--payments",
            str(root / "payments.csv"),
            "--out",
            str(out),
            "--format",
            "csv",
        ]
    )
    assert code == 0
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "more than one row" in rejects and "not a plain amount" in rejects
    assert (out / "differences.csv").read_text(encoding="utf-8").count("\n") == 1  # header only


def test_claimed_sums_beyond_int64_are_exact(tmp_path: Path) -> None:
    # 9 300 claims of almost 10^13 yuan (the cell limit): their sum passes int64 fen
    n, huge = 9_300, "9999999999999.99"
    ids = [f"{i:07d}" for i in range(n)]
    accounts = pl.DataFrame(
        {"account_id": ids, "season": "2024-2025", "category": "residential"}
    ).with_columns(pl.lit("100").alias("billing_area_m2"))
    claimed = pl.DataFrame({"account_id": ids, "season": "2024-2025", "charges": huge})
    accounts.write_csv(tmp_path / "accounts.csv")
    claimed.write_csv(tmp_path / "claimed.csv")
    result = audit(tmp_path / "accounts.csv", tmp_path / "claimed.csv")
    assert result.accounts_audited == n
    assert result.claimed_sums["charges"] == n * Decimal(huge)
    assert result.expected_sums["charges"] == n * Decimal("2500.00")
    rec = result.reconciliation()["charges"]
    assert rec["claimed"] - rec["expected"] == rec["difference"]


def test_a_numeric_account_id_in_parquet_is_refused_like_the_batch_tables(
    export: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an integer id column has lost its leading zeros: every row would match no account
    original = pl.read_csv(export["claimed"], infer_schema=False)
    claimed = original.with_columns(pl.int_range(1, 7, dtype=pl.Int64).alias("account_id"))
    path = tmp_path / "claimed.parquet"
    claimed.write_parquet(path)
    out = tmp_path / "out"
    args = ["audit", *table_args(export), "--claimed", str(path), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "'account_id' is a Int64 column" in err and "leading zeros" in err
    assert not out.exists()
    with pytest.raises(InputFileError, match="account_id"):
        audit(export["accounts"], claimed)
    # the figures may be numbers (integer or decimal columns): only the keys must be text
    typed = original.with_columns(pl.col("charges").str.to_decimal(scale=2))
    result = audit(
        export["accounts"],
        typed,
        no_heat=export["no_heat"],
        temperature=export["temperature"],
        payments=export["payments"],
    )
    assert result.accounts_audited == 6 and not result.differences


def test_a_utf8_byte_order_mark_in_the_claimed_file_outranks_the_encoding(
    export: dict[str, Path], tmp_path: Path
) -> None:
    claimed = tmp_path / "claimed.csv"
    claimed.write_bytes(b"\xef\xbb\xbf" + export["claimed"].read_bytes())
    tables = {k: export[k] for k in ("no_heat", "temperature", "payments")}
    result = audit(export["accounts"], claimed, encoding="gb18030", **tables)  # type: ignore[arg-type]
    assert result.accounts_audited == 6 and result.rejects.height == 0
