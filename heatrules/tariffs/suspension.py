"""Suspension: no heating fee; a temporary suspension pays the heat-loss compensation fee.

SUS: 热能损耗补偿费 = 20 % of the area fee F for each suspended season, charged to
non-residential accounts from 2010-2011 and to residential accounts from 2011-2012 (0 before).
A permanent suspension (seed item 2.2) pays no compensation [decision] (rules.md §6).
"""

from __future__ import annotations

from fractions import Fraction

from ..context import Context
from ..lines import Line


def suspension_compensation(ctx: Context) -> list[Line]:
    """The ``fee.suspension_compensation`` line of a suspended season (0.00 says why)."""
    cat = "residential" if ctx.residential else "non_residential"
    if ctx.suspension == "permanent":
        pv = ctx.params.in_force("suspension.permanent_compensation", ctx.season)
        return [
            Line.make(
                "fee.suspension_compensation",
                Fraction(pv.value) * ctx.area_fee,
                {"area_fee_F": ctx.area_fee, "rate": pv.value},
                pv.citation,
                "永久报停：自本供热期起停止供热，不收取采暖费和热能损耗补偿费。",
                "Permanent suspension: the account is closed from this season; "
                "no heating fee and no compensation fee.",
            )
        ]
    pv = ctx.params.in_force(f"suspension.compensation_rate.{cat}", ctx.season)
    rate: object = pv.value
    basis = {
        "area_m2": ctx.area,
        "price": ctx.area_price,
        "area_fee_F": ctx.area_fee,
        "rate": pv.value,
    }
    if pv.value == 0:
        zh = (
            f"报停：本供热期{('居民' if ctx.residential else '非居民')}用户尚不收取热能损耗补偿费。"
        )
        en = (
            f"Temporary suspension: no heat-loss compensation fee is charged to "
            f"{'residential' if ctx.residential else 'non-residential'} accounts in {ctx.season}."
        )
    else:
        zh = f"报停热能损耗补偿费：面积计费采暖费 {ctx.area} m² × {ctx.area_price} 元/m² × {rate}。"
        en = (
            f"Heat-loss compensation for a temporary suspension: area fee {ctx.area} m2 x "
            f"{ctx.area_price} yuan/m2 x {rate}."
        )
    return [
        Line.make(
            "fee.suspension_compensation",
            Fraction(pv.value) * ctx.area_fee,
            basis,
            pv.citation,
            zh,
            en,
        )
    ]
