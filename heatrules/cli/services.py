"""``heatrules services | apply | workorder``: the duty catalogue, applications, work orders.

- ``heatrules services [list|show ID] [--lang zh|en] [--format table|json]`` lists the 20 items
  or shows one (exit 0; an unknown id is bad input, exit 2).
- ``heatrules apply FILE [--format json]`` decides each application in the file; exit 1 when
  any is refused, 2 on bad input (unknown item or document code, malformed file).
- ``heatrules workorder FILE [--format json]`` replays a hotline work order; exit 1 at the
  first invalid event (its index, the state it met and the events allowed there), 2 on bad
  input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..errors import CaseError
from ..params import Parameters
from ..services.applications import Decision, check_application, read_applications
from ..services.catalogue import Catalogue, ServiceItem
from ..services.documents import DOCUMENTS
from ..services.workorders import FLOWS, Replay, format_timestamp, read_workorder
from .common import err_console, out_console, print_json_line
from .options import add_params_option, params_from

_FORMAT = ("table", "json")
_LANG = ("zh", "en")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "services",
        help="the duty catalogue: list the 20 items or show one",
        description=(
            "The heating group's duty catalogue (1.1 … 7.10): names, legal basis, bodies, "
            "responsibility boundary, process steps, required documents, checks or flow. "
            "`heatrules services` lists the items; `heatrules services show 2.1` shows one."
        ),
    )
    _view_options(p, argparse.SUPPRESS, default_values=True)
    actions = p.add_subparsers(dest="action", metavar="[list | show ID]", parser_class=type(p))
    lp = actions.add_parser("list", help="list every item (the default)")
    _view_options(lp, argparse.SUPPRESS)
    sp = actions.add_parser("show", help="show one item, e.g. `show 2.1`")
    sp.add_argument("item", metavar="ID", help="the item id, e.g. 2.1 or 7.10")
    _view_options(sp, argparse.SUPPRESS)
    p.set_defaults(func=run_services)

    a = sub.add_parser(
        "apply",
        help="check applications (items 1.1-6.2) against the catalogue",
        description=(
            "Decide each application in FILE (JSON, JSON lines or YAML; a list, one "
            "application, or {applications: [...]}). Exit 0 when all are accepted, 1 when any "
            "is refused, 2 on bad input."
        ),
        epilog=(
            "Example: heatrules apply examples/services/applications.yaml --format json. "
            "The format, the document codes and the check ids: docs/services/index.md."
        ),
    )
    a.add_argument("path", metavar="FILE", help="applications file (.yaml/.yml/.json/.jsonl)")
    _view_options(a, None, default_values=True)
    add_params_option(a)
    a.set_defaults(func=run_apply)

    w = sub.add_parser(
        "workorder",
        help="replay a hotline work order (items 7.1-7.10) and print its history",
        description=(
            "Replay the events of the work order in FILE (JSON or YAML: item, order_id, "
            "events). Exit 0 when every event is valid, 1 at the first invalid event, 2 on "
            "bad input."
        ),
        epilog=(
            "Example: heatrules workorder examples/services/workorder-7.1.yaml. "
            "The events and the flows of 7.1-7.10: docs/services/hotline.md."
        ),
    )
    w.add_argument("path", metavar="FILE", help="work-order file (.yaml/.yml/.json)")
    _view_options(w, None, default_values=True)
    w.set_defaults(func=run_workorder)


def _view_options(p: argparse.ArgumentParser, suppress: Any, default_values: bool = False) -> None:
    """``--format`` and ``--lang``; sub-actions repeat them without overriding the parent's."""
    p.add_argument(
        "--format",
        choices=_FORMAT,
        default="table" if default_values else suppress,
        help="table (default) or json",
    )
    p.add_argument(
        "--lang",
        choices=_LANG,
        default="zh" if default_values else suppress,
        help="language of the table: zh (default) or en",
    )


# ---------------------------------------------------------------------- services
def run_services(args: argparse.Namespace) -> int:
    catalogue = Catalogue.default()
    if getattr(args, "action", None) == "show":
        item = catalogue.item(args.item, "services show")
        if args.format == "json":
            _print_json(catalogue.item_dict(item))
        else:
            _show_item(catalogue, item, args.lang)
        return 0
    if args.format == "json":
        _print_json(catalogue.to_dict())
        return 0
    _list_items(catalogue, args.lang)
    return 0


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _flow_summary(item_id: str) -> str:
    return FLOWS[item_id].summary


