"""``heatrules rules [--season S]``: the parameter data with citations."""

from __future__ import annotations

import argparse
import json

from rich.markup import escape
from rich.table import Table

from ..errors import CaseError, NoRuleInForce
from ..params import Parameters
from ..season import Season
from .common import out_console
from .options import add_params_option, params_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "rules",
        help="list the rule parameters with their citations",
        description="Every parameter value with the season it is in force from and its citation.",
    )
    p.add_argument("--season", help="show only what is in force for this season, e.g. 2024-2025")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    add_params_option(p)
    p.set_defaults(func=run)


def _show(value: object) -> str:
    if isinstance(value, tuple) and value and hasattr(value[0], "rate"):
        return "; ".join(
            f"({b.above}, {b.upto if b.upto is not None else '∞'}] → {b.rate}" for b in value
        )
    if isinstance(value, tuple) and len(value) == 2:
        return f"{value[0]:02d}-{value[1]:02d}"
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")  # type: ignore[no-any-return]
    return str(value)


def rows(params: Parameters, season: Season | None) -> list[dict[str, str]]:
    out = []
    for name, param in params.params.items():
        values = param.values
        if season is not None:
            try:
                values = (params.in_force(name, season),)
            except CaseError:
                continue
        for pv in values:
            out.append(
                {
                    "name": name,
                    "label_zh": param.label_zh,
                    "label_en": param.label_en,
                    "from": str(pv.from_season),
                    "until": str(pv.until) if pv.until else "",
                    "value": _show(pv.value),
                    "unit": param.unit or "",
                    "citation": str(pv.citation),
                    "decision": "yes" if pv.decision else "",
                    "note": pv.note or "",
                }
            )
    return out


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    season = None
    if args.season:
        try:
            season = Season.parse(args.season)
        except ValueError as exc:
            raise CaseError.single("--season", str(exc)) from None
    data = rows(params, season)
    if season is not None and not data:
        raise NoRuleInForce.single("--season", f"no rule in force for season {season}")
    if args.format == "json":
        print(
            json.dumps(
                {"rules_version": params.version, "note": params.note, "parameters": data},
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    title = f"heatrules rules {params.version}" + (f" — in force for {season}" if season else "")
    table = Table(title=title, caption=params.note, show_lines=True)
    for col in ("parameter", "from", "value", "citation", "note"):
        table.add_column(col, overflow="fold")
    for r in data:
        label = r["label_zh"] if args.lang == "zh" else r["label_en"]
        note = ("[decision] " if r["decision"] else "") + r["note"]
        table.add_row(
            escape(f"{r['name']}\n{label}"),
            r["from"] + (f" … {r['until']}" if r["until"] else ""),
            escape(f"{r['value']} {r['unit']}".strip()),
            escape(r["citation"]),
            escape(note),
        )
    out_console().print(table)
    return 0
