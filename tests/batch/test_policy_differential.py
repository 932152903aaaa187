"""Differential test of the readings: the batch engine under a Policy equals the scalar engine.

The random cities of :mod:`.test_differential` (stations with outages of every cause, own
outages, supply facts, connections, cut-offs, suspensions, widow waivers, temperature records,
payments, ordinary and leap seasons) are billed under every switch of
:class:`heatrules.policy.Policy` — alone and in combinations — by the batch engine (with the
scalar ``bill`` patched to raise) and by ``heatrules.bill(case, policy=...)``: every account's
totals and every line code are equal to the fen (its lines too, as a multiset with their
citations), and the batch engine bills exactly the accounts the scalar engine bills under the
reading.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heatrules
from heatrules.batch.convert import cases_from_tables
from heatrules.batch.kernel.policy import SUPPLIED_DAYS, Switches, switches
from heatrules.case import LINE_CODES
from heatrules.errors import CaseError
from heatrules.policy import Policy
from heatrules.season import Season

from .helpers import TOTALS, batch_without_scalar
from .test_differential import city

SINGLE = [
    Policy(daily_fee_rounded_first=True),
    Policy(divisor="fixed_120"),
    Policy(divisor="supplied_days"),
    Policy(part_day_flipped=True),
    Policy(band_shift=1),
    Policy(band_shift=-1),
    Policy(overlap_double_counted=True),
    Policy(cause_swap="supplier_as_facility"),
    Policy(cause_swap="facility_as_supplier"),
    *(Policy(params_season=Season(y)) for y in (2003, 2005, 2007, 2008, 2010, 2012, 2014, 2024)),
    Policy(waiver="missing"),
    Policy(waiver="extra_with_children"),
]
COMBINED = [
    Policy(daily_fee_rounded_first=True, divisor="supplied_days"),
    Policy(daily_fee_rounded_first=True, divisor="fixed_120", fixed_season_days=90),
    Policy(part_day_flipped=True, overlap_double_counted=True, band_shift=1),
    Policy(cause_swap="facility_as_supplier", overlap_double_counted=True),
    Policy(cause_swap="supplier_as_facility", part_day_flipped=True),
    Policy(params_season=Season(2006), waiver="extra_with_children", band_shift=-1),
    Policy(params_season=Season(2004), daily_fee_rounded_first=True, waiver="missing"),
]


def compare_under(tables: dict[str, pl.DataFrame], policy: Policy) -> tuple[int, int]:
    """Both engines on ``tables`` under ``policy``: equal bills (every total and line code),
    equal lines (as multisets, with citations), the same accounts billed."""
    result = batch_without_scalar(tables, policy=policy)
    without_lines = batch_without_scalar(tables, policy=policy, lines=False)
    assert without_lines.bills.equals(result.bills)  # the kernel's other code paths agree
    bills = {(r["account_id"], r["season"]): r for r in result.bills.iter_rows(named=True)}
    lines: dict[tuple[str, str], Counter[tuple[str, Decimal, str]]] = {}
    for r in result.lines.iter_rows(named=True):
        key = (r["account_id"], r["season"])
        lines.setdefault(key, Counter())[(r["code"], r["amount"], r["citation"])] += 1
    cases = cases_from_tables(
        tables["accounts"], tables["no_heat"], tables["temperature"], tables["payments"]
    )
    billed = refused = 0
    for case in cases:
        key = (case["account"]["id"], case["season"])
        try:
            scalar = heatrules.bill(case, policy=policy)
        except (CaseError, ArithmeticError) as exc:
            assert key not in bills, f"scalar refuses {key} under {policy} ({exc}); batch billed"
            refused += 1
            continue
        assert key in bills, f"batch did not bill {key} under {policy}: {result.rejects.to_dicts()}"
        row = bills[key]
        for t in TOTALS:
            assert row[t] == scalar.totals.get(t), (key, t, policy, case)
        for code in LINE_CODES:
            assert row[code.replace(".", "_")] == scalar.amount(code), (key, code, policy, case)
        expected = Counter((ln.code, ln.amount, str(ln.citation)) for ln in scalar.lines)
        assert lines.get(key, Counter()) == expected, (key, policy, case)
        billed += 1
    return billed, refused


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(city(), st.sampled_from([*SINGLE, *COMBINED]))
def test_batch_equals_scalar_under_every_reading(
    tables: dict[str, pl.DataFrame], policy: Policy
) -> None:
    compare_under(tables, policy)


def test_the_legal_reading_is_the_unchanged_kernel() -> None:
    assert switches(Policy()) == Switches()
    assert switches(Policy(divisor="fixed_120")).divisor_days == 120
    assert switches(Policy(divisor="supplied_days")).divisor_days == SUPPLIED_DAYS
    assert switches(Policy(band_shift=1, cause_swap="supplier_as_facility")) == Switches()


def _one_account(**account: str) -> dict[str, pl.DataFrame]:
    from heatrules.batch.convert import tables_from_cases

    case = {
        "season": "2024-2025",
        "account": {"id": "A1", "category": "residential", "billing_area_m2": "100.00"},
        "station_id": "S1",
        "no_heat": [
            {"start": "2024-12-01T00:00", "end": "2024-12-02T06:00", "cause": "supplier"},
            {"start": "2024-12-02T00:00", "end": "2024-12-04T00:00", "cause": "facility"},
            {"start": "2024-12-10T00:00", "end": "2024-12-11T12:00", "cause": "external"},
        ],
    }
    case["account"].update(account)
    return tables_from_cases([case])


@pytest.mark.parametrize("policy", [*SINGLE, *COMBINED], ids=lambda p: str(p.changes()))
def test_every_reading_on_overlapping_outages_of_every_cause(policy: Policy) -> None:
    billed, refused = compare_under(_one_account(), policy)
    assert billed + refused == 1


def test_a_reading_that_cannot_apply_is_a_reject() -> None:
    # a widow waiver added to a 2004-2005 account: not in force before 2005-2006
    tables = _one_account()
    tables["accounts"] = tables["accounts"].with_columns(pl.lit("2004-2005").alias("season"))
    tables["no_heat"] = tables["no_heat"].with_columns(
        pl.lit("2004-2005").alias("season"),
        pl.col("start").str.replace("^2024", "2004"),
        pl.col("end").str.replace("^2024", "2004"),
    )
    assert compare_under(tables, Policy(waiver="extra_with_children")) == (0, 1)
    result = batch_without_scalar(tables, policy=Policy(waiver="extra_with_children"))
    assert result.bills.height == 0
    assert result.rejects.get_column("reason").to_list() == [
        "no rule in force for season 2004-2005 under this reading: the widow waiver with "
        "children (waiver.cadre_widow.with_children)"
    ]
