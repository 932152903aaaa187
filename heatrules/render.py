"""Rendering bills for people: rich tables (zh or en) and HTML for notebooks."""

from __future__ import annotations

import html

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
        "balance": "余额（正数为用户应缴）",
    },
    "en": {
        "charges": "charges",
        "refunds": "refunds",
        "waivers": "waivers",
        "late_fees": "late fees",
        "payments": "payments",
        "balance": "balance (> 0 the user owes)",
    },
}


def bill_table(bill: Bill, lang: str = "zh") -> Table:
    """A rich table of the bill's lines and totals, explanations in ``lang``."""
    title = f"{bill.name or bill.account_id} — {bill.account_id} · {bill.season}"
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
    table.add_column(heads[2], ratio=3)
    table.add_column(heads[3], ratio=2, style="dim")
    for line in bill.lines:
        explain = line.explain_zh if lang == "zh" else line.explain_en
        cite = line.citation
        table.add_row(
            line.code,
            Text(fmt(line.amount), style="green" if line.amount < 0 else ""),
            Text(explain),
            Text(cite.short()),
        )
    table.add_section()
    totals = bill.totals.to_dict()
    for name in TOTAL_NAMES:
        table.add_row(
            Text(TOTAL_LABELS[lang][name], style="bold"),
            Text(totals[name], style="bold"),
            "",
            "",
        )
    for note in bill.notes:
        table.add_row("", "", Text(note.zh if lang == "zh" else note.en, style="italic"), "")
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
