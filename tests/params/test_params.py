"""The parameter data drives the formulas: an edited copy changes the bills accordingly."""

from __future__ import annotations

import ast
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from heatrules import NoRuleInForce, ParameterError, Parameters, Season, bill
from heatrules.params import PACKAGED

from ..conftest import fen, make_case

CODE = Path(__file__).resolve().parents[2] / "heatrules"


@pytest.fixture
def params_copy(tmp_path: Path) -> Path:
    target = tmp_path / "params"
    shutil.copytree(PACKAGED, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_every_value_has_a_citation_to_a_known_document() -> None:
    p = Parameters.default()
    for param in p.params.values():
        for pv in param.values:
            assert pv.citation.document in p.documents
            assert pv.citation.article and pv.citation.text


def test_edited_copy_changes_price_and_band_edge(params_copy: Path) -> None:
    tariffs = params_copy / "tariffs.yaml"
    text = tariffs.read_text(encoding="utf-8")
    text = text.replace(
        "      citation: {document: PR-RES, article: 第一条, text: 采暖期居民住宅集中供热价格",
        "      citation: {document: PR-RES, article: 第一条, text: 采暖期居民住宅集中供热价格",
    )
    # a new residential price of 30.00 from 2026-2027
    text = text.replace(
        "tariff.area.price.non_residential:",
        '    - from: "2026-2027"\n      value: "30.00"\n'
        "      citation: {document: HR, article: test, text: 测试价格}\n"
        "tariff.area.price.non_residential:",
    )
    tariffs.write_text(text, encoding="utf-8")
    refunds = params_copy / "refunds.yaml"
    r = refunds.read_text(encoding="utf-8")
    r = r.replace('{above: "0", upto: "2", rate: "0.10"}', '{above: "0", upto: "3", rate: "0.10"}')
    r = r.replace('{above: "2", upto: "6", rate: "0.50"}', '{above: "3", upto: "6", rate: "0.50"}')
    refunds.write_text(r, encoding="utf-8")
    edited = Parameters.load(params_copy)

    case = make_case(season="2026-2027")
    assert bill(case).totals.charges == Decimal("2500.00")
    assert bill(case, edited).totals.charges == fen(Fraction(100) * 30)
    # 2025-2026 is untouched by a value from 2026-2027
    assert bill(make_case(season="2025-2026"), edited).totals.charges == Decimal("2500.00")

    # 15.5 C is 2.5 C short: 50 % under the packaged bands, 10 % with the edge at 3 C
    rec = {
        "room": "bedroom",
        "room_area_m2": "100",
        "measured_at": "2024-12-10T10:00",
        "celsius": "15.5",
        "restored_at": "2024-12-20T10:00",
    }
    c = make_case(temperature=[rec])
    d = Fraction(2500, 121)
    assert bill(c).amount("refund.temperature") == -fen(d * Fraction(1, 2) * 10)
    assert bill(c, edited).amount("refund.temperature") == -fen(d * Fraction(1, 10) * 10)


def test_citations_on_lines_come_from_the_parameter_records(params_copy: Path) -> None:
    f = params_copy / "refunds.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("article: 第十六条,", "article: 第十六条（测试）,"),
        encoding="utf-8",
    )
    c = make_case(
        no_heat=[{"start": "2024-12-01T00:00", "end": "2024-12-03T00:00", "cause": "facility"}]
    )
    line = bill(c, Parameters.load(params_copy)).lines_of("refund.facility_outage")[0]
    assert line.citation.article == "第十六条（测试）"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('value: "25.00"', 'value: "25,00"', "not a decimal"),
        ("document: PR-NON", "document: PR-NONE", "unknown document"),
        ('from: "2008-2009"', 'from: "2001-2002"', "increasing season order"),
        ("type: decimal", "type: money", "type"),
    ],
)
def test_malformed_parameter_files_are_clear_errors(
    params_copy: Path, old: str, new: str, message: str
) -> None:
    f = params_copy / "tariffs.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        Parameters.load(params_copy)


def test_bands_must_be_contiguous(params_copy: Path) -> None:
    f = params_copy / "refunds.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace('{above: "2", upto: "6"', '{above: "2.5", upto: "6"'),
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="contiguous"):
        Parameters.load(params_copy)


def test_no_rule_in_force_before_the_earliest_season() -> None:
    with pytest.raises(NoRuleInForce, match="no rule in force for season 2002-2003"):
        Parameters.default().value("tariff.area.price.residential", Season.parse("2002-2003"))


FORMULA_MODULES = [
    "tariffs/area.py",
    "tariffs/metered.py",
    "tariffs/suspension.py",
    "refunds/no_heat.py",
    "refunds/temperature.py",
    "waivers/cadre_widow.py",
    "waivers/subsidy.py",
    "fees/late_payment.py",
    "fees/cutoff.py",
    "context.py",
]


@pytest.mark.parametrize("module", FORMULA_MODULES)
def test_formula_code_holds_no_legal_numbers(module: str) -> None:
    """Prices, rates, bands, day lengths and dates live in the parameter data, not in code.

    Only 0 and 1 (identities) and 100 (a percentage for display) may appear as numbers.
    """
    tree = ast.parse((CODE / module).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            if node.value not in (0, 1, 100):
                found.append((node.lineno, node.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("Decimal", "Fraction")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    assert found == [], f"{module}: numbers in formula code {found}"


def test_negative_parameter_values_are_rejected(params_copy: Path) -> None:
    f = params_copy / "tariffs.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace('value: "25.00"', 'value: "-25"', 1), encoding="utf-8"
    )
    with pytest.raises(ParameterError, match="negative"):
        Parameters.load(params_copy)


def test_missing_parameter_folder(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="no such parameter folder"):
        Parameters.load(tmp_path / "nope")