def _list_items(catalogue: Catalogue, lang: str) -> None:
    zh = lang == "zh"
    table = Table(
        title=("能源集团供热板块职责目录" if zh else "Heating duty catalogue")
        + f" · {len(catalogue)} "
        + ("项" if zh else "items"),
        show_lines=False,
    )
    table.add_column("序号" if zh else "id", no_wrap=True)
    table.add_column("名称" if zh else "name", overflow="fold")
    table.add_column("运行要件（代码）" if zh else "documents (codes)", overflow="fold")
    table.add_column("检查 / 工单流程" if zh else "checks / work-order flow", overflow="fold")
    groups = list(catalogue.groups)
    for g in groups:
        items = catalogue.group_items(g)
        for n, item in enumerate(items):
            docs = ", ".join(item.documents.required) or ("无" if zh else "none")
            right = ", ".join(item.checks) if item.is_application else _flow_summary(item.id)
            table.add_row(
                item.id,
                escape(item.name.get(lang)),
                escape(docs),
                escape(right),
                end_section=n == len(items) - 1,
            )
    console = out_console()
    console.print(table)
    phone = {i.supervision_phone for i in catalogue}
    if zh:
        footer = f"监督电话：{', '.join(sorted(phone))}。详情：heatrules services show 2.1"
    else:
        footer = f"Supervision phone: {', '.join(sorted(phone))}. "
        footer += "Details: heatrules services show 2.1 --lang en"
    console.print(footer, highlight=False)


def _show_item(catalogue: Catalogue, item: ServiceItem, lang: str) -> None:
    zh = lang == "zh"
    group = catalogue.groups[item.group]
    table = Table(
        title=escape(f"{item.id} {item.name.get(lang)}"),
        show_header=False,
        show_lines=True,
    )
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")

    def row(label_zh: str, label_en: str, value: str) -> None:
        table.add_row(label_zh if zh else label_en, escape(value))

    row("名称", "name", f"{item.name.zh}\n{item.name.en}")
    row("主要职责", "group", f"{item.group} {group.zh if zh else group.en}")
    row(
        "法定依据",
        "legal basis",
        "\n".join(f"{c}" for c in item.citations()),
    )
    row(
        "实施机构",
        "implementing bodies",
        "\n".join(catalogue.bodies[b].zh if zh else catalogue.bodies[b].en for b in item.bodies),
    )
    row("职责边界", "responsibility boundary", item.boundary.get(lang))
    steps = [f"{n}. {s.zh if zh else s.en}" for n, s in enumerate(item.steps, start=1)]
    if item.note is not None:
        steps.append(f"({item.note.get(lang)})")
    row("运行流程", "process steps", "\n".join(steps))
    row("运行要件（原文）", "required documents (seed)", item.documents.seed_zh)
    if item.is_application:
        row("运行要件（代码）", "required documents", _documents_text(item, lang))
        checks = []
        for check in item.checks:
            spec = catalogue.checks[check]
            if spec.parameter is not None:
                latest = Parameters.default().parameter(spec.parameter).values[-1]
                source = f"{latest.citation}; parameter {spec.parameter}"
            elif spec.citation_from:
                source = f"DUTY {item.id} 运行要件"
            else:
                source = "; ".join(str(c.citation()) for c in spec.citations)
            checks.append(f"{check}: {spec.label.get(lang)} [{source}]")
        row("申请检查", "application checks", "\n".join(checks))
        needs = catalogue.needs(item)
        if needs:
            row("申请必填字段", "application fields required", ", ".join(needs))
    else:
        flow = FLOWS[item.id]
        lines = [
            f"{'start' if t.source == 'new' else t.source} --{t.event}"
            + (f"(satisfied={str(t.satisfied).lower()})" if t.satisfied is not None else "")
            + f"--> {t.target}"
            for t in flow.transitions
        ]
        row("工单流程", "work-order flow", f"{flow.name}: {flow.summary}\n" + "\n".join(lines))
    row("监督方式", "supervision", ("监督电话：" if zh else "phone ") + item.supervision_phone)
    out_console().print(table)


