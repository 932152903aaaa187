"""The audit: recompute every claimed account, compare each figure exactly, classify differences.

1. The batch tables are read, validated and billed by the batch engine (:mod:`heatrules.batch`:
   its readers, its validation and rejects, its exact integer kernel) — every account at once.
2. The claimed file is read (:mod:`heatrules.audit.claimed`) and joined to the legal figures;
   every given cell is compared to the fen, column-wise.
3. Only the accounts with a differing figure are classified (:mod:`heatrules.audit.classify`):
   each differing figure is re-derived under the alternative readings of
   :mod:`heatrules.audit.readings` (each a :class:`~heatrules.policy.Policy` applied to the
   whole account), in order; the first that reproduces the claimed figure names its class, else
   ``unexplained``. The batch kernel computes the readings — once per reading, on the
   differing accounts it can move a figure of — so the scalar engine is not needed.

The scalar engine recomputes the legal figures of the first
:data:`~heatrules.audit.classify.CROSS_CHECK` differing accounts as a cross-check of the two
engines: should they ever disagree on a figure, the figure is still compared with the batch
engine's value and the disagreement is reported (``engine_mismatches`` in the summary) — never
hidden.
"""

from __future__ import annotations

import time
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
from ..engine import bill
from ..errors import InputFileError
from ..lines import Bill
from ..money import ZERO, fmt
from ..params import Parameters
from ..policy import Policy
from .claimed import read_claimed, read_mapping
from .classify import classify, cross_check
from .readings import CLASSES
from .sources import LINE, REJECT_SCHEMA

TABLE_ORDER = ("accounts", "no_heat", "temperature", "payments", "claimed")
KEYS = ["account_id", "season"]


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
        """Claimed minus expected (positive: the company claims more than the rules give)."""
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
        """Σ difference (claimed − expected) per class, every class of the vocabulary included."""
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
        """The content of ``summary.json``: counts, differences by class, the reconciliation per
        figure, rejects and timings."""
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


def yuan(fen: int) -> Decimal:
    """Integer fen as yuan (an exact Decimal with two places)."""
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
) -> AuditResult:
    """Audit a billing system's claimed figures against the rules.

    The tables are paths (``.csv`` / ``.parquet``) or DataFrames, as for
    :func:`heatrules.batch.bill_frame`; ``mapping`` renames the claimed file's headers (a YAML
    file or a dict). The classification runs in the batch kernel, on every core. Raises :class:`~heatrules.errors.InputFileError`
    on unusable input.
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
    t = time.perf_counter()
    claims = read_claimed(claimed, read_mapping(mapping), encoding)
    tables = {table.name: table for table in raw}
    timings["read: claimed"] = time.perf_counter() - t
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
            *[pl.col(f).cast(pl.Int128).sum().alias(f"c_{f}") for f in figures],
            *[
                pl.col(f"__x_{f}")
                .filter(pl.col(f).is_not_null())
                .cast(pl.Int128)
                .sum()
                .alias(f"e_{f}")
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
    differences: list[Difference] = []
    unclassified: list[Difference] = []
    mismatches: list[str] = []
    differing: dict[str, RawTable] = {}  # the raw rows of the differing accounts
    if long.height:
        done = classify(long, figures, v, tables, params, profile=timings)
        differing = done.raw
        for (acc_id, season, fig, c, e), reading, (zh, en, cite), station, found in zip(
            long.select(*KEYS, "__fig", "claimed", "expected").iter_rows(),
            done.readings,
            done.texts,
            done.stations,
            done.found.tolist(),
            strict=True,
        ):
            figure, claim, expect = figures[fig], yuan(c), yuan(e)
            if not found:  # compared with the batch engine's figure, yet not billed: never hide
                unclassified.append(_not_classified(acc_id, season, figure, claim, expect))
                note = f"{acc_id} {season}: billed, but its case could not be built"
                if note not in mismatches:
                    mismatches.append(note)
                continue
            differences.append(
                Difference(
                    acc_id,
                    season,
                    figure,
                    claim,
                    expect,
                    reading.klass if reading else "unexplained",
                    zh,
                    en,
                    cite,
                    station,
                )
            )
    timings["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    if long.height:
        mismatches += cross_check(long, figures, v, differing, params)
    timings["cross_check"] = time.perf_counter() - t
    differences += unclassified

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


def _not_classified(
    account_id: str, season: str, figure: str, claimed: Decimal, expected: Decimal
) -> Difference:
    """A differing figure of an account that could not be re-billed: unexplained, said so."""
    return Difference(
        account_id,
        season,
        figure,
        claimed,
        expected,
        "unexplained",
        f"{figure}：公司 {fmt(claimed)} 元，按规定 {fmt(expected)} 元；本户无法重建案例，未作分类。",
        f"{figure}: claimed {fmt(claimed)}, expected {fmt(expected)}; the account's case could "
        "not be rebuilt, so it was not classified.",
        "",
    )


def _unmatched_rejects(unmatched: pl.DataFrame, accounts: RawTable, source: str) -> pl.DataFrame:
    """Claimed rows whose account is not billed: rejected in accounts, or not there at all."""
    rows = unmatched.select(*KEYS, LINE)
    acc = accounts.frame.select(*KEYS, LINE)
    if rows.height:  # only the accounts rows of those keys (the table may hold millions)
        acc = acc.join(rows.select(KEYS).unique(), on=KEYS, how="semi")
    else:
        acc = acc.clear()
    lines = acc.group_by(KEYS).agg(pl.col(LINE).min().alias("__acc_line"))
    rows = rows.join(lines, on=KEYS, how="left")
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
