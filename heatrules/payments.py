"""Payments received: one ``payment`` line each, in the order given."""

from __future__ import annotations

from .citations import Citation
from .context import Context
from .lines import Line


def payment_lines(ctx: Context) -> list[Line]:
    """A negative ``payment`` line per payment (money received lowers the balance)."""
    cite = ctx.params.citation("late_fee.due_day", ctx.season)
    citation = Citation(cite.document, cite.article, "缴纳供热采暖费")
    return [
        Line.make(
            "payment",
            p.amount,
            {"date": p.date.isoformat(), "amount": p.amount},
            citation,
            f"{p.date} 收到缴费 {p.amount} 元。",
            f"Payment of {p.amount} yuan received on {p.date}.",
        )
        for p in ctx.case.payments
    ]
