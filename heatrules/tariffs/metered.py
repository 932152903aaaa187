"""Metered two-part price: base price × area plus energy price × season kWh (PR-MET).

A mid-season connection prorates the base part like the area fee; the energy part follows the
meter and is not prorated [decision] (rules.md §3).
"""

from __future__ import annotations

from fractions import Fraction

from ..context import Context
from ..lines import Line


def metered_tariff(ctx: Context) -> list[Line]:
    """The ``tariff.metered.base`` and ``tariff.metered.energy`` lines."""
    cat = "residential" if ctx.residential else "non_residential"
    base = ctx.params.in_force(f"tariff.metered.base_price.{cat}", ctx.season)
    energy = ctx.params.in_force(f"tariff.metered.energy_price.{cat}", ctx.season)
    kwh = ctx.case.account.metered_kwh
    assert kwh is not None
    days = ctx.connected_days
    base_amount = Fraction(base.value) * Fraction(ctx.area) * Fraction(days, ctx.n)
    prorated = days != ctx.n
    base_line = Line.make(
        "tariff.metered.base",
        base_amount,
        {"area_m2": ctx.area, "price": base.value, "days": days, "divisor_N": ctx.n},
        base.citation,
        f"计量收费基本热价：{ctx.area} m² × {base.value} 元/m²"
        + (f" × {days}/{ctx.n} 天（{ctx.connected_on} 接网）" if prorated else "")
        + "。",
        f"Metered base charge: {ctx.area} m2 x {base.value} yuan/m2"
        + (f" x {days}/{ctx.n} days (connected on {ctx.connected_on})" if prorated else "")
        + ".",
    )
    energy_line = Line.make(
        "tariff.metered.energy",
        Fraction(energy.value) * Fraction(kwh),
        {"kwh": kwh, "price": energy.value},
        energy.citation,
        f"计量收费热量热价：{kwh} kWh × {energy.value} 元/kWh。",
        f"Metered energy charge: {kwh} kWh x {energy.value} yuan/kWh.",
    )
    return [base_line, energy_line]
