"""Rows are found by their (account_id, season) pair exactly as a join on the strings would."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatrules.batch.validate.keys import AccountIndex

IDS = st.one_of(
    st.none(),
    st.text("0123456789", min_size=1, max_size=4),
    st.sampled_from(["+1", "-1", "01", "+0", "-0", "00", " 1", "1 ", "a1", "１２", "10", "1"]),
)
SEASONS = st.one_of(st.none(), st.integers(2022, 2025))


def reference(
    ids: list[str | None], seasons: list[int | None], ev: list[tuple[str | None, int | None]]
) -> tuple[list[bool], list[int | None], list[bool]]:
    first: dict[tuple[str, int], int] = {}
    count: dict[tuple[str, int], int] = {}
    for k, (i, s) in enumerate(zip(ids, seasons, strict=True)):
        if i is not None and s is not None:
            first.setdefault((i, s), k)
            count[(i, s)] = count.get((i, s), 0) + 1
    dup = [
        i is not None and s is not None and count[(i, s)] > 1
        for i, s in zip(ids, seasons, strict=True)
    ]
    kid = [first.get((i, s)) if i is not None and s is not None else None for i, s in ev]
    firsts = [
        i is not None and s is not None and first[(i, s)] == k
        for k, (i, s) in enumerate(zip(ids, seasons, strict=True))
    ]
    return dup, kid, firsts


def check(
    ids: list[str | None], seasons: list[int | None], ev: list[tuple[str | None, int | None]]
) -> AccountIndex:
    index = AccountIndex(pl.Series(ids, dtype=pl.String), pl.Series(seasons, dtype=pl.Int64))
    dup, kid, firsts = reference(ids, seasons, ev)
    assert index.duplicated.to_list() == dup
    assert index.first_rows().to_list() == firsts
    got = index.kid(
        pl.Series([i for i, _ in ev], dtype=pl.String),
        pl.Series([s for _, s in ev], dtype=pl.Int64),
    )
    assert got.to_list() == kid
    return index


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(IDS, SEASONS), max_size=12),
    st.lists(st.tuples(IDS, SEASONS), max_size=12),
    st.booleans(),
)
def test_same_as_a_join_on_the_strings(
    accounts: list[tuple[str | None, int | None]],
    events: list[tuple[str | None, int | None]],
    from_accounts: bool,
) -> None:
    if from_accounts:  # events that mostly name accounts, in account order
        events = sorted(accounts + events, key=lambda p: (p[0] or "", p[1] or 0))
    check([i for i, _ in accounts], [s for _, s in accounts], events)


def test_sorted_digit_ids_merge() -> None:
    ids = [f"{k:09d}" for k in range(0, 3000, 3)]
    events = [(f"{k:09d}", 2024) for k in range(0, 3000)] + [("1", 2024), (None, 2024)]
    index = check(ids, [2024] * len(ids), events)
    assert index.width == 9 and not index.exact
    assert index.table.get_column("code").flags["SORTED_ASC"]


def test_codes_shared_by_different_pairs_fall_back_to_the_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every pair hashed alike: the index must tell them apart by the strings
    monkeypatch.setattr(
        AccountIndex,
        "encode",
        lambda self, ids, seasons: pl.Series("code", [7] * ids.len(), dtype=pl.UInt64),
    )
    ids = ["a1", "b2", "b2", "c3"]
    index = check(ids, [2024] * 4, [("b2", 2024), ("a1", 2024), ("c3", 2025), ("zz", 2024)])
    assert index.exact
    assert index.duplicated.to_list() == [False, True, True, False]


def test_digit_ids_with_a_sign_are_not_digits() -> None:
    # '+1' and '01' are both the number 1 with two characters
    index = check(["+1", "01", "01", "02"], [2024] * 4, [("01", 2024), ("+1", 2024), ("02", 2024)])
    assert index.width == 0
    index = check(["01", "02"], [2024] * 2, [("+1", 2024), ("01", 2024), ("1", 2024), ("-1", 2024)])
    assert index.width == 2


def test_ids_that_are_not_digits_use_hashes() -> None:
    ids = ["TJ-1", "TJ-2", "TJ-1", "x"]
    index = check(ids, [2024, 2024, 2025, 2024], [("TJ-1", 2025), ("TJ-1", 2024), ("y", 2024)])
    assert index.width == 0 and not index.exact


def test_empty() -> None:
    check([], [], [("1", 2024)])
    check([None], [2024], [])


def test_chunked_columns_and_several_seasons() -> None:
    """Ids in several chunks (as read from a CSV file), seasons in one or several."""
    ids = pl.concat(
        [pl.Series("i", ["001", "002", None]), pl.Series("i", ["003", "001", "004"])],
        rechunk=False,
    )
    seasons = pl.Series("s", [2024, 2024, 2024, 2024, 2025, None], dtype=pl.Int64)
    index = AccountIndex(ids, seasons)
    assert index.width == 3
    ev_ids = pl.concat(
        [pl.Series("i", ["001", "001"]), pl.Series("i", ["004", "003", "1", "002"])],
        rechunk=False,
    )
    ev_seasons = pl.concat(
        [pl.Series("s", [2025, 2024, 2024]), pl.Series("s", [2024, 2024, 2026])], rechunk=False
    )
    assert index.kid(ev_ids, ev_seasons).to_list() == [4, 0, None, 3, None, None]
    one_season = pl.Series("s", [2024] * 6, dtype=pl.Int64)
    assert index.kid(ev_ids, one_season).to_list() == [0, 0, None, 3, None, 1]


def test_a_few_ids_that_are_not_digits_are_looked_up_by_the_strings() -> None:
    ids = [f"{k:05d}" for k in range(60)] + ["0001X", "A-7", "0001X", "12345678"]
    seasons = [2024] * len(ids)
    events = [("0001X", 2024), ("00003", 2024), ("A-7", 2024), ("a-7", 2024), ("12345678", 2024)]
    events += [("00001", 2025), (None, 2024), ("0001x", 2024), ("00029", 2024)]
    index = check(ids, seasons, events)
    assert index.width == 5 and index.odd.height == 3
