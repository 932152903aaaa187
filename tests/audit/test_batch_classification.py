"""The audit classifies on the batch engine exactly as the scalar engine would, account by account.

The reference is the classification as the audit did it with the scalar engine: per account,
its legal bill (recording the parameters it looks up), then each differing figure re-derived
under :func:`heatrules.audit.readings.readings` in order (seasons compared on the recorded
parameters), the first reading whose bill has the claimed figure naming the class. Hypothesis
draws the batch differential test's random cities (every season of the data, metered,
suspended, waivers, cut-offs, outages of every cause, temperature records) and claims for each
account its bill under a random reading — any switch, another season's parameters — or the
legal bill with a few figures off: every difference, class, explanation and citation agrees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatrules.audit import FIGURES, audit
from heatrules.audit.demo import figures
from heatrules.audit.readings import (
    Reading,
    RecordingParameters,
    bill_lines,
    explain,
    readings,
    season_names,
)
from heatrules.batch.convert import cases_from_tables
from heatrules.caseio import parse_case
from heatrules.engine import bill
from heatrules.errors import CaseError, HeatrulesError
from heatrules.money import fmt
from heatrules.params import Parameters
from heatrules.policy import Policy
from heatrules.season import Season

from ..batch.test_differential import city

PARAMS = Parameters.default()
READINGS = [
    Policy(daily_fee_rounded_first=True),
    Policy(divisor="fixed_120"),
    Policy(divisor="supplied_days"),
    Policy(part_day_flipped=True),
    Policy(band_shift=1),
    Policy(band_shift=-1),
    Policy(overlap_double_counted=True),
    Policy(cause_swap="supplier_as_facility"),
    Policy(cause_swap="facility_as_supplier"),
    *(Policy(params_season=Season(y)) for y in (2003, 2006, 2007, 2009, 2010, 2013, 2016)),
    Policy(waiver="missing"),
    Policy(waiver="extra_with_children"),
    Policy(daily_fee_rounded_first=True, band_shift=1),  # no single reading: unexplained
]

Row = tuple[str, str, str, Decimal, Decimal, str, str, str, str]


def reference(case_map: dict[str, Any], claimed: dict[str, Decimal]) -> list[Row]:
    """The differences of one account as the scalar engine classifies them."""
    case = parse_case(case_map)
    recording = RecordingParameters(PARAMS)
    legal = bill(case, recording)
    expected_figures = figures(legal)
    tried = list(readings(case, PARAMS, frozenset(recording.used)))
    computed: dict[Policy, dict[str, Decimal] | None] = {}
    out: list[Row] = []
    for figure in FIGURES:
        c, e = claimed[figure], expected_figures[figure]
        if c == e:
            continue
        match: Reading | None = None
        for reading in tried:
            if not reading.can_move(figure):
                continue
            if reading.policy not in computed:
                try:
                    computed[reading.policy] = figures(bill(case, PARAMS, reading.policy))
                except (HeatrulesError, ArithmeticError):
                    computed[reading.policy] = None
            alt = computed[reading.policy]
            if alt is not None and alt[figure] == c:
                match = reading
                break
        zh, en, cite = explain(match, figure, c, e, case.season, PARAMS, bill_lines(legal))
        klass = match.klass if match else "unexplained"
        out.append((case.account.id, str(case.season), figure, c, e, klass, zh, en, cite))
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(city(), st.data())
def test_batch_classification_equals_the_scalar_reference(
    tables: dict[str, pl.DataFrame], data: st.DataObject
) -> None:
    cases = cases_from_tables(
        tables["accounts"], tables["no_heat"], tables["temperature"], tables["payments"]
    )
    rows: list[dict[str, str]] = []
    expected: list[Row] = []
    for case in cases:
        try:
            legal = figures(bill(case))
        except CaseError:
            continue  # rejected by both engines: not audited
        claimed = dict(legal)
        policy = data.draw(st.sampled_from([None, *READINGS]))
        if policy is not None:
            try:
                claimed = figures(bill(case, policy=policy))
            except (HeatrulesError, ArithmeticError):
                pass
        if data.draw(st.integers(0, 4)) == 0:
            figure = data.draw(st.sampled_from(FIGURES))
            claimed[figure] += data.draw(st.sampled_from([Decimal("0.01"), Decimal("-25.00")]))
        rows.append(
            {"account_id": case["account"]["id"], "season": case["season"]}
            | {f: fmt(claimed[f]) for f in FIGURES}
        )
        expected += reference(case, claimed)
    if not rows:
        return
    claimed_frame = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})
    result = audit(
        tables["accounts"],
        claimed_frame,
        no_heat=tables["no_heat"],
        temperature=tables["temperature"],
        payments=tables["payments"],
    )
    assert result.engine_mismatches == []
    got = [
        (
            d.account_id,
            d.season,
            d.figure,
            d.claimed,
            d.expected,
            d.klass,
            d.explanation_zh,
            d.explanation_en,
            d.citation,
        )
        for d in result.differences
    ]
    assert got == expected


def test_the_season_names_cover_what_a_legal_bill_looks_up() -> None:
    # other_seasons on season_names(kind) keeps every season kept on the recorded names: the
    # kind's names must include every parameter the account's legal bill looks up
    from heatrules.audit.demo import random_cases, seeded_cases

    kinds = set()
    for seeded in seeded_cases() + random_cases(200, seed=4, mistake_rate=0.0):
        for variant in _variants(seeded.case):
            case = parse_case(variant)
            recording = RecordingParameters(PARAMS)
            try:
                bill(case, recording)
            except CaseError:
                continue
            kind = {
                "metered": case.account.billing == "metered",
                "suspended": case.suspension is not None,
                "waiver": case.waiver is not None,
            }
            kinds.add(tuple(kind.values()))
            assert recording.used <= season_names(PARAMS, **kind), (variant, kind)
    assert len(kinds) >= 4


def _variants(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case as it is, metered, suspended, with a waiver, cut off, in another season."""
    out = [case]
    acc = case["account"]
    out.append(case | {"account": acc | {"billing": "metered", "metered_kwh": "8000"}})
    out.append(
        {k: v for k, v in case.items() if k not in ("no_heat", "temperature", "supply")}
        | {"suspension": {"kind": "temporary"}}
    )
    out.append(case | {"waiver": {"kind": "cadre_widow", "has_children": False}})
    out.append(case | {"cutoff_from": "2025-02-01", "as_of": "2025-03-01"})
    return out
