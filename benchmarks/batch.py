"""Benchmark of the batch engine on a generated, realistic city (../shared/spec/real-events.md).

    python benchmarks/batch.py --accounts N [--seed S] [--keep DIR]

The generator is deterministic (numpy PCG64 with a fixed seed): N accounts of season
2024-2025 on N/10 000 stations; every station has 1–5 outages (10 % supplier-caused, the rest
facility or external), 2 % of the accounts have an outage of their own, 1 % a temperature
record, every account 1–3 payments; 3 % are metered, 2 % retired-cadre widows, 1 % suspended,
1 % cut off for non-payment; every account has a statement date (the late fee accrues).

It measures
* the kernel: validated columns in memory → bills (station join, interval union, temperature
  windows, late-fee accrual included), in accounts/s: the median of ``--repeat`` runs in one
  process, the first run (which also faults in its new memory) printed beside it;
* end to end: ``heatrules batch`` from the CSV files to ``bills.parquet`` (reading, validating,
  billing, writing), in a child process, in accounts/s, with its peak memory (max RSS);
* the scalar engine (``heatrules.bill``) on a 10 000-account sample, in accounts/s;
and ends with the line
``batch N accounts: kernel X acc/s, end-to-end Y acc/s, scalar Z acc/s, peak M MB``.
The scalar sample is taken before the measured runs and the generated city is freed, so that
the engine's child processes do not compete with the benchmark's copy of their input.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEAR = 2024
SEASON = f"{YEAR}-{YEAR + 1}"
SEASON_START = np.datetime64(f"{YEAR}-11-15T00:00")
SEASON_MINUTES = 121 * 24 * 60


def _ts(minutes: np.ndarray) -> list[str]:
    t = SEASON_START + minutes.astype("timedelta64[m]")
    return [s.replace("T", "T") for s in np.datetime_as_string(t, unit="m")]


def _dates(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(
        np.datetime64(f"{YEAR}-11-15") + days.astype("timedelta64[D]"), unit="D"
    )


def generate(n: int, seed: int = 20251115) -> dict[str, pl.DataFrame]:
    """The four tables of a city of ``n`` accounts (every cell text, as read from CSV)."""
    rng = np.random.default_rng(seed)
    n_st = max(1, n // 10_000)
    ids = np.char.zfill(np.arange(1, n + 1).astype(str), 9)
    station = rng.integers(0, n_st, n)
    station_ids = np.char.add("ST", np.char.zfill(station.astype(str), 4))
    residential = rng.random(n) < 0.95
    area_cents = rng.integers(4_000, 15_000, n)
    u = rng.random(n)
    metered = u < 0.03
    widow = (u >= 0.03) & (u < 0.05) & residential
    suspended = (u >= 0.05) & (u < 0.06)
    cutoff = (u >= 0.06) & (u < 0.07)
    area = np.char.add(
        np.char.add((area_cents // 100).astype(str), "."),
        np.char.zfill((area_cents % 100).astype(str), 2),
    )
    none = np.full(n, None, dtype=object)
    accounts = _frame(
        {
            "account_id": ids,
            "season": np.full(n, SEASON),
            "category": np.where(residential, "residential", "non_residential"),
            "billing_area_m2": area,
            "billing": np.where(metered, "metered", None),
            "metered_kwh": np.where(metered, rng.integers(4_000, 16_000, n).astype(str), None),
            "station_id": station_ids,
            "waiver_kind": np.where(widow, "cadre_widow", None),
            "waiver_has_children": np.where(
                widow, np.where(rng.random(n) < 0.5, "true", "false"), None
            ),
            "suspension_kind": np.where(
                suspended, np.where(rng.random(n) < 0.9, "temporary", "permanent"), None
            ),
            "cutoff_from": np.where(cutoff, _dates(rng.integers(47, 121, n)), None),
            "as_of": np.full(n, "2025-03-31"),
            "connected_on": none,
        }
    )
    # station outages: 1-5 per station, 10 % supplier-caused
    k = rng.integers(1, 6, n_st)
    st_rows = int(k.sum())
    st_of = np.repeat(np.arange(n_st), k)
    start = rng.integers(0, SEASON_MINUTES - 4 * 24 * 60, st_rows)
    dur = rng.integers(60, 72 * 60, st_rows)
    cause = np.where(
        rng.random(st_rows) < 0.1,
        "supplier",
        np.where(rng.random(st_rows) < 0.5, "facility", "external"),
    )
    station_nh = _frame(
        {
            "season": np.full(st_rows, SEASON),
            "account_id": np.full(st_rows, None, dtype=object),
            "station_id": np.char.add("ST", np.char.zfill(st_of.astype(str), 4)),
            "start": _ts(start),
            "end": _ts(start + dur),
            "cause": cause,
        }
    )
    live = ~suspended
    own = np.flatnonzero((rng.random(n) < 0.02) & live)
    start = rng.integers(0, SEASON_MINUTES - 4 * 24 * 60, own.size)
    dur = rng.integers(60, 96 * 60, own.size)
    own_nh = _frame(
        {
            "season": np.full(own.size, SEASON),
            "account_id": ids[own],
            "station_id": np.full(own.size, None, dtype=object),
            "start": _ts(start),
            "end": _ts(start + dur),
            "cause": np.where(rng.random(own.size) < 0.3, "supplier", "facility"),
        }
    )
    no_heat = pl.concat([station_nh, own_nh])
    # temperature: 1 % of the live residential accounts, one bedroom record
    tsel = np.flatnonzero((rng.random(n) < 0.01) & live & residential)
    day = rng.integers(0, 110, tsel.size)
    minute = day * 1440 + rng.integers(8 * 60, 20 * 60, tsel.size)
    restored = minute + rng.integers(1, 10, tsel.size) * 1440
    temperature = _frame(
        {
            "season": np.full(tsel.size, SEASON),
            "account_id": ids[tsel],
            "room": np.full(tsel.size, "bedroom"),
            "room_area_m2": np.full(tsel.size, "15.00"),
            "measured_at": _ts(minute),
            "celsius": np.char.add(rng.integers(10, 18, tsel.size).astype(str), ".5"),
            "restored_at": _ts(restored),
        }
    )
    # payments: 1-3 per account, summing to the area fee (25 or 40 yuan/m2)
    m = rng.integers(1, 4, n)
    rows = int(m.sum())
    owner = np.repeat(np.arange(n), m)
    price = np.where(residential, 25, 40)
    fee_fen = area_cents * price  # area (1/100 m2) x price (yuan) = fen
    share = fee_fen[owner] // m[owner]
    first = np.concatenate([[0], np.cumsum(m)[:-1]])
    amount = share.copy()
    amount[first] += fee_fen - share[first] * m  # remainder on the first payment
    pdays = rng.integers(-30, 120, rows)
    payments = _frame(
        {
            "season": np.full(rows, SEASON),
            "account_id": ids[owner],
            "date": _dates(pdays),
            "amount": np.char.add(
                np.char.add((amount // 100).astype(str), "."),
                np.char.zfill((amount % 100).astype(str), 2),
            ),
        }
    )
    return {
        "accounts": accounts,
        "no_heat": no_heat,
        "temperature": temperature,
        "payments": payments,
    }


def _frame(cols: dict[str, Any]) -> pl.DataFrame:
    """Text columns from numpy arrays (object arrays with None become nullable strings)."""
    out = {}
    for name, arr in cols.items():
        values = arr.tolist() if isinstance(arr, np.ndarray) and arr.dtype == object else arr
        out[name] = pl.Series(name, values, dtype=pl.String)
    return pl.DataFrame(out)


def peak_mb_self() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kernel_only(workdir: Path, repeat: int = 3) -> int:
    """Read and validate the CSV files, then time the kernel alone (run as a child process).

    The kernel runs ``repeat`` times on the same validated columns: the first run also pays
    for faulting in the memory of its outputs (new to the process, and on a virtual machine
    often new to the host: 0.5-1.7 s per GB here); the figure reported is the median run, the
    first is printed beside it.
    """
    from heatrules.batch.kernel import run_tables
    from heatrules.batch.readers import read_table
    from heatrules.batch.validate import validate_tables
    from heatrules.params import Parameters

    names = ("accounts", "no_heat", "temperature", "payments")
    raw = {k: read_table(k, workdir / f"{k}.csv") for k in names}
    t = time.perf_counter()
    vprof: dict[str, float] = {}
    v = validate_tables(
        raw["accounts"],
        raw["no_heat"],
        raw["temperature"],
        raw["payments"],
        Parameters.default(),
        profile=vprof,
    )
    t_validate = time.perf_counter() - t
    raw.clear()
    times, profiles = [], []
    for _ in range(max(repeat, 1)):
        kprof: dict[str, float] = {}
        t = time.perf_counter()
        res = run_tables(v, profile=kprof)
        times.append(time.perf_counter() - t)
        profiles.append(kprof)
        bills = res.bills.height
        del res
    median = sorted(times)[len(times) // 2]
    print(
        f"validate {t_validate:.2f} s; kernel {median:.2f} s (median of {len(times)} runs: "
        + ", ".join(f"{x:.2f}" for x in times)
        + f"; the first with new memory) for {bills:,} bills "
        f"({sum(c['rejected'] for c in v.counts.values())} rejected rows)"
    )
    print("  validation profile:      " + ", ".join(f"{k} {x:.2f} s" for k, x in vprof.items()))
    for label, prof in (("first", profiles[0]), ("median", profiles[times.index(median)])):
        print(
            f"  kernel profile ({label + ')':7s} "
            + ", ".join(f"{k} {x:.2f} s" for k, x in prof.items())
        )
    print(f"KERNEL {median} {times[0]}")
    return 0


def scalar_sample(tables: dict[str, pl.DataFrame], k: int) -> list[dict[str, Any]]:
    """The first ``k`` accounts as scalar cases, with their own and their stations' events."""
    from heatrules.batch.convert import cases_from_tables

    sample_ids = tables["accounts"].get_column("account_id").head(k)
    sub = {
        name: frame.filter(pl.col("account_id").is_in(sample_ids.implode()))
        if name != "no_heat"
        else frame
        for name, frame in tables.items()
    }
    stations = sub["accounts"].get_column("station_id").unique()
    sub["no_heat"] = sub["no_heat"].filter(
        pl.col("account_id").is_in(sample_ids.implode())
        | pl.col("station_id").is_in(stations.implode())
    )
    return cases_from_tables(
        sub["accounts"].head(k), sub["no_heat"], sub["temperature"], sub["payments"]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--accounts", type=int, default=200_000, metavar="N")
    ap.add_argument("--seed", type=int, default=20251115)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated CSV files and outputs in DIR")
    ap.add_argument(
        "--sample", type=int, default=10_000, help="accounts billed by the scalar engine"
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="kernel runs on the same columns (median reported)"
    )
    ap.add_argument("--kernel-only", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.kernel_only:
        return kernel_only(Path(args.kernel_only), args.repeat)
    n = args.accounts

    t = time.perf_counter()
    tables = generate(n, args.seed)
    print(
        f"generated {n:,} accounts in {time.perf_counter() - t:.1f} s "
        + ", ".join(f"{k} {v.height:,}" for k, v in tables.items())
    )
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="heatrules-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(workdir / f"{name}.csv")
    # the scalar engine's sample is taken now, and the generated city freed, so that the
    # measured runs do not compete with this process's copy of it for memory
    cases = scalar_sample(tables, min(args.sample, n))
    del tables
    gc.collect()

    # ------------------------------------------------------------ kernel, in a child process
    # (a fresh process holding only the validated columns, not the generator's city)
    proc = subprocess.run(
        [sys.executable, __file__, "--kernel-only", str(workdir), "--repeat", str(args.repeat)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    k_line = [ln for ln in proc.stdout.splitlines() if ln.startswith("KERNEL")]
    if proc.returncode != 0 or not k_line:
        print(proc.stdout, proc.stderr)
        return 1
    print("\n".join(ln for ln in proc.stdout.splitlines() if not ln.startswith("KERNEL")))
    t_kernel, t_first = (float(x) for x in k_line[0].split()[1:3])
    kernel_rate = n / t_kernel
    print(f"kernel: {kernel_rate:,.0f} acc/s (median run), {n / t_first:,.0f} acc/s (first run)")

    # ------------------------------------------------------------ end to end, in a child process
    out = workdir / "out"
    code = (
        # the process start (imports, the compiled kernel loaded from its cache) is timed
        # apart: a fixed cost per process, not per account
        "import time; t=time.perf_counter(); import argparse, resource; "
        "from heatrules.cli import batch as b; import heatrules.batch.api; "
        "print('START', time.perf_counter()-t); "
        "ap=argparse.ArgumentParser(); b.register(ap.add_subparsers()); t=time.perf_counter(); "
        f"a=ap.parse_args(['batch','--accounts',{str(workdir / 'accounts.csv')!r},'--no-heat',{str(workdir / 'no_heat.csv')!r},"
        f"'--temperature',{str(workdir / 'temperature.csv')!r},'--payments',{str(workdir / 'payments.csv')!r},"
        f"'--out',{str(out)!r}]); rc=a.func(a); dt=time.perf_counter()-t; "
        # VmHWM: the child's own peak (ru_maxrss would include the parent's at fork time)
        "hwm=[int(x.split()[1])/1024 for x in open('/proc/self/status') if x.startswith('VmHWM')]; "
        "print('E2E', dt, hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    e2e_line = [ln for ln in proc.stdout.splitlines() if ln.startswith("E2E")]
    if proc.returncode != 0 or not e2e_line:
        print(proc.stdout, proc.stderr)
        return 1
    _, dt, child_peak, rc = e2e_line[0].split()
    start = [ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("START")]
    e2e_rate = n / float(dt)
    print(
        f"end to end (CSV -> Parquet): {float(dt):.2f} s (after a process start of "
        f"{float(start[0]) if start else float('nan'):.2f} s), peak {float(child_peak):,.0f} MB "
        f"(the benchmark process, which generated the city and freed it: {peak_mb_self():,.0f} MB), exit {rc}"
    )

    import heatrules

    t = time.perf_counter()
    for case in cases:
        heatrules.bill(case)
    scalar_rate = len(cases) / (time.perf_counter() - t)

    peak = float(child_peak)  # the batch run itself; the generator's memory is not the engine's
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"batch {n} accounts: kernel {kernel_rate:,.0f} acc/s, end-to-end {e2e_rate:,.0f} acc/s, "
        f"scalar {scalar_rate:,.0f} acc/s, peak {peak:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
