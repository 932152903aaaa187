"""A check is (column, condition true for a bad row, reason); a row failing any check is rejected whole.

``../shared/spec/batch-tables.md``: every check is a boolean column expression evaluated over
the whole table; the reasons are formatted only for the rows that fail, one problem per
newly rejected row naming its first failing column and every problem of the phase.
"""

from __future__ import annotations

import polars as pl

from ..readers import LINE, with_aligned

PROBLEM_SCHEMA = {LINE: pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
Check = tuple[str, pl.Expr, pl.Expr]
"""(column, condition that is true for a bad row, reason) — the reason names no column."""


def str_lit(s: str) -> pl.Expr:
    return pl.lit(s, dtype=pl.String)


def v(c: str) -> pl.Expr:
    """The parsed value of column ``c``."""
    return pl.col(f"v_{c}")


def apply_checks(df: pl.DataFrame, checks: list[Check]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mark rows failing any check as ``bad`` (rows already bad are left alone) and return the
    problems of the newly bad rows (``__line, column, value, reason``)."""
    if not checks:
        return df, pl.DataFrame(schema=PROBLEM_SCHEMA)
    active = ~pl.col("bad")
    conds = [(c, (active & cond).fill_null(False), msg) for c, cond, msg in checks]
    df = with_aligned(df, pl.any_horizontal([cd for _, cd, _ in conds]).alias("_hit"))
    sub = df.filter(pl.col("_hit"))
    problems = sub.select(
        pl.col(LINE),
        pl.coalesce([pl.when(cd).then(str_lit(c)) for c, cd, _ in conds]).alias("column"),
        _first_of(conds).alias("value"),
        pl.concat_str(
            [pl.when(cd).then(pl.format("{}: {}", str_lit(c), m)) for c, cd, m in conds],
            separator="; ",
            ignore_nulls=True,
        ).alias("reason"),
    )
    df = with_aligned(df, (pl.col("bad") | pl.col("_hit")).alias("bad")).drop("_hit")
    return df, problems


def _first_of(conds: list[tuple[str, pl.Expr, pl.Expr]]) -> pl.Expr:
    """The cell of the first failing column (null when that cell is empty — never a later
    column's cell)."""
    first = pl.coalesce([pl.when(cd).then(pl.lit(i)) for i, (_, cd, _) in enumerate(conds)])
    return pl.coalesce(
        [pl.when(first == i).then(pl.col(c).cast(pl.String)) for i, (c, _, _) in enumerate(conds)]
    )
