"""Writing an audit: ``differences.{parquet,csv}``, ``summary.json``, ``rejects.csv``, ``report.html``.

Money is exact: Parquet ``decimal128(18, 2)`` and CSV text with two decimals, never floats.
Text cells written to CSV that begin with ``=``, ``+``, ``-`` or ``@`` are prefixed with ``'``
(spreadsheet formula injection), as in the batch engine; numeric columns and Parquet output are
never altered.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..money import fmt

if TYPE_CHECKING:
    from .run import AuditResult

DIFFERENCE_COLUMNS = (
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
)
MONEY_COLUMNS = frozenset({"claimed", "expected", "difference"})
REJECT_COLUMNS = ("table", "file", "line", "column", "value", "reason")
_FORMULA = ("=", "+", "-", "@")


def safe_text(value: str) -> str:
    """A text cell as written to CSV: a leading ``= + - @`` is neutralised with ``'``."""
    return "'" + value if value.startswith(_FORMULA) else value


def _difference_rows(result: AuditResult) -> list[tuple[Any, ...]]:
    return [
        (
            d.account_id,
            d.season,
            d.figure,
            d.claimed,
            d.expected,
            d.difference,
            d.klass,
            d.explanation_zh,
            d.explanation_en,
            d.citation,
        )
        for d in result.differences
    ]


def differences_arrow(result: AuditResult) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    money = pa.decimal128(18, 2)
    schema = pa.schema(
        [(c, money if c in MONEY_COLUMNS else pa.string()) for c in DIFFERENCE_COLUMNS]
    )
    rows = _difference_rows(result)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in DIFFERENCE_COLUMNS]
    return pa.table(
        [pa.array(list(col), type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def differences_frame(result: AuditResult) -> pl.DataFrame:
    """The differences as a polars DataFrame (money as ``Decimal(18, 2)``)."""
    frame = pl.from_arrow(differences_arrow(result))
    assert isinstance(frame, pl.DataFrame)
    return frame


def write_differences(result: AuditResult, out: Path, fmt_: str) -> Path:
    if fmt_ == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        path = out / "differences.parquet"
        pq.write_table(differences_arrow(result), path)
        return path
    path = out / "differences.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(DIFFERENCE_COLUMNS)
        for row in _difference_rows(result):
            writer.writerow(
                [
                    fmt(v) if c in MONEY_COLUMNS else safe_text(v)
                    for c, v in zip(DIFFERENCE_COLUMNS, row, strict=True)
                ]
            )
    return path


def write_rejects(result: AuditResult, out: Path) -> Path:
    path = out / "rejects.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_COLUMNS)
        for table, file, line, column, value, reason in result.rejects.select(
            REJECT_COLUMNS
        ).iter_rows():
            writer.writerow(
                [
                    table,
                    safe_text(file or ""),
                    line,
                    safe_text(column or ""),
                    safe_text(value or ""),
                    safe_text(reason or ""),
                ]
            )
    return path


def write_summary(result: AuditResult, out: Path) -> Path:
    path = out / "summary.json"
    path.write_text(
        json.dumps(result.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return path


def write_all(result: AuditResult, out: str | Path, fmt_: str = "parquet") -> dict[str, Path]:
    """Write every output into ``out`` (created if needed); returns their paths by name."""
    from .report import write_report

    if fmt_ not in ("parquet", "csv"):
        raise ValueError(f"format {fmt_!r}: use parquet or csv")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "differences": write_differences(result, folder, fmt_),
        "summary": write_summary(result, folder),
        "rejects": write_rejects(result, folder),
        "report": write_report(result, folder / "report.html"),
    }
