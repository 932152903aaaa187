"""Exact integer arithmetic: each line is an exact rational rounded once, half-up, to the fen.

rules.md §2: a line ``p / q`` (p ≥ 0, q > 0) is rounded once as ``(2p + q) // (2q)``; products
that could leave int64 are formed as ``x·y/q = (x // q)·y + (x % q)·y / q`` (:func:`mul_rdiv`),
which is exact — with the input bounds of :mod:`heatrules.batch.schema` every intermediate
stays below 2⁶² (``docs/batch.md`` lists the bounds). Per-account sums of event rows use
dense account positions (:class:`Dense`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl


def rdiv(p: pl.Expr, q: pl.Expr | int) -> pl.Expr:
    """Round ``p / q`` half-up to an integer (p ≥ 0, q > 0): ``(2p + q) // (2q)``."""
    return (2 * p + q) // (2 * q)


def mul_rdiv(x: pl.Expr, y: pl.Expr, q: pl.Expr | int) -> pl.Expr:
    """Round ``x·y / q`` half-up without forming ``x·y`` (x, y ≥ 0, q > 0): exact."""
    return (x // q) * y + rdiv((x % q) * y, q)


def rdiv_np(p: Any, q: Any) -> np.ndarray:
    """numpy twin of :func:`rdiv`: round p / q half-up (p ≥ 0, q > 0)."""
    out: np.ndarray = (2 * p + q) // (2 * q)
    return out


def mul_rdiv_np(x: np.ndarray, y: np.ndarray, q: int) -> np.ndarray:
    """numpy twin of :func:`mul_rdiv`: round x·y / q half-up without forming x·y."""
    out: np.ndarray = (x // q) * y + rdiv_np((x % q) * y, np.int64(q))
    return out


def int_col(frame: pl.DataFrame, col: str, fill: int = 0) -> np.ndarray:
    """An int64 column as a numpy array with nulls filled (exact, never through floats)."""
    return frame.get_column(col).fill_null(fill).cast(pl.Int64).to_numpy()


class Dense:
    """Dense positions of the accounts (row order of the billed accounts, i.e. input order).

    Events carry ``acct`` (the account's row key); ``pos`` maps them to the account's row, so
    per-account sums are ``numpy.add.at`` on int64 arrays (exact) and per-event account values
    are gathers — no hash joins on the hot path.
    """

    def __init__(self, acct: pl.Series) -> None:
        keys = acct.to_numpy()
        self.n = len(keys)
        size = int(keys.max()) + 1 if self.n else 0
        self.pos_of = np.full(size, -1, dtype=np.int64)
        self.pos_of[keys] = np.arange(self.n, dtype=np.int64)

    def pos(self, acct: pl.Series) -> np.ndarray:
        return self.pos_of[acct.to_numpy()] if len(acct) else np.zeros(0, dtype=np.int64)

    def sum(self, pos: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.int64)
        np.add.at(out, pos, values.astype(np.int64, copy=False))
        return out
