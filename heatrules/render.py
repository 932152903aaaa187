"""Rendering bills for people: rich tables (zh or en) and HTML for notebooks."""

from __future__ import annotations

import html

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .lines import TOTAL_NAMES, Bill
from .money import fmt

TOTAL_LABELS = {
    "zh": {
        "charges": "应收",
        "refunds": "退费",
        "waivers": "减免",
        "late_fees": "违约金",
        "payments": "已缴",
        "balance": "余额",
    },
    "en": {
        "charges": "charges",
        "refunds": "refunds",
        "waivers": "waivers",
        "late_fees": "late fees",
        "payments": "payments",
        "balance": "balance",
    },
}


BALANCE_NOTE = {
    "zh": "正数：用户应缴；负数：供热单位应退还用户",
    "en": "> 0: the user owes; < 0: the supplier owes the user",
}


def bill_table(bill: Bill, lang: str = "zh") -> Table:
    """A rich table of the bill's lines and totals, explanations in ``lang``."""
    where = f"{bill.account_id} · {bill.season}"
    title = escape(f"{bill.name} — {where}" if bill.name else where)
    heads = (
        ("代码", "金额（元）", "说明", "依据")
        if lang == "zh"
        else ("code", "amount (yuan)", "explanation", "citation")
    )
    table = Table(
        title=title, caption=f"rules {bill.rules_version}", show_lines=False, expand=False
    )
    table.add_column(heads[0], no_wrap=True)
    table.add_column(heads[1], justify="right", no_wrap=True)
    # fold, not ellipsis: a run of Chinese text has no space to wrap at, and must not be cut
    table.add_column(f"{heads[2]} · {heads[3]}", overflow="fold")
    for line in bill.lines:
        explain = Text(line.explain_zh if lang == "zh" else line.explain_en)
        explain.append(f"\n{line.citation.short()}", style="dim")
        table.add_row(
            Text(line.code),
            Text(fmt(line.amount), style="green" if line.amount < 0 else ""),
            explain,
        )
    table.add_section()
    totals = bill.totals.to_dict()
    for name in TOTAL_NAMES:
        table.add_row(
            Text(TOTAL_LABELS[lang][name], style="bold"),
            Text(totals[name], style="bold"),
            Text(BALANCE_NOTE[lang] if name == "balance" else "", style="dim"),
        )
    for note in bill.notes:
        table.add_row("", "", Text(note.zh if lang == "zh" else note.en, style="italic"))
    return table


def bill_html(bill: Bill, lang: str = "en") -> str:
    """The bill as a small HTML table (for Jupyter's rich display)."""
    esc = html.escape
    rows = "".join(
        f"<tr><td><code>{esc(ln.code)}</code></td><td style='text-align:right'>{fmt(ln.amount)}</td>"
        f"<td>{esc(ln.explain_en if lang == 'en' else ln.explain_zh)}</td>"
        f"<td>{esc(str(ln.citation))}</td></tr>"
        for ln in bill.lines
    )
    totals = bill.totals.to_dict()
    foot = "".join(
        f"<tr><th>{esc(name)}</th><th style='text-align:right'>{totals[name]}</th><td></td><td></td></tr>"
        for name in TOTAL_NAMES
    )
    return (
        f"<table><caption>{esc(bill.name or bill.account_id)} — {esc(bill.account_id)} · "
        f"{esc(bill.season)} (rules {esc(bill.rules_version)})</caption>"
        "<thead><tr><th>code</th><th>amount</th><th>explanation</th><th>citation</th></tr></thead>"
        f"<tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>"
    )
