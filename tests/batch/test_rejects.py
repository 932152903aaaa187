"""Nothing lost: every bad row is rejected with table, line, column and reason, and
accepted + rejected = read for every table (batch-tables.md)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heatrules.batch import BatchInputError, bill_frame

ACC_HEADER = "account_id,season,category,billing_area_m2,station_id\n"


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp / f"{name}.csv"
    p.write_bytes(text.encode(encoding))
    return p


def run(tmp: Path, accounts: str, **tables: str) -> tuple[pl.DataFrame, dict]:  # type: ignore[type-arg]
    paths = {k: write(tmp, k, v) for k, v in tables.items()}
    r = bill_frame(write(tmp, "accounts", accounts), **paths)  # type: ignore[arg-type]
    for name, c in r.summary["tables"].items():
        assert c["read"] == c["accepted"] + c["rejected"], name
    return r.rejects, r.summary


def test_bad_number_names_row_and_column(tmp_path: Path) -> None:
    rejects, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,1，000\nA2,2024-2025,residential,1e3\n"
        "A3,2024-2025,residential,１００\nA4,2024-2025,residential,100.00\n",
    )
    assert rejects.select("line", "column").rows() == [
        (2, "billing_area_m2"),
        (3, "billing_area_m2"),
        (4, "billing_area_m2"),
    ]
    assert "not a plain decimal" in rejects.get_column("reason")[0]
    assert summary["tables"]["accounts"] == {"read": 4, "accepted": 1, "rejected": 3}
    assert summary["accounts_billed"] == 1


def test_unknown_account_and_station(tmp_path: Path) -> None:
    rejects, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,100,S1\n",
        payments="season,account_id,date,amount\n2024-2025,A9,2025-01-01,10\n2024-2025,A1,2025-01-01,10\n",
        no_heat="season,account_id,station_id,start,end,cause\n"
        "2024-2025,,S9,2024-12-01T00:00,2024-12-02T00:00,facility\n"
        "2024-2025,A1,S1,2024-12-01T00:00,2024-12-02T00:00,facility\n"
        "2024-2025,,,2024-12-01T00:00,2024-12-02T00:00,facility\n",
    )
    rows = rejects.select("table", "line", "column").rows()
    assert ("payments", 2, "account_id") in rows
    assert ("no_heat", 2, "station_id") in rows
    assert ("no_heat", 3, "account_id") in rows  # both ids: not attributable
    assert ("no_heat", 4, "station_id") in rows  # neither
    assert summary["accounts_billed"] == 1  # unattributable rows do not reject the account
    assert summary["tables"]["payments"] == {"read": 2, "accepted": 1, "rejected": 1}


def test_duplicate_account_season_rejects_every_row_and_events(tmp_path: Path) -> None:
    rejects, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,100\nA1,2024-2025,residential,90\n"
        "A1,2023-2024,residential,90\n",
        payments="season,account_id,date,amount\n2024-2025,A1,2025-01-01,10\n",
    )
    assert rejects.select("table", "line").rows() == [
        ("accounts", 2),
        ("accounts", 3),
        ("payments", 2),
    ]
    assert "appears on 2 rows" in rejects.get_column("reason")[0]
    assert summary["accounts_billed"] == 1


def test_end_before_start_rejects_the_account_with_its_rows(tmp_path: Path) -> None:
    rejects, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,100\nA2,2024-2025,residential,100\n",
        no_heat="season,account_id,start,end,cause\n"
        "2024-2025,A1,2024-12-02T00:00,2024-12-01T00:00,facility\n",
        payments="season,account_id,date,amount\n2024-2025,A1,2025-01-01,10\n",
    )
    got = {
        (t, ln, c): r for t, ln, c, r in rejects.select("table", "line", "column", "reason").rows()
    }
    assert "must be later than start" in got[("no_heat", 2, "end")]
    assert "no_heat line 2" in got[("accounts", 2, "account_id")]
    assert "is rejected" in got[("payments", 2, "account_id")]
    assert summary["accounts_billed"] == 1


def test_bad_station_row_rejects_its_accounts(tmp_path: Path) -> None:
    rejects, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,100,S1\nA2,2024-2025,residential,100,S2\n",
        no_heat="season,station_id,start,end,cause\n"
        "2024-2025,S1,2024-12-01T00:00,2024-12-02T00:00,weather\n",
    )
    assert ("accounts", 2) in rejects.select("table", "line").rows()
    assert "station S1 no_heat line 2" in rejects.get_column("reason").to_list()[0]
    assert summary["accounts_billed"] == 1


def test_semantic_checks_name_the_column(tmp_path: Path) -> None:
    rejects, _ = run(
        tmp_path,
        "account_id,season,category,billing_area_m2,late_fee_rate,cutoff_from,billing\n"
        "A1,2024-2025,residential,100,0.0021,,\n"
        "A2,2024-2025,residential,100,,2024-12-31,\n"
        "A3,2013-2014,residential,100,,,metered\n"
        "A4,2024-2025,residential,-0,,,\n",
    )
    assert rejects.get_column("column").to_list() == [
        "late_fee_rate",
        "cutoff_from",
        "metered_kwh",
        "billing_area_m2",
    ]


def test_a_good_station_row_stays_accepted_when_an_account_is_rejected(tmp_path: Path) -> None:
    _, summary = run(
        tmp_path,
        ACC_HEADER + "A1,2024-2025,residential,abc,S1\nA2,2024-2025,residential,100,S1\n",
        no_heat="season,station_id,start,end,cause\n"
        "2024-2025,S1,2024-12-01T00:00,2024-12-02T00:00,facility\n",
    )
    assert summary["tables"]["no_heat"] == {"read": 1, "accepted": 1, "rejected": 0}


def test_physical_line_numbers_with_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    rejects, _ = run(
        tmp_path,
        'account_id,season,category,billing_area_m2,station_id\n"A\n1",2024-2025,residential,100,\n'
        "\nA2,2024-2025,residential,x,\n",
    )
    assert rejects.select("line").rows() == [(5,)]


def test_missing_required_column_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="billing_area_m2"):
        bill_frame(
            write(tmp_path, "accounts", "account_id,season,category\nA,2024-2025,residential\n")
        )


def test_unknown_column_is_unusable_unless_ignored(tmp_path: Path) -> None:
    text = ACC_HEADER.strip() + ",colour\nA,2024-2025,residential,100,,red\n"
    with pytest.raises(BatchInputError, match="colour"):
        bill_frame(write(tmp_path, "accounts", text))
    r = bill_frame(write(tmp_path, "accounts", text), ignore_extra_columns=True)
    assert r.bills.height == 1


def test_undecodable_bytes_name_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "accounts.csv"
    p.write_bytes(ACC_HEADER.encode() + "A,2024-2025,residential,100,用户\n".encode("gbk"))
    with pytest.raises(BatchInputError, match="line 2"):
        bill_frame(p)
    r = bill_frame(p, encoding="gbk")
    assert r.bills.height == 1


def test_gb18030_and_bom(tmp_path: Path) -> None:
    p = write(
        tmp_path, "accounts", ACC_HEADER + "用户1,2024-2025,residential,100,一号站\n", "gb18030"
    )
    assert bill_frame(p, encoding="gb18030").bills.get_column("account_id").to_list() == ["用户1"]
    q = write(tmp_path, "accounts", "\ufeff" + ACC_HEADER + "007,2024-2025,residential,100,\n")
    assert bill_frame(q).bills.get_column("account_id").to_list() == ["007"]


def test_parquet_float_column_is_unusable_int_column_accepted(tmp_path: Path) -> None:
    base = {
        "account_id": ["0001"],
        "season": ["2024-2025"],
        "category": ["residential"],
    }
    floats = tmp_path / "f.parquet"
    pl.DataFrame({**base, "billing_area_m2": [100.0]}).write_parquet(floats)
    with pytest.raises(BatchInputError, match="float"):
        bill_frame(floats)
    ints = tmp_path / "i.parquet"
    pl.DataFrame({**base, "billing_area_m2": [100]}).write_parquet(ints)
    assert str(bill_frame(ints).bills.get_column("charges")[0]) == "2500.00"
    bad = tmp_path / "b.parquet"
    pl.DataFrame(
        {
            "account_id": ["1", "2"],
            "season": ["2024-2025", "x"],
            "category": ["residential"] * 2,
            "billing_area_m2": [100, 50],
        }
    ).write_parquet(bad)
    assert bill_frame(bad).rejects.select("line", "column").rows() == [(2, "season")]


def test_a_null_in_a_parquet_boolean_column_is_an_absent_cell(tmp_path: Path) -> None:
    # a nullable bool column (pandas/Arrow exports) must not turn "no value" into false
    p = tmp_path / "w.parquet"
    pl.DataFrame(
        {
            "account_id": ["1", "2"],
            "season": ["2024-2025"] * 2,
            "category": ["residential"] * 2,
            "billing_area_m2": [100, 100],
            "waiver_kind": ["cadre_widow", None],
            "waiver_has_children": [True, None],
        }
    ).write_parquet(p)
    r = bill_frame(p)
    assert r.rejects.height == 0, r.rejects.to_dicts()
    assert r.bills.get_column("waivers").cast(pl.String).to_list() == ["520.00", "0.00"]


def test_an_offset_of_hours_alone_is_read_like_the_scalar_engine() -> None:
    # "+05" (no minutes) is ISO 8601 and accepted by heatrules.localtime; 16 Nov 21:00+05 is
    # 17 Nov 00:00 in Tianjin: 48 h from the season's start = 2 facility days (41.32), where
    # reading it as local time would give 45 h = 1 day
    import heatrules

    acc = pl.DataFrame(
        {
            "account_id": ["1"],
            "season": ["2024-2025"],
            "category": ["residential"],
            "billing_area_m2": ["100"],
        }
    )
    for tz in ("+05", "+05:00", "+0500"):
        nh = pl.DataFrame(
            {
                "account_id": ["1"],
                "season": ["2024-2025"],
                "start": ["2024-11-14T00:00" + tz],
                "end": ["2024-11-16T21:00" + tz],
                "cause": ["facility"],
            }
        )
        r = bill_frame(acc, no_heat=nh)
        assert r.rejects.height == 0, (tz, r.rejects.to_dicts())
        assert str(r.bills.get_column("refunds")[0]) == "41.32", tz
        scalar = heatrules.bill(
            {
                "season": "2024-2025",
                "account": {"id": "1", "category": "residential", "billing_area_m2": "100"},
                "no_heat": [nh.drop("account_id", "season").row(0, named=True)],
            }
        )
        assert str(scalar.totals.refunds) == "41.32", tz


@pytest.mark.parametrize("celsius", ["9999999999999", "-9999999999999", "9300000000000.5"])
def test_a_number_beyond_int64_once_scaled_is_rejected_not_raised(celsius: str) -> None:
    # 13 integer digits pass the digit bound, but × 10^6 (°C scale) they leave int64
    acc = pl.DataFrame(
        {
            "account_id": ["1"],
            "season": ["2024-2025"],
            "category": ["residential"],
            "billing_area_m2": ["100"],
        }
    )
    tp = pl.DataFrame(
        {
            "account_id": ["1"],
            "season": ["2024-2025"],
            "room": ["bed"],
            "room_area_m2": ["10"],
            "measured_at": ["2024-12-01T10:00"],
            "celsius": [celsius],
        }
    )
    r = bill_frame(acc, temperature=tp)
    row = r.rejects.filter(pl.col("table") == "temperature").row(0, named=True)
    assert row["column"] == "celsius" and "too large" in row["reason"]


def test_value_is_the_cell_of_the_column_named(tmp_path: Path) -> None:
    # an empty required cell first, a bad cell after it: the reject names the first column and
    # shows that column's (empty) cell, never the later column's content
    rejects, _ = run(
        tmp_path,
        "account_id,season,category,billing_area_m2,billing\n"
        "A1,2024-2025,,100,xx\nA2,,residential,abc,area\nA3,2024-2025,residential,7x,area\n",
    )
    rows = rejects.select("line", "column", "value").rows()
    assert rows == [(2, "category", None), (3, "season", None), (4, "billing_area_m2", "7x")]
    assert "xx" in rejects.get_column("reason")[0]  # every problem of the row is still named
