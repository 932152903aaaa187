"""``heatrules bill FILE...``: print each case's bill (table, or JSON lines)."""

from __future__ import annotations

import argparse

from ..engine import bill
from ..render import bill_table
from .caserun import CaseRun
from .common import out_console, print_json_line
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
    console = out_console()
    cases = CaseRun(json_errors=args.format == "json")
    for result in cases.each(args.paths, lambda case: bill(case, params)):
        if args.format == "json":
            print_json_line(result.to_dict())
        else:
            console.print(bill_table(result, args.lang))
    return cases.finish()
