"""Compiled scans of the big tables' text cells: decimals, dates and non-blank text (numba).

Polars' string kernels cost 20–50 ns a cell for each pattern or cast, and a decimal cell
takes a pattern and a cast. The cells of the accounts and payments tables are short: Arrow's
string views (polars' strings) hold a cell of up to 12 bytes inline, so one compiled pass over
the views reads a column at a few ns a cell, without copying it.

Each scan gives every cell a state — :data:`ABSENT` (a null cell), :data:`OK` (the value is
set), :data:`BAD` or :data:`LONG`: a cell of more than 12 bytes (not inline), or a value the
scan leaves to the reference — and :func:`parse_column` parses the ``LONG`` cells with the
column's polars expression (:mod:`heatrules.batch.cells`). The scans accept exactly the cells
those expressions accept and give the same values (``tests/batch/test_scan.py`` checks them
against each other); the expressions remain the definition.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
from numba import njit

from .. import cells
from ..readers import aligned

ABSENT, OK, BAD, LONG = 0, 1, 2, 3
INLINE = 12
"""Bytes of a string held inline in its view."""
_MIN_YEAR = 1  # 0001-01-01, cells.MIN_DAY


@njit(cache=True, inline="always")
def _length(views, i):  # type: ignore[no-untyped-def]
    return (
        np.int64(views[i, 0])
        | (np.int64(views[i, 1]) << 8)
        | (np.int64(views[i, 2]) << 16)
        | (np.int64(views[i, 3]) << 24)
    )


@njit(cache=True, nogil=True)
def scan_decimal(views, valid, decimals, max_int_digits, value, state):  # type: ignore[no-untyped-def]
    """``[+-]?0*[0-9]{1,max}(.[0-9]{1,decimals}0*|.0+)?`` → the integer scaled by 10^decimals
    (:func:`heatrules.batch.cells.decimal`)."""
    for i in range(views.shape[0]):
        value[i] = 0
        if not valid[i]:
            state[i] = ABSENT
            continue
        n = _length(views, i)
        if n > INLINE:
            state[i] = LONG
            continue
        p = 4
        end = 4 + n
        neg = False
        if p < end and (views[i, p] == 43 or views[i, p] == 45):  # + -
            neg = views[i, p] == 45
            p += 1
        digits = 0
        significant = 0
        whole = np.int64(0)
        while p < end and 48 <= views[i, p] <= 57:
            d = np.int64(views[i, p]) - 48
            if significant or d:
                significant += 1
                whole = whole * 10 + d
            digits += 1
            p += 1
        st = OK
        if digits == 0 or significant > max_int_digits:
            st = BAD
        frac = np.int64(0)
        seen = 0
        if st == OK and p < end:
            if views[i, p] != 46:  # .
                st = BAD
            else:
                p += 1
                if p == end:
                    st = BAD
                while p < end and st == OK:
                    c = views[i, p]
                    if c < 48 or c > 57:
                        st = BAD
                    elif seen < decimals:
                        frac = frac * 10 + (np.int64(c) - 48)
                        seen += 1
                    elif c != 48:
                        st = BAD
                    p += 1
        if st == OK and significant + decimals > 18:
            st = LONG  # beyond int64: left to the reference
        if st == OK:
            for _ in range(seen, decimals):
                frac *= 10
            scale = np.int64(1)
            for _ in range(decimals):
                scale *= 10
            v = whole * scale + frac
            value[i] = -v if neg else v
        state[i] = st


@njit(cache=True, inline="always")
def _days_in_month(y, m):  # type: ignore[no-untyped-def]
    if m == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        return 29 if leap else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31


@njit(cache=True, inline="always")
def _days_from_civil(y, m, d):  # type: ignore[no-untyped-def]
    yy = y - (1 if m <= 2 else 0)
    era = yy // 400
    yoe = yy - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, nogil=True)
def scan_date(views, valid, value, state):  # type: ignore[no-untyped-def]
    """``YYYY-MM-DD``, a real date from 0001-01-01 → days since 1970-01-01
    (:func:`heatrules.batch.cells.date_days`)."""
    for i in range(views.shape[0]):
        value[i] = 0
        if not valid[i]:
            state[i] = ABSENT
            continue
        n = _length(views, i)
        if n > INLINE:
            state[i] = LONG
            continue
        if n != 10 or views[i, 8] != 45 or views[i, 11] != 45:
            state[i] = BAD
            continue
        y = np.int64(0)
        m = np.int64(0)
        d = np.int64(0)
        ok = True
        for k in range(10):
            if k == 4 or k == 7:
                continue
            c = views[i, 4 + k]
            if c < 48 or c > 57:
                ok = False
                break
            if k < 4:
                y = y * 10 + (np.int64(c) - 48)
            elif k < 7:
                m = m * 10 + (np.int64(c) - 48)
            else:
                d = d * 10 + (np.int64(c) - 48)
        if not ok or y < _MIN_YEAR or m < 1 or m > 12 or d < 1 or d > _days_in_month(y, m):
            state[i] = BAD
            continue
        value[i] = _days_from_civil(y, m, d)
        state[i] = OK


@njit(cache=True, inline="always")
def _white_space(cp):  # type: ignore[no-untyped-def]
    """Unicode White_Space (what ``\\s`` matches in polars' patterns)."""
    return (
        (9 <= cp <= 13)
        or cp == 0x20
        or cp == 0x85
        or cp == 0xA0
        or cp == 0x1680
        or (0x2000 <= cp <= 0x200A)
        or cp == 0x2028
        or cp == 0x2029
        or cp == 0x202F
        or cp == 0x205F
        or cp == 0x3000
    )


@njit(cache=True, nogil=True)
def scan_text(views, valid, state):  # type: ignore[no-untyped-def]
    """A cell with a character that is not white space is OK, an all-blank one BAD
    (:func:`heatrules.batch.cells.text`); a long cell whose first byte is not ASCII white space
    is OK, others LONG."""
    for i in range(views.shape[0]):
        if not valid[i]:
            state[i] = ABSENT
            continue
        n = _length(views, i)
        if n > INLINE:
            c = views[i, 4]  # the first of the view's four prefix bytes
            state[i] = OK if c < 0x80 and not _white_space(np.int64(c)) else LONG
            continue
        st = BAD
        p = 4
        end = 4 + n
        while p < end:
            c = np.int64(views[i, p])
            if c < 0x80:
                cp = c
                p += 1
            elif c < 0xE0:
                cp = ((c & 0x1F) << 6) | (np.int64(views[i, p + 1]) & 0x3F)
                p += 2
            elif c < 0xF0:
                cp = (
                    ((c & 0x0F) << 12)
                    | ((np.int64(views[i, p + 1]) & 0x3F) << 6)
                    | (np.int64(views[i, p + 2]) & 0x3F)
                )
                p += 3
            else:
                cp = np.int64(0x10000)  # a 4-byte character is never white space
                p += 4
            if not _white_space(cp):
                st = OK
                break
        state[i] = st


@njit(cache=True, nogil=True)
def scan_codes(views, valid, season, season_valid, width, first_year, n_years, code, state):  # type: ignore[no-untyped-def]
    """``int(id) · n_years + (season − first_year)`` for an id of exactly ``width`` ASCII
    digits (≤ 12, inline) and a season of the range: OK; ABSENT when the id or the season is
    null; BAD (no code) otherwise. ``season`` of length 1: the season of every row."""
    each = len(season) > 1 or views.shape[0] == 1
    for i in range(views.shape[0]):
        code[i] = 0
        j = i if each else 0
        if not valid[i] or not season_valid[j]:
            state[i] = ABSENT
            continue
        year = season[j] - first_year
        if _length(views, i) != width or year < 0 or year >= n_years:
            state[i] = BAD
            continue
        number = np.int64(0)
        st = OK
        for p in range(4, 4 + width):
            c = views[i, p]
            if c < 48 or c > 57:
                st = BAD
                break
            number = number * 10 + (np.int64(c) - 48)
        if st == OK:
            code[i] = number * n_years + year
        state[i] = st


def _views(s: pl.Series) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Each chunk of ``s`` as (views (n × 16 bytes, read-only, not copied), valid) — or None
    when its strings do not come as string views."""
    column = s.to_frame().to_arrow(compat_level=pl.CompatLevel.newest()).column(0)
    out = []
    for arr in column.chunks:
        if not pa.types.is_string_view(arr.type):
            return None
        n, at = len(arr), arr.offset
        bufs = arr.buffers()
        views = np.frombuffer(bufs[1], dtype=np.uint8)[at * 16 : (at + n) * 16].reshape(n, 16)
        if bufs[0] is None or arr.null_count == 0:
            valid = np.ones(n, dtype=np.bool_)
        else:
            bits = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
            valid = bits[at : at + n].astype(np.bool_)
        out.append((views, valid))
    return out


def _ints(s: pl.Series) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each chunk of an Int64 series as (values, valid), not copied."""
    out = []
    for arr in s.to_frame().to_arrow().column(0).chunks:
        n, at = len(arr), arr.offset
        bufs = arr.buffers()
        values = np.frombuffer(bufs[1], dtype=np.int64)[at : at + n]
        if bufs[0] is None or arr.null_count == 0:
            valid = np.ones(n, dtype=np.bool_)
        else:
            bits = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
            valid = bits[at : at + n].astype(np.bool_)
        out.append((values, valid))
    return out


def digit_codes(
    ids: pl.Series, seasons: pl.Series, width: int, first_year: int, n_years: int
) -> pl.Series | None:
    """The code of each (id, season) by :func:`scan_codes` (null: none), in the ids' chunks;
    None when the ids do not come as string views."""
    one = bool(ids.len()) and seasons.null_count() == 0 and seasons.n_unique() == 1
    if not one and seasons.chunk_lengths() != ids.chunk_lengths():
        ids, seasons = ids.rechunk(), seasons.rechunk()
    id_chunks = _views(ids)
    if id_chunks is None:
        return None
    if one:  # every row of the same season (as usual): no column of seasons to read
        year = np.full(1, seasons.first(), dtype=np.int64)
        year.flags.writeable = False
        season_chunks = [(year, np.ones(1, dtype=np.bool_))] * len(id_chunks)
    else:
        season_chunks = _ints(seasons)
    arrays = []
    for (views, valid), (season, season_valid) in zip(id_chunks, season_chunks, strict=True):
        n = len(valid)
        code = np.empty(n, dtype=np.int64)
        state = np.empty(n, dtype=np.int8)
        scan_codes(views, valid, season, season_valid, width, first_year, n_years, code, state)
        arrays.append(_int64_array(code, state == OK))
    out = pl.from_arrow(pa.chunked_array(arrays, type=pa.int64()), rechunk=False)
    assert isinstance(out, pl.Series)
    return out.alias("code")


def _int64_array(value: np.ndarray, ok: np.ndarray) -> pa.Array:
    """An Arrow int64 array of ``value`` (not copied), null where not ``ok``."""
    nulls = len(ok) - int(ok.sum())
    bits = pa.py_buffer(np.packbits(ok, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(pa.int64(), len(ok), [bits, pa.py_buffer(value)], nulls)


def parse_column(
    frame: pl.DataFrame, name: str, kind: str, decimals: int, reference: pl.Expr
) -> pl.Series | None:
    """The parsed values of column ``name`` (``kind``: ``decimal``, ``date`` or ``text``), in
    the column's chunks; ``reference`` is the cell's polars value expression, used for the
    ``LONG`` cells. None when the column's strings are not string views (parse it with the
    expression)."""
    s = frame.get_column(name)
    chunks = _views(s)
    if chunks is None:
        return None
    states, values = [], []
    for views, valid in chunks:
        n = len(valid)
        state = np.empty(n, dtype=np.int8)
        value = np.empty(n if kind != "text" else 0, dtype=np.int64)
        if kind == "decimal":
            scan_decimal(views, valid, decimals, cells.MAX_INT_DIGITS, value, state)
        elif kind == "date":
            scan_date(views, valid, value, state)
        else:
            scan_text(views, valid, state)
        states.append(state)
        values.append(value)
    state_all = np.concatenate(states) if len(states) != 1 else states[0]
    long = np.flatnonzero(state_all == LONG)
    if len(long):  # the reference expression decides these cells
        ref = s.gather(long).to_frame(name).select(reference).to_series()
        ref_ok = ref.is_not_null().to_numpy()
        starts = np.cumsum([0] + [len(st) for st in states])
        for k, st in enumerate(states):
            lo, hi = np.searchsorted(long, [starts[k], starts[k + 1]])
            at = long[lo:hi] - starts[k]
            st[at] = np.where(ref_ok[lo:hi], OK, BAD)
            if kind != "text":
                values[k][at] = ref.slice(int(lo), int(hi - lo)).fill_null(0).to_numpy()
    if kind == "text":
        ok = [st == OK for st in states]
        if all(((st == OK) | (st == ABSENT)).all() for st in states):
            return s  # every cell is its own value
        mask = pl.from_arrow(
            pa.chunked_array([pa.array(m) for m in ok], type=pa.bool_()), rechunk=False
        )
        return aligned(frame, frame.select(pl.when(pl.lit(mask)).then(pl.col(name))).to_series())
    arrays = [_int64_array(v, st == OK) for v, st in zip(values, states, strict=True)]
    out = pl.from_arrow(pa.chunked_array(arrays, type=pa.int64()), rechunk=False)
    assert isinstance(out, pl.Series)
    return out


def _warm_up() -> None:
    """Load the scans' machine code (compiled once per installation) for the types used."""
    views = np.zeros((0, 16), dtype=np.uint8)
    views.flags.writeable = False
    valid = np.zeros(0, dtype=np.bool_)
    value = np.zeros(0, dtype=np.int64)
    state = np.zeros(0, dtype=np.int8)
    scan_decimal(views, valid, 2, cells.MAX_INT_DIGITS, value, state)
    scan_date(views, valid, value, state)
    scan_text(views, valid, state)
    season = np.zeros(0, dtype=np.int64)
    season.flags.writeable = False  # as the Arrow buffers of a parsed season column
    scan_codes(views, valid, season, valid, 1, 0, 1, value, state)


_warm_up()
