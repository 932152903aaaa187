"""Finding the account row of a row by ``(account_id, season)`` — fast, and always exactly.

``../shared/spec/batch-tables.md``: ``(account_id, season)`` is unique (a repeated pair
rejects every row of it) and every event row points at an account row by that pair. With
millions of rows, hash joins on a string and an integer column cost more than all the cell
rules; so each pair is coded once as one integer:

* when the account ids are made of the same number ``L`` (≤ 12) of ASCII digits — the usual
  account numbers, leading zeros included — the code is ``int(id) · R + (season − first)``
  (``R`` seasons), read by a compiled scan (:func:`.scan.scan_codes`). Ids of ``L`` digits and
  integers below ``10^L`` correspond one to one, so equal codes are equal pairs. Rows are
  then found without hashing strings: when the accounts file is sorted by account (as billing
  systems export it), by a *merge* of sorted integer columns (a join on the integer when the
  other file is not); else, when the account numbers are dense (given out in sequence),
  through a table indexed by the code, in any order; else by a join on the integer. The few
  account ids that
  are not ``L`` digits (a typing error, another numbering) have no code; a row whose id is not
  ``L`` digits can only be theirs, and is looked up among them by the strings;
* otherwise (more than one id in :data:`ODD_SHARE` is not ``L`` digits) the code is a 64-bit
  hash of the id and the season — only a candidate: every match
  is checked against the exact id and season, and a code shared by two different account
  pairs is detected; in either case the rows are matched by the exact pair instead (a join on
  the strings).

So the result is always that of a join on ``(account_id, season)``; the codes only make it
fast.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .scan import INLINE, digit_codes

_I64_MAX = (1 << 63) - 1
_SEED = 0x5EA5
SLICE = 1 << 20
"""Rows checked at a time (the gathered ids of a slice are freed before the next)."""
ODD_SHARE = 10
"""Digit codes when at most one keyed account id in this many is not ``L`` digits."""
DIRECT_SPAN = 8
"""A table indexed by code (rather than a join) when the codes span at most this many per
account (plus 2^20): account numbers given out in sequence."""


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
        self.odd = pl.DataFrame(schema={"i": pl.String, "s": pl.Int64, "kid": pl.Int64})
        """The keyed account rows whose id is not ``L`` digits (looked up by the strings)."""
        if coded is not None:
            odd = keyed & coded.is_null()
            if odd.sum() * ODD_SHARE > keyed.sum():
                coded = None
            elif odd.any():
                self.odd = pl.DataFrame([self.ids, self.seasons, _kid(ids.len())]).filter(odd)
        if coded is None:
            self.width = 0  # ids of many lengths or characters: hashes
        codes = coded if coded is not None else self.encode(ids, seasons)
        table = pl.DataFrame([codes.alias("code"), _kid(codes.len())]).filter(
            pl.col("code").is_not_null()
        )
        table = table.with_columns(sorted_flag(table.get_column("code")))
        code = table.get_column("code")
        self.low = int(code.min()) if self.width and code.len() else 0  # type: ignore[arg-type]
        span = int(code.max()) - self.low + 1 if self.width and code.len() else 0  # type: ignore[arg-type]
        self.span = span if span and span <= DIRECT_SPAN * code.len() + (1 << 20) else 0
        """The codes' span when they are dense enough for a table indexed by the code."""
        self._direct: np.ndarray | None = None
        if code.len() > 1 and code.flags["SORTED_ASC"]:
            same = code.slice(1) == code.slice(0, code.len() - 1)
            shared = same.extend_constant(False, 1) | pl.Series([False]).append(same)
        elif self.span:
            at = code.to_numpy() - self.low
            shared = pl.Series(np.bincount(at, minlength=self.span)[at] > 1)
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
            # the later rows of each shared code leave the table (found among those rows)
            later = (
                pl.DataFrame([table.get_column("code").filter(shared), rows])
                .filter(~pl.col("code").is_first_distinct())
                .get_column("kid")
            )
            table = table.filter(~pl.col("kid").is_in(later.implode()))
            table = table.with_columns(sorted_flag(table.get_column("code")))
        self.table = table
        """``code → kid`` of every coded pair (its first row)."""
        if self.odd.height:
            repeated = self.odd.select(pl.struct("i", "s").is_duplicated()).to_series()
            if repeated.any():
                self.duplicated = self.duplicated.scatter(
                    self.odd.get_column("kid").filter(repeated), True
                )
            self.odd = self.odd.unique(["i", "s"], keep="first", maintain_order=True)

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
        """``L``: the most common length of the keyed ids, when codes of ``L`` digits fit."""
        if ids.len() == 0:
            return 0
        self.first_year = int(seasons.min())  # type: ignore[arg-type]
        self.n_years = int(seasons.max()) - self.first_year + 1  # type: ignore[arg-type]
        lengths = ids.str.len_bytes().value_counts(sort=True)
        width = int(lengths.item(0, 0))
        if not 0 < width <= INLINE:
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
                return coded
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
            merge = codes.flags["SORTED_ASC"] and self.table.get_column("code").flags["SORTED_ASC"]
            if self.span and not merge:
                kid = self._direct_kid(codes)
            else:
                kid = (
                    codes.to_frame("code")
                    .join(self.table, on="code", how="left", maintain_order="left")
                    .get_column("kid")
                )
            if self.width:  # digit codes are exact
                return self._odd_kid(ids, seasons, codes, kid) if self.odd.height else kid
            # a match is a candidate: it must be the same id and season
            wrong = any(
                self._mismatch(ids.slice(at, SLICE), seasons.slice(at, SLICE), kid.slice(at, SLICE))
                for at in range(0, ids.len(), SLICE)
            )
            if not wrong:
                return kid
        return self._exact_kid(ids, seasons)

    def _direct_kid(self, codes: pl.Series) -> pl.Series:
        """The rows of ``codes`` read from a table indexed by the code (any order)."""
        if self._direct is None:  # kid at code − low (−1: none), made when first needed
            self._direct = np.full(self.span, -1, dtype=np.int64)
            code = self.table.get_column("code").to_numpy()
            self._direct[code - self.low] = self.table.get_column("kid").to_numpy()
        at = codes.fill_null(-1).to_numpy() - self.low
        inside = (at >= 0) & (at < self.span)
        kid = np.where(inside, self._direct[np.where(inside, at, 0)], -1)
        found = kid >= 0
        out = pl.Series("kid", kid, dtype=pl.Int64)
        return out if found.all() else out.scatter(np.flatnonzero(~found), None)

    def _odd_kid(
        self, ids: pl.Series, seasons: pl.Series, codes: pl.Series, kid: pl.Series
    ) -> pl.Series:
        """``kid`` with the rows without a code looked up among the odd account rows by the
        exact pair (an id that is not ``L`` digits can only be one of theirs)."""
        rest = (codes.is_null() & ids.is_not_null() & seasons.is_not_null()).arg_true()
        if rest.len() == 0:
            return kid
        found = (
            pl.DataFrame([ids.gather(rest).alias("i"), seasons.gather(rest).alias("s")])
            .join(self.odd, on=["i", "s"], how="left", maintain_order="left")
            .get_column("kid")
        )
        return kid.scatter(rest, found)

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
