"""Checks of a case against the rules in force for its season (after the schema checks).

Each problem names the field by its path. A season with no rule in force raises
:class:`~heatrules.errors.NoRuleInForce` ("no rule in force for season …").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from .case import Case
from .errors import CaseError, NoRuleInForce
from .params import Parameters
from .season import SeasonPeriod


def validate(case: Case, params: Parameters) -> None:
    """Raise CaseError listing every problem of ``case`` under ``params``; return if none."""
    season = case.season
    acc = case.account
    # the season must have a rule in force before anything else can be judged
    params.in_force(f"tariff.area.price.{acc.category}", season)
    period = params.period(season)
    problems: list[tuple[str, str]] = []
    no_rule: list[NoRuleInForce] = []

    def need(name: str) -> None:
        try:
            params.in_force(name, season)
        except NoRuleInForce as exc:
            no_rule.append(exc)

    suspended = case.suspension is not None
    if acc.billing == "metered":
        need(f"tariff.metered.base_price.{acc.category}")
        need(f"tariff.metered.energy_price.{acc.category}")
        if acc.metered_kwh is None and not suspended:
            problems.append(
                ("account.metered_kwh", "required for a metered account (billing: metered)")
            )
    elif acc.metered_kwh is not None:
        problems.append(
            ("account.metered_kwh", "given for an area-billed account; set billing: metered")
        )
    if acc.connected_on is not None and acc.connected_on > period.last_day:
        problems.append(
            (
                "account.connected_on",
                f"{acc.connected_on} is after the season's last day {period.last_day}; "
                "bill the account in the season it was connected",
            )
        )
    if acc.late_fee_rate is not None:
        maximum = params.value("late_fee.daily_rate", season)
        if acc.late_fee_rate > maximum:
            problems.append(
                (
                    "account.late_fee_rate",
                    f"{acc.late_fee_rate} per day is above the legal maximum {maximum} "
                    f"({params.citation('late_fee.daily_rate', season)})",
                )
            )
    if suspended:
        problems += _suspended_facts(case)
    elif case.cutoff_from is not None:
        problems += _cutoff(case, params, period)
    if case.waiver is not None:
        if acc.category != "residential":
            problems.append(
                ("waiver", "the retired-cadre widow waiver applies to residential accounts only")
            )
        need(
            "waiver.cadre_widow.with_children"
            if case.waiver.has_children
            else "waiver.cadre_widow.without_children"
        )
    if case.subsidy is not None:
        problems += _subsidy(case, params, need)
    if not suspended:
        problems += _temperature(case, params, period)
    if no_rule:
        raise NoRuleInForce([p for exc in no_rule for p in exc.problems] + problems)
    if problems:
        raise CaseError(problems)


def _suspended_facts(case: Case) -> list[tuple[str, str]]:
    kind = case.suspension.kind if case.suspension else ""
    why = f"not accepted for a suspended season (suspension.kind = {kind}): there is no supply"
    problems = []
    if case.supply is not None and (
        case.supply.started_at is not None or case.supply.stopped_at is not None
    ):
        problems.append(("supply", why))
    if case.no_heat:
        problems.append(("no_heat", why))
    if case.temperature:
        problems.append(("temperature", why))
    if case.cutoff_from is not None:
        problems.append(("cutoff_from", why))
    return problems


def _cutoff(case: Case, params: Parameters, period: SeasonPeriod) -> list[tuple[str, str]]:
    k = case.cutoff_from
    assert k is not None
    acc = case.account
    if acc.billing == "metered":
        return [("cutoff_from", "a cut-off for non-payment applies to area-billed accounts only")]
    month, day = params.value("cutoff.first_day", case.season)
    first = date(case.season.end_year, month, day)
    if not first <= k <= period.last_day:
        return [
            (
                "cutoff_from",
                f"{k} is outside {first} .. {period.last_day} "
                "(a cut-off for non-payment starts after the due date, inside the season)",
            )
        ]
    if acc.connected_on is not None and k <= acc.connected_on:
        return [
            (
                "cutoff_from",
                f"{k} must be later than the connection date {acc.connected_on}",
            )
        ]
    return []


def _subsidy(case: Case, params: Parameters, need: object) -> list[tuple[str, str]]:
    sub = case.subsidy
    assert sub is not None
    problems = []
    if case.account.category != "residential":
        problems.append(("subsidy", "hardship subsidies are for residential accounts only"))
    if sub.household == "full" and not sub.central_heating:
        problems.append(
            (
                "subsidy.household",
                "'full' has no amount without central heating; choose dibao, youfu or tekun",
            )
        )
    assert callable(need)
    need("subsidy.cap")
    return problems


def _in_window(t: datetime, earliest: object, latest: object) -> bool:
    tod = t.time()
    return bool(earliest <= tod <= latest)  # type: ignore[operator]


def _temperature(case: Case, params: Parameters, period: SeasonPeriod) -> list[tuple[str, str]]:
    if not case.temperature:
        return []
    season = case.season
    acc = case.account
    earliest = params.value("measurement.earliest", season)
    latest = params.value("measurement.latest", season)
    max_per_day: int = params.value("measurement.max_per_day", season)
    window = f"{earliest:%H:%M}-{latest:%H:%M} ({params.citation('measurement.earliest', season)})"
    problems: list[tuple[str, str]] = []
    seen: dict[tuple[str, datetime], int] = {}
    instants: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
    for i, rec in enumerate(case.temperature):
        path = f"temperature[{i}]"
        if acc.category != "residential" and rec.standard_celsius is None:
            problems.append(
                (
                    f"{path}.standard_celsius",
                    "required for a non-residential account (the contract temperature)",
                )
            )
        if rec.room_area_m2 > acc.billing_area_m2:
            problems.append(
                (
                    f"{path}.room_area_m2",
                    f"{rec.room_area_m2} m2 is larger than the account's billing area "
                    f"{acc.billing_area_m2} m2",
                )
            )
        if not period.contains(rec.measured_at):
            problems.append(
                (
                    f"{path}.measured_at",
                    f"{rec.measured_at.isoformat()} is outside the statutory season "
                    f"{period.first_day} .. {period.last_day}",
                )
            )
        if not _in_window(rec.measured_at, earliest, latest):
            problems.append(
                (
                    f"{path}.measured_at",
                    f"{rec.measured_at.isoformat()} (local time) is outside the measuring "
                    f"hours {window}",
                )
            )
        if rec.restored_at is not None and not _in_window(rec.restored_at, earliest, latest):
            problems.append(
                (
                    f"{path}.restored_at",
                    f"{rec.restored_at.isoformat()} (local time) is a measurement too and is "
                    f"outside the measuring hours {window}",
                )
            )
        key = (rec.room, rec.measured_at)
        if key in seen:
            problems.append(
                (
                    f"{path}.measured_at",
                    f"temperature[{seen[key]}] already measured room {rec.room!r} at "
                    f"{rec.measured_at.isoformat()}",
                )
            )
        else:
            seen[key] = i
        for t, where in ((rec.measured_at, "measured_at"), (rec.restored_at, "restored_at")):
            if t is not None and all(t != x for x, _ in instants[t.date()]):
                instants[t.date()].append((t, f"{path}.{where}"))
    for day, items in sorted(instants.items()):
        if len(items) > max_per_day:
            times = ", ".join(f"{t:%H:%M} ({w})" for t, w in sorted(items))
            problems.append(
                (
                    "temperature",
                    f"{len(items)} measurements on {day} ({times}); at most {max_per_day} per "
                    f"household per day ({params.citation('measurement.max_per_day', case.season)})",
                )
            )
    return problems
