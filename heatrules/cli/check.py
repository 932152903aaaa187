"""``heatrules check PATH...``: run cases against their expected figures."""

from __future__ import annotations

import argparse

from rich.markup import escape

from ..checking import check_paths
from .common import out_console, skipped_note, warn
from .options import add_params_option, add_paths_argument, params_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="check cases with `expect` exactly (to the fen)",
        description=(
            "Run every case in the files and folders given. Prints one line per mismatch and "
            "'N passed, M failed'. Exit 1 if any case failed, 2 if a file cannot be read."
        ),
    )
    add_paths_argument(p, "PATH")
    p.add_argument("-v", "--verbose", action="store_true", help="also list passed cases")
    add_params_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = check_paths(args.paths, params_from(args))
    console = out_console()
    for err in report.file_errors:
        warn(f"error: {err}")
    if report.skipped_files:
        warn(skipped_note(report.skipped_files))
    for r in report.results:
        if r.status == "failed":
            for m in r.mismatches:
                console.print(
                    f"[red]FAIL[/] {escape(r.name)} ({escape(r.source)}): {escape(m.key)}: "
                    f"expected {escape(m.expected)}, got {escape(m.actual)}",
                    highlight=False,
                )
        elif r.status == "bad_input":
            for m in r.mismatches:
                warn(f"error: {r.name} ({r.source}): {m.actual}")
        elif r.status == "skipped" and r.note:
            warn(f"note: {r.name} ({r.source}) has no expect and would be rejected: {r.note}")
        elif args.verbose and r.status == "passed":
            console.print(f"[green]ok[/]   {escape(r.name)}", highlight=False)
    console.print(report.summary(), highlight=False)
    if report.bad_input:
        return 2
    return 0 if report.ok else 1
