"""``heatrules batch``: bill a whole city from tables (CSV or Parquet) in one run.

The tables and outputs are those of ``../shared/spec/batch-tables.md``. Exit 0 when the run
completed (rejects, if any, are in ``rejects.csv``); 1 when more rows were rejected than
``--max-rejects`` allows (``rejects.csv`` and ``summary.json`` are written, the bills are not);
2 when an input is unusable (missing file, missing or unknown column, undecodable bytes,
a float column in Parquet).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import HeatrulesError
from .common import err_console
from .extra import require_batch_extra
from .options import add_params_option, params_from, path_text

require_batch_extra()
if TYPE_CHECKING:
    from ..batch.readers import RawTable

ENCODINGS = ("utf-8", "gbk", "gb18030")
"""The CSV encodings ``--encoding`` accepts (:data:`heatrules.batch.readers.ENCODINGS`)."""

EXAMPLE = """\
example (the files are in examples/batch/ of the source tree):
  heatrules batch --accounts accounts.csv --no-heat no_heat.csv \\
      --temperature temperature.csv --payments payments.csv --out out/ --lines

accounts.csv
  account_id,season,category,billing_area_m2,station_id,as_of
  0010023,2024-2025,residential,100.00,ST01,2025-03-31
no_heat.csv
  season,account_id,station_id,start,end,cause
  2024-2025,,ST01,2024-12-01T08:00,2024-12-03T10:00,facility
temperature.csv
  season,account_id,room,room_area_m2,measured_at,celsius,restored_at
  2024-2025,0010023,bedroom,15.20,2024-12-10T10:00,15.5,2024-12-14T11:00
payments.csv
  season,account_id,date,amount
  2024-2025,0010023,2025-01-03,2500.00
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "batch",
        help="bill every account of CSV or Parquet tables (bills, lines, rejects, summary)",
        description=(
            "Bill every account of the tables (batch-tables.md) with the columnar engine. "
            "Exit 0 when the run completed, 1 when more rows were rejected than --max-rejects "
            "allows, 2 when an input is unusable."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--accounts",
        type=path_text,
        required=True,
        metavar="FILE",
        help="accounts table (.csv or .parquet)",
    )
    p.add_argument(
        "--no-heat",
        type=path_text,
        metavar="FILE",
        help="no_heat table (account or station outages)",
    )
    p.add_argument(
        "--temperature", type=path_text, metavar="FILE", help="temperature records table"
    )
    p.add_argument("--payments", type=path_text, metavar="FILE", help="payments table")
    p.add_argument("--out", type=path_text, required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="bills/lines format"
    )
    p.add_argument(
        "--encoding", choices=ENCODINGS, default="utf-8", help="encoding of the CSV inputs"
    )
    p.add_argument(
        "--lines", action="store_true", help="also write the lines table (one row per line)"
    )
    p.add_argument(
        "--max-rejects",
        type=_non_negative,
        metavar="N",
        default=None,
        help="exit 1 (without writing bills) when more than N rows are rejected",
    )
    p.add_argument(
        "--ignore-extra-columns",
        action="store_true",
        help="skip unknown columns instead of failing",
    )
    add_params_option(p)
    p.set_defaults(func=run)


def _summary_table(summary: dict[str, Any], seconds: float) -> Table:
    t = Table(title="heatrules batch", show_header=True)
    t.add_column("item")
    t.add_column("value", justify="right")
    billed = summary["accounts_billed"]
    t.add_row("accounts billed", f"{billed:,}")
    totals = summary["totals"]
    t.add_row("charges", totals["charges"])
    for kind, amount in summary["refunds_by_kind"].items():
        t.add_row(kind.replace("_", ".", 1), amount)
    t.add_row("refunds (total)", totals["refunds"])
    t.add_row("waivers", totals["waivers"])
    t.add_row("late fees", totals["late_fees"])
    t.add_row("payments", totals["payments"])
    t.add_row("balance", totals["balance"])
    for name, c in summary["tables"].items():
        t.add_row(
            f"{name} read / accepted / rejected",
            f"{c['read']:,} / {c['accepted']:,} / {c['rejected']:,}",
        )
    t.add_row("time", f"{seconds:.2f} s")
    t.add_row("accounts/s", f"{billed / seconds:,.0f}" if seconds > 0 else "-")
    return t


