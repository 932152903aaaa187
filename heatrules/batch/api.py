"""The batch engine's Python API: tables in (files or DataFrames), bills, lines, rejects out.

>>> import polars as pl
>>> from heatrules.batch import bill_frame
>>> r = bill_frame(pl.DataFrame({"account_id": ["0010023"], "season": ["2024-2025"],
...     "category": ["residential"], "billing_area_m2": ["100.00"]}))
>>> r.bills.select("account_id", "charges", "balance").row(0)
('0010023', Decimal('2500.00'), Decimal('2500.00'))
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from ..params import Parameters
from ..policy import Policy
from . import kernel
from .explain import SeasonHours, citation_table, explanations, season_hours
from .kernel.policy import with_facility
from .readers import RawTable, empty_table, read_table
from .validate import Validated, validate_tables

MONEY = pl.Decimal(18, 2)
TOTALS = ("charges", "refunds", "waivers", "late_fees", "payments", "balance")
BILL_COLUMNS = (
    "account_id",
    "season",
    *TOTALS,
    "rules_version",
    *(kernel.col_name(c) for c in kernel.CODES),
)
LINE_COLUMNS = (
    "account_id",
    "season",
    "code",
    "amount",
    "explanation_zh",
    "explanation_en",
    "citation",
)


def money(expr: pl.Expr) -> pl.Expr:
    """Fen (Int64) → yuan as Decimal(18, 2), exactly."""
    return (expr.fill_null(0).cast(pl.Decimal(20, 2)) / 100).cast(MONEY)


def money_columns(fen: pl.DataFrame) -> pl.DataFrame:
    """Fen (Int64 columns, null as 0) → yuan as Decimal(18, 2), exactly and without division.

    A Decimal(18, 2) value *is* its fen: the unscaled 128-bit integer. Each column is cast to
    Decimal(18, 0) — the same integer, range-checked — and its Arrow buffers are relabelled
    with scale 2: about three times faster than dividing Decimals, and polars' allocator (which
    reuses the kernel's freed memory) does the allocating.
    """
    wide = fen.select(pl.all().fill_null(0).cast(pl.Decimal(18, 0))).to_arrow()
    cols = {}
    for name in wide.column_names:
        chunks = []
        for ch in wide.column(name).chunks:
            chunks.append(
                pa.Array.from_buffers(
                    pa.decimal128(18, 2), len(ch), ch.buffers(), ch.null_count, ch.offset
                )
            )
        cols[name] = pa.chunked_array(chunks, type=pa.decimal128(18, 2))
    out = pl.from_arrow(pa.table(cols) if cols else pa.table({}))
    assert isinstance(out, pl.DataFrame)
    return out


def money_series(fen: pl.Series) -> pl.Series:
    """One column of :func:`money_columns`."""
    return money_columns(fen.to_frame()).to_series().alias(fen.name)


@dataclass
class BatchResult:
    """The outcome of a batch run: ``bills``, ``lines`` (when asked), ``rejects``, ``summary``."""

    bills: Any
    lines: Any
    rejects: Any
    """One row per rejected input row (polars, or pandas with ``pandas=True``)."""
    summary: dict[str, Any]
    fen: pl.DataFrame = field(repr=False)
    """The kernel's per-account figures in fen (Int64), for tools that aggregate further."""

    def _repr_html_(self) -> str:  # Jupyter
        html: str = self.bills._repr_html_()
        return html


def read_inputs(
    accounts: Any,
    no_heat: Any = None,
    temperature: Any = None,
    payments: Any = None,
    *,
    encoding: str = "utf-8",
    ignore_extra_columns: bool = False,
) -> tuple[RawTable, RawTable, RawTable, RawTable]:
    """Read the four tables (paths or DataFrames; ``None`` is an empty optional table)."""

    def one(name: str, src: Any) -> RawTable:
        if src is None and name != "accounts":
            return empty_table(name)
        return read_table(name, src, encoding=encoding, ignore_extra=ignore_extra_columns)

    return (
        one("accounts", accounts),
        one("no_heat", no_heat),
        one("temperature", temperature),
        one("payments", payments),
    )


def bills_output(fen: pl.DataFrame, version: str) -> pl.DataFrame:
    """The ``bills`` table of batch-tables.md: totals and signed per-code sums as Decimal(18, 2)."""
    codes = [kernel.col_name(c) for c in kernel.CODES]
    money = money_columns(fen.select(*TOTALS, *codes))
    keys = fen.select("account_id", "season", pl.lit(version).alias("rules_version"))
    return pl.concat([keys, money], how="horizontal").select(BILL_COLUMNS)


def lines_output(lines: pl.DataFrame, cites: pl.DataFrame, hours: SeasonHours) -> pl.DataFrame:
    """The long ``lines`` table: one row per bill line, in bill order.

    ``cites`` and ``hours`` are the seasons' :func:`~.explain.citation_table` and
    :func:`~.explain.season_hours`.
    """
    zh, en = explanations(hours)
    lines = lines.with_columns(money_series(lines.get_column("fen")).alias("_amount"))
    return lines.join(
        cites, on=["season_year", "cite_key"], how="left", maintain_order="left"
    ).select(
        "account_id",
        "season",
        "code",
        pl.col("_amount").alias("amount"),
        zh.alias("explanation_zh"),
        en.alias("explanation_en"),
        pl.col("citation").fill_null(""),
    )


