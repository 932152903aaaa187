"""Seeded differences of every class in one mixed file are found and classified correctly."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from heatrules.audit import CLASSES, audit
from heatrules.audit.demo import Seeded, figures, random_cases, write_export
from heatrules.cli import main
from heatrules.policy import Policy

from .conftest import table_args


def run_audit(paths: dict[str, Path], **kwargs: object):  # type: ignore[no-untyped-def]
    return audit(
        paths["accounts"],
        paths["claimed"],
        no_heat=paths["no_heat"],
        temperature=paths["temperature"],
        payments=paths["payments"],
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_seeded_class_is_found_and_named(mixed: tuple[dict[str, Path], list[Seeded]]) -> None:
    paths, accounts = mixed
    result = run_audit(paths)
    truth = {s.case["account"]["id"]: s.klass for s in accounts}
    seen_classes = set()
    for account_id, klass in truth.items():
        found = result.of_account(account_id)
        if klass is None:
            assert found == [], f"clean account {account_id} has differences {found}"
            continue
        assert found, f"seeded {klass} account {account_id}: no difference found"
        assert {d.klass for d in found} == {klass}, (
            account_id,
            [(d.figure, d.klass) for d in found],
        )
        seen_classes.add(klass)
    assert seen_classes == set(CLASSES)  # every class of the vocabulary, unexplained included
    assert result.by_class() == {
        k: sum(1 for d in result.differences if d.klass == k) for k in CLASSES
    }
    assert result.rejects.height == 0
    assert result.accounts_audited == len(accounts)


def test_the_named_reading_reproduces_the_claimed_figure(
    mixed: tuple[dict[str, Path], list[Seeded]],
) -> None:
    paths, accounts = mixed
    result = run_audit(paths)
    by_id = {s.case["account"]["id"]: s for s in accounts}
    for d in result.differences:
        if d.klass in ("unexplained", "other_season_rule"):
            continue
        seeded = by_id[d.account_id]
        alt = result.bill(d.account_id, d.season, seeded.policy)
        assert figures(alt)[d.figure] == d.claimed
        assert figures(result.bill(d.account_id, d.season))[d.figure] == d.expected
    other = [d for d in result.differences if d.klass == "other_season_rule"]
    assert other and all(
        "2007-2008" in d.explanation_zh and "2007-2008" in d.explanation_en for d in other
    )
    unexplained = [d for d in result.differences if d.klass == "unexplained"]
    assert [(d.account_id, d.figure, str(d.difference)) for d in unexplained] == [
        ("S13", "tariff_area", "1.00")
    ]


def test_explanations_and_citations(mixed: tuple[dict[str, Path], list[Seeded]]) -> None:
    paths, _ = mixed
    result = run_audit(paths)
    by = {(d.account_id, d.figure): d for d in result.differences}
    d = by[("S08", "refund_supplier_outage")]
    assert d.citation.startswith("FEE 第十五条、第十六条")
    assert "供热单位原因" in d.explanation_zh and "supplier-caused" in d.explanation_en
    assert by[("S02", "refunds")].citation.startswith("REG 第十九条")
    assert by[("S05", "refund_temperature")].citation.startswith("REF 退费标准")
    assert by[("S11", "waivers")].citation.startswith("WID-08")
    assert "rules.md §4.1" in by[("S07", "refunds")].citation
    for diff in result.differences:
        assert diff.explanation_zh and diff.explanation_en and diff.citation


def test_cli_writes_every_output(
    mixed: tuple[dict[str, Path], list[Seeded]], tmp_path: Path
) -> None:
    paths, accounts = mixed
    out = tmp_path / "out"
    code = main(
        ["audit", *table_args(paths), "--claimed", str(paths["claimed"]), "--out", str(out)]
    )
    assert code == 0
    assert {p.name for p in out.iterdir()} == {
        "differences.parquet",
        "summary.json",
        "rejects.csv",
        "report.html",
    }
    diffs = pl.read_parquet(out / "differences.parquet")
    assert diffs.columns == [
        "account_id",
        "season",
        "figure",
        "claimed",
        "expected",
        "difference",
        "class",
        "explanation_zh",
        "explanation_en",
        "citation",
    ]
    assert all(
        isinstance(diffs.schema[c], pl.Decimal) for c in ("claimed", "expected", "difference")
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["accounts_audited"] == len(accounts)
    assert summary["figures_compared"] == len(accounts) * 17
    assert set(summary["differences"]) == set(CLASSES)
    assert sum(summary["differences"].values()) == diffs.height
    assert diffs.filter(pl.col("class") == "waiver_extra").get_column(
        "account_id"
    ).unique().to_list() == ["S12"]


def test_csv_format(mixed: tuple[dict[str, Path], list[Seeded]], tmp_path: Path) -> None:
    paths, _ = mixed
    out = tmp_path / "out"
    args = ["audit", *table_args(paths), "--claimed", str(paths["claimed"]), "--out", str(out)]
    assert main([*args, "--format", "csv", "--quiet"]) == 0
    frame = pl.read_csv(out / "differences.csv", infer_schema=False)
    row = frame.filter((pl.col("account_id") == "S01") & (pl.col("figure") == "refunds")).row(
        0, named=True
    )
    assert (row["claimed"], row["expected"], row["difference"]) == ("206.60", "206.61", "-0.01")
    assert row["class"] == "daily_fee_rounded_first"


def test_the_classification_is_deterministic(tmp_path: Path) -> None:
    accounts = random_cases(120, seed=3, mistake_rate=0.5)
    paths = write_export(tmp_path, accounts)
    one = run_audit(paths)
    two = run_audit(paths)
    assert one.differences == two.differences
    assert len(one.differences) > 50


def test_policy_readings_cover_the_vocabulary() -> None:
    # the class names are the spec's closed vocabulary, in its order
    assert CLASSES == (
        "daily_fee_rounded_first",
        "divisor_120",
        "divisor_supplied_days",
        "part_day_rounding",
        "temperature_band",
        "overlap_double_counted",
        "supplier_as_facility",
        "facility_as_supplier",
        "other_season_rule",
        "waiver_missing",
        "waiver_extra",
        "unexplained",
    )
    assert Policy().legal


def test_the_terminal_summary(
    mixed: tuple[dict[str, Path], list[Seeded]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths, accounts = mixed
    args = ["audit", *table_args(paths), "--claimed", str(paths["claimed"]), "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"{len(accounts)} accounts audited" in out
    for text in ("differences by class", "waiver_extra", "reconciliation", "report.html"):
        assert text in out


def test_the_bundled_example_is_the_demo_export(tmp_path: Path) -> None:
    from heatrules.audit.demo import seeded_cases

    example = Path(__file__).resolve().parents[2] / "examples" / "audit"
    fresh = write_export(tmp_path, seeded_cases() + random_cases(40, seed=6, mistake_rate=0.0))
    for name, path in fresh.items():
        assert (example / path.name).read_bytes() == path.read_bytes(), name
    result = run_audit({name: example / p.name for name, p in fresh.items()})
    assert {d.account_id for d in result.differences} == {f"S{i:02d}" for i in range(1, 14)}
