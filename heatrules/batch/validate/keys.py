"""Finding the account row of a row by ``(account_id, season)`` — fast, and always exactly.

``../shared/spec/batch-tables.md``: ``(account_id, season)`` is unique (a repeated pair
rejects every row of it) and every event row points at an account row by that pair. With
millions of rows, hash joins on a string and an integer column cost more than all the cell
rules; so each pair is coded once as one integer:

* when every account id is made of the same number ``L`` (≤ 12) of ASCII digits — the usual
  account numbers, leading zeros included — the code is ``int(id) · R + (season − first)``
  (``R`` seasons), read by a compiled scan (:func:`.scan.scan_codes`; an id of another length
  or with another character has no code, so matches no account). Ids of ``L`` digits and
  integers below ``10^L`` correspond one to one, so equal codes are equal pairs. The codes keep
  the order of the ids: files sorted by account, as billing systems export them, are matched
  by a *merge* of two sorted integer columns instead of a hash join;
* otherwise the code is a 64-bit hash of the id and the season — only a candidate: every match
  is checked against the exact id and season, and a code shared by two different account
  pairs is detected; in either case the rows are matched by the exact pair instead (a join on
  the strings).

So the result is always that of a join on ``(account_id, season)``; the codes only make it
fast.
"""

from __future__ import annotations

import polars as pl

from .scan import INLINE, digit_codes

_I64_MAX = (1 << 63) - 1
_SEED = 0x5EA5
SLICE = 1 << 20
"""Rows checked at a time (the gathered ids of a slice are freed before the next)."""


def sorted_flag(s: pl.Series) -> pl.Series:
    """``s`` flagged as sorted when it is (and has no nulls), so that joins on it merge."""
    if s.len() > 1 and s.null_count() == 0 and s.is_sorted():
        return s.set_sorted()
    return s


def _kid(n: int) -> pl.Series:
    return pl.int_range(n, dtype=pl.Int64, eager=True).alias("kid")