def run_validated(
    v: Validated, params: Parameters, *, lines: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Kernel on validated tables → (bills output, lines output or None)."""
    res = kernel.run_tables(v, with_lines=lines)
    bills = bills_output(res.bills, params.version)
    out_lines = None
    if res.lines is not None:
        years = v.accounts.get_column("season_year").unique().to_list()
        out_lines = lines_output(
            res.lines, citation_table(params, years), season_hours(params, years)
        )
    return bills.with_columns(), out_lines if out_lines is not None else None


def _exact_sum(fen: pl.DataFrame, column: str) -> int:
    """The exact sum of an int64 fen column: a city's total can pass int64's 9.2 × 10¹⁸ fen
    even when every account is within range, so a column whose sum could is summed as
    128-bit integers."""
    if fen.height == 0:
        return 0
    values = fen.get_column(column)
    low, high = fen.select(pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi")).row(
        0
    )
    largest = max(abs(int(low or 0)), abs(int(high or 0)))
    if largest * fen.height < 2**63:  # the int64 sum cannot wrap: no 128-bit copy needed
        return int(values.sum() or 0)
    return int(values.cast(pl.Int128).sum() or 0)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def summarise(
    v: Validated, fen: pl.DataFrame, params: Parameters, seconds: float
) -> dict[str, Any]:
    """summary.json: counts per table, accounts billed, totals, rules version, seconds."""
    totals = {t: _yuan(_exact_sum(fen, t)) for t in TOTALS}
    by_kind = {
        kernel.col_name(c): _yuan(-_exact_sum(fen, kernel.col_name(c))) for c in kernel.REFUND_CODES
    }
    return {
        "tables": v.counts,
        "accounts_billed": fen.height,
        "totals": totals,
        "refunds_by_kind": by_kind,
        "rules_version": params.version,
        "seconds": round(seconds, 3),
    }


def bill_frame(
    accounts: Any,
    no_heat: Any = None,
    temperature: Any = None,
    payments: Any = None,
    params: Parameters | None = None,
    pandas: bool = False,
    *,
    lines: bool = True,
    encoding: str = "utf-8",
    ignore_extra_columns: bool = False,
    policy: Policy | None = None,
) -> BatchResult:
    """Bill every account of the tables (paths, polars/pandas DataFrames or Arrow tables).

    Returns a :class:`BatchResult`: ``bills`` (one row per account, money as polars
    ``Decimal(18, 2)``, or a pandas frame of ``decimal.Decimal`` objects with ``pandas=True``),
    ``lines`` (one row per bill line), ``rejects`` (pandas too with ``pandas=True``) and
    ``summary``. The scalar engine is never
    called; the figures equal it to the fen. Raises
    :class:`~heatrules.batch.readers.BatchInputError` for an unusable input.

    ``policy`` bills under an alternative reading (:class:`~heatrules.policy.Policy`), as
    ``heatrules.bill(case, policy=...)`` does: the tables are validated under the parameters
    as the reading reads them, and an account the reading cannot bill is rejected.
    """
    t0 = time.perf_counter()
    params = params or Parameters.default()
    read = policy.parameters(params) if policy is not None else params
    raw = read_inputs(
        accounts,
        no_heat,
        temperature,
        payments,
        encoding=encoding,
        ignore_extra_columns=ignore_extra_columns,
    )
    v = validate_tables(*raw, read)
    if policy is not None and policy.cause_swap == "facility_as_supplier":
        v = dataclasses.replace(
            v,
            own_no_heat=with_facility(v.own_no_heat, raw[1].frame),
            station_no_heat=with_facility(v.station_no_heat, raw[1].frame),
        )
    res = kernel.run_tables(v, with_lines=lines, policy=policy, params=params)
    bills: Any = bills_output(res.bills, params.version)
    out_lines: Any = None
    if res.lines is not None:
        years = v.accounts.get_column("season_year").unique().to_list()
        out_lines = lines_output(res.lines, citation_table(read, years), season_hours(read, years))
    summary = summarise(v, res.bills, params, time.perf_counter() - t0)
    if pandas:
        bills = bills.to_pandas(use_pyarrow_extension_array=False)
        if out_lines is not None:
            out_lines = out_lines.to_pandas(use_pyarrow_extension_array=False)
    rejects = v.rejects
    if res.not_billed.height:
        rejects = pl.concat(
            [
                rejects,
                res.not_billed.select(
                    pl.lit("accounts").alias("table"),
                    pl.lit(raw[0].source).alias("file"),
                    "line",
                    pl.lit("account_id").alias("column"),
                    pl.col("account_id").alias("value"),
                    "reason",
                ),
            ]
        ).sort("table", "line")
    if pandas:
        return BatchResult(bills, out_lines, rejects.to_pandas(), summary, res.bills)
    return BatchResult(bills, out_lines, rejects, summary, res.bills)
