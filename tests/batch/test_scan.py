"""The compiled cell scans accept exactly the cells the reference expressions accept, with the
same values, whatever the chunks, nulls and lengths of the column."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules.batch import cells
from heatrules.batch.validate import scan

NUMBERISH = st.text(
    st.sampled_from(list("0123456789") * 4 + list("+-. e,_x") + ["１", "\u00a0", "٣"]),
    max_size=18,
)
DATEISH = st.one_of(
    st.dates().map(str),
    st.text(st.sampled_from(list("0123456789-") * 3 + [" ", "T", "/", "０"]), max_size=12),
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
)
SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\u0085", "\u00a0", "\u1680", "\u2000"]
SPACES += ["\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\ufeff"]
TEXTISH = st.text(st.sampled_from([*SPACES, "a", "0", "é", "号", "😀", "="]), max_size=16)


def _chunked(values: list[str | None], cut: int) -> pl.DataFrame:
    """A one-column frame in two chunks (the second sliced, so its validity has an offset)."""
    s = pl.Series("x", values, dtype=pl.String)
    cut = min(cut, len(values))
    head = s.slice(0, cut)
    tail = pl.concat([pl.Series("x", [None, "pad"], dtype=pl.String), s.slice(cut)]).slice(2)
    return pl.concat([head.to_frame(), tail.to_frame()], rechunk=False)


def _same(frame: pl.DataFrame, kind: str, decimals: int, ref: pl.Expr) -> None:
    try:
        expected = frame.select(ref.alias("x")).to_series().to_list()
    except pl.exceptions.InvalidOperationError:
        with pytest.raises(pl.exceptions.InvalidOperationError):
            scan.parse_column(frame, "x", kind, decimals, ref)
        return
    got = scan.parse_column(frame, "x", kind, decimals, ref)
    assert got is not None
    assert got.to_list() == expected
    assert got.chunk_lengths() == frame.get_column("x").chunk_lengths()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), NUMBERISH), max_size=30), st.integers(0, 30))
def test_decimals(values: list[str | None], cut: int) -> None:
    frame = _chunked(values, cut)
    for decimals in (0, 2, 3, 6):
        _same(frame, "decimal", decimals, cells.decimal("x", decimals).value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), DATEISH), max_size=30), st.integers(0, 30))
def test_dates(values: list[str | None], cut: int) -> None:
    _same(_chunked(values, cut), "date", 0, cells.date_days("x").value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXTISH), max_size=30), st.integers(0, 30))
def test_text(values: list[str | None], cut: int) -> None:
    _same(_chunked(values, cut), "text", 0, cells.text("x").value)


def test_edges() -> None:
    nums = ["+5", "-0", "007", "1.50000", "1.", ".5", "", "0000000000000000000009", "-12.34"]
    nums += ["9999999999999", "99999999999999", "1.0000000000000000000000001", "+-1"]
    frame = _chunked(nums, 4)
    for decimals in (0, 2, 3):
        _same(frame, "decimal", decimals, cells.decimal("x", decimals).value)
    days = ["0000-01-01", "0001-01-01", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29"]
    days += ["9999-12-31", "2024-04-31", "2024-1-01", "2024-01-01T00:00"]
    _same(_chunked(days, 3), "date", 0, cells.date_days("x").value)
    texts = ["", " ", "\u3000", "  x", "\u200b", " " * 13, " " * 12 + "x", "x" * 20, "\u00a0" * 7]
    _same(_chunked(texts, 2), "text", 0, cells.text("x").value)
