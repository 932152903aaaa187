"""The audit: recompute every claimed account, compare each figure exactly, classify differences.

1. The batch tables are read, validated and billed by the batch engine (:mod:`heatrules.batch`:
   its readers, its validation and rejects, its exact integer kernel) — every account at once.
2. The claimed file is read (:mod:`heatrules.audit.claimed`) and joined to the legal figures;
   every given cell is compared to the fen, column-wise.
3. Only the accounts with a differing figure go through the scalar engine: their case is built
   from the same tables, and each differing figure is re-derived under the alternative readings
   of :mod:`heatrules.audit.readings` (each a :class:`~heatrules.policy.Policy` applied to the
   whole account, computed at most once per account); the first that reproduces the claimed
   figure names its class, else ``unexplained``. This step is split over ``jobs`` processes.

Both engines compute the legal bill; should they ever disagree on a figure of an audited
account, the figure is still compared with the batch engine's value and the disagreement is
reported (``engine_mismatches`` in the summary) — never hidden.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ..batch import kernel
from ..batch.api import read_inputs
from ..batch.convert import cases_from_tables
from ..batch.readers import BatchInputError, RawTable
from ..batch.validate import validate_tables
from ..caseio import parse_case
from ..engine import bill
from ..errors import HeatrulesError, InputFileError
from ..lines import TOTAL_NAMES, Bill, Totals
from ..money import ZERO, fmt
from ..params import Parameters
from ..policy import Policy
from .claimed import LINE_FIGURES, read_claimed, read_mapping
from .readings import CLASSES, Reading, RecordingParameters, explain, readings
from .sources import LINE, REJECT_SCHEMA

TABLE_ORDER = ("accounts", "no_heat", "temperature", "payments", "claimed")
KEYS = ["account_id", "season"]
PARALLEL_FROM = 400
"""Differing accounts from which the classification uses more than one process by default."""


@dataclass(frozen=True)
class Difference:
    """One claimed figure that differs from the legal one, and the reading that explains it."""

    account_id: str
    season: str
    figure: str
    claimed: Decimal
    expected: Decimal
    klass: str
    explanation_zh: str
    explanation_en: str
    citation: str
    station_id: str | None = None

    @property
    def difference(self) -> Decimal:
        return self.claimed - self.expected


@dataclass(repr=False)
class AuditResult:
    """The outcome of one audit (``summary()`` is ``summary.json``)."""

    def __repr__(self) -> str:
        found = {k: v for k, v in self.by_class().items() if v}
        return (
            f"AuditResult({self.accounts_audited} accounts audited, {self.figures_compared} "
            f"figures compared, {len(self.differences)} differences {found}, "
            f"{self.rejects.height} rejects, rules {self.rules_version})"
        )

    differences: list[Difference]
    rejects: pl.DataFrame
    accounts_audited: int
    figures_compared: int
    figures: list[str]
    claimed_sums: dict[str, Decimal]
    expected_sums: dict[str, Decimal]
    accounts_read: int
    accounts_billed: int
    claimed_rows: int
    rules_version: str
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    engine_mismatches: list[str] = field(default_factory=list)
    tables: dict[str, RawTable] = field(default_factory=dict, repr=False)
    params: Parameters = field(default_factory=Parameters.default, repr=False)

    # ------------------------------------------------------------------ figures
    def by_class(self) -> dict[str, int]:
        """Differences per class (every class of the vocabulary, zeros included)."""
        counts = Counter(d.klass for d in self.differences)
        return {k: counts.get(k, 0) for k in CLASSES}

    def amount_by_class(self) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = {k: ZERO for k in CLASSES}
        for d in self.differences:
            sums[d.klass] += d.difference
        return sums

    def reconciliation(self) -> dict[str, dict[str, Decimal]]:
        """Per figure: Σ claimed, Σ expected and Σ difference (= Σ claimed − Σ expected)."""
        diff: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for d in self.differences:
            diff[d.figure] += d.difference
        return {
            f: {
                "claimed": self.claimed_sums[f],
                "expected": self.expected_sums[f],
                "difference": diff[f] + ZERO,
            }
            for f in self.figures
        }

    def summary(self) -> dict[str, Any]:
        return {
            "accounts_audited": self.accounts_audited,
            "figures_compared": self.figures_compared,
            "differences": self.by_class(),
            "reconciliation": {
                f: {k: fmt(v) for k, v in r.items()} for f, r in self.reconciliation().items()
            },
            "difference_amounts": {k: fmt(v) for k, v in self.amount_by_class().items()},
            "accounts_read": self.accounts_read,
            "accounts_billed": self.accounts_billed,
            "claimed_rows": self.claimed_rows,
            "rejects": self.rejects.height,
            "engine_mismatches": self.engine_mismatches,
            "rules_version": self.rules_version,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }

    # ------------------------------------------------------------------ drilling down
    def case(self, account_id: str, season: str) -> dict[str, Any]:
        """The case mapping of one account, built from the tables (as in a case file)."""
        found = _cases(
            self.tables,
            self.rejects,
            pl.DataFrame({"account_id": [account_id], "season": [season]}),
        )
        if not found:
            raise KeyError(f"no account {account_id} in season {season}")
        return found[(account_id, season)][0]

    def bill(self, account_id: str, season: str, policy: Policy | None = None) -> Bill:
        """The account's legal bill — or its bill under an alternative ``policy``."""
        return bill(self.case(account_id, season), self.params, policy)

    def of_account(self, account_id: str, season: str | None = None) -> list[Difference]:
        """The differences of one account (of every season unless ``season`` is given)."""
        return [
            d
            for d in self.differences
            if d.account_id == account_id and (season is None or d.season == season)
        ]

    def _repr_html_(self) -> str:  # Jupyter: the report's charts and tables
        from .report import fragment

        return fragment(self)

    def differences_frame(self) -> pl.DataFrame:
        """The differences as a polars DataFrame (money as ``Decimal(18, 2)``)."""
        from .outputs import differences_frame

        return differences_frame(self)


