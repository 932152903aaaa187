"""``heatrules batch``: outputs, exit codes 0/1/2, formula neutralising, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from heatrules.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "batch"


def args(out: Path, *extra: str) -> list[str]:
    return [
        "batch",
        "--accounts", str(EXAMPLES / "accounts.csv"),
        "--no-heat", str(EXAMPLES / "no_heat.csv"),
        "--temperature", str(EXAMPLES / "temperature.csv"),
        "--payments", str(EXAMPLES / "payments.csv"),
        "--out", str(out),
        *extra,
    ]  # fmt: skip


def test_parquet_outputs_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(tmp_path, "--lines")) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bills.parquet",
        "lines.parquet",
        "rejects.csv",
        "summary.json",
    ]
    schema = pq.read_schema(tmp_path / "bills.parquet")
    assert str(schema.field("balance").type) == "decimal128(18, 2)"
    bills = pl.read_parquet(tmp_path / "bills.parquet")
    first = bills.row(0, named=True)
    assert first["account_id"] == "0010023"
    assert str(first["refunds"]) == "130.24" and str(first["balance"]) == "-115.24"
    assert str(first["refund_supplier_outage"]) == "-82.64"
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for name, c in summary["tables"].items():
        assert c["read"] == c["accepted"] + c["rejected"], name
    assert summary["accounts_billed"] == bills.height == 5
    assert summary["rules_version"]
    lines = pl.read_parquet(tmp_path / "lines.parquet")
    assert lines.columns == [
        "account_id", "season", "code", "amount", "explanation_zh", "explanation_en", "citation",
    ]  # fmt: skip
    assert "accounts billed" in capsys.readouterr().err


def test_csv_outputs_neutralise_formulas_but_not_numbers(tmp_path: Path) -> None:
    assert main(args(tmp_path, "--format", "csv", "--lines")) == 0
    rejects = (tmp_path / "rejects.csv").read_text(encoding="utf-8")
    assert "'=SUM(A1)" in rejects and ",=SUM" not in rejects
    bills = (tmp_path / "bills.csv").read_text(encoding="utf-8").splitlines()
    assert bills[1].startswith("0010023,2024-2025,2500.00,130.24,0.00,15.00,2500.00,-115.24,")
    assert ",-82.64," in bills[1]  # a negative number is not a formula


def test_formula_account_ids_are_prefixed_in_csv_only(tmp_path: Path) -> None:
    acc = tmp_path / "a.csv"
    acc.write_text(
        "account_id,season,category,billing_area_m2\n=1+1,2024-2025,residential,100\n"
        "@x,2024-2025,residential,100\n",
        encoding="utf-8",
    )
    assert (
        main(["batch", "--accounts", str(acc), "--out", str(tmp_path / "c"), "--format", "csv"])
        == 0
    )
    text = (tmp_path / "c" / "bills.csv").read_text(encoding="utf-8")
    assert "\n'=1+1," in text and "\n'@x," in text
    assert main(["batch", "--accounts", str(acc), "--out", str(tmp_path / "p")]) == 0
    ids = pl.read_parquet(tmp_path / "p" / "bills.parquet").get_column("account_id").to_list()
    assert ids == ["=1+1", "@x"]


def test_max_rejects_exit_1(tmp_path: Path) -> None:
    assert main(args(tmp_path, "--max-rejects", "1")) == 1
    assert (tmp_path / "rejects.csv").exists()
    assert not (tmp_path / "bills.parquet").exists()
    assert main(args(tmp_path / "ok", "--max-rejects", "10")) == 0


@pytest.mark.parametrize(
    "problem",
    ["missing file", "missing column", "unknown column", "undecodable", "float parquet"],
)
def test_unusable_input_exit_2(
    tmp_path: Path, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    acc = tmp_path / "accounts.csv"
    if problem == "missing file":
        acc = tmp_path / "nope.csv"
    elif problem == "missing column":
        acc.write_text("account_id,season,category\n1,2024-2025,residential\n", encoding="utf-8")
    elif problem == "unknown column":
        acc.write_text(
            "account_id,season,category,billing_area_m2,x\n1,2024-2025,residential,1,2\n",
            encoding="utf-8",
        )
    elif problem == "undecodable":
        acc.write_bytes(
            b"account_id,season,category,billing_area_m2\n"
            + "用户,2024-2025,residential,1\n".encode("gbk")
        )
    else:
        acc = tmp_path / "accounts.parquet"
        pl.DataFrame(
            {"account_id": ["1"], "season": ["2024-2025"], "category": ["residential"],
             "billing_area_m2": [1.5]}
        ).write_parquet(acc)  # fmt: skip
    out = tmp_path / "out"
    assert main(["batch", "--accounts", str(acc), "--out", str(out)]) == 2
    assert "error" in capsys.readouterr().err
    assert not (out / "bills.parquet").exists()


def test_gbk_encoding_option(tmp_path: Path) -> None:
    acc = tmp_path / "accounts.csv"
    acc.write_bytes(
        "account_id,season,category,billing_area_m2,station_id\n用户1,2024-2025,residential,100,一站\n".encode(
            "gbk"
        )
    )
    assert (
        main(["batch", "--accounts", str(acc), "--out", str(tmp_path / "o"), "--encoding", "gbk"])
        == 0
    )
    bills = pl.read_parquet(tmp_path / "o" / "bills.parquet")
    assert bills.get_column("account_id").to_list() == ["用户1"]


def test_atomic_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    from heatrules.batch.output import atomic_write

    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")

    def boom(p: Path) -> None:
        p.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, boom)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_a_full_disk_is_a_clear_error_and_stale_temporary_files_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import heatrules.batch.output as output

    out = tmp_path / "o"
    out.mkdir()
    (out / ".bills.parquet.x1y2.tmp").write_bytes(b"left by a killed run")

    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "write_table", full)
    assert main(args(out)) == 2
    assert "cannot write the output: No space left on device" in capsys.readouterr().err
    assert not list(out.glob(".*.tmp"))


def test_sigterm_unwinds_like_ctrl_c() -> None:
    import signal

    from heatrules.cli import _terminate

    with pytest.raises(KeyboardInterrupt):
        _terminate(signal.SIGTERM, None)


def test_help_shows_the_example_set(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    out = capsys.readouterr().out
    assert "--max-rejects" in out and "accounts.csv" in out and "2024-2025,,ST01" in out


def test_examples_folder_is_complete() -> None:
    names = sorted(p.name for p in EXAMPLES.glob("*.csv"))
    assert names == ["accounts.csv", "no_heat.csv", "payments.csv", "temperature.csv"]


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("batch", "--out"),
        ("batch", "--payments"),
        ("batch", "--params"),
        ("audit", "--out"),
        ("audit", "--claimed"),
        ("audit", "--mapping"),
    ],
)
def test_an_empty_path_is_refused_not_the_current_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
) -> None:
    # an empty --out once meant the current folder: the last run's outputs there were replaced
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bills.csv").write_text("keep me\n", encoding="utf-8")
    args = {"--accounts": str(EXAMPLES / "accounts.csv"), "--out": "out"}
    if command == "audit":
        args["--claimed"] = str(EXAMPLES / "payments.csv")
    args[option] = ""
    with pytest.raises(SystemExit) as stop:
        main([command, *(x for kv in args.items() for x in kv)])
    assert stop.value.code == 2
    assert f"argument {option}: an empty path" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bills.csv"]
    assert (tmp_path / "bills.csv").read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_utf8_byte_order_mark_outranks_the_encoding_option(tmp_path: Path, encoding: str) -> None:
    # read as GB18030 the UTF-8 bytes of 热力 would be mojibake (鐑姏), not an error
    acc = tmp_path / "accounts.csv"
    text = "account_id,season,category,billing_area_m2\n热力001,2024-2025,residential,100\n"
    acc.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = tmp_path / "o"
    assert main(["batch", "--accounts", str(acc), "--out", str(out), "--encoding", encoding]) == 0
    assert pl.read_parquet(out / "bills.parquet").get_column("account_id").to_list() == ["热力001"]
    # a BOM followed by bytes that are not UTF-8 is an error naming the line
    acc.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8") + "热力002".encode("gbk") + b",x\n")
    assert main(["batch", "--accounts", str(acc), "--out", str(out), "--encoding", encoding]) == 2
