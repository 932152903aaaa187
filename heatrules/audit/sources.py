"""Reading the claimed file (CSV, Parquet or a DataFrame) as text cells with line numbers.

The batch tables are read by the batch engine's readers (:mod:`heatrules.batch.readers`); the
claimed file has columns of its own, so it is read here the same way: every cell as the text
written (never inferred — ids keep their leading zeros, no number goes through a float), an
empty cell absent, and a ``__line`` column: the physical line of the row in a CSV file (the
header is line 1; quoted cells spanning lines are counted), or the 1-based data row of a
Parquet file or DataFrame. A float column makes the file unusable (money is never a float).
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputFileError

LINE = "__line"
ENCODINGS = ("utf-8", "gbk", "gb18030")
REJECT_SCHEMA = pl.Schema(
    {
        "table": pl.String,
        "file": pl.String,
        "line": pl.Int64,
        "column": pl.String,
        "value": pl.String,
        "reason": pl.String,
    }
)
"""The columns of ``rejects.csv`` (as in the batch engine)."""


def _decode(data: bytes, encoding: str, source: str) -> bytes:
    """UTF-8 bytes without a BOM; undecodable bytes name the line."""
    if encoding not in ENCODINGS:
        raise InputFileError(f"unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    if data.startswith(codecs.BOM_UTF8):
        # the UTF-8 byte-order mark outranks --encoding (as in the batch tables)
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            f"{source}: line {line}: bytes that are not {encoding} (give --encoding gbk or "
            "gb18030 for files saved by Chinese Excel)"
        ) from None
    return data if encoding == "utf-8" else text.lstrip("\ufeff").encode("utf-8")


def read_header(source: Any, encoding: str = "utf-8") -> tuple[list[str], str]:
    """The column names of ``source`` and a name for it in messages (the file's path)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            raise InputFileError(f"{path}: is a folder, not a file (claimed figures)")
        if not path.is_file():
            raise InputFileError(f"{path}: no such file (claimed figures)")
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            try:
                return list(pq.read_schema(path).names), str(path)
            except (OSError, ValueError) as exc:
                raise InputFileError(f"{path}: cannot be read as Parquet: {exc}") from None
        try:
            with path.open("rb") as fh:
                first = fh.readline()
        except OSError as exc:
            raise InputFileError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        text = _decode(first, encoding, str(path)).decode("utf-8").rstrip("\r\n")
        header = next(csv.reader([text]), [])
        if not header or header == [""]:
            raise InputFileError(f"{path}: empty file (no header row)")
        return [h.strip() for h in header], str(path)
    frame = _as_polars(source)
    return list(frame.columns), "<claimed DataFrame>"


def read_text(
    source: Any, columns: list[str], encoding: str = "utf-8", texts: tuple[str, ...] = ()
) -> pl.DataFrame:
    """The ``columns`` of ``source`` as text cells, plus ``__line``; in Parquet or a DataFrame
    the ``texts`` columns (the keys) must be text, as in the batch tables."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix.lower() in (".parquet", ".pq"):
            return _text_frame(pl.read_parquet(path, columns=columns), str(path), texts)
        return _read_csv(path, columns, encoding)
    return _text_frame(_as_polars(source).select(columns), "<claimed DataFrame>", texts)


def _read_csv(path: Path, columns: list[str], encoding: str) -> pl.DataFrame:
    """A UTF-8 file is read by polars straight from the file (parallel, no copy in memory);
    the bytes are read in to decode GBK / GB18030, or to say what is wrong with a file polars
    cannot read (bytes that are not UTF-8 name their line)."""
    source = str(path)
    frame: pl.DataFrame | None = None
    data: bytes | None = None
    if encoding == "utf-8":
        try:
            with path.open("rb") as fh:
                first = fh.readline()
            if first.startswith(codecs.BOM_UTF8):
                first = first[len(codecs.BOM_UTF8) :]
            raw_header = next(csv.reader([first.decode("utf-8").rstrip("\r\n")]))
            wanted = [h for h in raw_header if h.strip() in columns]
            frame = pl.scan_csv(path, infer_schema=False, glob=False).select(wanted).collect()
        except Exception:  # not readable as it is: read the bytes in and say why
            frame = None
    if frame is None:
        data = _decode(path.read_bytes(), encoding, source)
        raw_header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")]))
        wanted = [h for h in raw_header if h.strip() in columns]
        try:
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, columns=wanted)
        except Exception as exc:  # polars raises ComputeError, NoDataError, …
            raise InputFileError(f"{source}: not a readable CSV table: {exc}") from None
    frame = frame.rename({h: h.strip() for h in wanted})
    line = pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=False)
    quoted = b'"' in data if data is not None else _has_quote(path)
    if quoted and columns:
        # a quoted cell may span lines: count its newlines into the following rows' numbers
        extra = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in columns]
        )
        line = line + extra.cum_sum().shift(1, fill_value=0)
    frame = frame.with_columns(line.alias(LINE))
    # a blank line reads as a row of empty cells: it is not a row
    return frame.filter(~pl.all_horizontal([pl.col(c).is_null() for c in columns]))


def _has_quote(path: Path) -> bool:
    """Whether the file holds a ``"`` (a quoted cell may span lines), without reading it in."""
    with path.open("rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b'"') >= 0


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    try:
        import pyarrow as pa

        if isinstance(frame, pa.Table):
            return pl.DataFrame(pl.from_arrow(frame))
        return pl.from_pandas(frame)
    except (ImportError, TypeError, ValueError) as exc:
        raise InputFileError(
            f"claimed figures: expected a file path or a DataFrame, got {type(frame).__name__} "
            f"({exc})"
        ) from None


def _text_frame(frame: pl.DataFrame, source: str, texts: tuple[str, ...]) -> pl.DataFrame:
    """A typed frame as text cells; a float column, or a number in a ``texts`` column, makes
    it unusable."""
    exprs = []
    for c in frame.columns:
        dt = frame.schema[c]
        col = pl.col(c)
        if dt.is_float():
            raise InputFileError(
                f"{source}: column {c!r} is a float column ({dt}); floats are never accepted — "
                "write money as decimal, integer or text"
            )
        if dt == pl.String:
            exprs.append(pl.when(col == "").then(None).otherwise(col).alias(c))
        elif c in texts and dt != pl.Null:
            raise InputFileError(
                f"{source}: column {c!r} is a {dt} column; it must be a text (string) column — "
                "an id or season read as a number loses its leading zeros"
            )
        elif dt.is_integer() or isinstance(dt, pl.Decimal) or dt == pl.Null:
            exprs.append(col.cast(pl.String).alias(c))
        else:
            raise InputFileError(
                f"{source}: column {c!r} has type {dt}; claimed figures are text or numbers"
            )
    out = frame.select(exprs) if exprs else pl.DataFrame()
    return out.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(LINE))
