"""Engineering limits on input values, shared by the scalar and the batch engine.

These are not legal numbers: they bound what one account can plausibly carry, so that a
nonsensical magnitude is bad input naming the field (not an arithmetic error) and the batch
engine's exact integer arithmetic cannot overflow. The batch engine also fixes a precision for
kWh, rates and temperatures (below); the scalar engine, the reference, accepts any precision.
"""

from __future__ import annotations

from decimal import Decimal

MAX_AREA_M2 = Decimal("1000000.00")
"""Billing or room area: at most 1 000 000 m² (2 decimals)."""

MAX_MONEY = Decimal("10000000000.00")
"""A payment or expected amount: at most 10¹⁰ yuan (2 decimals)."""

MAX_SEASON_PAID = Decimal("1000000000000000.00")
"""An account's payments in one season, summed: at most 10¹⁵ yuan, so that every figure of
its bill fits the batch outputs' decimal(18, 2); the batch engine rejects an account beyond
it (with its payments), naming the sum."""

MAX_KWH = Decimal("1000000000")
"""Season heat use: at most 10⁹ kWh."""

MIN_CELSIUS = Decimal("-273.15")
MAX_CELSIUS = Decimal("1000")
"""A measured or standard temperature: physically possible."""

# Precision of the batch engine's integer units. The scalar engine takes any number of
# decimals here (the rule book sets none); the batch engine rejects more, naming the column.
KWH_DECIMALS = 3
RATE_DECIMALS = 6
CELSIUS_DECIMALS = 6