class AccountIndex:
    """The account rows' ``(account_id, season)`` pairs, for duplicates and look-ups.

    ``ids`` are the parsed account ids (String, null when absent or bad) and ``seasons`` the
    parsed seasons (Int64, null when absent or bad), one per account row; a row with a null in
    either has no key. ``kid`` is the account row (0-based); a repeated pair is found at its
    first row.
    """

    def __init__(self, ids: pl.Series, seasons: pl.Series) -> None:
        self.ids = ids.alias("i")
        self.seasons = seasons.alias("s")
        keyed = self.ids.is_not_null() & self.seasons.is_not_null()
        self.width = self._digits_width(self.ids.filter(keyed), self.seasons.filter(keyed))
        coded = (
            digit_codes(self.ids, self.seasons, self.width, self.first_year, self.n_years)
            if self.width
            else None
        )
        if coded is None or not coded[1]:
            self.width = 0  # an id that is not all digits: hashes
        codes = coded[0] if coded is not None and self.width else self.encode(ids, seasons)
        table = pl.DataFrame([codes.alias("code"), _kid(codes.len())]).filter(
            pl.col("code").is_not_null()
        )
        table = table.with_columns(sorted_flag(table.get_column("code")))
        code = table.get_column("code")
        if code.len() > 1 and code.flags["SORTED_ASC"]:
            same = code.slice(1) == code.slice(0, code.len() - 1)
            shared = same.extend_constant(False, 1) | pl.Series([False]).append(same)
        else:
            shared = code.is_duplicated()
        self.duplicated = pl.repeat(False, ids.len(), dtype=pl.Boolean, eager=True)
        """Whether the row's pair is on other rows too (exactly)."""
        self.exact = False
        """Two different pairs share a code: look rows up by the exact pair."""
        if shared.any():
            # rows sharing a code: repeated pairs, or (very rarely) different pairs coded alike
            rows = table.get_column("kid").filter(shared)
            pairs = pl.DataFrame([self.ids.gather(rows), self.seasons.gather(rows)])
            repeated = pairs.select(pl.struct("i", "s").is_duplicated()).to_series()
            self.exact = not repeated.all()
            self.duplicated = self.duplicated.scatter(rows.filter(repeated), True)
            table = table.unique("code", keep="first", maintain_order=True)
            table = table.with_columns(sorted_flag(table.get_column("code")))
        self.table = table
        """``code → kid`` of every keyed pair (its first row)."""

    def first_rows(self) -> pl.Series:
        """Whether each account row has a key and is the first row of its pair."""
        first = self.ids.is_not_null() & self.seasons.is_not_null()
        if self.duplicated.any():
            rows = _kid(self.ids.len()).filter(self.duplicated)
            pairs = pl.DataFrame([self.ids.gather(rows), self.seasons.gather(rows), rows])
            later = pairs.filter(pl.struct("i", "s").is_first_distinct().not_()).get_column("kid")
            first = first.scatter(later, False)
        return first

    def _digits_width(self, ids: pl.Series, seasons: pl.Series) -> int:
        """``L`` when every keyed id may be ``L`` digits (the scan decides), else 0."""
        if ids.len() == 0:
            return 0
        self.first_year = int(seasons.min())  # type: ignore[arg-type]
        self.n_years = int(seasons.max()) - self.first_year + 1  # type: ignore[arg-type]
        lengths = ids.str.len_bytes()
        width = int(lengths.min())  # type: ignore[arg-type]
        if width != lengths.max() or not 0 < width <= INLINE:
            return 0
        if 10**width * self.n_years > _I64_MAX:
            return 0
        return width

    def encode(self, ids: pl.Series, seasons: pl.Series) -> pl.Series:
        """The code of each ``(id, season)``: null when either is null (or when it cannot be
        an account's code)."""
        if self.width:
            coded = digit_codes(ids, seasons, self.width, self.first_year, self.n_years)
            if coded is not None:
                return coded[0]
        frame = pl.DataFrame([ids.alias("i"), seasons.alias("s")])
        code = pl.when(pl.col("i").is_not_null() & pl.col("s").is_not_null()).then(
            pl.col("i").hash(_SEED) ^ pl.col("s").hash(_SEED + 1)
        )
        return frame.select(code.alias("code")).to_series()

    def kid(self, ids: pl.Series, seasons: pl.Series) -> pl.Series:
        """The account row (first row of the pair) of each ``(id, season)``, or null."""
        if ids.len() == 0:
            return pl.Series("kid", [], dtype=pl.Int64)
        if not self.exact:
            codes = sorted_flag(self.encode(ids, seasons))
            kid = (
                codes.to_frame("code")
                .join(self.table, on="code", how="left", maintain_order="left")
                .get_column("kid")
            )
            if self.width:
                return kid  # digit codes are exact
            # a match is a candidate: it must be the same id and season
            wrong = any(
                self._mismatch(ids.slice(at, SLICE), seasons.slice(at, SLICE), kid.slice(at, SLICE))
                for at in range(0, ids.len(), SLICE)
            )
            if not wrong:
                return kid
        return self._exact_kid(ids, seasons)

    def _mismatch(self, ids: pl.Series, seasons: pl.Series, kid: pl.Series) -> bool:
        """Whether a row matched an account row of another id or season."""
        frame = pl.DataFrame([ids.alias("i"), seasons.alias("s"), kid]).with_columns(
            self.ids.gather(kid).alias("ai"), self.seasons.gather(kid).alias("as")
        )
        wrong = pl.col("kid").is_not_null() & (
            (pl.col("i") != pl.col("ai")) | (pl.col("s") != pl.col("as"))
        )
        return bool(frame.select(wrong.any()).item())

    def _exact_kid(self, ids: pl.Series, seasons: pl.Series) -> pl.Series:
        """The join on the exact pair (the codes did not tell the pairs apart)."""
        keys = (
            pl.DataFrame([self.ids, self.seasons, _kid(self.ids.len())])
            .drop_nulls(["i", "s"])
            .unique(["i", "s"], keep="first", maintain_order=True)
        )
        return (
            pl.DataFrame([ids.alias("i"), seasons.alias("s")])
            .join(keys, on=["i", "s"], how="left", maintain_order="left")
            .get_column("kid")
        )
