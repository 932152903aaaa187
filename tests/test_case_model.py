"""The case format (cases.md): strict decimals, text ids, timestamps, unknown keys, files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from heatrules import CaseError, InputFileError, bill, load_cases
from heatrules.caseio import read_cases

from .conftest import make_case, run


@pytest.mark.parametrize(
    "area",
    [
        True,
        False,
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        "",
        " 5",
        "5 ",
        "1_000",
        "1,000",
        "1e3",
        "１００",
        "100.001",
        "0",
        "-5",
        "0.00",
        [100],
        {"v": 1},
        None,
        64.21,
    ],
)
def test_bad_areas_name_the_field(area: Any) -> None:
    with pytest.raises(CaseError, match="billing_area_m2"):
        run(account={"billing_area_m2": area})


@pytest.mark.parametrize(
    ("area", "charges"),
    [("100.000", "2500.00"), ("0100", "2500.00"), (100, "2500.00"), (Decimal("64.21"), "1605.25")],
)
def test_good_areas(area: Any, charges: str) -> None:
    assert run(account={"billing_area_m2": area}).totals.charges == Decimal(charges)


@pytest.mark.parametrize("bad_id", [10023, None, ["1"], "", "   ", True])
def test_account_id_must_be_text(bad_id: Any) -> None:
    with pytest.raises(CaseError, match=r"account\.id"):
        run(account={"id": bad_id})


def test_unknown_keys_are_errors_naming_the_key() -> None:
    with pytest.raises(CaseError, match="billing_aera_m2"):
        run(account={"billing_aera_m2": "5"})
    with pytest.raises(CaseError, match="payements"):
        bill({**make_case(), "payements": []})


def test_null_and_empty_lists_are_absent_facts() -> None:
    b = run(
        no_heat=None,
        temperature=[],
        payments=None,
        supply=None,
        waiver=None,
        account={"billing": None, "connected_on": None},
    )
    assert b.totals.charges == Decimal("2500.00")


def test_every_problem_is_reported() -> None:
    with pytest.raises(CaseError) as err:
        run(
            account={"billing_area_m2": "x", "category": "shop"},
            payments=[{"date": "2025-13-01", "amount": "0"}],
        )
    msg = str(err.value)
    for part in ("billing_area_m2", "category", "payments[0].date", "payments[0].amount"):
        assert part in msg


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_is_read_without_yaml11_coercions(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "c.yaml",
        "season: 2024-2025\naccount: {id: 0010023, category: residential, billing_area_m2: 88.88}\n"
        "temperature:\n  - {room: no, room_area_m2: 20, measured_at: 2024-12-01 10:00, celsius: 16.0, restored_at: 2024-12-11T10:00}\n"
        "payments: [{date: 2024-12-31, amount: 2222.00}]\n",
    )
    (case,) = load_cases(f)
    assert case.account.id == "0010023"
    assert case.account.billing_area_m2 == Decimal("88.88")
    assert case.temperature[0].room == "no"
    assert bill(case).totals.charges == Decimal("2222.00")


def test_yaml_tagged_number_id_is_a_number(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "c.yaml",
        "season: '2024-2025'\naccount: {id: !!int 10023, category: residential, billing_area_m2: '1'}\n",
    )
    with pytest.raises(CaseError, match="id"):
        load_cases(f)


def test_json_numbers_are_exact_and_nan_is_rejected(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        "a.json",
        json.dumps(make_case(account={"billing_area_m2": 0})).replace(
            '"billing_area_m2": 0', '"billing_area_m2": 64.21'
        ),
    )
    assert bill(load_cases(good)[0]).totals.charges == Decimal("1605.25")
    bad = write(
        tmp_path,
        "b.json",
        '{"season": "2024-2025", "account": {"id": "x", "category": "residential", "billing_area_m2": NaN}}',
    )
    with pytest.raises(CaseError, match="billing_area_m2"):
        load_cases(bad)


def test_jsonl_and_cases_mapping(tmp_path: Path) -> None:
    one = json.dumps(make_case())
    f = write(tmp_path, "c.jsonl", one + "\n\n" + one + "\n")
    assert len(load_cases(f)) == 2
    g = write(tmp_path, "d.yaml", "cases:\n  - " + one + "\n")
    assert len(load_cases(g)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.yaml", "a: [1, 2", "not valid YAML"),
        ("x.json", "{", "not valid JSON"),
        ("x.yaml", "", "empty"),
        ("x.yaml", "a: 1\na: 2\n", "duplicate key"),
        ("x.json", '{"a": 1, "a": 2}', "duplicate key"),
        ("x.txt", "{}", "unknown file type"),
        ("x.yaml", "42", "expected a case"),
    ],
)
def test_unreadable_files_are_clear_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(InputFileError, match=message):
        read_cases(write(tmp_path, name, content))


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_bytes("season: x\nname: 供热\n".encode("gbk"))
    with pytest.raises(InputFileError, match="line 2"):
        read_cases(p)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("billing_area_m2", "1" + "0" * 30),
        ("billing_area_m2", "1000000.01"),
        ("metered_kwh", "1000000000.001"),
        ("late_fee_rate", "-0.0000001"),
    ],
)
def test_engineering_limits_name_the_field(field: str, value: str) -> None:
    extra = {"billing": "metered", "metered_kwh": "1"} if field == "metered_kwh" else {}
    with pytest.raises(CaseError, match=field):
        run(account={**extra, field: value})


def test_limits_on_money_and_temperature() -> None:
    with pytest.raises(CaseError, match=r"payments\[0\]\.amount"):
        run(payments=[{"date": "2024-12-01", "amount": "1" + "0" * 32}])
    with pytest.raises(CaseError, match="celsius"):
        run(
            temperature=[
                {
                    "room": "a",
                    "room_area_m2": "10",
                    "measured_at": "2024-12-01T10:00",
                    "celsius": "-300",
                }
            ]
        )


def test_deeply_nested_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="nested too deeply"):
        read_cases(write(tmp_path, "deep.json", "[" * 100_000))
    with pytest.raises(InputFileError, match="nested too deeply"):
        read_cases(write(tmp_path, "deep.yaml", "a: " + "[" * 5_000))


def test_kwh_on_an_area_billed_account_is_not_silently_ignored() -> None:
    with pytest.raises(CaseError, match="metered_kwh"):
        run(account={"metered_kwh": "100"})


@pytest.mark.parametrize("content", ["null", "[]", '{"cases": []}'])
def test_files_without_cases_are_errors(tmp_path: Path, content: str) -> None:
    with pytest.raises(InputFileError, match="no case"):
        read_cases(write(tmp_path, "e.json", content))


def test_any_precision_where_the_rule_book_sets_none() -> None:
    """Rates, kWh and temperatures have no precision limit in rules.md (the batch engine's
    integer units do: it rejects more decimals, naming the column)."""
    from fractions import Fraction

    from .conftest import fen

    b = run(account={"late_fee_rate": "0.0012345"}, as_of="2025-01-10")
    assert b.totals.late_fees == fen(Fraction("0.0012345") * 2500 * 10)
    m = run(account={"billing": "metered", "metered_kwh": "1.0000001"})
    assert m.amount("tariff.metered.energy") == fen(Fraction("0.13") * Fraction("1.0000001"))


def test_supply_stop_before_start_is_two_supplier_intervals() -> None:
    """rules.md §4.1: each convenience input is its own supplier interval; crossed, they cover
    the whole season (121 days, double)."""
    from fractions import Fraction

    from .conftest import fen

    b = run(supply={"started_at": "2024-11-20T00:00", "stopped_at": "2024-11-18T00:00"})
    assert b.amount("refund.supplier_outage") == -fen(2 * Fraction(2500, 121) * 121)
