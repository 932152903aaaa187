"""Area tariff: F = billing area × the price in force for the category (PR-RES; PR-NON).

A mid-season connection pays F × (days from the connection to the last day) / N
[decision: supplier practice, no statute]; a cut-off for non-payment leaves only the supplied
days: F × (days connected − cut-off days) / N (rules.md §3, §7).
"""

from __future__ import annotations

from fractions import Fraction

from ..context import Context
from ..lines import BasisValue, Line


def area_tariff(ctx: Context) -> list[Line]:
    """The ``tariff.area`` line (one line, rounded once)."""
    days = ctx.supplied_days
    amount = ctx.area_fee * Fraction(days, ctx.n)
    basis: dict[str, BasisValue] = {
        "area_m2": ctx.area,
        "price": ctx.area_price,
        "days": days,
        "divisor_N": ctx.n,
    }
    kind_zh = "居民" if ctx.residential else "非居民"
    kind_en = "residential" if ctx.residential else "non-residential"
    if days == ctx.n:
        zh = f"{kind_zh}面积计费：{ctx.area} m² × {ctx.area_price} 元/m² = 全供热期采暖费。"
        en = (
            f"{kind_en.capitalize()} area fee: {ctx.area} m2 x {ctx.area_price} yuan/m2 "
            "for the whole season."
        )
    else:
        reasons_zh, reasons_en = [], []
        if ctx.connected_on is not None:
            reasons_zh.append(f"{ctx.connected_on} 接网")
            reasons_en.append(f"connected on {ctx.connected_on}")
        if ctx.cutoff_from is not None:
            reasons_zh.append(f"{ctx.cutoff_from} 起欠费停热")
            reasons_en.append(f"heat cut off for non-payment from {ctx.cutoff_from}")
        zh = (
            f"{kind_zh}面积计费：{ctx.area} m² × {ctx.area_price} 元/m² × {days}/{ctx.n} 天"
            f"（{'，'.join(reasons_zh)}）。"
        )
        en = (
            f"{kind_en.capitalize()} area fee: {ctx.area} m2 x {ctx.area_price} yuan/m2 x "
            f"{days}/{ctx.n} days ({'; '.join(reasons_en)})."
        )
    return [Line.make("tariff.area", amount, basis, ctx.area_price_citation, zh, en)]
