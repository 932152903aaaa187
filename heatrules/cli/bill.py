"""``heatrules bill FILE...``: print each case's bill (table, or JSON lines)."""

from __future__ import annotations

import argparse

from ..caseio import parse_raw, read_folder_cases
from ..engine import bill
from ..errors import CaseError
from ..render import bill_table
from .common import out_console, print_json_line, skipped_note, warn
from .options import add_params_option, add_paths_argument, params_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bill",
        help="compute the bills of the cases in files or folders",
        description="Compute one bill per case. Exit 0, or 2 if any case was rejected.",
    )
    add_paths_argument(p, "FILE")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table")
    add_params_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    rejected = 0
    console = out_console()
    skipped: list[str] = []
    errors: list[str] = []
    for raw in read_folder_cases(args.paths, skipped, errors):
        try:
            result = bill(parse_raw(raw), params)
        except CaseError as exc:
            rejected += 1
            warn(f"{raw.source}: {raw.name}: {exc}")
            if args.format == "json":
                print_json_line({"name": raw.given_name, "error": str(exc)})
            continue
        if args.format == "json":
            print_json_line(result.to_dict())
        else:
            console.print(bill_table(result, args.lang))
    if skipped:
        warn(skipped_note(skipped))
    for message in errors:
        warn(f"error: {message}")
    return 2 if rejected or errors else 0
