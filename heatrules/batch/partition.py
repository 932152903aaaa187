"""Partition-wise billing, for running the batch engine under a distributed engine.

An account's bill depends only on its own rows and its station's outages, so the tables can
be split into self-contained partitions — accounts grouped by station (an account without a
station by its id), each with its own event rows and its stations' outages — and each
partition billed by :func:`heatrules.batch.bill_frame` on any worker (Dask, Spark, Ray, a
process pool). :func:`partition_tables` does the split (every row of an account-season pair
goes to one partition, so duplicates are still caught; a row that matches no account goes to
partition 0, where it is rejected as unknown), :func:`bill_partition` bills one partition and
:func:`combine` puts the results back together, with reject lines translated back to the
input's row numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ..params import Parameters
from .api import bill_frame

ROW = "__row"


@dataclass
class Partition:
    """One partition: the four tables and each table's original 1-based row numbers."""

    index: int
    tables: dict[str, pl.DataFrame]


def partition_tables(tables: dict[str, pl.DataFrame], n: int) -> list[Partition]:
    """Split text tables (as read from CSV/Parquet) into ``n`` station partitions."""
    acc = tables["accounts"].with_row_index(ROW, offset=1)
    key = pl.coalesce(
        pl.col("station_id").first().over("account_id", "season"), pl.col("account_id")
    )
    acc = acc.with_columns((key.hash(seed=7) % n).cast(pl.Int64).alias("_part"))
    owners = acc.select("account_id", "season", "_part").unique(["account_id", "season"])
    parts: dict[str, pl.DataFrame] = {"accounts": acc}
    for name in ("temperature", "payments"):
        frame = tables.get(name)
        if frame is None:
            continue
        frame = frame.with_row_index(ROW, offset=1)
        parts[name] = frame.join(owners, on=["account_id", "season"], how="left").with_columns(
            pl.col("_part").fill_null(0)
        )
    nh = tables.get("no_heat")
    if nh is not None:
        nh = nh.with_row_index(ROW, offset=1)
        if "station_id" not in nh.columns:
            nh = nh.with_columns(pl.lit(None, dtype=pl.String).alias("station_id"))
        if "account_id" not in nh.columns:
            nh = nh.with_columns(pl.lit(None, dtype=pl.String).alias("account_id"))
        own = nh.filter(pl.col("station_id").is_null()).join(
            owners, on=["account_id", "season"], how="left"
        )
        station_parts = (
            acc.select("station_id", "season", "_part").drop_nulls("station_id").unique()
        )
        st = nh.filter(pl.col("station_id").is_not_null()).join(
            station_parts, on=["station_id", "season"], how="left"
        )
        parts["no_heat"] = pl.concat([own, st], how="diagonal_relaxed").with_columns(
            pl.col("_part").fill_null(0)
        )
    out = []
    for i in range(n):
        t = {
            name: frame.filter(pl.col("_part") == i).sort(ROW).drop("_part")
            for name, frame in parts.items()
        }
        out.append(Partition(i, t))
    return out


def bill_partition(part: Partition, params: Parameters | None = None) -> dict[str, Any]:
    """Bill one partition: its bills, rejects (input row numbers) and counts."""
    rows = {name: frame.get_column(ROW) for name, frame in part.tables.items()}
    tables = {name: frame.drop(ROW) for name, frame in part.tables.items()}
    r = bill_frame(
        tables["accounts"],
        tables.get("no_heat"),
        tables.get("temperature"),
        tables.get("payments"),
        params=params,
        lines=False,
    )
    rejects = r.rejects
    if rejects.height:
        fixed = []
        for name, frame in rejects.group_by("table", maintain_order=True):
            table = str(name[0])
            original = rows[table]
            fixed.append(
                frame.with_columns(
                    original.gather(frame.get_column("line") - 1).cast(pl.Int64).alias("line")
                )
            )
        rejects = pl.concat(fixed)
    return {"bills": r.bills, "rejects": rejects, "counts": r.summary["tables"]}


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Concatenate partition results: bills, rejects (sorted by table and line), counts."""
    bills = pl.concat([r["bills"] for r in results])
    rejects = pl.concat([r["rejects"] for r in results]).sort("table", "line")
    counts: dict[str, dict[str, int]] = {}
    for r in results:
        for table, c in r["counts"].items():
            total = counts.setdefault(table, {"read": 0, "accepted": 0, "rejected": 0})
            for k in total:
                total[k] += c[k]
    return {"bills": bills, "rejects": rejects, "counts": counts}
