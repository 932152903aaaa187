"""Bill a city on a local Dask cluster, partition by station (heatrules.batch.partition).

    python examples/dask_batch.py --accounts 100000 --partitions 8 --workers 2

Each partition (the accounts of some stations, their events and their stations' outages) is
billed by ``heatrules.batch.bill_frame`` on a Dask worker; the driver concatenates the bills
and the rejects. The same three functions run under Spark (see docs/batch.md) or any
process pool. The result equals a single-process run, row for row.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heatrules.batch.partition import bill_partition, combine, partition_tables  # noqa: E402


def bill_on_dask(tables: dict[str, pl.DataFrame], partitions: int, client: Any) -> dict[str, Any]:
    """Split ``tables`` by station, bill the partitions on ``client``'s cluster, combine."""
    parts = partition_tables(tables, partitions)
    futures = client.map(bill_partition, parts)
    results = client.gather(futures)
    out = combine(results)
    # back in input order
    order = tables["accounts"].with_row_index("__i").select("account_id", "season", "__i")
    out["bills"] = (
        out["bills"].join(order, on=["account_id", "season"], how="left").sort("__i").drop("__i")
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from batch import generate  # the benchmark's deterministic city

    tables = generate(args.accounts)
    with (
        LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        t = time.perf_counter()
        out = bill_on_dask(tables, args.partitions, client)
        dt = time.perf_counter() - t
    bills = out["bills"]
    print(
        f"{bills.height:,} bills in {dt:.2f} s on {args.workers} Dask workers "
        f"({args.partitions} partitions); {out['rejects'].height} rejects"
    )
    print(bills.select("charges", "refunds", "late_fees", "balance").sum())
    return 0


if __name__ == "__main__":
    sys.exit(main())