def _documents_text(item: ServiceItem, lang: str) -> str:
    zh = lang == "zh"

    def names(codes: tuple[str, ...] | list[str]) -> str:
        return ", ".join(f"{c} ({DOCUMENTS[c].zh if zh else DOCUMENTS[c].en})" for c in codes)

    docs = item.documents
    lines = [("本人办理：" if zh else "in person: ") + names(docs.required)]
    if docs.agent is not None:
        change = "代理办理：" if zh else "by an agent: "
        if docs.agent.replaces:
            change += ("去掉 " if zh else "without ") + ", ".join(docs.agent.replaces) + "; "
        change += ("加 " if zh else "plus ") + names(docs.agent.adds)
        if docs.agent.basis == "decision":
            change += " [decision]"
        lines.append(change)
    for category, extra in docs.by_category.items():
        lines.append(f"{category}: + {names(extra)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- apply
def _bad_input(exc: CaseError) -> int:
    """Print each problem of a bad input file on its own line; exit code 2."""
    for where, message in exc.problems:
        err_console().print(
            Text.assemble(("error: ", "bold red"), f"{where}: {message}" if where else message)
        )
    return 2


def run_apply(args: argparse.Namespace) -> int:
    params = params_from(args)
    catalogue = Catalogue.default()
    try:
        applications = read_applications(args.path, catalogue)
    except CaseError as exc:
        return _bad_input(exc)
    decisions = [check_application(a, catalogue, params) for a in applications]
    if args.format == "json":
        for d in decisions:
            print_json_line(d.to_dict())
    else:
        _decisions_table(catalogue, decisions, args.lang)
    return 0 if all(d.accepted for d in decisions) else 1


def _decisions_table(catalogue: Catalogue, decisions: list[Decision], lang: str) -> None:
    zh = lang == "zh"
    table = Table(show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("事项" if zh else "item", overflow="fold")
    table.add_column("结果" if zh else "decision", no_wrap=True)
    table.add_column("原因与依据" if zh else "reasons and citations", overflow="fold")
    for i, d in enumerate(decisions):
        item = catalogue.item(d.item)
        result = (
            Text("受理" if zh else "accepted", style="green")
            if d.accepted
            else Text("不予受理" if zh else "refused", style="bold red")
        )
        basis = "依据：" if zh else "basis: "
        reasons = "\n".join(
            f"[{f.check}] {f.message(lang)}\n  {basis}{f.citation}" for f in d.failed_checks
        )
        table.add_row(str(i), escape(f"{item.id} {item.name.get(lang)}"), result, escape(reasons))
    console = out_console()
    console.print(table)
    refused = sum(not d.accepted for d in decisions)
    accepted = len(decisions) - refused
    if zh:
        console.print(f"共 {len(decisions)} 件：受理 {accepted}，不予受理 {refused}")
    else:
        console.print(f"{len(decisions)} applications: {accepted} accepted, {refused} refused")


# ---------------------------------------------------------------------- workorder
def run_workorder(args: argparse.Namespace) -> int:
    try:
        result = read_workorder(args.path)
    except CaseError as exc:
        return _bad_input(exc)
    if args.format == "json":
        print_json_line(result.to_dict())
    else:
        _workorder_table(result, args.lang)
    return 0 if result.valid else 1


def _workorder_table(result: Replay, lang: str) -> None:
    zh = lang == "zh"
    order = result.order
    table = Table(
        title=escape(f"{order.item} {order.name.get(lang)} · {order.order_id}"),
        caption=None,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("时间" if zh else "at", no_wrap=True)
    table.add_column("事件" if zh else "event", no_wrap=True)
    table.add_column("状态" if zh else "state")
    table.add_column("内容" if zh else "data")
    for h in order.history:
        data = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in h.data.items())
        table.add_row(
            str(h.index), format_timestamp(h.at), h.event, f"{h.source} → {h.target}", escape(data)
        )
    console = out_console()
    console.print(table)
    if result.error is not None:
        e = result.error
        console.print(Text.assemble(("无效：" if zh else "invalid ", "bold red"), e.message(lang)))
        return
    console.print(("最终状态：" if zh else "final state: ") + order.state, highlight=False)
    if order.measurement is not None:
        console.print(
            (
                "测温记录（可用于 6.2 申请和账单 temperature）："
                if zh
                else "measurement record (for a 6.2 application and a bill's temperature list): "
            )
            + json.dumps(order.measurement, ensure_ascii=False),
            highlight=False,
            markup=False,
        )
