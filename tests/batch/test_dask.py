"""The Dask example: station partitions billed on a local cluster equal a single run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest

from heatrules.batch import bill_frame
from heatrules.batch.partition import bill_partition, combine, partition_tables

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _tables(n: int) -> dict[str, pl.DataFrame]:
    from batch import generate  # type: ignore[import-not-found]

    tables: dict[str, pl.DataFrame] = generate(n, seed=3)
    acc = tables["accounts"]
    # a duplicate pair on two stations, a bad row and an unknown account's payment
    extra = acc.head(2).with_columns(
        pl.Series("station_id", ["ST9999", None]), pl.Series("billing_area_m2", ["70.00", "x"])
    )
    tables["accounts"] = pl.concat([acc, extra])
    tables["payments"] = pl.concat(
        [
            tables["payments"],
            tables["payments"].head(1).with_columns(pl.lit("nobody").alias("account_id")),
        ]
    )
    return tables


def _single(tables: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    r = bill_frame(
        tables["accounts"],
        tables["no_heat"],
        tables["temperature"],
        tables["payments"],
        lines=False,
    )
    return r.bills, r.rejects


def test_partitions_equal_a_single_run() -> None:
    tables = _tables(3000)
    bills, rejects = _single(tables)
    out = combine([bill_partition(p) for p in partition_tables(tables, 5)])
    key = ["account_id", "season"]
    assert out["bills"].sort(key).equals(bills.sort(key))
    assert (
        out["rejects"]
        .drop("file")
        .sort("table", "line")
        .equals(rejects.drop("file").sort("table", "line"))
    )
    for c in out["counts"].values():
        assert c["read"] == c["accepted"] + c["rejected"]


@pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed"
)
def test_dask_local_cluster_example() -> None:
    from dask.distributed import Client, LocalCluster

    spec = importlib.util.spec_from_file_location("dask_batch", ROOT / "examples" / "dask_batch.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tables = _tables(2000)
    bills, _ = _single(tables)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        out = mod.bill_on_dask(tables, 4, client)
    assert out["bills"].equals(bills)