def figure_of(b: Bill, totals: Totals, figure: str) -> Decimal:
    """A figure of a bill in the bills naming: a total, or the signed sum of a line code."""
    if figure in TOTAL_NAMES:
        return totals.get(figure)
    return b.amount(LINE_FIGURES[figure])


def yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2) + ZERO


# ---------------------------------------------------------------------------- the tables
def _accepted(raw: RawTable, rejects: pl.DataFrame) -> pl.DataFrame:
    """The rows of a raw table that the batch engine did not reject."""
    bad = rejects.filter(pl.col("table") == raw.name).select(pl.col("line").alias(LINE)).unique()
    return raw.frame.join(bad, on=LINE, how="anti")


def _cases(
    tables: dict[str, RawTable], rejects: pl.DataFrame, keys: pl.DataFrame
) -> dict[tuple[str, str], tuple[dict[str, Any], str | None]]:
    """Case mappings (and station) of the accounts ``keys`` (account_id, season), from the
    accepted rows of the tables: own events plus the station's outages."""
    acc = _accepted(tables["accounts"], rejects).join(keys, on=KEYS, how="semi")
    if acc.height == 0:
        return {}
    stations = acc.select("station_id", "season").drop_nulls().unique()
    nh = _accepted(tables["no_heat"], rejects)
    own = nh.filter(pl.col("account_id").is_not_null()).join(keys, on=KEYS, how="semi")
    st = nh.filter(pl.col("station_id").is_not_null()).join(
        stations, on=["station_id", "season"], how="semi"
    )
    sub = {
        "no_heat": pl.concat([own, st]),
        "temperature": _accepted(tables["temperature"], rejects).join(keys, on=KEYS, how="semi"),
        "payments": _accepted(tables["payments"], rejects).join(keys, on=KEYS, how="semi"),
    }
    cases = cases_from_tables(
        acc.drop(LINE),
        *(sub[t].sort(LINE).drop(LINE) for t in ("no_heat", "temperature", "payments")),
    )
    out: dict[tuple[str, str], tuple[dict[str, Any], str | None]] = {}
    for case, station in zip(cases, acc.get_column("station_id").to_list(), strict=True):
        out[(case["account"]["id"], case["season"])] = (case, station)
    return out


# ---------------------------------------------------------------------------- classification
@dataclass
class _Work:
    """One account with differing figures: (figure, claimed, expected) in claimed order."""

    key: tuple[str, str]
    case: dict[str, Any]
    station: str | None
    figures: list[tuple[str, Decimal, Decimal]]