OUTPUTS = (
    "bills.parquet",
    "bills.csv",
    "lines.parquet",
    "lines.csv",
    "rejects.csv",
    "summary.json",
)
"""The files a run writes: those of an earlier run are removed first, so that the folder never
mixes two runs (e.g. a new summary beside the old bills of a refused run)."""


def _non_negative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{n} is negative")
    return n


def _check_out(out: Path) -> None:
    """Fail early (exit 2) when the output folder cannot be created or written."""
    if out.exists() and not out.is_dir():
        raise HeatrulesError(f"--out: {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HeatrulesError(f"--out: cannot create the folder {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise HeatrulesError(f"--out: the folder {out} is not writable")


def _clear_outputs(out: Path) -> None:
    """Remove the last run's outputs, and temporary files a killed run may have left."""
    for name in OUTPUTS:
        (out / name).unlink(missing_ok=True)
        for tmp in out.glob(f".{name}.*.tmp"):
            tmp.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    from ..batch.api import bills_output, lines_output, summarise
    from ..batch.explain import citation_table, season_hours
    from ..batch.kernel import run_tables
    from ..batch.output import write_rejects, write_summary, write_table
    from ..batch.readers import BatchInputError, empty_table, read_table
    from ..batch.validate import validate_tables

    console = err_console()
    t0 = time.perf_counter()
    params = params_from(args)
    out = Path(args.out)
    _check_out(out)
    inputs = [
        ("accounts", args.accounts),
        ("no_heat", args.no_heat),
        ("temperature", args.temperature),
        ("payments", args.payments),
    ]
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    steps = len(inputs) + 3 + (1 if args.lines else 0)
    try:
        with progress:
            task = progress.add_task("reading", total=steps)
            raw: dict[str, RawTable] = {}
            for name, src in inputs:
                progress.update(task, description=f"reading {name}")
                raw[name] = (
                    empty_table(name)
                    if src is None
                    else read_table(
                        name, src, encoding=args.encoding, ignore_extra=args.ignore_extra_columns
                    )
                )
                progress.advance(task)
            progress.update(task, description="validating")
            v = validate_tables(
                raw["accounts"], raw["no_heat"], raw["temperature"], raw["payments"], params
            )
            raw.clear()  # the text cells are no longer needed: free them before billing
            progress.advance(task)
            _clear_outputs(out)  # the inputs were usable: this run's files replace the last's
            rejected = sum(c["rejected"] for c in v.counts.values())
            if args.max_rejects is not None and rejected > args.max_rejects:
                write_rejects(v.rejects, out)
                summary = summarise(v, v.accounts.head(0), params, time.perf_counter() - t0)
                summary["accounts_billed"] = 0
                summary["aborted"] = (
                    f"{rejected} rows rejected, more than --max-rejects {args.max_rejects}"
                )
                write_summary(summary, out)
                progress.stop()
                console.print(
                    f"[bold red]error:[/] {rejected} rows rejected, more than --max-rejects "
                    f"{args.max_rejects}; see {escape(str(out / 'rejects.csv'))}",
                    highlight=False,
                )
                return 1
            progress.update(task, description="billing")
            res = run_tables(v, with_lines=args.lines)
            progress.advance(task)
            progress.update(task, description="writing bills")
            write_table(bills_output(res.bills, params.version), out, "bills", args.format)
            progress.advance(task)
            if res.lines is not None:
                progress.update(task, description="writing lines")
                years = v.accounts.get_column("season_year").unique().to_list()
                write_table(
                    lines_output(
                        res.lines,
                        citation_table(params, years),
                        season_hours(params, years),
                    ),
                    out,
                    "lines",
                    args.format,
                )
                progress.advance(task)
            write_rejects(v.rejects, out)
            seconds = time.perf_counter() - t0
            summary = summarise(v, res.bills, params, seconds)
            write_summary(summary, out)
    except BatchInputError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    console.print(_summary_table(summary, seconds))
    if rejected:
        console.print(
            f"{rejected:,} rows rejected: see {escape(str(out / 'rejects.csv'))}", highlight=False
        )
    return 0
