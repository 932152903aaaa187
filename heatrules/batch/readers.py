"""Readers: CSV, Parquet and DataFrames → one frame of text cells per table, with line numbers.

``../shared/spec/batch-tables.md``: CSV is read with every column as text (never inferred, so
ids keep their leading zeros and no number goes through a float), UTF-8 with or without BOM,
or GBK / GB18030 for files saved by Chinese Excel; undecodable bytes are an error naming the
file and line. Parquet text columns are strings; numbers may be decimal, integer or string
columns — a float column is rejected (the file is unusable, exit 2). DataFrame input (polars,
or pandas through pyarrow) is treated like Parquet.

Every frame gets a ``__line`` column: the physical line of the row in a CSV file (the header is
line 1; quoted cells spanning lines are counted), or the 1-based data row for Parquet and
DataFrames. Missing optional columns are added as empty (absent) cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .schema import TABLES, Table

LINE = "__line"
RAGGED = "(row)"
"""A CSV row with more fields than the header: the reason, else null (the row is rejected whole)."""
ENCODINGS = ("utf-8", "gbk", "gb18030")


class BatchInputError(Exception):
    """An input that cannot be used at all (exit code 2): missing file, bad header, bad bytes."""


@dataclass(frozen=True)
class RawTable:
    """One input table as text cells: the spec columns plus ``__line``."""

    name: str
    source: str
    frame: pl.DataFrame

    @property
    def rows(self) -> int:
        return self.frame.height


def _check_header(table: Table, names: list[str], source: str, ignore_extra: bool) -> list[str]:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise BatchInputError(f"{source}: column {n!r} appears twice in the header")
        seen.add(n)
    unknown = [n for n in names if n not in table.names]
    if unknown and not ignore_extra:
        raise BatchInputError(
            f"{source}: unknown column(s) {', '.join(map(repr, unknown))} in table "
            f"{table.name} (known: {', '.join(table.names)}; use --ignore-extra-columns to "
            "skip them)"
        )
    missing = [n for n in table.required_header if n not in seen]
    if missing:
        raise BatchInputError(
            f"{source}: required column(s) {', '.join(map(repr, missing))} missing from "
            f"table {table.name}"
        )
    if table.name == "no_heat" and "account_id" not in seen and "station_id" not in seen:
        raise BatchInputError(f"{source}: table no_heat needs an account_id or station_id column")
    return [n for n in names if n in table.names]


def aligned(frame: pl.DataFrame, s: pl.Series) -> pl.Series:
    """``s`` cut into the chunks of ``frame`` (of its first column; slices, no copy), to be
    added to the frame.

    A CSV file is read in chunks; a column of other chunks (or of one) would make polars copy
    every column of the frame into one chunk at its next filter or horizontal expression —
    a whole copy of the file's cells.
    """
    lengths = frame.get_column(frame.columns[0]).chunk_lengths() if frame.width else []
    if s.chunk_lengths() == lengths:
        return s
    if s.n_chunks() > 1:
        s = s.rechunk()  # one column copied, so that each slice below is one chunk
    if len(lengths) <= 1:
        return s
    out = s.slice(0, lengths[0])
    start = lengths[0]
    for n in lengths[1:]:
        out.append(s.slice(start, n))
        start += n
    return out


def with_aligned(frame: pl.DataFrame, *exprs: pl.Expr) -> pl.DataFrame:
    """``frame.with_columns(*exprs)``, each new column cut into the frame's chunks
    (:func:`aligned`): an expression's result may come in other chunks. (A literal column
    is not materialised, and is no column of other chunks to polars.)"""
    new = frame.select(*exprs)
    cols: list[pl.Series | pl.Expr] = []
    for s in new:
        if s.len() == frame.height:
            cols.append(aligned(frame, s))
        else:  # a literal stays one: polars broadcasts it, in any chunks, without copying
            cols.append(pl.lit(s.first(), dtype=s.dtype).alias(s.name))
    return frame.with_columns(cols)


def _complete(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Add absent optional columns as nulls and order the columns as in the spec."""
    absent = [c for c in table.names if c not in frame.columns]
    if absent:  # literals (not materialised, and not a column of other chunks)
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)
    keep = [RAGGED] if RAGGED in frame.columns else []
    return frame.select([*table.names, LINE, *keep])


