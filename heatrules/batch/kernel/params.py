"""The season parameters as one int64 matrix the compiled kernel indexes: ``P[season, column]``.

Rows are the seasons of the input (the order of the ``seasons`` table of
:mod:`heatrules.batch.seasonparams`, which holds every number — prices, rates, bands, dates,
divisors — from the effective-dated parameter data); the column constants below name the
values. A parameter not in force is :data:`~.arith.NONE` (validation rejects the accounts
that would need it). Booleans are 0/1.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .arith import NONE

COLUMNS = (
    "price_area_res",
    "price_area_non",
    "price_base_res",
    "price_base_non",
    "price_energy_res",
    "price_energy_non",
    "susp_rate_res",
    "susp_rate_non",
    "perm_rate",
    "cutoff_rate",
    "deemed_rate",
    "std_res",
    "late_rate",
    "sup_mult",
    "oth_mult",
    "sup_ceil",
    "oth_ceil",
    "day_us",
    "trigger_us",
    "widow_with",
    "first_day",
    "last_day",
    "n_days",
    "period_start",
    "period_end",
    "due_day",
)
# column positions (numba reads module-level ints as compile-time constants); a category's
# price is at its residential column + 1 for non-residential
P_AREA = 0
P_BASE = 2
P_ENERGY = 4
SUSP_RATE = 6
PERM_RATE = 8
CUTOFF_RATE = 9
DEEMED_RATE = 10
STD_RES = 11
LATE_RATE = 12
SUP_MULT = 13
OTH_MULT = 14
SUP_CEIL = 15
OTH_CEIL = 16
DAY_US = 17
TRIGGER_US = 18
WIDOW_WITH = 19
FIRST_DAY = 20
LAST_DAY = 21
N_DAYS = 22
PERIOD_START = 23
PERIOD_END = 24
DUE_DAY = 25
assert COLUMNS.index("due_day") == DUE_DAY and COLUMNS.index("sup_mult") == SUP_MULT


def season_matrix(seasons: pl.DataFrame) -> np.ndarray:
    """``P[season row, column]`` (int64, NONE where a parameter is not in force)."""
    cols = [seasons.get_column(c).cast(pl.Int64).fill_null(NONE).to_numpy() for c in COLUMNS]
    if not cols or seasons.height == 0:
        return np.zeros((0, len(COLUMNS)), dtype=np.int64)
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=np.int64)


def season_index(years: pl.Series, seasons: pl.DataFrame) -> np.ndarray:
    """The row of each account's season in the ``seasons`` table (int64)."""
    table = seasons.get_column("season_year").to_numpy()
    order = np.argsort(table, kind="stable")
    y = years.to_numpy()
    if len(y) == 0 or len(table) == 0:
        return np.zeros(len(y), dtype=np.int64)
    if len(table) == 1:
        return np.zeros(len(y), dtype=np.int64)
    at = np.searchsorted(table[order], y)
    return order[np.clip(at, 0, len(table) - 1)].astype(np.int64)


def band_arrays(bands: pl.DataFrame, seasons: pl.DataFrame) -> tuple[np.ndarray, ...]:
    """Temperature bands per season as CSR arrays: offsets by season row, above, upto, rate.

    Within a season the bands keep the table's order (the first band the shortfall falls in
    rules it); ``upto`` is NONE for the open top band.
    """
    years = seasons.get_column("season_year").to_list()
    row_of = {y: i for i, y in enumerate(years)}
    b = bands.with_columns(
        pl.col("season_year").replace_strict(row_of, default=-1, return_dtype=pl.Int64).alias("r")
    ).filter(pl.col("r") >= 0)
    b = b.with_row_index("k").sort("r", "k")
    r = b.get_column("r").to_numpy()
    off = np.zeros(len(years) + 1, dtype=np.int64)
    np.add.at(off, r + 1, 1)
    return (
        np.cumsum(off).astype(np.int64),
        b.get_column("above").cast(pl.Int64).to_numpy().copy(),
        b.get_column("upto").cast(pl.Int64).fill_null(NONE).to_numpy().copy(),
        b.get_column("band_rate").cast(pl.Int64).to_numpy().copy(),
    )
