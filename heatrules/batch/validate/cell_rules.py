"""Cell rules of the batch tables: each cell parses as its column's kind, within the batch engine's bounds.

``../shared/spec/batch-tables.md`` and :mod:`heatrules.batch.schema`: a required cell must not
be empty, a given cell must parse (the parsed value is ``v_<col>``), and amounts, areas, kWh,
rates and temperatures must lie within the bounds that keep the kernel exact; then the row
rules of :mod:`.row_rules` are applied in the same pass.
"""

from __future__ import annotations

import polars as pl

from .. import cells
from ..readers import RAGGED, RawTable, with_aligned
from ..schema import (
    AREA_DECIMALS,
    CELSIUS_DECIMALS,
    KWH_DECIMALS,
    MAX_AREA,
    MAX_CELSIUS,
    MAX_KWH,
    MAX_MONEY,
    MIN_CELSIUS,
    MONEY_DECIMALS,
    RATE_DECIMALS,
    Table,
)
from . import scan
from .checks import Check, apply_checks, str_lit, v
from .row_rules import row_checks


def _cell(col_kind: str, c: str, choices: tuple[str, ...]) -> cells.Cell:
    if col_kind == "text":
        return cells.text(c)
    if col_kind == "season":
        return cells.season(c)
    if col_kind == "choice":
        return cells.choice(c, choices)
    if col_kind in ("area", "money"):
        return cells.decimal(c, AREA_DECIMALS if col_kind == "area" else MONEY_DECIMALS)
    if col_kind == "kwh":
        return cells.decimal(c, KWH_DECIMALS)
    if col_kind == "rate":
        return cells.decimal(c, RATE_DECIMALS)
    if col_kind == "celsius":
        return cells.decimal(c, CELSIUS_DECIMALS)
    if col_kind == "date":
        return cells.date_days(c)
    if col_kind == "timestamp":
        return cells.timestamp_us(c)
    if col_kind == "bool":
        return cells.boolean(c)
    raise AssertionError(col_kind)  # pragma: no cover - schema kinds are fixed


def _range_checks(col_kind: str, c: str) -> list[Check]:
    raw = pl.col(c)
    if col_kind in ("area", "money"):
        limit = MAX_AREA if col_kind == "area" else MAX_MONEY
        return [
            (c, v(c) <= 0, pl.format("{} must be greater than 0", raw)),
            (c, v(c) > limit, pl.format("{} is above the batch engine's limit", raw)),
        ]
    if col_kind in ("kwh", "rate"):
        checks: list[Check] = [(c, v(c) < 0, pl.format("{} must not be negative", raw))]
        if col_kind == "kwh":
            checks.append(
                (c, v(c) > MAX_KWH, pl.format("{} is above the batch engine's limit", raw))
            )
        return checks
    if col_kind == "celsius":
        return [
            (
                c,
                (v(c) < MIN_CELSIUS) | (v(c) > MAX_CELSIUS),
                pl.format("{} °C is not a possible temperature", raw),
            )
        ]
    return []


SMALL_TABLE = 20_000
"""Below this many rows every column is parsed directly (the shortcuts cost more than they save)."""
SAMPLE = 4_096
"""Rows sampled to guess whether a column has few distinct values."""


SCANNED = {
    "area": ("decimal", AREA_DECIMALS),
    "money": ("decimal", MONEY_DECIMALS),
    "kwh": ("decimal", KWH_DECIMALS),
    "rate": ("decimal", RATE_DECIMALS),
    "celsius": ("decimal", CELSIUS_DECIMALS),
    "date": ("date", 0),
    "text": ("text", 0),
}
"""Kinds read by a compiled scan of the cells (:mod:`.scan`), with their decimals."""

FEW_KINDS = frozenset({"season", "date", "timestamp", "bool"})
"""Kinds whose parse costs more than a hash lookup, and whose columns tend to repeat values."""