def _decode(data: bytes, encoding: str, source: str) -> bytes:
    """Return UTF-8 bytes without BOM; undecodable bytes name the file and line."""
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf8", "utf-8", "utf-8-sig"):
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        return data  # polars checks UTF-8 while reading; _utf8_error locates a bad byte
    if enc not in ("gbk", "gb18030"):
        raise BatchInputError(f"unsupported encoding {encoding!r} (utf-8, gbk or gb18030)")
    if data.startswith(codecs.BOM_UTF8):
        # the UTF-8 byte-order mark outranks --encoding (as in the WHATWG encoding standard):
        # read as GBK its bytes would be mojibake, not an error
        data = data[len(codecs.BOM_UTF8) :]
        error = _utf8_error(data, source)
        if error is not None:
            raise error
        return data
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BatchInputError(
            f"{source}: line {line}: bytes that are not {enc.upper()} ({data[exc.start : exc.end]!r})"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.encode("utf-8")


def _utf8_error(data: bytes, source: str) -> BatchInputError | None:
    """The error naming the line of the first byte that is not UTF-8, if there is one."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return BatchInputError(
            f"{source}: line {line}: bytes that are not UTF-8 "
            f"({data[exc.start : exc.end]!r}); give --encoding gbk or gb18030 for files "
            "saved by Chinese Excel"
        )
    return None


_ROW_NUMBER: dict[str, Any] = {"row_index_name": LINE, "row_index_offset": 2}
"""The physical line of a row when no cell spans lines (the header is line 1)."""


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf8", "utf-8", "utf-8-sig")


def _header(first: bytes, source: str) -> list[str]:
    """The header's column names from the file's first line (UTF-8, BOM removed)."""
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    text = first.decode("utf-8").rstrip("\r\n")
    header = next(csv.reader([text]), [])
    if not header or header == [""]:
        raise BatchInputError(f"{source}: empty file (no header row)")
    return header


def read_csv(
    name: str, path: str | Path, *, encoding: str = "utf-8", ignore_extra: bool = False
) -> RawTable:
    """Read one CSV table (every cell as text).

    A UTF-8 file is read by polars straight from the file (no copy of it in memory); the
    whole file is read into memory only to decode GBK / GB18030, or to locate a problem
    (bytes that are not UTF-8, a row with too many fields).
    """
    table = TABLES[name]
    source = str(path)
    data: bytes | None = None
    try:
        if _is_utf8(encoding):
            with open(path, "rb") as fh:
                first = fh.readline()
        else:
            data = _decode(Path(path).read_bytes(), encoding, source)
            first = data[: data.find(b"\n") + 1] if b"\n" in data else data
    except OSError as exc:
        raise BatchInputError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    try:
        header = _header(first, source)
    except UnicodeDecodeError:
        data = data if data is not None else _decode(Path(path).read_bytes(), "utf-8", source)
        raise _utf8_error(data, source) or BatchInputError(source) from None
    keep = _check_header(table, header, source, ignore_extra)
    ragged: pl.Series | None = None
    try:
        if data is None:
            frame = (
                pl.scan_csv(path, infer_schema=False, glob=False, **_ROW_NUMBER)
                .select(LINE, *keep)
                .collect()
            )
        else:
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, columns=keep, **_ROW_NUMBER)
    except Exception as exc:  # polars raises ComputeError, NoDataError, …
        if data is None:
            data = _decode(Path(path).read_bytes(), "utf-8", source)
        utf8 = _utf8_error(data, source)
        if utf8 is not None:
            raise utf8 from None
        ragged = _ragged_rows(data, len(header))
        if not ragged.is_not_null().any():
            raise BatchInputError(f"{source}: {_csv_problem(data, exc)}") from None
        # rows with a wrong number of fields are rejected whole; the others are read as usual
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            columns=keep,
            truncate_ragged_lines=True,
            **_ROW_NUMBER,
        )
    # the row number comes with the rows, in the same chunks: a column of other chunks would
    # make polars copy every column of the file into one chunk at the next filter or select
    line = pl.col(LINE).cast(pl.Int64)
    if keep and (b'"' in data if data is not None else _has_quote(path)):
        # a quoted cell may span lines: count its newlines into the following rows' numbers
        extra = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in keep]
        )
        line = line + extra.cum_sum().shift(1, fill_value=0)
    frame = frame.select(*keep, LINE)  # the first column's chunks are the file's
    frame = with_aligned(frame, line.alias(LINE))
    if ragged is not None and ragged.len() == frame.height:
        frame = frame.with_columns(aligned(frame, ragged))
    # a blank line reads as a row of empty cells: it is not a row (filtered only when there is
    # one: a filter copies every column of the file into one chunk)
    blank = frame.select(pl.all_horizontal([pl.col(c).is_null() for c in keep])).to_series()
    if blank.any():
        frame = frame.filter(~blank)
    return RawTable(name, source, _complete(table, frame))


def _has_quote(path: str | Path) -> bool:
    """Whether the file holds a ``"`` (a quoted cell may span lines), without reading it in."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b'"') >= 0


