"""The claimed figures: a billing system's own totals and line amounts, one row per account.

``--claimed FILE`` (CSV or Parquet): ``account_id, season``, then any totals (``charges``,
``refunds``, ``waivers``, ``late_fees``, ``payments``, ``balance``) and any line-code columns in
the bills naming (``tariff_area``, ``refund_facility_outage``, … signed like the bill). A column
left out, and an empty cell, is not compared. ``--mapping FILE`` (YAML) renames a company's
headers to these names (``退费金额: refunds``); a header mapped to ``null`` is ignored.

An unknown column that the mapping does not cover makes the file unusable (exit 2, naming the
columns). A row with a bad number, or whose account is not in ``accounts``, is rejected with
its line number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..batch.cells import decimal
from ..batch.schema import MONEY_DECIMALS
from ..case import LINE_CODES
from ..errors import InputFileError
from ..lines import (
    CHARGE_CODES,
    LATE_FEE_CODES,
    PAYMENT_CODES,
    REFUND_CODES,
    TOTAL_NAMES,
    WAIVER_CODES,
)
from ..textyaml import load_yaml_text
from .sources import LINE, REJECT_SCHEMA, read_header, read_text

KEYS = ("account_id", "season")
LINE_FIGURES = {code.replace(".", "_"): code for code in LINE_CODES}
FIGURES = (*TOTAL_NAMES, *LINE_FIGURES)
"""Every figure a claimed file may carry, in the bills naming."""

FIGURE_CODES: dict[str, frozenset[str]] = {
    "charges": CHARGE_CODES,
    "refunds": REFUND_CODES,
    "waivers": WAIVER_CODES,
    "late_fees": LATE_FEE_CODES,
    "payments": PAYMENT_CODES,
    "balance": CHARGE_CODES | REFUND_CODES | WAIVER_CODES | LATE_FEE_CODES | PAYMENT_CODES,
    **{fig: frozenset({code}) for fig, code in LINE_FIGURES.items()},
}
"""The line codes each figure sums (for its citations)."""


@dataclass
class Claims:
    """The accepted claimed rows (``account_id, season, __line`` and one Int64 fen column per
    compared figure, null where not given) and the rejected ones."""

    source: str
    figures: list[str]
    frame: pl.DataFrame
    rejects: pl.DataFrame


def read_mapping(source: str | Path | dict[str, Any] | None) -> dict[str, str | None]:
    """A header mapping from a YAML file (or a dict): company header → figure name or null."""
    if source is None:
        return {}
    if isinstance(source, dict):
        raw: Any = source
        where = "mapping"
    else:
        path = Path(source)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{path}: cannot be read: {exc}") from None
        try:
            raw = load_yaml_text(text, where)
        except Exception as exc:
            raise InputFileError(str(exc)) from None
    if not isinstance(raw, dict):
        raise InputFileError(f"{where}: a mapping is YAML 'company header: figure name' pairs")
    mapping: dict[str, str | None] = {}
    for key, value in raw.items():
        if value is not None and (not isinstance(value, str) or value not in (*KEYS, *FIGURES)):
            raise InputFileError(
                f"{where}: {key!r} is mapped to {value!r}, which is not account_id, season, a "
                f"total ({', '.join(TOTAL_NAMES)}) or a line-code column "
                f"({', '.join(LINE_FIGURES)}); map it to null to ignore the column"
            )
        mapping[str(key)] = value
    return mapping


def resolve_header(
    header: list[str], mapping: dict[str, str | None], source: str
) -> dict[str, str]:
    """Company header → figure name for every kept column; unknown columns are refused."""
    names: dict[str, str] = {}
    unknown: list[str] = []
    for h in header:
        target = mapping[h] if h in mapping else h
        if target is None:
            continue
        if target not in (*KEYS, *FIGURES):
            unknown.append(h)
        elif target in names.values():
            raise InputFileError(f"{source}: column {target!r} is given twice (header {h!r})")
        else:
            names[h] = target
    if unknown:
        raise InputFileError(
            f"{source}: unknown claimed column(s) {', '.join(map(repr, unknown))}: not "
            f"account_id, season, a total ({', '.join(TOTAL_NAMES)}) or a line-code column "
            f"({', '.join(LINE_FIGURES)}); rename them with --mapping FILE (YAML, e.g. "
            f"'{unknown[0]}: refunds', or '{unknown[0]}: null' to ignore it)"
        )
    missing = [k for k in KEYS if k not in names.values()]
    if missing:
        raise InputFileError(
            f"{source}: required column(s) {', '.join(map(repr, missing))} missing from the "
            "claimed file"
        )
    return names


def read_claimed(
    source: Any, mapping: dict[str, str | None] | None = None, encoding: str = "utf-8"
) -> Claims:
    """Read the claimed figures; refuse unknown columns (naming them) unless mapped.

    A figure cell is a plain signed decimal with at most two decimals, read exactly as fen; a
    row with a bad cell (each bad cell is reported), an empty ``account_id`` or ``season``, or
    an ``(account_id, season)`` given twice is rejected.
    """
    header, name = read_header(source, encoding)
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise InputFileError(f"{name}: column {h!r} appears twice in the header")
        seen.add(h)
    names = resolve_header(header, mapping or {}, name)
    keys = tuple(h for h, key in names.items() if key in KEYS)
    frame = read_text(source, list(names), encoding, texts=keys).rename(names)
    figures = [f for f in names.values() if f in FIGURES]
    original = {v: k for k, v in names.items()}
    # phase 1, every row: parse each figure and flag bad cells (no message is formatted)
    checks: list[tuple[str, pl.Expr, pl.Expr]] = []  # (column, is bad, why — for bad rows only)
    for key in KEYS:
        blank = pl.col(key).is_null() | (pl.col(key).str.strip_chars() == "")
        checks.append((key, blank, pl.lit("required cell is empty")))
    values: list[pl.Expr] = []
    for fig in figures:
        cell = decimal(fig, MONEY_DECIMALS, what="amount")  # the batch engine's cell rules
        values.append(cell.value.alias(f"__v{len(values)}"))
        checks.append(
            (
                fig,
                pl.col(fig).is_not_null() & pl.col(f"__v{len(values) - 1}").is_null(),
                cell.message,
            )
        )
    parsed = frame.with_columns(values).with_columns(
        [bad.alias(f"__b{i}") for i, (_, bad, _) in enumerate(checks)]
    )
    any_bad = pl.any_horizontal([pl.col(f"__b{i}") for i in range(len(checks))])
    # phase 2, the failing rows only: one reject per bad cell, with its reason
    failing = parsed.filter(any_bad)
    rejects = [
        failing.filter(pl.col(f"__b{i}")).select(
            pl.lit("claimed").alias("table"),
            pl.lit(name).alias("file"),
            pl.col(LINE).alias("line"),
            pl.lit(original[col]).alias("column"),
            pl.col(col).fill_null("").alias("value"),
            why.alias("reason"),
        )
        for i, (col, _, why) in enumerate(checks)
    ]
    # an account-season on more than one row (bad rows included) is compared on none of them
    parsed = parsed.with_columns((pl.len().over("account_id", "season") > 1).alias("__rep"))
    good = parsed.filter(~any_bad).select(
        "account_id",
        "season",
        LINE,
        "__rep",
        *[pl.col(f"__v{i}").alias(f) for i, f in enumerate(figures)],
    )
    repeated = pl.col("__rep")
    rejects.append(
        good.filter(repeated).select(
            pl.lit("claimed").alias("table"),
            pl.lit(name).alias("file"),
            pl.col(LINE).alias("line"),
            pl.lit(original["account_id"]).alias("column"),
            pl.col("account_id").alias("value"),
            pl.format(
                "account {} season {} is claimed on more than one row; none of them is compared",
                pl.col("account_id"),
                pl.col("season"),
            ).alias("reason"),
        )
    )
    good = good.filter(~repeated).drop("__rep")
    found = pl.concat([r.cast(REJECT_SCHEMA) for r in rejects], how="vertical")
    return Claims(name, figures, good, found.sort("line", maintain_order=True))
