"""Cut-off for non-payment: compensation for the cut-off days, 20 % × F × c / N.

rules.md §7 [decision; the per-day amount is not stated]: c = days from the cut-off date k to
the season's last day inclusive; the tariff covers only the supplied days (see
:mod:`heatrules.tariffs.area`) and the late fee accrues only up to k − 1.
"""

from __future__ import annotations

from fractions import Fraction

from ..context import Context
from ..lines import Line
from ..money import decimal_str


def cutoff_compensation(ctx: Context) -> list[Line]:
    """The ``fee.cutoff_compensation`` line (only when the account was cut off)."""
    if ctx.cutoff_from is None:
        return []
    pv = ctx.params.in_force("cutoff.compensation_rate", ctx.season)
    c = ctx.cutoff_days
    amount = Fraction(pv.value) * ctx.area_fee * Fraction(c, ctx.n)
    return [
        Line.make(
            "fee.cutoff_compensation",
            amount,
            {"area_fee_F": ctx.area_fee, "rate": pv.value, "days": c, "divisor_N": ctx.n},
            pv.citation,
            f"欠费停热 {ctx.cutoff_from} 起 {c} 天的热能损耗补偿费："
            f"{pv.value} × {decimal_str(ctx.area_fee)} 元 × {c}/{ctx.n}。",
            f"Compensation for the {c} cut-off days from {ctx.cutoff_from}: "
            f"{pv.value} x {decimal_str(ctx.area_fee)} yuan x {c}/{ctx.n}.",
        )
    ]
