"""Readings of the rules: the legal one (the defaults) and the alternatives an audit tries.

A :class:`Policy` is threaded through the engine (``heatrules.bill(case, policy=...)``) and read
by the rule modules from the :class:`~heatrules.context.Context`. Its defaults are the legal
reading of rules.md; each switch is one *alternative reading* that billing systems are known to
apply (``../shared/spec/audit.md``), so the same code computes the legal figure and every
alternative — there is no second copy of the rules.

>>> Policy().legal
True
>>> p = Policy(part_day_flipped=True)
>>> p.legal, p.part_day("ceil"), p.part_day("floor")
(False, 'floor', 'ceil')
>>> Policy(cause_swap="supplier_as_facility").cause("supplier")
'facility'
>>> Policy(params_season="2007-2008").params_season
Season('2007-2008')
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal, get_args

from .params import Parameters, ParamValue
from .season import Season

Divisor = Literal["statutory", "fixed_120", "supplied_days"]
CauseSwap = Literal["supplier_as_facility", "facility_as_supplier"]
WaiverReading = Literal["as_given", "missing", "extra_with_children"]

FIXED_SEASON_DAYS = 120
"""The fixed season length of the ``divisor="fixed_120"`` reading.

Not a legal number: REG art. 19 fixes the season as 15 November – 15 March, both ends
inclusive, so N is 121 (122 with 29 February). Billing systems that count "four months of
30 days" divide the season's fee by 120 instead; the audit names that reading ``divisor_120``.
"""

_SWAPS: dict[str, tuple[str, str]] = {
    "supplier_as_facility": ("supplier", "facility"),
    "facility_as_supplier": ("facility", "supplier"),
}


@dataclass(frozen=True)
class Policy:
    """How the rules are read. ``Policy()`` is the legal reading; every switch is an alternative.

    Attributes:
        daily_fee_rounded_first: round the daily fee d half-up to the fen *before* it is
            multiplied (the legal d stays exact, rules.md §2).
        divisor: what the daily fee d = F / divisor divides by — ``"statutory"`` (N, 121 or
            122), ``"fixed_120"`` (:attr:`fixed_season_days`) or ``"supplied_days"`` (the days
            of the account's supplied season, rules.md §1). Only the daily fee (and so every
            refund) changes; the tariff's own proration stays F × days / N [decision].
        part_day_flipped: count every part day the other way — floor ↔ ceil — for all outages
            (FEE arts. 15-16) and temperature records (REF).
        band_shift: +1 puts every banded temperature record one band higher (10 → 50 → 100 %),
            −1 one band lower (10 % → nothing); the ends are clamped, a complying room and a
            deemed failure are not shifted.
        overlap_double_counted: count each no-heat row on its own (hours summed per row, not
            united into continuous outages, rules.md §4.1 step 2).
        cause_swap: read every outage of one cause as the other (``supplier_as_facility`` or
            ``facility_as_supplier``; external outages keep their cause).
        params_season: compute with the parameters (prices, rates, bands, waiver amounts) in
            force for another season; the account's own calendar (its dates, N) is kept.
        waiver: ``"as_given"``; ``"missing"`` leaves the account's waiver out;
            ``"extra_with_children"`` applies a retired-cadre widow waiver with children to a
            residential account that has none.
        fixed_season_days: the length of the fixed season of ``divisor="fixed_120"``
            (see :data:`FIXED_SEASON_DAYS`).
    """

    daily_fee_rounded_first: bool = False
    divisor: Divisor = "statutory"
    part_day_flipped: bool = False
    band_shift: int = 0
    overlap_double_counted: bool = False
    cause_swap: CauseSwap | None = None
    params_season: Season | None = None
    waiver: WaiverReading = "as_given"
    fixed_season_days: int = FIXED_SEASON_DAYS

    def __post_init__(self) -> None:
        if self.divisor not in get_args(Divisor):
            raise ValueError(f"divisor: {self.divisor!r} is not one of {get_args(Divisor)}")
        if self.cause_swap is not None and self.cause_swap not in _SWAPS:
            raise ValueError(f"cause_swap: {self.cause_swap!r} is not one of {tuple(_SWAPS)}")
        if self.waiver not in get_args(WaiverReading):
            raise ValueError(f"waiver: {self.waiver!r} is not one of {get_args(WaiverReading)}")
        if self.band_shift not in (-1, 0, 1):
            raise ValueError(f"band_shift: {self.band_shift!r} is not -1, 0 or +1")
        if self.fixed_season_days <= 0:
            raise ValueError("fixed_season_days must be positive")
        if self.params_season is not None and not isinstance(self.params_season, Season):
            object.__setattr__(self, "params_season", Season.parse(self.params_season))

    @property
    def legal(self) -> bool:
        """True when every switch is at its legal reading."""
        return self.changes() == {}

    def changes(self) -> dict[str, Any]:
        """The switches that differ from the legal reading (``fixed_season_days`` aside)."""
        legal = Policy()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "fixed_season_days" and getattr(self, f.name) != getattr(legal, f.name)
        }

    def part_day(self, rule: str) -> str:
        """The part-day rule (``ceil`` / ``floor``) to apply where the law says ``rule``."""
        if not self.part_day_flipped:
            return rule
        return "floor" if rule == "ceil" else "ceil"

    def cause(self, cause: str) -> str:
        """The cause an outage recorded with ``cause`` is read as."""
        if self.cause_swap is not None:
            src, dst = _SWAPS[self.cause_swap]
            if cause == src:
                return dst
        return cause

    def parameters(self, params: Parameters) -> Parameters:
        """``params`` as this policy reads them (another season's values for ``params_season``)."""
        if self.params_season is None:
            return params
        return _season_view(params, self.params_season)


class SeasonParameters(Parameters):
    """A view of ``Parameters`` that answers every look-up with the values of one season.

    Calendars are not moved: :meth:`Parameters.period` still builds the asked season's dates
    (only the month-days come from the parameters, and they have never changed).
    """

    def __init__(self, base: Parameters, season: Season) -> None:
        super().__init__(base.params, base.documents, base.version, base.note, base.source)
        self.rules_season = season

    def in_force(self, name: str, season: Season) -> ParamValue:
        """The value in force for the season whose rules are applied, whatever ``season`` is
        billed."""
        return super().in_force(name, self.rules_season)


@lru_cache(maxsize=256)
def _season_view(params: Parameters, season: Season) -> Parameters:
    return SeasonParameters(params, season)


__all__ = [
    "FIXED_SEASON_DAYS",
    "CauseSwap",
    "Divisor",
    "Policy",
    "SeasonParameters",
    "WaiverReading",
]
