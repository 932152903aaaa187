"""Bill lines and the bill: every figure with its basis, citation and a zh/en explanation.

rules.md §8: charges, refunds, waivers, late fees and payments are lines with stable codes;
each is rounded once; totals are sums of the rounded lines and ``balance`` is signed
(> 0 the user owes, < 0 the supplier owes the user).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .citations import Citation
from .money import ZERO, decimal_str, fmt, to_fen

CHARGE_CODES = frozenset(
    {
        "tariff.area",
        "tariff.metered.base",
        "tariff.metered.energy",
        "fee.suspension_compensation",
        "fee.cutoff_compensation",
    }
)
TARIFF_CODES = frozenset({"tariff.area", "tariff.metered.base", "tariff.metered.energy"})
REFUND_CODES = frozenset({"refund.supplier_outage", "refund.facility_outage", "refund.temperature"})
WAIVER_CODES = frozenset({"waiver.cadre_widow"})
LATE_FEE_CODES = frozenset({"fee.late_payment"})
PAYMENT_CODES = frozenset({"payment"})
NEGATIVE_CODES = REFUND_CODES | WAIVER_CODES | PAYMENT_CODES
TOTAL_NAMES = ("charges", "refunds", "waivers", "late_fees", "payments", "balance")
LINE_CODES = CHARGE_CODES | REFUND_CODES | WAIVER_CODES | LATE_FEE_CODES | PAYMENT_CODES
"""Every line code a bill can carry (rules.md §8)."""

BasisValue = Decimal | Fraction | int | str


@dataclass(frozen=True)
class Line:
    """One bill line: a signed amount (rounded once), what it was computed from, and why."""

    code: str
    amount: Decimal
    basis: dict[str, BasisValue]
    citation: Citation
    explain_zh: str
    explain_en: str

    @classmethod
    def make(
        cls,
        code: str,
        exact_amount: Fraction | Decimal | int,
        basis: dict[str, BasisValue],
        citation: Citation,
        zh: str,
        en: str,
    ) -> Line:
        """Round the exact magnitude once (half-up) and sign it by the line's code."""
        magnitude = to_fen(abs(Fraction(exact_amount)))
        amount = -magnitude if code in NEGATIVE_CODES and magnitude != 0 else magnitude
        return cls(code, amount, basis, citation, zh, en)

    @property
    def magnitude(self) -> Decimal:
        """The amount without its sign (how much, whichever way the money goes)."""
        return abs(self.amount)

    def to_dict(self) -> dict[str, Any]:
        """The line as in the bill JSON of cases.md (amount and basis values as strings)."""
        return {
            "code": self.code,
            "amount": fmt(self.amount),
            "basis": {k: _basis_str(v) for k, v in self.basis.items()},
            "citation": self.citation.to_dict(),
            "explain": {"zh": self.explain_zh, "en": self.explain_en},
        }


def _basis_str(value: BasisValue) -> str:
    if isinstance(value, str):
        return value
    return decimal_str(value)


@dataclass(frozen=True)
class Note:
    """A statement-level remark (e.g. no late fee assessed without a statement date)."""

    zh: str
    en: str


@dataclass(frozen=True)
class Totals:
    """A bill's totals: sums of its rounded lines by kind (magnitudes) and the signed balance
    = charges + late fees − refunds − waivers − payments (rules.md §8)."""

    charges: Decimal
    refunds: Decimal
    waivers: Decimal
    late_fees: Decimal
    payments: Decimal
    balance: Decimal

    @classmethod
    def of(cls, lines: list[Line]) -> Totals:
        """The totals of ``lines``."""

        def total(codes: frozenset[str]) -> Decimal:
            return sum((ln.magnitude for ln in lines if ln.code in codes), ZERO)

        charges = total(CHARGE_CODES)
        refunds = total(REFUND_CODES)
        waivers = total(WAIVER_CODES)
        late = total(LATE_FEE_CODES)
        payments = total(PAYMENT_CODES)
        balance = charges + late - refunds - waivers - payments
        return cls(charges, refunds, waivers, late, payments, balance + ZERO)

    def to_dict(self) -> dict[str, str]:
        """The totals as in the bill JSON (strings with two decimals)."""
        return {name: fmt(getattr(self, name)) for name in TOTAL_NAMES}

    def get(self, name: str) -> Decimal:
        """One total by name (``charges``, ``refunds``, ``waivers``, ``late_fees``,
        ``payments`` or ``balance``); another name is a ValueError."""
        if name not in TOTAL_NAMES:
            raise ValueError(_unknown("total", name, TOTAL_NAMES))
        value: Decimal = getattr(self, name)
        return value


@dataclass(frozen=True)
class Bill:
    """One account's statement for one season."""

    name: str | None
    account_id: str
    season: str
    rules_version: str
    lines: tuple[Line, ...]
    notes: tuple[Note, ...] = field(default=())

    @property
    def totals(self) -> Totals:
        """The bill's totals, summed from its lines."""
        return Totals.of(list(self.lines))

    def amount(self, code: str) -> Decimal:
        """The signed sum of the lines with ``code`` (0.00 when the bill has none); a code
        that no bill can carry (a typing error) is a ValueError, never a silent 0.00."""
        return sum((ln.amount for ln in self.lines_of(code)), ZERO) + ZERO

    def lines_of(self, code: str) -> list[Line]:
        """The lines with ``code``, in bill order (an unknown code is a ValueError)."""
        if code not in LINE_CODES:
            raise ValueError(_unknown("line code", code, sorted(LINE_CODES)))
        return [ln for ln in self.lines if ln.code == code]

    def to_dict(self) -> dict[str, Any]:
        """The bill as in the bill JSON of cases.md."""
        return {
            "name": self.name,
            "account_id": self.account_id,
            "season": self.season,
            "rules_version": self.rules_version,
            "lines": [ln.to_dict() for ln in self.lines],
            "totals": self.totals.to_dict(),
        }

    def to_json(self, **kwargs: Any) -> str:
        """The bill as one JSON object (amounts as strings with two decimals)."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_html_(self) -> str:  # Jupyter
        from .render import bill_html

        return bill_html(self)


def _unknown(what: str, name: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {name!r}{hint} (one of {', '.join(known)})"
