"""``heatrules subsidy FILE...``: the hardship subsidy statement of each case with ``subsidy``."""

from __future__ import annotations

import argparse

from rich.markup import escape
from rich.table import Table

from ..caseio import RawCase
from ..waivers.subsidy import subsidy
from .caserun import CaseRun
from .common import out_console, print_json_line, warn
from .options import add_params_option, add_paths_argument, params_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "subsidy",
        help="compute hardship heating subsidies (a separate statement, not a bill reduction)",
        description="Cases without `subsidy` are skipped (counted on stderr). Exit 0, or 2 on bad input.",
    )
    add_paths_argument(p, "FILE")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_params_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    table = Table(title="采暖补贴 / hardship heating subsidies")
    for col in ("case", "account", "season", "household", "subsidy", "basis", "citation"):
        table.add_column(col, justify="right" if col == "subsidy" else "left", overflow="fold")
    rows = skipped = 0

    def wanted(raw: RawCase) -> bool:
        nonlocal skipped
        if isinstance(raw.data, dict) and raw.data.get("subsidy") is None:
            skipped += 1
            return False
        return True

    cases = CaseRun(json_errors=args.format == "json")
    for st in cases.each(args.paths, lambda case: subsidy(case, params), wanted):
        if args.format == "json":
            print_json_line(st.to_dict())
            continue
        rows += 1
        cells = (
            st.name or "",
            st.account_id,
            st.season,
            st.household + ("" if st.central_heating else " (no central heating)"),
            f"{st.subsidy:.2f}",
            st.explain_zh if args.lang == "zh" else st.explain_en,
            str(st.citation),
        )
        table.add_row(*(escape(c) for c in cells))
    if args.format == "table" and rows:
        out_console().print(table)
    if skipped:
        warn(f"note: {skipped} case(s) without `subsidy` skipped")
    return cases.finish()
