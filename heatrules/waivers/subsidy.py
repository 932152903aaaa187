"""Hardship heating subsidies (civil-affairs reimbursements; CIV, confidence medium).

Paid to the household after it has paid in full: a separate statement, not a reduction of the
supplier's bill (rules.md §5). With fee = the heating fee owed at the due date before any
waiver: ``full`` 100 % × fee; ``youfu`` 70 % and ``dibao`` 60 % × min(fee, 1250.00); without
central heating flat 460.00 (``youfu``) or 340.00 (``dibao``, ``tekun``); ``tekun`` with central
heating is treated as ``full`` [decision]. From season 2012-2013, no end known [decision].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..case import Case
from ..caseio import parse_case
from ..citations import Citation
from ..context import make_context
from ..errors import CaseError
from ..money import ZERO, fmt, to_fen
from ..params import Parameters
from ..validate import validate

HOUSEHOLD_ZH = {
    "full": "全额补贴对象",
    "youfu": "重点优抚对象",
    "dibao": "低保家庭",
    "tekun": "特困家庭",
}


@dataclass(frozen=True)
class SubsidyStatement:
    """The subsidy a household is reimbursed for one season, with its basis."""

    name: str | None
    account_id: str
    season: str
    household: str
    central_heating: bool
    subsidy: Decimal
    basis: dict[str, str]
    citation: Citation
    explain_zh: str
    explain_en: str

    def to_dict(self) -> dict[str, Any]:
        """The statement as in ``expect.subsidy`` / the subsidy JSON (amounts as strings)."""
        return {
            "name": self.name,
            "account_id": self.account_id,
            "season": self.season,
            "household": self.household,
            "subsidy": fmt(self.subsidy),
            "basis": self.basis,
            "citation": self.citation.to_dict(),
            "explain": {"zh": self.explain_zh, "en": self.explain_en},
        }


def subsidy(case: Case | dict[str, Any], params: Parameters | None = None) -> SubsidyStatement:
    """Compute the hardship subsidy of a case (a Case or a case mapping) that carries ``subsidy``."""
    params = params or Parameters.default()
    case = parse_case(case)
    validate(case, params)
    sub = case.subsidy
    if sub is None:
        raise CaseError.single("subsidy", "the case has no subsidy household to compute")
    ctx = make_context(case, params)
    season = case.season
    fee = ZERO if ctx.suspension is not None else to_fen(ctx.fee_at_due)
    household = sub.household
    if sub.central_heating:
        kind = household
        if household == "tekun":
            kind = params.value("subsidy.tekun_central", season)
        rate_pv = params.in_force(f"subsidy.rate.{kind}", season)
        rate: Decimal = rate_pv.value
        if kind == "full":
            base = fee
            amount = to_fen(Fraction(rate) * Fraction(base))
            basis = {"fee": fmt(fee), "rate": str(rate)}
            zh = f"集中供热{HOUSEHOLD_ZH[household]}：采暖费 {fmt(fee)} 元 × {rate}。"
            en = f"Central heating, {household} household: heating fee {fmt(fee)} yuan x {rate}."
        else:
            cap: Decimal = params.value("subsidy.cap", season)
            base = min(fee, cap)
            amount = to_fen(Fraction(rate) * Fraction(base))
            basis = {"fee": fmt(fee), "cap": fmt(cap), "rate": str(rate)}
            zh = f"集中供热{HOUSEHOLD_ZH[household]}：{rate} × min(采暖费 {fmt(fee)}, {fmt(cap)}) 元。"
            en = (
                f"Central heating, {household} household: {rate} x min(heating fee "
                f"{fmt(fee)}, {fmt(cap)}) yuan."
            )
        citation = rate_pv.citation
    else:
        flat_pv = params.in_force(f"subsidy.flat.{household}", season)
        amount = to_fen(flat_pv.value)
        basis = {"flat": fmt(flat_pv.value)}
        citation = flat_pv.citation
        zh = f"非集中供热{HOUSEHOLD_ZH[household]}定额补贴 {fmt(amount)} 元。"
        en = f"No central heating, {household} household: flat subsidy {fmt(amount)} yuan."
    if ctx.suspension is not None and sub.central_heating:
        zh += "（本供热期报停，无采暖费。）"
        en += " (The season is suspended: there is no heating fee.)"
    return SubsidyStatement(
        case.name,
        case.account.id,
        str(season),
        household,
        sub.central_heating,
        amount,
        basis,
        citation,
        zh,
        en,
    )