def classify(work: _Work, params: Parameters) -> tuple[list[Difference], list[str]]:
    """The differences of one account, each named by the first reading that reproduces it."""
    case = parse_case(work.case)
    recording = RecordingParameters(params)
    legal = bill(case, recording)
    totals = legal.totals
    alternatives: dict[Policy, tuple[Bill, Totals] | None] = {}
    tried: list[Reading] = list(readings(case, params, frozenset(recording.used)))
    found: list[Difference] = []
    mismatches: list[str] = []
    for figure, claimed, expected in work.figures:
        scalar = figure_of(legal, totals, figure)
        if scalar != expected:
            mismatches.append(
                f"{work.key[0]} {work.key[1]} {figure}: batch {fmt(expected)}, scalar {fmt(scalar)}"
            )
        match: Reading | None = None
        for reading in tried:
            if not reading.can_move(figure):
                continue
            if reading.policy not in alternatives:
                try:
                    alt = bill(case, params, reading.policy)
                    alternatives[reading.policy] = (alt, alt.totals)
                except (HeatrulesError, ArithmeticError):
                    alternatives[reading.policy] = None  # the reading does not apply here
            computed = alternatives[reading.policy]
            if computed is not None and figure_of(computed[0], computed[1], figure) == claimed:
                match = reading
                break
        zh, en, citation = explain(match, figure, claimed, expected, case, params, legal)
        found.append(
            Difference(
                work.key[0],
                work.key[1],
                figure,
                claimed,
                expected,
                match.klass if match else "unexplained",
                zh,
                en,
                citation,
                work.station,
            )
        )
    return found, mismatches


_WORK: tuple[list[_Work], Parameters] | None = None  # inherited by forked workers


def _classify_range(bounds: tuple[int, int]) -> tuple[list[Difference], list[str]]:
    assert _WORK is not None
    work, params = _WORK
    diffs: list[Difference] = []
    notes: list[str] = []
    for item in work[bounds[0] : bounds[1]]:
        d, n = classify(item, params)
        diffs += d
        notes += n
    return diffs, notes


