"""What every rule needs to know about one account in one season, computed once.

rules.md §1, §3, §4 and §7: the statutory season and its divisor N, the area fee F, the
daily fee d, the days connected (mid-season connection), the cut-off days and the account's
*supplied season* — the statutory season cut to
``[max(season start, connected_on 00:00), min(season end, cutoff_from 00:00))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from .case import Case, Waiver
from .citations import Citation
from .intervals import Interval
from .localtime import midnight
from .money import to_fen
from .params import Parameters
from .policy import Policy
from .season import Season, SeasonPeriod


@dataclass(frozen=True, eq=False)
class Context:
    """Derived quantities of one validated case (all exact, each computed once)."""

    case: Case
    params: Parameters
    season: Season
    period: SeasonPeriod
    area: Decimal
    residential: bool
    metered: bool
    suspension: str | None
    area_price: Decimal
    area_price_citation: Citation
    connected_on: date | None
    """The connection date when it falls inside the season (after its first day), else None."""
    cutoff_from: date | None
    policy: Policy = field(default_factory=Policy)
    """How the rules are read (the legal reading unless an audit asks for an alternative)."""

    @cached_property
    def n(self) -> int:
        """Statutory days N (121 or 122)."""
        return self.period.days

    @cached_property
    def area_fee(self) -> Fraction:
        """F = area × price (the whole season's area fee)."""
        return Fraction(self.area) * Fraction(self.area_price)

    @cached_property
    def connected_days(self) -> int:
        """Days from the connection (or the season start) to the last day, inclusive."""
        first = self.connected_on or self.period.first_day
        return (self.period.last_day - first).days + 1

    @cached_property
    def cutoff_days(self) -> int:
        """c: days from the cut-off date to the last day, inclusive (0 without cut-off)."""
        if self.cutoff_from is None:
            return 0
        return (self.period.last_day - self.cutoff_from).days + 1

    @cached_property
    def supplied_days(self) -> int:
        """Days of the season the account was supplied: connected days less cut-off days."""
        return self.connected_days - self.cutoff_days

    @cached_property
    def supplied(self) -> Interval | None:
        """The supplied season as an interval (None in a suspended season)."""
        if self.suspension is not None:
            return None
        start = self.period.start
        if self.connected_on is not None:
            start = max(start, midnight(self.connected_on))
        end = self.period.end
        if self.cutoff_from is not None:
            end = min(end, midnight(self.cutoff_from))
        return Interval(start, end)

    @cached_property
    def base_price(self) -> Decimal:
        """The metered base price (yuan/m²) of the account's category in force for the season."""
        cat = "residential" if self.residential else "non_residential"
        price: Decimal = self.params.value(f"tariff.metered.base_price.{cat}", self.season)
        return price

    @cached_property
    def divisor(self) -> int:
        """What the daily fee divides by: N, or the policy's fixed or supplied-days season."""
        if self.policy.divisor == "fixed_120":
            return self.policy.fixed_season_days
        if self.policy.divisor == "supplied_days":
            return self.supplied_days
        return self.n

    @cached_property
    def daily_fee(self) -> Fraction:
        """d = F / N for area billing; base price × area / N for metered accounts [decision].

        Exact (rules.md §2) unless the policy rounds it to the fen first.
        """
        fee = Fraction(self.base_price) * Fraction(self.area) if self.metered else self.area_fee
        d = fee / self.divisor
        return Fraction(to_fen(d)) if self.policy.daily_fee_rounded_first else d

    @cached_property
    def waiver(self) -> Waiver | None:
        """The account's waiver as the policy reads it (as given, left out, or one added)."""
        if self.policy.waiver == "missing":
            return None
        if self.policy.waiver == "extra_with_children" and self.case.waiver is None:
            if self.residential:
                return Waiver(kind="cadre_widow", has_children=True)
        return self.case.waiver

    @cached_property
    def daily_fee_basis(self) -> dict[str, Decimal | int]:
        """The exact parts of the daily fee d for a line's basis (d itself may not terminate)."""
        if self.metered:
            return {"area_m2": self.area, "base_price": self.base_price, "divisor_N": self.divisor}
        return {"area_m2": self.area, "price": self.area_price, "divisor_N": self.divisor}

    @cached_property
    def due_date(self) -> date:
        """31 December of the start year, or the connection date when later [decision]."""
        month, day = self.params.value("late_fee.due_day", self.season)
        due = date(self.season.start_year, month, day)
        if self.connected_on is not None and self.connected_on > due:
            return self.connected_on
        return due

    @cached_property
    def fee_at_due(self) -> Fraction:
        """The heating fee billed at the due date: F prorated by days connected, before cut-off."""
        return self.area_fee * self.connected_days / self.n

    def day_before(self, day: date) -> date:
        """The calendar day before ``day``."""
        return day - timedelta(days=1)


def make_context(case: Case, params: Parameters, policy: Policy | None = None) -> Context:
    """Build the context of a case that :func:`heatrules.validate.validate` accepted."""
    season = case.season
    period = params.period(season)
    acc = case.account
    residential = acc.category == "residential"
    price_name = f"tariff.area.price.{acc.category}"
    pv = params.in_force(price_name, season)
    connected = acc.connected_on
    if connected is not None and connected <= period.first_day:
        connected = None
    return Context(
        case=case,
        params=params,
        season=season,
        period=period,
        area=acc.billing_area_m2,
        residential=residential,
        metered=acc.billing == "metered",
        suspension=case.suspension.kind if case.suspension else None,
        area_price=pv.value,
        area_price_citation=pv.citation,
        connected_on=connected,
        cutoff_from=case.cutoff_from,
        policy=policy or Policy(),
    )
