"""Benchmark of ``heatrules audit`` on a generated city with seeded billing mistakes.

    python benchmarks/audit.py --accounts N [--mistakes RATE] [--keep DIR]

The facts are the batch benchmark's city (``benchmarks/batch.py``: N accounts on N/10 000
stations, outages, temperature records, payments, metered, widows, suspensions, cut-offs). The
company's claimed figures are the legal bills (batch engine) except for ``RATE`` of the
accounts, whose figures are their bills under one alternative reading drawn at random
(``heatrules.audit.demo.MISTAKES``, computed by the scalar engine), and 1 in 20 of those carry
an unexplainable 1.00 instead.

It runs ``heatrules audit`` end to end in a child process (CSV in → differences.parquet,
summary.json, rejects.csv, report.html out) and ends with the line
``audit N accounts (D differing): end-to-end X s [read a, legal bills b, compare c, classify d],
peak M MB, classes agree A %``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heatrules.audit.demo import MISTAKES, figures  # noqa: E402
from heatrules.batch import bill_frame  # noqa: E402
from heatrules.batch.convert import cases_from_tables  # noqa: E402
from heatrules.engine import bill  # noqa: E402
from heatrules.errors import HeatrulesError  # noqa: E402
from heatrules.money import fmt  # noqa: E402


def _city(n: int, seed: int) -> dict[str, pl.DataFrame]:
    spec = importlib.util.spec_from_file_location(
        "batch_benchmark", ROOT / "benchmarks" / "batch.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tables: dict[str, pl.DataFrame] = module.generate(n, seed)
    return tables


def claimed_with_mistakes(
    tables: dict[str, pl.DataFrame], rate: float, seed: int
) -> tuple[pl.DataFrame, dict[str, str]]:
    """The legal figures as text, with ``rate`` of the accounts billed under a wrong reading."""
    legal = bill_frame(
        tables["accounts"],
        tables["no_heat"],
        tables["temperature"],
        tables["payments"],
        lines=False,
    ).bills.drop("rules_version")
    money = [c for c in legal.columns if c not in ("account_id", "season")]
    claimed = legal.with_columns(pl.col(c).cast(pl.String) for c in money)
    rng = random.Random(seed)
    ids = claimed.get_column("account_id").to_list()
    chosen = sorted(rng.sample(range(len(ids)), int(len(ids) * rate)))
    keys = pl.DataFrame({"account_id": [ids[i] for i in chosen]})
    sub = {
        name: tables[name].join(keys, on="account_id", how="semi")
        for name in ("accounts", "temperature", "payments")
    }
    stations = sub["accounts"].select("station_id").unique()
    nh = tables["no_heat"]
    nh = pl.concat(
        [
            nh.join(keys, on="account_id", how="semi"),
            nh.filter(pl.col("account_id").is_null()).join(stations, on="station_id", how="semi"),
        ]
    )
    cases = cases_from_tables(sub["accounts"], nh, sub["temperature"], sub["payments"])
    truth: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for case in cases:
        if rng.random() < 0.05:
            klass, policy = "unexplained", None
        else:
            klass, policy = rng.choice(MISTAKES)
        try:
            figs = figures(bill(case, policy=policy))
        except HeatrulesError:
            continue  # the reading does not apply to this account (e.g. no rule in force)
        if klass == "unexplained":
            figs["charges"] += Decimal("1.00")
        truth[case["account"]["id"]] = klass
        rows.append(
            {"account_id": case["account"]["id"], "season": case["season"]}
            | {c: fmt(figs[c]) for c in money}
        )
    wrong = pl.DataFrame(rows, schema=claimed.schema)
    claimed = claimed.join(wrong.select("account_id"), on="account_id", how="anti")
    return pl.concat([claimed, wrong]), truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--accounts", type=int, default=200_000, metavar="N")
    ap.add_argument("--mistakes", type=float, default=0.01, metavar="RATE")
    ap.add_argument("--seed", type=int, default=20251115)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated files and outputs in DIR")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    tables = _city(args.accounts, args.seed)
    claimed, truth = claimed_with_mistakes(tables, args.mistakes, args.seed)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="heatrules-audit-"))
    work.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(work / f"{name}.csv")
    claimed.write_csv(work / "claimed.csv")
    os.sync()  # the files are written out before the audit is timed (not its page-cache writeback)
    del tables, claimed  # freed: the audit's child process does not compete with this copy
    gc.collect()
    print(
        f"generated {args.accounts:,} accounts with {len(truth):,} seeded mistakes in "
        f"{time.perf_counter() - t:.1f} s ({work})"
    )

    out = work / "out"
    cmd = [sys.executable, "-m", "heatrules", "audit", "--quiet", "--out", str(out)]
    for name, opt in (
        ("accounts", "--accounts"),
        ("no_heat", "--no-heat"),
        ("temperature", "--temperature"),
        ("payments", "--payments"),
    ):
        cmd += [opt, str(work / f"{name}.csv")]
    cmd += ["--claimed", str(work / "claimed.csv")]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    found = pl.read_parquet(out / "differences.parquet")
    differing = found.select("account_id").n_unique()
    by_account = dict(found.group_by("account_id").agg(pl.col("class").first()).iter_rows())
    agree = sum(1 for a, k in by_account.items() if truth.get(a) == k)
    tm = summary["timings"]
    print(f"summary: {json.dumps(summary['differences'])}")
    print(
        f"audit {summary['accounts_audited']:,} accounts ({differing:,} differing): end-to-end "
        f"{wall:.1f} s [read {tm['read']:.1f}, legal bills {tm['legal_bills']:.1f}, compare "
        f"{tm['compare']:.1f}, classify {tm['classify']:.1f}], peak {peak:,.0f} MB, classes "
        f"agree {100 * agree / max(1, len(by_account)):.1f} %"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