def _parsed_values(
    table: Table, frame: pl.DataFrame, cells_: dict[str, cells.Cell]
) -> tuple[list[pl.Expr], list[str]]:
    """The parsed columns ``v_<col>``: the values of each cell's ``value``, computed cheaply;
    and the columns still parsed row by row (whose helper columns are needed).

    * a column with no cells (an absent optional column) is a null column of the parsed type —
      nothing is parsed;
    * a decimal, date or text column is read by a compiled scan of its cells (:mod:`.scan`,
      which leaves the cells it does not decide to the cell's expression);
    * a season, timestamp or boolean column with few distinct texts (judged on a sample) is
      parsed once per distinct text and mapped back with a hash lookup per row;
    * any other column is parsed row by row. The parse is a pure function of the cell's text,
      so all of them give the same values.
    """
    n = frame.height
    exprs = {c.name: cells_[c.name].value for c in table.columns}
    rowwise = set(table.names)
    if n >= SMALL_TABLE:
        nulls = frame.select(pl.col(table.names).null_count()).row(0, named=True)
        few = []
        for col in table.columns:
            c = col.name
            if nulls[c] == n:
                one = (
                    pl.DataFrame({c: [None]}, schema={c: pl.String})
                    .with_columns(cells_[c].helpers)
                    .select(exprs[c])
                )
                exprs[c] = pl.lit(None, dtype=one.to_series().dtype)
                rowwise.discard(c)
                continue
            if col.kind in SCANNED:
                kind, decimals = SCANNED[col.kind]
                values = scan.parse_column(frame, c, kind, decimals, exprs[c])
                if values is not None:
                    exprs[c] = pl.lit(values)
                    rowwise.discard(c)
                    continue
            if col.kind in FEW_KINDS:
                few.append(c)
        if few:
            sample = frame.head(SAMPLE).select(pl.col(few).n_unique()).row(0)
            few = [c for c, k in zip(few, sample, strict=True) if k * 8 <= min(n, SAMPLE)]
        if few:
            distinct = frame.select(pl.col(few).unique().drop_nulls().implode())
            for c in few:
                d = distinct.get_column(c).explode()
                if d.len() * 4 > n:
                    continue
                parsed = (
                    pl.DataFrame({c: d})
                    .with_columns(cells_[c].helpers)
                    .select(exprs[c])
                    .to_series()
                )
                exprs[c] = pl.col(c).replace_strict(
                    d, parsed, default=None, return_dtype=parsed.dtype
                )
                rowwise.discard(c)
    return [exprs[c].alias(f"v_{c}") for c in table.names], [c for c in table.names if c in rowwise]


def parse(table: Table, rt: RawTable) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse every cell (``v_<col>``), apply the cell and row rules; (frame, problems)."""
    frame = rt.frame
    parsed = {c.name: _cell(c.kind, c.name, c.choices) for c in table.columns}
    values, rowwise = _parsed_values(table, frame, parsed)
    # the helper columns of the cells still parsed row by row (their value uses them)
    helpers = [h for c in rowwise for h in parsed[c].helpers]
    # every new column comes in the chunks of the frame (some expressions return one chunk):
    # a column of other chunks would make polars copy the whole frame into one chunk
    df = with_aligned(frame, *helpers)
    df = with_aligned(df, *values, pl.lit(False).alias("bad"))
    checks: list[Check] = []
    if RAGGED in frame.columns:  # a CSV row with the wrong number of fields: rejected first
        checks.append((RAGGED, pl.col(RAGGED).is_not_null(), pl.col(RAGGED)))
    for col in table.columns:
        c = col.name
        raw = pl.col(c)
        if col.required:
            checks.append((c, raw.is_null(), str_lit("required cell is empty")))
        checks.append((c, raw.is_not_null() & v(c).is_null(), parsed[c].message))
        checks += _range_checks(col.kind, c)
    checks += row_checks(table)
    df, problems = apply_checks(df, checks)
    return df.drop(RAGGED, *(h.meta.output_name() for h in helpers), strict=False), problems
