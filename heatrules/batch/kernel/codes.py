"""The line codes of rules.md §8 as bills columns: their sign, the totals they enter, their order."""

from __future__ import annotations

from ...case import LINE_CODES

CODES = LINE_CODES
"""Every line code, in bill order (:data:`heatrules.case.LINE_CODES`)."""

CHARGE_CODES = (
    "tariff.area",
    "tariff.metered.base",
    "tariff.metered.energy",
    "fee.suspension_compensation",
    "fee.cutoff_compensation",
)
REFUND_CODES = ("refund.supplier_outage", "refund.facility_outage", "refund.temperature")
NEGATIVE = frozenset({*REFUND_CODES, "waiver.cadre_widow", "payment"})
# order of the lines on a bill (rules.md §8), as the block of the line's sequence number
BLOCK = {
    "fee.suspension_compensation": 0,
    "tariff.area": 1,
    "tariff.metered.base": 1,
    "tariff.metered.energy": 1,
    "fee.cutoff_compensation": 2,
    "refund.supplier_outage": 3,
    "refund.facility_outage": 3,
    "refund.temperature": 4,
    "waiver.cadre_widow": 5,
    "fee.late_payment": 6,
    "payment": 7,
}
SEQ_BLOCK = 1 << 40


def col_name(code: str) -> str:
    """The bills column of a line code (the dot replaced by an underscore)."""
    return code.replace(".", "_")
