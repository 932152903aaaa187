"""Retired-cadre widow waiver (离休干部遗孀, WID-08 第一条; WID-05; seed item 6.1).

With children: min(amount, remaining), amount 520.00 from 2008-2009 (420.00 for 2005-2006 …
2007-2008); without children: the whole remaining amount. Remaining = tariff charges − refunds,
floored at 0: the waiver covers the heating fee only, never compensation or late fees. In a
suspended season there is no heating fee: 0.00, with a line saying why. The city heating
office funds it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..context import Context
from ..lines import REFUND_CODES, TARIFF_CODES, Line
from ..money import ZERO


def widow_amount(ctx: Context) -> tuple[Decimal | None, object]:
    """(amount with children or None for the whole fee, the parameter value in force)."""
    waiver = ctx.waiver
    assert waiver is not None
    if waiver.has_children:
        pv = ctx.params.in_force("waiver.cadre_widow.with_children", ctx.season)
        return pv.value, pv
    pv = ctx.params.in_force("waiver.cadre_widow.without_children", ctx.season)
    return None, pv


def cadre_widow_waiver(ctx: Context, lines: list[Line]) -> list[Line]:
    """The ``waiver.cadre_widow`` line, applied to what remains of the heating fee."""
    waiver = ctx.waiver
    if waiver is None:
        return []
    amount, pv = widow_amount(ctx)
    citation = pv.citation  # type: ignore[attr-defined]
    tariff = sum((ln.magnitude for ln in lines if ln.code in TARIFF_CODES), ZERO)
    refunds = sum((ln.magnitude for ln in lines if ln.code in REFUND_CODES), ZERO)
    remaining = max(tariff - refunds, ZERO)
    basis: dict[str, Decimal | Fraction | int | str] = {
        "tariff_charges": tariff,
        "refunds": refunds,
        "remaining": remaining,
        "has_children": "true" if waiver.has_children else "false",
    }
    if amount is not None:
        basis["amount"] = amount
    funded_zh = "由市供热办承担"
    funded_en = "funded by the city heating office"
    if ctx.suspension is not None:
        return [
            Line.make(
                "waiver.cadre_widow",
                0,
                basis,
                citation,
                f"离休干部遗孀减免：本供热期已报停，无采暖费可减免（{funded_zh}）。",
                f"Retired-cadre widow waiver: the season is suspended, so there is no heating "
                f"fee to waive ({funded_en}).",
            )
        ]
    if amount is not None:
        value = min(amount, remaining)
        zh = (
            f"离休干部遗孀（有子女）减免：{amount} 元与剩余采暖费 {remaining} 元"
            f"（采暖费 {tariff} − 退费 {refunds}）取小者，{funded_zh}。"
        )
        en = (
            f"Retired-cadre widow with children: the lesser of {amount} yuan and the heating fee "
            f"left after refunds ({tariff} - {refunds} = {remaining}), {funded_en}."
        )
    else:
        value = remaining
        zh = (
            f"离休干部遗孀（无子女）免收全部剩余采暖费 {remaining} 元"
            f"（采暖费 {tariff} − 退费 {refunds}），{funded_zh}。"
        )
        en = (
            f"Retired-cadre widow without children: the whole heating fee left after refunds "
            f"({tariff} - {refunds} = {remaining}) is waived, {funded_en}."
        )
    return [Line.make("waiver.cadre_widow", value, basis, citation, zh, en)]


def widow_known_at_due(ctx: Context, fee_at_due: Decimal) -> Decimal:
    """The waiver as known at the due date: with children min(amount, fee), else the whole fee."""
    if ctx.waiver is None or ctx.suspension is not None:
        return ZERO
    amount, _ = widow_amount(ctx)
    return fee_at_due if amount is None else min(amount, fee_at_due)
