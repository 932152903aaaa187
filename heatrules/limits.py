"""Engineering limits on input values, shared by the scalar and the batch engine.

These are not legal numbers: they bound what one account can plausibly carry so that both
engines accept exactly the same inputs and the batch engine's exact integer arithmetic cannot
overflow. A value outside them is bad input naming the field.
"""

from __future__ import annotations

from decimal import Decimal

MAX_AREA_M2 = Decimal("1000000.00")
"""Billing or room area: at most 1 000 000 m² (2 decimals)."""

MAX_MONEY = Decimal("10000000000.00")
"""A payment or expected amount: at most 10¹⁰ yuan (2 decimals)."""

MAX_KWH = Decimal("1000000000")
KWH_DECIMALS = 3
"""Season heat use: at most 10⁹ kWh, at most 3 decimals."""

RATE_DECIMALS = 6
"""A contract late-fee rate per day: at most 6 decimals."""

CELSIUS_DECIMALS = 6
MIN_CELSIUS = Decimal("-273.15")
MAX_CELSIUS = Decimal("1000")
"""A measured or standard temperature: physically possible, at most 6 decimals."""
