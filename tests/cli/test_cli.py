"""The command line: exit codes, JSON output, clear errors on stderr (never a traceback)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import heatrules
from heatrules.cli import main

from ..conftest import make_case

GOOD = make_case(name="good", payments=[{"date": "2024-12-31", "amount": "2500.00"}])
BAD = make_case(name="bad", account={"billing_area_m2": "abc"})


def write(tmp_path: Path, name: str, data: object) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return str(p)


def test_bill_json_one_object_per_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, "c.json", [GOOD, GOOD])
    assert main(["bill", f, "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    assert set(rows[0]) >= {"name", "account_id", "season", "rules_version", "lines", "totals"}
    line = rows[0]["lines"][0]
    assert set(line) == {"code", "amount", "basis", "citation", "explain"}
    assert set(line["citation"]) == {"document", "article", "text"}
    assert rows[0]["totals"]["balance"] == "0.00"


def test_bill_rejected_case_exit_2_others_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(tmp_path, "c.json", [BAD, GOOD])
    assert main(["bill", f, "--format", "json"]) == 2
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert rows[0]["name"] == "bad" and "billing_area_m2" in rows[0]["error"]
    assert rows[1]["name"] == "good"
    assert "billing_area_m2" in out.err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bill_table(tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str) -> None:
    assert main(["bill", write(tmp_path, "c.json", GOOD), "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert "2500.00" in out and ("余额" in out if lang == "zh" else "balance" in out)


def test_check_reports_mismatches_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        {**GOOD, "expect": {"totals": {"balance": "0.00"}}},
        {
            **GOOD,
            "name": "wrong",
            "expect": {"totals": {"charges": "1.00"}, "lines": {"refund.temperature": "0.00"}},
        },
        {**BAD, "expect": {"error": "BILLING_AREA"}},
        GOOD,
    ]
    assert main(["check", write(tmp_path, "c.json", cases)]) == 1
    out = capsys.readouterr().out
    assert "wrong" in out and "totals.charges" in out and "expected 1.00, got 2500.00" in out
    assert "2 passed, 1 failed, 1 skipped" in out


def test_check_unreadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("a: [", encoding="utf-8")
    assert main(["check", str(p)]) == 2
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_rules_table_and_season_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--season", "2007-2008", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    prices = [r for r in data["parameters"] if r["name"] == "tariff.area.price.residential"]
    assert [r["value"] for r in prices] == ["20.00"]
    assert all(r["name"] != "tariff.metered.base_price.residential" for r in data["parameters"])
    assert main(["rules"]) == 0
    assert "PR-RES" in capsys.readouterr().out
    assert main(["rules", "--season", "2024"]) == 2


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "account" in schema["properties"] and schema["additionalProperties"] is False


def test_subsidy_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case(
        account={"billing_area_m2": "60.00"},
        subsidy={"household": "dibao", "central_heating": True},
    )
    assert main(["subsidy", write(tmp_path, "s.json", [case, GOOD]), "--format", "json"]) == 0
    out = capsys.readouterr()
    row = json.loads(out.out.splitlines()[0])
    assert row["subsidy"] == "750.00" and row["household"] == "dibao" and row["basis"]
    assert "skipped" in out.err


def test_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    with pytest.raises(SystemExit) as e:
        main(["bill"])
    assert e.value.code == 2
    assert main([]) == 2


def test_installed_command_never_prints_a_traceback(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(b"\xff\xfe garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "heatrules", "bill", str(p)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "UTF-8" in proc.stderr


# --- found by a new user trying to break the command line ---------------------------------


def test_markup_in_names_and_ids_is_printed_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = make_case(name="[/] a [b]c[/b]", account={"id": "[b]x[/b]"})
    assert main(["bill", write(tmp_path, "c.json", case), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "[/] a [b]c[/b]" in out and "[b]x[/b]" in out


def test_a_bad_file_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    good = write(tmp_path, "good.json", GOOD)
    assert main(["bill", str(bad), good, "--format", "json"]) == 2
    out = capsys.readouterr()
    assert json.loads(out.out.splitlines()[-1])["name"] == "good"
    assert "bad.json" in out.err


def test_one_bad_jsonl_line_rejects_only_that_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps(GOOD) + "\n{bad\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    assert main(["bill", str(p), "--format", "json"]) == 2
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [("error" in r) for r in rows] == [False, True, False]
    assert "line 2" in rows[1]["error"]


def test_check_invalid_expect_is_bad_input_and_invalid_skipped_cases_are_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(tmp_path, "c.json", [{**GOOD, "expect": {"totals": {"balanse": "0.00"}}}])
    assert main(["check", f]) == 2
    assert "balanse" in capsys.readouterr().err
    g = write(tmp_path, "d.json", [BAD])
    assert main(["check", g]) == 0
    out = capsys.readouterr()
    assert "1 skipped" in out.out and "billing_area_m2" in out.err


def test_cases_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps([GOOD]).encode())))
    assert main(["bill", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["balance"] == "0.00"


def test_rules_for_a_season_without_rules_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--season", "1990-1991"]) == 2
    assert "no rule in force for season 1990-1991" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["rules"], ["services"], ["bill", "examples/2024-2025.yaml"]])
def test_closed_pipe_exits_zero(command: list[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        f"{sys.executable} -m heatrules {' '.join(command)} | head -1",
        shell=True,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        executable="/bin/bash",
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"},
    )
    assert "Traceback" not in proc.stderr
    pipe = subprocess.run(
        [
            "bash",
            "-c",
            f"set -o pipefail; {sys.executable} -m heatrules {' '.join(command)} | head -1 >/dev/null",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pipe.returncode == 0, pipe.stderr


def test_exported_schema_accepts_the_valid_cases_and_rejects_a_bad_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from heatrules import CaseError, bill
    from heatrules.caseio import read_cases

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    root = Path(__file__).resolve().parents[2]
    checked = 0
    for f in sorted((root / "examples").glob("*.yaml")):
        for raw in read_cases(f):
            try:
                bill(raw.data)
            except CaseError:
                continue
            errors = list(validator.iter_errors(json.loads(json.dumps(raw.data))))
            assert errors == [], (raw.name, errors[0].message)
            checked += 1
    assert checked > 10
    assert not validator.is_valid({"season": 2024, "account": {"id": "x"}})


def test_without_the_batch_extra_batch_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The scalar commands work without polars; `batch` and `audit` explain the extra."""
    import importlib.util
    import sys as _sys

    real_find_spec = importlib.util.find_spec

    def no_polars(name: str, *args: object, **kwargs: object) -> object:
        return None if name == "polars" else real_find_spec(name, *args, **kwargs)  # type: ignore[arg-type]

    for mod in [
        m for m in _sys.modules if m.startswith(("heatrules.cli.batch", "heatrules.cli.audit"))
    ]:
        monkeypatch.delitem(_sys.modules, mod)
    monkeypatch.setattr("heatrules.cli.extra.find_spec", no_polars)
    assert main(["rules", "--season", "2024-2025", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["batch", "--accounts", "a.csv", "--out", "o"]) == 2
    assert "heatrules[batch]" in capsys.readouterr().err


def test_the_scalar_commands_do_not_load_the_batch_engine() -> None:
    """`heatrules bill` starts without importing polars or the compiled kernel (numba)."""
    import subprocess
    import sys

    code = (
        "import sys; from heatrules.cli import main; "
        "rc = main(['rules', '--season', '2024-2025', '--format', 'json']); "
        "print(rc, sorted(m for m in ('polars', 'numba', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [60, 80])
def test_bill_table_wraps_explanations_without_cutting_them(lang: str, width: int) -> None:
    # a run of Chinese text has no space to wrap at: it was cut with "…" in 80 columns
    from rich.console import Console

    from heatrules.render import bill_table

    bill = heatrules.bill(
        {
            "season": "2024-2025",
            "account": {"id": "W1", "category": "residential", "billing_area_m2": "100.00"},
            "no_heat": [
                {"start": "2024-12-01T08:00", "end": "2024-12-04T10:00", "cause": "facility"},
                {"start": "2024-12-02T08:00", "end": "2024-12-02T09:00:01", "cause": "supplier"},
            ],
            "waiver": {"kind": "cadre_widow", "has_children": False},
        }
    )
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(bill_table(bill, lang))
    text = console.export_text()
    assert "…" not in text
    flat = "".join(ch for ch in text if not ch.isspace() and ch not in "│┃")
    for line in bill.lines:
        explain = line.explain_zh if lang == "zh" else line.explain_en
        assert "".join(explain.split()) in flat