def _ragged_rows(data: bytes, width: int) -> pl.Series:
    """For every data record (blank ones included, as polars reads them): why it has more
    fields than the header, or None. (A shorter row's missing trailing cells are empty, i.e.
    absent — as polars and spreadsheet exports read them.) Records are split as
    ``csv.reader`` splits them (by :mod:`.csvfields`, compiled, unless the text holds a NUL
    character, which ``csv.reader`` refuses)."""
    if b"\x00" in data:
        reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""))
        counts = pl.Series([len(record) for record in reader], dtype=pl.Int64)
    else:
        from .csvfields import field_counts

        counts = pl.Series(field_counts(data), dtype=pl.Int64)
    counts = counts.slice(1)  # the header
    return (
        counts.to_frame("n")
        .select(
            pl.when(pl.col("n") > width)
            .then(pl.format("{} fields, but the header has {}", pl.col("n"), pl.lit(width)))
            .alias(RAGGED)
        )
        .to_series()
    )


def _text_frame(table: Table, frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Turn a typed (Parquet-like) frame into text cells; float columns are unusable."""
    exprs = []
    for c in frame.columns:
        dt = frame.schema[c]
        col = pl.col(c)
        if dt.is_float():
            raise BatchInputError(
                f"{source}: column {c!r} of table {table.name} is a float column ({dt}); "
                "floats are never accepted — write numbers as decimal, integer or text"
            )
        if dt == pl.String:
            # an empty cell is absent, as in CSV
            exprs.append(pl.when(col == "").then(None).otherwise(col).alias(c))
        elif dt == pl.Boolean:
            # a null stays absent (when/then without otherwise), as an empty CSV cell
            exprs.append(
                pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false")).alias(c)
            )
        elif dt.is_integer() or isinstance(dt, pl.Decimal):
            kind = table.column(c).kind if c in table.names else "decimal"
            if kind in ("text", "season", "choice", "date", "timestamp", "bool"):
                raise BatchInputError(
                    f"{source}: column {c!r} of table {table.name} is a {dt} column; it must be "
                    "a text (string) column — an id read as a number loses its leading zeros"
                )
            exprs.append(col.cast(pl.String).alias(c))
        elif dt == pl.Date:
            exprs.append(col.dt.to_string("%Y-%m-%d").alias(c))
        elif isinstance(dt, pl.Datetime):
            if dt.time_zone is not None:
                col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
                exprs.append((col.dt.to_string("%Y-%m-%dT%H:%M:%S%.f") + "Z").alias(c))
            else:
                exprs.append(col.dt.to_string("%Y-%m-%dT%H:%M:%S%.f").alias(c))
        elif dt == pl.Null:
            exprs.append(col.cast(pl.String).alias(c))
        else:
            raise BatchInputError(
                f"{source}: column {c!r} of table {table.name} has type {dt}, which is not "
                "text, a number, a boolean, a date or a timestamp"
            )
    out = frame.select(exprs) if exprs else pl.DataFrame()
    return out.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(LINE))


def read_frame(
    name: str, frame: Any, *, source: str | None = None, ignore_extra: bool = False
) -> RawTable:
    """A polars or pandas DataFrame (or a pyarrow Table) as a batch table."""
    table = TABLES[name]
    src = source or f"<{name} DataFrame>"
    if isinstance(frame, pl.DataFrame):
        df = frame
    else:
        try:
            import pyarrow as pa  # type: ignore[import-untyped]

            if isinstance(frame, pa.Table):
                df = pl.DataFrame(pl.from_arrow(frame))
            else:
                df = pl.from_pandas(frame)
        except (ImportError, TypeError, ValueError) as exc:
            raise BatchInputError(f"{src}: not a DataFrame or Arrow table: {exc}") from None
    keep = _check_header(table, list(df.columns), src, ignore_extra)
    df = _text_frame(table, df.select(keep), src)
    return RawTable(name, src, _complete(table, df))


def read_parquet(name: str, path: str | Path, *, ignore_extra: bool = False) -> RawTable:
    """Read one Parquet table through pyarrow (float columns make the file unusable)."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    source = str(path)
    try:
        arrow = pq.read_table(str(path))
    except (OSError, ValueError) as exc:
        raise BatchInputError(f"{source}: cannot be read as Parquet: {exc}") from None
    return read_frame(
        name, pl.DataFrame(pl.from_arrow(arrow)), source=source, ignore_extra=ignore_extra
    )


def _csv_problem(data: str | bytes, exc: Exception) -> str:
    """What makes ``data`` unreadable as CSV, with its line when it can be found."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as err:
        if "end of data" in str(err):
            return f"line {start}: a quoted field is never closed (a '\"' without its pair)"
        return f"line {reader.line_num}: not valid CSV ({err})"
    # polars' message without its advice on reader options (which the user cannot set here)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"not a readable CSV table: {first}"


def read_table(
    name: str, src: Any, *, encoding: str = "utf-8", ignore_extra: bool = False
) -> RawTable:
    """Read ``src`` — a path (``.csv``/``.parquet``) or a DataFrame — as table ``name``."""
    if src is None or (isinstance(src, str) and not src.strip()):
        raise BatchInputError(f"the {name} table is missing (give a path or a DataFrame)")
    if isinstance(src, (str, Path)):
        path = Path(src)
        if not path.exists():
            raise BatchInputError(f"{path}: no such file ({name} table)")
        if path.is_dir():
            raise BatchInputError(f"{path}: is a folder, not a file ({name} table)")
        kind = _binary_kind(path)
        if path.suffix.lower() in (".parquet", ".pq") or kind == "Parquet":
            return read_parquet(name, path, ignore_extra=ignore_extra)
        if kind is not None:
            raise BatchInputError(
                f"{path}: is a {kind} file, not CSV or Parquet ({name} table); "
                "save it as CSV (UTF-8) or Parquet"
            )
        return read_csv(name, path, encoding=encoding, ignore_extra=ignore_extra)
    return read_frame(name, src, ignore_extra=ignore_extra)


_MAGIC = (
    (b"PAR1", "Parquet"),
    (b"PK\x03\x04", "zip (an Excel .xlsx or a zip archive)"),
    (b"\xd0\xcf\x11\xe0", "legacy Excel (.xls)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"(\xb5/\xfd", "zstd-compressed"),
)


def _binary_kind(path: Path) -> str | None:
    """The kind of a file that is plainly not text, from its first bytes (None: maybe CSV)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise BatchInputError(f"{path}: cannot be read: {exc.strerror}") from None
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def empty_table(name: str) -> RawTable:
    """An absent optional table: no rows."""
    table = TABLES[name]
    frame = pl.DataFrame(
        {c: pl.Series(c, [], dtype=pl.String) for c in table.names}
        | {LINE: pl.Series(LINE, [], dtype=pl.Int64)}
    )
    return RawTable(name, "", frame)
