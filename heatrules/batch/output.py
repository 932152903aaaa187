"""Writing the batch outputs: atomically, with spreadsheet formulas neutralised in CSV text.

``../shared/spec/batch-tables.md``: ``bills`` and ``lines`` as Parquet (money as
``decimal128(18, 2)``) or CSV (money as text with 2 decimals); ``rejects.csv``; ``summary.json``.
Every file is written to a temporary file in the output folder and renamed into place, so an
interrupted run never leaves a half-written file. In CSV, a text cell that begins with ``=``,
``+``, ``-`` or ``@`` is prefixed with ``'`` (formula injection); numeric columns and Parquet
files are never altered.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells starting with ``= + - @``; money becomes text with 2 decimals."""
    exprs = []
    for name, dt in frame.schema.items():
        col = pl.col(name)
        if dt == pl.String:
            exprs.append(
                pl.when(col.str.contains(r"^[=+\-@]"))
                .then(pl.lit("'") + col)
                .otherwise(col)
                .alias(name)
            )
        elif isinstance(dt, pl.Decimal):
            exprs.append(col.cast(pl.String).alias(name))
        else:
            exprs.append(col)
    return frame.select(exprs)


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write through ``write(tmp)`` into a temporary file beside ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pl.DataFrame, out: Path, stem: str, fmt: str) -> Path:
    """``stem.parquet`` or ``stem.csv`` in ``out`` (atomically); returns the path."""
    if fmt == "csv":
        path = out / f"{stem}.csv"
        safe = neutralise(frame)
        atomic_write(path, lambda p: safe.write_csv(p))
    else:
        path = out / f"{stem}.parquet"
        atomic_write(path, lambda p: frame.write_parquet(p, compression="snappy"))
    return path


def write_rejects(rejects: pl.DataFrame, out: Path) -> Path:
    path = out / "rejects.csv"
    safe = neutralise(rejects)
    atomic_write(path, lambda p: safe.write_csv(p))
    return path


def write_summary(summary: dict[str, Any], out: Path) -> Path:
    path = out / "summary.json"
    text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