def _classify_all(
    work: list[_Work], params: Parameters, jobs: int
) -> tuple[list[Difference], list[str]]:
    global _WORK
    n = len(work)
    _WORK = (work, params)
    try:
        if jobs <= 1 or n < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return _classify_range((0, n))
        size = max(50, -(-n // (jobs * 8)))
        chunks = [(a, min(a + size, n)) for a in range(0, n, size)]
        with warnings.catch_warnings():
            # polars warns that a forked child must not use polars; the workers only run the
            # scalar engine (pure Python) on the work list they inherit
            warnings.filterwarnings("ignore", message=".*fork.*", category=RuntimeWarning)
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                parts = pool.map(_classify_range, chunks)
        return [d for p in parts for d in p[0]], [m for p in parts for m in p[1]]
    finally:
        _WORK = None


# ---------------------------------------------------------------------------- the audit
def audit(
    accounts: Any,
    claimed: Any,
    *,
    no_heat: Any = None,
    temperature: Any = None,
    payments: Any = None,
    mapping: str | Path | dict[str, Any] | None = None,
    params: Parameters | None = None,
    encoding: str = "utf-8",
    ignore_extra_columns: bool = False,
    jobs: int | None = None,
) -> AuditResult:
    """Audit a billing system's claimed figures against the rules.

    The tables are paths (``.csv`` / ``.parquet``) or DataFrames, as for
    :func:`heatrules.batch.bill_frame`; ``mapping`` renames the claimed file's headers (a YAML
    file or a dict). ``jobs`` (default: every core when many accounts differ) splits the
    classification. Raises :class:`~heatrules.errors.InputFileError` on unusable input.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    params = params or Parameters.default()
    try:
        raw = read_inputs(
            accounts,
            no_heat,
            temperature,
            payments,
            encoding=encoding,
            ignore_extra_columns=ignore_extra_columns,
        )
    except BatchInputError as exc:
        raise InputFileError(str(exc)) from None
    claims = read_claimed(claimed, read_mapping(mapping), encoding)
    tables = {t.name: t for t in raw}
    timings["read"] = time.perf_counter() - started

    t = time.perf_counter()
    v = validate_tables(*raw, params)
    res = kernel.run_tables(v, with_lines=False)
    timings["legal_bills"] = time.perf_counter() - t

    t = time.perf_counter()
    figures = claims.figures
    expected = res.bills.select(
        *KEYS, pl.lit(True).alias("__billed"), *[pl.col(f).alias(f"__x_{f}") for f in figures]
    )
    joined = claims.frame.join(expected, on=KEYS, how="left")
    matched = joined.filter(pl.col("__billed").fill_null(False))
    unmatched = joined.filter(pl.col("__billed").is_null())
    claim_rejects = [
        claims.rejects,
        _unmatched_rejects(unmatched, tables["accounts"], claims.source),
    ]
    sums = (
        matched.select(
            *[pl.col(f).sum().alias(f"c_{f}") for f in figures],
            *[
                pl.col(f"__x_{f}").filter(pl.col(f).is_not_null()).sum().alias(f"e_{f}")
                for f in figures
            ],
            *[pl.col(f).count().alias(f"n_{f}") for f in figures],
        ).row(0, named=True)
        if figures
        else {}
    )
    long = (
        pl.concat(
            [
                matched.filter(pl.col(f).is_not_null() & (pl.col(f) != pl.col(f"__x_{f}"))).select(
                    *KEYS,
                    LINE,
                    pl.lit(i, dtype=pl.Int64).alias("__fig"),
                    pl.col(f).alias("claimed"),
                    pl.col(f"__x_{f}").alias("expected"),
                )
                for i, f in enumerate(figures)
            ]
        ).sort(LINE, "__fig")
        if figures
        else pl.DataFrame()
    )
    timings["compare"] = time.perf_counter() - t

    t = time.perf_counter()
    work: list[_Work] = []
    mismatches: list[str] = []
    unclassified: list[Difference] = []
    if long.height:
        found = _cases(tables, v.rejects, long.select(KEYS).unique())
        grouped: dict[tuple[str, str], list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
        for acc_id, season, fig, c, e in long.select(
            *KEYS, "__fig", "claimed", "expected"
        ).iter_rows():
            grouped[(acc_id, season)].append((figures[fig], yuan(c), yuan(e)))
        for key, items in grouped.items():
            if key not in found:  # billed by the batch engine, yet no case: never hide it
                mismatches.append(f"{key[0]} {key[1]}: billed, but its case could not be built")
                unclassified += [
                    Difference(
                        key[0],
                        key[1],
                        fig,
                        c,
                        e,
                        "unexplained",
                        f"{fig}：公司 {fmt(c)} 元，按规定 {fmt(e)} 元；本户无法重建案例，未作分类。",
                        f"{fig}: claimed {fmt(c)}, expected {fmt(e)}; the account's case could "
                        "not be rebuilt, so it was not classified.",
                        "",
                    )
                    for fig, c, e in items
                ]
                continue
            case, station = found[key]
            work.append(_Work(key, case, station, items))
    timings["cases"] = time.perf_counter() - t
    t = time.perf_counter()
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(work) >= PARALLEL_FROM else 1
    differences, disagree = _classify_all(work, params, jobs)
    differences += unclassified
    mismatches += disagree
    timings["classify"] = time.perf_counter() - t

    rejects = pl.concat(
        [v.rejects.cast(REJECT_SCHEMA), *[r.cast(REJECT_SCHEMA) for r in claim_rejects]]
    )
    order = {name: i for i, name in enumerate(TABLE_ORDER)}
    rejects = (
        rejects.with_columns(pl.col("table").replace_strict(order, default=len(order)).alias("__t"))
        .sort("__t", "file", "line", maintain_order=True)
        .drop("__t")
    )
    return AuditResult(
        differences=differences,
        rejects=rejects,
        accounts_audited=matched.height,
        figures_compared=sum(int(sums[f"n_{f}"]) for f in figures),
        figures=list(figures),
        claimed_sums={f: yuan(int(sums[f"c_{f}"] or 0)) for f in figures},
        expected_sums={f: yuan(int(sums[f"e_{f}"] or 0)) for f in figures},
        accounts_read=tables["accounts"].rows,
        accounts_billed=res.bills.height,
        claimed_rows=claims.frame.height + claims.rejects.select("line").n_unique(),
        rules_version=params.version,
        seconds=time.perf_counter() - started,
        timings=timings,
        engine_mismatches=mismatches,
        tables=tables,
        params=params,
    )


def _unmatched_rejects(unmatched: pl.DataFrame, accounts: RawTable, source: str) -> pl.DataFrame:
    """Claimed rows whose account is not billed: rejected in accounts, or not there at all."""
    lines = accounts.frame.group_by(KEYS).agg(pl.col(LINE).min().alias("__acc_line"))
    rows = unmatched.select(*KEYS, LINE).join(lines, on=KEYS, how="left")
    return rows.select(
        pl.lit("claimed").alias("table"),
        pl.lit(source).alias("file"),
        pl.col(LINE).alias("line"),
        pl.lit("account_id").alias("column"),
        pl.col("account_id").alias("value"),
        pl.when(pl.col("__acc_line").is_not_null())
        .then(
            pl.format(
                "not audited: the account is rejected (accounts line {}; see its reject)",
                pl.col("__acc_line"),
            )
        )
        .otherwise(
            pl.format("matches no account: {} in season {}", pl.col("account_id"), pl.col("season"))
        )
        .alias("reason"),
    )
